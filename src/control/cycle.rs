//! The scheduling cycle: take pending pods by priority then arrival, ask the
//! scheduler for a node, bind.

use super::preemption::Preempted;
use super::queue::Stamp;
use crate::cluster::{Cluster, NodeId, PodId, PodKind, PodPhase, SpecId};
use crate::policy::PodRef;
use crate::simulation::{Event, Role, Simulation};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// What the cycle tries next: the front pod of a spec group, or a pod set
/// aside from its group (nominated by preemption).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Head {
    Group(SpecId),
    Aside(PodId),
}

/// The state a failure of a pod of `spec` is recorded under: the capacity
/// epoch, and for pods with hard topology constraints their owner's
/// topology version.
fn stamp_of(cluster: &Cluster, epoch: u64, spec: SpecId, owner: Option<u32>) -> Stamp {
    let topology = match owner {
        Some(o) if cluster.spec(spec).constraints.has_hard_topology() => {
            cluster.topology.version(o)
        }
        _ => 0,
    };
    Stamp { epoch, topology }
}

impl Simulation<'_> {
    /// Asks for a scheduling cycle at the current time, after the events
    /// already queued for it (so changes at one instant are batched).
    pub(crate) fn request_cycle(&mut self) {
        if !self.cycle_scheduled {
            self.cycle_scheduled = true;
            self.queue.push(self.now, Event::ScheduleCycle);
        }
    }

    /// Schedulable capacity may have grown: pods set aside may fit now.
    pub(crate) fn capacity_grew(&mut self) {
        self.capacity_epoch += 1;
        self.request_cycle();
    }

    pub(crate) fn schedule_cycle(&mut self) {
        self.cycle_scheduled = false;
        // Heads of the spec groups and set-aside pods, highest priority then
        // earliest pod first.
        let mut heads: BinaryHeap<Reverse<(i64, u64, Head)>> = BinaryHeap::new();
        let groups = {
            let (cluster, epoch) = (&self.cluster, self.capacity_epoch);
            self.pending.take_ready_groups(|spec, front| {
                stamp_of(cluster, epoch, spec, Some(cluster.pod(front).owner))
            })
        };
        for spec in groups {
            self.push_head(&mut heads, spec);
        }
        let aside = {
            let (cluster, epoch) = (&self.cluster, self.capacity_epoch);
            self.pending
                .take_ready_aside(|spec, owner| stamp_of(cluster, epoch, spec, Some(owner)))
        };
        for pod in aside {
            self.push_aside(&mut heads, pod);
        }
        while let Some(Reverse((_, _, head))) = heads.pop() {
            match head {
                Head::Group(spec) => self.try_group_head(&mut heads, spec),
                Head::Aside(pod) => self.try_aside(&mut heads, pod),
            }
        }
        // Changes of topology counts made by this cycle's binds were
        // followed up within it.
        self.cluster.topology.take_changed();
    }

    /// Tries the front pod of a group: bind it, or preempt for it, or set
    /// the group aside.
    fn try_group_head(&mut self, heads: &mut BinaryHeap<Reverse<(i64, u64, Head)>>, spec: SpecId) {
        let Some(pod) = self.pending.front(spec) else {
            return;
        };
        if self.cluster.pod(pod).phase != PodPhase::Pending {
            self.pending.pop_front(spec);
            self.push_head(heads, spec);
            return;
        }
        let who = self.pod_ref(pod);
        let pod_spec = &self.cluster.specs[spec.0 as usize];
        match self.scheduler.select(pod_spec, who, &self.cluster) {
            Ok(node) => {
                self.pending.pop_front(spec);
                self.bind(pod, node);
                self.after_bind(heads, pod);
                self.push_head(heads, spec);
            }
            Err(why) => match self.try_preempt(pod) {
                Preempted::Nominated => {
                    let stamp = self.stamp_for(pod);
                    let topo = self.cluster.spec(spec).constraints.has_hard_topology();
                    self.pending
                        .set_aside(spec, pod, who.owner, stamp, self.now, topo);
                    self.push_head(heads, spec);
                    self.retry_touched(heads);
                }
                Preempted::Waiting(_) | Preempted::NotHelpful => {
                    let stamp = self.stamp_for(pod);
                    let flushable = self.flushable(pod);
                    let topo = self
                        .cluster
                        .spec(spec)
                        .constraints
                        .has_hard_topology()
                        .then_some(who.owner);
                    self.pending
                        .mark_failed(spec, stamp, self.now, flushable, topo, why.0);
                    if flushable {
                        self.schedule_flush();
                    }
                }
            },
        }
    }

    /// Tries a set-aside pod: its nominated node first, then every node,
    /// then preemption again.
    fn try_aside(&mut self, heads: &mut BinaryHeap<Reverse<(i64, u64, Head)>>, pod: PodId) {
        if self.cluster.pod(pod).phase != PodPhase::Pending {
            self.pending.remove_aside(pod);
            return;
        }
        let who = self.pod_ref(pod);
        let spec = self.cluster.pod(pod).spec;
        if let Some(node) = self.cluster.nominations.node_of(pod) {
            let pod_spec = &self.cluster.specs[spec.0 as usize];
            if self.scheduler.fits(pod_spec, who, &self.cluster, node) {
                self.pending.remove_aside(pod);
                self.bind(pod, node);
                self.after_bind(heads, pod);
                return;
            }
        }
        let pod_spec = &self.cluster.specs[spec.0 as usize];
        match self.scheduler.select(pod_spec, who, &self.cluster) {
            Ok(node) => {
                self.pending.remove_aside(pod);
                self.bind(pod, node);
                self.after_bind(heads, pod);
            }
            Err(why) => {
                let outcome = self.try_preempt(pod);
                self.retry_touched(heads);
                let reason = match &outcome {
                    Preempted::Waiting(r) => r.clone(),
                    Preempted::Nominated => self.nominated_reason(pod),
                    Preempted::NotHelpful => {
                        if self.cluster.nominations.remove(pod).is_some() {
                            self.capacity_grew();
                        }
                        why.0
                    }
                };
                let stamp = self.stamp_for(pod);
                let flushable = matches!(outcome, Preempted::NotHelpful) && self.flushable(pod);
                // Whatever preemption did, the pod may fit elsewhere once its
                // owner's counts change (kube-scheduler requeues it on pod events).
                let topo = self.cluster.spec(spec).constraints.has_hard_topology();
                self.pending
                    .mark_aside_failed(pod, stamp, self.now, flushable, topo, reason);
                if flushable {
                    self.schedule_flush();
                }
            }
        }
    }

    /// After a bind: the pod's nomination is done with, and pods of the same
    /// owner that failed a spread or anti-affinity filter may fit now (the
    /// bind can raise the minimum count over domains).
    fn after_bind(&mut self, heads: &mut BinaryHeap<Reverse<(i64, u64, Head)>>, pod: PodId) {
        match self.cluster.nominations.node_of(pod) {
            Some(n) if Some(n) == self.cluster.pod(pod).node => {
                self.cluster.nominations.fulfil(pod)
            }
            Some(_) => {
                self.cluster.nominations.remove(pod);
            }
            None => {}
        }
        let owner = self.cluster.pod(pod).owner;
        self.retry_topology(heads, owner);
    }

    /// Pods of owners whose pods preemption just evicted may fit now.
    fn retry_touched(&mut self, heads: &mut BinaryHeap<Reverse<(i64, u64, Head)>>) {
        for owner in std::mem::take(&mut self.placement.touched_owners) {
            self.retry_topology(heads, owner);
        }
    }

    /// Queues again the failed groups and set-aside pods of `owner` whose
    /// spread or anti-affinity filters may now pass.
    fn retry_topology(&mut self, heads: &mut BinaryHeap<Reverse<(i64, u64, Head)>>, owner: u32) {
        if !self.cluster.topology.is_tracked(owner) {
            return;
        }
        let version = self.cluster.topology.version(owner);
        let (specs, pods) = self.pending.take_topology_retries(owner, version);
        for spec in specs {
            self.push_head(heads, spec);
        }
        for p in pods {
            self.push_aside(heads, p);
        }
    }

    /// The owner and id of a pod, as the plugins see it.
    pub(crate) fn pod_ref(&self, pod: PodId) -> PodRef {
        PodRef {
            owner: self.cluster.pod(pod).owner,
            id: Some(pod),
        }
    }

    /// The state a failure of `pod` is recorded under.
    fn stamp_for(&self, pod: PodId) -> Stamp {
        let p = self.cluster.pod(pod);
        stamp_of(&self.cluster, self.capacity_epoch, p.spec, Some(p.owner))
    }

    /// Queues the head of a spec group, keyed by priority then creation order.
    fn push_head(&self, heads: &mut BinaryHeap<Reverse<(i64, u64, Head)>>, spec: SpecId) {
        if let Some(pod) = self.pending.front(spec) {
            let prio = self.cluster.spec(spec).priority as i64;
            heads.push(Reverse((
                -prio,
                self.cluster.pod(pod).serial,
                Head::Group(spec),
            )));
        }
    }

    /// Queues a set-aside pod.
    fn push_aside(&self, heads: &mut BinaryHeap<Reverse<(i64, u64, Head)>>, pod: PodId) {
        let p = self.cluster.pod(pod);
        let prio = self.cluster.spec(p.spec).priority as i64;
        heads.push(Reverse((-prio, p.serial, Head::Aside(pod))));
    }

    /// Binds a pending pod. On a live machine it starts (after `startup`); on
    /// a dead one the scheduler did not know about, it is lost at once.
    pub(crate) fn bind(&mut self, pod: PodId, node: NodeId) {
        self.cluster.bind(pod, node);
        let now = self.now;
        self.cluster.pod_mut(pod).bound_at = Some(now);
        self.note_migration(pod);
        if self.cluster.node(node).up {
            self.start_pod(pod);
        } else {
            self.cluster.set_phase(pod, PodPhase::Lost);
            self.cluster.pod_mut(pod).ended_at = Some(now);
        }
    }

    /// Starts a bound pod's containers: running after its startup time.
    pub(crate) fn start_pod(&mut self, pod: PodId) {
        // A pod restarted in place after its node came back has not ended.
        self.cluster.pod_mut(pod).ended_at = None;
        let startup = self.cluster.spec_of(pod).startup;
        if startup.0 == 0 {
            self.run_pod(pod);
        } else {
            self.cluster.set_phase(pod, PodPhase::Starting);
            let epoch = self.cluster.pod(pod).epoch;
            self.queue
                .push(self.now + startup, Event::PodReady { pod, epoch });
        }
    }

    pub(crate) fn pod_ready(&mut self, pod: PodId, epoch: u32) {
        let p = self.cluster.pod(pod);
        if p.epoch == epoch && p.phase == PodPhase::Starting {
            self.run_pod(pod);
        }
    }

    fn run_pod(&mut self, pod: PodId) {
        let now = self.now;
        self.cluster.set_phase(pod, PodPhase::Running);
        let p = self.cluster.pod_mut(pod);
        p.started_at.get_or_insert(now);
        p.run_started = Some(now);
        p.ended_at = None;
        let (owner, epoch, work) = (p.owner as usize, p.epoch, p.work);
        self.partition_pod_running(pod);
        if let Role::Service(svc) = self.owners[owner].role {
            self.service_running_changed(svc, 1);
        }
        // A pod with a run time completes after it; one without (a service,
        // or a trace pod whose end the trace has not told yet) runs on.
        if let Some(work) = work {
            self.queue
                .push(now + work, Event::PodFinished { pod, epoch });
        }
    }

    /// The pod's containers stop now (crash, eviction, deletion): a running
    /// service replica stops counting, and a job pod's work so far is lost.
    pub(crate) fn halt(&mut self, pod: PodId) {
        self.partition_pod_stopped(pod);
        let now = self.now;
        let p = self.cluster.pod(pod);
        let (phase, kind, owner, started) = (p.phase, p.kind, p.owner as usize, p.run_started);
        if phase == PodPhase::Running {
            if let Role::Service(svc) = self.owners[owner].role {
                self.service_running_changed(svc, -1);
            }
            if kind == PodKind::Job {
                let cpu = self.cluster.spec_of(pod).requests.cpu_m;
                self.rec.lose_work(cpu, now - started.unwrap_or(now));
            }
        }
        let p = self.cluster.pod_mut(pod);
        p.epoch = p.epoch.wrapping_add(1);
        if matches!(phase, PodPhase::Running | PodPhase::Starting) {
            p.ended_at = Some(now);
        }
    }
}
