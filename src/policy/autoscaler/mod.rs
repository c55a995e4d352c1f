//! The cluster autoscaler's decisions, read-only like every policy: how many
//! nodes of which node group to add for the pending pods (a binpacking
//! estimate per group, then an expander chooses among the groups), and which
//! underused nodes could be removed because every pod on them could run
//! elsewhere. The control plane (`control/cluster_autoscaler.rs`) keeps the
//! timers, creates the nodes after their provisioning time, and drains and
//! removes the nodes. See `docs/cluster-autoscaler.md`.

pub mod estimator;
pub mod expander;
pub mod scale_down;

pub use estimator::{Binpacker, PodGroup};
pub use expander::{choose, ScaleUpOption};
pub use scale_down::{underused, ScaleDownPlanner, Unneeded};

use crate::cluster::{Node, NodeId, Resources};
use crate::scenario::Pool;

/// A node as a node group would create it, for the filters to judge (the
/// real autoscaler's node template): Ready, empty, with the pool's
/// allocatable, pod limit, labels and taints, in its first zone.
pub fn template_node(pool_index: usize, pool: &Pool) -> Node {
    Node {
        id: NodeId(u32::MAX),
        name: format!("{}-template", pool.name),
        pool: pool_index as u32,
        zone: pool.zones[0].clone(),
        allocatable: pool.allocatable,
        max_pods: pool.max_pods,
        labels: pool.labels.clone(),
        taints: pool.taints.clone(),
        cost_per_hour: pool.cost_per_hour,
        requested: Resources::ZERO,
        requested_for_scoring: Resources::ZERO,
        pods: Vec::new(),
        up: true,
        api_ready: true,
        unschedulable: false,
        removed: false,
        epoch: 0,
        added_at: crate::engine::SimTime::ZERO,
        removed_at: None,
        failures: 0,
        down_since: None,
        downtime: crate::engine::SimTime::ZERO,
        binds: 0,
    }
}

/// Whether a filter judges a node by the node and the pod alone. The
/// autoscaler's what-if checks (will a pod fit on a node not created yet, or
/// elsewhere once a node is gone) run only these: topology spread and pod
/// anti-affinity are left out of its estimates, a simplification on top of
/// the real autoscaler's (which runs every filter but no scorer).
pub fn node_local_filter(name: &str) -> bool {
    matches!(
        name,
        "node-unschedulable"
            | "node-ready"
            | "resources-fit"
            | "taint-toleration"
            | "node-selector"
    )
}
