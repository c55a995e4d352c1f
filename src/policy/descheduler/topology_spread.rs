//! RemovePodsViolatingTopologySpreadConstraint: for each service with a zone
//! `max-skew`, evicts the fewest pods that bring the zones back within it.
//!
//! The domains are the zones of the Ready nodes that match the service's node
//! selector (`nodeAffinityPolicy: Honor`; taints are ignored, as
//! `nodeTaintsPolicy: Ignore`), a zone with none of its pods included. Its
//! pods bound to those nodes count, except those terminating. When the
//! largest and smallest zones differ by more than `max-skew`, upstream's
//! `balanceDomains` decides how many pods leave which zone: zones sorted by
//! size, pods move from the largest towards the smallest, never taking a
//! zone below the mean nor lifting one above it, at most half the excess
//! skew at a time. The pods that leave a zone are its last ones in the
//! order non-evictable, then pods with a node selector, then by priority
//! from high to low, then oldest first — so the lowest-priority, newest
//! pods go. A pod goes only if it would fit, now, on some node of a zone
//! below the mean (upstream's `PodFitsAnyOtherNode`); limits per node and
//! per pass apply.
//!
//! The constraint is read from each service's `max-skew` (topology key:
//! zone, `whenUnsatisfiable: DoNotSchedule`). When the scheduler's own
//! topology-spread constraints exist, this strategy should read those
//! instead: see `docs/descheduler.md`.

use super::node_utilization::could_run_on;
use super::{is_evictable, ClusterView, Evictor, Refusal, Strategy};
use crate::cluster::{NodeId, PodId, PodPhase};
use std::collections::BTreeMap;

pub(super) fn run(view: &ClusterView, ready: &[NodeId], ev: &mut Evictor) {
    let mut chosen: Vec<PodId> = Vec::new();
    for owner in &view.owners {
        let Some(max_skew) = owner.max_skew else {
            continue;
        };
        let Some(&first) = owner.pods.first() else {
            continue;
        };
        // Domains: zones of the Ready nodes the pods may use.
        let eligible: Vec<NodeId> = ready
            .iter()
            .copied()
            .filter(|&n| selector_matches(view, first, n))
            .collect();
        let mut is_eligible = vec![false; view.nodes.len()];
        let mut domains: BTreeMap<&str, Vec<PodId>> = BTreeMap::new();
        for &n in &eligible {
            is_eligible[n.index()] = true;
            domains.entry(view.node(n).zone.as_str()).or_default();
        }
        let mut sum = 0usize;
        for &pod in owner.pods {
            let p = view.pod(pod);
            let Some(node) = p.node else { continue };
            if p.phase == PodPhase::Terminating || ev.is_evicted(pod) {
                continue;
            }
            if !is_eligible[node.index()] {
                continue;
            }
            if let Some(list) = domains.get_mut(view.node(node).zone.as_str()) {
                list.push(pod);
                sum += 1;
            }
        }
        if domains.is_empty() {
            continue;
        }
        let (min, max) = domains.values().fold((usize::MAX, 0), |(lo, hi), d| {
            (lo.min(d.len()), hi.max(d.len()))
        });
        if max - min <= max_skew as usize {
            continue;
        }
        balance_domains(view, ev, &eligible, domains, sum, max_skew, &mut chosen);
    }
    // Evict what was chosen, skipping nodes whose limit is reached.
    for pod in chosen {
        let node = view.pod(pod).node.expect("bound");
        if ev.node_limit_exceeded(node) || !is_evictable(view, ev, pod) {
            continue;
        }
        if ev.evict(view, pod, Strategy::TopologySpread) == Err(Refusal::TotalLimit) {
            return;
        }
    }
}

fn selector_matches(view: &ClusterView, pod: PodId, node: NodeId) -> bool {
    let n = view.node(node);
    view.spec_of(pod)
        .node_selector
        .iter()
        .all(|(k, v)| n.labels.get(k) == Some(v))
}

/// Upstream's `balanceDomains`, step for step.
fn balance_domains(
    view: &ClusterView,
    ev: &Evictor,
    eligible: &[NodeId],
    domains: BTreeMap<&str, Vec<PodId>>,
    sum: usize,
    max_skew: u32,
    chosen: &mut Vec<PodId>,
) {
    let ideal_avg = sum as f64 / domains.len() as f64;
    // Pods in eviction order from the back.
    let mut sorted: Vec<(&str, Vec<PodId>)> = domains
        .into_iter()
        .map(|(zone, mut pods)| {
            pods.sort_by_key(|&p| {
                let spec = view.spec_of(p);
                (
                    is_evictable(view, ev, p),
                    spec.node_selector.is_empty(),
                    std::cmp::Reverse(spec.priority),
                    view.pod(p).serial,
                )
            });
            (zone, pods)
        })
        .collect();
    // Ascending size; equal sizes by zone name (the map's order, kept by a stable sort).
    sorted.sort_by_key(|(_, pods)| pods.len());
    // Nodes a moved pod could go to: those of zones below the mean.
    let below: Vec<NodeId> = eligible
        .iter()
        .copied()
        .filter(|&n| {
            let zone = view.node(n).zone.as_str();
            sorted
                .iter()
                .any(|(z, pods)| *z == zone && (pods.len() as f64) < ideal_avg)
        })
        .collect();
    let skew_limit = max_skew as i64;
    let (mut i, mut j) = (0usize, sorted.len() - 1);
    while i < j {
        // j has nothing to give without falling below the mean: next largest.
        if sorted[j].1.len() as f64 <= ideal_avg {
            j -= 1;
        }
        let skew = sorted[j].1.len() as i64 - sorted[i].1.len() as i64;
        if skew <= skew_limit {
            i += 1;
            continue;
        }
        let above_avg = (sorted[j].1.len() as f64 - ideal_avg).ceil();
        let below_avg = (ideal_avg - sorted[i].1.len() as f64).ceil();
        let half_skew = ((skew - skew_limit) as f64 / 2.0).ceil();
        let move_pods = above_avg.min(below_avg).min(half_skew) as i64;
        if move_pods <= 0 {
            i += 1;
            continue;
        }
        let from = sorted[j].1.len() - move_pods as usize;
        let moved: Vec<PodId> = sorted[j].1.split_off(from);
        for &pod in &moved {
            if fits_elsewhere(view, pod, &below) {
                chosen.push(pod);
            }
        }
        sorted[i].1.extend(moved);
    }
}

/// Upstream's `PodFitsAnyOtherNode`: some node other than the pod's own,
/// schedulable, whose taints and labels admit it and whose free allocatable
/// and pod slots hold it now.
fn fits_elsewhere(view: &ClusterView, pod: PodId, nodes: &[NodeId]) -> bool {
    let own = view.pod(pod).node;
    let req = view.spec_of(pod).requests;
    nodes.iter().any(|&n| {
        let node = view.node(n);
        Some(n) != own
            && !node.unschedulable
            && could_run_on(view, pod, n)
            && node.free().covers(&req)
            && node.pod_count() < node.max_pods
    })
}
