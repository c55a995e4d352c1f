//! node-selector: the node must carry every label of the pod's node selector (NodeAffinity).

use crate::cluster::{Node, PodSpec};
use crate::policy::{ClusterView, Filter};

pub struct NodeSelector;

impl Filter for NodeSelector {
    fn name(&self) -> &'static str {
        "node-selector"
    }
    fn filter(&self, pod: &PodSpec, node: &Node, _view: &ClusterView) -> Result<(), &'static str> {
        let ok = pod
            .node_selector
            .iter()
            .all(|(k, v)| node.labels.get(k) == Some(v));
        if ok {
            Ok(())
        } else {
            Err("node(s) didn't match Pod's node affinity/selector")
        }
    }
}
