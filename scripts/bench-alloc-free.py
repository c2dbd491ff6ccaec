#!/usr/bin/env python3
"""Splits a callgrind profile: instructions outside glibc's allocator, in it, and malloc calls.

glibc's malloc/free cost depends on its free-list state, which moves by up to +-25%
between builds of the same code (measured: 27,000 to 50,000 instructions per event
for the same allocations); the count outside it, and the number of calls, repeat.
Usage: bench-alloc-free.py CALLGRIND_OUT  ->  prints "<total> <in the allocator> <malloc calls>".
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

# Calls to malloc (and realloc), from the raw file: `cfn=(id) name` then `calls=N ...`.
names, calls, target = {}, 0, None
with open(sys.argv[1]) as f:
    for line in f:
        m = re.match(r"c?fn=\((\d+)\)(?: (.*))?", line)
        if m:
            if m.group(2):
                names[m.group(1)] = m.group(2).strip()
            target = names.get(m.group(1)) if line.startswith("cfn=") else None
        elif line.startswith("calls=") and target in ("malloc", "realloc"):
            calls += int(line.split("=")[1].split()[0])
print(total, alloc, calls)
