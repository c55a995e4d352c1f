//! RemoveDuplicates: spreads the pods of one owner over the nodes they could
//! run on, by evicting the surplus from nodes that hold several.
//!
//! As upstream: every evictable pod of an owner counts towards its
//! occurrences; the nodes it could land on (Ready nodes whose NoSchedule and
//! NoExecute taints it tolerates and whose labels match its node selector)
//! are its targets, and with fewer than two targets nothing is done.
//! A node may keep `ceil(occurrences / targets)` of the owner's pods: with
//! no more replicas than nodes, that is one per node. The pods bound first
//! stay; later ones are evicted.

use super::node_utilization::could_run_on;
use super::{is_evictable, ClusterView, Evictor, Refusal, RemoveDuplicatesArgs, Strategy};
use crate::cluster::{NodeId, PodId, SpecId};
use std::collections::BTreeMap;

pub(super) fn run(
    view: &ClusterView,
    ready: &[NodeId],
    args: &RemoveDuplicatesArgs,
    ev: &mut Evictor,
) {
    // owner → occurrences; owner → node → duplicates (all but the first).
    let mut occurrences: BTreeMap<u32, u32> = BTreeMap::new();
    let mut duplicates: BTreeMap<u32, BTreeMap<NodeId, Vec<PodId>>> = BTreeMap::new();
    for &node in ready {
        let mut seen: Vec<u32> = Vec::new();
        for &pod in &view.node(node).pods {
            if !is_evictable(view, ev, pod) {
                continue;
            }
            let owner = view.pod(pod).owner;
            if args
                .exclude_owner_kinds
                .contains(&view.owners[owner as usize].kind)
            {
                continue;
            }
            *occurrences.entry(owner).or_default() += 1;
            if seen.contains(&owner) {
                duplicates
                    .entry(owner)
                    .or_default()
                    .entry(node)
                    .or_default()
                    .push(pod);
            } else {
                seen.push(owner);
            }
        }
    }
    for (owner, by_node) in duplicates {
        let targets = target_nodes(view, ready, &by_node);
        if targets < 2 {
            continue;
        }
        let upper = occurrences[&owner].div_ceil(targets) as usize;
        for (node, pods) in by_node {
            // `pods` leaves out the node's first pod of the owner: the node
            // holds pods.len() + 1.
            if pods.len() < upper {
                continue;
            }
            for &pod in &pods[upper - 1..] {
                match ev.evict(view, pod, Strategy::RemoveDuplicates) {
                    Err(Refusal::TotalLimit) => return,
                    _ if ev.node_limit_exceeded(node) => break,
                    _ => {}
                }
            }
        }
    }
}

/// How many Ready nodes some duplicate could land on: the union, over the
/// duplicates' distinct specs that fit more than one node, of those nodes.
fn target_nodes(
    view: &ClusterView,
    ready: &[NodeId],
    by_node: &BTreeMap<NodeId, Vec<PodId>>,
) -> u32 {
    let mut specs: Vec<(SpecId, PodId)> = Vec::new();
    for pods in by_node.values() {
        for &p in pods {
            let s = view.pod(p).spec;
            if !specs.iter().any(|(x, _)| *x == s) {
                specs.push((s, p));
            }
        }
    }
    let mut targets = vec![false; view.nodes.len()];
    for (_, pod) in specs {
        let fits: Vec<NodeId> = ready
            .iter()
            .copied()
            .filter(|&n| could_run_on(view, pod, n))
            .collect();
        if fits.len() > 1 {
            for n in fits {
                targets[n.index()] = true;
            }
        }
    }
    targets.iter().filter(|t| **t).count() as u32
}
