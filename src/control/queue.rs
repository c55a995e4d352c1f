//! The scheduling queue: pending pods ordered by priority, then arrival.
//!
//! Pods are grouped by their shared spec, since pods of one spec are
//! interchangeable to the filters. When the head of a group fits nowhere, the
//! whole group is set aside until the cluster gains capacity (a pod ends, a
//! node is added, recovers or is uncordoned): placing other pods only takes
//! capacity away, so retrying it sooner could not succeed. This is the
//! effect of kube-scheduler's unschedulable queue and queueing hints, and it
//! keeps a long queue from costing a pass over every node per pending pod
//! per event.
//!
//! Two things break "placing pods only takes capacity away", and the failure
//! mark ([`Stamp`]) records them too:
//! - **Topology spread and anti-affinity.** Binding a pod of an owner raises
//!   the counts its other pods' spread constraints compare with (it can raise
//!   the minimum over domains and so make room elsewhere), and removing one
//!   frees its domain for anti-affinity. So a group whose pods have hard
//!   spread or anti-affinity constraints also records its owner's topology
//!   version, and is retried when that changes.
//! - **Preemption.** A pod that preempted others is nominated to a node and
//!   waits for its victims to leave: it is taken out of its group (so the
//!   next pod of the group can be tried, and preempt too) into the
//!   set-aside list, where it is retried on its own. A group whose pods could
//!   preempt but found no victims is retried after `pod-max-in-unschedulable`
//!   (5 min) even if nothing else changed, as kube-scheduler flushes its
//!   unschedulable pods: lower-priority pods bound since may be victims now.

use crate::cluster::{PodId, SpecId};
use crate::engine::SimTime;
use std::collections::VecDeque;

/// The cluster state a failure was met in: the capacity epoch, and for pods
/// with hard topology constraints their owner's topology version (else 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stamp {
    pub epoch: u64,
    pub topology: u64,
}

/// A failed attempt: when, under which state, and whether the periodic
/// flush should retry it.
#[derive(Clone, Copy, Debug)]
struct Failure {
    stamp: Stamp,
    at: SimTime,
    flushable: bool,
    /// The pods' filters depend on their owner's other pods.
    topology: bool,
}

/// A pod taken out of its group: nominated by preemption, or left over
/// after a nomination was cleared.
#[derive(Clone, Debug)]
struct Aside {
    pod: PodId,
    spec: SpecId,
    owner: u32,
    failed: Option<Failure>,
    reason: Option<String>,
}

#[derive(Debug, Default)]
pub struct PendingQueue {
    groups: Vec<VecDeque<PodId>>,
    /// How each group last failed to schedule (None: not failed since it was last queued).
    failed: Vec<Option<Failure>>,
    /// Why each group's pods wait, from its last failed attempt.
    reasons: Vec<Option<String>>,
    /// The owner of each group with hard topology constraints (such a
    /// group's pods all belong to one owner).
    topology_owner: Vec<Option<u32>>,
    aside: Vec<Aside>,
}

impl PendingQueue {
    fn ensure(&mut self, spec: SpecId) {
        let need = spec.0 as usize + 1;
        if self.groups.len() < need {
            self.groups.resize_with(need, VecDeque::new);
            self.failed.resize(need, None);
            self.reasons.resize(need, None);
            self.topology_owner.resize(need, None);
        }
    }

    /// Queues a pod. Pods are pushed in creation order, so within a group the
    /// front is the earliest arrival.
    pub fn push(&mut self, spec: SpecId, pod: PodId) {
        self.ensure(spec);
        self.groups[spec.0 as usize].push_back(pod);
    }

    pub fn front(&self, spec: SpecId) -> Option<PodId> {
        self.groups
            .get(spec.0 as usize)
            .and_then(|g| g.front().copied())
    }

    pub fn pop_front(&mut self, spec: SpecId) -> Option<PodId> {
        self.groups
            .get_mut(spec.0 as usize)
            .and_then(|g| g.pop_front())
    }

    /// Groups with pods waiting that have not failed under the current
    /// state; `current` gives a group's current stamp from its spec and
    /// front pod (it is called only for groups that failed). They are
    /// marked as queued.
    pub fn take_ready_groups(&mut self, current: impl Fn(SpecId, PodId) -> Stamp) -> Vec<SpecId> {
        let mut out = Vec::new();
        for i in 0..self.groups.len() {
            if self.groups[i].is_empty() {
                continue;
            }
            let spec = SpecId(i as u32);
            match self.failed[i] {
                Some(f) if f.stamp == current(spec, self.groups[i][0]) => {}
                _ => {
                    self.failed[i] = None;
                    out.push(spec);
                }
            }
        }
        out
    }

    /// Marks a group failed under `stamp` at `at`; `flushable` groups are
    /// retried by [`flush`](Self::flush) after a while; `topology_owner` is
    /// the owner of a group whose filters depend on its owner's pods.
    pub fn mark_failed(
        &mut self,
        spec: SpecId,
        stamp: Stamp,
        at: SimTime,
        flushable: bool,
        topology_owner: Option<u32>,
        reason: String,
    ) {
        self.ensure(spec);
        let i = spec.0 as usize;
        self.failed[i] = Some(Failure {
            stamp,
            at,
            flushable,
            topology: topology_owner.is_some(),
        });
        self.topology_owner[i] = topology_owner;
        self.reasons[i] = Some(reason);
    }

    /// Why pods of this spec last failed to schedule.
    pub fn reason(&self, spec: SpecId) -> Option<&str> {
        self.reasons.get(spec.0 as usize).and_then(|r| r.as_deref())
    }

    /// Why this pod waits: its own reason if it was set aside, else its group's.
    pub fn reason_for(&self, spec: SpecId, pod: PodId) -> Option<&str> {
        match self.aside.iter().find(|a| a.pod == pod) {
            Some(a) => a.reason.as_deref(),
            None => self.reason(spec),
        }
    }

    /// Drops a pod that left the queue some other way (deleted while pending).
    pub fn remove(&mut self, spec: SpecId, pod: PodId) {
        if let Some(g) = self.groups.get_mut(spec.0 as usize) {
            if let Some(i) = g.iter().position(|p| *p == pod) {
                g.remove(i);
                return;
            }
        }
        self.aside.retain(|a| a.pod != pod);
    }

    /// Takes a pod out of its group into the set-aside list, failed under
    /// `stamp` (a nominated pod waits there for its victims to leave).
    pub fn set_aside(
        &mut self,
        spec: SpecId,
        pod: PodId,
        owner: u32,
        stamp: Stamp,
        at: SimTime,
        topology: bool,
    ) {
        if let Some(g) = self.groups.get_mut(spec.0 as usize) {
            if let Some(i) = g.iter().position(|p| *p == pod) {
                g.remove(i);
            }
        }
        self.aside.push(Aside {
            pod,
            spec,
            owner,
            failed: Some(Failure {
                stamp,
                at,
                flushable: false,
                topology,
            }),
            reason: None,
        });
    }

    /// Set-aside pods that have not failed under the current state; they
    /// are marked as queued. `current` gives a pod's current stamp.
    pub fn take_ready_aside(&mut self, current: impl Fn(SpecId, u32) -> Stamp) -> Vec<PodId> {
        let mut out = Vec::new();
        for a in &mut self.aside {
            match a.failed {
                Some(f) if f.stamp == current(a.spec, a.owner) => {}
                _ => {
                    a.failed = None;
                    out.push(a.pod);
                }
            }
        }
        out
    }

    /// The spec of a set-aside pod (None if it is not set aside).
    pub fn aside_spec(&self, pod: PodId) -> Option<SpecId> {
        self.aside.iter().find(|a| a.pod == pod).map(|a| a.spec)
    }

    /// A set-aside pod was bound or is gone.
    pub fn remove_aside(&mut self, pod: PodId) {
        self.aside.retain(|a| a.pod != pod);
    }

    /// Marks a set-aside pod failed (see [`mark_failed`](Self::mark_failed)).
    pub fn mark_aside_failed(
        &mut self,
        pod: PodId,
        stamp: Stamp,
        at: SimTime,
        flushable: bool,
        topology: bool,
        reason: String,
    ) {
        if let Some(a) = self.aside.iter_mut().find(|a| a.pod == pod) {
            a.failed = Some(Failure {
                stamp,
                at,
                flushable,
                topology,
            });
            a.reason = Some(reason);
        }
    }

    /// Failed groups and set-aside pods of `owner` whose filters depend on
    /// its pods and that failed under another topology version than
    /// `version`: they may fit now. They are marked as queued.
    pub fn take_topology_retries(&mut self, owner: u32, version: u64) -> (Vec<SpecId>, Vec<PodId>) {
        let mut specs = Vec::new();
        for i in 0..self.groups.len() {
            if self.topology_owner[i] != Some(owner) || self.groups[i].is_empty() {
                continue;
            }
            if let Some(f) = self.failed[i] {
                if f.topology && f.stamp.topology != version {
                    self.failed[i] = None;
                    specs.push(SpecId(i as u32));
                }
            }
        }
        let mut pods = Vec::new();
        for a in &mut self.aside {
            if a.owner != owner {
                continue;
            }
            if let Some(f) = a.failed {
                if f.topology && f.stamp.topology != version {
                    a.failed = None;
                    pods.push(a.pod);
                }
            }
        }
        (specs, pods)
    }

    /// Whether some failed group or set-aside pod has hard topology
    /// constraints (a change of topology counts may let it fit).
    pub fn has_topology_waiters(&self) -> bool {
        self.failed
            .iter()
            .zip(&self.groups)
            .any(|(f, g)| !g.is_empty() && f.is_some_and(|f| f.topology))
            || self
                .aside
                .iter()
                .filter_map(|a| a.failed)
                .any(|f| f.topology)
    }

    /// Retries every flushable failure older than `after` at `now`; returns
    /// whether any was retried, and when the next one comes due.
    pub fn flush(&mut self, now: SimTime, after: SimTime) -> (bool, Option<SimTime>) {
        let mut any = false;
        let mut next: Option<SimTime> = None;
        let mut visit = |f: &mut Option<Failure>| {
            if let Some(x) = *f {
                if x.flushable {
                    let due = x.at.saturating_add(after);
                    if due <= now {
                        *f = None;
                        any = true;
                    } else {
                        next = Some(next.map_or(due, |n| n.min(due)));
                    }
                }
            }
        };
        for i in 0..self.groups.len() {
            if !self.groups[i].is_empty() {
                visit(&mut self.failed[i]);
            }
        }
        for a in &mut self.aside {
            visit(&mut a.failed);
        }
        (any, next)
    }

    /// Every group with pods waiting, and how many, in spec order (for the
    /// cluster autoscaler: O(specs), not O(pods)).
    pub fn waiting(&self) -> impl Iterator<Item = (SpecId, usize)> + '_ {
        (0..self.groups.len())
            .filter(move |&i| !self.groups[i].is_empty())
            .map(|i| (SpecId(i as u32), self.groups[i].len()))
    }
}
