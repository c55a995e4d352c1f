//! `podsim trace generate`: a synthetic scenario and the scenario replaying
//! the trace it generates submit the same pods.
//!
//! The synthetic scenario uses every new generator at once (diurnal and
//! bursty arrivals, arrivals replayed from a trace, an empirical run-time
//! distribution, a sizes mix) beside a service and node events. Two replays
//! are run from the generated trace:
//!
//! 1. `[[jobs]]` replaced by a `[[traces]]` entry reading `pods.csv`, pools,
//!    services and events kept;
//! 2. also the pools and node events replaced by the trace's `nodes.csv`.
//!
//! Per pod, every column of `pods.csv` must match except two that cannot:
//! `owner`, since podsim names a trace's owners `<trace>/<owner>`, and
//! `task`, since a trace numbers its tasks across all its owners in
//! submission order while a job numbers its own. Pods are matched through
//! the generated trace, whose row k is the replay's task k and whose id is
//! `<job>-<task>`. The workload columns (submit time, requests, priority,
//! kind, and run time = end − start of a pod that completed without
//! restarting) are checked first and on their own: they are what the trace
//! promises. The schedule columns (node, bind, start, end, outcome) match as
//! well because the replay submits the same pods in the same order to the
//! same seeded scheduler.
//!
//! Every workload is `preemption-policy = "Never"`: with preemption, a
//! preempted job pod's retry (10 s of back-off after an arrival at a whole
//! second) can fall on the same microsecond as another arrival, and the
//! synthetic generator and the trace reader schedule their arrival events at
//! different moments, so such ties break differently.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_podsim");

fn podsim(args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "podsim {args:?} failed:\n{stderr}");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

type Rows = Vec<BTreeMap<String, String>>;

fn read_csv(path: &Path) -> Rows {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let header = r.headers().unwrap().clone();
    r.records()
        .map(|rec| {
            let rec = rec.unwrap();
            header
                .iter()
                .zip(rec.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

const SYNTH: &str = r#"
name = "synth"
seed = 7
horizon = "6h"
policies = ["spread", "binpack", "random"]

[[pools]]
name = "w"
count = 4
cpu = "8"
memory = "32Gi"
zones = ["a", "b"]

[[services]]
name = "web"
replicas = 4
cpu = "500m"
memory = "1Gi"
preemption-policy = "Never"

[[jobs]]
name = "day"
count = 400
priority = 5
preemption-policy = "Never"
arrival = { process = "diurnal", mean-rate = "1/m", amplitude = 0.8, peak = "3h" }
duration = { dist = "lognormal", median = "5m", sigma = 0.8 }
sizes = [
  { cpu = "500m", memory = "1Gi", weight = 5 },
  { cpu = "2", memory = "8Gi", weight = 2 },
  { cpu = "6", memory = "24Gi" },
]

[[jobs]]
name = "burst"
count = 300
preemption-policy = "Never"
cpu = "1"
memory = "2Gi"
arrival = { process = "bursty", on-rate = "6/m", off-rate = "0.2/m", mean-on = "10m", mean-off = "30m" }
duration = { dist = "empirical", file = "fixtures/runtimes.csv" }

[[jobs]]
name = "replayed"
count = 300
cpu = "250m"
memory = "512Mi"
priority = -1
arrival = { process = "trace", file = "fixtures/arrivals.csv", from = "5000s" }
duration = { dist = "weibull", scale = "10m", shape = 0.7 }

[[jobs]]
name = "batch"
count = 50
preemption-policy = "Never"
cpu = "4"
memory = "4Gi"
arrival = { process = "at-once", at = "2h" }
duration = { dist = "uniform", min = "1m", max = "20m" }

[[events]]
at = "1h"
action = "fail-node"
node = "w-1"
duration = "30m"

[[events]]
at = "2h"
action = "add-nodes"
pool = "w"
count = 2

[[events]]
at = "3h"
action = "fail-zone"
zone = "a"

[[events]]
at = "4h"
action = "recover-zone"
zone = "a"
"#;

/// Writes the trace fixtures: run times (some as end times, as traces give
/// them) and arrival times starting at 5000 s.
fn fixtures(dir: &Path) {
    let f = dir.join("fixtures");
    std::fs::create_dir_all(&f).unwrap();
    let mut runtimes = String::from("id,submit_s,duration_s,end_s,cpu,memory\n");
    let choices = [5, 30, 60, 120, 600, 1800];
    for i in 0..3000u64 {
        let x = (i * 2_654_435_761) % 1000;
        if i % 7 == 0 {
            runtimes.push_str(&format!("r{i},{i},,{},1,1Gi\n", i + 1 + x));
        } else {
            let d = choices[(x % 6) as usize];
            runtimes.push_str(&format!("r{i},{i},{d}.{x:03},,1,1Gi\n"));
        }
    }
    std::fs::write(f.join("runtimes.csv"), runtimes).unwrap();
    let mut arrivals = String::from("id,submit_s,cpu,memory\n");
    let mut t = 5000.0f64;
    for i in 0..400u64 {
        t += 1.0 + ((i * 40_503) % 37) as f64;
        arrivals.push_str(&format!("a{i},{t},1,1Gi\n"));
    }
    std::fs::write(f.join("arrivals.csv"), arrivals).unwrap();
}

/// The synthetic scenario with its jobs replaced by the generated trace
/// (and, with `nodes`, its pools and events too).
fn replay(name: &str, nodes: bool) -> String {
    let mut s = SYNTH.replace("name = \"synth\"", &format!("name = \"{name}\""));
    let jobs = s.find("[[jobs]]").unwrap();
    let events = s.find("[[events]]").unwrap();
    let trace = if nodes {
        "[[traces]]\nname = \"gen\"\nformat = \"podsim\"\npods = \"tr/pods.csv\"\nnodes = \"tr/nodes.csv\"\nzones = [\"a\", \"b\"]\npreemption-policy = \"Never\"\n"
    } else {
        "[[traces]]\nname = \"gen\"\nformat = \"podsim\"\npods = \"tr/pods.csv\"\npreemption-policy = \"Never\"\n\n"
    };
    if nodes {
        s.truncate(jobs);
        let pools = s.find("[[pools]]").unwrap();
        let services = s.find("[[services]]").unwrap();
        s.replace_range(pools..services, "");
        s.push_str(trace);
    } else {
        s.replace_range(jobs..events, trace);
    }
    s
}

/// Pods keyed by (job, task in the job, attempt); services by their own.
fn by_task(
    rows: &Rows,
    trace_ids: Option<&[String]>,
) -> BTreeMap<(String, String, String), BTreeMap<String, String>> {
    rows.iter()
        .map(|r| {
            let key = match (r["kind"].as_str(), trace_ids) {
                ("job", Some(ids)) => {
                    let id = &ids[r["task"].parse::<usize>().unwrap()];
                    let (job, task) = id.rsplit_once('-').unwrap();
                    assert_eq!(r["owner"], format!("gen/{job}"));
                    (job.to_string(), task.to_string(), r["attempt"].clone())
                }
                _ => (r["owner"].clone(), r["task"].clone(), r["attempt"].clone()),
            };
            (key, r.clone())
        })
        .collect()
}

fn run_time(r: &BTreeMap<String, String>) -> Option<f64> {
    (r["outcome"] == "completed" && r["restarts"] == "0")
        .then(|| r["end_s"].parse::<f64>().unwrap() - r["start_s"].parse::<f64>().unwrap())
}

#[test]
fn a_generated_trace_replays_the_synthetic_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fixtures(d);
    std::fs::write(d.join("synth.toml"), SYNTH).unwrap();
    std::fs::write(d.join("replay.toml"), replay("replay", false)).unwrap();
    std::fs::write(d.join("replay-nodes.toml"), replay("replay-nodes", true)).unwrap();
    let p = |f: &str| d.join(f).display().to_string();

    let said = podsim(&["trace", "generate", &p("synth.toml"), &p("tr")]);
    assert!(
        said.contains("1050 pods: day 400, burst 300, replayed 300, batch 50"),
        "{said}"
    );
    assert!(
        said.contains("note: 1 service is not in pods.csv"),
        "{said}"
    );
    let generated = read_csv(&d.join("tr/pods.csv"));
    let ids: Vec<String> = generated.iter().map(|r| r["id"].clone()).collect();
    // Sizes and priorities come through.
    let day: Vec<_> = generated.iter().filter(|r| r["owner"] == "day").collect();
    assert!(day.iter().all(|r| r["priority"] == "5"));
    let big = day.iter().filter(|r| r["cpu"] == "6000m").count();
    assert!(big > 20 && big < 80, "{big} of 400 pods of the 1/8 size");
    // Node events as the simulation applies them: the timed failure of w-1
    // recovers at 1h30m; the zone failure at 3h takes w-0, w-2 and w-4.
    let nodes = std::fs::read_to_string(d.join("tr/nodes.csv")).unwrap();
    assert!(nodes.contains("\n5400,w-1,recover,,\n"), "{nodes}");
    assert!(
        nodes.contains("\n10800,w-0,fail,,\n10800,w-2,fail,,\n10800,w-4,fail,,\n"),
        "{nodes}"
    );

    let out = p("out");
    for s in ["synth.toml", "replay.toml", "replay-nodes.toml"] {
        podsim(&["run", &p(s), "--out", &out, "--quiet"]);
    }
    let workload = ["submit_s", "cpu_m", "memory_bytes", "priority", "kind"];
    for replay in ["replay", "replay-nodes"] {
        for policy in ["spread", "binpack", "random"] {
            let path = |sc: &str| d.join("out").join(sc).join(policy).join("seed-7/pods.csv");
            let a = by_task(&read_csv(&path("synth")), None);
            let b = by_task(&read_csv(&path(replay)), Some(&ids));
            let what = format!("{replay} under {policy}");
            assert_eq!(
                a.keys().collect::<Vec<_>>(),
                b.keys().collect::<Vec<_>>(),
                "{what}: different pods"
            );
            let mut timed = 0;
            for (k, x) in &a {
                let y = &b[k];
                for c in workload {
                    assert_eq!(x[c], y[c], "{what}: {k:?} column {c}");
                }
                if let (Some(rx), Some(ry)) = (run_time(x), run_time(y)) {
                    assert!((rx - ry).abs() < 1e-9, "{what}: {k:?} ran {rx} vs {ry}");
                    timed += 1;
                }
            }
            assert!(timed > 900, "{what}: only {timed} run times compared");
            for (k, x) in &a {
                for (c, v) in x {
                    if c != "owner" && c != "task" {
                        assert_eq!(*v, b[k][c], "{what}: {k:?} column {c} (schedule)");
                    }
                }
            }
        }
    }
}

#[test]
fn generate_rejects_a_bad_scenario_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("bad.toml");
    std::fs::write(&f, "name = \"x\"\nhorizon = \"1h\"\n").unwrap();
    let out = Command::new(BIN)
        .args(["trace", "generate", f.to_str().unwrap(), "out"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("error: "));
}

#[test]
fn generate_is_deterministic_and_seed_replaces_the_scenarios() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fixtures(d);
    std::fs::write(d.join("synth.toml"), SYNTH).unwrap();
    let p = |f: &str| d.join(f).display().to_string();
    podsim(&["trace", "generate", &p("synth.toml"), &p("a")]);
    podsim(&[
        "trace",
        "generate",
        &p("synth.toml"),
        &p("b"),
        "--seed",
        "7",
    ]);
    podsim(&[
        "trace",
        "generate",
        &p("synth.toml"),
        &p("c"),
        "--seed",
        "8",
    ]);
    let read = |x: &str| std::fs::read(d.join(x).join("pods.csv")).unwrap();
    assert_eq!(read("a"), read("b"));
    assert_ne!(read("a"), read("c"));
}
