//! inter-pod-affinity: prefers nodes whose domains hold fewer of the pod's owner's pods, per preferred anti-affinity term (InterPodAffinity).

use crate::cluster::{Node, PodSpec, TopologyKey};
use crate::policy::{ClusterView, Scorer, MAX_SCORE};

pub struct InterPodAffinityScore;

impl Scorer for InterPodAffinityScore {
    fn name(&self) -> &'static str {
        "inter-pod-affinity"
    }
    /// Raw score: `− Σ over preferred anti-affinity terms of weight × pods of
    /// the owner bound in the node's domain` (terminating ones included).
    /// kube-scheduler counts each such pod twice, once for the incoming pod's
    /// term and once for the existing pod's own (identical) term; the factor
    /// disappears in normalization.
    fn score(&self, pod: &PodSpec, node: &Node, view: &ClusterView) -> i64 {
        let topo = &view.cluster.topology;
        let mut s = 0;
        for a in &pod.constraints.anti_affinity {
            if a.required {
                continue;
            }
            let others = match a.key {
                TopologyKey::Node => topo.bound_on_node(view.pod.owner, node.id),
                TopologyKey::Zone => topo.bound_in_zone(view.pod.owner, view.zone_of(node)),
            };
            s -= a.weight * others as i64;
        }
        s
    }
    /// kube-scheduler's NormalizeScore: `100 × (s − min) / (max − min)`,
    /// truncated, and 0 for every node when all are equal.
    fn normalize(&self, scores: &mut [i64]) {
        let min = scores.iter().copied().min().unwrap_or(0);
        let max = scores.iter().copied().max().unwrap_or(0);
        for s in scores.iter_mut() {
            *s = if max > min {
                (MAX_SCORE as f64 * ((*s - min) as f64 / (max - min) as f64)) as i64
            } else {
                0
            };
        }
    }
    fn skip(&self, pod: &PodSpec) -> bool {
        !pod.constraints.anti_affinity.iter().any(|a| !a.required)
    }
}
