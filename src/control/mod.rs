//! The control plane, modelled on Kubernetes': the scheduling cycle, node
//! lifecycle (NotReady, then eviction), the replica and job controllers, and
//! the handlers for the scenario's events. These are the only places that
//! change the cluster; each change is reported to the recorder.
//!
//! The handlers are `impl Simulation` blocks, one file per concern, so that
//! each sees the whole state it acts on; the decisions themselves come from
//! policies through [`Scheduler`].

mod actions;
mod cluster_autoscaler;
mod controllers;
mod cycle;
mod descheduler;
mod disruption;
mod disruptions;
mod failure_plan;
mod hpa;
mod maintenance;
mod node_lifecycle;
mod partition;
mod placement;
mod preemption;
mod queue;
mod random_failures;
mod resize;
mod scheduler;
mod trace_replay;

pub use cluster_autoscaler::AutoscalerState;
pub use descheduler::DeschedulerState;
pub use disruptions::{DisruptionEvent, DisruptionTotals, Disruptions};
pub use hpa::LoadState;
pub use placement::PlacementState;
pub use queue::{PendingQueue, Stamp};
pub use scheduler::{Scheduler, Unschedulable};
pub use trace_replay::TraceState;
