//! End to end, one per public trace format: a tiny trace in the real format
//! (no header lines) and a scenario are written to a folder, loaded with
//! `Scenario::load` and run; the pods must start and end when the trace says.

use podsim::cluster::{Outcome, PodKind};
use podsim::engine::SimTime;
use podsim::metrics::{PodRecord, RunResult};
use podsim::scenario::Scenario;
use podsim::simulation::run_one;
use std::io::Write;
use std::path::Path;

fn s(secs: u64) -> SimTime {
    SimTime::from_secs(secs)
}

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn write_gz(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(p).unwrap(),
        flate2::Compression::default(),
    );
    enc.write_all(text.as_bytes()).unwrap();
    enc.finish().unwrap();
}

fn run(dir: &Path, scenario: &str) -> RunResult {
    let path = dir.join("scenario.toml");
    std::fs::write(&path, scenario).unwrap();
    let sc = Scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
    run_one(&sc, "first-fit", 1).unwrap()
}

/// The pods of `owner`, in creation order.
fn pods_of<'a>(r: &'a RunResult, owner: &str) -> Vec<&'a PodRecord> {
    let mut v: Vec<_> = r.pods.iter().filter(|p| p.owner == owner).collect();
    v.sort_by_key(|p| p.pod);
    v
}

/// (submit, start, end, outcome) of each pod.
fn times(pods: &[&PodRecord]) -> Vec<(SimTime, Option<SimTime>, Option<SimTime>, Outcome)> {
    pods.iter()
        .map(|p| (p.submit, p.start, p.end, p.outcome))
        .collect()
}

fn logged(r: &RunResult, kind: &str, subject: &str) -> Vec<SimTime> {
    r.log
        .iter()
        .filter(|e| e.kind == kind && e.subject == subject)
        .map(|e| e.t)
        .collect()
}

#[test]
fn google_2011_replays_observed_run_times() {
    let d = tempfile::tempdir().unwrap();
    // Two machines of capacity 0.5 (16 cores, 64 GiB); machine 6 is removed
    // at 300 s and added back at 400 s.
    write_gz(
        d.path(),
        "machine_events/part-00000-of-00001.csv.gz",
        "0,5,0,HofL,0.5,0.5\n\
         0,6,0,HofL,0.5,0.5\n\
         300000000,6,1,HofL,,\n\
         400000000,6,0,HofL,0.5,0.5\n",
    );
    // Job 1: one task, runs 0–100 s. Job 2: its task fails after 20 s, is
    // resubmitted at 90 s and finishes at 200 s after running 105 s.
    // Job 3: never ends in the trace.
    write_gz(
        d.path(),
        "task_events/part-00000-of-00002.csv.gz",
        "0,,1,0,,0,u1,0,9,0.0625,0.03125,0,0\n\
         0,,1,0,5,1,u1,0,9,0.0625,0.03125,0,0\n\
         50000000,,2,0,,0,u2,0,4,0.125,0.0625,0,0\n\
         60000000,,2,0,5,1,u2,0,4,0.125,0.0625,0,0\n\
         80000000,,2,0,5,3,u2,0,4,0.125,0.0625,0,0\n",
    );
    write_gz(
        d.path(),
        "task_events/part-00001-of-00002.csv.gz",
        "90000000,,2,0,,0,u2,0,4,0.125,0.0625,0,0\n\
         95000000,,2,0,6,1,u2,0,4,0.125,0.0625,0,0\n\
         100000000,,1,0,5,4,u1,0,9,0.0625,0.03125,0,0\n\
         120000000,,3,0,,0,u3,0,0,0.25,0.25,0,0\n\
         200000000,,2,0,6,4,u2,0,4,0.125,0.0625,0,0\n",
    );
    let r = run(
        d.path(),
        r#"
name = "google"
horizon = "10m"
policies = ["first-fit"]

[[traces]]
name = "g"
format = "google-2011"
pods = "task_events/part-*-of-00002.csv.gz"
nodes = "machine_events/part-00000-of-00001.csv.gz"
"#,
    );
    use Outcome::*;
    let job1 = pods_of(&r, "g/1");
    assert_eq!(times(&job1), [(s(0), Some(s(0)), Some(s(100)), Completed)]);
    assert_eq!(job1[0].kind, PodKind::Job);
    assert_eq!(
        (job1[0].cpu_m, job1[0].mem, job1[0].priority),
        (2000, 4 << 30, 9)
    );
    // The failed attempt ran 20 s in the trace but 30 s here: podsim started
    // it at submission (50 s), and learns its run time only when the trace
    // reports the failure (80 s).
    assert_eq!(
        times(&pods_of(&r, "g/2")),
        [
            (s(50), Some(s(50)), Some(s(80)), Completed),
            (s(90), Some(s(90)), Some(s(200)), Completed),
        ]
    );
    assert_eq!(
        times(&pods_of(&r, "g/3")),
        [(s(120), Some(s(120)), None, Running)]
    );
    assert_eq!(logged(&r, "node-failed", "6"), [s(300)]);
    let m6 = r.nodes.iter().find(|n| n.node == "6").unwrap();
    assert_eq!((m6.failures, m6.downtime), (1, s(100)));
    assert_eq!(m6.cpu_m, 16_000);
}

#[test]
fn alibaba_2018_batch_tasks_and_containers() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "machine_meta.csv",
        "m_1,0,1,1,96,100,USING\n\
         m_2,0,2,2,96,100,USING\n",
    );
    // Task M1 of job j_1: two instances, 10–70 s. Task M2_1: one, 80–200 s.
    write(
        d.path(),
        "batch_task.csv",
        "M1,2,j_1,1,Terminated,10,70,100,1\n\
         M2_1,1,j_1,1,Terminated,80,200,200,2\n",
    );
    // Container c_1 starts at 0 (its second row is a later snapshot), c_2 at 50.
    write(
        d.path(),
        "container_meta.csv",
        "c_1,m_1,0,app_1,started,400,400,1.56\n\
         c_1,m_1,100,app_1,started,400,400,1.56\n\
         c_2,m_2,50,app_1,started,100,100,1\n",
    );
    let r = run(
        d.path(),
        r#"
name = "alibaba"
horizon = "10m"
policies = ["first-fit"]

[[traces]]
name = "batch"
format = "alibaba-2018"
pods = "batch_task.csv"
nodes = "machine_meta.csv"

[[traces]]
name = "online"
format = "alibaba-2018"
pods = "container_meta.csv"
"#,
    );
    use Outcome::*;
    let job = pods_of(&r, "batch/j_1");
    assert_eq!(
        times(&job),
        [
            (s(10), Some(s(10)), Some(s(70)), Completed),
            (s(10), Some(s(10)), Some(s(70)), Completed),
            (s(80), Some(s(80)), Some(s(200)), Completed),
        ]
    );
    assert_eq!((job[0].cpu_m, job[2].cpu_m), (1000, 2000));
    let svc = pods_of(&r, "online/app_1");
    assert_eq!(
        times(&svc),
        [
            (s(0), Some(s(0)), None, Running),
            (s(50), Some(s(50)), None, Running),
        ]
    );
    assert!(svc.iter().all(|p| p.kind == PodKind::Service));
    assert_eq!(r.nodes.len(), 2);
    assert_eq!(r.nodes[0].cpu_m, 96_000);
}

#[test]
fn azure_vm_lifetimes() {
    let d = tempfile::tempdir().unwrap();
    // V1 numbers and V2 buckets may both appear; `>24` is read as 24 cores.
    write(
        d.path(),
        "vmtable.csv",
        "vm1,s1,d1,0,300,90.5,10.2,80.1,Interactive,2,4\n\
         vm2,s1,d1,300,900,50,5,40,Delay-insensitive,>24,>64\n\
         vm3,s2,d2,600,2591700,50,5,40,Unknown,4,8\n",
    );
    let r = run(
        d.path(),
        r#"
name = "azure"
horizon = "30m"
policies = ["first-fit"]

[[pools]]
name = "w"
count = 2
cpu = "32"
memory = "128Gi"

[[traces]]
name = "az"
format = "azure-vm"
pods = "vmtable.csv"
"#,
    );
    use Outcome::*;
    let d1 = pods_of(&r, "az/d1");
    assert_eq!(
        times(&d1),
        [
            (s(0), Some(s(0)), Some(s(300)), Completed),
            (s(300), Some(s(300)), Some(s(900)), Completed),
        ]
    );
    assert_eq!((d1[1].cpu_m, d1[1].mem), (24_000, 64 << 30));
    assert!(d1.iter().all(|p| p.kind == PodKind::Service));
    assert_eq!(
        times(&pods_of(&r, "az/d2")),
        [(s(600), Some(s(600)), None, Running)]
    );
}
