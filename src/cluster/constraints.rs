//! Placement constraints a pod carries besides its requests, tolerations and
//! node selector: topology spread, anti-affinity between the pods of its
//! owner, and whether it may preempt lower-priority pods.
//!
//! In Kubernetes both spread and anti-affinity name a label selector; podsim
//! always selects the pods of the same owner (the replicas of a service, the
//! pods of a job), which is how they are used almost everywhere.

use std::fmt;

/// The node label a constraint groups nodes by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TopologyKey {
    /// `topology.kubernetes.io/zone`: one domain per zone.
    Zone,
    /// `kubernetes.io/hostname`: one domain per node.
    Node,
}

impl TopologyKey {
    /// The spellings a scenario accepts.
    pub const NAMES: &'static [&'static str] = &[
        "zone",
        "node",
        "topology.kubernetes.io/zone",
        "kubernetes.io/hostname",
    ];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "zone" | "topology.kubernetes.io/zone" => Some(Self::Zone),
            "node" | "hostname" | "kubernetes.io/hostname" => Some(Self::Node),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Zone => "zone",
            Self::Node => "node",
        }
    }
}

impl fmt::Display for TopologyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One `topologySpreadConstraints` entry whose selector matches the pod's own owner.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpreadConstraint {
    /// Largest allowed difference between a domain's count (after placing
    /// the pod) and the smallest count over eligible domains. At least 1.
    pub max_skew: u32,
    pub key: TopologyKey,
    /// `whenUnsatisfiable: DoNotSchedule` (a filter) rather than
    /// `ScheduleAnyway` (a score).
    pub hard: bool,
    /// `minDomains` (hard constraints only): with fewer eligible domains than
    /// this, the global minimum is taken as 0. Kubernetes' default is 1.
    pub min_domains: u32,
    /// `nodeTaintsPolicy: Honor`: nodes whose NoSchedule/NoExecute taints the
    /// pod does not tolerate (including a NotReady or cordoned node's) are not
    /// eligible domains. Kubernetes' default is `Ignore`.
    pub honor_taints: bool,
}

/// One pod anti-affinity term whose selector matches the pod's own owner:
/// keep the owner's pods apart, one per domain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AntiAffinity {
    pub key: TopologyKey,
    /// `requiredDuringSchedulingIgnoredDuringExecution` (a filter) rather
    /// than `preferred...` (a score with `weight`).
    pub required: bool,
    /// For preferred terms: 1–100.
    pub weight: i64,
}

/// Whether a pod may evict lower-priority pods when it fits nowhere
/// (PriorityClass `preemptionPolicy`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum PreemptionPolicy {
    /// Kubernetes' default.
    #[default]
    PreemptLowerPriority,
    Never,
}

impl PreemptionPolicy {
    pub const NAMES: &'static [&'static str] = &["PreemptLowerPriority", "Never"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "PreemptLowerPriority" => Some(Self::PreemptLowerPriority),
            "Never" => Some(Self::Never),
            _ => None,
        }
    }
}

/// A pod's spread, anti-affinity and preemption settings (empty: none).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Constraints {
    pub spread: Vec<SpreadConstraint>,
    pub anti_affinity: Vec<AntiAffinity>,
    pub preemption: PreemptionPolicy,
}

impl Constraints {
    /// Whether the pod's placement depends on where its owner's other pods are.
    pub fn uses_topology(&self) -> bool {
        !self.spread.is_empty() || !self.anti_affinity.is_empty()
    }

    /// Whether a filter of the pod depends on its owner's other pods, so that
    /// binding or removing one of them can change whether it fits.
    pub fn has_hard_topology(&self) -> bool {
        self.spread.iter().any(|c| c.hard) || self.anti_affinity.iter().any(|a| a.required)
    }

    pub fn has_soft_spread(&self) -> bool {
        self.spread.iter().any(|c| !c.hard)
    }
}
