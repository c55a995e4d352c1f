//! HighNodeUtilization: empties underused nodes so that, with a bin-packing
//! scheduler (`most-allocated`), their pods move to fuller nodes and the
//! cluster autoscaler can remove the empty ones.
//!
//! A node at or below `thresholds` on every resource given is underused (a
//! source); every other schedulable node is a destination. Sources are
//! emptied least used first, lowest priority first, while the destinations
//! have room left on every resource (cpu, memory, pods) up to their whole
//! allocatable.

use super::node_utilization::{
    below, capacity, evict_from_sources, percentages, sort_key, usage, NodeInfo,
};
use super::{ClusterView, Evictor, HighNodeUtilizationArgs, Strategy, Thresholds};
use crate::cluster::NodeId;

pub(super) fn run(
    view: &ClusterView,
    ready: &[NodeId],
    args: &HighNodeUtilizationArgs,
    ev: &mut Evictor,
) {
    let mut sources = Vec::new();
    let mut destinations = Vec::new();
    for &id in ready {
        let u = usage(view, id);
        let cap = capacity(view, id);
        let pct = percentages(&u, &cap);
        let info = NodeInfo {
            id,
            usage: u,
            available: super::node_utilization::capped(&cap, &Thresholds::default()),
        };
        if below(&pct, &args.thresholds) {
            sources.push(info);
        } else if !view.node(id).unschedulable {
            destinations.push(info);
        }
    }
    if sources.is_empty()
        || sources.len() <= args.number_of_nodes as usize
        || sources.len() == ready.len()
        || destinations.is_empty()
    {
        return;
    }
    // Least used first; equal nodes in id order.
    sources.sort_by_key(sort_key);
    evict_from_sources(
        view,
        ev,
        Strategy::HighNodeUtilization,
        &mut sources,
        &destinations,
        |_, room| room.iter().all(|&r| r > 0),
    );
}
