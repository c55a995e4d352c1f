//! balanced-allocation: prefers the node whose CPU and memory would be filled to the same fraction.

use crate::cluster::{Node, PodSpec};
use crate::policy::{ClusterView, Scorer, MAX_SCORE};

pub struct BalancedAllocation;

impl Scorer for BalancedAllocation {
    fn name(&self) -> &'static str {
        "balanced-allocation"
    }
    /// `(1 − std(f)) × 100` with `f_r = requested_r / allocatable_r` capped at
    /// 1; for two resources `std = |f_cpu − f_mem| / 2`. Unlike the fit
    /// scorers, kube-scheduler counts real requests here, not the non-zero
    /// defaults.
    fn score(&self, pod: &PodSpec, node: &Node, _view: &ClusterView) -> i64 {
        let frac = |req: u64, alloc: u64| {
            if alloc == 0 {
                1.0
            } else {
                (req as f64 / alloc as f64).min(1.0)
            }
        };
        let cpu = frac(
            node.requested.cpu_m + pod.requests.cpu_m,
            node.allocatable.cpu_m,
        );
        let mem = frac(node.requested.mem + pod.requests.mem, node.allocatable.mem);
        let std = (cpu - mem).abs() / 2.0;
        ((1.0 - std) * MAX_SCORE as f64) as i64
    }
}
