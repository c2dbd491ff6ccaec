//! Runs one side of the benchmark N times, for instruction counting under
//! `valgrind --tool=callgrind` (deterministic, unlike wall-clock time on a
//! shared machine): `instructions floor|plan|empty N`, or `instructions interleaved ROUNDS`
//! for wall-clock medians of alternating rounds in one process. The parts of the
//! plan side, for a repeatable breakdown: `parse` (event text -> `Value` and its
//! drop, the floor's reading), `read` (event text -> `node::Node`, the plan's reading,
//! and its drop), `map` (plan an already read event, no serialization), `serialize`
//! (the built body to JSON text), `hash3` (the floor's 3 SHA-256 hex digests).

use serde_json::Value;
use std::hint::black_box;
use tiktok_edge::{plan, Body, Outcome};
use tiktok_edge_bench::{floor_once, Setup, PURCHASE};

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map(String::as_str).unwrap_or("plan");
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let setup = Setup::new()?;
    let event = tiktok_edge::node::parse(PURCHASE).map_err(|e| e.to_string())?;
    let output = match plan(&setup.config, &event, &setup.ctx, &setup.secrets).first().map(|r| &r.outcome) {
        Some(Outcome::Ready { request, .. }) => request.body.clone(),
        _ => return Err("the benchmark event must plan to a request".into()),
    };
    match mode {
        "interleaved" => interleaved(n, &setup, &output),
        "floor" => (0..n).try_for_each(|_| floor_once(black_box(PURCHASE), &output).map(|r| drop(black_box(r)))),
        "empty" => Ok(()),
        "parse" => (0..n).try_for_each(|_| {
            serde_json::from_str::<Value>(black_box(PURCHASE)).map(|v| drop(black_box(v))).map_err(|e| e.to_string())
        }),
        "read" => (0..n).try_for_each(|_| {
            tiktok_edge::node::parse(black_box(PURCHASE)).map(|v| drop(black_box(v))).map_err(|e| e.to_string())
        }),
        "map" => {
            (0..n).for_each(|_| drop(black_box(plan(&setup.config, black_box(&event), &setup.ctx, &setup.secrets))));
            Ok(())
        }
        "serialize" => {
            (0..n).for_each(|_| drop(black_box(black_box(&output).to_json())));
            Ok(())
        }
        "hash3" => {
            (0..n).for_each(|_| drop(black_box(tiktok_edge_bench::three_hashes())));
            Ok(())
        }
        _ => (0..n).try_for_each(|_| setup.plan_once(black_box(PURCHASE)).map(|r| drop(black_box(r)))),
    }
}

/// Alternates rounds of each side so machine noise hits both alike; prints medians.
fn interleaved(rounds: usize, setup: &Setup, output: &Body<'_>) -> Result<(), String> {
    const PER_ROUND: u32 = 2000;
    let (mut floor, mut ours) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = std::time::Instant::now();
        for _ in 0..PER_ROUND {
            black_box(floor_once(black_box(PURCHASE), output)?);
        }
        floor.push(t.elapsed().as_secs_f64() * 1e6 / f64::from(PER_ROUND));
        let t = std::time::Instant::now();
        for _ in 0..PER_ROUND {
            black_box(setup.plan_once(black_box(PURCHASE))?);
        }
        ours.push(t.elapsed().as_secs_f64() * 1e6 / f64::from(PER_ROUND));
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
    };
    let (f, p) = (median(&mut floor), median(&mut ours));
    println!("interleaved medians: floor {f:.2} us  plan {p:.2} us  ratio plan/floor = {:.2}x", p / f);
    Ok(())
}
