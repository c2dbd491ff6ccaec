//! Runs one side of the benchmark N times, for instruction counting under
//! `valgrind --tool=callgrind` (deterministic, unlike wall-clock time on a
//! shared machine): `instructions floor|plan N`.

use serde_json::Value;
use std::hint::black_box;
use tiktok_edge::hashing::sha256_hex;
use tiktok_edge::{plan, Config, Outcome, RequestContext, Secrets};
use tiktok_edge_bench::{CONFIG, PURCHASE};

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map(String::as_str).unwrap_or("plan");
    let n: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let config = Config::from_json(CONFIG).map_err(|e| e.to_string())?;
    let secrets = Secrets::new().with("TIKTOK_ACCESS_TOKEN", "token");
    let ctx = RequestContext::at(1_767_225_600_000);
    let event: Value = serde_json::from_str(PURCHASE).map_err(|e| e.to_string())?;
    let output = match plan(&config, &event, &ctx, &secrets).first().map(|r| &r.outcome) {
        Some(Outcome::Ready { request, .. }) => request.body.clone(),
        _ => return Err("the benchmark event must plan to a request".into()),
    };
    if mode == "interleaved" {
        return interleaved(n, &config, &ctx, &secrets, &output);
    }
    for _ in 0..n {
        match mode {
            "floor" => floor_once(&output)?,
            "empty" => {}
            _ => plan_once(&config, &ctx, &secrets)?,
        }
    }
    Ok(())
}

fn floor_once(output: &tiktok_edge::Body) -> Result<(), String> {
    let ev: Value = serde_json::from_str(black_box(PURCHASE)).map_err(|e| e.to_string())?;
    let body = serde_json::to_string(output).map_err(|e| e.to_string())?;
    let h = [sha256_hex(b"john.doe@example.com"), sha256_hex(b"+33612345678"), sha256_hex(b"845454")];
    black_box((ev, body, h));
    Ok(())
}

fn plan_once(config: &Config, ctx: &RequestContext, secrets: &Secrets) -> Result<(), String> {
    let ev: Value = serde_json::from_str(black_box(PURCHASE)).map_err(|e| e.to_string())?;
    let results = plan(config, &ev, ctx, secrets);
    if let Some(Outcome::Ready { request, .. }) = results.first().map(|r| &r.outcome) {
        black_box(request.body.to_json());
    }
    Ok(())
}

/// Alternates rounds of each side so machine noise hits both alike; prints medians.
fn interleaved(
    rounds: usize,
    config: &Config,
    ctx: &RequestContext,
    secrets: &Secrets,
    output: &tiktok_edge::Body,
) -> Result<(), String> {
    const PER_ROUND: u32 = 2000;
    let (mut floor, mut ours) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        let t = std::time::Instant::now();
        for _ in 0..PER_ROUND {
            floor_once(output)?;
        }
        floor.push(t.elapsed().as_secs_f64() * 1e6 / f64::from(PER_ROUND));
        let t = std::time::Instant::now();
        for _ in 0..PER_ROUND {
            plan_once(config, ctx, secrets)?;
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
