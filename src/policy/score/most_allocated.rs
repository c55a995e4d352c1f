//! most-allocated: prefers the fullest node that still fits the pod (bin packing).

use super::requested_with;
use crate::cluster::{Node, PodSpec};
use crate::policy::{ClusterView, Scorer, MAX_SCORE};

pub struct MostAllocated;

/// `requested × 100 / allocatable`, integer, as kube-scheduler.
fn most(requested: u64, allocatable: u64) -> i64 {
    if allocatable == 0 {
        return 0;
    }
    let requested = requested.min(allocatable);
    (requested as i128 * MAX_SCORE as i128 / allocatable as i128) as i64
}

impl Scorer for MostAllocated {
    fn name(&self) -> &'static str {
        "most-allocated"
    }
    fn score(&self, pod: &PodSpec, node: &Node, _view: &ClusterView) -> i64 {
        let r = requested_with(pod, node);
        (most(r.cpu_m, node.allocatable.cpu_m) + most(r.mem, node.allocatable.mem)) / 2
    }
}
