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

use crate::cluster::{PodId, SpecId};
use std::collections::VecDeque;

#[derive(Debug, Default)]
pub struct PendingQueue {
    groups: Vec<VecDeque<PodId>>,
    /// The capacity epoch at which each group last failed to schedule.
    failed_at: Vec<Option<u64>>,
    /// Why each group's pods wait, from its last failed attempt.
    reasons: Vec<Option<String>>,
}

impl PendingQueue {
    fn ensure(&mut self, spec: SpecId) {
        let need = spec.0 as usize + 1;
        if self.groups.len() < need {
            self.groups.resize_with(need, VecDeque::new);
            self.failed_at.resize(need, None);
            self.reasons.resize(need, None);
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

    /// Groups with pods waiting that have not failed since capacity last grew.
    pub fn ready_groups(&self, epoch: u64) -> impl Iterator<Item = SpecId> + '_ {
        (0..self.groups.len())
            .filter(move |&i| !self.groups[i].is_empty() && self.failed_at[i] != Some(epoch))
            .map(|i| SpecId(i as u32))
    }

    pub fn mark_failed(&mut self, spec: SpecId, epoch: u64, reason: String) {
        self.ensure(spec);
        self.failed_at[spec.0 as usize] = Some(epoch);
        self.reasons[spec.0 as usize] = Some(reason);
    }

    /// Why pods of this spec last failed to schedule.
    pub fn reason(&self, spec: SpecId) -> Option<&str> {
        self.reasons.get(spec.0 as usize).and_then(|r| r.as_deref())
    }

    /// Drops a pod that left the queue some other way (deleted while pending).
    pub fn remove(&mut self, spec: SpecId, pod: PodId) {
        if let Some(g) = self.groups.get_mut(spec.0 as usize) {
            if let Some(i) = g.iter().position(|p| *p == pod) {
                g.remove(i);
            }
        }
    }

    /// Every group with pods waiting, and how many, in spec order (for the
    /// cluster autoscaler: O(specs), not O(pods)).
    pub fn waiting(&self) -> impl Iterator<Item = (SpecId, usize)> + '_ {
        (0..self.groups.len())
            .filter(move |&i| !self.groups[i].is_empty())
            .map(|i| (SpecId(i as u32), self.groups[i].len()))
    }
}
