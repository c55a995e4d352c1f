//! pod-topology-spread: prefers nodes whose domains hold fewer of the pod's owner's pods, per soft spread constraint (PodTopologySpread, ScheduleAnyway).

use crate::cluster::{Node, PodSpec, TopologyKey};
use crate::policy::{ClusterView, Scorer, MAX_SCORE};

pub struct PodTopologySpreadScore;

impl Scorer for PodTopologySpreadScore {
    fn name(&self) -> &'static str {
        "pod-topology-spread"
    }
    /// Raw score, as kube-scheduler: `round(Σ over ScheduleAnyway
    /// constraints of count × ln(domains among feasible nodes + 2) +
    /// (maxSkew − 1))`, where count is the owner's pods in the node's domain
    /// (not counting the incoming pod). Lower is better until normalized.
    fn score(&self, pod: &PodSpec, node: &Node, view: &ClusterView) -> i64 {
        let mut s = 0.0;
        for (c, st) in pod.constraints.spread.iter().zip(view.cycle.spread()) {
            if c.hard {
                continue;
            }
            let count = match c.key {
                TopologyKey::Zone => st.zone_counts[view.zone_of(node) as usize],
                TopologyKey::Node => view
                    .cluster
                    .topology
                    .spread_on_node(view.pod.owner, node.id),
            };
            s += count as f64 * st.weight + (c.max_skew as f64 - 1.0);
        }
        s.round() as i64
    }
    /// kube-scheduler's NormalizeScore: `100 × (max + min − s) / max`, and
    /// 100 for every node when the highest raw score is 0.
    fn normalize(&self, scores: &mut [i64]) {
        let min = scores.iter().copied().min().unwrap_or(0);
        let max = scores.iter().copied().max().unwrap_or(0);
        for s in scores.iter_mut() {
            *s = if max == 0 {
                MAX_SCORE
            } else {
                MAX_SCORE * (max + min - *s) / max
            };
        }
    }
    fn skip(&self, pod: &PodSpec) -> bool {
        !pod.constraints.has_soft_spread()
    }
}
