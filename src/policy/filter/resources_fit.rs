//! resources-fit: the node's free CPU, memory and pod slots must cover the pod's requests (NodeResourcesFit).

use crate::cluster::{Node, PodSpec};
use crate::policy::Filter;

pub struct ResourcesFit;

impl Filter for ResourcesFit {
    fn name(&self) -> &'static str {
        "resources-fit"
    }
    fn filter(&self, pod: &PodSpec, node: &Node) -> Result<(), &'static str> {
        if node.pods.len() as u32 >= node.max_pods {
            return Err("Too many pods");
        }
        let r = &pod.requests;
        if node.requested.cpu_m + r.cpu_m > node.allocatable.cpu_m {
            return Err("Insufficient cpu");
        }
        if node.requested.mem + r.mem > node.allocatable.mem {
            return Err("Insufficient memory");
        }
        Ok(())
    }
}
