//! Golden placement tests, one line per built-in policy, in the style of
//! dslab's `check_placements`: a tiny fixed cluster, identical pods arriving
//! one at a time, and the node every pod must land on.
//!
//! The cluster (node ids in this order; pools are laid out in file order):
//!
//! | node     | cpu | memory |
//! |----------|-----|--------|
//! | small-0  | 2   | 4Gi    |
//! | medium-0 | 4   | 4Gi    |
//! | large-0  | 8   | 12Gi   |
//!
//! Every pod requests 1 cpu and 1Gi and runs longer than the horizon, so
//! nothing ever leaves. The expected answers below are worked out by hand
//! from the kube-scheduler formulas (requests include the incoming pod):
//!
//! - LeastAllocated  = ⌊(⌊(A_c−R_c)·100/A_c⌋ + ⌊(A_m−R_m)·100/A_m⌋) / 2⌋
//! - MostAllocated   = ⌊(⌊R_c·100/A_c⌋ + ⌊R_m·100/A_m⌋) / 2⌋
//! - BalancedAllocation = ⌊(1 − |R_c/A_c − R_m/A_m| / 2) · 100⌋
//!
//! The TaintToleration scorer (weight 3) gives every untainted node 100, so
//! it adds the same 300 to every node and never changes a decision.
//! Every decision of the scoring policies below has a unique best node, so
//! the random tie-break never comes into play and the answer must be the
//! same for every seed (checked with several seeds).

use podsim::cluster::{Outcome, PodKind};
use podsim::metrics::RunResult;
use podsim::scenario::Scenario;
use podsim::simulation::run_one;
use std::collections::BTreeSet;

const CLUSTER: &str = r#"
[[pools]]
name = "small"
count = 1
cpu = "2"
memory = "4Gi"

[[pools]]
name = "medium"
count = 1
cpu = "4"
memory = "4Gi"

[[pools]]
name = "large"
count = 1
cpu = "8"
memory = "12Gi"
"#;

/// A scenario on [`CLUSTER`] where `n` pods of `cpu`/`memory` arrive as
/// given by `arrival` (a TOML inline table) and run for longer than the horizon.
fn scenario(n: usize, cpu: &str, memory: &str, arrival: &str) -> Scenario {
    let text = format!(
        r#"
name = "placement"
horizon = "1h"
{CLUSTER}
[[jobs]]
name = "p"
count = {n}
cpu = "{cpu}"
memory = "{memory}"
arrival = {arrival}
duration = {{ dist = "constant", value = "2h" }}
"#
    );
    Scenario::parse(&text, "placement.toml").unwrap()
}

/// The node each pod landed on, in pod (= arrival) order; "" for a pod never bound.
fn placements(r: &RunResult) -> Vec<String> {
    let mut pods: Vec<_> = r.pods.iter().collect();
    pods.sort_by_key(|p| p.pod);
    pods.iter().map(|p| p.node.clone()).collect()
}

fn run(sc: &Scenario, policy: &str, seed: u64) -> RunResult {
    let r = run_one(sc, policy, seed).unwrap();
    assert_eq!(
        r.summary.pods_pending_at_end, 0,
        "{policy}: a pod stayed pending"
    );
    r
}

/// Pods arrive one per second; asserts where each lands, for several seeds.
fn check(policy: &str, expected: &[&str]) {
    let sc = scenario(
        expected.len(),
        "1",
        "1Gi",
        r#"{ process = "every", interval = "1s" }"#,
    );
    for seed in [1, 2, 3, 42, 1234] {
        let r = run(&sc, policy, seed);
        assert_eq!(
            placements(&r),
            expected,
            "{policy} (seed {seed}) placed the pods differently"
        );
        // Each pod was bound the moment it arrived.
        for p in &r.pods {
            assert_eq!(p.bind, Some(p.submit), "{policy}: pod {} waited", p.pod);
            assert_eq!(p.outcome, Outcome::Running);
        }
    }
}

// spread (LeastAllocated only). Each score counts the incoming pod; a node's
// score changes only when it receives a pod.
// pod 0: small (50+75)/2=62, medium (75+75)/2=75, large (87+91)/2=89 → large
// pod 1: large now 2000/8000, 2Gi/12Gi: (75+83)/2=79 > medium 75 → large
// pod 2: large (62+75)/2=68 < medium 75 → medium
// pod 3: medium (50+50)/2=50; large 68 > small 62 → large
// pod 4: large 4000/8000, 4Gi/12Gi: (50+66)/2=58 < small 62 → small
// pod 5: small (0+50)/2=25, medium 50, large 58 → large
// pod 6: large (37+58)/2=47 < medium 50 → medium
// pod 7: small 25, medium (25+25)/2=25, large 47 → large
#[test]
fn spread_prefers_the_emptiest_node() {
    check(
        "spread",
        &[
            "large-0", "large-0", "medium-0", "large-0", "small-0", "large-0", "medium-0",
            "large-0",
        ],
    );
}

// binpack (MostAllocated only).
// pod 0: small (50+25)/2=37, medium (25+25)/2=25, large (12+8)/2=10 → small
// pod 1: small (100+50)/2=75 → small (now full on cpu)
// pod 2: medium 25 > large 10 → medium
// pods 3, 4, 5: medium (50, 75, 100) always beats large (10) → medium
// pods 6, 7: only large fits → large
#[test]
fn binpack_prefers_the_fullest_node() {
    check(
        "binpack",
        &[
            "small-0", "small-0", "medium-0", "medium-0", "medium-0", "medium-0", "large-0",
            "large-0",
        ],
    );
}

// balanced = LeastAllocated + BalancedAllocation (weight 1 each); total =
// least + balance, where balance = ⌊(1 − |f_cpu − f_mem|/2)·100⌋ with the
// fractions after placing the pod. Only medium has cpu and memory in the
// pod's ratio (1 cpu : 1Gi), so its balance is always 100.
// pod 0: small  least (50+75)/2=62, f=(.5,.25)     balance 87 → 149
//        medium least (75+75)/2=75, f=(.25,.25)    balance 100 → 175
//        large  least (87+91)/2=89, f=(.125,.083)  balance 97 → 186 → large
// pod 1: medium 175; large least (75+83)/2=79, f=(.25,.167) balance 95 → 174
//        → medium, by one point
// pod 2: medium least (50+50)/2=50 + 100 = 150; large 174 → large
// pod 3: large least (62+75)/2=68, f=(.375,.25) balance 93 → 161 > 150 → large
// pod 4: large least (50+66)/2=58, f=(.5,.333) balance 91 → 149
//        < medium 150 (small 149) → medium
#[test]
fn balanced_prefers_even_cpu_and_memory() {
    check(
        "balanced",
        &["large-0", "medium-0", "large-0", "large-0", "medium-0"],
    );
}

// first-fit: node order; small takes 2 pods, medium 4, then large.
#[test]
fn first_fit_fills_nodes_in_order() {
    check(
        "first-fit",
        &[
            "small-0", "small-0", "medium-0", "medium-0", "medium-0", "medium-0", "large-0",
            "large-0",
        ],
    );
}

// round-robin: the next node after the last one used, skipping full ones:
// small, medium, large, small (now full), medium, large, then small is full
// so medium, then large.
#[test]
fn round_robin_cycles_and_skips_full_nodes() {
    check(
        "round-robin",
        &[
            "small-0", "medium-0", "large-0", "small-0", "medium-0", "large-0", "medium-0",
            "large-0",
        ],
    );
}

/// All pods arriving at once are placed one after another in the same cycle,
/// each decision seeing the previous binds: the same answers as one at a time.
#[test]
fn at_once_and_services_place_like_one_at_a_time() {
    let one_by_one = scenario(8, "1", "1Gi", r#"{ process = "every", interval = "1s" }"#);
    let at_once = scenario(8, "1", "1Gi", r#"{ process = "at-once", at = "0s" }"#);
    let services = Scenario::parse(
        &format!(
            r#"
name = "placement"
horizon = "1h"
{CLUSTER}
[[services]]
name = "s"
replicas = 8
cpu = "1"
memory = "1Gi"
"#
        ),
        "services.toml",
    )
    .unwrap();
    // Not balanced: for pod 5 small and large tie at 149, broken at random.
    for policy in ["spread", "binpack", "first-fit", "round-robin"] {
        let want = placements(&run(&one_by_one, policy, 7));
        assert_eq!(placements(&run(&at_once, policy, 7)), want, "{policy}");
        let s = run(&services, policy, 7);
        assert!(s.pods.iter().all(|p| p.kind == PodKind::Service));
        assert_eq!(placements(&s), want, "{policy} (services)");
    }
}

/// random: seeded. The same seed places the same way; over several seeds
/// more than one node gets the first pod, and every node gets used somewhere.
#[test]
fn random_is_seeded_and_uses_several_nodes() {
    let sc = scenario(5, "1", "1Gi", r#"{ process = "every", interval = "1s" }"#);
    let mut first_nodes = BTreeSet::new();
    let mut all_nodes = BTreeSet::new();
    let mut vectors = BTreeSet::new();
    for seed in 0..20 {
        let a = placements(&run(&sc, "random", seed));
        let b = placements(&run(&sc, "random", seed));
        assert_eq!(a, b, "random with seed {seed} is not reproducible");
        first_nodes.insert(a[0].clone());
        all_nodes.extend(a.iter().cloned());
        vectors.insert(a);
    }
    assert!(first_nodes.len() > 1, "first pod always on {first_nodes:?}");
    assert_eq!(
        all_nodes.len(),
        3,
        "random never used some node: {all_nodes:?}"
    );
    assert!(
        vectors.len() > 5,
        "only {} distinct placements over 20 seeds",
        vectors.len()
    );
}

/// A profile with `tie-break = "lowest-id"` breaks equal scores by node
/// order: on two identical nodes spread alternates, starting with the first.
/// Both nodes have 4 cpu and 8Gi: pod 0 scores (75+87)/2=81 on both → a-0;
/// pod 1: a-0 (50+75)/2=62 vs a-1 81 → a-1; pod 2: 62 on both → a-0; and so on.
#[test]
fn lowest_id_tie_break_is_deterministic() {
    let text = r#"
name = "ties"
horizon = "1h"
policies = ["spread-low"]

[[pools]]
name = "a"
count = 2
cpu = "4"
memory = "8Gi"

[[jobs]]
name = "p"
count = 6
cpu = "1"
memory = "1Gi"
arrival = { process = "every", interval = "1s" }
duration = { dist = "constant", value = "2h" }

[[profiles]]
name = "spread-low"
scorers = [{ plugin = "least-allocated" }]
tie-break = "lowest-id"
"#;
    let sc = Scenario::parse(text, "ties.toml").unwrap();
    for seed in 0..5 {
        assert_eq!(
            placements(&run(&sc, "spread-low", seed)),
            ["a-0", "a-1", "a-0", "a-1", "a-0", "a-1"]
        );
    }
    // With the default random tie-break the first pod goes to either node
    // depending on the seed.
    let mut firsts = BTreeSet::new();
    for seed in 0..20 {
        firsts.insert(placements(&run(&sc, "spread", seed))[0].clone());
    }
    assert_eq!(firsts.len(), 2, "random tie-break always chose {firsts:?}");
}

/// A pod that fits on no node stays pending, with the scheduler's reason.
#[test]
fn too_large_pod_stays_pending_with_reason() {
    for policy in [
        "spread",
        "binpack",
        "balanced",
        "first-fit",
        "random",
        "round-robin",
    ] {
        let sc = scenario(1, "16", "1Gi", r#"{ process = "at-once", at = "0s" }"#);
        let r = run_one(&sc, policy, 1).unwrap();
        assert_eq!(r.summary.pods_pending_at_end, 1, "{policy}");
        let p = &r.pods[0];
        assert_eq!(p.outcome, Outcome::Pending, "{policy}");
        assert_eq!(p.node, "", "{policy}");
        assert_eq!(p.bind, None, "{policy}");
        assert!(
            p.reason.contains("Insufficient cpu"),
            "{policy}: {:?}",
            p.reason
        );
        assert_eq!(
            p.reason, "0/3 nodes are available: 3 Insufficient cpu.",
            "{policy}"
        );
        assert_eq!(r.summary.wait_mean_s, None, "{policy}");

        // Fits on cpu (large has 8) but not on memory anywhere (at most 12Gi).
        let sc = scenario(1, "1", "20Gi", r#"{ process = "at-once", at = "0s" }"#);
        let r = run_one(&sc, policy, 1).unwrap();
        assert_eq!(r.pods[0].outcome, Outcome::Pending);
        assert_eq!(
            r.pods[0].reason, "0/3 nodes are available: 3 Insufficient memory.",
            "{policy}"
        );

        // Reasons are counted per node, first failing filter only: 3 cpu and
        // 13Gi is too much cpu for small, too much memory for medium and large.
        let sc = scenario(1, "3", "13Gi", r#"{ process = "at-once", at = "0s" }"#);
        let r = run_one(&sc, policy, 1).unwrap();
        assert_eq!(
            r.pods[0].reason, "0/3 nodes are available: 1 Insufficient cpu, 2 Insufficient memory.",
            "{policy}"
        );

        // Only large has both 3 cpu and 6Gi free: every policy must find it.
        let sc = scenario(1, "3", "6Gi", r#"{ process = "at-once", at = "0s" }"#);
        let r = run_one(&sc, policy, 1).unwrap();
        assert_eq!(r.pods[0].outcome, Outcome::Running, "{policy}");
        assert_eq!(r.pods[0].node, "large-0", "{policy}");
    }
}

/// Once the cluster is full, later pods wait and the reason says why.
#[test]
fn full_cluster_leaves_the_rest_pending() {
    // Capacity for 1-cpu pods: small 2, medium 4, large 8 = 14.
    let sc = scenario(16, "1", "1Gi", r#"{ process = "at-once", at = "0s" }"#);
    for policy in [
        "spread",
        "binpack",
        "balanced",
        "first-fit",
        "random",
        "round-robin",
    ] {
        let r = run_one(&sc, policy, 3).unwrap();
        assert_eq!(r.summary.pods_running_at_end, 14, "{policy}");
        assert_eq!(r.summary.pods_pending_at_end, 2, "{policy}");
        let per_node = |n: &str| r.pods.iter().filter(|p| p.node == n).count();
        assert_eq!(
            (
                per_node("small-0"),
                per_node("medium-0"),
                per_node("large-0")
            ),
            (2, 4, 8),
            "{policy}"
        );
        for p in r.pods.iter().filter(|p| p.outcome == Outcome::Pending) {
            assert!(
                p.reason.contains("Insufficient cpu"),
                "{policy}: {}",
                p.reason
            );
        }
    }
}
