//! Validation of `[descheduler]` and of the services' disruption-budget and
//! topology-spread keys.

use super::Ctx;
use crate::engine::SimTime;
use crate::policy::descheduler::{
    DeschedulerSpec, HighNodeUtilizationArgs, LowNodeUtilizationArgs, OwnerKind,
    RemoveDuplicatesArgs, Thresholds, TopologySpreadArgs,
};
use crate::policy::disruption_budget::MinAvailable;
use crate::scenario::raw::{RawDescheduler, RawService, RawThresholds};
use crate::scenario::ScenarioError;
use toml::Spanned;

/// A service's `min-available` and `max-skew`.
pub(super) fn service_keys(
    cx: &Ctx,
    i: usize,
    s: &RawService,
) -> Result<(Option<MinAvailable>, Option<u32>), ScenarioError> {
    let max_skew = match &s.max_skew {
        Some(m) if *m.get_ref() == 0 => {
            return Err(cx.err(
                m.span(),
                format!("services[{i}].max-skew"),
                "max-skew must be at least 1 (the most a zone's pod count may exceed the smallest zone's)",
            ))
        }
        Some(m) => Some(*m.get_ref()),
        None => None,
    };
    Ok((s.min_available.as_ref().map(|m| m.get_ref().0), max_skew))
}

pub(super) fn descheduler(cx: &Ctx, d: &RawDescheduler) -> Result<DeschedulerSpec, ScenarioError> {
    let interval = match &d.interval {
        Some(i) if i.get_ref().0 == SimTime::ZERO => {
            return Err(cx.err(
                i.span(),
                "descheduler.interval",
                "the descheduling interval must be longer than zero",
            ))
        }
        Some(i) => i.get_ref().0,
        None => SimTime::from_mins(5),
    };
    let low_node_utilization = match &d.low_node_utilization {
        None => None,
        Some(l) => {
            let f = "descheduler.low-node-utilization";
            let low = thresholds(cx, &format!("{f}.thresholds"), &l.thresholds)?;
            let target = thresholds(cx, &format!("{f}.target-thresholds"), &l.target_thresholds)?;
            // Upstream: the same resources in both, and no threshold above its target.
            let names = ["cpu", "memory", "pods"];
            let (t, g) = (low.as_array(), target.as_array());
            for r in 0..3 {
                if t[r].is_some() != g[r].is_some() {
                    return Err(cx.err(
                        l.target_thresholds.span(),
                        format!("{f}.target-thresholds"),
                        format!(
                            "thresholds and target-thresholds must give the same resources ({} is in only one of them)",
                            names[r]
                        ),
                    ));
                }
                if let (Some(a), Some(b)) = (t[r], g[r]) {
                    if a > b {
                        return Err(cx.err(
                            l.target_thresholds.span(),
                            format!("{f}.target-thresholds.{}", names[r]),
                            format!(
                                "the {} threshold ({a}) is above its target ({b}): a node cannot be underused and overused at once",
                                names[r]
                            ),
                        ));
                    }
                }
            }
            Some(LowNodeUtilizationArgs {
                thresholds: low,
                target_thresholds: target,
                number_of_nodes: l.number_of_nodes,
            })
        }
    };
    let high_node_utilization = match &d.high_node_utilization {
        None => None,
        Some(h) => Some(HighNodeUtilizationArgs {
            thresholds: thresholds(
                cx,
                "descheduler.high-node-utilization.thresholds",
                &h.thresholds,
            )?,
            number_of_nodes: h.number_of_nodes,
        }),
    };
    let remove_duplicates = match &d.remove_duplicates {
        None => None,
        Some(r) => {
            let mut kinds = Vec::new();
            for (j, k) in r.exclude_owner_kinds.iter().enumerate() {
                let kind = OwnerKind::parse(k.get_ref()).ok_or_else(|| {
                    cx.err(
                        k.span(),
                        format!("descheduler.remove-duplicates.exclude-owner-kinds[{j}]"),
                        format!(
                            "unknown owner kind {:?} (kinds: {}; services are ReplicaSets, jobs are Jobs)",
                            k.get_ref(),
                            OwnerKind::NAMES.join(", ")
                        ),
                    )
                })?;
                kinds.push(kind);
            }
            Some(RemoveDuplicatesArgs {
                exclude_owner_kinds: kinds,
            })
        }
    };
    let spec = DeschedulerSpec {
        interval,
        max_pods_to_evict_per_node: d.max_pods_to_evict_per_node,
        max_pods_to_evict_total: d.max_pods_to_evict_total,
        priority_threshold: d.priority_threshold,
        remove_duplicates,
        low_node_utilization,
        high_node_utilization,
        topology_spread: d
            .remove_pods_violating_topology_spread_constraint
            .as_ref()
            .map(|_| TopologySpreadArgs {}),
    };
    if spec.strategies().is_empty() {
        return Err(cx.err_nowhere(
            "descheduler",
            "the descheduler has no strategy: add one or more of [descheduler.low-node-utilization], [descheduler.high-node-utilization], [descheduler.remove-duplicates], [descheduler.remove-pods-violating-topology-spread-constraint]",
        ));
    }
    Ok(spec)
}

/// A thresholds table: at least one resource, each from 0 to 100.
fn thresholds(
    cx: &Ctx,
    field: &str,
    t: &Spanned<RawThresholds>,
) -> Result<Thresholds, ScenarioError> {
    let raw = t.get_ref();
    let mut out = Thresholds::default();
    for (name, value, slot) in [
        ("cpu", &raw.cpu, &mut out.cpu),
        ("memory", &raw.memory, &mut out.memory),
        ("pods", &raw.pods, &mut out.pods),
    ] {
        if let Some(v) = value {
            let p = *v.get_ref();
            if !(p.is_finite() && (0.0..=100.0).contains(&p)) {
                return Err(cx.err(
                    v.span(),
                    format!("{field}.{name}"),
                    format!("{p} is not a percentage of allocatable: give a number from 0 to 100"),
                ));
            }
            *slot = Some(p);
        }
    }
    if out.is_empty() {
        return Err(cx.err(
            t.span(),
            field,
            "no resource threshold is configured: give at least one of cpu, memory, pods, e.g. { cpu = 20, memory = 20, pods = 20 }",
        ));
    }
    Ok(out)
}
