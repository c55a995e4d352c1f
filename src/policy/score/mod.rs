//! Score plugins, one per file.

mod balanced_allocation;
mod inter_pod_affinity;
mod least_allocated;
mod most_allocated;
mod pod_topology_spread;
mod taint_toleration;

pub use balanced_allocation::BalancedAllocation;
pub use inter_pod_affinity::InterPodAffinityScore;
pub use least_allocated::LeastAllocated;
pub use most_allocated::MostAllocated;
pub use pod_topology_spread::PodTopologySpreadScore;
pub use taint_toleration::PreferNoScheduleTaints;

use crate::cluster::{Node, PodSpec, Resources};

/// What the node's requests would be with this pod on it, counted with the
/// scheduler's non-zero defaults as kube-scheduler scores them.
pub(crate) fn requested_with(pod: &PodSpec, node: &Node) -> Resources {
    let mut r = node.requested_for_scoring;
    r.add(&pod.requests.non_zero_for_scoring());
    r
}
