//! Criterion: parse the benchmark purchase and read the events_api slots' default paths,
//! with each JSON reader of tiktok-edge-readers (bench/readers), in one run.
use criterion::{black_box, criterion_group, criterion_main, Criterion};
use tiktok_edge_bench::PURCHASE;
use tiktok_edge_readers::{paths, read, readers};

fn readers_bench(c: &mut Criterion) {
    let paths = paths();
    let mut group = c.benchmark_group("read_purchase");
    for r in readers() {
        group.bench_function(r, |b| b.iter(|| black_box(read(r, black_box(PURCHASE), &paths))));
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = readers_bench
}
criterion_main!(benches);
