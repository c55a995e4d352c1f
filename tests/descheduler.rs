//! The descheduler and PodDisruptionBudgets, worked out by hand on small
//! clusters (see docs/descheduler.md for the model).
//!
//! Most tests use the same start: two 5-core nodes `w-0`, `w-1`, each
//! holding two `high` (priority 100) and two `low` (priority 0) pods of
//! 1 core and 1 GiB, placed alternately by a least-allocated profile that
//! breaks ties by lowest node id (`high` 0,2 and `low` 0,2 on w-0; the odd
//! ones on w-1). Each node is at 80 % CPU. At 7m an 8-core node `big-0`
//! joins, empty. Passes run every 5 minutes (the default), so the first
//! one after the scale-out is at 10m.

use podsim::cluster::Outcome;
use podsim::engine::SimTime;
use podsim::metrics::{PodRecord, RunResult};
use podsim::scenario::Scenario;
use podsim::simulation::run_one;

const SPREAD: &str = r#"
[[profiles]]
name = "spread-lowest"
scorers = [{ plugin = "least-allocated" }]
tie-break = "lowest-id"
"#;

const PACK: &str = r#"
[[profiles]]
name = "pack"
scorers = [{ plugin = "most-allocated" }]
tie-break = "lowest-id"
"#;

const LNU: &str = r#"
[descheduler.low-node-utilization]
thresholds = { cpu = 20, memory = 20, pods = 20 }
target-thresholds = { cpu = 50, memory = 50, pods = 50 }
"#;

fn parse(text: &str) -> Scenario {
    Scenario::parse(text, "desched.toml").unwrap_or_else(|e| panic!("{e}"))
}

/// The two-node start with `big-0` added at 7m; `low_extra` goes into the
/// `low` service's table, `descheduler` after `[descheduler]`.
fn two_full_nodes(
    profile: &str,
    high_priority: i64,
    low_extra: &str,
    descheduler: &str,
) -> Scenario {
    parse(&format!(
        r#"
name = "lnu"
horizon = "20m"
{profile}

[[pools]]
name = "w"
count = 2
cpu = "5"
memory = "16Gi"

[[pools]]
name = "big"
count = 0
cpu = "8"
memory = "32Gi"

[[services]]
name = "high"
replicas = 4
cpu = "1"
memory = "1Gi"
priority = {high_priority}

[[services]]
name = "low"
replicas = 4
cpu = "1"
memory = "1Gi"
{low_extra}

[[events]]
at = "7m"
action = "add-nodes"
pool = "big"
count = 1

{descheduler}
"#,
        descheduler = if descheduler.is_empty() {
            String::new()
        } else {
            format!("[descheduler]\n{descheduler}")
        }
    ))
}

fn secs(s: u64) -> SimTime {
    SimTime::from_secs(s)
}

/// The pods the descheduler evicted, as (owner, task, node), in eviction order.
fn evicted(r: &RunResult) -> Vec<(String, u32, String)> {
    r.pods
        .iter()
        .filter(|p| p.outcome == Outcome::Evicted)
        .map(|p| (p.owner.clone(), p.task, p.node.clone()))
        .collect()
}

fn triple(owner: &str, task: u32, node: &str) -> (String, u32, String) {
    (owner.to_string(), task, node.to_string())
}

/// The `descheduler-run` lines, as (seconds, detail).
fn runs(r: &RunResult) -> Vec<(u64, String)> {
    r.log
        .iter()
        .filter(|e| e.kind == "descheduler-run")
        .map(|e| (e.t.as_secs_f64() as u64, e.detail.clone()))
        .collect()
}

fn running_on<'a>(r: &'a RunResult, node: &str) -> Vec<&'a PodRecord> {
    r.pods
        .iter()
        .filter(|p| p.outcome == Outcome::Running && p.node == node)
        .collect()
}

#[test]
fn the_start_is_as_described() {
    // Without a descheduler nothing moves: big-0 stays empty.
    let sc = two_full_nodes(SPREAD, 100, "", "");
    let r = run_one(&sc, "spread-lowest", 1).unwrap();
    let on = |n: &str| {
        let mut v: Vec<(String, u32)> = running_on(&r, n)
            .iter()
            .map(|p| (p.owner.clone(), p.task))
            .collect();
        v.sort();
        v
    };
    let s = |o: &str, t: u32| (o.to_string(), t);
    assert_eq!(
        on("w-0"),
        [s("high", 0), s("high", 2), s("low", 0), s("low", 2)]
    );
    assert_eq!(
        on("w-1"),
        [s("high", 1), s("high", 3), s("low", 1), s("low", 3)]
    );
    assert!(on("big-0").is_empty());
    assert_eq!(r.summary.descheduler_evictions, 0);
    assert_eq!(r.summary.migrations, 0);
    assert!(runs(&r).is_empty());
}

/// LowNodeUtilization, by hand: big-0 is underused (0 % ≤ 20 % on cpu,
/// memory and pods); w-0 and w-1 are overused (cpu 80 % > 50 %). The room on
/// big-0 is 50 % of its allocatable less its usage: 4000m, 16 GiB, 55 pods.
/// w-0 (first of the two equally full nodes) gives its lowest-priority pods:
/// low 0 (w-0 at 3000m, still above its 2500m target), low 2 (2000m: at
/// target, stop). The room is now 2000m; w-1 gives low 1 and low 3 the same
/// way, and the room is spent. Four evictions, all `low`.
#[test]
fn low_node_utilization_evicts_lowest_priority_until_the_targets_are_met() {
    let sc = two_full_nodes(SPREAD, 100, "", LNU);
    let r = run_one(&sc, "spread-lowest", 1).unwrap();
    assert_eq!(
        evicted(&r),
        [
            triple("low", 0, "w-0"),
            triple("low", 2, "w-0"),
            triple("low", 1, "w-1"),
            triple("low", 3, "w-1"),
        ]
    );
    for p in r.pods.iter().filter(|p| p.outcome == Outcome::Evicted) {
        assert_eq!(
            p.end,
            Some(SimTime::from_mins(10)),
            "evicted at the 10m pass"
        );
    }
    assert_eq!(
        runs(&r),
        [
            (300, "evicted 0: LowNodeUtilization 0".to_string()),
            (
                600,
                "evicted 4: LowNodeUtilization 4 (w-0 2, w-1 2)".to_string()
            ),
            // w-0 and w-1 are at 40 % now, big-0 at 50 %: nobody is underused.
            (900, "evicted 0: LowNodeUtilization 0".to_string()),
            (1200, "evicted 0: LowNodeUtilization 0".to_string()),
        ]
    );
    // The replacements are created and bound at once, on the new node.
    let replacements: Vec<&PodRecord> = r
        .pods
        .iter()
        .filter(|p| p.owner == "low" && p.submit == SimTime::from_mins(10))
        .collect();
    assert_eq!(replacements.len(), 4);
    for p in &replacements {
        assert_eq!(p.bind, Some(SimTime::from_mins(10)));
        assert_eq!(p.node, "big-0", "spread scoring prefers the empty node");
        assert_eq!(p.outcome, Outcome::Running);
    }
    assert_eq!(running_on(&r, "w-0").len(), 2);
    assert_eq!(running_on(&r, "w-1").len(), 2);
    assert_eq!(running_on(&r, "big-0").len(), 4);
    assert_eq!(r.summary.descheduler_evictions, 4);
    assert_eq!(r.summary.migrations, 4);
    // Descheduler evictions are evictions too.
    assert_eq!(r.summary.evictions, 4);
    assert_eq!(r.summary.pods_evicted, 4);
    assert_eq!(r.summary.availability_pct, Some(100.0));
}

/// Under a bin-packing profile the replacements go back to an old node.
/// most-allocated packs the start differently: w-0 takes high 0–3 and
/// low 0 (5000m, 100 %), w-1 low 1–3 (60 %). At 10m w-0 gives low 0, high 0
/// and high 1 (down to its 2500m target) and w-1 gives low 1; the room on
/// big-0 (4000m) is spent. The replacements, high ones first, prefer the
/// fullest node that fits: w-1 (2000m free while the evicted pods
/// terminate) takes the two high ones, big-0 the two low ones.
#[test]
fn under_bin_packing_replacements_go_back_to_the_full_nodes() {
    let sc = two_full_nodes(PACK, 100, "", LNU);
    let r = run_one(&sc, "pack", 1).unwrap();
    let at_10m: Vec<String> = r
        .pods
        .iter()
        .filter(|p| p.submit == SimTime::from_mins(10))
        .map(|p| p.node.clone())
        .collect();
    let mut sorted = at_10m.clone();
    sorted.sort();
    assert_eq!(sorted, ["big-0", "big-0", "w-1", "w-1"], "{at_10m:?}");
}

#[test]
fn the_per_node_limit_holds() {
    // One eviction per node per pass: low 0 from w-0, low 1 from w-1. At 15m
    // big-0 holds 2000m of 8000m (25 % > 20 %): no longer underused.
    let d = format!("max-pods-to-evict-per-node = 1\n{LNU}");
    let r = run_one(&two_full_nodes(SPREAD, 100, "", &d), "spread-lowest", 1).unwrap();
    assert_eq!(
        evicted(&r),
        [triple("low", 0, "w-0"), triple("low", 1, "w-1")]
    );
    assert_eq!(
        runs(&r)[1],
        (
            600,
            "evicted 2: LowNodeUtilization 2 (w-0 1, w-1 1); 2 held back by eviction limits"
                .to_string()
        )
    );
}

#[test]
fn the_per_pass_limit_holds() {
    // Three per pass: low 0 and low 2 from w-0, then low 1 from w-1; the
    // fourth ask is refused and ends the pass.
    let d = format!("max-pods-to-evict-total = 3\n{LNU}");
    let r = run_one(&two_full_nodes(SPREAD, 100, "", &d), "spread-lowest", 1).unwrap();
    assert_eq!(
        evicted(&r),
        [
            triple("low", 0, "w-0"),
            triple("low", 2, "w-0"),
            triple("low", 1, "w-1"),
        ]
    );
    assert_eq!(r.summary.descheduler_evictions, 3);
    // At 15m big-0 holds 3000m (37.5 %): not underused, nothing more.
    assert_eq!(runs(&r)[2].1, "evicted 0: LowNodeUtilization 0");
}

/// A budget of min-available 3 on `low` (4 running) allows one eviction at a
/// time. `high` is system-critical (priority 2000000000) and never evicted.
/// 10m: low 0 goes (4 → 3 healthy); low 2, low 1 and low 3 are refused. Its
/// replacement runs on big-0 at once, so at 15m the budget allows one more:
/// w-1 (80 %) now comes before w-0 (60 %), and gives low 1; w-0's low 2 is
/// refused again, and w-1's low 3. At 20m big-0 is at 25 %, no longer
/// underused: nothing.
#[test]
fn a_budget_of_min_available_n_stops_evictions_at_n() {
    for min in ["3", "\"75%\""] {
        let sc = two_full_nodes(
            SPREAD,
            2_000_000_000,
            &format!("min-available = {min}"),
            LNU,
        );
        let r = run_one(&sc, "spread-lowest", 1).unwrap();
        assert_eq!(
            evicted(&r),
            [triple("low", 0, "w-0"), triple("low", 1, "w-1")],
            "min-available = {min}"
        );
        assert_eq!(
            runs(&r)[1..],
            [
                (
                    600,
                    "evicted 1: LowNodeUtilization 1 (w-0 1); 3 refused by PodDisruptionBudgets"
                        .to_string()
                ),
                (
                    900,
                    "evicted 1: LowNodeUtilization 1 (w-1 1); 2 refused by PodDisruptionBudgets"
                        .to_string()
                ),
                (1200, "evicted 0: LowNodeUtilization 0".to_string()),
            ]
        );
        // Availability never dipped: each replacement runs at the instant
        // its pod is evicted (startup 0), and the budget kept 3 running.
        assert_eq!(r.summary.availability_pct, Some(100.0));
        assert_eq!(r.summary.migrations, 2);
    }
}

#[test]
fn a_percentage_budget_rounds_up() {
    // 50 % of 4 desired = 2: two evictions at 10m (low 0, low 2), then the
    // budget refuses low 1 and low 3.
    let sc = two_full_nodes(SPREAD, 2_000_000_000, "min-available = \"50%\"", LNU);
    let r = run_one(&sc, "spread-lowest", 1).unwrap();
    let first: Vec<_> = evicted(&r)
        .into_iter()
        .zip(r.pods.iter().filter(|p| p.outcome == Outcome::Evicted))
        .filter(|(_, p)| p.end == Some(SimTime::from_mins(10)))
        .map(|(e, _)| e)
        .collect();
    assert_eq!(first, [triple("low", 0, "w-0"), triple("low", 2, "w-0")]);
    assert_eq!(
        runs(&r)[1].1,
        "evicted 2: LowNodeUtilization 2 (w-0 2); 2 refused by PodDisruptionBudgets"
    );
}

#[test]
fn a_refused_eviction_moves_on_to_the_next_pod() {
    // Upstream keeps going after a refusal: with `high` evictable (priority
    // 100), w-0 loses low 0, is refused low 2, then gives high 0; w-1 is
    // refused both low pods and gives high 1 and high 3.
    let sc = two_full_nodes(SPREAD, 100, "min-available = 3", LNU);
    let r = run_one(&sc, "spread-lowest", 1).unwrap();
    let first: Vec<_> = evicted(&r)
        .into_iter()
        .zip(r.pods.iter().filter(|p| p.outcome == Outcome::Evicted))
        .filter(|(_, p)| p.end == Some(SimTime::from_mins(10)))
        .map(|(e, _)| e)
        .collect();
    assert_eq!(
        first,
        [
            triple("low", 0, "w-0"),
            triple("high", 0, "w-0"),
            triple("high", 1, "w-1"),
            triple("high", 3, "w-1"),
        ]
    );
}

/// Three 4-core nodes in one zone; `web` (3 × 500m) starts on w-0 alone,
/// w-1 and w-2 join at 2m. RemoveDuplicates at 5m: 3 pods, 3 target nodes,
/// so each node may keep ceil(3/3) = 1; w-0 keeps its first pod (web 0) and
/// gives web 1 and web 2. Spread scoring sends the replacements to w-1,
/// then w-2.
#[test]
fn remove_duplicates_evicts_the_duplicates_on_a_node() {
    let sc = parse(&format!(
        r#"
name = "dup"
horizon = "12m"
{SPREAD}
[[pools]]
name = "w"
count = 1
cpu = "4"
memory = "8Gi"

[[services]]
name = "web"
replicas = 3
cpu = "500m"
memory = "512Mi"

[[events]]
at = "2m"
action = "add-nodes"
pool = "w"
count = 2

[descheduler]
[descheduler.remove-duplicates]
"#
    ));
    let r = run_one(&sc, "spread-lowest", 1).unwrap();
    assert_eq!(
        evicted(&r),
        [triple("web", 1, "w-0"), triple("web", 2, "w-0")]
    );
    assert_eq!(
        runs(&r),
        [
            (300, "evicted 2: RemoveDuplicates 2 (w-0 2)".to_string()),
            (600, "evicted 0: RemoveDuplicates 0".to_string()),
        ]
    );
    for n in ["w-0", "w-1", "w-2"] {
        assert_eq!(running_on(&r, n).len(), 1, "one web pod on {n}");
    }
    assert_eq!(r.summary.migrations, 2);
}

#[test]
fn remove_duplicates_skips_excluded_owner_kinds_and_single_targets() {
    // The same, with ReplicaSets excluded: nothing is a duplicate.
    let base = |extra: &str, count: u32| {
        parse(&format!(
            r#"
name = "dup"
horizon = "12m"
{SPREAD}
[[pools]]
name = "w"
count = 1
cpu = "4"
memory = "8Gi"

[[services]]
name = "web"
replicas = 3
cpu = "500m"
memory = "512Mi"

[[events]]
at = "2m"
action = "add-nodes"
pool = "w"
count = {count}

[descheduler]
[descheduler.remove-duplicates]
{extra}
"#
        ))
    };
    let r = run_one(
        &base("exclude-owner-kinds = [\"ReplicaSet\"]", 2),
        "spread-lowest",
        1,
    )
    .unwrap();
    assert_eq!(r.summary.descheduler_evictions, 0);
    // Jobs only: the service's duplicates still go.
    let r = run_one(
        &base("exclude-owner-kinds = [\"Job\"]", 2),
        "spread-lowest",
        1,
    )
    .unwrap();
    assert_eq!(r.summary.descheduler_evictions, 2);
    // Two target nodes: each keeps ceil(3/2) = 2, so w-0 gives one pod.
    let r = run_one(&base("", 1), "spread-lowest", 1).unwrap();
    assert_eq!(evicted(&r), [triple("web", 2, "w-0")]);
}

/// HighNodeUtilization with a bin-packing profile. `a` (8 × 500m) fills
/// w-0; `b` (6 × 500m) and `c` (2 × 500m) fill w-1; `d` (1 × 500m) finds
/// only w-2. At 1m `c` scales to 0, leaving w-1 at 75 %. At 5m w-2 (12.5 %
/// CPU ≤ 20 %) is underused; w-0 and w-1 are destinations with 0 + 1000m of
/// room: d's pod is evicted, and most-allocated sends its replacement to
/// w-1, the fullest node that fits. w-2 ends empty.
#[test]
fn high_node_utilization_empties_the_least_used_node() {
    let sc = parse(&format!(
        r#"
name = "hnu"
horizon = "12m"
{PACK}
[[pools]]
name = "w"
count = 3
cpu = "4"
memory = "16Gi"

[[services]]
name = "a"
replicas = 8
cpu = "500m"
memory = "256Mi"

[[services]]
name = "b"
replicas = 6
cpu = "500m"
memory = "256Mi"

[[services]]
name = "c"
replicas = 2
cpu = "500m"
memory = "256Mi"

[[services]]
name = "d"
replicas = 1
cpu = "500m"
memory = "256Mi"

[[events]]
at = "1m"
action = "scale-service"
service = "c"
replicas = 0

[descheduler]
[descheduler.high-node-utilization]
thresholds = {{ cpu = 20 }}
"#
    ));
    let r = run_one(&sc, "pack", 1).unwrap();
    assert_eq!(evicted(&r), [triple("d", 0, "w-2")]);
    assert_eq!(
        runs(&r)[0],
        (300, "evicted 1: HighNodeUtilization 1 (w-2 1)".to_string())
    );
    let d: Vec<&PodRecord> = r.pods.iter().filter(|p| p.owner == "d").collect();
    assert_eq!(d.len(), 2);
    assert_eq!(d[1].node, "w-1");
    let w2 = r.nodes.iter().find(|n| n.node == "w-2").unwrap();
    assert_eq!(w2.pods_at_end, 0, "w-2 emptied");
    assert_eq!(running_on(&r, "w-0").len(), 8);
    assert_eq!(running_on(&r, "w-1").len(), 7);
    // Later passes: w-2 is empty and underused, but it has no pods to give.
    assert_eq!(runs(&r)[1].1, "evicted 0: HighNodeUtilization 0");
}

/// Six `web` pods (max-skew 1) start on w-0 in zone a; w-1 (zone b) and
/// w-2 (zone c) join at 2m. At 5m the zones hold a 6, b 0, c 0 (mean 2):
/// upstream's balanceDomains moves 2 from a to b, then 2 from a to c — four
/// evictions, the newest pods first (web 4 and 5, then web 2 and 3, each
/// move taking the tail of the zone's list). Spread scoring places the
/// replacements on w-1 and w-2, two each: 2/2/2.
#[test]
fn topology_spread_repair_evicts_the_fewest_pods_that_restore_max_skew() {
    let sc = parse(&format!(
        r#"
name = "tsc"
horizon = "12m"
{SPREAD}
[[pools]]
name = "w"
count = 1
cpu = "4"
memory = "8Gi"
zones = ["a", "b", "c"]

[[services]]
name = "web"
replicas = 6
cpu = "500m"
memory = "512Mi"
max-skew = 1

[[events]]
at = "2m"
action = "add-nodes"
pool = "w"
count = 2

[descheduler]
[descheduler.remove-pods-violating-topology-spread-constraint]
"#
    ));
    let r = run_one(&sc, "spread-lowest", 1).unwrap();
    assert_eq!(
        evicted(&r),
        [
            triple("web", 4, "w-0"),
            triple("web", 5, "w-0"),
            triple("web", 2, "w-0"),
            triple("web", 3, "w-0"),
        ]
    );
    assert_eq!(
        runs(&r)[0],
        (
            300,
            "evicted 4: RemovePodsViolatingTopologySpreadConstraint 4 (w-0 4)".to_string()
        )
    );
    for n in ["w-0", "w-1", "w-2"] {
        assert_eq!(running_on(&r, n).len(), 2, "two web pods on {n}");
    }
    assert_eq!(
        runs(&r)[1].1,
        "evicted 0: RemovePodsViolatingTopologySpreadConstraint 0"
    );
}

#[test]
fn a_one_node_cluster_is_left_alone() {
    let sc = parse(
        r#"
name = "one"
horizon = "6m"
[[pools]]
name = "w"
count = 1
cpu = "4"
memory = "8Gi"

[[services]]
name = "web"
replicas = 3
cpu = "500m"
memory = "512Mi"

[descheduler]
interval = "2m"
[descheduler.remove-duplicates]
"#,
    );
    let r = run_one(&sc, "balanced", 1).unwrap();
    let skipped = "skipped: 0 or 1 Ready nodes: evicting would only disrupt";
    assert_eq!(
        runs(&r),
        [
            (120, skipped.to_string()),
            (240, skipped.to_string()),
            (360, skipped.to_string()),
        ]
    );
}

/// A drain waits for the budget, as `kubectl drain` does. `web` (3 replicas,
/// min-available 2, startup 20s) sits on w-0 (first-fit). Draining w-0 at
/// 10m evicts web 0 (3 → 2 running) and holds back web 1 and web 2. The
/// replacement, bound to w-1 at 10m, runs at 10m20s; the retries at 10m05s,
/// 10m10s and 10m15s are refused, the one at 10m20s evicts web 1. Its
/// replacement runs at 10m40s, when web 2 goes.
#[test]
fn a_drain_waits_for_the_disruption_budget() {
    let sc = parse(
        r#"
name = "drain"
horizon = "15m"
policies = ["first-fit"]
[[pools]]
name = "w"
count = 3
cpu = "4"
memory = "8Gi"

[[services]]
name = "web"
replicas = 3
cpu = "500m"
memory = "512Mi"
startup = "20s"
min-available = 2

[[events]]
at = "10m"
action = "drain-node"
node = "w-0"
"#,
    );
    let r = run_one(&sc, "first-fit", 1).unwrap();
    let ends: Vec<(u32, SimTime)> = r
        .pods
        .iter()
        .filter(|p| p.outcome == Outcome::Evicted)
        .map(|p| (p.task, p.end.unwrap()))
        .collect();
    assert_eq!(ends, [(0, secs(600)), (1, secs(620)), (2, secs(640)),]);
    let lines: Vec<(u64, &str, &str)> = r
        .log
        .iter()
        .filter(|e| e.subject == "w-0")
        .map(|e| (e.t.as_secs_f64() as u64, e.kind, e.detail.as_str()))
        .collect();
    assert_eq!(
        lines,
        [
            (
                600,
                "node-drained",
                "cordoned; 1 pods evicted gracefully and recreated elsewhere; 2 held back by PodDisruptionBudgets, retried every 5s"
            ),
            (
                620,
                "drain-evicted",
                "1 pods evicted once their PodDisruptionBudgets allowed; 1 held back by PodDisruptionBudgets, retried every 5s"
            ),
            (
                640,
                "drain-evicted",
                "1 pods evicted once their PodDisruptionBudgets allowed"
            ),
        ]
    );
    // Two replicas ran throughout the drain: availability lost the third
    // for 20 s at each of the three moves, besides the three replicas'
    // first 20 s of startup at 0.
    let a = r.summary.availability_pct.unwrap();
    let expected = 100.0 - 6.0 * 20.0 * 100.0 / (3.0 * 900.0);
    assert!((a - expected).abs() < 1e-9, "{a} vs {expected}");
    // A drain is not the descheduler.
    assert_eq!(r.summary.descheduler_evictions, 0);
    assert_eq!(r.summary.migrations, 0);
    assert_eq!(r.summary.evictions, 3);
}

#[test]
fn a_drain_without_budgets_evicts_everything_at_once() {
    let sc = parse(
        r#"
name = "drain"
horizon = "15m"
policies = ["first-fit"]
[[pools]]
name = "w"
count = 3
cpu = "4"
memory = "8Gi"

[[services]]
name = "web"
replicas = 3
cpu = "500m"
memory = "512Mi"
startup = "20s"

[[events]]
at = "10m"
action = "drain-node"
node = "w-0"
"#,
    );
    let r = run_one(&sc, "first-fit", 1).unwrap();
    assert!(r
        .pods
        .iter()
        .filter(|p| p.outcome == Outcome::Evicted)
        .all(|p| p.end == Some(secs(600))));
    assert!(r.log.iter().all(|e| e.kind != "drain-evicted"));
}

#[test]
fn same_seed_same_outputs() {
    let sc = two_full_nodes(
        "policies = [\"spread\"]",
        100,
        "min-available = \"50%\"",
        &format!("max-pods-to-evict-total = 3\n{LNU}\n[descheduler.remove-duplicates]"),
    );
    let a = run_one(&sc, "spread", 9).unwrap();
    let b = run_one(&sc, "spread", 9).unwrap();
    assert_eq!(a.summary, b.summary);
    assert_eq!(a.log, b.log);
    assert_eq!(a.pods, b.pods);
}
