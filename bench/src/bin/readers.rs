//! Runs one JSON reader N times on the benchmark purchase (parse, read the events_api slots'
//! default paths, drop), for instruction counting under `valgrind --tool=callgrind`:
//! `readers READER N` (`none`: the loop alone, subtracted), or `readers interleaved ROUNDS`
//! for wall-clock medians of alternating rounds of every reader in one process.

use std::hint::black_box;
use std::time::Instant;
use tiktok_edge_bench::PURCHASE;
use tiktok_edge_readers::{paths, read, readers};

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map(String::as_str).unwrap_or("serde_json");
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let paths = paths();
    if mode == "interleaved" {
        return interleaved(n, &paths);
    }
    let mut sum = 0;
    for _ in 0..n {
        sum = read(mode, black_box(PURCHASE), &paths)?;
    }
    println!("{mode}: checksum {sum}, {} paths", paths.len());
    Ok(())
}

fn interleaved(rounds: usize, paths: &tiktok_edge_readers::Paths) -> Result<(), String> {
    const EVENTS: u32 = 2_000;
    let names = readers();
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); names.len()];
    for round in 0..=rounds {
        for (name, t) in names.iter().zip(times.iter_mut()) {
            let start = Instant::now();
            for _ in 0..EVENTS {
                black_box(read(name, black_box(PURCHASE), paths)?);
            }
            if round > 0 {
                t.push(start.elapsed().as_secs_f64() * 1e6 / f64::from(EVENTS));
                // round 0 warms up
            }
        }
    }
    let base = median(times.first().map(Vec::as_slice).unwrap_or(&[]));
    println!(
        "{rounds} interleaved rounds of {EVENTS} events, median µs per event (parse + read {} paths)",
        paths.len()
    );
    for (name, t) in names.iter().zip(&times) {
        let m = median(t);
        println!("{name:12} {m:8.2} µs  {:.2}x of {}", m / base, names.first().unwrap_or(&""));
    }
    Ok(())
}

fn median(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}
