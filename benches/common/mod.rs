//! Scenarios shared by the benchmarks, generated as scenario-file text so the
//! benchmarks exercise the same parse/validate path as `podsim run`.
//!
//! (This file lives in `benches/common/` so Cargo does not take it for a
//! benchmark target of its own.)

#![allow(dead_code)]

/// A batch-heavy cluster: `nodes` nodes of 32 cores / 128Gi in three zones,
/// a 500-replica-per-1000-nodes web service, and about `job_pods` job pods in
/// four size classes arriving as Poisson processes.
///
/// The arrival rates are chosen so that, while pods arrive, the jobs ask for
/// about 90 % of the cluster's CPU on average (the mean pod needs ≈ 2,072
/// core·seconds): the scheduler is busy and large pods sometimes wait for
/// room, but the cluster is not hopelessly overloaded and no queue builds up.
/// The arrival window is the same at every size (≈ 2 h: pods / rate) and the
/// horizon is 3 h, so nearly every pod finishes. (At 100 % the run is
/// markedly slower for `spread`, and its cost swings with small changes in
/// placement; 90 % keeps the benchmark stable.)
///
/// | class  | share | request        | duration                         | mean    |
/// |--------|-------|----------------|----------------------------------|---------|
/// | small  | 50 %  | 1 core, 2Gi    | lognormal, median 5m, sigma 1.0  | 8.2 min |
/// | medium | 30 %  | 2 cores, 8Gi   | exponential, mean 10m            | 10 min  |
/// | large  | 15 %  | 4 cores, 16Gi  | lognormal, median 15m, sigma 0.8 | 20.7 min|
/// | xl     |  5 %  | 8 cores, 32Gi  | exponential, mean 30m            | 30 min  |
///
/// Disturbances: five nodes fail for 20 minutes each, one fails for good,
/// and one is drained and later uncordoned (all named `worker-<i>` with
/// `i < nodes`).
pub fn batch_cluster(name: &str, nodes: u32, job_pods: u32) -> String {
    assert!(nodes >= 10, "the failure events need at least 10 nodes");
    const LOAD: f64 = 0.9;
    const MEAN_CORE_SECONDS_PER_POD: f64 = 0.5 * 1.0 * 494.6 // 300 s · e^0.5
        + 0.3 * 2.0 * 600.0
        + 0.15 * 4.0 * 1241.5 // 900 s · e^0.32
        + 0.05 * 8.0 * 1800.0;
    let cores = nodes as f64 * 32.0;
    let total_rate = LOAD * cores / MEAN_CORE_SECONDS_PER_POD; // pods per second
    let classes: [(&str, f64, &str, &str, &str); 4] = [
        (
            "small",
            0.50,
            "1",
            "2Gi",
            r#"{ dist = "lognormal", median = "5m", sigma = 1.0 }"#,
        ),
        (
            "medium",
            0.30,
            "2",
            "8Gi",
            r#"{ dist = "exponential", mean = "10m" }"#,
        ),
        (
            "large",
            0.15,
            "4",
            "16Gi",
            r#"{ dist = "lognormal", median = "15m", sigma = 0.8 }"#,
        ),
        (
            "xl",
            0.05,
            "8",
            "32Gi",
            r#"{ dist = "exponential", mean = "30m" }"#,
        ),
    ];
    let web = (nodes / 2).max(1);
    let mut s = format!(
        r#"name = "{name}"
horizon = "3h"
sample-every = "1m"
policies = ["spread", "binpack", "first-fit"]

[[pools]]
name = "worker"
count = {nodes}
cpu = "32"
memory = "128Gi"
zones = ["a", "b", "c"]

[[services]]
name = "web"
replicas = {web}
cpu = "500m"
memory = "1Gi"
startup = "5s"
"#
    );
    for (class, share, cpu, mem, dist) in classes {
        let count = (job_pods as f64 * share).round() as u32;
        let rate = total_rate * share;
        s += &format!(
            r#"
[[jobs]]
name = "{class}"
count = {count}
cpu = "{cpu}"
memory = "{mem}"
startup = "2s"
arrival = {{ process = "poisson", rate = "{rate:.6}/s" }}
duration = {dist}
"#
        );
    }
    // Spread the disturbances over the busy part of the run.
    let pick = |k: u32| (k * 7919 + 13) % nodes;
    for (k, at) in ["20m", "45m", "1h10m", "1h35m", "2h"].iter().enumerate() {
        s += &format!(
            r#"
[[events]]
at = "{at}"
action = "fail-node"
node = "worker-{}"
duration = "20m"
"#,
            pick(k as u32)
        );
    }
    s += &format!(
        r#"
[[events]]
at = "1h"
action = "fail-node"
node = "worker-{}"

[[events]]
at = "1h20m"
action = "drain-node"
node = "worker-{}"

[[events]]
at = "1h50m"
action = "uncordon-node"
node = "worker-{}"
"#,
        pick(5),
        pick(6),
        pick(6)
    );
    s
}

/// Parses generated scenario text, panicking with the validator's message.
pub fn parse(text: &str, name: &str) -> podsim::scenario::Scenario {
    podsim::scenario::Scenario::parse(text, name)
        .unwrap_or_else(|e| panic!("generated scenario {name} is invalid: {e}"))
}
