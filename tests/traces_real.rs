//! The trace readers against the real samples in `../shared/traces` (see its
//! README for what they are and the figures checked here). The project does
//! not ship these files: when the folder is absent, each test says so and
//! passes without checking anything.

use podsim::cluster::PodKind;
use podsim::metrics::RunResult;
use podsim::scenario::Scenario;
use podsim::simulation::run_one;
use podsim::workload::trace::{
    alibaba_2017, alibaba_gpu_2023, open_pods, PodItem, Scales, TraceFiles, TraceFormat,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The shared samples, or `None` (with a note) when this machine has none.
fn traces() -> Option<PathBuf> {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/traces");
    if d.is_dir() {
        Some(d)
    } else {
        eprintln!(
            "note: {} does not exist; the real-trace checks are skipped",
            d.display()
        );
        None
    }
}

const GPU_PODS: &str = "alibaba-gpu-2023/openb_pod_list_default.csv";
const GPU_NODES: &str = "alibaba-gpu-2023/openb_node_list_gpu_node.csv";
const ALL_NODES: &str = "alibaba-gpu-2023/openb_node_list_all_node.csv";
const TASKS: &str = "alibaba-2017/batch_task_head5000.csv";

#[test]
fn gpu_2023_pods_match_the_readme() {
    let Some(d) = traces() else { return };
    let mut by_gpus: BTreeMap<u32, u64> = BTreeMap::new();
    let mut by_phase: BTreeMap<String, u64> = BTreeMap::new();
    let (mut first, mut last) = (u64::MAX, 0);
    for row in alibaba_gpu_2023::read_pods(&[d.join(GPU_PODS)]).unwrap() {
        let p = row.unwrap_or_else(|b| panic!("bad row in a published file: {b}"));
        *by_gpus.entry(p.gpu.count).or_default() += 1;
        *by_phase.entry(format!("{:?}", p.phase)).or_default() += 1;
        let t = p.creation.as_micros() / 1_000_000;
        first = first.min(t);
        last = last.max(t);
    }
    assert_eq!(by_gpus.values().sum::<u64>(), 8_152);
    assert_eq!(
        by_gpus.into_iter().collect::<Vec<_>>(),
        [(0, 1_088), (1, 6_989), (2, 16), (4, 15), (8, 44)]
    );
    assert_eq!(
        by_phase.into_iter().collect::<Vec<_>>(),
        [
            ("Failed".to_string(), 1_870),
            ("Pending".to_string(), 897),
            ("Running".to_string(), 5_193),
            ("Succeeded".to_string(), 192)
        ]
    );
    assert_eq!((first, last), (0, 12_901_761));
}

#[test]
fn gpu_2023_nodes_match_the_readme() {
    let Some(d) = traces() else { return };
    let nodes: Vec<_> = alibaba_gpu_2023::read_nodes(&[d.join(GPU_NODES)])
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(nodes.len(), 1_213);
    assert_eq!(nodes.iter().map(|n| n.gpus as u64).sum::<u64>(), 6_212);
    assert!(nodes.iter().all(|n| n.gpus > 0 && !n.model.is_empty()));
    let all = alibaba_gpu_2023::read_nodes(&[d.join(ALL_NODES)]).unwrap();
    assert_eq!(all.map(Result::unwrap).count(), 1_523);
}

#[test]
fn batch_tasks_2017_are_all_read() {
    let Some(d) = traces() else { return };
    let files = [d.join(TASKS)];
    let tasks: Vec<_> = alibaba_2017::read_tasks(&files, &Scales::default())
        .unwrap()
        .map(|r| r.unwrap_or_else(|b| panic!("bad row in a published file: {b}")))
        .collect();
    assert_eq!(tasks.len(), 5_000, "the header line is not a task");
    let without: Vec<_> = tasks.iter().filter(|t| t.requests().is_err()).collect();
    // Counted on the file separately: 319 Waiting and 2 Running tasks have no
    // plan_cpu/plan_mem; the rest ask for 749,056 instances in all.
    assert_eq!(without.len(), 321);
    assert_eq!(
        without.iter().filter(|t| t.status == "Waiting").count(),
        319
    );
    let instances: u64 = tasks
        .iter()
        .filter(|t| t.requests().is_ok())
        .map(|t| t.instances as u64)
        .sum();
    assert_eq!(instances, 749_056);

    // The pod stream makes one pod per instance and one bad row per task
    // without a request, and nothing else.
    let tf = TraceFiles {
        pods: files.to_vec(),
        nodes: Vec::new(),
    };
    let (mut pods, mut bad, mut forever) = (0u64, 0u64, 0u64);
    for item in open_pods(TraceFormat::Alibaba2017, &tf, &Scales::default()).unwrap() {
        match item {
            Ok(PodItem::Pod(p)) => {
                pods += 1;
                forever += u64::from(p.run == podsim::workload::trace::TraceRun::Forever);
            }
            Ok(PodItem::End { .. }) => panic!("this format has no end items"),
            Err(b) => {
                assert!(b.message.contains("never asked for resources"), "{b}");
                assert!(
                    b.left_out,
                    "a task without a request is left out, not bad: {b}"
                );
                bad += 1;
            }
        }
    }
    assert_eq!((pods, bad), (749_056, 321));
    // Four tasks (1 + 1 + 19 + 7 instances) were still running at the end.
    assert_eq!(forever, 28);
}

/// Every pod the run made is accounted for once, in one of the outcomes.
fn accounted(r: &RunResult) -> BTreeMap<&'static str, u64> {
    let s = &r.summary;
    let mut by: BTreeMap<&'static str, u64> = BTreeMap::new();
    for p in &r.pods {
        assert_eq!(p.kind, PodKind::Job);
        *by.entry(p.outcome.as_str()).or_default() += 1;
    }
    assert_eq!(r.pods.len() as u64, s.pods_submitted);
    assert_eq!(
        s.pods_completed
            + s.pods_running_at_end
            + s.pods_pending_at_end
            + s.pods_failed
            + s.pods_evicted
            + s.pods_deleted,
        s.pods_submitted
    );
    by
}

fn scenario(text: &str) -> Scenario {
    Scenario::parse(text, "traces_real.toml").unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn gpu_2023_replays_on_its_gpu_nodes() {
    let Some(d) = traces() else { return };
    // The trace spans 149 days. A day between samples keeps the run short;
    // CPU and memory only (GPUs are not simulated yet).
    let sc = scenario(&format!(
        r#"
name = "openb"
horizon = "150d"
sample-every = "1d"

[[traces]]
format = "alibaba-gpu-2023"
pods = "{}"
nodes = "{}"
"#,
        d.join(GPU_PODS).display(),
        d.join(GPU_NODES).display()
    ));
    let r = run_one(&sc, "spread", 1).unwrap();
    assert_eq!(r.nodes.len(), 1_213);
    assert_eq!(
        r.summary.pods_submitted, 8_152,
        "one pod per row, none dropped"
    );
    let by = accounted(&r);
    // Every pod has a deletion time before the horizon, and the GPU nodes
    // have room for every pod's CPU and memory: all of them complete.
    assert_eq!(by.get("completed"), Some(&8_152), "{by:?}");
    let log = r
        .log
        .iter()
        .find(|e| e.kind == "trace-read")
        .expect("a trace-read entry");
    eprintln!("{}: {}; outcomes {by:?}", log.subject, log.detail);
    assert!(log.detail.contains("8152 pods"), "{}", log.detail);
    assert!(!log.detail.contains("bad rows"), "{}", log.detail);
    assert!(!log.detail.contains("out of time order"), "{}", log.detail);
}

#[test]
fn batch_tasks_2017_replay_on_pools() {
    let Some(d) = traces() else { return };
    let files = [d.join(TASKS)];
    // Every 20th job in order of first appearance in the pod stream (which
    // is in time order, not file order), as the replay samples.
    let tf = TraceFiles {
        pods: files.to_vec(),
        nodes: Vec::new(),
    };
    let mut order: BTreeMap<String, usize> = BTreeMap::new();
    let mut expected = 0u64;
    for item in open_pods(TraceFormat::Alibaba2017, &tf, &Scales::default()).unwrap() {
        if let Ok(PodItem::Pod(p)) = item {
            let n = order.len();
            if order.entry(p.owner).or_insert(n).is_multiple_of(20) {
                expected += 1;
            }
        }
    }
    // The sample has no server_event.csv: a cluster of 64-core machines of
    // the trace's size (about 1,300), memory 0.69 × the 128 GiB scale.
    let sc = scenario(&format!(
        r#"
name = "alibaba-2017"
horizon = "17h"
sample-every = "10m"

[[pools]]
name = "m"
count = 1300
cpu = "64"
memory = "88Gi"

[[traces]]
format = "alibaba-2017"
pods = "{}"
every-nth-job = 20
"#,
        files[0].display()
    ));
    let r = run_one(&sc, "spread", 1).unwrap();
    assert_eq!(r.summary.pods_submitted, expected);
    let by = accounted(&r);
    assert_eq!(by.get("pending"), None, "{by:?}");
    assert_eq!(by.get("failed"), None, "{by:?}");
    let log = r
        .log
        .iter()
        .find(|e| e.kind == "trace-read")
        .expect("a trace-read entry");
    eprintln!("{}: {}; outcomes {by:?}", log.subject, log.detail);
    assert!(
        log.detail.contains(&format!("{expected} pods")),
        "{}",
        log.detail
    );
    assert!(
        log.detail.contains("321 rows left out") && !log.detail.contains("bad rows"),
        "{}",
        log.detail
    );
    // The reader puts the tasks in time order: no pod is delivered late.
    assert!(!log.detail.contains("out of time order"), "{}", log.detail);
}
