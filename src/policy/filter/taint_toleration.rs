//! taint-toleration: a node with a NoSchedule or NoExecute taint takes only pods that tolerate it.

use crate::cluster::{Node, PodSpec, TaintEffect};
use crate::policy::{ClusterView, Filter};

pub struct TaintToleration;

impl Filter for TaintToleration {
    fn name(&self) -> &'static str {
        "taint-toleration"
    }
    fn filter(&self, pod: &PodSpec, node: &Node, _view: &ClusterView) -> Result<(), &'static str> {
        let blocked = node.taints.iter().any(|t| {
            t.effect != TaintEffect::PreferNoSchedule
                && !pod.tolerations.iter().any(|tol| tol.tolerates(t))
        });
        if blocked {
            Err("node(s) had untolerated taint")
        } else {
            Ok(())
        }
    }
}
