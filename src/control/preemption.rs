//! Preemption, as kube-scheduler's DefaultPreemption does it: a pod that fits
//! nowhere may evict lower-priority pods from one node and is nominated to
//! it; the victims shut down gracefully (`termination-grace`) and their
//! controllers replace them (a Job after its back-off, counting a failure);
//! the nominated pod binds there once they are gone. The choice of node and
//! victims is [`crate::policy::preemption`]'s.

use crate::cluster::{Nominee, Outcome, PodId, PodKind, PodPhase, PreemptionPolicy};
use crate::simulation::{Event, Simulation};

/// What a preemption attempt came to.
pub(crate) enum Preempted {
    /// Victims were evicted and the pod nominated to their node.
    Nominated,
    /// The pod already preempted and its victims are still shutting down
    /// (kube-scheduler's "not eligible due to a terminating pod on the
    /// nominated node"); the reason says so.
    Waiting(String),
    /// Preemption cannot help: preemption is off, the pod may not preempt,
    /// or no node has lower-priority pods whose eviction would make it fit.
    NotHelpful,
}

impl Simulation<'_> {
    /// Whether this pod could ever preempt: the profile preempts, its policy
    /// allows it, and some pod of lower priority could exist.
    pub(crate) fn may_preempt(&mut self, pod: PodId) -> bool {
        let spec = self.cluster.spec_of(pod);
        self.scheduler.profile.preemption
            && spec.constraints.preemption == PreemptionPolicy::PreemptLowerPriority
            && spec.priority > self.lowest_spec_priority()
    }

    /// The lowest priority of any pod spec so far (specs only ever grow).
    fn lowest_spec_priority(&mut self) -> i32 {
        let specs = &self.cluster.specs;
        let (seen, low) = &mut self.placement.lowest_priority;
        for s in &specs[*seen..] {
            *low = (*low).min(s.priority);
        }
        *seen = specs.len();
        *low
    }

    /// Whether a failure of this pod should be retried after
    /// `pod-max-in-unschedulable` even if nothing else changes (lower
    /// priority pods bound since then may be worth preempting).
    pub(crate) fn flushable(&mut self, pod: PodId) -> bool {
        self.may_preempt(pod)
    }

    /// Runs DefaultPreemption for a pod that fits nowhere.
    pub(crate) fn try_preempt(&mut self, pod: PodId) -> Preempted {
        if !self.may_preempt(pod) {
            return Preempted::NotHelpful;
        }
        let priority = self.cluster.spec_of(pod).priority;
        // Lower-priority pods are still leaving its nominated node (its
        // victims, or pods evicted otherwise): wait for them rather than
        // preempt again, as kube-scheduler did before it checked the
        // reason of the termination.
        if let Some(node) = self.cluster.nominations.node_of(pod) {
            let leaving = self
                .cluster
                .node(node)
                .pods
                .iter()
                .filter(|&&p| {
                    let x = self.cluster.pod(p);
                    x.phase == PodPhase::Terminating
                        && self.cluster.spec(x.spec).priority < priority
                })
                .count();
            if leaving > 0 && !self.cluster.node(node).removed {
                return Preempted::Waiting(format!(
                    "nominated to {}; waiting for {leaving} lower-priority pod(s) to terminate",
                    self.cluster.node(node).name
                ));
            }
        }
        if !self.placement.victims_may_exist(&self.cluster, priority) {
            return Preempted::NotHelpful;
        }
        let who = self.pod_ref(pod);
        let spec = self.cluster.spec_of(pod).clone();
        let Some(choice) = self.scheduler.preempt(&spec, who, &self.cluster) else {
            return Preempted::NotHelpful;
        };
        let node = choice.node;
        let now = self.now;
        // Describe before evicting: the victims' slots are reused once they end.
        let name = |v: PodId| {
            let x = self.cluster.pod(v);
            format!(
                "pod {} of {} (priority {})",
                x.serial,
                self.owners[x.owner as usize].name,
                self.cluster.spec(x.spec).priority
            )
        };
        let (leaving, evicted): (Vec<PodId>, Vec<PodId>) = choice
            .victims
            .iter()
            .partition(|&&v| self.cluster.pod(v).phase == PodPhase::Terminating);
        let p = self.cluster.pod(pod);
        let mut detail = format!(
            "pod {} of {} (priority {priority}) is nominated here; {} pod(s) evicted: {}",
            p.serial,
            self.owners[p.owner as usize].name,
            evicted.len(),
            evicted
                .iter()
                .map(|&v| name(v))
                .collect::<Vec<_>>()
                .join(", ")
        );
        if !leaving.is_empty() {
            detail += &format!(
                "; also counts on {} pod(s) already terminating: {}",
                leaving.len(),
                leaving
                    .iter()
                    .map(|&v| name(v))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
        self.rec.preemptions += 1;
        self.rec.log(
            now,
            "preempted",
            self.cluster.node(node).name.clone(),
            detail,
        );
        for v in choice.victims {
            self.evict_victim(v);
        }
        // Lower-priority pods nominated here may no longer fit: their
        // nomination is cleared and they look again.
        let lower: Vec<PodId> = self
            .cluster
            .nominations
            .on_node(node)
            .iter()
            .filter(|n| n.priority < priority)
            .map(|n| n.pod)
            .collect();
        for l in lower {
            self.cluster.nominations.remove(l);
        }
        self.cluster.nominations.nominate(
            node,
            Nominee {
                pod,
                priority,
                requests: spec.requests,
            },
        );
        Preempted::Nominated
    }

    /// Evicts one victim gracefully; its controller replaces it.
    fn evict_victim(&mut self, pod: PodId) {
        let p = *self.cluster.pod(pod);
        if self.cluster.topology.is_tracked(p.owner)
            && !self.placement.touched_owners.contains(&p.owner)
        {
            self.placement.touched_owners.push(p.owner);
        }
        match p.phase {
            PodPhase::Running | PodPhase::Starting => {
                if p.phase == PodPhase::Running && p.kind == PodKind::Job {
                    let cpu = self.cluster.spec(p.spec).requests.cpu_m;
                    let ran = self.now - p.run_started.unwrap_or(self.now);
                    self.rec.preempted_work += cpu as u128 * ran.0 as u128;
                }
                self.terminate(pod, Outcome::Preempted);
                let snapshot = self.pod_snapshot(pod);
                self.controller_pod_gone(&snapshot);
            }
            PodPhase::Lost => {
                // Bound to a dead machine the control plane has not noticed.
                self.cluster.pod_mut(pod).ended_at.get_or_insert(self.now);
                let snapshot = self.pod_snapshot(pod);
                self.finish_pod(pod, Outcome::Preempted);
                self.controller_pod_gone(&snapshot);
            }
            // Already shutting down: nothing to do but wait.
            PodPhase::Terminating | PodPhase::Pending | PodPhase::Done => {}
        }
    }

    /// The reason shown for a pod waiting on its nominated node.
    pub(crate) fn nominated_reason(&self, pod: PodId) -> String {
        match self.cluster.nominations.node_of(pod) {
            Some(n) => format!(
                "nominated to {} by preemption; waiting for its victims to terminate",
                self.cluster.node(n).name
            ),
            None => "waiting after preemption".to_string(),
        }
    }

    /// Makes sure a flush of unschedulable pods is due.
    pub(crate) fn schedule_flush(&mut self) {
        if self.placement.flush_at.is_none() {
            let at = self.now + self.scenario.control.pod_max_in_unschedulable;
            self.placement.flush_at = Some(at);
            self.queue.push(at, Event::FlushUnschedulable);
        }
    }

    /// `pod-max-in-unschedulable` is up for some pods that could preempt:
    /// retry them, as kube-scheduler moves pods that have waited that long
    /// back to its active queue.
    pub(crate) fn flush_unschedulable(&mut self) {
        self.placement.flush_at = None;
        let after = self.scenario.control.pod_max_in_unschedulable;
        let (any, next) = self.pending.flush(self.now, after);
        if any {
            self.request_cycle();
        }
        if let Some(at) = next {
            self.placement.flush_at = Some(at);
            self.queue.push(at, Event::FlushUnschedulable);
        }
    }
}
