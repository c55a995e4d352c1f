//! The horizontal pod autoscaler, checked against answers worked out by hand
//! with Kubernetes' rules (see /work/shared/reference/kubernetes.md and
//! docs/hpa.md):
//!
//! - every 15 s from time 0, `desired = ceil(ready pods × utilization /
//!   target)`, with the utilization in whole percent (truncated);
//! - no change while |utilization / target − 1| ≤ 0.1;
//! - scale-up at most max(2 × current, current + 4) per 15 s, no
//!   stabilization; scale-down to the highest recommendation of the last
//!   5 minutes (a recommendation exactly 5 min old no longer counts);
//! - within min-replicas and max-replicas;
//! - the load's demand is shared by the running replicas; pods not running
//!   count as using nothing on a scale-up and are ignored otherwise.
//!
//! Pods start at once (no `startup`) unless a test says otherwise, so a
//! replica created at a sync is running by the next one.

use podsim::engine::SimTime;
use podsim::metrics::RunResult;
use podsim::scenario::Scenario;
use podsim::simulation::run_one;

/// One 64-core node (room for everything) unless `pool` says otherwise, and
/// the service `web` with the given keys, load and hpa.
fn scenario(pool: &str, service: &str, horizon: &str) -> Scenario {
    let pool = if pool.is_empty() {
        "[[pools]]\nname = \"w\"\ncount = 1\ncpu = \"64\"\nmemory = \"256Gi\"\n"
    } else {
        pool
    };
    let text = format!(
        "name = \"hpa\"\nhorizon = \"{horizon}\"\nsample-every = \"15s\"\npolicies = [\"first-fit\"]\n\n{pool}\n[[services]]\nname = \"web\"\nmemory = \"64Mi\"\n{service}\n"
    );
    Scenario::parse(&text, "hpa.toml").unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn run(sc: &Scenario) -> RunResult {
    run_one(sc, "first-fit", 1).unwrap()
}

/// (time in seconds, detail) of every hpa-scaled event.
fn scaled(r: &RunResult) -> Vec<(u64, String)> {
    r.log
        .iter()
        .filter(|e| e.kind == "hpa-scaled")
        .map(|e| (e.t.as_micros() / 1_000_000, e.detail.clone()))
        .collect()
}

/// (from, to) of every hpa-scaled event, with its time in seconds.
fn steps(r: &RunResult) -> Vec<(u64, u32, u32)> {
    scaled(r)
        .iter()
        .map(|(t, d)| {
            let nums: Vec<u32> = d
                .trim_start_matches("replicas ")
                .split(':')
                .next()
                .unwrap()
                .split(" -> ")
                .map(|x| x.parse().unwrap())
                .collect();
            (*t, nums[0], nums[1])
        })
        .collect()
}

/// The declared replicas at each sample (every 15 s).
fn desired_series(r: &RunResult) -> Vec<(u64, u32)> {
    r.service_load
        .iter()
        .map(|s| (s.t.as_micros() / 1_000_000, s.desired))
        .collect()
}

#[test]
fn four_replicas_at_90_pct_with_target_60_become_six() {
    // 4 × 1000m at 90 % = 3.6 cores. ceil(4 × 90 / 60) = 6 at the first
    // sync (0 s); then 3.6 cores over 6 pods is 60 %: nothing more.
    let sc = scenario(
        "",
        r#"replicas = 4
cpu = "1"
load = { curve = "constant", cores = 3.6 }
hpa = { target-cpu-utilization = 60, max-replicas = 20 }"#,
        "10m",
    );
    let r = run(&sc);
    assert_eq!(steps(&r), vec![(0, 4, 6)]);
    assert!(
        scaled(&r)[0]
            .1
            .contains("cpu 90% of request on 4 running (target 60%)"),
        "{:?}",
        scaled(&r)
    );
    let last = r.service_load.last().unwrap();
    assert_eq!((last.desired, last.running), (6, 6));
    assert_eq!(last.utilization_pct(), Some(60.0));
    assert_eq!(r.summary.hpa_scale_ups, 1);
    assert_eq!(r.summary.hpa_scale_downs, 0);
}

#[test]
fn the_tolerance_holds_four_replicas_at_65_pct_with_target_60() {
    // 2.6 cores over 4 × 1000m is 65 %: 65 / 60 = 1.083, within 10 %.
    let sc = scenario(
        "",
        r#"replicas = 4
cpu = "1"
load = { curve = "constant", cores = 2.6 }
hpa = { target-cpu-utilization = 60, max-replicas = 20 }"#,
        "30m",
    );
    let r = run(&sc);
    assert_eq!(steps(&r), vec![]);
    assert!(r.service_load.iter().all(|s| s.desired == 4));
    // 72 % (2.88 cores) is 1.2 × the target: ceil(4 × 1.2) = 5.
    let sc = scenario(
        "",
        r#"replicas = 4
cpu = "1"
load = { curve = "constant", cores = 2.88 }
hpa = { target-cpu-utilization = 60, max-replicas = 20 }"#,
        "1m",
    );
    assert_eq!(steps(&run(&sc)), vec![(0, 4, 5)]);
}

#[test]
fn a_load_drop_scales_down_only_after_five_minutes() {
    // 4 × 1000m at 60 % (2.4 cores) until 10m, then 30 % (1.2 cores). From
    // the sync at 600 s the proposal is ceil(4 × 0.5) = 2, but the syncs up
    // to 585 s recommended 4 (within tolerance, the current count). The
    // recommendation at 585 s drops out of the window at 585 + 300 = 885 s.
    let sc = scenario(
        "",
        r#"replicas = 4
cpu = "1"
load = { curve = "steps", steps = [{ at = "0s", cores = 2.4 }, { at = "10m", cores = 1.2 }] }
hpa = { target-cpu-utilization = 60, max-replicas = 20 }"#,
        "30m",
    );
    let r = run(&sc);
    assert_eq!(steps(&r), vec![(885, 4, 2)]);
    let d = &scaled(&r)[0].1;
    assert!(d.contains("cpu 30% of request on 4 running"), "{d}");
    for (t, desired) in desired_series(&r) {
        assert_eq!(desired, if t < 885 { 4 } else { 2 }, "at {t}s");
    }

    // A shorter window, 1m: the drop happens at 585 + 60 = 645 s.
    let sc = scenario(
        "",
        r#"replicas = 4
cpu = "1"
load = { curve = "steps", steps = [{ at = "0s", cores = 2.4 }, { at = "10m", cores = 1.2 }] }
hpa = { target-cpu-utilization = 60, max-replicas = 20, scale-down = { stabilization = "1m" } }"#,
        "30m",
    );
    assert_eq!(steps(&run(&sc)), vec![(645, 4, 2)]);

    // The load falls in two steps: 45 % from 10m (proposal ceil(4 × 0.75)
    // = 3), 30 % from 12m (proposal 2). At 885 s the window (585 s, 885 s]
    // holds 3s (600–705 s) and 2s: the highest, 3, wins. The last 3 (at
    // 705 s) leaves the window at 1005 s: then 2.
    let sc = scenario(
        "",
        r#"replicas = 4
cpu = "1"
load = { curve = "steps", steps = [{ at = "0s", cores = 2.4 }, { at = "10m", cores = 1.8 }, { at = "12m", cores = 1.2 }] }
hpa = { target-cpu-utilization = 60, max-replicas = 20 }"#,
        "30m",
    );
    let r = run(&sc);
    assert_eq!(steps(&r), vec![(885, 4, 3), (1005, 3, 2)]);
    assert!(
        scaled(&r)[0]
            .1
            .contains("proposed 2, 3 after the 5m stabilization window"),
        "{:?}",
        scaled(&r)
    );
}

#[test]
fn min_and_max_replicas_are_respected() {
    // 100 cores for 500m pods at 50 %: the formula wants 400; max 5.
    // 2 -> 5 (the rate would allow 6) at 0 s, then never more.
    let sc = scenario(
        "",
        r#"replicas = 2
cpu = "500m"
load = { curve = "constant", cores = 100 }
hpa = { target-cpu-utilization = 50, max-replicas = 5 }"#,
        "10m",
    );
    let r = run(&sc);
    assert_eq!(steps(&r), vec![(0, 2, 5)]);
    assert!(scaled(&r)[0].1.contains("limited to max-replicas 5"));
    // No load at all: the proposal is 0; min 3 holds. The initial count (6)
    // is the only recommendation above 0 in the window: down at 300 s.
    let sc = scenario(
        "",
        r#"replicas = 6
cpu = "500m"
load = { curve = "constant", cores = 0 }
hpa = { target-cpu-utilization = 50, min-replicas = 3, max-replicas = 10 }"#,
        "10m",
    );
    let r = run(&sc);
    assert_eq!(steps(&r), vec![(300, 6, 3)]);
    assert!(scaled(&r)[0].1.contains("limited to min-replicas 3"));
    // Declared outside the range: set to the bound at the first sync,
    // without reading the metric.
    let sc = scenario(
        "",
        r#"replicas = 12
cpu = "500m"
load = { curve = "constant", cores = 0 }
hpa = { target-cpu-utilization = 50, min-replicas = 3, max-replicas = 10 }"#,
        "1m",
    );
    let r = run(&sc);
    assert_eq!(steps(&r), vec![(0, 12, 10)]);
    assert!(scaled(&r)[0].1.contains("above max-replicas 10"));
}

#[test]
fn replicas_follow_a_steps_load_at_exact_times() {
    // 500m pods, target 50 %: n replicas carry 0.25 × n cores at target.
    //   0 s   1 core on 4 pods = 50 %: held.
    //   300 s 4 cores: 200 %, proposal 16; rate max(2 × 4, 4 + 4) = 8.
    //   315 s 4 cores on 8 = 100 %, proposal 16; rate max(16, 12): 16.
    //   1200 s 1 core on 16 = 12 % (12.5 truncated), ceil(16 × 0.24) = 4,
    //         held by the window until the last 16 (at 1185 s) is 5 min old.
    let sc = scenario(
        "",
        r#"replicas = 4
cpu = "500m"
load = { curve = "steps", steps = [{ at = "0s", cores = 1 }, { at = "5m", cores = 4 }, { at = "20m", cores = 1 }] }
hpa = { target-cpu-utilization = 50, max-replicas = 30 }"#,
        "40m",
    );
    let r = run(&sc);
    assert_eq!(
        steps(&r),
        vec![(300, 4, 8), (315, 8, 16), (1485, 16, 4)],
        "{:#?}",
        scaled(&r)
    );
    for (t, desired) in desired_series(&r) {
        let want = match t {
            0..300 => 4,
            300..315 => 8,
            315..1485 => 16,
            _ => 4,
        };
        assert_eq!(desired, want, "at {t}s");
    }
    assert_eq!((r.summary.hpa_scale_ups, r.summary.hpa_scale_downs), (2, 1));
    // Demand: 1 × 300 + 4 × 900 + 1 × 1200 core-s; the replicas always
    // serve it (4 cores need 8 × 500m: at 300 s exactly 8 run).
    assert_eq!(r.summary.demand_core_s, Some(5100.0));
    assert_eq!(r.summary.unmet_demand_core_s, Some(0.0));
}

#[test]
fn pending_replicas_when_the_cluster_is_full() {
    // One 2-core node holds four 500m replicas. 3 cores at target 50 %:
    //   0 s  2 running at 300 %: proposal 12, rate max(4, 6) = 6. Two more
    //        start, two wait.
    //   15 s 4 running at 150 %; with 2 pending (as using nothing):
    //        3000 / 3000 = 100 %, ratio 2, ceil(2 × 6) = 12; max 10.
    //   30 s 4 running, 6 pending: 3000 / 5000 = 60 %, ceil(1.2 × 10) = 12,
    //        still above max: stays 10.
    // The 4 running replicas serve 2 of the 3 cores: 1 core unmet throughout.
    let sc = scenario(
        "[[pools]]\nname = \"w\"\ncount = 1\ncpu = \"2\"\nmemory = \"8Gi\"\n",
        r#"replicas = 2
cpu = "500m"
load = { curve = "constant", cores = 3 }
hpa = { target-cpu-utilization = 50, max-replicas = 10 }"#,
        "10m",
    );
    let r = run(&sc);
    assert_eq!(steps(&r), vec![(0, 2, 6), (15, 6, 10)]);
    let last = r.service_load.last().unwrap();
    assert_eq!(
        (last.desired, last.running, last.pending, last.unmet_m()),
        (10, 4, 6, 1000)
    );
    assert_eq!(r.summary.pods_pending_at_end, 6);
    assert_eq!(r.summary.demand_core_s, Some(1800.0));
    assert_eq!(r.summary.unmet_demand_core_s, Some(600.0));
}

#[test]
fn with_no_replica_running_the_hpa_does_nothing() {
    // 2-core replicas on a 1-core node: nothing runs, so no pod reports
    // usage and the HPA cannot compute a metric. All demand is unmet.
    let sc = scenario(
        "[[pools]]\nname = \"w\"\ncount = 1\ncpu = \"1\"\nmemory = \"8Gi\"\n",
        r#"replicas = 2
cpu = "2"
load = { curve = "constant", cores = 3 }
hpa = { target-cpu-utilization = 50, max-replicas = 10 }"#,
        "5m",
    );
    let r = run(&sc);
    assert_eq!(steps(&r), vec![]);
    assert_eq!(r.summary.unmet_demand_core_s, Some(900.0));
    let last = r.service_load.last().unwrap();
    assert_eq!((last.desired, last.running, last.pending), (2, 0, 2));
    assert_eq!(last.utilization_pct(), None);
}

#[test]
fn starting_replicas_count_as_idle_on_a_scale_up() {
    // 1000m pods starting for 60 s, target 50 %, 4 cores from 0.
    //   0 s   the 2 replicas are starting: no ready pod, no metric.
    //   15–45 s the same.
    //   60 s  2 running at 200 %: proposal 8, rate max(4, 6) = 6.
    //   75 s  2 running at 200 % and 4 starting (as idle): 4000 / 6000 =
    //         66 %, ratio 1.32, ceil(1.32 × 6) = 8 (7.92): 6 -> 8.
    //   90 s  2 running, 6 starting: 4000 / 8000 = 50 %: within tolerance.
    //   120 s the 4 created at 60 s run: 4000 / 6000 = 66 % with 2
    //         starting, 4000 / 8000 = 50 %: held. From 135 s all 8 run at
    //         50 %: held.
    let sc = scenario(
        "",
        r#"replicas = 2
cpu = "1"
startup = "60s"
load = { curve = "constant", cores = 4 }
hpa = { target-cpu-utilization = 50, max-replicas = 20 }"#,
        "10m",
    );
    let r = run(&sc);
    assert_eq!(steps(&r), vec![(60, 2, 6), (75, 6, 8)], "{:#?}", scaled(&r));
}

#[test]
fn a_csv_load_is_read_relative_to_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("loads")).unwrap();
    std::fs::write(
        dir.path().join("loads/web.csv"),
        "t_s,cores\n0,1\n120,2.5\n\n300.5,500m\n",
    )
    .unwrap();
    let text = r#"name = "csv"
horizon = "10m"
sample-every = "1m"
[[pools]]
name = "w"
count = 1
cpu = "8"
memory = "8Gi"
[[services]]
name = "web"
replicas = 4
cpu = "500m"
memory = "64Mi"
load = { curve = "csv", file = "loads/web.csv" }
"#;
    let path = dir.path().join("csv.toml");
    std::fs::write(&path, text).unwrap();
    let sc = Scenario::load(&path).unwrap();
    let r = run_one(&sc, "balanced", 1).unwrap();
    // 1 × 120 + 2.5 × 180.5 + 0.5 × 299.5 core-s; 4 × 500m serve 2 cores,
    // so 0.5 core is unmet from 120 s to 300.5 s.
    let demand = 120.0 + 2.5 * 180.5 + 0.5 * 299.5;
    assert_eq!(r.summary.demand_core_s, Some(demand));
    assert_eq!(r.summary.unmet_demand_core_s, Some(0.5 * 180.5));
    let at = |t: u64| {
        r.service_load
            .iter()
            .find(|s| s.t == SimTime::from_secs(t))
            .unwrap()
            .demand_m
    };
    assert_eq!((at(60), at(120), at(300), at(360)), (1000, 2500, 2500, 500));
    // No HPA: the summary counts no scaling.
    assert_eq!(r.summary.hpa_scale_ups + r.summary.hpa_scale_downs, 0);
}

#[test]
fn a_diurnal_load_integrates_to_its_mean() {
    // 2 cores on average over a day; 8 × 500m replicas serve 4 cores, more
    // than the 3-core peak, so nothing is unmet.
    let sc = scenario(
        "",
        r#"replicas = 8
cpu = "500m"
load = { curve = "diurnal", mean = 2, amplitude = 0.5, peak = "14h" }"#,
        "1d",
    );
    let r = run(&sc);
    let demand = r.summary.demand_core_s.unwrap();
    assert!((demand - 2.0 * 86_400.0).abs() < 1.0, "{demand}");
    assert_eq!(r.summary.unmet_demand_core_s, Some(0.0));
    let peak = r.service_load.iter().max_by_key(|s| s.demand_m).unwrap();
    assert!((2990..=3000).contains(&peak.demand_m), "{peak:?}");
}

#[test]
fn outputs_are_deterministic_and_services_csv_is_written() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/hpa-load.toml");
    let sc = Scenario::load(&path).unwrap();
    let a = run_one(&sc, "balanced", 1).unwrap();
    let b = run_one(&sc, "balanced", 1).unwrap();
    assert_eq!(a.service_load, b.service_load);
    assert_eq!(a.log, b.log);
    assert_eq!(a.summary, b.summary);
    let dir = tempfile::tempdir().unwrap();
    podsim::report::write_run(dir.path(), &a).unwrap();
    let csv = std::fs::read_to_string(dir.path().join("service-load.csv")).unwrap();
    assert!(csv.starts_with(
        "t_s,service,demand_cores,replicas_desired,replicas_running,replicas_starting,replicas_pending,replicas_lost,utilization_pct,unmet_cores\n0,web,0.600,2,0,2,0,0,,0.600\n"
    ), "{csv}");
    // The scenario's story, as its comment tells it.
    assert_eq!(
        steps(&a),
        vec![
            (600, 2, 6),
            (615, 6, 10),
            (1500, 10, 20),
            (1515, 20, 40),
            (2985, 40, 7),
            (3885, 7, 2)
        ]
    );
}

#[test]
fn replicas_lost_with_their_node_do_not_make_the_hpa_scale_up() {
    // Two 2-core nodes, four 1-core replicas (two per node), 2.4 cores:
    // 60 % of the requests, the target. w-1 dies at 300 s: its two replicas
    // report nothing (missing). The two left run at 120 %, but missing pods
    // count as idle on a scale-up: 2400 / 4000 = 60 %, ratio 1 — held. At
    // 650 s (50 s + 5 min) they are evicted and replaced; the replacements
    // wait (w-0 is full, w-1 NotReady) and count as idle: still held.
    // From 300 s the two running replicas serve 2 of the 2.4 cores.
    let sc = scenario(
        "[[pools]]\nname = \"w\"\ncount = 2\ncpu = \"2\"\nmemory = \"8Gi\"\n\n[[events]]\nat = \"5m\"\naction = \"fail-node\"\nnode = \"w-1\"\n",
        r#"replicas = 4
cpu = "1"
load = { curve = "constant", cores = 2.4 }
hpa = { target-cpu-utilization = 60, max-replicas = 20 }"#,
        "15m",
    );
    let r = run(&sc);
    assert_eq!(steps(&r), vec![]);
    let at = |t: u64| {
        let s = r
            .service_load
            .iter()
            .find(|s| s.t == SimTime::from_secs(t))
            .unwrap();
        (s.running, s.pending, s.lost)
    };
    assert_eq!(at(285), (4, 0, 0));
    assert_eq!(at(300), (2, 0, 2));
    assert_eq!(at(645), (2, 0, 2));
    assert_eq!(at(660), (2, 2, 0));
    assert_eq!(r.summary.unmet_demand_core_s, Some(0.4 * 600.0));
}
