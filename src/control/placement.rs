//! The control plane's side of placement constraints: which owners the
//! cluster counts per node and zone, waking pods whose spread or
//! anti-affinity may be satisfiable after a change the capacity epoch does
//! not see, and measuring how evenly each service is spread across zones.

use crate::cluster::{Cluster, Node};
use crate::engine::SimTime;
use crate::metrics::Sample;
use crate::simulation::{Role, Simulation};
use std::collections::BTreeMap;

/// Placement bookkeeping carried by a run.
#[derive(Debug)]
pub struct PlacementState {
    /// (specs seen, lowest priority among them).
    pub(crate) lowest_priority: (usize, i32),
    /// When the next flush of unschedulable pods is due, if one is.
    pub(crate) flush_at: Option<SimTime>,
    /// Tracked owners whose pods preemption evicted during the current
    /// cycle: pods of theirs waiting on a spread or anti-affinity filter
    /// are retried in the same cycle.
    pub(crate) touched_owners: Vec<u32>,
}

impl Default for PlacementState {
    fn default() -> Self {
        PlacementState {
            lowest_priority: (0, i32::MAX),
            flush_at: None,
            touched_owners: Vec::new(),
        }
    }
}

impl PlacementState {
    /// Whether some bound pod has a priority below `priority` (a pod of that
    /// priority could preempt it).
    pub(crate) fn victims_may_exist(&self, cluster: &Cluster, priority: i32) -> bool {
        cluster
            .lowest_bound_priority()
            .is_some_and(|p| p < priority)
    }
}

/// Whether `node` matches a node selector.
fn matches(selector: &BTreeMap<String, String>, node: &Node) -> bool {
    selector.iter().all(|(k, v)| node.labels.get(k) == Some(v))
}

impl Simulation<'_> {
    /// Registers the owners whose pods the cluster must count: owners with
    /// spread or anti-affinity constraints (per node and zone), and every
    /// service (running replicas per zone, for the unevenness measure).
    pub(crate) fn init_placement(&mut self) {
        for (s, svc) in self.scenario.services.iter().enumerate() {
            if svc.template.constraints.uses_topology() {
                self.cluster.topology.track_group(s as u32);
            }
            self.cluster.topology.track_running(s as u32);
        }
        for (j, job) in self.scenario.jobs.iter().enumerate() {
            if job.template.constraints.uses_topology() {
                let owner = self.job_owner(j) as u32;
                self.cluster.topology.track_group(owner);
            }
        }
    }

    /// Runs after every event: a cleared nomination frees the room it
    /// reserved; changed topology counts (a pod of a constrained owner left
    /// or was bound outside a cycle, nodes changed) may let a pod waiting
    /// on a spread or anti-affinity filter fit.
    pub(crate) fn after_event(&mut self) {
        if self.cluster.nominations.take_freed() {
            self.capacity_grew();
        }
        if self.cluster.topology.take_changed() && self.pending.has_topology_waiters() {
            self.request_cycle();
        }
    }

    /// Nodes left, or became NotReady or cordoned: a spread constraint's
    /// eligible domains (and so its minimum) may have changed.
    pub(crate) fn topology_domains_changed(&mut self) {
        self.cluster.topology.domains_changed();
    }

    /// Fills a sample's zone-unevenness columns and adds each service's
    /// value to its running totals. For a service with desired replicas,
    /// its skew is the largest minus the smallest number of its running
    /// replicas over the zones where it may run (zones with a node, not
    /// removed, that matches its node selector). O(nodes × (1 + services
    /// with a node selector) + services × zones) per sample.
    pub(crate) fn sample_zone_skew(&mut self, s: &mut Sample) {
        let zones = self.cluster.topology.zone_count();
        let mut any_zone = vec![false; zones];
        for n in self.cluster.nodes.iter().filter(|n| !n.removed) {
            any_zone[self.cluster.topology.zone_of(n.id) as usize] = true;
        }
        if self.rec.zone_skew.len() < self.services.len() {
            self.rec
                .zone_skew
                .resize(self.services.len(), Default::default());
        }
        let (mut sum, mut k, mut max) = (0u64, 0u32, 0u32);
        let mut own = Vec::new();
        for (i, svc) in self.scenario.services.iter().enumerate() {
            if self.services[i].desired == 0 {
                continue;
            }
            let eligible: &[bool] = if svc.template.node_selector.is_empty() {
                &any_zone
            } else {
                own.clear();
                own.resize(zones, false);
                for n in self.cluster.nodes.iter().filter(|n| !n.removed) {
                    if matches(&svc.template.node_selector, n) {
                        own[self.cluster.topology.zone_of(n.id) as usize] = true;
                    }
                }
                &own
            };
            let running = self.cluster.topology.running_by_zone(i as u32);
            let mut lo = u32::MAX;
            let mut hi = 0;
            for (z, _) in eligible.iter().enumerate().filter(|(_, e)| **e) {
                let c = running.get(z).copied().unwrap_or(0);
                lo = lo.min(c);
                hi = hi.max(c);
            }
            let skew = hi.saturating_sub(lo.min(hi));
            debug_assert!(matches!(self.owners[i].role, Role::Service(_)));
            let acc = &mut self.rec.zone_skew[i];
            acc.sum += skew as u64;
            acc.samples += 1;
            acc.max = acc.max.max(skew);
            sum += skew as u64;
            k += 1;
            max = max.max(skew);
        }
        s.services_measured = k;
        s.zone_skew = if k == 0 { 0.0 } else { sum as f64 / k as f64 };
        s.zone_skew_max = max;
    }
}

impl Simulation<'_> {
    /// Each scenario service's spread across zones over the run, for `zones.csv`.
    pub(crate) fn spread_records(&self) -> Vec<crate::metrics::ServiceSpread> {
        let topo = &self.cluster.topology;
        self.scenario
            .services
            .iter()
            .enumerate()
            .map(|(i, svc)| {
                let acc = self.rec.zone_skew.get(i).copied().unwrap_or_default();
                let running = topo.running_by_zone(i as u32);
                let mut zones: Vec<(&str, u32)> = (0..topo.zone_count() as u32)
                    .map(|z| {
                        (
                            topo.zone_name(z),
                            running.get(z as usize).copied().unwrap_or(0),
                        )
                    })
                    .collect();
                zones.sort();
                crate::metrics::ServiceSpread {
                    service: svc.name.clone(),
                    samples: acc.samples,
                    zone_skew_mean: (acc.samples > 0).then(|| acc.sum as f64 / acc.samples as f64),
                    zone_skew_max: acc.max,
                    running_by_zone: zones
                        .iter()
                        .map(|(z, c)| format!("{z}={c}"))
                        .collect::<Vec<_>>()
                        .join(" "),
                }
            })
            .collect()
    }
}
