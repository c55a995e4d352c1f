//! A simulation run: the engine, the cluster, the control plane and the
//! recorder, stepped one event at a time.
//!
//! Data flows one way: the scenario builds the initial state and schedules its
//! events; handlers in [`crate::control`] change the cluster and tell the
//! [`Recorder`]; [`Simulation::finish`] turns the recorder into a
//! [`RunResult`]. Nothing reads back from the outputs.

use crate::cluster::{
    Cluster, Node, NodeId, Outcome, Pod, PodId, PodKind, PodPhase, PodSpec, Resources, SpecId,
};
use crate::control::{PendingQueue, Scheduler};
use crate::engine::{EventQueue, RngStreams, SimTime};
use crate::metrics::{assemble, MemorySink, PodRecord, PodSink, Recorder, RunResult, Sample};
use crate::policy;
use crate::scenario::{PodTemplate, Scenario};
use crate::workload::JobGenerator;
use std::collections::BTreeMap;

/// Everything that can happen, as a closed set: handlers `match` on it exhaustively.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// The next pod (or, for `at-once`, all pods) of a job arrives.
    JobArrival { job: u32 },
    /// A pod's containers have started.
    PodReady { pod: PodId, epoch: u32 },
    /// A job pod's work is done.
    PodFinished { pod: PodId, epoch: u32 },
    /// An evicted or deleted pod has shut down and frees its node.
    PodTerminated { pod: PodId, epoch: u32 },
    /// A job's back-off after a failure is over: recreate the task's pod.
    /// Carries what the new pod needs, since the failed pod's slot is reused.
    RetryTask {
        owner: u32,
        spec: SpecId,
        task: u32,
        attempt: u32,
        work: Option<SimTime>,
    },
    /// `node-monitor-grace` after a failure: the control plane notices.
    NodeNotReady { node: NodeId, epoch: u32 },
    /// `eviction-timeout` after NotReady: the node's pods are evicted.
    EvictNodePods { node: NodeId, epoch: u32 },
    /// The scenario's event number `index` (in time order).
    Scenario { index: u32 },
    /// A timed failure is over (`duration` on fail-node / fail-zone).
    RecoverNode { node: NodeId, epoch: u32 },
    /// Run the scheduler over the pending pods.
    ScheduleCycle,
    /// The next items of trace number `trace`'s pod stream are due.
    TracePods { trace: u32 },
    /// The next machine events of trace number `trace` are due.
    TraceNodes { trace: u32 },
    /// The horizontal pod autoscaler of scenario service `service` syncs.
    HpaSync { service: u32 },
    /// A descheduler pass (every `[descheduler] interval`).
    Deschedule,
    /// A drain retries evicting pods its PodDisruptionBudgets held back.
    DrainRetry { node: NodeId },
    /// A timer of the failure models, partitions, resizes or rolling drains.
    Disruption(crate::control::DisruptionEvent),
    /// The cluster autoscaler's periodic scan.
    AutoscalerScan,
    /// Nodes the cluster autoscaler requested from pool `pool` are Ready.
    NodesProvisioned { pool: u32, count: u32 },
    /// A node the cluster autoscaler drained is removed.
    AutoscalerRemoveNode { node: NodeId },
    /// `pod-max-in-unschedulable` is up for some pods that could preempt.
    FlushUnschedulable,
}

/// The replica controller's view of one service.
#[derive(Debug)]
pub struct ServiceState {
    pub desired: u32,
    /// Pods the controller counts as its replicas (not yet deleted or evicted).
    pub active: Vec<PodId>,
    /// Replicas actually running.
    pub running: u32,
    pub spec: SpecId,
    /// Serial number of the next replica.
    pub serial: u32,
}

/// The job controller's view of one job.
pub struct JobState {
    /// One spec per entry of the job's sizes, in order.
    pub specs: Vec<SpecId>,
    /// Draws the job's tasks (shared with `podsim trace generate`).
    pub generator: JobGenerator,
    pub arrived: u32,
    pub completed: u32,
}

/// What owns a pod: the controller that replaces it when it is lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Scenario service number `n`: a replica controller keeps its count.
    Service(usize),
    /// Scenario job number `n`: each task runs to completion, retried with back-off.
    Job(usize),
    /// A job of trace number `n`: retried with back-off like a scenario job.
    TraceJob(usize),
    /// A long-running pod of trace number `n`: replaced at once when lost.
    TraceService(usize),
}

/// An entry of the owner table that pods point into.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Owner {
    pub name: String,
    pub kind: PodKind,
    pub role: Role,
}

/// Why a run could not finish.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum RunError {
    /// Bad input met during the run: a malformed trace row under `strict`, a
    /// trace file that cannot be read.
    #[error("{0}")]
    Input(String),
    /// The outputs could not be written.
    #[error("{0}")]
    Output(String),
}

/// What a new node is like, apart from its name.
#[derive(Clone, Debug)]
pub(crate) struct NodeTemplate {
    pub pool: u32,
    pub zone: String,
    pub allocatable: Resources,
    pub max_pods: u32,
    pub labels: BTreeMap<String, String>,
    pub taints: Vec<crate::cluster::Taint>,
    pub cost_per_hour: f64,
}

/// One run of one scenario under one policy and seed.
pub struct Simulation<'s> {
    pub scenario: &'s Scenario,
    pub policy: String,
    pub seed: u64,
    pub(crate) now: SimTime,
    pub(crate) queue: EventQueue<Event>,
    pub cluster: Cluster,
    pub(crate) scheduler: Scheduler,
    pub(crate) pending: PendingQueue,
    /// Bumped whenever schedulable capacity may have grown.
    pub(crate) capacity_epoch: u64,
    pub(crate) cycle_scheduled: bool,
    pub(crate) services: Vec<ServiceState>,
    pub(crate) jobs: Vec<JobState>,
    pub(crate) owners: Vec<Owner>,
    pub(crate) pool_names: Vec<String>,
    pub(crate) rec: Recorder,
    sink: Box<dyn PodSink>,
    sink_error: Option<String>,
    /// Σ over services of min(running, desired), and Σ desired.
    pub(crate) replicas_available: u64,
    pub(crate) replicas_desired: u64,
    pub(crate) node_by_name: BTreeMap<String, NodeId>,
    pub(crate) traces: Vec<crate::control::TraceState>,
    /// A trace error under `strict`: the run stops and reports it.
    pub(crate) fatal: Option<String>,
    pub(crate) pool_next: Vec<u32>,
    next_sample: SimTime,
    finished: bool,
    /// Per scenario service: its load and HPA state, if it has either.
    pub(crate) loads: Vec<Option<crate::control::LoadState>>,
    /// The descheduler's and drains' bookkeeping (`control/descheduler.rs`).
    pub(crate) desched: crate::control::DeschedulerState,
    /// Failure models, partitions, resizes, rolling drains, service health.
    pub(crate) disruptions: crate::control::Disruptions,
    /// The cluster autoscaler's memory, when the scenario has node groups.
    pub(crate) autoscaler: Option<crate::control::AutoscalerState>,
    /// Preemption and spread bookkeeping.
    pub(crate) placement: crate::control::PlacementState,
}

fn spec_from(t: &PodTemplate) -> PodSpec {
    PodSpec {
        requests: t.requests,
        priority: t.priority,
        tolerations: t.tolerations.clone(),
        node_selector: t.node_selector.clone(),
        startup: t.startup,
        constraints: t.constraints.clone(),
    }
}

impl<'s> Simulation<'s> {
    /// Sets up a run. Fails only for an unknown policy name.
    pub fn new(scenario: &'s Scenario, policy_name: &str, seed: u64) -> Result<Self, String> {
        let profile = policy::resolve(policy_name, &scenario.profiles)?;
        let streams = RngStreams::new(seed);
        let mut sim = Simulation {
            scenario,
            policy: policy_name.to_string(),
            seed,
            now: SimTime::ZERO,
            queue: EventQueue::with_capacity(1024),
            cluster: Cluster::new(),
            scheduler: Scheduler::new(profile, streams.stream("scheduler"))
                .with_preemption_rng(streams.stream("preemption")),
            pending: PendingQueue::default(),
            capacity_epoch: 0,
            cycle_scheduled: false,
            services: Vec::new(),
            jobs: Vec::new(),
            owners: Vec::new(),
            pool_names: scenario.pools.iter().map(|p| p.name.clone()).collect(),
            rec: Recorder::new(),
            sink: Box::new(MemorySink::default()),
            sink_error: None,
            replicas_available: 0,
            replicas_desired: 0,
            node_by_name: BTreeMap::new(),
            traces: Vec::new(),
            fatal: None,
            pool_next: vec![0; scenario.pools.len()],
            next_sample: SimTime::ZERO,
            finished: false,
            loads: Vec::new(),
            desched: Default::default(),
            disruptions: crate::control::Disruptions::new(scenario, seed),
            autoscaler: scenario
                .cluster_autoscaler
                .as_ref()
                .map(|_| crate::control::AutoscalerState::new(scenario, &streams)),
            placement: Default::default(),
        };
        for (p, pool) in scenario.pools.iter().enumerate() {
            for _ in 0..pool.count {
                sim.add_node(p);
            }
        }
        for (i, e) in scenario.events.iter().enumerate() {
            sim.queue.push(e.at, Event::Scenario { index: i as u32 });
        }
        sim.start_disruptions();
        for (s, svc) in scenario.services.iter().enumerate() {
            sim.owners.push(Owner {
                name: svc.name.clone(),
                kind: PodKind::Service,
                role: Role::Service(s),
            });
        }
        for (j, job) in scenario.jobs.iter().enumerate() {
            sim.owners.push(Owner {
                name: job.name.clone(),
                kind: PodKind::Job,
                role: Role::Job(j),
            });
            // One spec per size: the scheduler groups pods by spec.
            let specs = job
                .sizes
                .iter()
                .map(|size| {
                    let mut spec = spec_from(&job.template);
                    spec.requests = size.requests;
                    sim.cluster.add_spec(spec)
                })
                .collect();
            let generator =
                JobGenerator::new(job, seed).map_err(|e| format!("job {}: {e}", job.name))?;
            if let Some((first, _)) = generator.peek() {
                sim.queue.push(first, Event::JobArrival { job: j as u32 });
            }
            sim.jobs.push(JobState {
                specs,
                generator,
                arrived: 0,
                completed: 0,
            });
        }
        sim.open_traces()?;
        if sim.autoscaler.is_some() {
            // The autoscaler's loop runs at start, then every scan-interval.
            sim.queue.push(SimTime::ZERO, Event::AutoscalerScan);
        }
        for (s, svc) in scenario.services.iter().enumerate() {
            let spec = sim.cluster.add_spec(spec_from(&svc.template));
            sim.services.push(ServiceState {
                desired: 0,
                active: Vec::new(),
                running: 0,
                spec,
                serial: 0,
            });
            sim.set_desired(s, svc.replicas);
        }
        sim.start_autoscaling();
        sim.start_descheduler();
        sim.init_placement();
        Ok(sim)
    }

    /// Sends pod records to `sink` instead of keeping them in memory.
    pub fn with_pod_sink(mut self, sink: Box<dyn PodSink>) -> Self {
        self.sink = sink;
        self
    }

    /// The owner-table id of scenario job `j`.
    pub(crate) fn job_owner(&self, j: usize) -> usize {
        self.scenario.services.len() + j
    }

    /// Writes a pod's record and counts its outcome.
    pub(crate) fn record_pod(&mut self, pod: PodId, outcome: Outcome) {
        let p = *self.cluster.pod(pod);
        if let Some(s) = p.started_at {
            self.rec.waits.push((s - p.submit).as_secs_f64());
        }
        self.rec.outcomes[outcome as usize] += 1;
        let spec = self.cluster.spec(p.spec);
        let rec = PodRecord {
            pod: p.serial,
            owner: self.owners[p.owner as usize].name.clone(),
            kind: p.kind,
            task: p.task,
            attempt: p.attempt,
            node: p
                .last_node
                .map(|n| self.cluster.node(n).name.clone())
                .unwrap_or_default(),
            submit: p.submit,
            bind: p.bound_at,
            start: p.started_at,
            end: p.ended_at,
            outcome,
            restarts: p.restarts,
            cpu_m: spec.requests.cpu_m,
            mem: spec.requests.mem,
            priority: spec.priority,
            reason: if outcome == Outcome::Pending {
                self.pending
                    .reason_for(p.spec, pod)
                    .unwrap_or("not yet tried by the scheduler")
                    .to_string()
            } else {
                String::new()
            },
        };
        if let Err(e) = self.sink.record(&rec) {
            self.sink_error.get_or_insert(e);
        }
    }

    /// Ends a pod for good with `outcome`: records it, unbinds it and frees its slot.
    pub(crate) fn finish_pod(&mut self, pod: PodId, outcome: Outcome) {
        self.partition_pod_stopped(pod);
        let now = self.now;
        let p = self.cluster.pod_mut(pod);
        p.outcome = Some(outcome);
        if p.ended_at.is_none() && p.started_at.is_some() {
            p.ended_at = Some(now);
        }
        self.record_pod(pod, outcome);
        self.cluster.release_pod(pod);
    }

    /// A copy of a pod's state (pods are small and `Copy`).
    pub(crate) fn pod_snapshot(&self, pod: PodId) -> Pod {
        *self.cluster.pod(pod)
    }

    /// Creates node `<pool>-<next index>` of a scenario pool, up and Ready.
    pub(crate) fn add_node(&mut self, pool: usize) -> NodeId {
        let p = &self.scenario.pools[pool];
        let index = self.pool_next[pool];
        self.pool_next[pool] += 1;
        let template = NodeTemplate {
            pool: pool as u32,
            zone: p.zones[index as usize % p.zones.len()].clone(),
            allocatable: p.allocatable,
            max_pods: p.max_pods,
            labels: p.labels.clone(),
            taints: p.taints.clone(),
            cost_per_hour: p.cost_per_hour,
        };
        self.add_named_node(format!("{}-{index}", p.name), template)
    }

    /// Creates a node, up and Ready, from a name and a template.
    pub(crate) fn add_named_node(&mut self, name: String, t: NodeTemplate) -> NodeId {
        let node = Node {
            id: NodeId(0),
            name: name.clone(),
            pool: t.pool,
            zone: t.zone,
            allocatable: t.allocatable,
            max_pods: t.max_pods,
            labels: t.labels,
            taints: t.taints,
            cost_per_hour: t.cost_per_hour,
            requested: Resources::ZERO,
            requested_for_scoring: Resources::ZERO,
            pods: Vec::new(),
            up: true,
            api_ready: true,
            unschedulable: false,
            removed: false,
            epoch: 0,
            added_at: self.now,
            removed_at: None,
            failures: 0,
            down_since: None,
            downtime: SimTime::ZERO,
            binds: 0,
        };
        let id = self.cluster.add_node(node);
        self.node_by_name.insert(name, id);
        self.disruption_node_added(id);
        id
    }

    /// The current simulated time.
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// The recorder so far (for tests and explanations).
    pub fn recorder(&self) -> &Recorder {
        &self.rec
    }

    /// Looks a node up by name.
    pub fn node_id(&self, name: &str) -> Option<NodeId> {
        self.node_by_name.get(name).copied()
    }

    /// Processes the next event. Returns `false` once the horizon is reached
    /// or nothing is left to happen.
    pub fn step(&mut self) -> bool {
        if self.finished {
            return false;
        }
        if self.fatal.is_some() {
            self.finished = true;
            return false;
        }
        let horizon = self.scenario.horizon;
        match self.queue.peek_time() {
            Some(t) if t <= horizon => {
                self.take_samples_before(t);
                let Some((t, event)) = self.queue.pop() else {
                    return false;
                };
                self.rec.advance(
                    t,
                    self.cluster.totals(),
                    self.replicas_available,
                    self.replicas_desired,
                );
                self.now = t;
                self.rec.events += 1;
                self.handle(event);
                true
            }
            _ => {
                self.rec.advance(
                    horizon,
                    self.cluster.totals(),
                    self.replicas_available,
                    self.replicas_desired,
                );
                self.now = horizon;
                self.take_samples_before(horizon.saturating_add(SimTime(1)));
                self.finished = true;
                false
            }
        }
    }

    /// Runs to the horizon and returns the result.
    pub fn run(mut self) -> RunResult {
        while self.step() {}
        self.finish()
    }

    /// Builds the result (runs to the horizon first if needed). Pods still
    /// alive at the horizon are recorded as running, pending or failed.
    pub fn finish(mut self) -> RunResult {
        while self.step() {}
        self.try_finish().unwrap_or_else(|e| panic!("{e}"))
    }

    /// Like [`finish`](Self::finish), but reports a failure of the pod sink
    /// (for example a full disk) instead of panicking.
    pub fn try_finish(mut self) -> Result<RunResult, RunError> {
        while self.step() {}
        if let Some(e) = self.fatal.take() {
            return Err(RunError::Input(e));
        }
        self.log_trace_stats();
        self.finish_loads();
        for pod in self.cluster.live_pods() {
            let p = self.cluster.pod(pod);
            let outcome = match p.phase {
                PodPhase::Pending => Outcome::Pending,
                PodPhase::Starting | PodPhase::Running => Outcome::Running,
                PodPhase::Lost => Outcome::Failed,
                PodPhase::Terminating | PodPhase::Done => p.outcome.unwrap_or(Outcome::Failed),
            };
            self.record_pod(pod, outcome);
        }
        if let Some(e) = self.sink_error.take() {
            return Err(RunError::Output(e));
        }
        let pods = self.sink.close().map_err(RunError::Output)?;
        let disruptions = self.finish_disruptions();
        let spread = self.spread_records();
        let mut result = assemble(
            &self.policy,
            self.seed,
            self.scenario.horizon,
            &self.cluster,
            &self.pool_names,
            std::mem::take(&mut self.rec),
            pods,
        );
        disruptions.apply(&mut result);
        result.spread = spread;
        Ok(result)
    }

    fn handle(&mut self, event: Event) {
        match event {
            Event::JobArrival { job } => self.job_arrival(job as usize),
            Event::PodReady { pod, epoch } => self.pod_ready(pod, epoch),
            Event::PodFinished { pod, epoch } => self.pod_finished(pod, epoch),
            Event::PodTerminated { pod, epoch } => self.pod_terminated(pod, epoch),
            Event::RetryTask {
                owner,
                spec,
                task,
                attempt,
                work,
            } => self.retry_task(owner as usize, spec, task, attempt, work),
            Event::NodeNotReady { node, epoch } => self.node_not_ready(node, epoch),
            Event::EvictNodePods { node, epoch } => self.evict_node_pods(node, epoch),
            Event::Scenario { index } => self.scenario_event(index as usize),
            Event::RecoverNode { node, epoch } => {
                if self.cluster.node(node).epoch == epoch {
                    self.recover_node(node);
                }
            }
            Event::ScheduleCycle => self.schedule_cycle(),
            Event::TracePods { trace } => self.trace_pods(trace as usize),
            Event::TraceNodes { trace } => self.trace_nodes(trace as usize),
            Event::HpaSync { service } => self.hpa_sync(service as usize),
            Event::Deschedule => self.deschedule(),
            Event::DrainRetry { node } => self.drain_retry(node),
            Event::Disruption(e) => self.disruption_event(e),
            Event::AutoscalerScan => self.autoscaler_scan(),
            Event::NodesProvisioned { pool, count } => self.nodes_provisioned(pool as usize, count),
            Event::AutoscalerRemoveNode { node } => self.autoscaler_remove_node(node),
            Event::FlushUnschedulable => self.flush_unschedulable(),
        }
        self.after_event();
    }

    /// Records samples for every sample time before `t`.
    fn take_samples_before(&mut self, t: SimTime) {
        while self.next_sample < t && self.next_sample <= self.scenario.horizon {
            let mut s = self.sample(self.next_sample);
            self.sample_zone_skew(&mut s);
            self.rec.samples.push(s);
            self.sample_services(self.next_sample);
            self.next_sample = self.next_sample.saturating_add(self.scenario.sample_every);
        }
    }

    fn sample(&self, t: SimTime) -> Sample {
        let totals = self.cluster.totals();
        let (mut ready, mut down) = (0u32, 0u32);
        let (mut sum, mut sum_sq) = (0.0f64, 0.0f64);
        for n in &self.cluster.nodes {
            if n.removed {
                continue;
            }
            if !n.up {
                down += 1;
            } else if n.api_ready {
                ready += 1;
                let f = n.requested.cpu_m as f64 * 100.0 / n.allocatable.cpu_m.max(1) as f64;
                sum += f;
                sum_sq += f * f;
            }
        }
        let imbalance = if ready > 0 {
            let mean = sum / ready as f64;
            (sum_sq / ready as f64 - mean * mean).max(0.0).sqrt()
        } else {
            0.0
        };
        let pct = |a: u64, b: u64| {
            if b == 0 {
                0.0
            } else {
                a as f64 * 100.0 / b as f64
            }
        };
        Sample {
            t,
            nodes_ready: ready,
            nodes_down: down,
            pods_running: totals.pods_running,
            pods_pending: totals.pods_pending,
            pods_starting: totals.pods_starting,
            cpu_alloc_pct: pct(totals.up_requested.cpu_m, totals.up_capacity.cpu_m),
            mem_alloc_pct: pct(totals.up_requested.mem, totals.up_capacity.mem),
            imbalance_pct: imbalance,
            replicas_running: self.replicas_available,
            replicas_desired: self.replicas_desired,
            nodes_provisioning: self
                .autoscaler
                .as_ref()
                .map_or(0, |a| a.provisioning_total()),
            zone_skew: 0.0,
            zone_skew_max: 0,
            services_measured: 0,
        }
    }
}

/// Runs one (policy, seed) of a scenario to the end.
pub fn run_one(scenario: &Scenario, policy: &str, seed: u64) -> Result<RunResult, String> {
    Simulation::new(scenario, policy, seed)?
        .try_finish()
        .map_err(|e| e.to_string())
}
