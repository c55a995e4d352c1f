//! LowNodeUtilization: moves pods from overused nodes to underused ones.
//!
//! A schedulable node whose usage is at or below `thresholds` on every
//! resource given is underused; a node above `target-thresholds` on any
//! resource given is overused. From overused nodes, fullest first, pods are
//! evicted lowest priority first until the node is no longer above its
//! target or the underused nodes' room is used up. That room is upstream's:
//! Σ over underused nodes of (target × allocatable − usage) per resource
//! (cpu, memory, pods; a resource without a target counts up to its whole
//! allocatable), and evictions stop once any resource's room is spent.

use super::node_utilization::{
    above, above_available, below, capacity, capped, evict_from_sources, percentages, sort_key,
    usage, NodeInfo,
};
use super::{ClusterView, Evictor, LowNodeUtilizationArgs, Strategy};
use crate::cluster::NodeId;

pub(super) fn run(
    view: &ClusterView,
    ready: &[NodeId],
    args: &LowNodeUtilizationArgs,
    ev: &mut Evictor,
) {
    let mut low = Vec::new();
    let mut high = Vec::new();
    for &id in ready {
        let u = usage(view, id);
        let cap = capacity(view, id);
        let pct = percentages(&u, &cap);
        let info = NodeInfo {
            id,
            usage: u,
            available: capped(&cap, &args.target_thresholds),
        };
        // Underused is tested first; a cordoned node cannot take pods, so it
        // is never underused (but may be overused).
        if !view.node(id).unschedulable && below(&pct, &args.thresholds) {
            low.push(info);
        } else if above(&pct, &args.target_thresholds) {
            high.push(info);
        }
    }
    if low.is_empty()
        || low.len() <= args.number_of_nodes as usize
        || low.len() == ready.len()
        || high.is_empty()
    {
        return;
    }
    // Fullest first; equal nodes in id order.
    high.sort_by_key(|n| std::cmp::Reverse(sort_key(n)));
    evict_from_sources(
        view,
        ev,
        Strategy::LowNodeUtilization,
        &mut high,
        &low,
        |node, room| above_available(node) && room.iter().all(|&r| r > 0),
    );
}
