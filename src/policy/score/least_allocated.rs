//! least-allocated: prefers the node with the most free CPU and memory after placing the pod (spreads).

use super::requested_with;
use crate::cluster::{Node, PodSpec};
use crate::policy::{ClusterView, Scorer, MAX_SCORE};

pub struct LeastAllocated;

/// `(allocatable − requested) × 100 / allocatable`, integer, as kube-scheduler.
fn least(requested: u64, allocatable: u64) -> i64 {
    if allocatable == 0 || requested > allocatable {
        return 0;
    }
    ((allocatable - requested) as i128 * MAX_SCORE as i128 / allocatable as i128) as i64
}

impl Scorer for LeastAllocated {
    fn name(&self) -> &'static str {
        "least-allocated"
    }
    fn score(&self, pod: &PodSpec, node: &Node, _view: &ClusterView) -> i64 {
        let r = requested_with(pod, node);
        // Weighted mean over resources, weights cpu 1 and memory 1.
        (least(r.cpu_m, node.allocatable.cpu_m) + least(r.mem, node.allocatable.mem)) / 2
    }
}
