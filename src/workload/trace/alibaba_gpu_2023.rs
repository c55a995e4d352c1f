//! Alibaba cluster-trace-gpu-v2023 ("openb"): the traces of Weng et al.,
//! "Beware of Fragmentation" (USENIX ATC 2023). Two CSV files with a header
//! line; column meanings as in `docs/traces.md` and the trace's README.
//!
//! **Nodes** (`openb_node_list_*.csv`): `sn,cpu_milli,memory_mib,gpu,model`.
//! Every node is a machine added at time 0 with its CPU (millicores) and
//! memory (MiB). The list has no later events: no failures, no removals.
//!
//! **Pods** (`openb_pod_list_*.csv`):
//! `name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time`.
//! Each row is one pod, a job of its own (owner = its name), submitted at
//! `creation_time` (seconds). See [`OpenbPod::run`] for its run time and
//! what `pod_phase` means for a replay, and [`OpenbPod::to_trace_pod`] for
//! `qos` and the GPU columns.
//!
//! Both files are checked against their header before anything is read, so
//! a file of another format (or the node list given as the pod list) fails
//! at once with a [`TraceError`] that says what was expected.

use super::podsim::parse_secs;
use super::{
    field, BadRow, CsvRows, MachineChange, MachineEvent, MachineStream, PodItem, PodStream, Scales,
    TraceError, TracePod, TraceRun,
};
use crate::cluster::{PodKind, Resources};
use crate::engine::SimTime;
use std::path::PathBuf;

/// The header of a pod list, in order.
pub const POD_COLUMNS: [&str; 11] = [
    "name",
    "cpu_milli",
    "memory_mib",
    "num_gpu",
    "gpu_milli",
    "gpu_spec",
    "qos",
    "pod_phase",
    "creation_time",
    "deletion_time",
    "scheduled_time",
];

/// The header of a node list, in order.
pub const NODE_COLUMNS: [&str; 5] = ["sn", "cpu_milli", "memory_mib", "gpu", "model"];

/// What a pod asks of GPUs. Parsed and checked, but not simulated yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GpuRequest {
    /// `num_gpu`: how many GPUs (0 to 8 in the published files).
    pub count: u32,
    /// `gpu_milli`: thousandths of each GPU it uses; below 1000 only for a
    /// pod that shares one GPU.
    pub milli: u32,
    /// `gpu_spec`: the GPU models it may run on (`A|B` = either); empty = any.
    pub spec: String,
}

impl GpuRequest {
    /// The GPU models the pod may run on; empty when any will do.
    pub fn models(&self) -> Vec<&str> {
        if self.spec.is_empty() {
            Vec::new()
        } else {
            self.spec.split('|').collect()
        }
    }
}

/// The `qos` column: a Kubernetes QoS class or Alibaba's LS/BE classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Qos {
    /// Latency-sensitive.
    Ls,
    /// Best effort.
    Be,
    Burstable,
    Guaranteed,
}

impl Qos {
    pub const NAMES: [&'static str; 4] = ["LS", "BE", "Burstable", "Guaranteed"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "LS" => Some(Self::Ls),
            "BE" => Some(Self::Be),
            "Burstable" => Some(Self::Burstable),
            "Guaranteed" => Some(Self::Guaranteed),
            _ => None,
        }
    }
}

/// The `pod_phase` column: the pod's Kubernetes phase when the trace was taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    Pending,
    Running,
    Succeeded,
    Failed,
}

impl Phase {
    pub const NAMES: [&'static str; 4] = ["Pending", "Running", "Succeeded", "Failed"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "Pending" => Some(Self::Pending),
            "Running" => Some(Self::Running),
            "Succeeded" => Some(Self::Succeeded),
            "Failed" => Some(Self::Failed),
            _ => None,
        }
    }
}

/// One row of a pod list, every column parsed and checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenbPod {
    pub name: String,
    pub cpu_milli: u64,
    pub memory_mib: u64,
    pub gpu: GpuRequest,
    pub qos: Qos,
    pub phase: Phase,
    pub creation: SimTime,
    /// Empty in the file: the pod had not been deleted when the trace was taken.
    pub deletion: Option<SimTime>,
    /// Empty in the file: the pod was never scheduled (its phase is Pending).
    pub scheduled: Option<SimTime>,
}

impl OpenbPod {
    /// How the pod runs in a replay once the simulated scheduler starts it.
    ///
    /// - Scheduled in the trace: `deletion_time − scheduled_time`, the time it
    ///   held a node. Its wait before that (`scheduled − creation`) is what the
    ///   simulated scheduler decides anew, so it is not part of the run time.
    /// - Never scheduled (no `scheduled_time`; every such pod is `Pending`):
    ///   `deletion_time − creation_time`. The pod asked for its resources
    ///   from creation to deletion and was deleted still waiting, often
    ///   because no GPU fitted it. Leaving such pods out would understate
    ///   the demand on the cluster, and the scheduler under study may well
    ///   place them; if it does, they hold their node for at most the
    ///   lifetime the trace gave them. (A [`TraceRun`] cannot say "deleted
    ///   at trace time T whatever its state", so a pod placed late runs past
    ///   its deletion in the trace.)
    /// - No `deletion_time`: the pod was alive when the trace was taken; it
    ///   runs to the end of the simulation. (The published file has none:
    ///   34 `Running` pods are deleted at its last time, 12,902,960 s, which
    ///   looks like the moment the trace was taken; they end there.)
    ///
    /// `pod_phase` is the pod's state when the trace was taken, which a
    /// replay does not reproduce: every pod starts afresh under the simulated
    /// scheduler. So the phase decides nothing here. `Running` and
    /// `Succeeded` pods run as above; `Failed` pods are replayed like
    /// `Succeeded` ones, holding their resources from scheduling to deletion
    /// (the trace does not say why they failed); `Pending` pods are replayed
    /// as the second case. No phase is left out.
    pub fn run(&self) -> TraceRun {
        match (self.deletion, self.scheduled) {
            (None, _) => TraceRun::Forever,
            (Some(d), Some(s)) => TraceRun::For(d - s),
            (Some(d), None) => TraceRun::For(d - self.creation),
        }
    }

    /// The pod as the simulation replays it: CPU and memory, a job of its own.
    ///
    /// Priority: every pod gets 0. `qos` is a QoS class (how a node treats
    /// the pod under resource pressure, and for Alibaba's LS/BE whether it is
    /// latency-sensitive), not a scheduling priority: Kubernetes keeps the
    /// two apart, and the trace records no priority. Mapping LS above BE
    /// would reorder the scheduling queue and, once podsim preempts, let LS
    /// pods evict BE pods, neither of which the trace shows.
    pub fn to_trace_pod(self) -> TracePod {
        let run = self.run();
        // GPU: `self.gpu` (count, thousandths of each GPU, allowed models) is
        // parsed and checked but not simulated yet. When `Resources` (or
        // `TracePod`) gains GPUs, it goes here, next to `requests`.
        TracePod {
            key: self.name.clone(),
            owner: self.name,
            kind: PodKind::Job,
            submit: self.creation,
            run,
            requests: Resources::new(self.cpu_milli, self.memory_mib << 20),
            priority: 0,
        }
    }
}

/// One row of a node list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenbNode {
    pub sn: String,
    pub cpu_milli: u64,
    pub memory_mib: u64,
    /// How many GPUs it has (not simulated yet).
    pub gpus: u32,
    /// Their model; empty for a node without GPUs.
    pub model: String,
}

impl OpenbNode {
    /// The node as a machine added at time 0. Its GPUs are not simulated yet:
    /// when `Resources` gains GPUs, `self.gpus` and `self.model` go here.
    pub fn to_machine_event(self) -> MachineEvent {
        MachineEvent {
            t: SimTime::ZERO,
            machine: self.sn,
            change: MachineChange::Add(Resources::new(self.cpu_milli, self.memory_mib << 20)),
        }
    }
}

/// Checks that every file starts with `expected` as its header.
fn check_header(
    files: &[PathBuf],
    expected: &[&str],
    what: &str,
    other: (&[&str], &str, &str),
) -> Result<(), TraceError> {
    if files.is_empty() {
        return Err(TraceError::new("<none>", None, "no file given"));
    }
    for f in files {
        let name = f.display().to_string();
        let header = CsvRows::header(std::slice::from_ref(f))?;
        let found: Vec<&str> = header.iter().map(str::trim).collect();
        if found.iter().all(|h| h.is_empty()) {
            return Err(TraceError::new(
                &name,
                None,
                format!(
                    "the file is empty: an alibaba-gpu-2023 {what} starts with the header {}",
                    expected.join(",")
                ),
            ));
        }
        if found != expected {
            let hint = if found == other.0 {
                format!(
                    " (this is an alibaba-gpu-2023 {}: give it as `{}`)",
                    other.1, other.2
                )
            } else {
                " (is this the right format?)".to_string()
            };
            return Err(TraceError::new(
                &name,
                Some(1),
                format!(
                    "not an alibaba-gpu-2023 {what}: expected the header {}, found {}{hint}",
                    expected.join(","),
                    found.join(",")
                ),
            ));
        }
    }
    Ok(())
}

fn text<'a>(rec: &'a csv::StringRecord, i: usize, column: &str) -> Result<&'a str, String> {
    rec.get(i)
        .map(str::trim)
        .ok_or_else(|| format!("missing column {column} (field {})", i + 1))
}

fn width(rec: &csv::StringRecord, n: usize) -> Result<(), String> {
    if rec.len() > n {
        return Err(format!(
            "{} fields, but the format has {n} columns",
            rec.len()
        ));
    }
    Ok(())
}

fn time(rec: &csv::StringRecord, i: usize, column: &str) -> Result<SimTime, String> {
    parse_secs(text(rec, i, column)?).map_err(|e| format!("column {column}: {e}"))
}

fn optional_time(
    rec: &csv::StringRecord,
    i: usize,
    column: &str,
) -> Result<Option<SimTime>, String> {
    match text(rec, i, column)? {
        "" => Ok(None),
        s => parse_secs(s)
            .map(Some)
            .map_err(|e| format!("column {column}: {e}")),
    }
}

fn mib(rec: &csv::StringRecord, i: usize, column: &str) -> Result<u64, String> {
    let v: u64 = field(rec, i, column)?;
    v.checked_mul(1 << 20)
        .map(|_| v)
        .ok_or_else(|| format!("column {column}: {v} MiB is too large"))
}

fn pod_row(rec: &csv::StringRecord) -> Result<OpenbPod, String> {
    width(rec, POD_COLUMNS.len())?;
    let name = text(rec, 0, "name")?;
    if name.is_empty() {
        return Err("column name is empty".into());
    }
    let cpu_milli: u64 = field(rec, 1, "cpu_milli")?;
    let memory_mib = mib(rec, 2, "memory_mib")?;
    let count: u32 = field(rec, 3, "num_gpu")?;
    let milli: u32 = field(rec, 4, "gpu_milli")?;
    if milli > 1000 {
        return Err(format!(
            "column gpu_milli: {milli} is more than one whole GPU (1000)"
        ));
    }
    let spec = text(rec, 5, "gpu_spec")?;
    if !spec.is_empty() && spec.split('|').any(str::is_empty) {
        return Err(format!(
            "column gpu_spec: {spec:?} has an empty model name (models are separated by '|')"
        ));
    }
    let qos = text(rec, 6, "qos")?;
    let qos = Qos::parse(qos).ok_or_else(|| {
        format!(
            "column qos: {qos:?} is not one of {}",
            Qos::NAMES.join(", ")
        )
    })?;
    let phase = text(rec, 7, "pod_phase")?;
    let phase = Phase::parse(phase).ok_or_else(|| {
        format!(
            "column pod_phase: {phase:?} is not one of {}",
            Phase::NAMES.join(", ")
        )
    })?;
    let creation = time(rec, 8, "creation_time")?;
    let deletion = optional_time(rec, 9, "deletion_time")?;
    let scheduled = optional_time(rec, 10, "scheduled_time")?;
    if let Some(s) = scheduled.filter(|s| *s < creation) {
        return Err(format!(
            "scheduled_time {} is before creation_time {}",
            s.as_secs_f64(),
            creation.as_secs_f64()
        ));
    }
    if let Some(d) = deletion {
        let from = scheduled.unwrap_or(creation);
        if d < from {
            return Err(format!(
                "deletion_time {} is before {} {}",
                d.as_secs_f64(),
                if scheduled.is_some() {
                    "scheduled_time"
                } else {
                    "creation_time"
                },
                from.as_secs_f64()
            ));
        }
    }
    Ok(OpenbPod {
        name: name.to_string(),
        cpu_milli,
        memory_mib,
        gpu: GpuRequest {
            count,
            milli,
            spec: spec.to_string(),
        },
        qos,
        phase,
        creation,
        deletion,
        scheduled,
    })
}

fn node_row(rec: &csv::StringRecord) -> Result<OpenbNode, String> {
    width(rec, NODE_COLUMNS.len())?;
    let sn = text(rec, 0, "sn")?;
    if sn.is_empty() {
        return Err("column sn is empty".into());
    }
    let cpu_milli: u64 = field(rec, 1, "cpu_milli")?;
    let memory_mib = mib(rec, 2, "memory_mib")?;
    if cpu_milli == 0 || memory_mib == 0 {
        return Err("a machine needs more than zero cpu_milli and memory_mib".into());
    }
    let gpus: u32 = field(rec, 3, "gpu")?;
    let model = text(rec, 4, "model")?;
    Ok(OpenbNode {
        sn: sn.to_string(),
        cpu_milli,
        memory_mib,
        gpus,
        model: model.to_string(),
    })
}

/// Every row of the pod lists `files`, parsed, with the GPU columns that a
/// [`PodStream`] leaves out (for now). Checks each file's header first.
pub fn read_pods(
    files: &[PathBuf],
) -> Result<Box<dyn Iterator<Item = Result<OpenbPod, BadRow>> + Send>, TraceError> {
    check_header(
        files,
        &POD_COLUMNS,
        "pod list",
        (&NODE_COLUMNS, "node list", "nodes"),
    )?;
    let mut rows = CsvRows::open(files, true);
    Ok(Box::new(std::iter::from_fn(move || {
        let r = rows.next_row()?;
        Some(r.and_then(|(file, line, rec)| {
            pod_row(rec).map_err(|message| BadRow {
                file,
                line,
                message,
                left_out: false,
            })
        }))
    })))
}

/// Every row of the node lists `files`, parsed, GPUs included.
pub fn read_nodes(
    files: &[PathBuf],
) -> Result<Box<dyn Iterator<Item = Result<OpenbNode, BadRow>> + Send>, TraceError> {
    check_header(
        files,
        &NODE_COLUMNS,
        "node list",
        (&POD_COLUMNS, "pod list", "pods"),
    )?;
    let mut rows = CsvRows::open(files, true);
    Ok(Box::new(std::iter::from_fn(move || {
        let r = rows.next_row()?;
        Some(r.and_then(|(file, line, rec)| {
            node_row(rec).map_err(|message| BadRow {
                file,
                line,
                message,
                left_out: false,
            })
        }))
    })))
}

/// Opens the pod lists `files` as a pod stream. Nothing is normalized, so
/// `scales` does not apply.
pub fn open_pods(files: &[PathBuf], _scales: &Scales) -> Result<PodStream, TraceError> {
    let pods = read_pods(files)?;
    Ok(Box::new(
        pods.map(|r| r.map(|p| PodItem::Pod(p.to_trace_pod()))),
    ))
}

/// Opens the node lists `files` as machines added at time 0.
pub fn open_nodes(files: &[PathBuf], _scales: &Scales) -> Result<MachineStream, TraceError> {
    let nodes = read_nodes(files)?;
    Ok(Box::new(nodes.map(|r| r.map(OpenbNode::to_machine_event))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::trace::{self, TraceFiles, TraceFormat};
    use std::path::Path;

    const POD_HEADER: &str = "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n";
    const NODE_HEADER: &str = "sn,cpu_milli,memory_mib,gpu,model\n";

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn pods_of(files: &[PathBuf]) -> Vec<Result<PodItem, BadRow>> {
        open_pods(files, &Scales::default()).unwrap().collect()
    }

    fn pod(name: &str, submit: u64, run: TraceRun, cpu_m: u64, mib: u64) -> TracePod {
        TracePod {
            key: name.into(),
            owner: name.into(),
            kind: PodKind::Job,
            submit: SimTime::from_secs(submit),
            run,
            requests: Resources::new(cpu_m, mib * 1024 * 1024),
            priority: 0,
        }
    }

    #[test]
    fn pods_with_every_phase() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "openb_pod_list_test.csv",
            &format!(
                "{POD_HEADER}\
                 openb-pod-0000,12000,16384,1,1000,,LS,Running,0,12537496,0\n\
                 openb-pod-0001,6000,12288,1,460,V100M16|V100M32,BE,Succeeded,100,400,130\n\
                 openb-pod-0002,4000,1024,0,0,,Burstable,Pending,200,260,\n\
                 openb-pod-0003,88000,327680,8,1000,,Guaranteed,Failed,300,321,301\n\
                 openb-pod-0004,1000,512,2,1000,,LS,Running,400,,400\n"
            ),
        );
        let got: Vec<TracePod> = pods_of(&[p])
            .into_iter()
            .map(|r| match r.unwrap() {
                PodItem::Pod(p) => p,
                e => panic!("unexpected {e:?}"),
            })
            .collect();
        let s = SimTime::from_secs;
        assert_eq!(
            got,
            [
                // Scheduled at once: deletion − scheduled.
                pod(
                    "openb-pod-0000",
                    0,
                    TraceRun::For(s(12_537_496)),
                    12000,
                    16384
                ),
                // Waited 30 s: the wait is not part of the run time.
                pod("openb-pod-0001", 100, TraceRun::For(s(270)), 6000, 12288),
                // Never scheduled: deletion − creation.
                pod("openb-pod-0002", 200, TraceRun::For(s(60)), 4000, 1024),
                // Failed: replayed like the others.
                pod("openb-pod-0003", 300, TraceRun::For(s(20)), 88000, 327680),
                // Not deleted when the trace was taken.
                pod("openb-pod-0004", 400, TraceRun::Forever, 1000, 512),
            ]
        );
    }

    #[test]
    fn gpu_columns_are_parsed_for_later() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "pods.csv",
            &format!(
                "{POD_HEADER}\
                 a,6000,12288,1,460,V100M16|V100M32,BE,Succeeded,100,400,130\n\
                 b,4000,1024,0,0,,Burstable,Pending,200,260,\n"
            ),
        );
        let rows: Vec<OpenbPod> = read_pods(&[p]).unwrap().map(Result::unwrap).collect();
        assert_eq!(
            rows[0].gpu,
            GpuRequest {
                count: 1,
                milli: 460,
                spec: "V100M16|V100M32".into()
            }
        );
        assert_eq!(rows[0].gpu.models(), ["V100M16", "V100M32"]);
        assert_eq!((rows[0].qos, rows[0].phase), (Qos::Be, Phase::Succeeded));
        assert_eq!(rows[1].gpu.count, 0);
        assert!(rows[1].gpu.models().is_empty());
        assert_eq!(rows[1].scheduled, None);
        assert_eq!(rows[1].phase, Phase::Pending);
    }

    #[test]
    fn bad_rows_name_file_line_and_column() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "pods.csv",
            &format!(
                "{POD_HEADER}\
                 ok,1000,1024,0,0,,LS,Running,0,10,0\n\
                 gpu,1000,1024,one,0,,LS,Running,0,10,0\n\
                 short,1000,1024,0,0,,LS,Running,0,10\n\
                 neg,1000,1024,0,0,,LS,Running,-5,10,0\n\
                 share,1000,1024,1,1500,,LS,Running,0,10,0\n\
                 qos,1000,1024,0,0,,Gold,Running,0,10,0\n\
                 order,1000,1024,0,0,,LS,Running,0,10,20\n\
                 cpu,1.5,1024,0,0,,LS,Running,0,10,0\n\
                 long,1000,1024,0,0,,LS,Running,0,10,0,extra\n"
            ),
        );
        let items = pods_of(std::slice::from_ref(&p));
        assert_eq!(items.len(), 9);
        assert!(items[0].is_ok());
        let bad: Vec<BadRow> = items.into_iter().filter_map(Result::err).collect();
        let want = [
            (3, "column num_gpu"),
            (4, "missing column scheduled_time"),
            (5, "column creation_time"),
            (6, "column gpu_milli"),
            (7, "column qos"),
            (8, "deletion_time 10 is before scheduled_time 20"),
            (9, "column cpu_milli"),
            (10, "12 fields"),
        ];
        assert_eq!(bad.len(), want.len());
        for (b, (line, text)) in bad.iter().zip(want) {
            assert_eq!(b.file, p.display().to_string());
            assert_eq!(b.line, line, "{b}");
            assert!(b.message.contains(text), "line {line}: {b}");
        }
    }

    #[test]
    fn wrong_format_and_empty_files() {
        let d = tempfile::tempdir().unwrap();
        let podsim = write(d.path(), "p.csv", "id,submit_s,cpu,memory\na,0,1,1Gi\n");
        let err = open_pods(std::slice::from_ref(&podsim), &Scales::default())
            .err()
            .unwrap();
        assert_eq!(err.line, Some(1));
        assert!(
            err.message.contains("expected the header name,cpu_milli"),
            "{err}"
        );
        assert!(err.message.contains("right format"), "{err}");

        // The node list given as the pod list, and the other way round.
        let nodes = write(d.path(), "n.csv", &format!("{NODE_HEADER}x,1000,1024,0,\n"));
        let err = open_pods(&[nodes], &Scales::default()).err().unwrap();
        assert!(err.message.contains("give it as `nodes`"), "{err}");
        let pods = write(d.path(), "p2.csv", POD_HEADER);
        let err = open_nodes(std::slice::from_ref(&pods), &Scales::default())
            .err()
            .unwrap();
        assert!(err.message.contains("give it as `pods`"), "{err}");

        // A header alone is a valid, empty list; an empty file is not.
        assert!(pods_of(&[pods]).is_empty());
        let empty = write(d.path(), "e.csv", "");
        let err = open_pods(&[empty], &Scales::default()).err().unwrap();
        assert!(err.message.contains("the file is empty"), "{err}");

        // Every file of a list is checked, not only the first.
        let good = write(d.path(), "g.csv", POD_HEADER);
        let err = open_pods(&[good, podsim.clone()], &Scales::default())
            .err()
            .unwrap();
        assert_eq!(err.file, podsim.display().to_string());
    }

    #[test]
    fn nodes_are_added_at_time_zero() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "openb_node_list_test.csv",
            &format!(
                "{NODE_HEADER}\
                 openb-node-0000,32000,262144,0,\n\
                 openb-node-0001,64000,262144,2,P100\n\
                 openb-node-0002,0,262144,2,P100\n\
                 openb-node-0003,96000,786432,x,V100M32\n\
                 openb-node-0004,96000\n"
            ),
        );
        let items: Vec<_> = open_nodes(std::slice::from_ref(&p), &Scales::default())
            .unwrap()
            .collect();
        assert_eq!(
            items[0].as_ref().unwrap(),
            &MachineEvent {
                t: SimTime::ZERO,
                machine: "openb-node-0000".into(),
                change: MachineChange::Add(Resources::new(32_000, 256 << 30)),
            }
        );
        assert_eq!(
            items[1].as_ref().unwrap().change,
            MachineChange::Add(Resources::new(64_000, 256 << 30))
        );
        let bad: Vec<&BadRow> = items.iter().filter_map(|r| r.as_ref().err()).collect();
        assert_eq!(bad.len(), 3);
        assert_eq!(bad[0].line, 4);
        assert!(bad[0].message.contains("more than zero"), "{}", bad[0]);
        assert_eq!(bad[1].line, 5);
        assert!(bad[1].message.contains("column gpu"), "{}", bad[1]);
        assert!(
            bad[2].message.contains("missing column memory_mib"),
            "{}",
            bad[2]
        );

        let rows: Vec<OpenbNode> = read_nodes(&[p]).unwrap().filter_map(Result::ok).collect();
        assert_eq!((rows[1].gpus, rows[1].model.as_str()), (2, "P100"));
    }

    #[test]
    fn registered_as_a_format() {
        let f = TraceFormat::parse("alibaba-gpu-2023").unwrap();
        assert_eq!(f.name(), "alibaba-gpu-2023");
        assert!(f.has_machines());
        assert!(TraceFormat::NAMES.contains(&"alibaba-gpu-2023"));
        let d = tempfile::tempdir().unwrap();
        let files = TraceFiles {
            pods: vec![write(
                d.path(),
                "p.csv",
                &format!("{POD_HEADER}a,1000,1024,0,0,,LS,Running,5,10,6\n"),
            )],
            nodes: vec![write(
                d.path(),
                "n.csv",
                &format!("{NODE_HEADER}n,1000,1024,0,\n"),
            )],
        };
        let s = Scales::default();
        assert_eq!(trace::open_pods(f, &files, &s).unwrap().count(), 1);
        assert_eq!(
            trace::open_nodes(f, &files, &s).unwrap().unwrap().count(),
            1
        );
    }
}
