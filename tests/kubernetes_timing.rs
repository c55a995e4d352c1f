//! The control plane's timings after a node failure, checked to the
//! microsecond against what Kubernetes does (see
//! /work/shared/reference/kubernetes.md, "When a node fails"):
//!
//! - a silent node is marked NotReady after `node-monitor-grace` (50 s by
//!   default, 40 s before v1.32);
//! - its pods are evicted `eviction-timeout` (300 s) later, and a ReplicaSet
//!   replaces each at once, so a replacement runs at
//!   failure + grace + timeout (+ the pod's `startup`);
//! - a node that returns before the eviction restarts its pods in place;
//! - a Job recreates a failed pod after a back-off of 10 s, doubling.
//!
//! All tests use first-fit so the first pod lands on `w-0`, the node that fails.

use podsim::cluster::{Outcome, PodKind};
use podsim::engine::SimTime;
use podsim::metrics::{PodRecord, RunResult};
use podsim::scenario::Scenario;
use podsim::simulation::{run_one, Simulation};

fn secs(s: u64) -> SimTime {
    SimTime::from_secs(s)
}

fn mins_secs(m: u64, s: u64) -> SimTime {
    SimTime::from_secs(m * 60 + s)
}

/// Three 4-cpu nodes `w-0..w-2`, the given control-plane settings,
/// workloads and events; one hour.
fn scenario(control: &str, workloads: &str, events: &str) -> Scenario {
    let text = format!(
        r#"
name = "timing"
horizon = "1h"
sample-every = "10s"
policies = ["first-fit"]
{control}

[[pools]]
name = "w"
count = 3
cpu = "4"
memory = "8Gi"

{workloads}
{events}
"#
    );
    Scenario::parse(&text, "timing.toml").unwrap()
}

const GRACE_40S: &str = r#"
[control-plane]
node-monitor-grace = "40s"
eviction-timeout = "5m"
"#;

const WEB: &str = r#"
[[services]]
name = "web"
replicas = 1
cpu = "1"
memory = "1Gi"
"#;

const WEB_STARTUP_20S: &str = r#"
[[services]]
name = "web"
replicas = 1
cpu = "1"
memory = "1Gi"
startup = "20s"
"#;

const FAIL_W0_AT_10M: &str = r#"
[[events]]
at = "10m"
action = "fail-node"
node = "w-0"
"#;

fn run(sc: &Scenario) -> RunResult {
    run_one(sc, "first-fit", 1).unwrap()
}

/// The times at which the run logged events of `kind` about `subject`.
fn logged(r: &RunResult, kind: &str, subject: &str) -> Vec<SimTime> {
    r.log
        .iter()
        .filter(|e| e.kind == kind && e.subject == subject)
        .map(|e| e.t)
        .collect()
}

fn pods_of<'a>(r: &'a RunResult, owner: &str) -> Vec<&'a PodRecord> {
    let mut v: Vec<_> = r.pods.iter().filter(|p| p.owner == owner).collect();
    v.sort_by_key(|p| p.pod);
    v
}

/// Availability in percent when one replica is missing for `gap` of a 1 h run.
fn availability_with_gap(gap: SimTime) -> f64 {
    (3600.0 - gap.as_secs_f64()) * 100.0 / 3600.0
}

/// Checks the service `web` lost its only pod on w-0 at 10m and got a
/// replacement on w-1 created at `evicted_at` and running at `running_at`.
fn check_replaced(r: &RunResult, evicted_at: SimTime, running_at: SimTime) {
    let web = pods_of(r, "web");
    assert_eq!(web.len(), 2, "{:#?}", r.pods);
    let (old, new) = (web[0], web[1]);
    assert_eq!(old.node, "w-0");
    assert_eq!(old.outcome, Outcome::Failed);
    assert_eq!(
        old.end,
        Some(SimTime::from_mins(10)),
        "stopped when the node died"
    );
    assert_eq!(new.kind, PodKind::Service);
    assert_eq!(
        new.node, "w-1",
        "the dead node must not get the replacement"
    );
    assert_eq!(new.submit, evicted_at, "replacement created at eviction");
    assert_eq!(new.bind, Some(evicted_at), "bound at once");
    assert_eq!(new.start, Some(running_at), "running after its startup");
    assert_eq!(new.outcome, Outcome::Running);
    assert_eq!(r.summary.evictions, 1);
    assert_eq!(r.summary.restarts, 0);
    assert_eq!(r.summary.pods_failed, 1);
    assert_eq!(r.summary.pods_running_at_end, 1);
    assert_eq!(logged(r, "node-failed", "w-0"), [SimTime::from_mins(10)]);
    assert_eq!(logged(r, "pods-evicted", "w-0"), [evicted_at]);
}

#[test]
fn service_replaced_after_40s_grace_and_5m_timeout() {
    let r = run(&scenario(GRACE_40S, WEB, FAIL_W0_AT_10M));
    // 10m + 40s + 5m = 15m40s.
    check_replaced(&r, mins_secs(15, 40), mins_secs(15, 40));
    assert_eq!(logged(&r, "node-not-ready", "w-0"), [mins_secs(10, 40)]);
    // One replica missing from 10m to 15m40s: 340 s of 3600.
    let a = r.summary.availability_pct.unwrap();
    assert!((a - availability_with_gap(secs(340))).abs() < 1e-9, "{a}");
    // The time series shows the dip: 0 replicas from 10m to 15m30s, 1 from 15m40s.
    let at = |t: SimTime| r.samples.iter().find(|s| s.t == t).unwrap();
    assert_eq!(at(mins_secs(9, 50)).replicas_running, 1);
    // A sample at t shows the state after every event at t.
    assert_eq!(at(SimTime::from_mins(10)).replicas_running, 0);
    assert_eq!(at(mins_secs(10, 10)).replicas_running, 0);
    assert_eq!(at(mins_secs(15, 30)).replicas_running, 0);
    assert_eq!(at(mins_secs(15, 40)).replicas_running, 1);
    assert_eq!(at(mins_secs(10, 10)).nodes_down, 1);
}

#[test]
fn service_with_startup_runs_at_failure_plus_6m() {
    let r = run(&scenario(GRACE_40S, WEB_STARTUP_20S, FAIL_W0_AT_10M));
    let first = pods_of(&r, "web")[0];
    assert_eq!(first.start, Some(secs(20)));
    // 10m + 40s + 5m + 20s = 16m.
    check_replaced(&r, mins_secs(15, 40), SimTime::from_mins(16));
    // Missing for 0–20s and 10m–16m.
    let a = r.summary.availability_pct.unwrap();
    assert!(
        (a - availability_with_gap(secs(20 + 360))).abs() < 1e-9,
        "{a}"
    );
}

#[test]
fn default_grace_is_50s() {
    let sc = scenario("", WEB, FAIL_W0_AT_10M);
    assert_eq!(sc.control.node_monitor_grace, secs(50));
    assert_eq!(sc.control.eviction_timeout, secs(300));
    let r = run(&sc);
    // 10m + 50s + 5m = 15m50s.
    check_replaced(&r, mins_secs(15, 50), mins_secs(15, 50));
    assert_eq!(logged(&r, "node-not-ready", "w-0"), [mins_secs(10, 50)]);
    let a = r.summary.availability_pct.unwrap();
    assert!((a - availability_with_gap(secs(350))).abs() < 1e-9, "{a}");
}

/// Recovery after NotReady but before the eviction: the pod restarts in place.
#[test]
fn recovery_before_eviction_restarts_in_place() {
    let events = r#"
[[events]]
at = "10m"
action = "fail-node"
node = "w-0"

[[events]]
at = "13m"
action = "recover-node"
node = "w-0"
"#;
    let r = run(&scenario(GRACE_40S, WEB, events));
    assert_eq!(r.pods.len(), 1, "no replacement: {:#?}", r.pods);
    let p = &r.pods[0];
    assert_eq!(p.node, "w-0");
    assert_eq!(p.restarts, 1);
    assert_eq!(p.outcome, Outcome::Running);
    assert_eq!(p.start, Some(SimTime::ZERO), "start is the first start");
    assert_eq!(p.end, None);
    assert_eq!(r.summary.restarts, 1);
    assert_eq!(r.summary.evictions, 0);
    assert_eq!(logged(&r, "node-not-ready", "w-0"), [mins_secs(10, 40)]);
    assert!(logged(&r, "pods-evicted", "w-0").is_empty());
    assert_eq!(
        logged(&r, "node-recovered", "w-0"),
        [SimTime::from_mins(13)]
    );
    let n = r.nodes.iter().find(|n| n.node == "w-0").unwrap();
    assert_eq!((n.failures, n.downtime), (1, SimTime::from_mins(3)));
    assert_eq!(n.status_at_end, "Ready");
    let a = r.summary.availability_pct.unwrap();
    assert!((a - availability_with_gap(secs(180))).abs() < 1e-9, "{a}");
}

/// A timed failure (`duration`) shorter than the grace: the control plane
/// never notices, the pod restarts in place with its startup.
#[test]
fn short_failure_is_never_noticed() {
    let events = r#"
[[events]]
at = "10m"
action = "fail-node"
node = "w-0"
duration = "30s"
"#;
    let r = run(&scenario(GRACE_40S, WEB_STARTUP_20S, events));
    assert_eq!(r.pods.len(), 1);
    assert_eq!(r.pods[0].restarts, 1);
    assert!(logged(&r, "node-not-ready", "w-0").is_empty());
    assert_eq!(logged(&r, "node-recovered", "w-0"), [mins_secs(10, 30)]);
    // Missing 0–20s, then 10m until 10m30s + 20s startup.
    let a = r.summary.availability_pct.unwrap();
    assert!(
        (a - availability_with_gap(secs(20 + 50))).abs() < 1e-9,
        "{a}"
    );
}

/// Fail, recover, fail again: the timers of the first failure must not fire;
/// the replacement follows the second failure.
#[test]
fn second_failure_restarts_the_clock() {
    let events = r#"
[[events]]
at = "10m"
action = "fail-node"
node = "w-0"

[[events]]
at = "11m"
action = "recover-node"
node = "w-0"

[[events]]
at = "12m"
action = "fail-node"
node = "w-0"
"#;
    let r = run(&scenario(GRACE_40S, WEB, events));
    assert_eq!(
        logged(&r, "node-not-ready", "w-0"),
        [mins_secs(10, 40), mins_secs(12, 40)]
    );
    assert_eq!(logged(&r, "pods-evicted", "w-0"), [mins_secs(17, 40)]);
    let web = pods_of(&r, "web");
    assert_eq!(web.len(), 2);
    assert_eq!(web[0].restarts, 1);
    assert_eq!(web[0].end, Some(SimTime::from_mins(12)));
    assert_eq!(web[1].start, Some(mins_secs(17, 40)));
    assert_eq!(web[1].node, "w-1");
    // Missing 10m–11m and 12m–17m40s.
    let a = r.summary.availability_pct.unwrap();
    assert!(
        (a - availability_with_gap(secs(60 + 340))).abs() < 1e-9,
        "{a}"
    );
}

const BATCH: &str = r#"
[[jobs]]
name = "batch"
count = 1
cpu = "1"
memory = "1Gi"
arrival = { process = "at-once", at = "0s" }
duration = { dist = "constant", value = "30m" }
"#;

/// A job pod lost with its node is recreated after the eviction plus the
/// first back-off (10 s); a second loss waits 20 s.
#[test]
fn job_pod_recreated_after_eviction_and_backoff() {
    let events = r#"
[[events]]
at = "10m"
action = "fail-node"
node = "w-0"

[[events]]
at = "20m"
action = "fail-node"
node = "w-1"
"#;
    let r = run(&scenario(GRACE_40S, BATCH, events));
    let b = pods_of(&r, "batch");
    assert_eq!(b.len(), 3, "{b:#?}");
    // Attempt 0 on w-0: runs 0–10m, lost, evicted at 15m40s.
    assert_eq!((b[0].task, b[0].attempt), (0, 0));
    assert_eq!(b[0].node, "w-0");
    assert_eq!(b[0].outcome, Outcome::Failed);
    assert_eq!(b[0].end, Some(SimTime::from_mins(10)));
    // Attempt 1: created 15m40s + 10s = 15m50s on w-1 (w-0 is NotReady).
    assert_eq!((b[1].task, b[1].attempt), (0, 1));
    assert_eq!(b[1].submit, mins_secs(15, 50));
    assert_eq!(b[1].start, Some(mins_secs(15, 50)));
    assert_eq!(b[1].node, "w-1");
    assert_eq!(b[1].outcome, Outcome::Failed);
    assert_eq!(b[1].end, Some(SimTime::from_mins(20)));
    // w-1 dies at 20m: evicted 25m40s, second back-off 20 s → 26m on w-2,
    // and the full 30 minutes of work again → completes at 56m.
    assert_eq!((b[2].task, b[2].attempt), (0, 2));
    assert_eq!(b[2].submit, SimTime::from_mins(26));
    assert_eq!(b[2].start, Some(SimTime::from_mins(26)));
    assert_eq!(b[2].node, "w-2");
    assert_eq!(b[2].outcome, Outcome::Completed);
    assert_eq!(b[2].end, Some(SimTime::from_mins(56)));
    assert_eq!(r.summary.pods_completed, 1);
    assert_eq!(r.summary.pods_failed, 2);
    assert_eq!(r.summary.evictions, 2);
    assert_eq!(r.summary.tasks_failed, 0);
    // Lost work: 10 min + (20m − 15m50s) = 600 s + 250 s of one core.
    assert!((r.summary.lost_work_core_s - 850.0).abs() < 1e-9);
}

/// With `job-backoff-limit = 1` the task is given up after its second failure.
#[test]
fn job_task_given_up_after_backoff_limit() {
    let control = r#"
[control-plane]
node-monitor-grace = "40s"
eviction-timeout = "5m"
job-backoff-limit = 1
"#;
    let events = r#"
[[events]]
at = "10m"
action = "fail-node"
node = "w-0"

[[events]]
at = "20m"
action = "fail-node"
node = "w-1"
"#;
    let r = run(&scenario(control, BATCH, events));
    let b = pods_of(&r, "batch");
    assert_eq!(b.len(), 2, "no third attempt: {b:#?}");
    assert_eq!(r.summary.tasks_failed, 1);
    assert_eq!(r.summary.pods_completed, 0);
    assert_eq!(logged(&r, "task-failed", "batch"), [mins_secs(25, 40)]);
}

/// During the grace the scheduler still believes the dead node is Ready: a
/// pod bound to it then never starts, and is evicted with the others.
#[test]
fn pod_bound_to_dead_node_during_grace_is_lost_until_eviction() {
    let jobs = r#"
[[jobs]]
name = "late"
count = 1
cpu = "1"
memory = "1Gi"
arrival = { process = "at-once", at = "10m10s" }
duration = { dist = "constant", value = "5m" }
"#;
    let r = run(&scenario(GRACE_40S, jobs, FAIL_W0_AT_10M));
    let p = pods_of(&r, "late");
    assert_eq!(p.len(), 2, "{p:#?}");
    assert_eq!(p[0].node, "w-0");
    assert_eq!(p[0].bind, Some(mins_secs(10, 10)));
    assert_eq!(p[0].start, None, "never started on the dead machine");
    assert_eq!(p[0].outcome, Outcome::Failed);
    // Evicted at 15m40s, recreated 10 s later, runs 5 minutes.
    assert_eq!(p[1].submit, mins_secs(15, 50));
    assert_eq!(p[1].node, "w-1");
    assert_eq!(p[1].end, Some(mins_secs(20, 50)));
    assert_eq!(p[1].outcome, Outcome::Completed);
    assert_eq!(r.summary.lost_work_core_s, 0.0);
}

/// After NotReady no new pod goes to the node; after recovery it takes pods
/// again but replaced pods do not move back.
#[test]
fn not_ready_node_takes_no_pods_and_replacements_stay() {
    let jobs = r#"
[[jobs]]
name = "probe"
count = 2
cpu = "1"
memory = "1Gi"
arrival = { process = "every", interval = "20m", start = "11m" }
duration = { dist = "constant", value = "1m" }
"#;
    let events = r#"
[[events]]
at = "10m"
action = "fail-node"
node = "w-0"

[[events]]
at = "20m"
action = "recover-node"
node = "w-0"
"#;
    let r = run(&scenario(GRACE_40S, &format!("{WEB}{jobs}"), events));
    let probes = pods_of(&r, "probe");
    assert_eq!(probes[0].submit, SimTime::from_mins(11));
    assert_eq!(probes[0].node, "w-1", "w-0 is NotReady at 11m");
    assert_eq!(probes[1].submit, SimTime::from_mins(31));
    assert_eq!(probes[1].node, "w-0", "w-0 is Ready again at 31m");
    let web = pods_of(&r, "web");
    assert_eq!(web.len(), 2);
    assert_eq!(web[1].node, "w-1");
    assert_eq!(web[1].outcome, Outcome::Running);
    let w0 = r.nodes.iter().find(|n| n.node == "w-0").unwrap();
    assert_eq!(w0.pods_at_end, 0);
}

/// A drain evicts gracefully and the replacement starts at once; a removed
/// node's pods are replaced at once too. Neither waits for a timeout.
#[test]
fn drain_and_remove_replace_at_once() {
    for (action, outcome) in [
        ("drain-node", Outcome::Evicted),
        ("remove-node", Outcome::Failed),
    ] {
        let events = format!(
            r#"
[[events]]
at = "10m"
action = "{action}"
node = "w-0"
"#
        );
        let r = run(&scenario(GRACE_40S, WEB_STARTUP_20S, &events));
        let web = pods_of(&r, "web");
        assert_eq!(web.len(), 2, "{action}");
        assert_eq!(web[0].outcome, outcome, "{action}");
        assert_eq!(web[0].end, Some(SimTime::from_mins(10)), "{action}");
        assert_eq!(web[1].submit, SimTime::from_mins(10), "{action}");
        assert_eq!(web[1].node, "w-1", "{action}");
        assert_eq!(web[1].start, Some(mins_secs(10, 20)), "{action}");
        assert_eq!(r.summary.evictions, 1, "{action}");
    }
}

/// The drained pod holds its node's resources for the termination grace
/// (30 s by default), then frees them.
#[test]
fn drained_pod_holds_resources_for_termination_grace() {
    let events = r#"
[[events]]
at = "10m"
action = "drain-node"
node = "w-0"
"#;
    let sc = scenario(GRACE_40S, WEB, events);
    let mut sim = Simulation::new(&sc, "first-fit", 1).unwrap();
    let w0 = sim.node_id("w-0").unwrap();
    let mut freed_at = None;
    let mut held = 0;
    while sim.step() {
        sim.cluster.check_invariants().unwrap();
        let n = &sim.cluster.nodes[w0.index()];
        if sim.now() >= SimTime::from_mins(10) && n.pods.is_empty() && freed_at.is_none() {
            freed_at = Some(sim.now());
        }
        if sim.now() >= SimTime::from_mins(10) && sim.now() < mins_secs(10, 30) {
            held += 1;
            assert_eq!(n.requested.cpu_m, 1000, "released early at {}", sim.now());
        }
    }
    assert!(
        held > 0,
        "never looked at the node while the pod terminated"
    );
    assert_eq!(freed_at, Some(mins_secs(10, 30)));
}

/// A pod restarted in place keeps the end time of its crash while its
/// containers start again; if the horizon comes before it is running, its
/// record says "running" with an end time (pods.csv: outcome running, end_s
/// set). Once it runs, `run_pod` clears the end time, so only pods still
/// starting at the horizon are affected.
#[test]
fn restarted_pod_still_starting_at_horizon_has_no_end() {
    let events = r#"
[[events]]
at = "58m"
action = "fail-node"
node = "w-0"

[[events]]
at = "59m30s"
action = "recover-node"
node = "w-0"
"#;
    let web = r#"
[[services]]
name = "web"
replicas = 1
cpu = "1"
memory = "1Gi"
startup = "1m"
"#;
    let r = run(&scenario(GRACE_40S, web, events));
    assert_eq!(r.pods.len(), 1, "restarted in place, not replaced");
    let p = &r.pods[0];
    assert_eq!(p.restarts, 1);
    assert_eq!(p.outcome, Outcome::Running, "starting counts as running");
    assert_eq!(p.end, None, "a running pod has no end time: {p:?}");
}
