//! Pluggable placement decisions, Kubernetes style.
//!
//! A **filter** says whether a node can take a pod (and why not); a **scorer**
//! rates each feasible node 0–100; a **profile** names a set of filters,
//! weighted scorers and a selection rule. Built-in policies are profiles
//! (`builtin/`, one file each); a scenario may define its own from the same
//! plugins. Policies only read: the control plane binds.
//!
//! To add a plugin in Rust, implement [`Filter`] or [`Scorer`] in a file of
//! its own under `filter/` or `score/` and add it to the tables in
//! [`registry`].
//!
//! Besides the pod's spec and the node, a plugin reads a [`ClusterView`]:
//! the whole cluster (read-only), with per-owner pod counts per node and per
//! zone kept as indexes, so that constraints about where a service's other
//! pods are (topology spread, anti-affinity) cost an O(1) lookup per node.

pub mod autoscaler;
pub mod builtin;
pub mod descheduler;
pub mod disruption_budget;
pub mod filter;
pub mod hpa;
pub mod preemption;
mod profile;
pub mod registry;
pub mod score;
mod view;

pub use profile::{Profile, ProfileSpec, Select, TieBreak};
pub use registry::{
    builtin, builtins, default_filters, filter_names, is_known, make_filter, make_scorer, resolve,
    scorer_names, unknown_policy_message, BuiltinPolicy,
};
pub use view::{eligible_for_spread, ClusterView, CycleState, PodRef, Removal, SpreadState};

use crate::cluster::{Node, PodSpec};

/// Can this node take this pod?
pub trait Filter: Send + Sync {
    /// The plugin's name as written in scenario files.
    fn name(&self) -> &'static str;
    /// `Err` carries the reason in the kube-scheduler's words, for example
    /// `"Insufficient cpu"`; the scheduler counts reasons across nodes.
    fn filter(&self, pod: &PodSpec, node: &Node, view: &ClusterView) -> Result<(), &'static str>;
    /// Whether evicting lower-priority pods from the node could make a
    /// failing node pass (kube-scheduler's `Unschedulable`, as opposed to
    /// `UnschedulableAndUnresolvable`). Preemption only considers nodes where
    /// every filter that answers `false` passes.
    fn preemption_may_help(&self) -> bool {
        false
    }
    /// Whether the filter passes every node for this pod without looking
    /// (PreFilter's `Skip`): the scheduler then does not call it.
    fn skip(&self, _pod: &PodSpec) -> bool {
        false
    }
}

/// How much does this node suit this pod? 0 (worst) to 100 (best).
pub trait Scorer: Send + Sync {
    fn name(&self) -> &'static str;
    fn score(&self, pod: &PodSpec, node: &Node, view: &ClusterView) -> i64;
    /// Rescales the raw scores of all feasible nodes to 0–100 where the raw
    /// score is not already on that scale (kube-scheduler's NormalizeScore).
    fn normalize(&self, _scores: &mut [i64]) {}
    /// Whether the plugin has nothing to say about this pod (PreScore's
    /// `Skip`): it then adds 0 to every node and is not called.
    fn skip(&self, _pod: &PodSpec) -> bool {
        false
    }
}

/// The highest score a plugin gives (kube-scheduler's MaxNodeScore).
pub const MAX_SCORE: i64 = 100;
