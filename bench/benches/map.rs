//! map+hash of a realistic purchase vs the floor, in the same run.
//!
//! - `plan`: parse the event text, plan it (map + hash), serialize the request body.
//! - `floor`: parse the same event text, serialize the same output body
//!   (already built), and compute 3 SHA-256 hex digests (email, phone, user id):
//!   the work no implementation can skip.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use serde_json::Value;
use tiktok_edge::hashing::sha256_hex;
use tiktok_edge::{plan, Config, Outcome, RequestContext, Secrets};
use tiktok_edge_bench::{CONFIG, PURCHASE};

fn body_of(config: &Config, event: &Value, ctx: &RequestContext, secrets: &Secrets) -> String {
    match &plan(config, event, ctx, secrets)[0].outcome {
        Outcome::Ready { request, .. } => request.body.to_json(),
        other => panic!("not ready: {other:?}"),
    }
}

fn bench(c: &mut Criterion) {
    let config = Config::from_json(CONFIG).unwrap();
    let secrets = Secrets::new().with("TIKTOK_ACCESS_TOKEN", "token");
    let ctx = RequestContext::at(1_767_225_600_000);
    let event: Value = serde_json::from_str(PURCHASE).unwrap();
    let output = match &plan(&config, &event, &ctx, &secrets)[0].outcome {
        Outcome::Ready { request, .. } => request.body.clone(),
        other => panic!("not ready: {other:?}"),
    };

    let mut g = c.benchmark_group("purchase_3_items");
    g.bench_function("floor", |b| {
        b.iter(|| {
            let ev: Value = serde_json::from_str(black_box(PURCHASE)).unwrap();
            let body = serde_json::to_string(&output).unwrap();
            let hashes = [sha256_hex(b"john.doe@example.com"), sha256_hex(b"+33612345678"), sha256_hex(b"845454")];
            black_box((ev, body, hashes))
        })
    });
    g.bench_function("plan", |b| {
        b.iter(|| {
            let ev: Value = serde_json::from_str(black_box(PURCHASE)).unwrap();
            black_box(body_of(&config, &ev, &ctx, &secrets))
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(60).warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
