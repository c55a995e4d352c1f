//! Filter plugins, one per file.

mod node_ready;
mod node_selector;
mod node_unschedulable;
mod resources_fit;
mod taint_toleration;

pub use node_ready::NodeReady;
pub use node_selector::NodeSelector;
pub use node_unschedulable::NodeUnschedulable;
pub use resources_fit::ResourcesFit;
pub use taint_toleration::TaintToleration;
