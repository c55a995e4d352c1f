//! The built-in policies, one file each.

pub mod balanced;
pub mod binpack;
pub mod first_fit;
pub mod random;
pub mod round_robin;
pub mod spread;

use super::{default_filters, ProfileSpec, Select, TieBreak};

/// The scorers every best-score built-in adds to its own, with Kubernetes'
/// default weights: they score only pods with soft spread constraints or
/// preferred anti-affinity (and skip all others).
pub(crate) const CONSTRAINT_SCORERS: &[(&str, i64)] =
    &[("pod-topology-spread", 2), ("inter-pod-affinity", 2)];

/// A best-score profile with the default filters and the given scorers.
pub(crate) fn scored(name: &str, description: &str, scorers: &[(&str, i64)]) -> ProfileSpec {
    ProfileSpec {
        name: name.to_string(),
        description: description.to_string(),
        filters: default_filters().iter().map(|s| s.to_string()).collect(),
        scorers: scorers
            .iter()
            .chain(CONSTRAINT_SCORERS)
            .map(|(s, w)| (s.to_string(), *w))
            .collect(),
        select: Select::BestScore,
        tie_break: TieBreak::Random,
        percentage_of_nodes_to_score: 0,
        preemption: true,
    }
}

/// A profile that picks among feasible nodes by a fixed rule, without scoring.
pub(crate) fn unscored(name: &str, description: &str, select: Select) -> ProfileSpec {
    ProfileSpec {
        name: name.to_string(),
        description: description.to_string(),
        filters: default_filters().iter().map(|s| s.to_string()).collect(),
        scorers: Vec::new(),
        select,
        tie_break: TieBreak::LowestIndex,
        percentage_of_nodes_to_score: 100,
        preemption: true,
    }
}
