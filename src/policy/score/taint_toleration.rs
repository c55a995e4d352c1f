//! taint-toleration: prefers nodes with fewer PreferNoSchedule taints the pod does not tolerate.

use crate::cluster::{Node, PodSpec, TaintEffect};
use crate::policy::{ClusterView, Scorer, MAX_SCORE};

pub struct PreferNoScheduleTaints;

impl Scorer for PreferNoScheduleTaints {
    fn name(&self) -> &'static str {
        "taint-toleration"
    }
    /// The raw score counts intolerable PreferNoSchedule taints; normalize reverses it.
    fn score(&self, pod: &PodSpec, node: &Node, _view: &ClusterView) -> i64 {
        node.taints
            .iter()
            .filter(|t| {
                t.effect == TaintEffect::PreferNoSchedule
                    && !pod.tolerations.iter().any(|tol| tol.tolerates(t))
            })
            .count() as i64
    }
    /// kube-scheduler's DefaultNormalizeScore with reverse: `100 − count × 100 / max`.
    fn normalize(&self, scores: &mut [i64]) {
        let max = scores.iter().copied().max().unwrap_or(0);
        for s in scores.iter_mut() {
            *s = if max == 0 {
                MAX_SCORE
            } else {
                MAX_SCORE - *s * MAX_SCORE / max
            };
        }
    }
}
