//! pod-topology-spread: a node passes if placing the pod keeps its owner within each hard spread constraint's maxSkew (PodTopologySpread, DoNotSchedule).

use crate::cluster::{Node, PodSpec, TopologyKey};
use crate::policy::{ClusterView, Filter};

pub struct PodTopologySpread;

impl Filter for PodTopologySpread {
    fn name(&self) -> &'static str {
        "pod-topology-spread"
    }
    /// For each `DoNotSchedule` constraint: `count in the node's domain + 1
    /// − global minimum ≤ maxSkew`, where counts are the owner's bound,
    /// non-terminating pods and the minimum is PreFilter's (over eligible
    /// domains, 0 with fewer than `min-domains` of them).
    fn filter(&self, pod: &PodSpec, node: &Node, view: &ClusterView) -> Result<(), &'static str> {
        for (c, st) in pod.constraints.spread.iter().zip(view.cycle.spread()) {
            if !c.hard {
                continue;
            }
            let count = match c.key {
                TopologyKey::Zone => st.zone_counts[view.zone_of(node) as usize],
                TopologyKey::Node => view
                    .cluster
                    .topology
                    .spread_on_node(view.pod.owner, node.id),
            };
            if (count + 1).saturating_sub(st.min) > c.max_skew {
                return Err("node(s) didn't match pod topology spread constraints");
            }
        }
        Ok(())
    }
    fn preemption_may_help(&self) -> bool {
        true
    }
    fn skip(&self, pod: &PodSpec) -> bool {
        !pod.constraints.spread.iter().any(|c| c.hard)
    }
}
