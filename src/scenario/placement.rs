//! Validation of a workload's placement constraints: `topology-spread`,
//! `anti-affinity` and `preemption-policy`, with Kubernetes' rules and defaults.

// A scenario error is built at most once per file read; its size on the cold path does not matter.
#![allow(clippy::result_large_err)]

use super::raw::{RawAntiAffinity, RawSpread};
use super::validate::Ctx;
use super::ScenarioError;
use crate::cluster::{AntiAffinity, Constraints, PreemptionPolicy, SpreadConstraint, TopologyKey};
use toml::Spanned;

const WHEN: &[&str] = &["DoNotSchedule", "ScheduleAnyway"];
const POLICIES: &[&str] = &["Ignore", "Honor"];
const TYPES: &[&str] = &["required", "preferred"];

fn key(cx: &Ctx, s: &Spanned<String>, field: String) -> Result<TopologyKey, ScenarioError> {
    TopologyKey::parse(s.get_ref()).ok_or_else(|| {
        cx.err(
            s.span(),
            field,
            format!(
                "unknown topology key {:?} (known: {})",
                s.get_ref(),
                TopologyKey::NAMES.join(", ")
            ),
        )
    })
}

/// Checks and builds the constraints of `services[i]` or `jobs[i]` (`at`).
pub(super) fn constraints(
    cx: &Ctx,
    at: &str,
    spread: &[RawSpread],
    anti: &[RawAntiAffinity],
    preemption: Option<&Spanned<String>>,
) -> Result<Constraints, ScenarioError> {
    let mut out = Constraints::default();
    for (k, c) in spread.iter().enumerate() {
        let f = |x: &str| format!("{at}.topology-spread[{k}].{x}");
        let max_skew = *c.max_skew.get_ref();
        if !(1..=i32::MAX as i64).contains(&max_skew) {
            return Err(cx.err(
                c.max_skew.span(),
                f("max-skew"),
                "max-skew must be at least 1",
            ));
        }
        let key = key(cx, &c.topology_key, f("topology-key"))?;
        let hard = match c.when_unsatisfiable.get_ref().as_str() {
            "DoNotSchedule" => true,
            "ScheduleAnyway" => false,
            other => {
                return Err(cx.err(
                    c.when_unsatisfiable.span(),
                    f("when-unsatisfiable"),
                    format!("unknown value {other:?} (one of {})", WHEN.join(", ")),
                ))
            }
        };
        let min_domains = match &c.min_domains {
            None => 1,
            Some(m) if !hard => {
                return Err(cx.err(
                    m.span(),
                    f("min-domains"),
                    "min-domains applies only to when-unsatisfiable = \"DoNotSchedule\" (as in Kubernetes)",
                ))
            }
            Some(m) if !(1..=i32::MAX as i64).contains(m.get_ref()) => {
                return Err(cx.err(m.span(), f("min-domains"), "min-domains must be at least 1"))
            }
            Some(m) => *m.get_ref() as u32,
        };
        let honor_taints = match &c.node_taints_policy {
            None => false,
            Some(p) => match p.get_ref().as_str() {
                "Ignore" => false,
                "Honor" => true,
                other => {
                    return Err(cx.err(
                        p.span(),
                        f("node-taints-policy"),
                        format!("unknown policy {other:?} (one of {})", POLICIES.join(", ")),
                    ))
                }
            },
        };
        if out.spread.iter().any(|x| x.key == key && x.hard == hard) {
            return Err(cx.err(
                c.topology_key.span(),
                f("topology-key"),
                format!(
                    "a second constraint on {key} with when-unsatisfiable = {:?}; Kubernetes allows one per pair",
                    c.when_unsatisfiable.get_ref()
                ),
            ));
        }
        out.spread.push(SpreadConstraint {
            max_skew: max_skew as u32,
            key,
            hard,
            min_domains,
            honor_taints,
        });
    }
    for (k, a) in anti.iter().enumerate() {
        let f = |x: &str| format!("{at}.anti-affinity[{k}].{x}");
        let key = key(cx, &a.topology_key, f("topology-key"))?;
        let required = match a.kind.get_ref().as_str() {
            "required" => true,
            "preferred" => false,
            other => {
                return Err(cx.err(
                    a.kind.span(),
                    f("type"),
                    format!("unknown type {other:?} (one of {})", TYPES.join(", ")),
                ))
            }
        };
        let weight = match (&a.weight, required) {
            (Some(w), true) => {
                return Err(cx.err(
                    w.span(),
                    f("weight"),
                    "a required term has no weight; weight applies to type = \"preferred\"",
                ))
            }
            (None, true) => 0,
            (None, false) => {
                return Err(cx.err(
                    a.kind.span(),
                    f("weight"),
                    "a preferred term needs a weight from 1 to 100",
                ))
            }
            (Some(w), false) if !(1..=100).contains(w.get_ref()) => {
                return Err(cx.err(w.span(), f("weight"), "a weight must be from 1 to 100"))
            }
            (Some(w), false) => *w.get_ref(),
        };
        out.anti_affinity.push(AntiAffinity {
            key,
            required,
            weight,
        });
    }
    if let Some(p) = preemption {
        out.preemption = PreemptionPolicy::parse(p.get_ref()).ok_or_else(|| {
            cx.err(
                p.span(),
                format!("{at}.preemption-policy"),
                format!(
                    "unknown preemption policy {:?} (one of {})",
                    p.get_ref(),
                    PreemptionPolicy::NAMES.join(", ")
                ),
            )
        })?;
    }
    Ok(out)
}
