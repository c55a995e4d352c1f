//! Priority and preemption worked out by hand (kube-scheduler's
//! DefaultPreemption): when a pod fits nowhere, evict the lowest-priority,
//! fewest pods that make room on one node, nominate the pod there, and bind
//! it once the victims have terminated (`termination-grace`, 30 s).
//!
//! Choice of node, in order: the lowest highest-victim priority; the lowest
//! sum of victim priorities; the fewest victims; the latest start among the
//! highest-priority victims; the first candidate. On a node, victims are
//! chosen by putting back the most important pods (higher priority, then
//! bound earlier) while the preemptor still fits.

use podsim::cluster::Outcome;
use podsim::engine::SimTime;
use podsim::metrics::{PodRecord, RunResult};
use podsim::scenario::Scenario;
use podsim::simulation::run_one;

fn scenario(body: &str) -> Scenario {
    let text = format!("name = \"p\"\nhorizon = \"1h\"\nsample-every = \"1m\"\n{body}");
    Scenario::parse(&text, "p.toml").unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn secs(s: u64) -> SimTime {
    SimTime::from_secs(s)
}

fn owned<'a>(r: &'a RunResult, owner: &str) -> Vec<&'a PodRecord> {
    let mut v: Vec<&PodRecord> = r.pods.iter().filter(|p| p.owner == owner).collect();
    v.sort_by_key(|p| p.pod);
    v
}

/// Three 4-cpu nodes, pinned by label so the initial pods land where the
/// test says:
///
/// | node | pods (cpu, priority)            |
/// |------|---------------------------------|
/// | n0-0 | two of (2, 1)     "mid"          |
/// | n1-0 | four of (1, 0)    "small"        |
/// | n2-0 | (2, 5) "keep" and (2, 0) "low"   |
///
/// At 10m a service "urgent" of priority 10 asks for 2 cpu; every node is full.
const CLUSTER: &str = r#"
[[pools]]
name = "n0"
count = 1
cpu = "4"
memory = "16Gi"
labels = { slot = "0" }
[[pools]]
name = "n1"
count = 1
cpu = "4"
memory = "16Gi"
labels = { slot = "1" }
[[pools]]
name = "n2"
count = 1
cpu = "4"
memory = "16Gi"
labels = { slot = "2" }

[[jobs]]
name = "mid"
count = 2
cpu = "2"
memory = "1Gi"
priority = 1
node-selector = { slot = "0" }
arrival = { process = "at-once", at = "0s" }
duration = { dist = "constant", value = "2h" }

[[jobs]]
name = "small"
count = 4
cpu = "1"
memory = "1Gi"
node-selector = { slot = "1" }
arrival = { process = "at-once", at = "0s" }
duration = { dist = "constant", value = "2h" }

[[jobs]]
name = "keep"
count = 1
cpu = "2"
memory = "1Gi"
priority = 5
node-selector = { slot = "2" }
arrival = { process = "at-once", at = "0s" }
duration = { dist = "constant", value = "30m" }

[[jobs]]
name = "low"
count = 1
cpu = "2"
memory = "1Gi"
node-selector = { slot = "2" }
arrival = { process = "at-once", at = "0s" }
duration = { dist = "constant", value = "2h" }

[[services]]
name = "urgent"
replicas = 0
cpu = "2"
memory = "1Gi"
priority = 10

[[events]]
at = "10m"
action = "scale-service"
service = "urgent"
replicas = 1
"#;

// Candidates for "urgent" (2 cpu, priority 10):
// - n0-0: without both "mid" pods it fits; putting back the more important
//   one (bound at 0 like the other, created first) still fits, the second
//   does not: victims = one "mid" (priority 1).
// - n1-0: without the four "small" pods it fits; two can be put back:
//   victims = two "small" (priority 0, sum 2 × 2³¹).
// - n2-0: without "keep" (5) and "low" (0) it fits; "keep" is put back:
//   victims = "low" (priority 0, sum 2³¹).
// Lowest highest-victim priority: n1-0 and n2-0 (0) beat n0-0 (1); lowest
// sum: n2-0 (one victim). So "low" is evicted at 10m, "urgent" is nominated
// to n2-0 and binds there at 10m30s, when "low" has terminated.
#[test]
fn preemption_evicts_the_lowest_priority_fewest_pods_and_the_preemptor_runs_there() {
    let sc = scenario(&format!("policies = [\"balanced\"]\n{CLUSTER}"));
    for seed in [1, 2, 3] {
        let r = run_one(&sc, "balanced", seed).unwrap();
        let urgent = owned(&r, "urgent");
        assert_eq!(urgent.len(), 1);
        assert_eq!(urgent[0].node, "n2-0");
        assert_eq!(urgent[0].submit, secs(600));
        assert_eq!(urgent[0].bind, Some(secs(630)));
        assert_eq!(urgent[0].outcome, Outcome::Running);

        // Exactly one victim: the first "low" pod, evicted at 10m.
        let preempted: Vec<&PodRecord> = r
            .pods
            .iter()
            .filter(|p| p.outcome == Outcome::Preempted)
            .collect();
        assert_eq!(preempted.len(), 1, "seed {seed}: {preempted:?}");
        assert_eq!(preempted[0].owner, "low");
        assert_eq!(preempted[0].attempt, 0);
        assert_eq!(preempted[0].end, Some(secs(600)));
        for o in ["mid", "small", "keep"] {
            assert!(owned(&r, o).iter().all(|p| p.outcome != Outcome::Preempted));
        }
        let s = &r.summary;
        assert_eq!((s.preemptions, s.pods_preempted), (1, 1));
        // 2 cores × the 600 s it had run.
        assert_eq!(s.preempted_work_core_s, 1200.0);
        assert_eq!(s.lost_work_core_s, 1200.0);
        let line = r.log.iter().find(|e| e.kind == "preempted").unwrap();
        assert_eq!(line.t, secs(600));
        assert_eq!(line.subject, "n2-0");
        assert!(
            line.detail
                .contains("1 pod(s) evicted: pod 7 of low (priority 0)"),
            "{}",
            line.detail
        );
    }
}

// The preempted job pod is retried like any failed job pod: a new pod for
// the same task (attempt 1) after the 10 s back-off. It asks for slot 2,
// which "urgent" now fills with "keep"; it waits until "keep" completes at
// 30m and then runs there.
#[test]
fn a_preempted_job_pod_is_retried_after_its_back_off() {
    let sc = scenario(&format!("policies = [\"balanced\"]\n{CLUSTER}"));
    let r = run_one(&sc, "balanced", 1).unwrap();
    let low = owned(&r, "low");
    assert_eq!(low.len(), 2);
    assert_eq!((low[0].attempt, low[0].outcome), (0, Outcome::Preempted));
    let retry = low[1];
    assert_eq!((retry.task, retry.attempt), (low[0].task, 1));
    assert_eq!(retry.submit, secs(610));
    assert_eq!(retry.bind, Some(secs(1800)));
    assert_eq!(retry.node, "n2-0");
    assert_eq!(r.summary.tasks_failed, 0);
}

// A pod whose preemption policy is Never only waits.
#[test]
fn a_pod_that_may_not_preempt_waits() {
    let body = CLUSTER.replace(
        "priority = 10\n",
        "priority = 10\npreemption-policy = \"Never\"\n",
    );
    let sc = scenario(&format!("policies = [\"balanced\"]\n{body}"));
    let r = run_one(&sc, "balanced", 1).unwrap();
    assert_eq!(r.summary.preemptions, 0);
    let urgent = owned(&r, "urgent");
    // It runs when "keep" completes at 30m and frees 2 cpu on n2-0.
    assert_eq!(urgent[0].bind, Some(secs(1800)));
    assert_eq!(urgent[0].node, "n2-0");
}

// A profile with preemption off does not preempt either.
#[test]
fn a_profile_can_turn_preemption_off() {
    let sc = scenario(&format!(
        "policies = [\"calm\"]\n[[profiles]]\nname = \"calm\"\npreemption = false\nscorers = [{{ plugin = \"least-allocated\" }}]\n{CLUSTER}"
    ));
    let r = run_one(&sc, "calm", 1).unwrap();
    assert_eq!(r.summary.preemptions, 0);
    assert_eq!(owned(&r, "urgent")[0].bind, Some(secs(1800)));
}

// The room a nominated pod waits for is kept for it. One 6-cpu node:
// "victim" (3 cpu, priority 0) and "short" (2 cpu, priority 20, done at
// 10m10s). At 5m "queued" (3 cpu, priority 5, may not preempt) waits. At
// 10m "urgent" (4 cpu, priority 10) preempts "victim" and is nominated.
// At 10m10s "short" leaves: 3 cpu are free while "victim" terminates, but
// "urgent" (priority 10 ≥ 5) has 4 of them reserved, so "queued" still
// waits; otherwise it would take them and "urgent" would not fit at
// 10m30s. "urgent" binds at 10m30s; "queued" never fits.
#[test]
fn a_nominated_pod_keeps_its_room_from_lower_priority_pods() {
    let sc = scenario(
        r#"policies = ["balanced"]
[[pools]]
name = "n"
count = 1
cpu = "6"
memory = "16Gi"
[[jobs]]
name = "short"
count = 1
cpu = "2"
memory = "1Gi"
priority = 20
arrival = { process = "at-once", at = "0s" }
duration = { dist = "constant", value = "610s" }
[[jobs]]
name = "victim"
count = 1
cpu = "3"
memory = "1Gi"
arrival = { process = "at-once", at = "0s" }
duration = { dist = "constant", value = "2h" }
[[jobs]]
name = "queued"
count = 1
cpu = "3"
memory = "1Gi"
priority = 5
preemption-policy = "Never"
arrival = { process = "at-once", at = "5m" }
duration = { dist = "constant", value = "2h" }
[[jobs]]
name = "urgent"
count = 1
cpu = "4"
memory = "1Gi"
priority = 10
arrival = { process = "at-once", at = "10m" }
duration = { dist = "constant", value = "2h" }
"#,
    );
    let r = run_one(&sc, "balanced", 1).unwrap();
    assert_eq!(owned(&r, "short")[0].end, Some(secs(610)));
    assert_eq!(owned(&r, "victim")[0].outcome, Outcome::Preempted);
    assert_eq!(owned(&r, "urgent")[0].bind, Some(secs(630)));
    let queued = owned(&r, "queued");
    assert_eq!(queued[0].outcome, Outcome::Pending);
    assert_eq!(queued[0].bind, None);
}

// A higher-priority pod with no lower-priority pod anywhere to evict
// preempts nothing; equal priority is never preempted.
#[test]
fn equal_priority_pods_are_never_victims() {
    let sc = scenario(
        r#"policies = ["balanced"]
[[pools]]
name = "n"
count = 1
cpu = "2"
memory = "4Gi"
[[jobs]]
name = "a"
count = 2
cpu = "1"
memory = "1Gi"
priority = 3
arrival = { process = "at-once", at = "0s" }
duration = { dist = "constant", value = "2h" }
[[jobs]]
name = "b"
count = 1
cpu = "1"
memory = "1Gi"
priority = 3
arrival = { process = "at-once", at = "1m" }
duration = { dist = "constant", value = "2h" }
"#,
    );
    let r = run_one(&sc, "balanced", 1).unwrap();
    assert_eq!(r.summary.preemptions, 0);
    assert_eq!(r.summary.pods_pending_at_end, 1);
}
