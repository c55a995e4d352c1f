//! inter-pod-affinity: a node passes unless a required anti-affinity term finds another pod of the pod's owner in the node's domain (InterPodAffinity).

use crate::cluster::{Node, PodSpec, TopologyKey};
use crate::policy::{ClusterView, Filter};

pub struct InterPodAffinity;

impl Filter for InterPodAffinity {
    fn name(&self) -> &'static str {
        "inter-pod-affinity"
    }
    /// Counts every pod of the owner bound in the domain, terminating ones
    /// included, as kube-scheduler does. The owner's pods all carry the same
    /// term, so the check for existing pods' anti-affinity (symmetry) gives
    /// the same answer and is not repeated.
    fn filter(&self, pod: &PodSpec, node: &Node, view: &ClusterView) -> Result<(), &'static str> {
        let topo = &view.cluster.topology;
        for a in &pod.constraints.anti_affinity {
            if !a.required {
                continue;
            }
            let others = match a.key {
                TopologyKey::Node => topo.bound_on_node(view.pod.owner, node.id),
                TopologyKey::Zone => topo.bound_in_zone(view.pod.owner, view.zone_of(node)),
            };
            if others > 0 {
                return Err("node(s) didn't match pod anti-affinity rules");
            }
        }
        Ok(())
    }
    fn preemption_may_help(&self) -> bool {
        true
    }
    fn skip(&self, pod: &PodSpec) -> bool {
        !pod.constraints.anti_affinity.iter().any(|a| a.required)
    }
}
