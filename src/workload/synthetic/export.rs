//! `podsim trace generate`: the workload a scenario's jobs would submit,
//! and the machines its pools and node events describe, written as a podsim
//! trace.
//!
//! `pods.csv` holds every task the jobs submit up to the horizon, drawn by
//! the same [`JobGenerator`] the simulation uses, so a scenario that replays
//! it (with its `[[jobs]]` replaced by a `[[traces]]` entry) submits the same
//! pods at the same times with the same run times, requests and priorities.
//! It holds first attempts only: retries after a failure are the control
//! plane's doing, not the workload's.
//!
//! `nodes.csv` holds the initial nodes and what `add-nodes`, `fail-node`,
//! `recover-node`, `remove-node`, `fail-zone` and `recover-zone` do to them,
//! as the simulation would apply them (a timed failure becomes a failure and
//! a recovery; a zone event one row per node it touches). What the format
//! cannot carry is listed in [`Written::notes`].

use super::{GeneratedTask, JobGenerator};
use crate::cluster::PodKind;
use crate::engine::SimTime;
use crate::scenario::{Action, Scenario};
use crate::workload::trace::podsim::{NodeWriter, PodWriter};
use crate::workload::trace::{MachineChange, MachineEvent, TracePod, TraceRun};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};
use std::io::{BufWriter, Write};
use std::path::Path;

/// What was written.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Written {
    /// Pods per job, in the scenario's order.
    pub pods: Vec<(String, u64)>,
    pub machine_events: u64,
    /// What the scenario has that the trace does not carry.
    pub notes: Vec<String>,
    /// What was read from traces the jobs take arrival times from.
    pub read: Vec<String>,
}

impl Written {
    /// What `podsim trace generate` prints: what it wrote, then what it read
    /// and the notes, one per line.
    pub fn report(&self, dir: &Path, seed: u64) -> String {
        let total: u64 = self.pods.iter().map(|(_, n)| n).sum();
        let per_job: Vec<String> = self.pods.iter().map(|(j, n)| format!("{j} {n}")).collect();
        let mut s = format!(
            "wrote {}/pods.csv ({total} pods: {}) and nodes.csv ({} machine events), seed {seed}\n",
            dir.display(),
            per_job.join(", "),
            self.machine_events
        );
        for r in &self.read {
            s.push_str(&format!("{r}\n"));
        }
        for n in &self.notes {
            s.push_str(&format!("note: {n}\n"));
        }
        s
    }
}

/// The trace id of a job's task: `<job>-<task>`.
pub fn pod_id(job: &str, task: u32) -> String {
    format!("{job}-{task}")
}

/// The trace pod for a generated task of job number `j`.
pub fn trace_pod(sc: &Scenario, j: usize, t: &GeneratedTask) -> TracePod {
    let job = &sc.jobs[j];
    TracePod {
        key: pod_id(&job.name, t.task),
        owner: job.name.clone(),
        kind: PodKind::Job,
        submit: t.submit,
        run: TraceRun::For(t.work),
        requests: job.sizes[t.size].requests,
        priority: job.template.priority,
    }
}

/// Every job's tasks up to the horizon, merged in time order (ties in the
/// scenario's job order), passed to `out`. Memory holds one generator per job.
/// Returns, for jobs whose arrival times come from a trace, what was read.
pub fn for_each_task(
    sc: &Scenario,
    seed: u64,
    mut out: impl FnMut(usize, &GeneratedTask) -> Result<(), String>,
) -> Result<Vec<String>, String> {
    let mut gens = Vec::new();
    for job in &sc.jobs {
        gens.push(JobGenerator::new(job, seed).map_err(|e| format!("job {}: {e}", job.name))?);
    }
    loop {
        let due = gens
            .iter()
            .enumerate()
            .filter_map(|(j, g)| g.peek().map(|(t, n)| (t, j, n)))
            .filter(|(t, _, _)| *t <= sc.horizon)
            .min_by_key(|(t, j, _)| (*t, *j));
        let Some((_, j, n)) = due else {
            return Ok(gens
                .iter()
                .zip(&sc.jobs)
                .filter_map(|(g, job)| {
                    g.trace_stats()
                        .map(|s| format!("job {}: arrival times: read {s}", job.name))
                })
                .collect());
        };
        for _ in 0..n {
            let task = gens[j]
                .take()
                .map_err(|e| format!("job {}: {e}", sc.jobs[j].name))?;
            if let Some(task) = task {
                out(j, &task)?;
            }
        }
    }
}

/// Writes `dir/pods.csv` and `dir/nodes.csv` for the scenario under `seed`.
pub fn write_trace(sc: &Scenario, seed: u64, dir: &Path) -> Result<Written, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let create = |name: &str| {
        let path = dir.join(name);
        std::fs::File::create(&path)
            .map(BufWriter::new)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))
    };
    let io = |e: std::io::Error| format!("cannot write the trace: {e}");
    let mut written = Written {
        pods: sc.jobs.iter().map(|j| (j.name.clone(), 0)).collect(),
        ..Written::default()
    };

    let mut pods = PodWriter::new(create("pods.csv")?).map_err(io)?;
    written.read = for_each_task(sc, seed, |j, t| {
        written.pods[j].1 += 1;
        pods.write(&trace_pod(sc, j, t)).map_err(io)
    })?;
    pods.into_inner().flush().map_err(io)?;

    let (events, notes) = machine_events(sc);
    let mut nodes = NodeWriter::new(create("nodes.csv")?).map_err(io)?;
    for e in &events {
        nodes.write(e).map_err(io)?;
    }
    nodes.into_inner().flush().map_err(io)?;
    written.machine_events = events.len() as u64;
    written.notes = notes;
    Ok(written)
}

struct NodeState {
    name: String,
    zone: String,
    up: bool,
    removed: bool,
    epoch: u32,
}

/// The cluster's nodes as the scenario's events change them.
struct Timeline<'a> {
    sc: &'a Scenario,
    nodes: Vec<NodeState>,
    by_name: BTreeMap<String, usize>,
    next_index: Vec<u32>,
    out: Vec<MachineEvent>,
    /// Timed recoveries: (time, order pushed, node, epoch), earliest first.
    timed: BinaryHeap<Reverse<(SimTime, u64, usize, u32)>>,
    pushed: u64,
}

impl Timeline<'_> {
    fn emit(&mut self, t: SimTime, i: usize, change: MachineChange) {
        self.out.push(MachineEvent {
            t,
            machine: self.nodes[i].name.clone(),
            change,
        });
    }

    fn add(&mut self, pool: usize, t: SimTime) {
        let p = &self.sc.pools[pool];
        let k = self.next_index[pool];
        self.next_index[pool] += 1;
        let name = format!("{}-{k}", p.name);
        self.by_name.insert(name.clone(), self.nodes.len());
        self.nodes.push(NodeState {
            name,
            zone: p.zones[k as usize % p.zones.len()].clone(),
            up: true,
            removed: false,
            epoch: 0,
        });
        self.emit(t, self.nodes.len() - 1, MachineChange::Add(p.allocatable));
    }

    fn fail(&mut self, i: usize, t: SimTime, duration: Option<SimTime>) {
        let n = &mut self.nodes[i];
        if !n.up || n.removed {
            return;
        }
        n.up = false;
        n.epoch += 1;
        let epoch = n.epoch;
        self.emit(t, i, MachineChange::Fail);
        if let Some(d) = duration {
            self.timed.push(Reverse((t + d, self.pushed, i, epoch)));
            self.pushed += 1;
        }
    }

    fn recover(&mut self, i: usize, t: SimTime) {
        let n = &mut self.nodes[i];
        if n.up || n.removed {
            return;
        }
        n.up = true;
        n.epoch += 1;
        self.emit(t, i, MachineChange::Recover);
    }

    /// Applies the timed recoveries due before `t` (or at it, with `inclusive`).
    fn recoveries_until(&mut self, t: SimTime, inclusive: bool) {
        while let Some(Reverse((at, _, i, epoch))) = self.timed.peek().copied() {
            if at > t || (at == t && !inclusive) {
                break;
            }
            self.timed.pop();
            if self.nodes[i].epoch == epoch {
                self.recover(i, at);
            }
        }
    }

    fn zone(&self, zone: &str, up: bool) -> Vec<usize> {
        (0..self.nodes.len())
            .filter(|&i| {
                let n = &self.nodes[i];
                !n.removed && n.zone == zone && n.up == up
            })
            .collect()
    }
}

/// The machine events the scenario's pools and node events amount to, in
/// time order, applied as the simulation applies them (a failure of a node
/// already down does nothing; a timed recovery only undoes its own failure;
/// at one instant scenario events come before timed recoveries). Also notes
/// on what a podsim trace cannot carry.
pub fn machine_events(sc: &Scenario) -> (Vec<MachineEvent>, Vec<String>) {
    let mut tl = Timeline {
        sc,
        nodes: Vec::new(),
        by_name: BTreeMap::new(),
        next_index: vec![0; sc.pools.len()],
        out: Vec::new(),
        timed: BinaryHeap::new(),
        pushed: 0,
    };
    for (p, pool) in sc.pools.iter().enumerate() {
        for _ in 0..pool.count {
            tl.add(p, SimTime::ZERO);
        }
    }
    let (mut drains, mut scales, mut disruptions) = (0u32, 0u32, 0u32);
    for e in &sc.events {
        tl.recoveries_until(e.at, false);
        let named = |tl: &Timeline, n: &str| tl.by_name.get(n).copied();
        match &e.action {
            Action::FailNode { node, duration } => {
                if let Some(i) = named(&tl, node) {
                    tl.fail(i, e.at, *duration);
                }
            }
            Action::RecoverNode { node } => {
                if let Some(i) = named(&tl, node) {
                    tl.recover(i, e.at);
                }
            }
            Action::RemoveNode { node } => {
                if let Some(i) = named(&tl, node) {
                    if !tl.nodes[i].removed {
                        tl.nodes[i].removed = true;
                        tl.emit(e.at, i, MachineChange::Remove);
                    }
                }
            }
            Action::FailZone { zone, duration } => {
                for i in tl.zone(zone, true) {
                    tl.fail(i, e.at, *duration);
                }
            }
            Action::RecoverZone { zone } => {
                for i in tl.zone(zone, false) {
                    tl.recover(i, e.at);
                }
            }
            Action::AddNodes { pool, count } => {
                for _ in 0..*count {
                    tl.add(*pool, e.at);
                }
            }
            Action::DrainNode { .. } | Action::UncordonNode { .. } => drains += 1,
            Action::ScaleService { .. } => scales += 1,
            Action::PartitionNode { .. }
            | Action::PartitionZone { .. }
            | Action::ResizeNode { .. }
            | Action::ResizePool { .. }
            | Action::RollingDrain { .. } => disruptions += 1,
        }
    }
    tl.recoveries_until(sc.horizon, true);

    let mut notes = Vec::new();
    if drains > 0 {
        notes.push(format!(
            "{drains} drain-node/uncordon-node events are not in nodes.csv (a podsim trace has no cordon)"
        ));
    }
    if !sc.services.is_empty() {
        let n = sc.services.len();
        notes.push(format!(
            "{n} {}{} not in pods.csv: a replica count is a controller's target, not a workload; keep the [[services]]{} in the replaying scenario",
            if n == 1 { "service" } else { "services" },
            match (scales > 0, n == 1) {
                (true, _) => " and scale-service events are",
                (false, true) => " is",
                (false, false) => " are",
            },
            if scales > 0 { " and those [[events]]" } else { "" },
        ));
    }
    if sc
        .pools
        .iter()
        .any(|p| !p.labels.is_empty() || !p.taints.is_empty())
    {
        notes.push(
            "pool labels and taints are not in nodes.csv: nodes a trace builds have none".into(),
        );
    }
    if sc.pools.len() > 1 {
        notes.push(
            "nodes.csv has no zones, max-pods or cost: a [[traces]] entry gives the nodes it builds one zone list (round-robin), one max-pods and one cost, which match only a single pool's".into(),
        );
    }
    if sc.jobs.iter().any(|j| {
        j.template.startup > SimTime::ZERO
            || !j.template.tolerations.is_empty()
            || !j.template.node_selector.is_empty()
    }) {
        notes.push("job startup, tolerations and node-selector are not in pods.csv: set them on the [[traces]] entry (they apply to all its pods)".into());
    }
    if disruptions > 0 {
        notes.push(format!(
            "{disruptions} partition, resize and rolling-drain events are not in nodes.csv: keep those [[events]] in the replaying scenario"
        ));
    }
    if !sc.failures.is_empty() {
        notes.push(format!(
            "{} [[failures]] models are not in nodes.csv: keep them in the replaying scenario (random failures draw from per-node streams, so they recur at the same times for nodes of the same names)",
            sc.failures.len()
        ));
    }
    (tl.out, notes)
}
