#!/usr/bin/env python3
"""Instructions of a callgrind profile outside glibc's allocator (malloc.c), and in it.

glibc's malloc/free cost depends on its free-list state, which moves by up to +-10%
between builds of the same code; the count without it repeats across builds.
Usage: bench-alloc-free.py CALLGRIND_OUT  ->  prints "<total> <in malloc.c>".
"""
import re
import subprocess
import sys

out = subprocess.run(["callgrind_annotate", "--inclusive=no", "--threshold=100", sys.argv[1]],
                     capture_output=True, text=True, check=True).stdout
total = alloc = 0
for line in out.splitlines():
    m = re.match(r"\s*([\d,]+) \([\s\d.]+%\)\s+(.*)", line)
    if not m or "PROGRAM TOTALS" in line:
        continue
    n = int(m.group(1).replace(",", ""))
    total += n
    if "malloc/malloc.c" in m.group(2) or "rust_alloc" in m.group(2) or "rust_dealloc" in m.group(2):
        alloc += n
print(total, alloc)
