//! node-unschedulable: skips cordoned nodes (NodeUnschedulable).

use crate::cluster::{Node, PodSpec};
use crate::policy::{ClusterView, Filter};

pub struct NodeUnschedulable;

impl Filter for NodeUnschedulable {
    fn name(&self) -> &'static str {
        "node-unschedulable"
    }
    fn filter(&self, _pod: &PodSpec, node: &Node, _view: &ClusterView) -> Result<(), &'static str> {
        if node.unschedulable {
            Err("node(s) were unschedulable")
        } else {
            Ok(())
        }
    }
}
