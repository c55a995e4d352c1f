//! node-ready: only nodes the control plane believes Ready (it does not yet know about a silent machine).

use crate::cluster::{Node, PodSpec};
use crate::policy::{ClusterView, Filter};

pub struct NodeReady;

impl Filter for NodeReady {
    fn name(&self) -> &'static str {
        "node-ready"
    }
    fn filter(&self, _pod: &PodSpec, node: &Node, _view: &ClusterView) -> Result<(), &'static str> {
        if node.api_ready && !node.removed {
            Ok(())
        } else {
            Err("node(s) were not ready")
        }
    }
}
