//! Filter plugins, one per file.

mod inter_pod_affinity;
mod node_ready;
mod node_selector;
mod node_unschedulable;
mod pod_topology_spread;
mod resources_fit;
mod taint_toleration;

pub use inter_pod_affinity::InterPodAffinity;
pub use node_ready::NodeReady;
pub use node_selector::NodeSelector;
pub use node_unschedulable::NodeUnschedulable;
pub use pod_topology_spread::PodTopologySpread;
pub use resources_fit::ResourcesFit;
pub use taint_toleration::TaintToleration;
