//! Placement constraints worked out by hand on small clusters: topology
//! spread (kube-scheduler's PodTopologySpread) and pod anti-affinity between
//! the replicas of a service (InterPodAffinity), and the scheduling queue not
//! stranding pods whose constraints a later bind or removal satisfies.
//!
//! Skew, as upstream: for a domain (zone or node), the owner's pods there
//! (bound, not terminating) + 1 for the incoming pod − the smallest count
//! over eligible domains; a hard (`DoNotSchedule`) constraint filters out
//! nodes whose domain would exceed `max-skew`.

use podsim::metrics::{PodRecord, RunResult};
use podsim::scenario::Scenario;
use podsim::simulation::run_one;

fn scenario(body: &str) -> Scenario {
    let text = format!("name = \"c\"\nhorizon = \"1h\"\nsample-every = \"1m\"\n{body}");
    Scenario::parse(&text, "c.toml").unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// Pods in creation order.
fn pods(r: &RunResult) -> Vec<&PodRecord> {
    let mut v: Vec<&PodRecord> = r.pods.iter().collect();
    v.sort_by_key(|p| p.pod);
    v
}

/// The node of each pod in creation order ("" if never bound).
fn nodes(r: &RunResult) -> Vec<&str> {
    pods(r).iter().map(|p| p.node.as_str()).collect()
}

/// Three zones, one node each, in node-id order a-0, b-0, c-0; zone c's
/// node has room for one 1-cpu pod only.
const THREE_ZONES: &str = r#"
[[pools]]
name = "a"
count = 1
cpu = "4"
memory = "8Gi"
zones = ["a"]

[[pools]]
name = "b"
count = 1
cpu = "4"
memory = "8Gi"
zones = ["b"]

[[pools]]
name = "c"
count = 1
cpu = "1"
memory = "8Gi"
zones = ["c"]
"#;

fn web(replicas: u32, extra: &str) -> String {
    format!(
        "[[services]]\nname = \"web\"\nreplicas = {replicas}\ncpu = \"1\"\nmemory = \"1Gi\"\n{extra}\n"
    )
}

const HARD_ZONE: &str = r#"topology-spread = [{ max-skew = 1, topology-key = "zone", when-unsatisfiable = "DoNotSchedule" }]"#;
const SOFT_ZONE: &str = r#"topology-spread = [{ max-skew = 1, topology-key = "zone", when-unsatisfiable = "ScheduleAnyway" }]"#;

// Seven 1-cpu replicas, maxSkew 1 over zones a, b, c, first-fit (the
// lowest-numbered node that passes the filters). Counts (a, b, c) before
// each pod, and the skew on a-0, b-0, c-0:
// pod 0: (0,0,0) min 0: a 1 ✓                      → a-0
// pod 1: (1,0,0) min 0: a 2 ✗, b 1 ✓              → b-0
// pod 2: (1,1,0) min 0: a 2 ✗, b 2 ✗, c 1 ✓       → c-0 (now full)
// pod 3: (1,1,1) min 1: a 1 ✓                      → a-0
// pod 4: (2,1,1) min 1: a 2 ✗, b 1 ✓              → b-0
// pod 5: (2,2,1) min 1: a 2 ✗, b 2 ✗, c no cpu     → pending
// pod 6: the same group, set aside with pod 5      → pending
#[test]
fn hard_zone_spread_with_max_skew_1_over_three_zones() {
    let sc = scenario(&format!(
        "policies = [\"first-fit\"]\n{THREE_ZONES}{}",
        web(7, HARD_ZONE)
    ));
    let r = run_one(&sc, "first-fit", 1).unwrap();
    assert_eq!(
        nodes(&r),
        ["a-0", "b-0", "c-0", "a-0", "b-0", "", ""],
        "{:?}",
        r.pods
    );
    for p in &pods(&r)[5..] {
        assert_eq!(
            p.reason,
            "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match pod topology spread constraints."
        );
    }
    assert_eq!(r.summary.pods_pending_at_end, 2);
    // Running replicas per zone at the end: a 2, b 2, c 1, so the skew is 1.
    assert_eq!(r.spread[0].running_by_zone, "a=2 b=2 c=1");
    assert_eq!(r.summary.zone_skew_max, 1);
    // Every sample, from t = 0 (all bound at once, no startup), sees 1.
    assert_eq!(r.summary.zone_skew_mean, Some(1.0));
    assert!(r.samples.iter().all(|s| s.zone_skew == 1.0));
    assert_eq!(
        (r.spread[0].samples, r.spread[0].zone_skew_mean),
        (61, Some(1.0))
    );
    // Without the constraint, first-fit packs a-0 and then b-0.
    let sc = scenario(&format!(
        "policies = [\"first-fit\"]\n{THREE_ZONES}{}",
        web(7, "")
    ));
    let r = run_one(&sc, "first-fit", 1).unwrap();
    assert_eq!(nodes(&r), ["a-0", "a-0", "a-0", "a-0", "b-0", "b-0", "b-0"]);
}

// The same replicas with ScheduleAnyway under a profile that scores only
// spread (PodTopologySpread's score, kube-scheduler's formulas) and breaks
// ties by the lowest node id. Raw score = round(count in the node's zone ×
// ln(zones among feasible nodes + 2)); normalized 100 × (max + min − s) / max
// (all 100 when max is 0). Counts (a, b, c):
// pod 0: (0,0,0), 3 zones: all 0 → all 100, tie             → a-0
// pod 1: (1,0,0), w = ln 5 = 1.61: a 2, b 0, c 0 → b, c 100 → b-0
// pod 2: (1,1,0): a 2, b 2, c 0 → c 100                    → c-0 (now full)
// pod 3: (1,1,1), feasible a-0, b-0, w = ln 4 = 1.39: 1, 1 → a-0
// pod 4: (2,1,1): a round(2.77) = 3, b 1 → a 33, b 100     → b-0
// pod 5: (2,2,1): 3, 3                                      → a-0
// pod 6: (3,2,1): a round(4.16) = 4, b 3 → a 75, b 100      → b-0
// Every pod runs: a soft constraint never leaves a pod pending.
#[test]
fn soft_zone_spread_scores_like_kube_scheduler() {
    let sc = scenario(&format!(
        r#"policies = ["spread-only"]
[[profiles]]
name = "spread-only"
scorers = [{{ plugin = "pod-topology-spread" }}]
tie-break = "lowest-id"
{THREE_ZONES}{}"#,
        web(7, SOFT_ZONE)
    ));
    let r = run_one(&sc, "spread-only", 1).unwrap();
    assert_eq!(nodes(&r), ["a-0", "b-0", "c-0", "a-0", "b-0", "a-0", "b-0"]);
    assert_eq!(r.summary.pods_pending_at_end, 0);
}

// Spread over nodes with min-domains: three nodes, maxSkew 1 over
// kubernetes.io/hostname, min-domains 4. With fewer eligible domains (3)
// than min-domains the global minimum counts as 0, so no node may take a
// second replica: three run, the fourth waits.
#[test]
fn node_spread_with_min_domains_caps_each_node_at_max_skew() {
    let pool = "[[pools]]\nname = \"w\"\ncount = 3\ncpu = \"4\"\nmemory = \"8Gi\"\n";
    let sc = scenario(&format!(
        "policies = [\"binpack\"]\n{pool}{}",
        web(
            4,
            r#"topology-spread = [{ max-skew = 1, topology-key = "kubernetes.io/hostname", when-unsatisfiable = "DoNotSchedule", min-domains = 4 }]"#
        )
    ));
    let r = run_one(&sc, "binpack", 3).unwrap();
    let mut placed: Vec<&str> = nodes(&r).into_iter().filter(|n| !n.is_empty()).collect();
    placed.sort();
    assert_eq!(placed, ["w-0", "w-1", "w-2"]);
    assert_eq!(r.summary.pods_pending_at_end, 1);
    // Without min-domains the minimum is 1 once each node has one: the
    // fourth replica fits.
    let sc = scenario(&format!(
        "policies = [\"binpack\"]\n{pool}{}",
        web(
            4,
            r#"topology-spread = [{ max-skew = 1, topology-key = "node", when-unsatisfiable = "DoNotSchedule" }]"#
        )
    ));
    assert_eq!(
        run_one(&sc, "binpack", 3)
            .unwrap()
            .summary
            .pods_pending_at_end,
        0
    );
}

// Required anti-affinity per node: at most one replica per node. Four
// replicas, three nodes, binpack (which would otherwise stack them): three
// run on three nodes, the fourth is pending with the scheduler's reason.
#[test]
fn hard_anti_affinity_leaves_a_replica_pending_with_fewer_nodes_than_replicas() {
    let pool = "[[pools]]\nname = \"w\"\ncount = 3\ncpu = \"4\"\nmemory = \"8Gi\"\n";
    let sc = scenario(&format!(
        "policies = [\"binpack\"]\n{pool}{}",
        web(
            4,
            r#"anti-affinity = [{ topology-key = "node", type = "required" }]"#
        )
    ));
    for seed in [1, 2, 3] {
        let r = run_one(&sc, "binpack", seed).unwrap();
        let mut placed: Vec<&str> = nodes(&r).into_iter().filter(|n| !n.is_empty()).collect();
        placed.sort();
        assert_eq!(placed, ["w-0", "w-1", "w-2"], "seed {seed}");
        let pending: Vec<_> = r.pods.iter().filter(|p| p.node.is_empty()).collect();
        assert_eq!(pending.len(), 1);
        assert_eq!(
            pending[0].reason,
            "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules."
        );
    }
    // Per zone: two zones, so two replicas run.
    let pool = "[[pools]]\nname = \"w\"\ncount = 4\ncpu = \"4\"\nmemory = \"8Gi\"\nzones = [\"a\", \"b\"]\n";
    let sc = scenario(&format!(
        "policies = [\"binpack\"]\n{pool}{}",
        web(
            3,
            r#"anti-affinity = [{ topology-key = "zone", type = "required" }]"#
        )
    ));
    let r = run_one(&sc, "binpack", 1).unwrap();
    assert_eq!(r.summary.pods_running_at_end, 2);
    assert_eq!(r.summary.pods_pending_at_end, 1);
}

// Preferred anti-affinity under binpack (most-allocated ×1 + taint ×3 +
// pod-topology-spread ×2 + inter-pod-affinity ×2). Three 4-cpu 8Gi nodes,
// three replicas of 1 cpu 1Gi. For the second replica, the node holding
// the first scores most-allocated (50 + 25) / 2 = 37 against 18 for an
// empty node (+19), but inter-pod-affinity normalizes to 0 there and 100
// on the empty nodes (×2: +200 for them): the replica goes to an empty
// node, and so does the third. Without the term binpack stacks all three.
#[test]
fn soft_anti_affinity_prefers_nodes_without_a_replica() {
    let pool = "[[pools]]\nname = \"w\"\ncount = 3\ncpu = \"4\"\nmemory = \"8Gi\"\n";
    let sc = scenario(&format!(
        "policies = [\"binpack\"]\n{pool}{}",
        web(
            3,
            r#"anti-affinity = [{ topology-key = "node", type = "preferred", weight = 100 }]"#
        )
    ));
    for seed in [1, 2, 3, 4, 5] {
        let r = run_one(&sc, "binpack", seed).unwrap();
        let mut placed = nodes(&r);
        placed.sort();
        assert_eq!(placed, ["w-0", "w-1", "w-2"], "seed {seed}");
    }
    let sc = scenario(&format!("policies = [\"binpack\"]\n{pool}{}", web(3, "")));
    for seed in [1, 2, 3, 4, 5] {
        let r = run_one(&sc, "binpack", seed).unwrap();
        let n = nodes(&r);
        assert!(n.iter().all(|x| *x == n[0]), "seed {seed}: {n:?}");
    }
}

// The queue sets a whole spec group aside when its head fits nowhere, until
// capacity grows. A required anti-affinity (or spread) filter can start to
// pass without any capacity growing: here a replica's eviction from a dead
// node frees its zone.
//
// Zones a, b, c; nodes a-0, b-0, c-0, c-1; one replica per zone (required
// anti-affinity on zone), first-fit. At 0: web-0 a-0, web-1 b-0, web-2 c-0.
// At 5m the service scales to 4: web-3 fits nowhere (every zone has a
// replica) and its group is set aside. At 10m c-0 dies; NotReady at 10m50s;
// at 15m50s web-2 is evicted and the ReplicaSet creates web-4. Zone c is
// free again and c-1 is Ready, but no capacity grew (a failed node's pods
// leaving frees nothing the scheduler could use). web-3 must bind to c-1 at
// 15m50s; web-4 waits (all three zones hold a replica).
#[test]
fn a_pod_waiting_on_anti_affinity_is_not_stranded_when_its_zone_frees() {
    let sc = scenario(
        r#"policies = ["first-fit"]
[[pools]]
name = "a"
count = 1
cpu = "4"
memory = "8Gi"
zones = ["a"]
[[pools]]
name = "b"
count = 1
cpu = "4"
memory = "8Gi"
zones = ["b"]
[[pools]]
name = "c"
count = 2
cpu = "4"
memory = "8Gi"
zones = ["c"]
[[services]]
name = "web"
replicas = 3
cpu = "1"
memory = "1Gi"
anti-affinity = [{ topology-key = "zone", type = "required" }]
[[events]]
at = "5m"
action = "scale-service"
service = "web"
replicas = 4
[[events]]
at = "10m"
action = "fail-node"
node = "c-0"
"#,
    );
    let r = run_one(&sc, "first-fit", 1).unwrap();
    let p = pods(&r);
    assert_eq!(p.len(), 5);
    assert_eq!(nodes(&r), ["a-0", "b-0", "c-0", "c-1", ""], "{:?}", r.pods);
    let web3 = p[3];
    assert_eq!(web3.submit.as_secs_f64(), 300.0);
    assert_eq!(web3.bind.unwrap().as_secs_f64(), 950.0);
    assert_eq!(p[4].submit.as_secs_f64(), 950.0);
    assert_eq!(
        p[4].reason,
        "0/4 nodes are available: 3 node(s) didn't match pod anti-affinity rules, 1 node(s) were not ready."
    );
}

// The same for topology spread: a bind raises the minimum over domains, so
// a pod of the same owner in another spec group (a job's other size) that
// failed the spread filter may fit right after, in the same cycle.
//
// Zones a, b, c: a-0 and b-0 have 4 cpu, c-0 has 1. A job's four tasks
// arrive at once, hard zone spread maxSkew 1, first-fit, sizes 500m and
// 1500m (two spec groups of one owner). With the sizes this seed draws
// (checked below: 500m, 500m, 1500m, 500m):
// task 0 (500m):  → a-0; task 1 (500m): a ✗ → b-0;
// task 2 (1500m): counts (1,1,0) min 0: a ✗, b ✗, c too small → its group
//                 fails;
// task 3 (500m):  → c-0, and now the minimum is 1;
// task 2 must then be retried at once and go to a-0 (1 + 1 − 1 = 1).
#[test]
fn a_spread_constrained_pod_is_retried_when_a_sibling_raises_the_minimum() {
    let sc = scenario(&format!(
        r#"policies = ["first-fit"]
seed = 8
{THREE_ZONES}
[[jobs]]
name = "j"
count = 4
sizes = [{{ cpu = "500m", memory = "1Gi" }}, {{ cpu = "1500m", memory = "1Gi" }}]
arrival = {{ process = "at-once", at = "0s" }}
duration = {{ dist = "constant", value = "2h" }}
{HARD_ZONE}
"#
    ));
    let r = run_one(&sc, "first-fit", 8).unwrap();
    let p = pods(&r);
    let sizes: Vec<u64> = p.iter().map(|x| x.cpu_m).collect();
    assert_eq!(sizes, [500, 500, 1500, 500], "the draw this test relies on");
    assert_eq!(nodes(&r), ["a-0", "b-0", "a-0", "c-0"]);
    for x in &p {
        assert_eq!(x.bind.unwrap().as_secs_f64(), 0.0, "{x:?}");
    }
}

// A cordoned node takes a pod that tolerates its
// node.kubernetes.io/unschedulable:NoSchedule taint, as upstream.
#[test]
fn a_pod_tolerating_the_unschedulable_taint_lands_on_a_cordoned_node() {
    let sc = scenario(
        r#"policies = ["first-fit"]
[[pools]]
name = "w"
count = 2
cpu = "4"
memory = "8Gi"
[[services]]
name = "web"
replicas = 0
cpu = "1"
memory = "1Gi"
tolerations = ["node.kubernetes.io/unschedulable:NoSchedule"]
[[services]]
name = "api"
replicas = 0
cpu = "1"
memory = "1Gi"
[[events]]
at = "1m"
action = "drain-node"
node = "w-0"
[[events]]
at = "2m"
action = "scale-service"
service = "web"
replicas = 1
[[events]]
at = "2m"
action = "scale-service"
service = "api"
replicas = 1
"#,
    );
    let r = run_one(&sc, "first-fit", 1).unwrap();
    let by_owner = |o: &str| r.pods.iter().find(|p| p.owner == o).unwrap().node.clone();
    assert_eq!(by_owner("web"), "w-0");
    assert_eq!(by_owner("api"), "w-1");
}

// scenarios/zone-outage.toml: zone a (a third of the zones) fails at 30m.
// Every spread service loses exactly the two replicas zone a held; under
// binpack the unconstrained one loses all six. web-hard's replacements wait
// for the zone (1h); web-honor's and web-soft's are bound at the eviction
// (35m50s).
#[test]
fn the_zone_outage_scenario_takes_a_third_of_each_spread_service() {
    let sc = Scenario::load(std::path::Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/zone-outage.toml"
    )))
    .unwrap();
    for (policy, plain_lost) in [("binpack", 6), ("balanced", 2)] {
        let r = run_one(&sc, policy, sc.seed).unwrap();
        let failed_at_30m = |owner: &str| {
            r.pods
                .iter()
                .filter(|p| {
                    p.owner == owner
                        && p.outcome == podsim::cluster::Outcome::Failed
                        && p.end == Some(podsim::engine::SimTime::from_mins(30))
                })
                .count()
        };
        for svc in ["web-soft", "web-hard", "web-honor"] {
            assert_eq!(failed_at_30m(svc), 2, "{policy} {svc}");
        }
        assert_eq!(failed_at_30m("web-plain"), plain_lost, "{policy}");
        let bound = |owner: &str| -> Vec<f64> {
            let mut v: Vec<f64> = r
                .pods
                .iter()
                .filter(|p| p.owner == owner && p.submit.as_secs_f64() > 0.0)
                .map(|p| p.bind.unwrap().as_secs_f64())
                .collect();
            v.sort_by(f64::total_cmp);
            v
        };
        assert_eq!(bound("web-hard"), [3600.0, 3600.0], "{policy}");
        assert_eq!(bound("web-honor"), [2150.0, 2150.0], "{policy}");
        assert_eq!(bound("web-soft"), [2150.0, 2150.0], "{policy}");
        let hard = r.spread.iter().find(|s| s.service == "web-hard").unwrap();
        assert_eq!(hard.running_by_zone, "a=2 b=2 c=2");
    }
}
