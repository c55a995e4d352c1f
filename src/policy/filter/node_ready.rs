//! node-ready: only nodes the control plane believes Ready (it does not yet know about a silent machine), unless the pod tolerates the `node.kubernetes.io/unreachable:NoSchedule` taint a NotReady node carries.

use crate::cluster::{tolerated, Node, PodSpec, UNREACHABLE_TAINT};
use crate::policy::{ClusterView, Filter};

pub struct NodeReady;

impl Filter for NodeReady {
    fn name(&self) -> &'static str {
        "node-ready"
    }
    fn filter(&self, pod: &PodSpec, node: &Node, _view: &ClusterView) -> Result<(), &'static str> {
        if node.removed {
            return Err("node(s) were not ready");
        }
        if node.api_ready || tolerated(&pod.tolerations, &UNREACHABLE_TAINT) {
            Ok(())
        } else {
            Err("node(s) were not ready")
        }
    }
}
