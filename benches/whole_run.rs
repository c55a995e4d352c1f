//! Whole simulation runs at a realistic size.
//!
//! What it measures: the wall time of one complete run (set-up, every event
//! to the 3 h horizon, and building the `RunResult`; no CSV writing) of a
//! 1,000-node cluster (32 cores / 128Gi each) that receives about 100,000
//! job pods over ~2 simulated hours at ~90 % CPU demand, plus a
//! 500-replica service, five 20-minute node failures, one permanent failure
//! and a drain. See `common::batch_cluster` for the exact workload.
//!
//! One benchmark per policy, because the policy decides the cost of the
//! scheduler's pass over nodes:
//! - `spread` and `binpack` are best-score profiles: filter until 420 of the
//!   1,000 nodes are feasible (Kubernetes' adaptive share), then score them;
//! - `first-fit` filters from node 0 and stops at the first that fits.
//!
//! Divan's throughput column is simulated events per second (the event count
//! is taken from a warm-up run; runs are deterministic).
//!
//! A `spread` or `binpack` run takes over a second, so each benchmark takes
//! 3 samples of 1 run (plus the untimed warm-up). Compare medians only on a
//! quiet machine: on a shared one, take the fastest of several invocations.
//!
//! ```text
//! cargo bench --bench whole_run
//! ```
//!
//! To get the same scenario as a file, for `podsim run` under
//! `/usr/bin/time -v` or a profiler (the binary also writes the CSVs, which
//! this benchmark does not):
//!
//! ```text
//! PODSIM_WRITE_SCENARIO=/tmp/bench-1000.toml cargo bench --bench whole_run -- --list
//! target/release/podsim run /tmp/bench-1000.toml --out /tmp/bench-out --quiet
//! ```
//!
//! `PODSIM_BENCH_NODES` and `PODSIM_BENCH_PODS` change the size (defaults
//! 1000 and 100000), for example to make a smaller file to profile under
//! callgrind.

mod common;

use divan::counter::ItemsCount;
use divan::Bencher;
use podsim::scenario::Scenario;
use podsim::simulation::Simulation;
use std::sync::OnceLock;

fn env_u32(name: &str, default: u32) -> u32 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn scenario_text() -> String {
    let nodes = env_u32("PODSIM_BENCH_NODES", 1000);
    let pods = env_u32("PODSIM_BENCH_PODS", 100_000);
    common::batch_cluster(&format!("bench-{nodes}"), nodes, pods)
}

fn scenario() -> &'static Scenario {
    static SC: OnceLock<Scenario> = OnceLock::new();
    SC.get_or_init(|| common::parse(&scenario_text(), "whole_run"))
}

fn main() {
    if let Ok(path) = std::env::var("PODSIM_WRITE_SCENARIO") {
        std::fs::write(&path, scenario_text()).expect("write the scenario file");
        eprintln!("wrote {path}");
    }
    divan::main();
}

fn run(bencher: Bencher, policy: &str) {
    let sc = scenario();
    // Warm-up run, untimed: the event count for the throughput column, and a
    // sanity check that the workload really is the size it claims.
    let warm = Simulation::new(sc, policy, 1).unwrap().run();
    let s = &warm.summary;
    assert!(s.events > 100_000, "only {} events", s.events);
    bencher
        .counter(ItemsCount::new(s.events))
        .bench(|| Simulation::new(sc, policy, 1).unwrap().run());
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn spread(bencher: Bencher) {
    run(bencher, "spread");
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn binpack(bencher: Bencher) {
    run(bencher, "binpack");
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn first_fit(bencher: Bencher) {
    run(bencher, "first-fit");
}
