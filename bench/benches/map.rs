//! map+hash of a realistic purchase vs the floor, in the same run (both sides
//! are defined in `tiktok_edge_bench`, shared with the instruction counter).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use tiktok_edge::{plan, Outcome};
use tiktok_edge_bench::{floor_once, Setup, PURCHASE};

fn bench(c: &mut Criterion) {
    let setup = Setup::new().unwrap();
    let event = tiktok_edge::node::parse(PURCHASE).unwrap();
    let output = match &plan(&setup.config, &event, &setup.ctx, &setup.secrets)[0].outcome {
        Outcome::Ready { request, .. } => request.body.clone(),
        other => panic!("not ready: {other:?}"),
    };
    let mut g = c.benchmark_group("purchase_3_items");
    g.bench_function("floor", |b| b.iter(|| black_box(floor_once(black_box(PURCHASE), &output).unwrap())));
    g.bench_function("plan", |b| b.iter(|| black_box(setup.plan_once(black_box(PURCHASE)).unwrap())));
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(60).warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(4));
    targets = bench
}
criterion_main!(benches);
