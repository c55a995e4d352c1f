//! A week of a large autoscaled cluster under random node failures (every
//! node fails after an exponential up time of mean 3 days and is repaired
//! after a lognormal 30 minutes): 1,000 nodes of 16 CPU at the start,
//! a node group of 200 to 6,000 (and a second group of 64-CPU nodes), under
//! a daily load that takes it from a few hundred nodes at night to about
//! 2,500 in the afternoon: some 440,000 pods and 13,000 nodes added and
//! removed. Run with `cargo bench --bench autoscaler`; it prints the run's
//! figures once. One sample: a run takes about a minute and a half.

use podsim::scenario::Scenario;
use podsim::simulation::run_one;

const WEEK: &str = r#"
name = "autoscaled-week"
horizon = "7d"
sample-every = "10m"
policies = ["binpack"]

[cluster-autoscaler]
provisioning-time = "3m"
expander = "least-waste"

[[pools]]
name = "std"
count = 1000
min-count = 200
max-count = 6000
cpu = "16"
memory = "64Gi"
zones = ["a", "b", "c"]
cost-per-hour = 0.8

[[pools]]
name = "large"
count = 0
max-count = 1000
cpu = "64"
memory = "256Gi"
cost-per-hour = 3.4

[[failures]]
model = "nodes"
time-between-failures = { dist = "exponential", mean = "3d" }
time-to-repair = { dist = "lognormal", median = "30m", sigma = 1 }

[[jobs]]
name = "batch"
count = 10000000
arrival = { process = "diurnal", mean-rate = "0.7/s", amplitude = 0.8, peak = "14h" }
duration = { dist = "lognormal", median = "2h", sigma = 0.8 }
sizes = [
  { cpu = "2", memory = "8Gi", weight = 5 },
  { cpu = "4", memory = "16Gi", weight = 4 },
  { cpu = "8", memory = "32Gi", weight = 1 },
]
"#;

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 1, sample_size = 1)]
fn week_of_autoscaling(bencher: divan::Bencher) {
    let sc = Scenario::parse(WEEK, "autoscaled-week.toml").expect("the bench scenario is valid");
    let printed = std::sync::Once::new();
    bencher.bench_local(|| {
        let r = run_one(&sc, "binpack", 1).expect("runs");
        printed.call_once(|| {
            let s = &r.summary;
            let peak = r.pools.iter().map(|p| p.nodes_max).sum::<u32>();
            eprintln!(
                "autoscaled week: {} pods, {} events, {} node failures, nodes added {} removed {}, peak {} nodes, {:.0} node-hours, wait p99 {:.1} s",
                s.pods_submitted,
                s.events,
                s.failures,
                s.nodes_added,
                s.nodes_removed,
                peak,
                s.node_hours,
                s.wait_p99_s.unwrap_or(0.0)
            );
        });
        divan::black_box(r)
    });
}
