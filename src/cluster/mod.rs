//! The cluster's state: resources, nodes, pods and their specs, with the
//! running totals the metrics need. It knows nothing of policies or files.
//!
//! Everything is kept in flat vectors indexed by id (`NodeId`, `PodId`,
//! `SpecId`), so the scheduler's per-pod pass over nodes touches contiguous
//! memory and allocates nothing.

mod constraints;
mod node;
mod nomination;
mod pod;
mod resources;
mod state;
mod taint;
mod topology;

pub use constraints::{AntiAffinity, Constraints, PreemptionPolicy, SpreadConstraint, TopologyKey};
pub use node::{Node, NodeId, NodeStatus};
pub use nomination::{Nominations, Nominee};
pub use pod::{Outcome, Pod, PodId, PodKind, PodPhase, PodSpec, SpecId};
pub use resources::{parse_cpu, parse_memory, QuantityError, Resources};
pub use state::{Cluster, Totals};
pub use taint::{
    parse_taint, parse_toleration, tolerated, Taint, TaintEffect, Toleration, UNREACHABLE_TAINT,
    UNSCHEDULABLE_TAINT,
};
pub use topology::TopologyIndex;
