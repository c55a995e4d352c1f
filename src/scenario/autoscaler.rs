//! The cluster autoscaler's settings, typed: the `[cluster-autoscaler]` table
//! and the node-group keys of `[[pools]]` (see `docs/cluster-autoscaler.md`).

use crate::engine::SimTime;

/// How the autoscaler chooses among node groups that could help (CA's `--expander`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expander {
    /// Any group that helps, uniformly at random (CA's default).
    Random,
    /// The group whose new nodes would take the most pending pods.
    MostPods,
    /// The group whose new nodes would leave the least CPU and memory idle.
    LeastWaste,
    /// The group with the highest `expander-priority`.
    Priority,
}

impl Expander {
    pub const NAMES: &'static [&'static str] = &["random", "most-pods", "least-waste", "priority"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "random" => Some(Self::Random),
            "most-pods" => Some(Self::MostPods),
            "least-waste" => Some(Self::LeastWaste),
            "priority" => Some(Self::Priority),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Random => "random",
            Self::MostPods => "most-pods",
            Self::LeastWaste => "least-waste",
            Self::Priority => "priority",
        }
    }
}

/// The `[cluster-autoscaler]` table, with the real cluster autoscaler's defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct ClusterAutoscalerConfig {
    /// How often it looks at the cluster (`--scan-interval`, 10 s).
    pub scan_interval: SimTime,
    pub expander: Expander,
    /// From the request to a Ready node, unless the pool says otherwise (the
    /// cloud provider's time; not a CA flag; 2 min here).
    pub provisioning_time: SimTime,
    /// `--scale-down-enabled` (true).
    pub scale_down_enabled: bool,
    /// A node is underused when its CPU and its memory requests are both
    /// below this share of allocatable (`--scale-down-utilization-threshold`, 0.5).
    pub utilization_threshold: f64,
    /// How long a node must stay unneeded before it is removed
    /// (`--scale-down-unneeded-time`, 10 min).
    pub unneeded_time: SimTime,
    /// No scale-down this long after a scale-up (`--scale-down-delay-after-add`, 10 min).
    pub delay_after_add: SimTime,
    /// The most nodes in the cluster, 0 for no limit (`--max-nodes-total`, 0).
    pub max_nodes_total: u32,
    /// The most nodes being removed at once (`--max-scale-down-parallelism`, 10).
    pub max_scale_down_parallelism: u32,
    /// The most non-empty nodes being drained at once (`--max-drain-parallelism`, 1).
    pub max_drain_parallelism: u32,
    /// The most non-empty nodes found unneeded per scan
    /// (`--scale-down-non-empty-candidates-count`, 30).
    pub non_empty_candidates: u32,
    /// Pods below this priority neither trigger a scale-up nor block a
    /// scale-down (`--expendable-pods-priority-cutoff`, -10).
    pub expendable_priority_cutoff: i32,
    /// A node found unremovable is not checked again for this long
    /// (`--unremovable-node-recheck-timeout`, 5 min).
    pub unremovable_recheck: SimTime,
}

impl Default for ClusterAutoscalerConfig {
    fn default() -> Self {
        ClusterAutoscalerConfig {
            scan_interval: SimTime::from_secs(10),
            expander: Expander::Random,
            provisioning_time: SimTime::from_mins(2),
            scale_down_enabled: true,
            utilization_threshold: 0.5,
            unneeded_time: SimTime::from_mins(10),
            delay_after_add: SimTime::from_mins(10),
            max_nodes_total: 0,
            max_scale_down_parallelism: 10,
            max_drain_parallelism: 1,
            non_empty_candidates: 30,
            expendable_priority_cutoff: -10,
            unremovable_recheck: SimTime::from_mins(5),
        }
    }
}

/// A pool that is a node group of the autoscaler (it has a `max-count`).
#[derive(Clone, Debug, PartialEq)]
pub struct NodeGroup {
    pub min: u32,
    pub max: u32,
    /// For `expander = "priority"`: higher wins; a pool without one ranks
    /// below every pool with one.
    pub priority: Option<i32>,
    /// Overrides the table's `provisioning-time`.
    pub provisioning_time: Option<SimTime>,
}
