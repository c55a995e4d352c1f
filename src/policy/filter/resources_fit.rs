//! resources-fit: the node's free CPU, memory and pod slots must cover the pod's requests (NodeResourcesFit).

use crate::cluster::{Node, PodSpec};
use crate::policy::{ClusterView, Filter};

pub struct ResourcesFit;

impl Filter for ResourcesFit {
    fn name(&self) -> &'static str {
        "resources-fit"
    }
    /// Pods nominated to the node with at least this pod's priority count as
    /// bound; during a preemption dry run the victims do not.
    fn filter(&self, pod: &PodSpec, node: &Node, view: &ClusterView) -> Result<(), &'static str> {
        let (requested, count) = view.occupied(pod, node);
        if count >= node.max_pods {
            return Err("Too many pods");
        }
        let r = &pod.requests;
        if requested.cpu_m + r.cpu_m > node.allocatable.cpu_m {
            return Err("Insufficient cpu");
        }
        if requested.mem + r.mem > node.allocatable.mem {
            return Err("Insufficient memory");
        }
        Ok(())
    }
    fn preemption_may_help(&self) -> bool {
        true
    }
}
