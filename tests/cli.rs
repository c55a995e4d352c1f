//! The `podsim` binary end to end: every shipped scenario validates and runs,
//! the outputs have their contract headers, and the command-line flags do
//! what `--help` says.
//!
//! Scenario files are discovered under `scenarios/` (subfolders included), so
//! a new scenario is covered without touching this file.

use podsim::scenario::Scenario;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_podsim");

/// The first nineteen columns of summary.csv: a contract other tools rely on.
const SUMMARY_CONTRACT: &str = "policy,seed,pods_submitted,pods_completed,pods_pending_at_end,pods_failed,evictions,restarts,wait_mean_s,wait_p50_s,wait_p95_s,wait_p99_s,wait_max_s,cpu_alloc_mean_pct,imbalance_mean,availability_pct,lost_work_core_s,node_hours,events";
const PODS_CONTRACT: &str = "pod,owner,kind,node,submit_s,start_s,end_s,outcome";
const TIMESERIES_CONTRACT: &str =
    "t_s,nodes_ready,pods_running,pods_pending,cpu_alloc_pct,mem_alloc_pct";

const BUILTIN_POLICIES: [&str; 6] = [
    "spread",
    "binpack",
    "balanced",
    "first-fit",
    "random",
    "round-robin",
];

fn podsim(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("cannot start the podsim binary")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts exit code 0 and no panic; returns stdout.
fn ok(out: &Output, what: &str) -> String {
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "{what}: panicked:\n{stderr}");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{what}: failed\nstdout:\n{}\nstderr:\n{stderr}",
        text(&out.stdout)
    );
    text(&out.stdout)
}

/// Every `*.toml` under `dir`, recursively, sorted.
fn toml_files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let p = e.unwrap().path();
        if p.is_dir() {
            found.extend(toml_files(&p));
        } else if p.extension().is_some_and(|x| x == "toml") {
            found.push(p);
        }
    }
    found.sort();
    found
}

fn shipped_scenarios() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let files = toml_files(&dir);
    assert!(!files.is_empty(), "no scenarios found in {}", dir.display());
    files
}

/// The header line (as written) and the data rows of a CSV file.
fn read_csv(path: &Path) -> (String, Vec<Vec<String>>) {
    let body = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let header = body
        .lines()
        .next()
        .unwrap_or_else(|| panic!("{} is empty", path.display()))
        .to_string();
    let rows = csv::Reader::from_reader(body.as_bytes())
        .records()
        .map(|r| {
            r.unwrap_or_else(|e| panic!("{}: {e}", path.display()))
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect();
    (header, rows)
}

/// (policy, seed) of each row of `<dir>/summary.csv`, in file order, after
/// checking its header and that every row has as many fields as the header.
fn summary_runs(dir: &Path) -> Vec<(String, u64)> {
    let path = dir.join("summary.csv");
    let (header, rows) = read_csv(&path);
    assert!(
        header.starts_with(SUMMARY_CONTRACT),
        "{}: header does not start with the contract columns:\n{header}",
        path.display()
    );
    let width = header.split(',').count();
    rows.iter()
        .map(|r| {
            assert_eq!(r.len(), width, "{}: row {r:?}", path.display());
            (r[0].clone(), r[1].parse().expect("seed is a number"))
        })
        .collect()
}

/// Checks the five per-run files of every (policy, seed) under `dir`.
fn check_run_files(dir: &Path, runs: &[(String, u64)], horizon_s: f64) {
    for (policy, seed) in runs {
        let run = dir.join(policy).join(format!("seed-{seed}"));
        for f in [
            "pods.csv",
            "timeseries.csv",
            "nodes.csv",
            "events.csv",
            "pools.csv",
        ] {
            assert!(run.join(f).is_file(), "missing {}", run.join(f).display());
        }
        let (h, _) = read_csv(&run.join("pods.csv"));
        assert!(h.starts_with(PODS_CONTRACT), "{}: {h}", run.display());
        let (h, samples) = read_csv(&run.join("timeseries.csv"));
        assert!(h.starts_with(TIMESERIES_CONTRACT), "{}: {h}", run.display());
        // Samples run from 0 to at most the horizon, in order.
        let times: Vec<f64> = samples.iter().map(|r| r[0].parse().unwrap()).collect();
        assert_eq!(times.first(), Some(&0.0), "{}", run.display());
        assert!(
            times.windows(2).all(|w| w[0] < w[1]),
            "{}: times out of order",
            run.display()
        );
        assert!(*times.last().unwrap() <= horizon_s, "{}", run.display());
        let (h, _) = read_csv(&run.join("nodes.csv"));
        assert!(h.starts_with("node,"), "{}: {h}", run.display());
        let (h, _) = read_csv(&run.join("events.csv"));
        assert!(h.starts_with("t_s,"), "{}: {h}", run.display());
        let (h, pools) = read_csv(&run.join("pools.csv"));
        assert_eq!(
            h,
            "pool,nodes_start,nodes_end,nodes_min,nodes_max,nodes_added,nodes_removed,node_hours,cost",
            "{}",
            run.display()
        );
        assert!(!pools.is_empty(), "{}: no pool rows", run.display());
    }
}

/// The expected (policy, seed) rows: policy-major, seeds consecutive.
fn expected_runs(policies: &[&str], first_seed: u64, seeds: u64) -> Vec<(String, u64)> {
    policies
        .iter()
        .flat_map(|p| (0..seeds).map(move |k| (p.to_string(), first_seed + k)))
        .collect()
}

// ---------------------------------------------------------------- shipped scenarios

#[test]
fn every_shipped_scenario_validates() {
    let files = shipped_scenarios();
    for f in &files {
        let stdout = ok(
            &podsim(&["validate", f.to_str().unwrap()]),
            &f.display().to_string(),
        );
        assert!(
            stdout.starts_with(&format!("ok: {}", f.display())),
            "{stdout}"
        );
    }
    // All at once too: one `ok:` line each.
    let mut args = vec!["validate"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    let stdout = ok(&podsim(&args), "validate all");
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok: ")).count(),
        files.len()
    );
}

#[test]
fn every_shipped_scenario_runs_and_writes_its_outputs() {
    for f in shipped_scenarios() {
        let sc = Scenario::load(&f).unwrap_or_else(|e| panic!("{e}"));
        let out = TempDir::new().unwrap();
        let o = podsim(&[
            "run",
            f.to_str().unwrap(),
            "--out",
            out.path().to_str().unwrap(),
            "--quiet",
        ]);
        let stdout = ok(&o, &f.display().to_string());
        assert_eq!(stdout, "", "{}: --quiet printed to stdout", f.display());
        assert_eq!(
            text(&o.stderr),
            "",
            "{}: --quiet printed to stderr",
            f.display()
        );

        let dir = out.path().join(&sc.name);
        let policies: Vec<&str> = sc.policies.iter().map(String::as_str).collect();
        let want = expected_runs(&policies, sc.seed, 1);
        assert_eq!(summary_runs(&dir), want, "{}", f.display());
        check_run_files(&dir, &want, sc.horizon.as_secs_f64());
        assert!(dir.join("timings.csv").is_file());
        // The scenario is copied as read, for provenance.
        assert_eq!(
            std::fs::read_to_string(dir.join("scenario.toml")).unwrap(),
            std::fs::read_to_string(&f).unwrap()
        );
    }
}

// ---------------------------------------------------------------- commands

#[test]
fn policies_lists_the_six_builtins() {
    let stdout = ok(&podsim(&["policies"]), "policies");
    let mut names: Vec<&str> = stdout
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(names.len(), 6, "{stdout}");
    names.sort();
    let mut want = BUILTIN_POLICIES.to_vec();
    want.sort();
    assert_eq!(names, want);
    // Each line says what the policy prefers.
    assert!(
        stdout.lines().all(|l| l.split_whitespace().count() > 2),
        "{stdout}"
    );
}

#[test]
fn demo_writes_its_folder_and_prints_a_table() {
    let out = TempDir::new().unwrap();
    let stdout = ok(
        &podsim(&["demo", "--out", out.path().to_str().unwrap()]),
        "demo",
    );
    let demo = Scenario::parse(podsim::cli::DEMO_SCENARIO, "demo").unwrap();
    let dir = out.path().join("demo");
    let policies: Vec<&str> = demo.policies.iter().map(String::as_str).collect();
    let want = expected_runs(&policies, demo.seed, 1);
    assert_eq!(summary_runs(&dir), want);
    check_run_files(&dir, &want, demo.horizon.as_secs_f64());
    // The table: a heading line, then one line per policy.
    let heading = stdout
        .lines()
        .find(|l| l.starts_with("policy"))
        .unwrap_or_else(|| panic!("no table heading:\n{stdout}"));
    assert!(heading.contains("seeds"), "{heading}");
    for p in &policies {
        assert!(
            stdout
                .lines()
                .any(|l| l.split_whitespace().next() == Some(p)),
            "no table row for {p}:\n{stdout}"
        );
    }
}

#[test]
fn demo_quiet_prints_nothing() {
    let out = TempDir::new().unwrap();
    let o = podsim(&["demo", "--quiet", "--out", out.path().to_str().unwrap()]);
    assert_eq!(ok(&o, "demo --quiet"), "");
    assert!(out.path().join("demo/summary.csv").is_file());
}

// ---------------------------------------------------------------- flags, on a small scenario

const SMALL: &str = r#"
name = "small"
seed = 40
horizon = "20m"
sample-every = "1m"
policies = ["spread", "binpack"]

[[pools]]
name = "w"
count = 3
cpu = "2"
memory = "8Gi"
zones = ["a", "b"]

[[services]]
name = "web"
replicas = 3
cpu = "500m"
memory = "512Mi"

[[jobs]]
name = "batch"
count = 20
cpu = "500m"
memory = "1Gi"
arrival = { process = "poisson", rate = "2/m" }
duration = { dist = "exponential", mean = "3m" }

[[events]]
at = "5m"
action = "fail-node"
node = "w-1"
duration = "5m"
"#;

struct Small {
    dir: TempDir,
    file: PathBuf,
}

impl Small {
    fn new() -> Small {
        let dir = TempDir::new().unwrap();
        let file = dir.path().join("small.toml");
        std::fs::write(&file, SMALL).unwrap();
        Small { dir, file }
    }
    /// Runs `podsim run small.toml --quiet --out <tmp>/<out> ARGS`; returns the scenario's output folder.
    fn run(&self, out: &str, args: &[&str]) -> PathBuf {
        let o = self.dir.path().join(out);
        let mut all = vec![
            "run",
            self.file.to_str().unwrap(),
            "--quiet",
            "--out",
            o.to_str().unwrap(),
        ];
        all.extend_from_slice(args);
        ok(&podsim(&all), &format!("run {args:?}"));
        o.join("small")
    }
}

#[test]
fn the_scenario_decides_by_default() {
    let s = Small::new();
    let dir = s.run("default", &[]);
    let want = expected_runs(&["spread", "binpack"], 40, 1);
    assert_eq!(summary_runs(&dir), want);
    check_run_files(&dir, &want, 1200.0);
}

#[test]
fn seeds_k_runs_k_consecutive_seeds_per_policy() {
    let s = Small::new();
    let dir = s.run("seeds", &["--seeds", "3"]);
    let want = expected_runs(&["spread", "binpack"], 40, 3);
    assert_eq!(summary_runs(&dir), want);
    check_run_files(&dir, &want, 1200.0);
}

#[test]
fn seed_replaces_the_scenarios_seed() {
    let s = Small::new();
    let dir = s.run("seed", &["--seed", "7"]);
    let want = expected_runs(&["spread", "binpack"], 7, 1);
    assert_eq!(summary_runs(&dir), want);
    assert!(!dir.join("spread/seed-40").exists());

    let dir = s.run("seed-seeds", &["--seed", "7", "--seeds", "3"]);
    assert_eq!(
        summary_runs(&dir),
        expected_runs(&["spread", "binpack"], 7, 3)
    );
}

#[test]
fn policy_flags_replace_the_scenarios_policies() {
    let s = Small::new();
    let dir = s.run("policy", &["--policy", "first-fit", "--policy", "random"]);
    let want = expected_runs(&["first-fit", "random"], 40, 1);
    assert_eq!(summary_runs(&dir), want);
    check_run_files(&dir, &want, 1200.0);
    assert!(!dir.join("spread").exists());
    assert!(!dir.join("binpack").exists());
}

#[test]
fn every_builtin_policy_runs() {
    let s = Small::new();
    let mut args = Vec::new();
    for p in BUILTIN_POLICIES {
        args.extend(["--policy", p]);
    }
    let dir = s.run("all", &args);
    let want = expected_runs(&BUILTIN_POLICIES, 40, 1);
    assert_eq!(summary_runs(&dir), want);
    check_run_files(&dir, &want, 1200.0);
}

#[test]
fn outputs_do_not_depend_on_the_number_of_jobs() {
    let s = Small::new();
    let one = s.run("one", &["--seeds", "2", "--jobs", "1"]);
    let two = s.run("two", &["--seeds", "2", "--jobs", "2"]);
    for f in [
        "summary.csv",
        "spread/seed-41/pods.csv",
        "binpack/seed-40/timeseries.csv",
        "binpack/seed-41/events.csv",
        "spread/seed-40/nodes.csv",
    ] {
        assert_eq!(
            std::fs::read(one.join(f)).unwrap(),
            std::fs::read(two.join(f)).unwrap(),
            "{f} differs between --jobs 1 and --jobs 2"
        );
    }
}

#[test]
fn run_prints_a_table_and_where_it_wrote() {
    let s = Small::new();
    let out = s.dir.path().join("loud");
    let o = podsim(&[
        "run",
        s.file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let stdout = ok(&o, "run without --quiet");
    assert!(stdout.lines().any(|l| l.starts_with("policy")), "{stdout}");
    for p in ["spread", "binpack"] {
        assert!(
            stdout
                .lines()
                .any(|l| l.split_whitespace().next() == Some(p)),
            "{stdout}"
        );
    }
    assert!(
        stdout.contains(&out.join("small").display().to_string()),
        "{stdout}"
    );
}
