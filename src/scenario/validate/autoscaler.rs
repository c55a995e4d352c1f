//! Validation of the cluster autoscaler's keys: `[cluster-autoscaler]` and
//! the node-group keys of `[[pools]]`.

use super::{list, Ctx};
use crate::scenario::raw::{RawClusterAutoscaler, RawPool};
use crate::scenario::{ClusterAutoscalerConfig, Expander, NodeGroup, Pool, ScenarioError};
use toml::Spanned;

/// The node-group settings of pool `i`: `Some` when it has a `max-count`.
pub(super) fn node_group(
    cx: &Ctx,
    i: usize,
    p: &RawPool,
) -> Result<Option<NodeGroup>, ScenarioError> {
    let f = |k: &str| format!("pools[{i}].{k}");
    let Some(max) = &p.max_count else {
        let stray = [
            ("min-count", p.min_count.as_ref().map(|v| v.span())),
            (
                "expander-priority",
                p.expander_priority.as_ref().map(|v| v.span()),
            ),
            (
                "provisioning-time",
                p.provisioning_time.as_ref().map(|v| v.span()),
            ),
        ];
        for (key, span) in stray {
            if let Some(span) = span {
                return Err(cx.err(
                    span,
                    f(key),
                    format!("`{key}` applies only to a pool the cluster autoscaler manages: give the pool a `max-count` too"),
                ));
            }
        }
        return Ok(None);
    };
    let (max_v, count) = (*max.get_ref(), *p.count.get_ref());
    if max_v == 0 || max_v > super::MAX_NODES {
        return Err(cx.err(
            max.span(),
            f("max-count"),
            format!("max-count must be from 1 to {}", super::MAX_NODES),
        ));
    }
    let min_v = p.min_count.as_ref().map_or(0, |m| *m.get_ref());
    if min_v > max_v {
        let m = p
            .min_count
            .as_ref()
            .expect("min above max means min was given");
        return Err(cx.err(
            m.span(),
            f("min-count"),
            format!("min-count ({min_v}) is above max-count ({max_v})"),
        ));
    }
    if count < min_v || count > max_v {
        return Err(cx.err(
            p.count.span(),
            f("count"),
            format!("the pool starts with {count} nodes, outside its node group's bounds min-count {min_v} to max-count {max_v}"),
        ));
    }
    let provisioning_time = match &p.provisioning_time {
        Some(d) if d.get_ref().0.as_micros() == 0 => {
            return Err(cx.err(d.span(), f("provisioning-time"), "must be longer than zero"))
        }
        Some(d) => Some(d.get_ref().0),
        None => None,
    };
    Ok(Some(NodeGroup {
        min: min_v,
        max: max_v,
        priority: p.expander_priority.as_ref().map(|v| *v.get_ref()),
        provisioning_time,
    }))
}

/// The `[cluster-autoscaler]` table: `Some` (with defaults for what it leaves
/// out) when some pool is a node group.
pub(super) fn config(
    cx: &Ctx,
    raw: Option<&Spanned<RawClusterAutoscaler>>,
    raw_pools: &[RawPool],
    pools: &[Pool],
) -> Result<Option<ClusterAutoscalerConfig>, ScenarioError> {
    let groups: Vec<usize> = (0..pools.len())
        .filter(|&i| pools[i].node_group.is_some())
        .collect();
    if groups.is_empty() {
        return match raw {
            Some(t) => Err(cx.err(
                t.span(),
                "cluster-autoscaler",
                "no pool is autoscaled: give at least one [[pools]] entry a `max-count` (and a `min-count`, default 0) to make it a node group",
            )),
            None => Ok(None),
        };
    }
    let d = ClusterAutoscalerConfig::default();
    let empty = RawClusterAutoscaler::default();
    let c = raw.map_or(&empty, |t| t.get_ref());
    let f = |k: &str| format!("cluster-autoscaler.{k}");
    let positive = |v: &Option<Spanned<crate::scenario::Dur>>, key: &str, default| match v {
        Some(d) if d.get_ref().0.as_micros() == 0 => {
            Err(cx.err(d.span(), f(key), "must be longer than zero"))
        }
        Some(d) => Ok(d.get_ref().0),
        None => Ok(default),
    };
    let at_least_one = |v: &Option<Spanned<u32>>, key: &str, default: u32| match v {
        Some(n) if *n.get_ref() == 0 => Err(cx.err(n.span(), f(key), "must be at least 1")),
        Some(n) => Ok(*n.get_ref()),
        None => Ok(default),
    };
    let expander = match &c.expander {
        None => d.expander,
        Some(e) => Expander::parse(e.get_ref()).ok_or_else(|| {
            cx.err(
                e.span(),
                f("expander"),
                format!(
                    "unknown expander {:?} (known: {})",
                    e.get_ref(),
                    list(Expander::NAMES)
                ),
            )
        })?,
    };
    let has_priority = |i: usize| {
        pools[i]
            .node_group
            .as_ref()
            .is_some_and(|g| g.priority.is_some())
    };
    if expander == Expander::Priority && !groups.iter().any(|&i| has_priority(i)) {
        let span = c.expander.as_ref().map(|e| e.span());
        let msg =
            "expander = \"priority\" needs an `expander-priority` on at least one autoscaled pool";
        return Err(match span {
            Some(s) => cx.err(s, f("expander"), msg),
            None => cx.err_nowhere(f("expander"), msg),
        });
    }
    if expander != Expander::Priority {
        if let Some(i) = groups.iter().copied().find(|&i| has_priority(i)) {
            let span = raw_pools[i]
                .expander_priority
                .as_ref()
                .expect("has_priority means it was given")
                .span();
            return Err(cx.err(
                span,
                format!("pools[{i}].expander-priority"),
                format!(
                    "`expander-priority` applies only to expander = \"priority\"; the cluster autoscaler uses {:?}",
                    expander.name()
                ),
            ));
        }
    }
    let threshold = match &c.scale_down_utilization_threshold {
        Some(t) if !(t.get_ref().is_finite() && *t.get_ref() > 0.0 && *t.get_ref() <= 1.0) => {
            return Err(cx.err(
                t.span(),
                f("scale-down-utilization-threshold"),
                "must be a share of allocatable above 0 and at most 1 (the default is 0.5)",
            ))
        }
        Some(t) => *t.get_ref(),
        None => d.utilization_threshold,
    };
    Ok(Some(ClusterAutoscalerConfig {
        scan_interval: positive(&c.scan_interval, "scan-interval", d.scan_interval)?,
        expander,
        provisioning_time: positive(
            &c.provisioning_time,
            "provisioning-time",
            d.provisioning_time,
        )?,
        scale_down_enabled: c.scale_down_enabled.unwrap_or(d.scale_down_enabled),
        utilization_threshold: threshold,
        unneeded_time: c
            .scale_down_unneeded_time
            .as_ref()
            .map_or(d.unneeded_time, |v| v.get_ref().0),
        delay_after_add: c
            .scale_down_delay_after_add
            .as_ref()
            .map_or(d.delay_after_add, |v| v.get_ref().0),
        max_nodes_total: c
            .max_nodes_total
            .as_ref()
            .map_or(d.max_nodes_total, |v| *v.get_ref()),
        max_scale_down_parallelism: at_least_one(
            &c.max_scale_down_parallelism,
            "max-scale-down-parallelism",
            d.max_scale_down_parallelism,
        )?,
        max_drain_parallelism: at_least_one(
            &c.max_drain_parallelism,
            "max-drain-parallelism",
            d.max_drain_parallelism,
        )?,
        non_empty_candidates: at_least_one(
            &c.scale_down_non_empty_candidates_count,
            "scale-down-non-empty-candidates-count",
            d.non_empty_candidates,
        )?,
        expendable_priority_cutoff: c
            .expendable_pods_priority_cutoff
            .as_ref()
            .map_or(d.expendable_priority_cutoff, |v| *v.get_ref()),
        unremovable_recheck: c
            .unremovable_node_recheck_timeout
            .as_ref()
            .map_or(d.unremovable_recheck, |v| v.get_ref().0),
    }))
}
