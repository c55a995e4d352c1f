//! Validation of a service's `load` curve and `hpa` table, and of the
//! control plane's HPA settings.

use super::{list, Ctx, MAX_NODES};
use crate::cluster::parse_cpu;
use crate::engine::SimTime;
use crate::policy::hpa::{HpaSpec, ScalingAmount, ScalingPolicy, ScalingRules, SelectPolicy};
use crate::scenario::raw::{RawControlPlane, RawLoad, RawScalingRules, RawService};
use crate::scenario::{DailyCurve, DailyShape, ScenarioError};
use crate::workload::load::LoadCurve;
use crate::workload::trace::podsim::parse_secs;
use std::ops::Range;
use toml::Spanned;

type R<T> = Result<T, ScenarioError>;

pub(super) fn sync_period(cx: &Ctx, c: &RawControlPlane, default: SimTime) -> R<SimTime> {
    match &c.hpa_sync_period {
        Some(p) if p.get_ref().0 == SimTime::ZERO => Err(cx.err(
            p.span(),
            "control-plane.hpa-sync-period",
            "must be longer than zero (Kubernetes' default is \"15s\")",
        )),
        Some(p) => Ok(p.get_ref().0),
        None => Ok(default),
    }
}

pub(super) fn tolerance(cx: &Ctx, c: &RawControlPlane, default: f64) -> R<f64> {
    match &c.hpa_tolerance {
        Some(t) if !(t.get_ref().is_finite() && (0.0..1.0).contains(t.get_ref())) => Err(cx.err(
            t.span(),
            "control-plane.hpa-tolerance",
            "must be a number from 0 to under 1 (Kubernetes' default is 0.1)",
        )),
        Some(t) => Ok(*t.get_ref()),
        None => Ok(default),
    }
}

/// A service's `load`, if it has one.
pub(super) fn load(cx: &Ctx, i: usize, raw: Option<&Spanned<RawLoad>>) -> R<Option<LoadCurve>> {
    let Some(raw) = raw else { return Ok(None) };
    let r = raw.get_ref();
    let f = |k: &str| format!("services[{i}].load.{k}");
    let curve = r.curve.get_ref().as_str();
    let present: [(&str, Option<Range<usize>>); 8] = [
        ("cores", r.cores.as_ref().map(|x| x.span())),
        ("steps", r.steps.as_ref().map(|x| x.span())),
        ("mean", r.mean.as_ref().map(|x| x.span())),
        ("amplitude", r.amplitude.as_ref().map(|x| x.span())),
        ("peak", r.peak.as_ref().map(|x| x.span())),
        ("hourly", r.hourly.as_ref().map(|x| x.span())),
        ("time-of-day", r.time_of_day.as_ref().map(|x| x.span())),
        ("file", r.file.as_ref().map(|x| x.span())),
    ];
    let (wants, optional): (&[&str], &[&str]) = match curve {
        "constant" => (&["cores"], &[]),
        "steps" => (&["steps"], &[]),
        "diurnal" => (&["mean"], &["amplitude", "peak", "hourly", "time-of-day"]),
        "csv" => (&["file"], &[]),
        other => {
            return Err(cx.err(
                r.curve.span(),
                f("curve"),
                format!(
                    "unknown load curve {other:?} (known: {})",
                    list(LoadCurve::NAMES)
                ),
            ))
        }
    };
    for (k, span) in &present {
        match span {
            Some(span) if !wants.contains(k) && !optional.contains(k) => {
                return Err(cx.err(
                    span.clone(),
                    f(k),
                    format!("`{k}` does not apply to curve {curve:?}"),
                ))
            }
            None if wants.contains(k) => {
                return Err(cx.err(raw.span(), f(k), format!("curve {curve:?} needs `{k}`")))
            }
            _ => {}
        }
    }
    Ok(Some(match curve {
        "constant" => LoadCurve::Constant(r.cores.as_ref().map_or(0, |c| c.get_ref().0)),
        "steps" => {
            let Some(steps) = &r.steps else {
                unreachable!("checked above")
            };
            if steps.get_ref().is_empty() {
                return Err(cx.err(
                    steps.span(),
                    f("steps"),
                    "`steps` must list at least one { at, cores } entry",
                ));
            }
            let mut out: Vec<(SimTime, u64)> = Vec::new();
            for (k, s) in steps.get_ref().iter().enumerate() {
                let at = s.at.get_ref().0;
                if let Some(&(prev, _)) = out.last() {
                    if at <= prev {
                        return Err(cx.err(
                            s.at.span(),
                            format!("services[{i}].load.steps[{k}].at"),
                            format!("steps must come in increasing time: {at} is not after {prev}"),
                        ));
                    }
                }
                out.push((at, s.cores.get_ref().0));
            }
            LoadCurve::Steps(out)
        }
        "diurnal" => LoadCurve::Diurnal(diurnal(cx, i, raw)?),
        _ => {
            let Some(file) = &r.file else {
                unreachable!("checked above")
            };
            LoadCurve::Steps(csv(cx, &f("file"), file)?)
        }
    }))
}

fn diurnal(cx: &Ctx, i: usize, raw: &Spanned<RawLoad>) -> R<DailyCurve> {
    let r = raw.get_ref();
    let f = |k: &str| format!("services[{i}].load.{k}");
    let under_a_day = |d: &Option<Spanned<crate::scenario::Dur>>, k: &str| -> R<SimTime> {
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
                raw.span(),
                f("amplitude"),
                "curve \"diurnal\" needs `amplitude` and `peak` (a sine curve), or `hourly` (24 weights)",
            ))
        }
        (Some(amp), None) => {
            let v = *amp.get_ref();
            if !(v.is_finite() && (0.0..=1.0).contains(&v)) {
                return Err(cx.err(
                    amp.span(),
                    f("amplitude"),
                    "`amplitude` must be from 0 (a constant load) to 1 (the load falls to zero once a day)",
                ));
            }
            if r.peak.is_none() {
                return Err(cx.err(
                    raw.span(),
                    f("peak"),
                    "`amplitude` needs `peak`, the time of day the load is highest (e.g. \"14h\")",
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
                    format!(
                        "`hourly` needs 24 weights, one per hour from midnight; it has {}",
                        w.len()
                    ),
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
                    "the `hourly` weights are all zero: use curve = \"constant\" with cores = 0 for no load",
                ));
            }
            DailyShape::Hourly(w.iter().map(|x| x / mean).collect())
        }
    };
    Ok(DailyCurve {
        mean_per_s: r.mean.as_ref().map_or(0, |m| m.get_ref().0) as f64 / 1000.0,
        shape,
        time_of_day: under_a_day(&r.time_of_day, "time-of-day")?,
    })
}

/// Reads a `t_s,cores` file: one step per row, in increasing time.
fn csv(cx: &Ctx, field: &str, file: &Spanned<String>) -> R<Vec<(SimTime, u64)>> {
    let path = cx.base_dir.join(file.get_ref());
    let shown = path.display().to_string();
    let bad = |msg: String| cx.err(file.span(), field, msg);
    let text = std::fs::read_to_string(&path).map_err(|e| {
        bad(format!(
            "cannot read {shown}: {e} (paths are relative to the scenario's folder)"
        ))
    })?;
    let mut lines = text.lines().enumerate();
    let header = lines
        .by_ref()
        .find(|(_, l)| !l.trim().is_empty())
        .map(|(_, l)| l.trim().trim_start_matches('\u{feff}'));
    let cols: Vec<&str> = header.map_or(Vec::new(), |h| h.split(',').map(str::trim).collect());
    if cols != ["t_s", "cores"] {
        return Err(bad(format!(
            "{shown}:1: the header must be `t_s,cores`, found {:?}",
            header.unwrap_or("")
        )));
    }
    let mut out: Vec<(SimTime, u64)> = Vec::new();
    for (k, line) in lines {
        let n = k + 1;
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        if fields.len() != 2 {
            return Err(bad(format!(
                "{shown}:{n}: a row has 2 fields (t_s,cores), this one has {}",
                fields.len()
            )));
        }
        let t = parse_secs(fields[0]).map_err(|e| bad(format!("{shown}:{n}: t_s {e}")))?;
        let cores = parse_cpu(fields[1]).map_err(|e| bad(format!("{shown}:{n}: cores: {e}")))?;
        if let Some(&(prev, _)) = out.last() {
            if t <= prev {
                return Err(bad(format!(
                    "{shown}:{n}: rows must come in increasing time: {} s is not after {} s",
                    t.as_secs_f64(),
                    prev.as_secs_f64()
                )));
            }
        }
        out.push((t, cores));
    }
    if out.is_empty() {
        return Err(bad(format!("{shown}: no rows after the header")));
    }
    Ok(out)
}

/// A service's `hpa`, if it has one.
pub(super) fn hpa(cx: &Ctx, i: usize, s: &RawService) -> R<Option<HpaSpec>> {
    let Some(raw) = &s.hpa else { return Ok(None) };
    let h = raw.get_ref();
    let f = |k: &str| format!("services[{i}].hpa.{k}");
    if s.load.is_none() {
        return Err(cx.err(
            raw.span(),
            format!("services[{i}].load"),
            "an `hpa` scales on the service's CPU usage: give the service a `load` curve",
        ));
    }
    if s.cpu.0 == 0 {
        return Err(cx.err(
            raw.span(),
            format!("services[{i}].cpu"),
            "an `hpa` measures CPU usage as a share of the pods' request: the service needs a CPU request above zero",
        ));
    }
    let target = *h.target_cpu_utilization.get_ref();
    if !(1..=100_000).contains(&target) {
        return Err(cx.err(
            h.target_cpu_utilization.span(),
            f("target-cpu-utilization"),
            "a percent of the pods' CPU request, from 1 (e.g. 60 for 60 %)",
        ));
    }
    let min = match &h.min_replicas {
        Some(m) if *m.get_ref() == 0 => return Err(cx.err(
            m.span(),
            f("min-replicas"),
            "must be at least 1 (scaling to zero is an alpha feature of Kubernetes, not modelled)",
        )),
        Some(m) => *m.get_ref(),
        None => 1,
    };
    let max = *h.max_replicas.get_ref();
    if max < min || max > MAX_NODES {
        return Err(cx.err(
            h.max_replicas.span(),
            f("max-replicas"),
            format!("must be from min-replicas ({min}) to {MAX_NODES}"),
        ));
    }
    Ok(Some(HpaSpec {
        target_utilization: target as u32,
        min_replicas: min,
        max_replicas: max,
        scale_up: rules(
            cx,
            &f("scale-up"),
            h.scale_up.as_ref(),
            ScalingRules::default_up(),
        )?,
        scale_down: rules(
            cx,
            &f("scale-down"),
            h.scale_down.as_ref(),
            ScalingRules::default_down(),
        )?,
    }))
}

/// One direction's behaviour: what is given replaces the default, key by key.
fn rules(
    cx: &Ctx,
    field: &str,
    raw: Option<&Spanned<RawScalingRules>>,
    default: ScalingRules,
) -> R<ScalingRules> {
    let Some(raw) = raw else { return Ok(default) };
    let r = raw.get_ref();
    let f = |k: &str| format!("{field}.{k}");
    let stabilization = match &r.stabilization {
        Some(d) if d.get_ref().0 > SimTime::from_hours(1) => {
            return Err(cx.err(
                d.span(),
                f("stabilization"),
                "at most \"1h\", as Kubernetes allows",
            ))
        }
        Some(d) => d.get_ref().0,
        None => default.stabilization,
    };
    let select = match &r.select {
        Some(s) => SelectPolicy::parse(s.get_ref()).ok_or_else(|| {
            cx.err(
                s.span(),
                f("select"),
                format!(
                    "unknown select {:?} (known: {})",
                    s.get_ref(),
                    list(SelectPolicy::NAMES)
                ),
            )
        })?,
        None => default.select,
    };
    let policies = match &r.policies {
        None => default.policies,
        Some(list) if list.get_ref().is_empty() => {
            return Err(cx.err(
                list.span(),
                f("policies"),
                "list at least one { pods = N, period = \"15s\" } or { percent = N, period = \"15s\" }, or leave `policies` out for the default",
            ))
        }
        Some(list) => {
            let mut out = Vec::new();
            for (k, p) in list.get_ref().iter().enumerate() {
                let g = |key: &str| format!("{field}.policies[{k}].{key}");
                let q = p.get_ref();
                let amount = match (&q.pods, &q.percent) {
                    (Some(_), Some(pc)) => {
                        return Err(cx.err(
                            pc.span(),
                            g("percent"),
                            "a policy takes `pods` or `percent`, not both",
                        ))
                    }
                    (None, None) => {
                        return Err(cx.err(
                            p.span(),
                            g("pods"),
                            "a policy needs `pods` or `percent`",
                        ))
                    }
                    (Some(n), None) if *n.get_ref() == 0 => {
                        return Err(cx.err(n.span(), g("pods"), "must be at least 1"))
                    }
                    (None, Some(n)) if *n.get_ref() == 0 => {
                        return Err(cx.err(n.span(), g("percent"), "must be at least 1"))
                    }
                    (Some(n), None) => ScalingAmount::Pods(*n.get_ref()),
                    (None, Some(n)) => ScalingAmount::Percent(*n.get_ref()),
                };
                let period = q.period.get_ref().0;
                if period == SimTime::ZERO || period > SimTime::from_mins(30) {
                    return Err(cx.err(
                        q.period.span(),
                        g("period"),
                        "must be longer than zero and at most \"30m\", as Kubernetes allows",
                    ));
                }
                out.push(ScalingPolicy { amount, period });
            }
            out
        }
    };
    Ok(ScalingRules {
        stabilization,
        select,
        policies,
    })
}
