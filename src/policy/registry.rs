//! Names to constructors: built-in policies and plugins. An unknown name is
//! an error listing the known ones, never a panic.

use super::builtin as policies;
use super::filter::{
    InterPodAffinity, NodeReady, NodeSelector, NodeUnschedulable, PodTopologySpread, ResourcesFit,
    TaintToleration,
};
use super::score::{
    BalancedAllocation, InterPodAffinityScore, LeastAllocated, MostAllocated,
    PodTopologySpreadScore, PreferNoScheduleTaints,
};
use super::{Filter, Profile, ProfileSpec, Scorer};

/// A built-in policy: a name, one line saying what it prefers, and its profile.
pub struct BuiltinPolicy {
    pub name: &'static str,
    pub summary: &'static str,
    pub spec: fn() -> ProfileSpec,
}

const BUILTINS: &[BuiltinPolicy] = &[
    BuiltinPolicy {
        name: "balanced",
        summary: policies::balanced::SUMMARY,
        spec: policies::balanced::spec,
    },
    BuiltinPolicy {
        name: "spread",
        summary: policies::spread::SUMMARY,
        spec: policies::spread::spec,
    },
    BuiltinPolicy {
        name: "binpack",
        summary: policies::binpack::SUMMARY,
        spec: policies::binpack::spec,
    },
    BuiltinPolicy {
        name: "first-fit",
        summary: policies::first_fit::SUMMARY,
        spec: policies::first_fit::spec,
    },
    BuiltinPolicy {
        name: "random",
        summary: policies::random::SUMMARY,
        spec: policies::random::spec,
    },
    BuiltinPolicy {
        name: "round-robin",
        summary: policies::round_robin::SUMMARY,
        spec: policies::round_robin::spec,
    },
];

/// Every built-in policy, in the order `podsim policies` lists them.
pub fn builtins() -> &'static [BuiltinPolicy] {
    BUILTINS
}

pub fn builtin(name: &str) -> Option<&'static BuiltinPolicy> {
    BUILTINS.iter().find(|b| b.name == name)
}

const FILTERS: &[&str] = &[
    "node-unschedulable",
    "node-ready",
    "resources-fit",
    "taint-toleration",
    "node-selector",
    "pod-topology-spread",
    "inter-pod-affinity",
];

const SCORERS: &[&str] = &[
    "least-allocated",
    "most-allocated",
    "balanced-allocation",
    "taint-toleration",
    "pod-topology-spread",
    "inter-pod-affinity",
];

pub fn filter_names() -> &'static [&'static str] {
    FILTERS
}

pub fn scorer_names() -> &'static [&'static str] {
    SCORERS
}

/// The filters every built-in profile runs, in kube-scheduler's order.
pub fn default_filters() -> &'static [&'static str] {
    FILTERS
}

pub fn make_filter(name: &str) -> Option<Box<dyn Filter>> {
    Some(match name {
        "node-unschedulable" => Box::new(NodeUnschedulable),
        "node-ready" => Box::new(NodeReady),
        "resources-fit" => Box::new(ResourcesFit),
        "taint-toleration" => Box::new(TaintToleration),
        "node-selector" => Box::new(NodeSelector),
        "pod-topology-spread" => Box::new(PodTopologySpread),
        "inter-pod-affinity" => Box::new(InterPodAffinity),
        _ => return None,
    })
}

pub fn make_scorer(name: &str) -> Option<Box<dyn Scorer>> {
    Some(match name {
        "least-allocated" => Box::new(LeastAllocated),
        "most-allocated" => Box::new(MostAllocated),
        "balanced-allocation" => Box::new(BalancedAllocation),
        "taint-toleration" => Box::new(PreferNoScheduleTaints),
        "pod-topology-spread" => Box::new(PodTopologySpreadScore),
        "inter-pod-affinity" => Box::new(InterPodAffinityScore),
        _ => return None,
    })
}

/// Whether `name` is a built-in policy or one of the scenario's profiles.
pub fn is_known(name: &str, custom: &[ProfileSpec]) -> bool {
    builtin(name).is_some() || custom.iter().any(|p| p.name == name)
}

/// The message for an unknown policy name, listing the known ones.
pub fn unknown_policy_message(name: &str, custom: &[ProfileSpec]) -> String {
    let mut known: Vec<&str> = BUILTINS.iter().map(|b| b.name).collect();
    known.extend(custom.iter().map(|p| p.name.as_str()));
    format!("unknown policy {name:?} (known: {})", known.join(", "))
}

/// The spec of a built-in policy or a scenario profile.
pub fn spec_of(name: &str, custom: &[ProfileSpec]) -> Result<ProfileSpec, String> {
    if let Some(p) = custom.iter().find(|p| p.name == name) {
        return Ok(p.clone());
    }
    builtin(name)
        .map(|b| (b.spec)())
        .ok_or_else(|| unknown_policy_message(name, custom))
}

/// Builds the profile called `name` (a scenario profile shadows nothing: names are unique).
pub fn resolve(name: &str, custom: &[ProfileSpec]) -> Result<Profile, String> {
    let spec = spec_of(name, custom)?;
    let filters = spec
        .filters
        .iter()
        .map(|f| {
            make_filter(f)
                .ok_or_else(|| format!("unknown filter {f:?} (known: {})", FILTERS.join(", ")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let scorers = spec
        .scorers
        .iter()
        .map(|(s, w)| {
            make_scorer(s)
                .map(|b| (b, *w))
                .ok_or_else(|| format!("unknown scorer {s:?} (known: {})", SCORERS.join(", ")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Profile {
        name: spec.name,
        filters,
        scorers,
        select: spec.select,
        tie_break: spec.tie_break,
        percentage_of_nodes_to_score: spec.percentage_of_nodes_to_score,
        preemption: spec.preemption,
    })
}
