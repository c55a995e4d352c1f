//! Validation of `[[failures]]` tables, failure-plan files, and the
//! disruption actions of `[[events]]` (`partition-node`, `partition-zone`,
//! `resize-node`, `resize-pool`, `rolling-drain`).

use super::{dist_at, list, Ctx};
use crate::cluster::Resources;
use crate::engine::SimTime;
use crate::scenario::failure::{parse_plan_time, Batch, RawFailure};
use crate::scenario::raw::{RawDist, RawEvent};
use crate::scenario::{
    Action, DurationDist, FailureModel, FailurePlan, FailureTarget, PlannedFailure, Pool,
    ScenarioError, ScenarioEvent, TraceSpec,
};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use toml::Spanned;

/// The keys each disruption action takes, or `None` for another action.
pub(super) fn keys(action: &str) -> Option<&'static [&'static str]> {
    Some(match action {
        "partition-node" => &["node", "duration"],
        "partition-zone" => &["zone", "duration"],
        "resize-node" => &["node", "cpu", "memory", "duration"],
        "resize-pool" => &["pool", "cpu", "memory", "duration"],
        "rolling-drain" => &["pool", "batch", "pause", "duration"],
        _ => return None,
    })
}

/// Builds a disruption action of event `i`. `node` and `zone` check the
/// event's node or zone against the cluster at the event's time;
/// `duration` is the event's duration, already checked to be above zero.
#[allow(clippy::too_many_arguments)]
pub(super) fn action(
    cx: &Ctx,
    e: &RawEvent,
    i: usize,
    pools: &[Pool],
    duration: Option<SimTime>,
    node: &dyn Fn() -> Result<String, ScenarioError>,
    zone: &dyn Fn() -> Result<String, ScenarioError>,
) -> Result<Action, ScenarioError> {
    let action = e.action.get_ref().as_str();
    let allowed = keys(action).unwrap_or(&[]);
    let f = |k: &str| format!("events[{i}].{k}");
    let need = |k: &str| {
        cx.err(
            e.action.span(),
            f(k),
            format!(
                "action {action:?} needs `{k}` (it takes {})",
                allowed.join(", ")
            ),
        )
    };
    let pool = || -> Result<usize, ScenarioError> {
        let p = e.pool.as_ref().ok_or_else(|| need("pool"))?;
        pools
            .iter()
            .position(|x| x.name == *p.get_ref())
            .ok_or_else(|| {
                cx.err(
                    p.span(),
                    f("pool"),
                    format!(
                        "no pool named {:?} (pools: {})",
                        p.get_ref(),
                        pools
                            .iter()
                            .map(|x| x.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                )
            })
    };
    // A resize only grows: each resource at least the pool's own.
    let size = |p: &Pool| -> Result<Resources, ScenarioError> {
        let c = e.cpu.as_ref().ok_or_else(|| need("cpu"))?;
        let m = e.memory.as_ref().ok_or_else(|| need("memory"))?;
        let (cpu, mem) = (c.get_ref().0, m.get_ref().0);
        if cpu < p.allocatable.cpu_m {
            return Err(cx.err(
                c.span(),
                f("cpu"),
                format!(
                    "a resize makes nodes bigger (vertical scale-up): {cpu}m is less than pool {:?}'s {}m",
                    p.name, p.allocatable.cpu_m
                ),
            ));
        }
        if mem < p.allocatable.mem {
            return Err(cx.err(
                m.span(),
                f("memory"),
                format!(
                    "a resize makes nodes bigger (vertical scale-up): {mem} bytes is less than pool {:?}'s {} bytes",
                    p.name, p.allocatable.mem
                ),
            ));
        }
        Ok(Resources::new(cpu, mem))
    };
    Ok(match action {
        "partition-node" => Action::PartitionNode {
            node: node()?,
            duration: duration.ok_or_else(|| need("duration"))?,
        },
        "partition-zone" => Action::PartitionZone {
            zone: zone()?,
            duration: duration.ok_or_else(|| need("duration"))?,
        },
        "resize-node" => {
            let name = node()?;
            // Event nodes are always `<pool>-<index>` of a scenario pool.
            let p = name
                .rsplit_once('-')
                .and_then(|(p, _)| pools.iter().find(|x| x.name == p))
                .ok_or_else(|| need("node"))?;
            Action::ResizeNode {
                allocatable: size(p)?,
                node: name,
                downtime: duration.ok_or_else(|| need("duration"))?,
            }
        }
        "resize-pool" => {
            let p = pool()?;
            Action::ResizePool {
                pool: p,
                allocatable: size(&pools[p])?,
                downtime: duration.ok_or_else(|| need("duration"))?,
            }
        }
        _ => Action::RollingDrain {
            pool: pool()?,
            batch: e.batch.as_ref().map_or(Batch::Nodes(1), |b| *b.get_ref()),
            pause: e.pause.as_ref().map_or(SimTime::ZERO, |p| p.get_ref().0),
            duration: duration.unwrap_or(SimTime::ZERO),
        },
    })
}

/// Validates every `[[failures]]` table.
#[allow(clippy::too_many_arguments)]
pub(super) fn failures(
    cx: &Ctx,
    raw: &[RawFailure],
    pools: &[Pool],
    events: &[ScenarioEvent],
    traces: &[TraceSpec],
    horizon: SimTime,
    seed: u64,
) -> Result<Vec<FailureModel>, ScenarioError> {
    let mut known_zones: BTreeSet<String> = pools.iter().flat_map(|p| p.zones.clone()).collect();
    for t in traces.iter().filter(|t| t.build_cluster) {
        known_zones.extend(t.zones.iter().cloned());
    }
    let trace_nodes = traces.iter().any(|t| t.build_cluster);
    // Which `nodes` model covers each pool, and which `zones` model each zone.
    let mut pool_owner: BTreeMap<usize, usize> = BTreeMap::new();
    let mut all_nodes_owner: Option<usize> = None;
    let mut zone_owner: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = Vec::new();
    for (i, r) in raw.iter().enumerate() {
        let f = |k: &str| format!("failures[{i}].{k}");
        let model = r.model.get_ref().as_str();
        let (wants, optional): (&[&str], &[&str]) = match model {
            "nodes" => (&["time-between-failures", "time-to-repair"], &["pools"]),
            "zones" => (&["time-between-failures", "time-to-repair"], &["zones"]),
            "plan" => (&["file"], &[]),
            other => {
                return Err(cx.err(
                    r.model.span(),
                    f("model"),
                    format!(
                        "unknown failure model {other:?} (known: {})",
                        list(FailureModel::NAMES)
                    ),
                ))
            }
        };
        let takes = || {
            wants
                .iter()
                .map(|k| k.to_string())
                .chain(optional.iter().map(|k| format!("optional {k}")))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let present: [(&str, Option<Range<usize>>); 5] = [
            ("pools", r.pools.as_ref().map(|x| x.span())),
            ("zones", r.zones.as_ref().map(|x| x.span())),
            (
                "time-between-failures",
                r.time_between_failures.as_ref().map(|x| x.span()),
            ),
            (
                "time-to-repair",
                r.time_to_repair.as_ref().map(|x| x.span()),
            ),
            ("file", r.file.as_ref().map(|x| x.span())),
        ];
        for (k, span) in &present {
            match span {
                Some(span) if !wants.contains(k) && !optional.contains(k) => {
                    return Err(cx.err(
                        span.clone(),
                        f(k),
                        format!(
                            "`{k}` does not apply to model {model:?} (it takes {})",
                            takes()
                        ),
                    ))
                }
                None if wants.contains(k) => {
                    return Err(cx.err(
                        r.model.span(),
                        f(k),
                        format!("model {model:?} needs `{k}` (it takes {})", takes()),
                    ))
                }
                _ => {}
            }
        }
        let clock = |d: &Option<Spanned<RawDist>>,
                     key: &str|
         -> Result<DurationDist, ScenarioError> {
            let Some(d) = d else {
                return Err(cx.err_nowhere(f(key), "missing"));
            };
            let prefix = f(key);
            let dist = dist_at(cx, &prefix, d, seed, &format!("failures/{i}/{key}"))?;
            let bad = |k: &str, why: &str| {
                Err(cx.err(d.span(), format!("{prefix}.{k}"), why.to_string()))
            };
            match dist {
                DurationDist::Empirical(_) => bad(
                    "dist",
                    "an empirical distribution resamples a trace's pod run times; give failure times as exponential, weibull, lognormal, constant, uniform or pareto",
                ),
                DurationDist::Constant { value } if value <= 0.0 => {
                    bad("value", "must be longer than zero")
                }
                DurationDist::Uniform { max, .. } if max <= 0.0 => {
                    bad("max", "must be longer than zero")
                }
                d => Ok(d),
            }
        };
        let m = match model {
            "nodes" => {
                let chosen = match &r.pools {
                    None => None,
                    Some(list) => {
                        if list.get_ref().is_empty() {
                            return Err(cx.err(
                                list.span(),
                                f("pools"),
                                "an empty list; leave `pools` out to fail every node of the cluster",
                            ));
                        }
                        let mut v = Vec::new();
                        for (k, name) in list.get_ref().iter().enumerate() {
                            let p = pools
                                .iter()
                                .position(|x| x.name == *name.get_ref())
                                .ok_or_else(|| {
                                    cx.err(
                                        name.span(),
                                        format!("failures[{i}].pools[{k}]"),
                                        format!(
                                            "no pool named {:?} (pools: {})",
                                            name.get_ref(),
                                            pools
                                                .iter()
                                                .map(|x| x.name.as_str())
                                                .collect::<Vec<_>>()
                                                .join(", ")
                                        ),
                                    )
                                })?;
                            if v.contains(&p) {
                                return Err(cx.err(
                                    name.span(),
                                    format!("failures[{i}].pools[{k}]"),
                                    format!("pool {:?} is listed twice", name.get_ref()),
                                ));
                            }
                            v.push(p);
                        }
                        Some(v)
                    }
                };
                // One `nodes` model per node, so each node has one clock.
                let span = r.pools.as_ref().map_or(r.model.span(), |p| p.span());
                let clash = |other: usize, what: String| {
                    cx.err(
                        span.clone(),
                        f("pools"),
                        format!(
                            "{what} already fails under failures[{other}]: a node follows one `nodes` model (give each model its own pools)"
                        ),
                    )
                };
                if let Some(other) = all_nodes_owner {
                    return Err(clash(other, "every node".to_string()));
                }
                match &chosen {
                    None => {
                        if let Some((_, other)) = pool_owner.iter().next() {
                            return Err(clash(*other, "some pool".to_string()));
                        }
                        all_nodes_owner = Some(i);
                    }
                    Some(v) => {
                        for p in v {
                            if let Some(other) = pool_owner.insert(*p, i) {
                                return Err(clash(other, format!("pool {:?}", pools[*p].name)));
                            }
                        }
                    }
                }
                FailureModel::Nodes {
                    pools: chosen,
                    between: clock(&r.time_between_failures, "time-between-failures")?,
                    repair: clock(&r.time_to_repair, "time-to-repair")?,
                }
            }
            "zones" => {
                let zones: Vec<String> = match &r.zones {
                    None => known_zones.iter().cloned().collect(),
                    Some(list) => {
                        if list.get_ref().is_empty() {
                            return Err(cx.err(
                                list.span(),
                                f("zones"),
                                "an empty list; leave `zones` out for every zone",
                            ));
                        }
                        let mut v: Vec<String> = Vec::new();
                        for (k, z) in list.get_ref().iter().enumerate() {
                            let field = format!("failures[{i}].zones[{k}]");
                            if !known_zones.contains(z.get_ref()) {
                                return Err(cx.err(
                                    z.span(),
                                    field,
                                    format!(
                                        "no pool has zone {:?} (zones: {})",
                                        z.get_ref(),
                                        known_zones.iter().cloned().collect::<Vec<_>>().join(", ")
                                    ),
                                ));
                            }
                            if v.contains(z.get_ref()) {
                                return Err(cx.err(
                                    z.span(),
                                    field,
                                    format!("zone {:?} is listed twice", z.get_ref()),
                                ));
                            }
                            v.push(z.get_ref().clone());
                        }
                        v
                    }
                };
                let span = r.zones.as_ref().map_or(r.model.span(), |z| z.span());
                for z in &zones {
                    if let Some(other) = zone_owner.insert(z.clone(), i) {
                        return Err(cx.err(
                            span,
                            f("zones"),
                            format!(
                                "zone {z:?} already has outages under failures[{other}]: a zone follows one `zones` model"
                            ),
                        ));
                    }
                }
                FailureModel::Zones {
                    zones,
                    between: clock(&r.time_between_failures, "time-between-failures")?,
                    repair: clock(&r.time_to_repair, "time-to-repair")?,
                }
            }
            _ => {
                let Some(file) = &r.file else {
                    return Err(cx.err_nowhere(f("file"), "missing"));
                };
                let files = crate::workload::trace::expand_paths(&cx.base_dir, file.get_ref())
                    .map_err(|why| {
                        cx.err(
                            file.span(),
                            f("file"),
                            format!("{why} (paths are relative to the scenario's folder)"),
                        )
                    })?;
                let check = PlanCheck {
                    pools,
                    events,
                    zones: &known_zones,
                    trace_nodes,
                };
                let plan = read_plan(&files, horizon, &check)
                    .map_err(|msg| cx.err(file.span(), f("file"), msg))?;
                FailureModel::Plan(plan)
            }
        };
        out.push(m);
    }
    Ok(out)
}

/// What a plan's rows are checked against.
struct PlanCheck<'a> {
    pools: &'a [Pool],
    events: &'a [ScenarioEvent],
    zones: &'a BTreeSet<String>,
    /// A trace builds nodes: names that are not `<pool>-<index>` cannot be
    /// checked before the run.
    trace_nodes: bool,
}

impl PlanCheck<'_> {
    /// Whether node `name` exists at `at`, as the run will see it: created
    /// by its pool or an `add-nodes` at or before `at`, not removed at or
    /// before `at` (scenario events at one instant come before plan rows).
    fn node_at(&self, name: &str, at: SimTime) -> Result<(), String> {
        let parsed = name.rsplit_once('-').and_then(|(pool, idx)| {
            let p = self.pools.iter().position(|x| x.name == pool)?;
            let k: u32 = idx
                .parse()
                .ok()
                .filter(|_| !idx.starts_with('+') && (idx == "0" || !idx.starts_with('0')))?;
            Some((p, k))
        });
        let Some((p, k)) = parsed else {
            if self.trace_nodes {
                return Ok(());
            }
            return Err(format!(
                "no node named {name:?} (nodes are named <pool>-<index>; pools: {})",
                self.pools
                    .iter()
                    .map(|x| x.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        };
        let mut next = self.pools[p].count;
        let mut created = (k < next).then_some(SimTime::ZERO);
        let mut removed = None;
        for e in self.events {
            match &e.action {
                Action::AddNodes { pool, count } if *pool == p => {
                    if created.is_none() && (next..next.saturating_add(*count)).contains(&k) {
                        created = Some(e.at);
                    }
                    next = next.saturating_add(*count);
                }
                Action::RemoveNode { node } if node == name => {
                    removed.get_or_insert(e.at);
                }
                _ => {}
            }
        }
        match (created, removed) {
            (None, _) => Err(format!(
                "no node named {name:?} ever exists (pool {:?} has nodes {}-0 to {}-{})",
                self.pools[p].name,
                self.pools[p].name,
                self.pools[p].name,
                next.saturating_sub(1)
            )),
            (Some(c), _) if c > at => Err(format!(
                "node {name:?} does not exist yet at {at}: the add-nodes event at {c} creates it"
            )),
            (_, Some(r)) if r <= at => Err(format!(
                "node {name:?} was removed at {r}, before this failure at {at}"
            )),
            _ => Ok(()),
        }
    }
}

/// Reads a failure plan: CSV files with a header naming `at`, `duration`
/// and `node` and/or `zone` (other columns are ignored; `#` starts a
/// comment line). Each row fails one node or one zone at `at` for
/// `duration` (empty: for good). A bad row is reported with its file and line.
fn read_plan(
    files: &[std::path::PathBuf],
    horizon: SimTime,
    check: &PlanCheck,
) -> Result<FailurePlan, String> {
    let mut rows = Vec::new();
    let mut after_horizon = 0u64;
    for path in files {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{name}: cannot read the failure plan: {e}"))?;
        // The csv reader's line count and positions do not see the blank
        // and comment lines it skips before a record: count lines from its
        // byte offset, past such lines.
        let lines: Vec<&str> = text.split('\n').collect();
        let starts: Vec<u64> = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i as u64 + 1))
            .collect();
        let line_at = |pos: Option<&csv::Position>| {
            let Some(p) = pos else { return 0 };
            let mut k = starts.partition_point(|&s| s <= p.byte()).max(1) - 1;
            while k + 1 < lines.len() && {
                let l = lines[k].trim();
                l.is_empty() || l.starts_with('#')
            } {
                k += 1;
            }
            k as u64 + 1
        };
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(true)
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .from_reader(text.as_bytes());
        let header = rdr
            .headers()
            .map_err(|e| format!("{name}: cannot read the header: {e}"))?
            .clone();
        let hline = header.position().map_or(1, |p| line_at(Some(p)));
        let col = |c: &str| -> Result<Option<usize>, String> {
            let found: Vec<usize> = (0..header.len()).filter(|&k| &header[k] == c).collect();
            match found.len() {
                0 => Ok(None),
                1 => Ok(Some(found[0])),
                _ => Err(format!(
                    "{name}:{hline}: the header names column `{c}` twice"
                )),
            }
        };
        let cols = || {
            format!(
                "the header must name `at`, `duration` and `node` and/or `zone` (found: {})",
                header.iter().collect::<Vec<_>>().join(",")
            )
        };
        let at_col = col("at")?.ok_or_else(|| format!("{name}:{hline}: {}", cols()))?;
        let dur_col = col("duration")?.ok_or_else(|| format!("{name}:{hline}: {}", cols()))?;
        let (node_col, zone_col) = (col("node")?, col("zone")?);
        if node_col.is_none() && zone_col.is_none() {
            return Err(format!("{name}:{hline}: {}", cols()));
        }
        for rec in rdr.records() {
            let rec = rec.map_err(|e| {
                let line = line_at(e.position());
                let why = match e.kind() {
                    csv::ErrorKind::UnequalLengths {
                        expected_len, len, ..
                    } => format!("the row has {len} fields but the header has {expected_len}"),
                    _ => e.to_string(),
                };
                format!("{name}:{line}: cannot read the row: {why}")
            })?;
            let line = line_at(rec.position());
            let bad = |msg: String| format!("{name}:{line}: {msg}");
            let field = |c: Option<usize>| c.and_then(|c| rec.get(c)).unwrap_or("");
            let at = parse_plan_time(field(Some(at_col)))
                .map_err(|e| bad(format!("column `at`: {e}")))?;
            let duration = match field(Some(dur_col)) {
                "" => None,
                d => {
                    let d =
                        parse_plan_time(d).map_err(|e| bad(format!("column `duration`: {e}")))?;
                    if d == SimTime::ZERO {
                        return Err(bad(
                            "column `duration`: a failure lasts longer than zero (leave it empty for a node that does not come back)".into(),
                        ));
                    }
                    Some(d)
                }
            };
            let target = match (field(node_col), field(zone_col)) {
                ("", "") => {
                    return Err(bad(
                        "the row names neither a node nor a zone: fill exactly one of `node` and `zone`".into(),
                    ))
                }
                (n, "") => FailureTarget::Node(n.to_string()),
                ("", z) => FailureTarget::Zone(z.to_string()),
                _ => {
                    return Err(bad(
                        "the row names both a node and a zone: fill exactly one".into(),
                    ))
                }
            };
            if at > horizon {
                after_horizon += 1;
                continue;
            }
            match &target {
                FailureTarget::Node(n) => check.node_at(n, at).map_err(bad)?,
                FailureTarget::Zone(z) => {
                    if !check.zones.contains(z) {
                        return Err(bad(format!(
                            "no pool has zone {z:?} (zones: {})",
                            check.zones.iter().cloned().collect::<Vec<_>>().join(", ")
                        )));
                    }
                }
            }
            rows.push(PlannedFailure {
                at,
                target,
                duration,
                line,
            });
        }
    }
    rows.sort_by_key(|r| r.at); // stable: file order within a time
    Ok(FailurePlan {
        source: crate::workload::synthetic::describe_files(files),
        rows,
        after_horizon,
    })
}
