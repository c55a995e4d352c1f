//! Replaying a trace: its pods are submitted at their trace times (through
//! the same controllers as scenario workloads), and its machine events build
//! and change the cluster. Streams are pulled one due instant at a time, so
//! memory holds only what is live.

use crate::cluster::{PodId, PodKind, PodPhase, PodSpec, Resources, SpecId};
use crate::engine::SimTime;
use crate::simulation::{Event, NodeTemplate, Owner, Role, Simulation};
use crate::workload::trace::{
    open_nodes, open_pods, MachineChange, MachineEvent, MachineReplay, PodItem, PodReplay, TraceRun,
};
use std::collections::BTreeMap;

/// The replay state of one `[[traces]]` entry.
pub struct TraceState {
    pods: Option<PodReplay>,
    nodes: Option<MachineReplay>,
    next_pod: Option<PodItem>,
    next_node: Option<MachineEvent>,
    /// Owner names in the trace → owner-table ids, keyed by a hash of the
    /// name (the name itself is kept once, in the owner table); names whose
    /// hash collides with another's go to `owners_collided`.
    owners: BTreeMap<u64, u32>,
    owners_collided: BTreeMap<String, u32>,
    /// The trace's machine names → nodes.
    machines: BTreeMap<String, crate::cluster::NodeId>,
    /// (cpu, memory, priority) → the shared spec of such pods.
    specs: BTreeMap<(u64, u64, i32), SpecId>,
    next_task: u32,
    /// Pods whose run time the trace will tell later: key → task.
    awaiting: BTreeMap<String, u32>,
    /// The live pod of each task that awaits its run time.
    task_pod: BTreeMap<u32, PodId>,
    /// Run times that arrived while their task had no live pod.
    known_work: BTreeMap<u32, SimTime>,
    /// The pool index of the nodes this trace creates.
    pool: u32,
    nodes_created: u32,
    resizes_ignored: u64,
    unknown_machines: u64,
    ends_unmatched: u64,
}

/// FNV-1a, 64 bits: a stable hash for owner names.
fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl Simulation<'_> {
    /// Opens every trace of the scenario and schedules its first items.
    pub(crate) fn open_traces(&mut self) -> Result<(), String> {
        for (i, spec) in self.scenario.traces.iter().enumerate() {
            let pods = if spec.files.pods.is_empty() {
                None
            } else {
                let stream =
                    open_pods(spec.format, &spec.files, &spec.scales).map_err(|e| e.to_string())?;
                Some(PodReplay::new(stream, spec.replay.clone(), self.seed))
            };
            let nodes = if spec.build_cluster {
                open_nodes(spec.format, &spec.files, &spec.scales)
                    .map_err(|e| e.to_string())?
                    .map(|s| MachineReplay::new(s, spec.replay.clone()))
            } else {
                None
            };
            self.pool_names.push(spec.name.clone());
            self.traces.push(TraceState {
                pods,
                nodes,
                next_pod: None,
                next_node: None,
                owners: BTreeMap::new(),
                owners_collided: BTreeMap::new(),
                machines: BTreeMap::new(),
                specs: BTreeMap::new(),
                next_task: 0,
                awaiting: BTreeMap::new(),
                task_pod: BTreeMap::new(),
                known_work: BTreeMap::new(),
                pool: (self.pool_names.len() - 1) as u32,
                nodes_created: 0,
                resizes_ignored: 0,
                unknown_machines: 0,
                ends_unmatched: 0,
            });
            self.fetch_node(i);
            self.fetch_pod(i);
            if let Some(e) = self.fatal.take() {
                return Err(e);
            }
        }
        Ok(())
    }

    /// Reads the trace's next pod item and schedules it.
    fn fetch_pod(&mut self, i: usize) {
        let Some(r) = self.traces[i].pods.as_mut() else {
            return;
        };
        match r.next_item() {
            Ok(Some(item)) => {
                let t = item.time().max(self.now);
                self.traces[i].next_pod = Some(item);
                self.queue.push(t, Event::TracePods { trace: i as u32 });
            }
            Ok(None) => {}
            Err(e) => {
                self.fatal
                    .get_or_insert(format!("trace {}: {e}", self.scenario.traces[i].name));
            }
        }
    }

    fn fetch_node(&mut self, i: usize) {
        let Some(r) = self.traces[i].nodes.as_mut() else {
            return;
        };
        match r.next_event() {
            Ok(Some(e)) => {
                let t = e.t.max(self.now);
                self.traces[i].next_node = Some(e);
                self.queue.push(t, Event::TraceNodes { trace: i as u32 });
            }
            Ok(None) => {}
            Err(e) => {
                self.fatal
                    .get_or_insert(format!("trace {}: {e}", self.scenario.traces[i].name));
            }
        }
    }

    /// Handles every pod item of trace `i` that is due now.
    pub(crate) fn trace_pods(&mut self, i: usize) {
        while let Some(item) = self.traces[i].next_pod.take() {
            if item.time() > self.now {
                self.traces[i].next_pod = Some(item);
                break;
            }
            match item {
                PodItem::Pod(p) => self.submit_trace_pod(i, p),
                PodItem::End { key, ran, .. } => self.end_trace_pod(i, &key, ran),
            }
            // Fetch the next one; stop if it is not due yet (fetch schedules it).
            let Some(r) = self.traces[i].pods.as_mut() else {
                break;
            };
            match r.next_item() {
                Ok(Some(next)) if next.time() <= self.now => self.traces[i].next_pod = Some(next),
                Ok(Some(next)) => {
                    let t = next.time();
                    self.traces[i].next_pod = Some(next);
                    self.queue.push(t, Event::TracePods { trace: i as u32 });
                    break;
                }
                Ok(None) => break,
                Err(e) => {
                    self.fatal
                        .get_or_insert(format!("trace {}: {e}", self.scenario.traces[i].name));
                    break;
                }
            }
        }
    }

    fn trace_owner(&mut self, i: usize, name: &str, kind: PodKind) -> u32 {
        let prefix = &self.scenario.traces[i].name;
        let full = format!("{prefix}/{name}");
        let h = fnv1a(full.as_bytes());
        let t = &self.traces[i];
        match t.owners.get(&h) {
            Some(id) if self.owners[*id as usize].name == full => return *id,
            Some(_) => {
                if let Some(id) = t.owners_collided.get(&full) {
                    return *id;
                }
            }
            None => {}
        }
        let id = self.owners.len() as u32;
        self.owners.push(Owner {
            name: full.clone(),
            kind,
            role: match kind {
                PodKind::Job => Role::TraceJob(i),
                PodKind::Service => Role::TraceService(i),
            },
        });
        let t = &mut self.traces[i];
        if let std::collections::btree_map::Entry::Vacant(e) = t.owners.entry(h) {
            e.insert(id);
        } else {
            t.owners_collided.insert(full, id);
        }
        id
    }

    fn trace_spec(&mut self, i: usize, requests: Resources, priority: i32) -> SpecId {
        let key = (requests.cpu_m, requests.mem, priority);
        if let Some(s) = self.traces[i].specs.get(&key) {
            return *s;
        }
        let t = &self.scenario.traces[i];
        let id = self.cluster.add_spec(PodSpec {
            requests,
            priority,
            tolerations: t.tolerations.clone(),
            node_selector: t.node_selector.clone(),
            startup: t.startup,
            constraints: crate::cluster::Constraints {
                preemption: t.preemption,
                ..Default::default()
            },
        });
        self.traces[i].specs.insert(key, id);
        id
    }

    fn submit_trace_pod(&mut self, i: usize, p: crate::workload::trace::TracePod) {
        let owner = self.trace_owner(i, &p.owner, p.kind);
        let spec = self.trace_spec(i, p.requests, p.priority);
        let task = self.traces[i].next_task;
        self.traces[i].next_task += 1;
        let work = match p.run {
            TraceRun::For(d) => Some(d),
            TraceRun::Forever | TraceRun::UntilEnd => None,
        };
        let pod = self.new_pod(spec, owner as usize, task, 0, work);
        if p.run == TraceRun::UntilEnd {
            self.traces[i].awaiting.insert(p.key, task);
            self.traces[i].task_pod.insert(task, pod);
        }
    }

    /// The trace says pod `key` ran for `ran`: it completes `ran` after it
    /// started here (at once if that moment has passed).
    fn end_trace_pod(&mut self, i: usize, key: &str, ran: SimTime) {
        let Some(task) = self.traces[i].awaiting.remove(key) else {
            self.traces[i].ends_unmatched += 1;
            return;
        };
        let Some(pod) = self.traces[i].task_pod.remove(&task) else {
            self.traces[i].known_work.insert(task, ran);
            return;
        };
        let p = self.cluster.pod_mut(pod);
        p.work = Some(ran);
        match p.phase {
            PodPhase::Running => {
                let at = (p.run_started.unwrap_or(self.now) + ran).max(self.now);
                let epoch = p.epoch;
                self.queue.push(at, Event::PodFinished { pod, epoch });
            }
            // Killed before it ever ran (the trace's `ran` is zero): withdraw it.
            PodPhase::Pending if ran == SimTime::ZERO => {
                let spec = p.spec;
                self.pending.remove(spec, pod);
                self.cluster.pod_mut(pod).ended_at = Some(self.now);
                self.finish_pod(pod, crate::cluster::Outcome::Deleted);
            }
            PodPhase::Pending | PodPhase::Starting => {}
            // It will be replaced; the replacement runs for `ran`.
            _ => {
                self.traces[i].known_work.insert(task, ran);
            }
        }
    }

    /// The run time a trace task learned while it had no live pod.
    pub(crate) fn known_trace_work(&mut self, owner: usize, task: u32) -> Option<SimTime> {
        match self.owners[owner].role {
            Role::TraceJob(i) | Role::TraceService(i) => self.traces[i].known_work.remove(&task),
            _ => None,
        }
    }

    /// A trace task got a new pod: a later end applies to it.
    pub(crate) fn trace_pod_replaced(&mut self, owner: usize, task: u32, pod: PodId) {
        if let Role::TraceJob(i) | Role::TraceService(i) = self.owners[owner].role {
            let t = &mut self.traces[i];
            if t.task_pod.contains_key(&task) || t.awaiting.values().any(|v| *v == task) {
                t.task_pod.insert(task, pod);
            }
        }
    }

    /// Handles every machine event of trace `i` that is due now.
    pub(crate) fn trace_nodes(&mut self, i: usize) {
        while let Some(e) = self.traces[i].next_node.take() {
            if e.t > self.now {
                self.traces[i].next_node = Some(e);
                break;
            }
            self.apply_machine_event(i, e);
            let Some(r) = self.traces[i].nodes.as_mut() else {
                break;
            };
            match r.next_event() {
                Ok(Some(next)) if next.t <= self.now => self.traces[i].next_node = Some(next),
                Ok(Some(next)) => {
                    let t = next.t;
                    self.traces[i].next_node = Some(next);
                    self.queue.push(t, Event::TraceNodes { trace: i as u32 });
                    break;
                }
                Ok(None) => break,
                Err(e) => {
                    self.fatal
                        .get_or_insert(format!("trace {}: {e}", self.scenario.traces[i].name));
                    break;
                }
            }
        }
    }

    fn apply_machine_event(&mut self, i: usize, e: MachineEvent) {
        let existing = self.traces[i].machines.get(&e.machine).copied();
        match (e.change, existing) {
            (MachineChange::Add(cap), None) => {
                let spec = &self.scenario.traces[i];
                let t = &mut self.traces[i];
                let template = NodeTemplate {
                    pool: t.pool,
                    zone: spec.zones[t.nodes_created as usize % spec.zones.len()].clone(),
                    allocatable: cap,
                    max_pods: spec.max_pods,
                    labels: BTreeMap::new(),
                    taints: Vec::new(),
                    cost_per_hour: spec.cost_per_hour,
                };
                t.nodes_created += 1;
                // A machine named like a node of another pool keeps its
                // name apart: `<trace>/<machine>`.
                let name = if self.node_by_name.contains_key(&e.machine) {
                    format!("{}/{}", spec.name, e.machine)
                } else {
                    e.machine.clone()
                };
                let id = self.add_named_node(name, template);
                self.traces[i].machines.insert(e.machine.clone(), id);
                if self.now > SimTime::ZERO {
                    self.rec.log(
                        self.now,
                        "node-added",
                        e.machine,
                        "the trace adds a machine",
                    );
                }
                self.capacity_grew();
            }
            (MachineChange::Add(_) | MachineChange::Recover, Some(id)) => {
                if !self.cluster.node(id).up && !self.cluster.node(id).removed {
                    self.recover_node(id);
                }
            }
            (MachineChange::Fail, Some(id)) => {
                self.fail_node(id);
            }
            (MachineChange::Remove, Some(id)) => self.remove_node(id),
            (MachineChange::Resize(_), Some(_)) => self.traces[i].resizes_ignored += 1,
            (_, None) => self.traces[i].unknown_machines += 1,
        }
    }

    /// Writes what each trace read and left out to the event log.
    pub(crate) fn log_trace_stats(&mut self) {
        let end = self.scenario.horizon;
        for i in 0..self.traces.len() {
            let name = self.scenario.traces[i].name.clone();
            let t = &self.traces[i];
            let mut parts = Vec::new();
            if let Some(p) = &t.pods {
                parts.push(format!("read {}", p.stats.describe()));
                if t.next_pod.is_some() {
                    parts.push("more items lay beyond the horizon".to_string());
                }
            }
            if let Some(n) = &t.nodes {
                parts.push(format!(
                    "{} machines created, {} machine events read",
                    t.nodes_created, n.stats.items_read
                ));
                if n.stats.bad_rows > 0 || n.stats.left_out > 0 {
                    parts.push(format!("machine file: {}", n.stats.describe()));
                }
            }
            if t.resizes_ignored > 0 {
                parts.push(format!(
                    "{} capacity changes ignored (not modelled yet)",
                    t.resizes_ignored
                ));
            }
            if t.unknown_machines > 0 {
                parts.push(format!(
                    "{} events for machines never added",
                    t.unknown_machines
                ));
            }
            if t.ends_unmatched > 0 {
                parts.push(format!(
                    "{} ends of pods not replayed (outside the window or sampled out)",
                    t.ends_unmatched
                ));
            }
            let detail = parts.join("; ");
            self.rec.log(end, "trace-read", name, detail);
        }
        // Jobs that take arrival times or run times from a trace.
        for (j, job) in self.scenario.jobs.iter().enumerate() {
            let mut parts = Vec::new();
            if let Some(stats) = self.jobs[j].generator.trace_stats() {
                parts.push(format!("arrival times: read {stats}"));
            }
            if let crate::scenario::DurationDist::Empirical(e) = &job.duration {
                let mut p = format!(
                    "run times from {}: {} values kept of {}",
                    e.source,
                    e.values.len(),
                    e.seen
                );
                if e.no_run_time > 0 {
                    p.push_str(&format!(
                        ", {} pods without a run time left out",
                        e.no_run_time
                    ));
                }
                if e.bad_rows > 0 {
                    p.push_str(&format!(", {} bad rows skipped", e.bad_rows));
                }
                parts.push(p);
            }
            if !parts.is_empty() {
                self.rec
                    .log(end, "trace-read", job.name.clone(), parts.join("; "));
            }
        }
    }
}
