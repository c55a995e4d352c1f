//! From raw TOML structs to a typed, consistent [`Scenario`].

use super::error;
use super::raw::*;
use super::*;
use crate::cluster::{parse_taint, parse_toleration};
use crate::policy::{self, ProfileSpec, Select, TieBreak};
use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use toml::Spanned;

mod autoscaler;
mod descheduler;
mod failures;
mod hpa;

pub(super) struct Ctx<'a> {
    file: &'a str,
    text: &'a str,
    /// Relative paths in the file are resolved against this folder.
    base_dir: PathBuf,
}

impl Ctx<'_> {
    pub(super) fn err(
        &self,
        span: Range<usize>,
        field: impl Into<String>,
        msg: impl Into<String>,
    ) -> ScenarioError {
        ScenarioError::at(self.file, self.text, Some(span), Some(field.into()), msg)
    }
    fn err_nowhere(&self, field: impl Into<String>, msg: impl Into<String>) -> ScenarioError {
        ScenarioError::at(self.file, self.text, None, Some(field.into()), msg)
    }
}

pub(super) fn parse(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
    if text.trim().is_empty() {
        return Err(ScenarioError::whole_file(
            file,
            "the file is empty: a scenario needs at least `name`, `horizon` and one [[pools]] table",
        ));
    }
    let raw: RawScenario = toml::from_str(text).map_err(|e| {
        let msg = e.message().trim().to_string();
        // A missing key is reported at its table's header: name the key in the path.
        let missing = msg
            .strip_prefix("missing field `")
            .and_then(|r| r.split('`').next())
            .map(str::to_string);
        let field = missing.as_ref().map(|key| {
            // Reported at its table's header, or at an inline table's brace.
            let start = e.span().map(|sp| sp.start);
            let inline = start.and_then(|s| error::inline_path_at(text, s, true));
            let key = match inline {
                Some(inline) => format!("{inline}.{key}"),
                None => key.clone(),
            };
            match start.and_then(|s| error::table_path_at(text, s)) {
                Some(table) => format!("{table}.{key}"),
                None => key,
            }
        });
        ScenarioError::at(file, text, e.span(), field, msg)
    })?;
    let base_dir = Path::new(file)
        .parent()
        .filter(|p| !p.as_os_str().is_empty() && p.is_dir())
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
    let cx = Ctx {
        file,
        text,
        base_dir,
    };
    build(&cx, raw, text)
}

/// The most nodes one pool or one add-nodes event may declare; far above any
/// real cluster, low enough that a typo cannot exhaust memory.
const MAX_NODES: u32 = 1_000_000;

/// Names that become folder names (scenario, profiles) must be safe as one:
/// letters, digits, '-', '_' and '.', starting with a letter or digit.
fn is_folder_name(s: &str) -> bool {
    s.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
}

fn secs(t: SimTime) -> f64 {
    t.as_secs_f64()
}

fn list(names: &[&str]) -> String {
    names.join(", ")
}

fn build(cx: &Ctx, raw: RawScenario, text: &str) -> Result<Scenario, ScenarioError> {
    let name = raw.name.get_ref().clone();
    if !is_folder_name(&name) {
        return Err(cx.err(
            raw.name.span(),
            "name",
            "a scenario name must start with a letter or digit and use only letters, digits, '-', '_' and '.' (it names the output folder)",
        ));
    }
    let horizon = raw.horizon.get_ref().0;
    if horizon == SimTime::ZERO {
        return Err(cx.err(
            raw.horizon.span(),
            "horizon",
            "the horizon must be longer than zero",
        ));
    }
    let sample_every = match &raw.sample_every {
        Some(s) if s.get_ref().0 == SimTime::ZERO => {
            return Err(cx.err(s.span(), "sample-every", "must be longer than zero"))
        }
        Some(s) => s.get_ref().0,
        None => SimTime::from_mins(1),
    };

    let control = {
        let d = ControlPlaneConfig::default();
        let c = raw.control_plane.unwrap_or_default();
        let cfg = ControlPlaneConfig {
            node_monitor_grace: c.node_monitor_grace.map_or(d.node_monitor_grace, |v| v.0),
            eviction_timeout: c.eviction_timeout.map_or(d.eviction_timeout, |v| v.0),
            termination_grace: c.termination_grace.map_or(d.termination_grace, |v| v.0),
            job_backoff_base: c.job_backoff_base.map_or(d.job_backoff_base, |v| v.0),
            job_backoff_max: c
                .job_backoff_max
                .as_ref()
                .map_or(d.job_backoff_max, |v| v.get_ref().0),
            job_backoff_limit: c.job_backoff_limit.unwrap_or(d.job_backoff_limit),
            hpa_sync_period: hpa::sync_period(cx, &c, d.hpa_sync_period)?,
            hpa_tolerance: hpa::tolerance(cx, &c, d.hpa_tolerance)?,
            pod_max_in_unschedulable: match &c.pod_max_in_unschedulable {
                Some(v) if v.get_ref().0 == SimTime::ZERO => {
                    return Err(cx.err(
                        v.span(),
                        "control-plane.pod-max-in-unschedulable",
                        "must be longer than zero",
                    ))
                }
                Some(v) => v.get_ref().0,
                None => d.pod_max_in_unschedulable,
            },
        };
        if cfg.job_backoff_max < cfg.job_backoff_base {
            let msg = "must be at least job-backoff-base";
            return Err(match &c.job_backoff_max {
                Some(m) => cx.err(m.span(), "control-plane.job-backoff-max", msg),
                None => cx.err_nowhere("control-plane.job-backoff-max", msg),
            });
        }
        cfg
    };

    // Pools.
    let traces = traces(cx, &raw.traces)?;
    let trace_builds_nodes = traces.iter().any(|t| t.build_cluster);
    if raw.pools.is_empty() && !trace_builds_nodes {
        return Err(cx.err_nowhere(
            "pools",
            "the scenario has no [[pools]] and no trace that builds nodes: a cluster needs at least one node",
        ));
    }
    let mut pools = Vec::new();
    let mut pool_names = BTreeSet::new();
    for (i, p) in raw.pools.iter().enumerate() {
        let f = |k: &str| format!("pools[{i}].{k}");
        let pname = p.name.get_ref().clone();
        if pname.is_empty() || pname.contains(char::is_whitespace) || pname.contains(',') {
            return Err(cx.err(
                p.name.span(),
                f("name"),
                "a pool name must be non-empty, with no spaces or commas",
            ));
        }
        if *p.count.get_ref() > MAX_NODES {
            return Err(cx.err(
                p.count.span(),
                f("count"),
                format!("at most {MAX_NODES} nodes per pool"),
            ));
        }
        if !pool_names.insert(pname.clone()) {
            return Err(cx.err(
                p.name.span(),
                f("name"),
                format!("a pool named {pname:?} already exists"),
            ));
        }
        if p.cpu.get_ref().0 == 0 {
            return Err(cx.err(p.cpu.span(), f("cpu"), "a node needs more than zero CPU"));
        }
        if p.memory.get_ref().0 == 0 {
            return Err(cx.err(
                p.memory.span(),
                f("memory"),
                "a node needs more than zero memory",
            ));
        }
        let zones = match &p.zones {
            Some(z)
                if z.get_ref().is_empty()
                    || z.get_ref()
                        .iter()
                        .any(|s| s.is_empty() || s.contains(char::is_whitespace)) =>
            {
                return Err(cx.err(
                    z.span(),
                    f("zones"),
                    "zones must be a non-empty list of non-empty names",
                ))
            }
            Some(z) => z.get_ref().clone(),
            None => vec!["default".to_string()],
        };
        let max_pods = match &p.max_pods {
            Some(m) if *m.get_ref() == 0 => {
                return Err(cx.err(m.span(), f("max-pods"), "max-pods must be at least 1"))
            }
            Some(m) => *m.get_ref(),
            None => 110,
        };
        let cost_per_hour = match &p.cost_per_hour {
            Some(c) if !(c.get_ref().is_finite() && *c.get_ref() >= 0.0) => {
                return Err(cx.err(
                    c.span(),
                    f("cost-per-hour"),
                    "must be a non-negative number",
                ))
            }
            Some(c) => *c.get_ref(),
            None => 0.0,
        };
        let mut taints = Vec::new();
        for (j, t) in p.taints.iter().enumerate() {
            taints.push(
                parse_taint(t.get_ref())
                    .map_err(|m| cx.err(t.span(), format!("pools[{i}].taints[{j}]"), m))?,
            );
        }
        pools.push(Pool {
            name: pname,
            count: *p.count.get_ref(),
            allocatable: Resources::new(p.cpu.get_ref().0, p.memory.get_ref().0),
            zones,
            max_pods,
            cost_per_hour,
            labels: p.labels.clone(),
            taints,
            node_group: autoscaler::node_group(cx, i, p)?,
        });
    }
    let autoscaled = pools.iter().any(|p| p.node_group.is_some());
    if !trace_builds_nodes && pools.iter().all(|p| p.count == 0) && !autoscaled {
        let span = raw.pools[0].count.span();
        return Err(cx.err(
            span,
            "pools[0].count",
            "the cluster starts with zero nodes: give at least one pool a count of 1 or more",
        ));
    }

    // Workloads.
    let mut owner_names = BTreeSet::new();
    let template = |kind: &str,
                    i: usize,
                    requests: Resources,
                    priority: i32,
                    startup: Option<Dur>,
                    tolerations: &[Spanned<String>],
                    node_selector: &BTreeMap<String, String>|
     -> Result<PodTemplate, ScenarioError> {
        let mut tols = Vec::new();
        for (j, t) in tolerations.iter().enumerate() {
            tols.push(
                parse_toleration(t.get_ref())
                    .map_err(|m| cx.err(t.span(), format!("{kind}[{i}].tolerations[{j}]"), m))?,
            );
        }
        Ok(PodTemplate {
            requests,
            priority,
            startup: startup.map_or(SimTime::ZERO, |d| d.0),
            tolerations: tols,
            node_selector: node_selector.clone(),
            constraints: Default::default(),
        })
    };
    let mut check_owner = |n: &Spanned<String>, field: String| -> Result<String, ScenarioError> {
        let s = n.get_ref().clone();
        if s.is_empty() || s.contains(char::is_whitespace) || s.contains(',') {
            return Err(cx.err(
                n.span(),
                field,
                "a name must be non-empty, with no spaces or commas",
            ));
        }
        if !owner_names.insert(s.clone()) {
            return Err(cx.err(
                n.span(),
                field,
                format!("a service or job named {s:?} already exists"),
            ));
        }
        Ok(s)
    };
    let mut services = Vec::new();
    for (i, s) in raw.services.iter().enumerate() {
        let name = check_owner(&s.name, format!("services[{i}].name"))?;
        let (min_available, max_skew) = descheduler::service_keys(cx, i, s)?;
        let mut template = template(
            "services",
            i,
            Resources::new(s.cpu.0, s.memory.0),
            s.priority,
            s.startup,
            &s.tolerations,
            &s.node_selector,
        )?;
        template.constraints = super::placement::constraints(
            cx,
            &format!("services[{i}]"),
            &s.topology_spread,
            &s.anti_affinity,
            s.preemption_policy.as_ref(),
        )?;
        services.push(Service {
            name,
            replicas: s.replicas,
            template,
            load: hpa::load(cx, i, s.load.as_ref())?,
            hpa: hpa::hpa(cx, i, s)?,
            min_available,
            max_skew,
        });
    }
    let seed = raw.seed.unwrap_or(1);
    let mut jobs = Vec::new();
    for (i, j) in raw.jobs.iter().enumerate() {
        let name = check_owner(&j.name, format!("jobs[{i}].name"))?;
        let arrival = arrival(cx, i, &j.arrival)?;
        let duration = dist(cx, i, &j.duration, seed, &name)?;
        let sizes = sizes(cx, i, j)?;
        let mut template = template(
            "jobs",
            i,
            sizes[0].requests,
            j.priority,
            j.startup,
            &j.tolerations,
            &j.node_selector,
        )?;
        template.constraints = super::placement::constraints(
            cx,
            &format!("jobs[{i}]"),
            &j.topology_spread,
            &j.anti_affinity,
            j.preemption_policy.as_ref(),
        )?;
        jobs.push(Job {
            name,
            count: j.count,
            template,
            arrival,
            duration,
            sizes,
        });
    }

    // Profiles and policies.
    let mut profiles = Vec::new();
    for (i, p) in raw.profiles.iter().enumerate() {
        profiles.push(profile(cx, i, p, &profiles)?);
    }
    let policies = match &raw.policies {
        None => vec!["balanced".to_string()],
        Some(list) if list.get_ref().is_empty() => {
            return Err(cx.err(
                list.span(),
                "policies",
                "the list of policies is empty; leave it out to use \"balanced\"",
            ))
        }
        Some(list) => {
            let mut out: Vec<String> = Vec::new();
            for (i, p) in list.get_ref().iter().enumerate() {
                let n = p.get_ref().clone();
                if !policy::is_known(&n, &profiles) {
                    return Err(cx.err(
                        p.span(),
                        format!("policies[{i}]"),
                        policy::unknown_policy_message(&n, &profiles),
                    ));
                }
                if out.contains(&n) {
                    return Err(cx.err(
                        p.span(),
                        format!("policies[{i}]"),
                        format!("policy {n:?} is listed twice"),
                    ));
                }
                out.push(n);
            }
            out
        }
    };

    let events = events(cx, &raw.events, horizon, &pools, &services)?;
    let descheduler = raw
        .descheduler
        .as_ref()
        .map(|d| descheduler::descheduler(cx, d))
        .transpose()?;
    let failures = failures::failures(cx, &raw.failures, &pools, &events, &traces, horizon, seed)?;
    let cluster_autoscaler =
        autoscaler::config(cx, raw.cluster_autoscaler.as_ref(), &raw.pools, &pools)?;

    Ok(Scenario {
        name,
        description: raw.description.trim().to_string(),
        seed,
        horizon,
        sample_every,
        policies,
        control,
        pools,
        services,
        jobs,
        events,
        profiles,
        traces,
        base_dir: cx.base_dir.clone(),
        source: cx.file.to_string(),
        text: text.to_string(),
        descheduler,
        failures,
        cluster_autoscaler,
    })
}

fn traces(cx: &Ctx, raw: &[RawTrace]) -> Result<Vec<TraceSpec>, ScenarioError> {
    use crate::workload::trace::{expand_paths, ReplayOptions, Scales, TraceFiles, TraceFormat};
    let mut out: Vec<TraceSpec> = Vec::new();
    for (i, t) in raw.iter().enumerate() {
        let f = |k: &str| format!("traces[{i}].{k}");
        let format = TraceFormat::parse(t.format.get_ref()).ok_or_else(|| {
            cx.err(
                t.format.span(),
                f("format"),
                format!(
                    "unknown trace format {:?} (known: {})",
                    t.format.get_ref(),
                    list(TraceFormat::NAMES)
                ),
            )
        })?;
        let name = match &t.name {
            Some(n) => {
                if !is_folder_name(n.get_ref()) {
                    return Err(cx.err(
                        n.span(),
                        f("name"),
                        "a trace name must start with a letter or digit and use only letters, digits, '-', '_' and '.'",
                    ));
                }
                n.get_ref().clone()
            }
            None => format.name().to_string(),
        };
        if out.iter().any(|o| o.name == name) {
            let span = t.name.as_ref().map_or(t.format.span(), |n| n.span());
            return Err(cx.err(
                span,
                f("name"),
                format!("two traces are named {name:?}; give each a distinct `name`"),
            ));
        }
        let files_of = |v: &Option<Spanned<String>>,
                        key: &str|
         -> Result<Vec<PathBuf>, ScenarioError> {
            match v {
                None => Ok(Vec::new()),
                Some(p) => expand_paths(&cx.base_dir, p.get_ref()).map_err(|why| {
                    cx.err(
                        p.span(),
                        f(key),
                        format!(
                            "{why} (paths are relative to the scenario's folder; docs/traces.md says where to download the {} trace)",
                            format.name()
                        ),
                    )
                }),
            }
        };
        let files = TraceFiles {
            pods: files_of(&t.pods, "pods")?,
            nodes: files_of(&t.nodes, "nodes")?,
        };
        if files.pods.is_empty() && files.nodes.is_empty() {
            return Err(cx.err(
                t.format.span(),
                f("pods"),
                "a trace needs `pods`, `nodes` or both",
            ));
        }
        if !files.nodes.is_empty() && !format.has_machines() {
            let span = t.nodes.as_ref().map_or(t.format.span(), |n| n.span());
            return Err(cx.err(
                span,
                f("nodes"),
                format!("the {} format has no machine file", format.name()),
            ));
        }
        let d = Scales::default();
        let scales = Scales {
            cpu_m: t.cpu_scale.as_ref().map_or(d.cpu_m, |c| c.get_ref().0),
            memory: t.memory_scale.as_ref().map_or(d.memory, |m| m.get_ref().0),
        };
        if let Some(c) = t.cpu_scale.as_ref().filter(|c| c.get_ref().0 == 0) {
            return Err(cx.err(c.span(), f("cpu-scale"), "must be more than zero"));
        }
        if let Some(m) = t.memory_scale.as_ref().filter(|m| m.get_ref().0 == 0) {
            return Err(cx.err(m.span(), f("memory-scale"), "must be more than zero"));
        }
        let from = t.from.as_ref().map_or(SimTime::ZERO, |d| d.get_ref().0);
        let until = t.until.as_ref().map(|d| d.get_ref().0);
        if let (Some(u), Some(span)) = (until, t.until.as_ref().map(|u| u.span())) {
            if u <= from {
                return Err(cx.err(span, f("until"), "`until` must come after `from`"));
            }
        }
        let time_scale = match &t.time_scale {
            Some(k) if !(k.get_ref().is_finite() && *k.get_ref() > 0.0) => {
                return Err(cx.err(
                    k.span(),
                    f("time-scale"),
                    "must be a positive number (0.5 replays twice as fast)",
                ))
            }
            Some(k) => *k.get_ref(),
            None => 1.0,
        };
        let sample_fraction = match &t.sample {
            Some(s) if !(*s.get_ref() > 0.0 && *s.get_ref() <= 1.0) => {
                return Err(cx.err(
                    s.span(),
                    f("sample"),
                    "a fraction of jobs: more than 0, at most 1",
                ))
            }
            Some(s) => Some(*s.get_ref()),
            None => None,
        };
        let every_nth_job = match &t.every_nth_job {
            Some(n) if *n.get_ref() == 0 => {
                return Err(cx.err(n.span(), f("every-nth-job"), "must be at least 1"))
            }
            Some(n) => Some(*n.get_ref()),
            None => None,
        };
        let reorder_window = match &t.reorder_window {
            Some(n) if *n.get_ref() == 0 => {
                return Err(cx.err(n.span(), f("reorder-window"), "must be at least 1"))
            }
            Some(n) => *n.get_ref() as usize,
            None => ReplayOptions::default().reorder_window,
        };
        let build_cluster = t.build_cluster.unwrap_or(!files.nodes.is_empty());
        if build_cluster && files.nodes.is_empty() {
            return Err(cx.err(
                t.format.span(),
                f("build-cluster"),
                "build-cluster needs a `nodes` file",
            ));
        }
        let zones = match &t.zones {
            Some(z)
                if z.get_ref().is_empty()
                    || z.get_ref()
                        .iter()
                        .any(|s| s.is_empty() || s.contains(char::is_whitespace)) =>
            {
                return Err(cx.err(
                    z.span(),
                    f("zones"),
                    "zones must be a non-empty list of names without spaces",
                ))
            }
            Some(z) => z.get_ref().clone(),
            None => vec!["default".to_string()],
        };
        let max_pods = match &t.max_pods {
            Some(m) if *m.get_ref() == 0 => {
                return Err(cx.err(m.span(), f("max-pods"), "max-pods must be at least 1"))
            }
            Some(m) => *m.get_ref(),
            None => 110,
        };
        let cost_per_hour = match &t.cost_per_hour {
            Some(c) if !(c.get_ref().is_finite() && *c.get_ref() >= 0.0) => {
                return Err(cx.err(
                    c.span(),
                    f("cost-per-hour"),
                    "must be a non-negative number",
                ))
            }
            Some(c) => *c.get_ref(),
            None => 0.0,
        };
        let mut tolerations = Vec::new();
        for (j, tol) in t.tolerations.iter().enumerate() {
            tolerations.push(
                parse_toleration(tol.get_ref())
                    .map_err(|m| cx.err(tol.span(), format!("traces[{i}].tolerations[{j}]"), m))?,
            );
        }
        out.push(TraceSpec {
            name,
            format,
            files,
            scales,
            replay: ReplayOptions {
                from,
                until,
                time_scale,
                sample_fraction,
                every_nth_job,
                strict: t.strict,
                reorder_window,
            },
            build_cluster,
            zones,
            max_pods,
            cost_per_hour,
            startup: t.startup.map_or(SimTime::ZERO, |d| d.0),
            tolerations,
            node_selector: t.node_selector.clone(),
            preemption: super::placement::constraints(
                cx,
                &format!("traces[{i}]"),
                &[],
                &[],
                t.preemption_policy.as_ref(),
            )?
            .preemption,
        });
    }
    Ok(out)
}

/// A job's requests: its `cpu` and `memory`, or its `sizes` table.
fn sizes(cx: &Ctx, i: usize, j: &RawJob) -> Result<Vec<JobSize>, ScenarioError> {
    let f = |k: &str| format!("jobs[{i}].{k}");
    let Some(table) = &j.sizes else {
        return match (&j.cpu, &j.memory) {
            (Some(c), Some(m)) => Ok(vec![JobSize {
                requests: Resources::new(c.get_ref().0, m.get_ref().0),
                weight: 1.0,
            }]),
            (c, _) => {
                let key = if c.is_none() { "cpu" } else { "memory" };
                Err(cx.err(
                    j.name.span(),
                    f(key),
                    format!(
                        "job {:?} needs `cpu` and `memory`, or a `sizes` table",
                        j.name.get_ref()
                    ),
                ))
            }
        };
    };
    for (key, span) in [
        ("cpu", j.cpu.as_ref().map(|c| c.span())),
        ("memory", j.memory.as_ref().map(|m| m.span())),
    ] {
        if let Some(span) = span {
            return Err(cx.err(
                span,
                f(key),
                format!("give `{key}` in each entry of `sizes`, or leave `sizes` out: a job takes one or the other"),
            ));
        }
    }
    if table.get_ref().is_empty() {
        return Err(cx.err(
            table.span(),
            f("sizes"),
            "`sizes` must list at least one { cpu, memory, weight } entry",
        ));
    }
    let mut out = Vec::new();
    for (k, e) in table.get_ref().iter().enumerate() {
        let weight = match &e.weight {
            Some(w) if !(w.get_ref().is_finite() && *w.get_ref() > 0.0) => {
                return Err(cx.err(
                    w.span(),
                    format!("jobs[{i}].sizes[{k}].weight"),
                    "a weight must be a number greater than zero",
                ))
            }
            Some(w) => *w.get_ref(),
            None => 1.0,
        };
        out.push(JobSize {
            requests: Resources::new(e.cpu.get_ref().0, e.memory.get_ref().0),
            weight,
        });
    }
    Ok(out)
}

/// Resolves a trace named by an arrival process or an empirical distribution:
/// its format (default podsim) and files (relative to the scenario's folder).
fn trace_source(
    cx: &Ctx,
    file: &Spanned<String>,
    format: Option<&Spanned<String>>,
    field: &dyn Fn(&str) -> String,
) -> Result<(TraceFormat, Vec<PathBuf>), ScenarioError> {
    use crate::workload::trace::expand_paths;
    let fmt = match format {
        None => TraceFormat::Podsim,
        Some(n) => TraceFormat::parse(n.get_ref()).ok_or_else(|| {
            cx.err(
                n.span(),
                field("format"),
                format!(
                    "unknown trace format {:?} (known: {})",
                    n.get_ref(),
                    list(TraceFormat::NAMES)
                ),
            )
        })?,
    };
    let files = expand_paths(&cx.base_dir, file.get_ref()).map_err(|why| {
        cx.err(
            file.span(),
            field("file"),
            format!("{why} (paths are relative to the scenario's folder)"),
        )
    })?;
    Ok((fmt, files))
}

fn arrival(cx: &Ctx, i: usize, a: &Spanned<RawArrival>) -> Result<Arrival, ScenarioError> {
    let r = a.get_ref();
    let f = |k: &str| format!("jobs[{i}].arrival.{k}");
    let process = r.process.get_ref().as_str();
    let present: [(&str, Option<Range<usize>>); 17] = [
        ("rate", r.rate.map(|_| a.span())),
        ("interval", r.interval.map(|_| a.span())),
        ("at", r.at.map(|_| a.span())),
        ("start", r.start.map(|_| a.span())),
        ("mean-rate", r.mean_rate.map(|_| a.span())),
        ("amplitude", r.amplitude.as_ref().map(|x| x.span())),
        ("peak", r.peak.as_ref().map(|x| x.span())),
        ("hourly", r.hourly.as_ref().map(|x| x.span())),
        ("time-of-day", r.time_of_day.as_ref().map(|x| x.span())),
        ("on-rate", r.on_rate.map(|_| a.span())),
        ("off-rate", r.off_rate.map(|_| a.span())),
        ("mean-on", r.mean_on.as_ref().map(|x| x.span())),
        ("mean-off", r.mean_off.as_ref().map(|x| x.span())),
        ("file", r.file.as_ref().map(|x| x.span())),
        ("format", r.format.as_ref().map(|x| x.span())),
        ("from", r.from.map(|_| a.span())),
        ("time-scale", r.time_scale.as_ref().map(|x| x.span())),
    ];
    let (wants, optional): (&[&str], &[&str]) = match process {
        "poisson" => (&["rate"], &[]),
        "every" => (&["interval"], &["start"]),
        "at-once" => (&[], &["at"]),
        "diurnal" => (
            &["mean-rate"],
            &["amplitude", "peak", "hourly", "time-of-day"],
        ),
        "bursty" => (&["on-rate", "mean-on", "mean-off"], &["off-rate"]),
        "trace" => (&["file"], &["format", "from", "time-scale"]),
        other => {
            return Err(cx.err(
                r.process.span(),
                f("process"),
                format!(
                    "unknown arrival process {other:?} (known: {})",
                    list(Arrival::NAMES)
                ),
            ))
        }
    };
    for (k, span) in &present {
        if let Some(span) = span {
            if !wants.contains(k) && !optional.contains(k) {
                return Err(cx.err(
                    span.clone(),
                    f(k),
                    format!("`{k}` does not apply to process {process:?}"),
                ));
            }
        }
    }
    for (k, span) in &present {
        if span.is_none() && wants.contains(k) {
            return Err(cx.err(a.span(), f(k), format!("process {process:?} needs `{k}`")));
        }
    }
    let under_a_day = |d: &Option<Spanned<Dur>>, k: &str| -> Result<SimTime, ScenarioError> {
        match d {
            Some(d) if d.get_ref().0 >= SimTime::from_hours(24) => Err(cx.err(
                d.span(),
                f(k),
                format!("`{k}` is a time of day: from \"0h\" to under \"24h\""),
            )),
            Some(d) => Ok(d.get_ref().0),
            None => Ok(SimTime::ZERO),
        }
    };
    let positive_dur = |d: &Option<Spanned<Dur>>, k: &str| -> Result<f64, ScenarioError> {
        match d {
            Some(d) if d.get_ref().0 == SimTime::ZERO => {
                Err(cx.err(d.span(), f(k), format!("`{k}` must be longer than zero")))
            }
            Some(d) => Ok(secs(d.get_ref().0)),
            None => Ok(0.0),
        }
    };
    match process {
        "poisson" => Ok(Arrival::Poisson {
            rate_per_s: r.rate.map_or(0.0, |x| x.0),
        }),
        "every" => {
            let interval = r.interval.map_or(SimTime::ZERO, |d| d.0);
            if interval == SimTime::ZERO {
                return Err(cx.err(
                    a.span(),
                    f("interval"),
                    "the interval must be longer than zero",
                ));
            }
            Ok(Arrival::Every {
                interval,
                start: r.start.map_or(SimTime::ZERO, |d| d.0),
            })
        }
        "at-once" => Ok(Arrival::AtOnce {
            at: r.at.map_or(SimTime::ZERO, |d| d.0),
        }),
        "diurnal" => {
            let shape = match (&r.amplitude, &r.hourly) {
                (Some(_), Some(h)) => {
                    return Err(cx.err(
                        h.span(),
                        f("hourly"),
                        "give either `amplitude` and `peak` (a sine curve) or `hourly` (24 weights), not both",
                    ))
                }
                (None, None) => {
                    return Err(cx.err(
                        a.span(),
                        f("amplitude"),
                        "process \"diurnal\" needs `amplitude` and `peak` (a sine curve), or `hourly` (24 weights)",
                    ))
                }
                (Some(amp), None) => {
                    let v = *amp.get_ref();
                    if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
                        return Err(cx.err(
                            amp.span(),
                            f("amplitude"),
                            "`amplitude` must be from 0 (a constant rate) to 1 (the rate falls to zero once a day)",
                        ));
                    }
                    if r.peak.is_none() {
                        return Err(cx.err(
                            a.span(),
                            f("peak"),
                            "`amplitude` needs `peak`, the time of day the rate is highest (e.g. \"14h\")",
                        ));
                    }
                    DailyShape::Sine {
                        amplitude: v,
                        peak: under_a_day(&r.peak, "peak")?,
                    }
                }
                (None, Some(h)) => {
                    if let Some(p) = &r.peak {
                        return Err(cx.err(
                            p.span(),
                            f("peak"),
                            "`peak` applies only with `amplitude`; `hourly` gives the whole curve",
                        ));
                    }
                    let w = h.get_ref();
                    if w.len() != 24 {
                        return Err(cx.err(
                            h.span(),
                            f("hourly"),
                            format!("`hourly` needs 24 weights, one per hour from midnight; it has {}", w.len()),
                        ));
                    }
                    if let Some(k) = w.iter().position(|x| !(x.is_finite() && *x >= 0.0)) {
                        return Err(cx.err(
                            h.span(),
                            f("hourly"),
                            format!("weight {k} of `hourly` is {}: each must be a number, 0 or more", w[k]),
                        ));
                    }
                    let mean = w.iter().sum::<f64>() / 24.0;
                    if mean <= 0.0 {
                        return Err(cx.err(
                            h.span(),
                            f("hourly"),
                            "the `hourly` weights are all zero: no task would ever arrive",
                        ));
                    }
                    DailyShape::Hourly(w.iter().map(|x| x / mean).collect())
                }
            };
            Ok(Arrival::Diurnal(DailyCurve {
                mean_per_s: r.mean_rate.map_or(0.0, |x| x.0),
                shape,
                time_of_day: under_a_day(&r.time_of_day, "time-of-day")?,
            }))
        }
        "bursty" => Ok(Arrival::Bursty(OnOff {
            on_rate_per_s: r.on_rate.map_or(0.0, |x| x.0),
            off_rate_per_s: r.off_rate.map_or(0.0, |x| x.0),
            mean_on_s: positive_dur(&r.mean_on, "mean-on")?,
            mean_off_s: positive_dur(&r.mean_off, "mean-off")?,
        })),
        _ => {
            let file = r
                .file
                .as_ref()
                .ok_or_else(|| cx.err(a.span(), f("file"), "needs `file`"))?;
            let (format, files) = trace_source(cx, file, r.format.as_ref(), &f)?;
            let time_scale = match &r.time_scale {
                Some(k) if !(k.get_ref().is_finite() && *k.get_ref() > 0.0) => {
                    return Err(cx.err(
                        k.span(),
                        f("time-scale"),
                        "must be a positive number (0.5 replays twice as fast)",
                    ))
                }
                Some(k) => *k.get_ref(),
                None => 1.0,
            };
            // Read the header now, so that a file of the wrong format is
            // reported here rather than when the run starts.
            let tf = crate::workload::trace::TraceFiles {
                pods: files.clone(),
                nodes: Vec::new(),
            };
            drop(
                crate::workload::trace::open_pods(format, &tf, &Default::default())
                    .map_err(|e| cx.err(file.span(), f("file"), e.to_string()))?,
            );
            Ok(Arrival::Trace(TraceArrivals {
                format,
                files,
                from: r.from.map_or(SimTime::ZERO, |d| d.0),
                time_scale,
            }))
        }
    }
}

fn dist(
    cx: &Ctx,
    i: usize,
    d: &Spanned<RawDist>,
    seed: u64,
    job: &str,
) -> Result<DurationDist, ScenarioError> {
    let reservoir = format!("job/{job}/durations/reservoir");
    dist_at(cx, &format!("jobs[{i}].duration"), d, seed, &reservoir)
}

/// A distribution table at field `prefix`; an empirical one keeps its
/// sample with the stream `reservoir`.
fn dist_at(
    cx: &Ctx,
    prefix: &str,
    d: &Spanned<RawDist>,
    seed: u64,
    reservoir: &str,
) -> Result<DurationDist, ScenarioError> {
    let r = d.get_ref();
    let kind = r.dist.get_ref().as_str();
    let field = |k: &str| format!("{prefix}.{k}");
    let present: [(&str, bool); 10] = [
        ("value", r.value.is_some()),
        ("mean", r.mean.is_some()),
        ("min", r.min.is_some()),
        ("max", r.max.is_some()),
        ("median", r.median.is_some()),
        ("sigma", r.sigma.is_some()),
        ("scale", r.scale.is_some()),
        ("shape", r.shape.is_some()),
        ("file", r.file.is_some()),
        ("format", r.format.is_some()),
    ];
    let (wants, optional): (&[&str], &[&str]) = match kind {
        "constant" => (&["value"], &[]),
        "exponential" => (&["mean"], &[]),
        "uniform" => (&["min", "max"], &[]),
        "lognormal" => (&["median", "sigma"], &[]),
        "weibull" | "pareto" => (&["scale", "shape"], &[]),
        "empirical" => (&["file"], &["format"]),
        other => {
            return Err(cx.err(
                r.dist.span(),
                field("dist"),
                format!(
                    "unknown distribution {other:?} (known: {})",
                    list(DurationDist::NAMES)
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
    for (k, p) in present {
        if p && !wants.contains(&k) && !optional.contains(&k) {
            return Err(cx.err(
                d.span(),
                field(k),
                format!(
                    "`{k}` does not apply to dist {kind:?} (it takes {})",
                    takes()
                ),
            ));
        }
        if !p && wants.contains(&k) {
            return Err(cx.err(
                d.span(),
                field(k),
                format!("dist {kind:?} needs `{k}` (it takes {})", takes()),
            ));
        }
    }
    let positive = |k: &str, v: f64| -> Result<f64, ScenarioError> {
        if v.is_finite() && v > 0.0 {
            Ok(v)
        } else {
            Err(cx.err(
                d.span(),
                field(k),
                format!("`{k}` must be greater than zero"),
            ))
        }
    };
    let s = |o: Option<Dur>| o.map_or(0.0, |d| secs(d.0));
    Ok(match kind {
        "constant" => DurationDist::Constant { value: s(r.value) },
        "exponential" => DurationDist::Exponential {
            mean: positive("mean", s(r.mean))?,
        },
        "uniform" => {
            let (min, max) = (s(r.min), s(r.max));
            if min > max {
                return Err(cx.err(d.span(), field("min"), "min must not exceed max"));
            }
            DurationDist::Uniform { min, max }
        }
        "lognormal" => DurationDist::LogNormal {
            median: positive("median", s(r.median))?,
            sigma: positive("sigma", r.sigma.unwrap_or(0.0))?,
        },
        "weibull" => DurationDist::Weibull {
            scale: positive("scale", s(r.scale))?,
            shape: positive("shape", r.shape.unwrap_or(0.0))?,
        },
        "pareto" => DurationDist::Pareto {
            scale: positive("scale", s(r.scale))?,
            shape: positive("shape", r.shape.unwrap_or(0.0))?,
        },
        _ => {
            let Some(file) = r.file.as_ref() else {
                return Err(cx.err(d.span(), field("file"), "needs `file`"));
            };
            let (format, files) = trace_source(cx, file, r.format.as_ref(), &field)?;
            let sample =
                crate::workload::synthetic::load_empirical(format, &files, seed, reservoir)
                    .map_err(|e| cx.err(file.span(), field("file"), e.to_string()))?;
            if sample.values.is_empty() {
                return Err(cx.err(
                    file.span(),
                    field("file"),
                    format!(
                        "{} has no pod with a known run time (pods that run to the end: {}, bad rows: {}): an empirical distribution needs at least one value",
                        sample.source, sample.no_run_time, sample.bad_rows
                    ),
                ));
            }
            DurationDist::Empirical(sample)
        }
    })
}

fn profile(
    cx: &Ctx,
    i: usize,
    p: &RawProfile,
    earlier: &[ProfileSpec],
) -> Result<ProfileSpec, ScenarioError> {
    let f = |k: &str| format!("profiles[{i}].{k}");
    let name = p.name.get_ref().clone();
    if !is_folder_name(&name) {
        return Err(cx.err(
            p.name.span(),
            f("name"),
            "a profile name must start with a letter or digit and use only letters, digits, '-', '_' and '.' (it names an output folder)",
        ));
    }
    if policy::builtin(&name).is_some() {
        return Err(cx.err(
            p.name.span(),
            f("name"),
            format!("{name:?} is a built-in policy; give the profile another name"),
        ));
    }
    if earlier.iter().any(|e| e.name == name) {
        return Err(cx.err(
            p.name.span(),
            f("name"),
            format!("a profile named {name:?} already exists"),
        ));
    }
    let filters = match &p.filters {
        None => policy::default_filters()
            .iter()
            .map(|s| s.to_string())
            .collect(),
        Some(list) => {
            let mut out = Vec::new();
            for (j, x) in list.iter().enumerate() {
                if !policy::filter_names().contains(&x.get_ref().as_str()) {
                    return Err(cx.err(
                        x.span(),
                        format!("profiles[{i}].filters[{j}]"),
                        format!(
                            "unknown filter {:?} (known: {})",
                            x.get_ref(),
                            list_names(policy::filter_names())
                        ),
                    ));
                }
                out.push(x.get_ref().clone());
            }
            out
        }
    };
    let mut scorers = Vec::new();
    for (j, s) in p.scorers.iter().enumerate() {
        if !policy::scorer_names().contains(&s.plugin.get_ref().as_str()) {
            return Err(cx.err(
                s.plugin.span(),
                format!("profiles[{i}].scorers[{j}].plugin"),
                format!(
                    "unknown scorer {:?} (known: {})",
                    s.plugin.get_ref(),
                    list_names(policy::scorer_names())
                ),
            ));
        }
        let w = *s.weight.get_ref();
        if !(1..=100).contains(&w) {
            return Err(cx.err(
                s.weight.span(),
                format!("profiles[{i}].scorers[{j}].weight"),
                "a weight must be from 1 to 100",
            ));
        }
        scorers.push((s.plugin.get_ref().clone(), w));
    }
    let select = match &p.select {
        None => Select::BestScore,
        Some(s) => Select::parse(s.get_ref()).ok_or_else(|| {
            cx.err(
                s.span(),
                f("select"),
                format!(
                    "unknown selection {:?} (known: {})",
                    s.get_ref(),
                    list(Select::NAMES)
                ),
            )
        })?,
    };
    if select == Select::BestScore && scorers.is_empty() {
        return Err(cx.err(
            p.name.span(),
            f("scorers"),
            "select = \"best-score\" needs at least one scorer",
        ));
    }
    let tie_break = match &p.tie_break {
        None => TieBreak::Random,
        Some(s) => TieBreak::parse(s.get_ref()).ok_or_else(|| {
            cx.err(
                s.span(),
                f("tie-break"),
                format!(
                    "unknown tie-break {:?} (known: {})",
                    s.get_ref(),
                    list(TieBreak::NAMES)
                ),
            )
        })?,
    };
    let pct = match &p.percentage_of_nodes_to_score {
        Some(v) if *v.get_ref() > 100 => {
            return Err(cx.err(
                v.span(),
                f("percentage-of-nodes-to-score"),
                "must be from 0 (adaptive) to 100",
            ))
        }
        Some(v) => *v.get_ref(),
        None => 0,
    };
    if select != Select::BestScore {
        let unused = [
            ("scorers", p.scorers.first().map(|s| s.plugin.span())),
            ("tie-break", p.tie_break.as_ref().map(|t| t.span())),
            (
                "percentage-of-nodes-to-score",
                p.percentage_of_nodes_to_score.as_ref().map(|v| v.span()),
            ),
        ];
        for (key, span) in unused {
            if let Some(span) = span {
                return Err(cx.err(
                    span,
                    f(key),
                    format!(
                        "`{key}` applies only to select = \"best-score\"; select = {:?} ignores it",
                        select.name()
                    ),
                ));
            }
        }
    }
    if !filters.iter().any(|f| f == "resources-fit") {
        let span = p
            .filters
            .as_ref()
            .and_then(|l| l.first().map(|x| x.span()))
            .unwrap_or(p.name.span());
        return Err(cx.err(
            span,
            f("filters"),
            "every profile needs the `resources-fit` filter: without it pods would be bound beyond a node's capacity, which the kubelet refuses",
        ));
    }
    Ok(ProfileSpec {
        name,
        description: p.description.clone(),
        filters,
        scorers,
        select,
        tie_break,
        percentage_of_nodes_to_score: pct,
        preemption: p.preemption.unwrap_or(true),
    })
}

fn list_names(names: &[&str]) -> String {
    list(names)
}

/// Checks every event against the cluster as it will be at that time: the
/// nodes it names must exist then (pools add nodes as `<pool>-<n>` in order),
/// and the pools, zones and services it names must exist at all.
fn events(
    cx: &Ctx,
    raw: &[RawEvent],
    horizon: SimTime,
    pools: &[Pool],
    services: &[Service],
) -> Result<Vec<ScenarioEvent>, ScenarioError> {
    let mut order: Vec<usize> = (0..raw.len()).collect();
    order.sort_by_key(|&i| raw[i].at.get_ref().0); // stable: file order within a time
    let mut next_index: Vec<u32> = pools.iter().map(|p| p.count).collect();
    // Nodes removed so far, with when.
    let mut removed: BTreeMap<String, SimTime> = BTreeMap::new();
    // Every add-nodes event, in time order: (time, pool, first new index, end index).
    let adds: Vec<(SimTime, usize, u32, u32)> = {
        let mut next: Vec<u32> = pools.iter().map(|p| p.count).collect();
        order
            .iter()
            .filter(|&&i| raw[i].action.get_ref() == "add-nodes")
            .filter_map(|&i| {
                let p = pools
                    .iter()
                    .position(|x| Some(&x.name) == raw[i].pool.as_ref().map(|s| s.get_ref()))?;
                let c = raw[i]
                    .count
                    .as_ref()
                    .map_or(0, |c| *c.get_ref())
                    .min(MAX_NODES);
                let from = next[p];
                next[p] = from.saturating_add(c);
                Some((raw[i].at.get_ref().0, p, from, next[p]))
            })
            .collect()
    };
    let zones: BTreeSet<&str> = pools
        .iter()
        .flat_map(|p| p.zones.iter().map(|s| s.as_str()))
        .collect();
    let mut out = vec![None; raw.len()];
    for i in order {
        let e = &raw[i];
        let f = |k: &str| format!("events[{i}].{k}");
        let at = e.at.get_ref().0;
        if at > horizon {
            return Err(cx.err(
                e.at.span(),
                f("at"),
                format!(
                    "the event at {at} comes after the horizon ({horizon}); it would never happen"
                ),
            ));
        }
        let action = e.action.get_ref().as_str();
        let allowed: &[&str] = match action {
            "fail-node" => &["node", "duration"],
            "fail-zone" => &["zone", "duration"],
            "recover-node" | "remove-node" | "drain-node" | "uncordon-node" => &["node"],
            "recover-zone" => &["zone"],
            "add-nodes" => &["pool", "count"],
            "scale-service" => &["service", "replicas"],
            other => match failures::keys(other) {
                Some(keys) => keys,
                None => {
                    return Err(cx.err(
                        e.action.span(),
                        f("action"),
                        format!("unknown action {other:?} (known: {})", list(ACTIONS)),
                    ))
                }
            },
        };
        let given: [(&str, Option<Range<usize>>); 11] = [
            ("node", e.node.as_ref().map(|s| s.span())),
            ("pool", e.pool.as_ref().map(|s| s.span())),
            ("zone", e.zone.as_ref().map(|s| s.span())),
            ("service", e.service.as_ref().map(|s| s.span())),
            ("count", e.count.as_ref().map(|s| s.span())),
            ("replicas", e.replicas.as_ref().map(|s| s.span())),
            ("duration", e.duration.as_ref().map(|s| s.span())),
            ("cpu", e.cpu.as_ref().map(|s| s.span())),
            ("memory", e.memory.as_ref().map(|s| s.span())),
            ("batch", e.batch.as_ref().map(|s| s.span())),
            ("pause", e.pause.as_ref().map(|s| s.span())),
        ];
        for (k, span) in &given {
            if let Some(span) = span {
                if !allowed.contains(k) {
                    return Err(cx.err(
                        span.clone(),
                        f(k),
                        format!(
                            "`{k}` does not apply to action {action:?} (it takes {})",
                            allowed.join(", ")
                        ),
                    ));
                }
            }
        }
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
        let node = |next_index: &[u32],
                    removed: &BTreeMap<String, SimTime>|
         -> Result<String, ScenarioError> {
            let n = e.node.as_ref().ok_or_else(|| need("node"))?;
            let name = n.get_ref().clone();
            if let Some(when) = removed.get(&name) {
                return Err(cx.err(
                    n.span(),
                    f("node"),
                    format!("node {name:?} was removed at {when}, before this event at {at}"),
                ));
            }
            let parsed = name.rsplit_once('-').and_then(|(pool, idx)| {
                let p = pools.iter().position(|x| x.name == pool)?;
                let k: u32 = idx
                    .parse()
                    .ok()
                    .filter(|_| !idx.starts_with('+') && (idx == "0" || !idx.starts_with('0')))?;
                Some((p, k))
            });
            if let Some((p, k)) = parsed {
                if k < next_index[p] {
                    return Ok(name);
                }
                if let Some(later) = adds
                    .iter()
                    .find(|(_, ap, from, to)| *ap == p && (*from..*to).contains(&k))
                {
                    return Err(cx.err(
                        n.span(),
                        f("node"),
                        format!("node {name:?} does not exist yet at {at}: the add-nodes event at {} creates it", later.0),
                    ));
                }
            }
            let mut now: Vec<String> = Vec::new();
            for (p, n) in pools.iter().zip(next_index) {
                let live: Vec<u32> = (0..*n)
                    .filter(|k| !removed.contains_key(&format!("{}-{k}", p.name)))
                    .collect();
                let mut i = 0;
                while i < live.len() {
                    let mut j = i;
                    while j + 1 < live.len() && live[j + 1] == live[j] + 1 {
                        j += 1;
                    }
                    match j - i {
                        0 => now.push(format!("{}-{}", p.name, live[i])),
                        1 => {
                            now.push(format!("{}-{}", p.name, live[i]));
                            now.push(format!("{}-{}", p.name, live[j]));
                        }
                        _ => now.push(format!("{}-{} to {}-{}", p.name, live[i], p.name, live[j])),
                    }
                    i = j + 1;
                }
            }
            if now.len() > 20 {
                now.truncate(20);
                now.push("...".into());
            }
            if now.is_empty() {
                now.push("none".into());
            }
            Err(cx.err(
                n.span(),
                f("node"),
                format!(
                    "no node named {name:?} exists at {at} (nodes then: {}; nodes are named <pool>-<index>)",
                    now.join(", ")
                ),
            ))
        };
        let zone = || -> Result<String, ScenarioError> {
            let z = e.zone.as_ref().ok_or_else(|| need("zone"))?;
            if !zones.contains(z.get_ref().as_str()) {
                return Err(cx.err(
                    z.span(),
                    f("zone"),
                    format!(
                        "no pool has zone {:?} (zones: {})",
                        z.get_ref(),
                        zones.iter().copied().collect::<Vec<_>>().join(", ")
                    ),
                ));
            }
            Ok(z.get_ref().clone())
        };
        let duration = match &e.duration {
            Some(d) if d.get_ref().0 == SimTime::ZERO => {
                return Err(cx.err(
                    d.span(),
                    f("duration"),
                    "a failure's duration must be longer than zero",
                ))
            }
            Some(d) => Some(d.get_ref().0),
            None => None,
        };
        let act = match action {
            "fail-node" => Action::FailNode {
                node: node(&next_index, &removed)?,
                duration,
            },
            "recover-node" => Action::RecoverNode {
                node: node(&next_index, &removed)?,
            },
            "drain-node" => Action::DrainNode {
                node: node(&next_index, &removed)?,
            },
            "uncordon-node" => Action::UncordonNode {
                node: node(&next_index, &removed)?,
            },
            "remove-node" => {
                let n = node(&next_index, &removed)?;
                removed.insert(n.clone(), at);
                Action::RemoveNode { node: n }
            }
            "fail-zone" => Action::FailZone {
                zone: zone()?,
                duration,
            },
            "recover-zone" => Action::RecoverZone { zone: zone()? },
            other if failures::keys(other).is_some() => failures::action(
                cx,
                e,
                i,
                pools,
                duration,
                &|| node(&next_index, &removed),
                &zone,
            )?,
            "add-nodes" => {
                let p = e.pool.as_ref().ok_or_else(|| need("pool"))?;
                let idx = pools
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
                    })?;
                let c = e.count.as_ref().ok_or_else(|| need("count"))?;
                if *c.get_ref() == 0 || *c.get_ref() > MAX_NODES {
                    return Err(cx.err(
                        c.span(),
                        f("count"),
                        format!("add-nodes needs a count from 1 to {MAX_NODES}"),
                    ));
                }
                next_index[idx] += *c.get_ref();
                Action::AddNodes {
                    pool: idx,
                    count: *c.get_ref(),
                }
            }
            _ => {
                let s = e.service.as_ref().ok_or_else(|| need("service"))?;
                let idx = services
                    .iter()
                    .position(|x| x.name == *s.get_ref())
                    .ok_or_else(|| {
                        cx.err(
                            s.span(),
                            f("service"),
                            format!(
                                "no service named {:?} (services: {})",
                                s.get_ref(),
                                if services.is_empty() {
                                    "none".to_string()
                                } else {
                                    services
                                        .iter()
                                        .map(|x| x.name.as_str())
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                }
                            ),
                        )
                    })?;
                let r = e.replicas.as_ref().ok_or_else(|| need("replicas"))?;
                Action::ScaleService {
                    service: idx,
                    replicas: *r.get_ref(),
                }
            }
        };
        out[i] = Some(ScenarioEvent { at, action: act });
    }
    let mut evs: Vec<ScenarioEvent> = out.into_iter().flatten().collect();
    evs.sort_by_key(|e| e.at);
    Ok(evs)
}
