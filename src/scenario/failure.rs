//! Failure models of a scenario (`[[failures]]`) and the values of the
//! disruption actions (`partition-node`, `resize-node`, `rolling-drain`, ...):
//! the raw table as written, and the typed, validated forms.
//!
//! Validation is in `validate/failures.rs`; what the control plane does with
//! them is in `docs/failures.md`.

use super::raw::RawDist;
use super::DurationDist;
use crate::engine::SimTime;
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;
use std::fmt;
use toml::Spanned;

/// One `[[failures]]` table exactly as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawFailure {
    pub model: Spanned<String>,
    pub pools: Option<Spanned<Vec<Spanned<String>>>>,
    pub zones: Option<Spanned<Vec<Spanned<String>>>>,
    pub time_between_failures: Option<Spanned<RawDist>>,
    pub time_to_repair: Option<Spanned<RawDist>>,
    pub file: Option<Spanned<String>>,
}

/// A process that fails nodes over the whole run.
#[derive(Clone, Debug, PartialEq)]
pub enum FailureModel {
    /// Every node of the listed pools (every node of the cluster when
    /// `pools` is `None`) runs on its own clock: up for a draw of `between`,
    /// down for a draw of `repair`, and so on, from when it joins.
    Nodes {
        /// Indexes of scenario pools.
        pools: Option<Vec<usize>>,
        between: DurationDist,
        repair: DurationDist,
    },
    /// Each listed zone has outages on its own clock: every node of the zone
    /// fails at once and comes back after a draw of `repair`.
    Zones {
        zones: Vec<String>,
        between: DurationDist,
        repair: DurationDist,
    },
    /// Failures read from a file, replayed at their times.
    Plan(FailurePlan),
}

impl FailureModel {
    /// Every model name the file accepts.
    pub const NAMES: &'static [&'static str] = &["nodes", "zones", "plan"];

    pub fn name(&self) -> &'static str {
        match self {
            FailureModel::Nodes { .. } => "nodes",
            FailureModel::Zones { .. } => "zones",
            FailureModel::Plan(_) => "plan",
        }
    }
}

/// A failure plan read from a CSV file (`at,node,zone,duration`).
#[derive(Clone, Debug, PartialEq)]
pub struct FailurePlan {
    /// The file, for messages.
    pub source: String,
    /// The rows at or before the horizon, in time order (file order within a time).
    pub rows: Vec<PlannedFailure>,
    /// Rows after the horizon, left out.
    pub after_horizon: u64,
}

/// One row of a failure plan.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedFailure {
    pub at: SimTime,
    pub target: FailureTarget,
    /// How long until it comes back; `None`: it stays down.
    pub duration: Option<SimTime>,
    /// The row's line in its file, for messages.
    pub line: u64,
}

/// What a planned failure takes down.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailureTarget {
    Node(String),
    Zone(String),
}

/// How many nodes a rolling drain takes at a time: a count, or a share of
/// the pool (`"25%"`, rounded up, at least one node).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Batch {
    Nodes(u32),
    Percent(u32),
}

impl Batch {
    /// The batch size for a pool of `n` nodes (at least 1).
    pub fn size(self, n: usize) -> usize {
        match self {
            Batch::Nodes(k) => (k as usize).max(1),
            Batch::Percent(p) => (n * p as usize).div_ceil(100).max(1),
        }
    }
}

impl fmt::Display for Batch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Batch::Nodes(k) => write!(f, "{k} node{}", if *k == 1 { "" } else { "s" }),
            Batch::Percent(p) => write!(f, "{p}% of the pool"),
        }
    }
}

impl<'de> Deserialize<'de> for Batch {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Batch;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number of nodes (1, 2, ...) or a share of the pool such as \"25%\"")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Batch, E> {
                if v < 1 || v > u32::MAX as i64 {
                    return Err(E::custom(format!(
                        "invalid batch {v}: at least 1 node (or a share such as \"25%\")"
                    )));
                }
                Ok(Batch::Nodes(v as u32))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Batch, E> {
                let bad = || {
                    E::custom(format!(
                        "invalid batch {v:?}: a whole percentage from \"1%\" to \"100%\", or a number of nodes"
                    ))
                };
                let p: u32 = v
                    .trim()
                    .strip_suffix('%')
                    .ok_or_else(bad)?
                    .trim()
                    .parse()
                    .map_err(|_| bad())?;
                if !(1..=100).contains(&p) {
                    return Err(bad());
                }
                Ok(Batch::Percent(p))
            }
        }
        d.deserialize_any(V)
    }
}

/// Reads a time or duration of a failure plan: a number of seconds
/// (`1800`, `12.5`) or a duration string (`"30m"`, `"1h30m"`).
pub fn parse_plan_time(s: &str) -> Result<SimTime, String> {
    let t = s.trim();
    if t.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && t.chars().all(|c| c.is_ascii_digit() || c == '.')
    {
        let v: f64 = t
            .parse()
            .map_err(|_| format!("{s:?} is not a number of seconds"))?;
        let us = v * 1e6;
        if !us.is_finite() || us >= u64::MAX as f64 {
            return Err(format!("{s:?} is too large"));
        }
        if (us - us.round()).abs() > 1e-3 {
            return Err(format!("{s:?} is finer than a microsecond"));
        }
        return Ok(SimTime(us.round() as u64));
    }
    crate::engine::parse_duration(t).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batches() {
        assert_eq!(Batch::Nodes(2).size(10), 2);
        assert_eq!(Batch::Percent(25).size(10), 3);
        assert_eq!(Batch::Percent(1).size(10), 1);
        assert_eq!(Batch::Percent(100).size(7), 7);
    }

    #[test]
    fn plan_times() {
        assert_eq!(parse_plan_time("1800"), Ok(SimTime::from_secs(1800)));
        assert_eq!(parse_plan_time(" 1.5 "), Ok(SimTime::from_millis(1500)));
        assert_eq!(parse_plan_time("30m"), Ok(SimTime::from_mins(30)));
        assert!(parse_plan_time("-5").is_err());
        assert!(parse_plan_time("5 parsecs").is_err());
        assert!(parse_plan_time("1.2.3").is_err());
    }
}
