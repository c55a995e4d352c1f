//! Where each owner's pods are, counted per node and per zone, kept in step
//! with every bind, unbind and phase change so that the topology-spread and
//! anti-affinity plugins look a count up in O(1) instead of scanning the pods
//! of a node.
//!
//! Only the owners that need it are tracked ([`TopologyIndex::track_group`]:
//! owners whose pods carry spread or anti-affinity constraints;
//! [`TopologyIndex::track_running`]: services whose spread across zones is
//! measured), so a trace with a million owners costs nothing here.

use super::{NodeId, Pod, PodPhase};
use std::collections::BTreeMap;

/// What one pod contributes to the counts: its node, whether it counts for
/// spread (bound and not terminating: kube-scheduler skips pods with a
/// deletion timestamp) and whether it is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Contribution {
    node: Option<NodeId>,
    spread: bool,
    running: bool,
}

impl Contribution {
    pub(crate) fn of(p: &Pod) -> Self {
        let bound = p.node.is_some();
        Contribution {
            node: p.node,
            spread: bound && !matches!(p.phase, PodPhase::Terminating | PodPhase::Done),
            running: bound && p.phase == PodPhase::Running,
        }
    }
}

/// Counts for one tracked owner, indexed by node and by zone.
#[derive(Clone, Debug, Default)]
struct GroupCounts {
    /// Bound pods that are not terminating, per node (what spread counts).
    spread_node: Vec<u32>,
    /// Every bound pod, terminating ones included, per node and per zone
    /// (what inter-pod anti-affinity counts, as kube-scheduler does).
    bound_node: Vec<u32>,
    bound_zone: Vec<u32>,
    /// Bumped on every change of these counts.
    version: u64,
}

/// The cluster's zones and the per-owner counts.
#[derive(Clone, Debug, Default)]
pub struct TopologyIndex {
    zone_names: Vec<String>,
    zone_by_name: BTreeMap<String, u32>,
    /// Zone of each node, by node index.
    zone_of: Vec<u32>,
    /// Owner → 1 + index into `groups` (0: not tracked).
    group_of: Vec<u32>,
    groups: Vec<GroupCounts>,
    /// Owner → 1 + index into `running` (0: not tracked).
    running_of: Vec<u32>,
    /// Running pods per zone, per tracked service.
    running: Vec<Vec<u32>>,
    /// Bumped when the set of nodes, or their schedulability, changes in a
    /// way that can change a spread constraint's eligible domains.
    domain_version: u64,
    /// Some tracked count changed since [`take_changed`](Self::take_changed).
    changed: bool,
}

impl TopologyIndex {
    /// Registers a new node (node ids are dense and come in order).
    pub(crate) fn add_node(&mut self, zone: &str) {
        let z = match self.zone_by_name.get(zone) {
            Some(z) => *z,
            None => {
                let z = self.zone_names.len() as u32;
                self.zone_names.push(zone.to_string());
                self.zone_by_name.insert(zone.to_string(), z);
                for r in &mut self.running {
                    r.push(0);
                }
                for g in &mut self.groups {
                    g.bound_zone.push(0);
                }
                z
            }
        };
        self.zone_of.push(z);
        for g in &mut self.groups {
            g.spread_node.push(0);
            g.bound_node.push(0);
        }
        self.domain_version += 1;
    }

    /// Counts the pods of `owner` per node and zone from now on. Call before
    /// any of its pods is bound.
    pub fn track_group(&mut self, owner: u32) {
        let o = owner as usize;
        if self.group_of.len() <= o {
            self.group_of.resize(o + 1, 0);
        }
        if self.group_of[o] == 0 {
            self.groups.push(GroupCounts {
                spread_node: vec![0; self.zone_of.len()],
                bound_node: vec![0; self.zone_of.len()],
                bound_zone: vec![0; self.zone_names.len()],
                version: 0,
            });
            self.group_of[o] = self.groups.len() as u32;
        }
    }

    /// Counts the running pods of `owner` per zone from now on.
    pub fn track_running(&mut self, owner: u32) {
        let o = owner as usize;
        if self.running_of.len() <= o {
            self.running_of.resize(o + 1, 0);
        }
        if self.running_of[o] == 0 {
            self.running.push(vec![0; self.zone_names.len()]);
            self.running_of[o] = self.running.len() as u32;
        }
    }

    fn group(&self, owner: u32) -> Option<&GroupCounts> {
        match self.group_of.get(owner as usize) {
            Some(&g) if g > 0 => Some(&self.groups[g as usize - 1]),
            _ => None,
        }
    }

    /// Applies the change of one pod of `owner` from `before` to `after`.
    pub(crate) fn update(&mut self, owner: u32, before: Contribution, after: Contribution) {
        if before == after {
            return;
        }
        let o = owner as usize;
        if let Some(&g) = self.group_of.get(o).filter(|g| **g > 0) {
            let g = &mut self.groups[g as usize - 1];
            if let Some(n) = before.node {
                g.spread_node[n.index()] -= before.spread as u32;
                g.bound_node[n.index()] -= 1;
                g.bound_zone[self.zone_of[n.index()] as usize] -= 1;
            }
            if let Some(n) = after.node {
                g.spread_node[n.index()] += after.spread as u32;
                g.bound_node[n.index()] += 1;
                g.bound_zone[self.zone_of[n.index()] as usize] += 1;
            }
            g.version += 1;
            self.changed = true;
        }
        if let Some(&r) = self.running_of.get(o).filter(|r| **r > 0) {
            let r = &mut self.running[r as usize - 1];
            if let (Some(n), true) = (before.node, before.running) {
                r[self.zone_of[n.index()] as usize] -= 1;
            }
            if let (Some(n), true) = (after.node, after.running) {
                r[self.zone_of[n.index()] as usize] += 1;
            }
        }
    }

    /// The zone number of a node.
    pub fn zone_of(&self, node: NodeId) -> u32 {
        self.zone_of[node.index()]
    }

    pub fn zone_count(&self) -> usize {
        self.zone_names.len()
    }

    pub fn zone_name(&self, zone: u32) -> &str {
        &self.zone_names[zone as usize]
    }

    /// Whether `owner`'s pods are counted.
    pub fn is_tracked(&self, owner: u32) -> bool {
        self.group(owner).is_some()
    }

    /// Pods of `owner` on `node` that count for topology spread (bound, not terminating).
    pub fn spread_on_node(&self, owner: u32, node: NodeId) -> u32 {
        self.group(owner).map_or(0, |g| g.spread_node[node.index()])
    }

    /// `spread_on_node` for every node at once, indexed by node id (empty if
    /// `owner` is not tracked).
    pub fn spread_by_node(&self, owner: u32) -> &[u32] {
        self.group(owner).map_or(&[], |g| g.spread_node.as_slice())
    }

    /// Every pod of `owner` bound to `node`, terminating ones included.
    pub fn bound_on_node(&self, owner: u32, node: NodeId) -> u32 {
        self.group(owner).map_or(0, |g| g.bound_node[node.index()])
    }

    /// Every pod of `owner` bound to a node of `zone`, terminating ones included.
    pub fn bound_in_zone(&self, owner: u32, zone: u32) -> u32 {
        self.group(owner).map_or(0, |g| g.bound_zone[zone as usize])
    }

    /// Running pods of a tracked service, per zone (empty if not tracked).
    pub fn running_by_zone(&self, owner: u32) -> &[u32] {
        match self.running_of.get(owner as usize) {
            Some(&r) if r > 0 => &self.running[r as usize - 1],
            _ => &[],
        }
    }

    /// Changes whenever the counts of `owner`, or the eligible domains, may
    /// have changed: a pod that failed a spread or anti-affinity filter
    /// under one version may fit under another.
    pub fn version(&self, owner: u32) -> u64 {
        self.group(owner).map_or(0, |g| g.version) + self.domain_version
    }

    /// Notes that nodes came, went or changed schedulability.
    pub fn domains_changed(&mut self) {
        self.domain_version += 1;
        self.changed = true;
    }

    /// Whether any owner is tracked.
    pub fn has_groups(&self) -> bool {
        !self.groups.is_empty()
    }

    /// Whether a tracked count or the domains changed since the last call; resets the flag.
    pub fn take_changed(&mut self) -> bool {
        std::mem::take(&mut self.changed)
    }

    /// Recounts `owner`'s pods from the pods themselves; for invariant checks.
    pub(crate) fn check(&self, pods: &[Pod], nodes: usize) -> Result<(), String> {
        for (o, &g) in self.group_of.iter().enumerate() {
            if g == 0 {
                continue;
            }
            let g = &self.groups[g as usize - 1];
            let mut spread = vec![0u32; nodes];
            let mut bound = vec![0u32; nodes];
            let mut zone = vec![0u32; self.zone_names.len()];
            for p in pods.iter().filter(|p| p.owner as usize == o) {
                let c = Contribution::of(p);
                if let Some(n) = c.node {
                    spread[n.index()] += c.spread as u32;
                    bound[n.index()] += 1;
                    zone[self.zone_of[n.index()] as usize] += 1;
                }
            }
            if spread != g.spread_node || bound != g.bound_node || zone != g.bound_zone {
                return Err(format!("topology counts of owner {o} drifted"));
            }
        }
        for (o, &r) in self.running_of.iter().enumerate() {
            if r == 0 {
                continue;
            }
            let mut zone = vec![0u32; self.zone_names.len()];
            for p in pods.iter().filter(|p| p.owner as usize == o) {
                let c = Contribution::of(p);
                if let (Some(n), true) = (c.node, c.running) {
                    zone[self.zone_of[n.index()] as usize] += 1;
                }
            }
            if zone != self.running[r as usize - 1] {
                return Err(format!("running-per-zone counts of owner {o} drifted"));
            }
        }
        Ok(())
    }
}
