//! Reading and replaying a long trace in podsim's format: rows per second.
//!
//! `cargo bench --bench trace_read` writes a trace of 1,000,000 pods (and 10
//! machines) into a temporary folder, then measures, each as rows per second:
//! parsing it (`read`), parsing and restoring time order through
//! `PodReplay` (`replay`), `podsim trace stats` (`stats`), `podsim trace
//! convert` to a discarding writer (`convert`), and a whole simulated run
//! replaying it on its machines with pod records discarded (`simulate`).
//! `PODSIM_BENCH_ROWS=250000` changes the length.
//!
//! The trace, row i: submitted at i seconds, runs 30 to 149 s, requests one of
//! four CPU/memory shapes, belongs to job-(i/10). The same rows come from
//!
//! ```text
//! awk -v n=1000000 'BEGIN { print "id,submit_s,duration_s,end_s,cpu,memory,priority,owner,kind";
//!   split("250 500 1000 2000", c, " "); split("268435456 536870912 1073741824 2147483648", m, " ");
//!   for (i = 0; i < n; i++) printf "p%d,%d,%d,,%dm,%d,0,job-%d,job\n", i, i, 30 + (i * 7919) % 120, c[i % 4 + 1], m[i % 4 + 1], int(i / 10) }'
//! ```
//!
//! for measuring the `podsim` binary's peak memory (see docs/traces.md).

use podsim::cluster::{PodKind, Resources};
use podsim::engine::SimTime;
use podsim::metrics::{PodRecord, PodSink};
use podsim::scenario::Scenario;
use podsim::simulation::Simulation;
use podsim::workload::trace::convert::{convert_pods, ConvertOptions};
use podsim::workload::trace::podsim::{NodeWriter, PodWriter};
use podsim::workload::trace::stats::{collect, StatsOptions};
use podsim::workload::trace::{
    open_pods, MachineChange, MachineEvent, PodReplay, ReplayOptions, Scales, TraceFiles,
    TraceFormat, TracePod, TraceRun,
};
use std::io::{BufWriter, Write};
use std::path::PathBuf;
use std::sync::OnceLock;

static FILES: OnceLock<(PathBuf, PathBuf, u64)> = OnceLock::new();

fn rows() -> u64 {
    FILES.get().expect("the trace is written first").2
}

fn files() -> TraceFiles {
    let (p, n, _) = FILES.get().expect("the trace is written first");
    TraceFiles {
        pods: vec![p.clone()],
        nodes: vec![n.clone()],
    }
}

/// Row `i` of the generated trace.
pub fn pod(i: u64) -> TracePod {
    const CPU: [u64; 4] = [250, 500, 1000, 2000];
    const MEM: [u64; 4] = [256 << 20, 512 << 20, 1 << 30, 2 << 30];
    TracePod {
        key: format!("p{i}"),
        owner: format!("job-{}", i / 10),
        kind: PodKind::Job,
        submit: SimTime::from_secs(i),
        run: TraceRun::For(SimTime::from_secs(30 + (i * 7919) % 120)),
        requests: Resources::new(CPU[(i % 4) as usize], MEM[(i % 4) as usize]),
        priority: 0,
    }
}

fn write_trace(dir: &std::path::Path, n: u64) -> (PathBuf, PathBuf) {
    let pods = dir.join("pods.csv");
    let mut w = PodWriter::new(BufWriter::new(std::fs::File::create(&pods).unwrap())).unwrap();
    for i in 0..n {
        w.write(&pod(i)).unwrap();
    }
    w.into_inner().flush().unwrap();
    let nodes = dir.join("nodes.csv");
    let mut w = NodeWriter::new(std::fs::File::create(&nodes).unwrap()).unwrap();
    for m in 0..10 {
        w.write(&MachineEvent {
            t: SimTime::ZERO,
            machine: format!("m{m}"),
            change: MachineChange::Add(Resources::new(16_000, 64 << 30)),
        })
        .unwrap();
    }
    (pods, nodes)
}

fn main() {
    let n: u64 = std::env::var("PODSIM_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let (p, nodes) = write_trace(dir.path(), n);
    FILES.set((p, nodes, n)).unwrap();
    divan::main();
    drop(dir);
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn read(b: divan::Bencher) {
    b.counter(divan::counter::ItemsCount::new(rows()))
        .bench(|| {
            let stream = open_pods(TraceFormat::Podsim, &files(), &Scales::default()).unwrap();
            let n = stream.filter(|r| r.is_ok()).count() as u64;
            assert_eq!(n, rows());
        });
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn replay(b: divan::Bencher) {
    b.counter(divan::counter::ItemsCount::new(rows()))
        .bench(|| {
            let stream = open_pods(TraceFormat::Podsim, &files(), &Scales::default()).unwrap();
            let mut r = PodReplay::new(stream, ReplayOptions::default(), 1);
            let mut n = 0u64;
            while r.next_item().unwrap().is_some() {
                n += 1;
            }
            assert_eq!(n, rows());
        });
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn stats(b: divan::Bencher) {
    b.counter(divan::counter::ItemsCount::new(rows()))
        .bench(|| {
            let s = collect(TraceFormat::Podsim, &files(), &StatsOptions::default()).unwrap();
            assert_eq!(s.pods.unwrap().pods, rows());
        });
}

#[divan::bench(sample_count = 3, sample_size = 1)]
fn convert(b: divan::Bencher) {
    b.counter(divan::counter::ItemsCount::new(rows()))
        .bench(|| {
            let stream = open_pods(TraceFormat::Podsim, &files(), &Scales::default()).unwrap();
            let (_, r) = convert_pods(
                stream,
                &ConvertOptions::default(),
                0,
                BufWriter::new(std::io::sink()),
            )
            .unwrap();
            assert_eq!(r.pods_written, rows());
        });
}

/// Counts pod records and keeps none.
struct Discard(u64);
impl PodSink for Discard {
    fn record(&mut self, _: &PodRecord) -> Result<(), String> {
        self.0 += 1;
        Ok(())
    }
    fn close(&mut self) -> Result<Option<Vec<PodRecord>>, String> {
        Ok(None)
    }
}

#[divan::bench(sample_count = 2, sample_size = 1)]
fn simulate(b: divan::Bencher) {
    let f = files();
    let text = format!(
        "name = \"bench\"\nhorizon = \"{}s\"\nsample-every = \"1h\"\npolicies = [\"spread\"]\n\
         [[traces]]\nname = \"t\"\nformat = \"podsim\"\npods = {:?}\nnodes = {:?}\n",
        rows() + 3600,
        f.pods[0].display().to_string(),
        f.nodes[0].display().to_string()
    );
    let sc = Scenario::parse(&text, "bench.toml").unwrap();
    b.counter(divan::counter::ItemsCount::new(rows()))
        .bench(|| {
            let sim = Simulation::new(&sc, "spread", 1)
                .unwrap()
                .with_pod_sink(Box::new(Discard(0)));
            let r = sim.try_finish().unwrap();
            assert_eq!(r.summary.pods_completed, rows());
        });
}
