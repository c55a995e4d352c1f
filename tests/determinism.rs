//! Determinism: the same scenario and seed give byte-identical output files,
//! whether a run is done twice, together with other policies, or in parallel
//! with any number of threads. Only `timings.csv` (wall-clock) may differ.

use podsim::compare::{plan, run_all};
use podsim::metrics::RunResult;
use podsim::report::write_scenario_outputs;
use podsim::scenario::Scenario;
use podsim::simulation::run_one;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn node_failure() -> Scenario {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/node-failure.toml");
    Scenario::load(&path).unwrap()
}

/// Every file under `dir`, by path relative to it, with its bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_path_buf();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Writes `results` into a fresh temporary folder and returns its files,
/// without `timings.csv`.
fn outputs(sc: &Scenario, results: &[RunResult]) -> BTreeMap<PathBuf, Vec<u8>> {
    let tmp = tempfile::tempdir().unwrap();
    let wall = vec![1.0; results.len()];
    let dir = write_scenario_outputs(tmp.path(), sc, results, &wall).unwrap();
    assert_eq!(dir, tmp.path().join(&sc.name));
    let mut f = files(tmp.path());
    let timings = PathBuf::from(&sc.name).join("timings.csv");
    assert!(f.remove(&timings).is_some(), "no timings.csv written");
    f
}

/// Asserts two sets of files are identical, naming the first difference.
fn assert_same(a: &BTreeMap<PathBuf, Vec<u8>>, b: &BTreeMap<PathBuf, Vec<u8>>) {
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "different files written"
    );
    for (path, bytes) in a {
        if *bytes != b[path] {
            let (x, y) = (
                String::from_utf8_lossy(bytes),
                String::from_utf8_lossy(&b[path]),
            );
            let line = x
                .lines()
                .zip(y.lines())
                .position(|(l, m)| l != m)
                .unwrap_or(x.lines().count().min(y.lines().count()));
            panic!(
                "{} differs at line {}:\n  {:?}\n  {:?}",
                path.display(),
                line + 1,
                x.lines().nth(line),
                y.lines().nth(line)
            );
        }
    }
}

/// The per-run files of `policy`/`seed` in an output set.
fn run_files(
    all: &BTreeMap<PathBuf, Vec<u8>>,
    sc: &Scenario,
    policy: &str,
    seed: u64,
) -> BTreeMap<PathBuf, Vec<u8>> {
    let prefix = PathBuf::from(&sc.name)
        .join(policy)
        .join(format!("seed-{seed}"));
    all.iter()
        .filter(|(p, _)| p.starts_with(&prefix))
        .map(|(p, b)| (p.clone(), b.clone()))
        .collect()
}

#[test]
fn same_run_twice_gives_identical_files() {
    let sc = node_failure();
    let a = outputs(&sc, &[run_one(&sc, "spread", sc.seed).unwrap()]);
    let b = outputs(&sc, &[run_one(&sc, "spread", sc.seed).unwrap()]);
    assert_same(&a, &b);

    // The comparison is not vacuous: the files are there and full, and
    // another seed gives other numbers.
    let run_dir = PathBuf::from(&sc.name)
        .join("spread")
        .join(format!("seed-{}", sc.seed));
    for f in ["summary.csv", "scenario.toml"] {
        assert!(
            a.contains_key(&PathBuf::from(&sc.name).join(f)),
            "{f} missing"
        );
    }
    for f in ["pods.csv", "timeseries.csv", "nodes.csv", "events.csv"] {
        assert!(a.contains_key(&run_dir.join(f)), "{f} missing");
    }
    let pods = &a[&run_dir.join("pods.csv")];
    assert!(
        pods.iter().filter(|&&c| c == b'\n').count() > 50,
        "pods.csv too short"
    );
    let events = String::from_utf8_lossy(&a[&run_dir.join("events.csv")]).into_owned();
    assert!(events.contains("node-failed") && events.contains("pods-evicted"));
    let other = outputs(&sc, &[run_one(&sc, "spread", sc.seed + 1).unwrap()]);
    assert_ne!(
        a[&PathBuf::from(&sc.name).join("summary.csv")],
        other[&PathBuf::from(&sc.name).join("summary.csv")],
        "the seed changes nothing"
    );
}

/// Every policy, run twice: identical, including the random tie-breaks of
/// spread, binpack and balanced and the random policy itself.
#[test]
fn every_policy_is_reproducible() {
    let sc = node_failure();
    for policy in [
        "spread",
        "binpack",
        "balanced",
        "first-fit",
        "random",
        "round-robin",
    ] {
        for seed in [1, 7] {
            let a = outputs(&sc, &[run_one(&sc, policy, seed).unwrap()]);
            let b = outputs(&sc, &[run_one(&sc, policy, seed).unwrap()]);
            assert_same(&a, &b);
        }
    }
}

/// Running two policies together gives each the same files as running it alone,
/// and the summary lists the same rows in plan order.
#[test]
fn policies_together_match_policies_alone() {
    let sc = node_failure();
    let seeds = [sc.seed];
    let both = ["spread".to_string(), "binpack".to_string()];
    let (together, wall) = run_all(&sc, &plan(&both, &seeds), 2).unwrap();
    assert_eq!(wall.len(), 2);
    let together = outputs(&sc, &together);
    let mut summary_rows = Vec::new();
    for policy in &both {
        let alone = run_all(&sc, &plan(std::slice::from_ref(policy), &seeds), 1)
            .unwrap()
            .0;
        let alone = outputs(&sc, &alone);
        let a = run_files(&together, &sc, policy, sc.seed);
        let b = run_files(&alone, &sc, policy, sc.seed);
        assert_eq!(a.len(), 6, "pods, timeseries, nodes, pools, zones, events");
        assert_same(&a, &b);
        let summary =
            String::from_utf8(alone[&PathBuf::from(&sc.name).join("summary.csv")].clone()).unwrap();
        let mut lines = summary.lines();
        let header = lines.next().unwrap().to_string();
        if summary_rows.is_empty() {
            summary_rows.push(header);
        }
        summary_rows.extend(lines.map(str::to_string));
    }
    let summary =
        String::from_utf8(together[&PathBuf::from(&sc.name).join("summary.csv")].clone()).unwrap();
    assert_eq!(summary.lines().collect::<Vec<_>>(), summary_rows);
    // The two policies really do place differently here.
    assert_ne!(
        run_files(&together, &sc, "spread", sc.seed)
            .into_values()
            .collect::<Vec<_>>(),
        run_files(&together, &sc, "binpack", sc.seed)
            .into_values()
            .collect::<Vec<_>>()
    );
}

/// One worker thread or two: the same files, in the same order.
#[test]
fn run_all_is_independent_of_thread_count() {
    let sc = node_failure();
    let policies = ["spread", "binpack", "balanced"].map(String::from);
    let plans = plan(&policies, &[1, 2, 42]);
    assert_eq!(plans.len(), 9);
    let (serial, _) = run_all(&sc, &plans, 1).unwrap();
    let (parallel, _) = run_all(&sc, &plans, 2).unwrap();
    // Results come back in plan order.
    for (r, p) in parallel.iter().zip(&plans) {
        assert_eq!((r.policy.as_str(), r.seed), (p.policy.as_str(), p.seed));
    }
    let a = outputs(&sc, &serial);
    let b = outputs(&sc, &parallel);
    assert_eq!(
        a.len(),
        9 * 6 + 3,
        "9 runs × 6 files + summary + services + scenario"
    );
    assert_same(&a, &b);
    // And the same as plain one-at-a-time runs.
    let single: Vec<RunResult> = plans
        .iter()
        .map(|p| run_one(&sc, &p.policy, p.seed).unwrap())
        .collect();
    assert_same(&a, &outputs(&sc, &single));
}

/// The scenario copy is the file's exact text.
#[test]
fn scenario_copy_is_verbatim() {
    let sc = node_failure();
    let a = outputs(&sc, &[run_one(&sc, "spread", 1).unwrap()]);
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/node-failure.toml");
    assert_eq!(
        a[&PathBuf::from(&sc.name).join("scenario.toml")],
        std::fs::read(path).unwrap()
    );
}

/// Failure clocks, a failure plan, a partition, a resize and a rolling
/// drain: serial, parallel and one-at-a-time runs write the same files.
#[test]
fn failure_models_and_disruptions_are_deterministic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut random = Scenario::load(&root.join("random-failures.toml")).unwrap();
    random.horizon = podsim::engine::SimTime::from_hours(36);
    let disruptions = Scenario::load(&root.join("disruptions.toml")).unwrap();
    for sc in [random, disruptions] {
        let plans = plan(&sc.policies, &[1, 2]);
        let (serial, _) = run_all(&sc, &plans, 1).unwrap();
        let (parallel, _) = run_all(&sc, &plans, 2).unwrap();
        let a = outputs(&sc, &serial);
        assert!(serial.iter().all(|r| r.summary.failures > 0), "{}", sc.name);
        assert_same(&a, &outputs(&sc, &parallel));
        let single: Vec<RunResult> = plans
            .iter()
            .map(|p| run_one(&sc, &p.policy, p.seed).unwrap())
            .collect();
        assert_same(&a, &outputs(&sc, &single));
    }
}
