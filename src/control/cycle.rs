//! The scheduling cycle: take pending pods by priority then arrival, ask the
//! scheduler for a node, bind.

use crate::cluster::{NodeId, PodId, PodKind, PodPhase, SpecId};
use crate::simulation::{Event, Role, Simulation};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

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
        let epoch = self.capacity_epoch;
        // Heads of the spec groups, highest priority then earliest pod first.
        let mut heads: BinaryHeap<Reverse<(i64, u64, SpecId)>> = BinaryHeap::new();
        let groups: Vec<SpecId> = self.pending.ready_groups(epoch).collect();
        for spec in groups {
            self.push_head(&mut heads, spec);
        }
        while let Some(Reverse((_, _, spec))) = heads.pop() {
            let Some(pod) = self.pending.front(spec) else {
                continue;
            };
            if self.cluster.pod(pod).phase != PodPhase::Pending {
                self.pending.pop_front(spec);
                self.push_head(&mut heads, spec);
                continue;
            }
            let pod_spec = &self.cluster.specs[spec.0 as usize];
            match self.scheduler.select(pod_spec, &self.cluster.nodes) {
                Ok(node) => {
                    self.pending.pop_front(spec);
                    self.bind(pod, node);
                    self.push_head(&mut heads, spec);
                }
                Err(why) => self.pending.mark_failed(spec, epoch, why.0),
            }
        }
    }

    /// Queues the head of a spec group, keyed by priority then creation order.
    fn push_head(&self, heads: &mut BinaryHeap<Reverse<(i64, u64, SpecId)>>, spec: SpecId) {
        if let Some(pod) = self.pending.front(spec) {
            let prio = self.cluster.spec(spec).priority as i64;
            heads.push(Reverse((-prio, self.cluster.pod(pod).serial, spec)));
        }
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
