//! node-unschedulable: skips cordoned nodes unless the pod tolerates their `node.kubernetes.io/unschedulable` taint (NodeUnschedulable).

use crate::cluster::{tolerated, Node, PodSpec, UNSCHEDULABLE_TAINT};
use crate::policy::{ClusterView, Filter};

pub struct NodeUnschedulable;

impl Filter for NodeUnschedulable {
    fn name(&self) -> &'static str {
        "node-unschedulable"
    }
    fn filter(&self, pod: &PodSpec, node: &Node, _view: &ClusterView) -> Result<(), &'static str> {
        if node.unschedulable && !tolerated(&pod.tolerations, &UNSCHEDULABLE_TAINT) {
            Err("node(s) were unschedulable")
        } else {
            Ok(())
        }
    }
}
