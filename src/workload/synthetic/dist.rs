//! Run-time distributions: sampling, means, and empirical samples read
//! from a trace.

use crate::engine::{RngStreams, SimRng, SimTime};
use crate::scenario::{DurationDist, EmpiricalSample};
use crate::workload::trace::{
    open_pods, PodItem, Scales, TraceError, TraceFiles, TraceFormat, TraceRun,
};
use rand::RngExt;
use rand_distr::{Distribution, Exp, LogNormal, Pareto, Weibull};
use std::path::PathBuf;

/// Draws a run time. Parameters were validated when the scenario was read,
/// so construction cannot fail here; a degenerate draw becomes zero.
pub fn sample_duration(dist: &DurationDist, rng: &mut SimRng) -> SimTime {
    let secs = match *dist {
        DurationDist::Constant { value } => value,
        DurationDist::Exponential { mean } => Exp::new(1.0 / mean).map_or(0.0, |d| d.sample(rng)),
        DurationDist::Uniform { min, max } => {
            if max > min {
                rng.random_range(min..max)
            } else {
                min
            }
        }
        DurationDist::LogNormal { median, sigma } => {
            LogNormal::new(median.ln(), sigma).map_or(0.0, |d| d.sample(rng))
        }
        DurationDist::Weibull { scale, shape } => {
            Weibull::new(scale, shape).map_or(0.0, |d| d.sample(rng))
        }
        DurationDist::Pareto { scale, shape } => {
            Pareto::new(scale, shape).map_or(0.0, |d| d.sample(rng))
        }
        DurationDist::Empirical(ref e) => {
            let n = e.values.len();
            return match n {
                0 => SimTime::ZERO,
                _ => SimTime(e.values[rng.random_range(0..n)]),
            };
        }
    };
    SimTime::from_secs_f64(secs)
}

/// The distribution's mean in seconds (infinite for a Pareto with shape ≤ 1).
pub fn mean_secs(dist: &DurationDist) -> f64 {
    match *dist {
        DurationDist::Constant { value } => value,
        DurationDist::Exponential { mean } => mean,
        DurationDist::Uniform { min, max } => (min + max) / 2.0,
        DurationDist::LogNormal { median, sigma } => median * (sigma * sigma / 2.0).exp(),
        DurationDist::Weibull { scale, shape } => scale * gamma(1.0 + 1.0 / shape),
        DurationDist::Pareto { scale, shape } => {
            if shape <= 1.0 {
                f64::INFINITY
            } else {
                shape * scale / (shape - 1.0)
            }
        }
        DurationDist::Empirical(ref e) => {
            let n = e.values.len().max(1) as f64;
            e.values.iter().map(|&v| v as f64 / 1e6).sum::<f64>() / n
        }
    }
}

/// Reads the run times of a trace's pods (a known duration, an end time, or
/// a later end event, as the format gives them) and keeps a uniform sample of
/// at most [`EmpiricalSample::MAX_VALUES`] of them, chosen by reservoir
/// sampling (Vitter's algorithm R) from the stream `stream` of `seed`. Pods
/// whose run time the trace does not know are counted and skipped, as are
/// rows that cannot be read. Memory stays bounded whatever the trace's size.
pub fn load_empirical(
    format: TraceFormat,
    files: &[PathBuf],
    seed: u64,
    stream: &str,
) -> Result<EmpiricalSample, TraceError> {
    let tf = TraceFiles {
        pods: files.to_vec(),
        nodes: Vec::new(),
    };
    let items = open_pods(format, &tf, &Scales::default())?;
    let mut rng = RngStreams::new(seed).stream(stream);
    reservoir(items, &mut rng, EmpiricalSample::MAX_VALUES).map(|(values, seen, bad, none)| {
        EmpiricalSample {
            source: describe_files(files),
            values: values.into(),
            seen,
            bad_rows: bad,
            no_run_time: none,
        }
    })
}

/// Algorithm R over the run times of `items`: (sorted values, usable values
/// seen, bad rows, pods without a run time).
#[allow(clippy::type_complexity)]
fn reservoir(
    items: impl Iterator<Item = Result<PodItem, crate::workload::trace::BadRow>>,
    rng: &mut SimRng,
    cap: usize,
) -> Result<(Vec<u64>, u64, u64, u64), TraceError> {
    let (mut seen, mut bad, mut none) = (0u64, 0u64, 0u64);
    let mut kept: Vec<u64> = Vec::new();
    for item in items {
        let v = match item {
            Err(_) => {
                bad += 1;
                continue;
            }
            Ok(PodItem::Pod(p)) => match p.run {
                TraceRun::For(d) => d,
                TraceRun::Forever => {
                    none += 1;
                    continue;
                }
                // Its run time comes in a later end item.
                TraceRun::UntilEnd => continue,
            },
            Ok(PodItem::End { ran, .. }) => ran,
        };
        seen += 1;
        if kept.len() < cap {
            kept.push(v.as_micros());
        } else {
            let j = rng.random_range(0..seen);
            if j < cap as u64 {
                kept[j as usize] = v.as_micros();
            }
        }
    }
    kept.sort_unstable();
    Ok((kept, seen, bad, none))
}

/// Names a list of files for a message: the first, and how many more.
pub fn describe_files(files: &[PathBuf]) -> String {
    match files {
        [] => "<no file>".to_string(),
        [one] => one.display().to_string(),
        [first, rest @ ..] => format!("{} (and {} more files)", first.display(), rest.len()),
    }
}

/// The gamma function (Lanczos approximation, g = 7), for the Weibull mean.
fn gamma(x: f64) -> f64 {
    const G: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        std::f64::consts::PI / ((std::f64::consts::PI * x).sin() * gamma(1.0 - x))
    } else {
        let x = x - 1.0;
        let mut a = G[0];
        let t = x + 7.5;
        for (i, g) in G.iter().enumerate().skip(1) {
            a += g / (x + i as f64);
        }
        (2.0 * std::f64::consts::PI).sqrt() * t.powf(x + 0.5) * (-t).exp() * a
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RngStreams;

    fn mean_of(dist: &DurationDist, n: usize) -> f64 {
        let mut rng = RngStreams::new(7).stream("t");
        (0..n)
            .map(|_| sample_duration(dist, &mut rng).as_secs_f64())
            .sum::<f64>()
            / n as f64
    }

    #[test]
    fn sample_means_match_theory() {
        // 200k draws: the standard error of the mean is sd/√n ≈ 0.2–0.5 % of
        // the mean for these shapes; 2 % is over four standard errors.
        let n = 200_000;
        for d in [
            DurationDist::Constant { value: 30.0 },
            DurationDist::Exponential { mean: 300.0 },
            DurationDist::Uniform {
                min: 10.0,
                max: 50.0,
            },
            DurationDist::LogNormal {
                median: 100.0,
                sigma: 0.5,
            },
            DurationDist::Weibull {
                scale: 100.0,
                shape: 1.5,
            },
            DurationDist::Pareto {
                scale: 10.0,
                shape: 3.5,
            },
        ] {
            let (got, want) = (mean_of(&d, n), mean_secs(&d));
            assert!(
                (got - want).abs() / want < 0.02,
                "{d:?}: mean {got} vs {want}"
            );
        }
    }

    #[test]
    fn reservoir_keeps_a_uniform_sample_of_bounded_size() {
        use crate::cluster::{PodKind, Resources};
        use crate::workload::trace::TracePod;
        let pod = |k: u64| {
            Ok(PodItem::Pod(TracePod {
                key: k.to_string(),
                owner: "o".into(),
                kind: PodKind::Job,
                submit: SimTime::ZERO,
                run: TraceRun::For(SimTime::from_secs(k)),
                requests: Resources::new(1, 1),
                priority: 0,
            }))
        };
        let n = 100_000u64;
        let cap = 2_000;
        let mut rng = RngStreams::new(3).stream("r");
        let (kept, seen, bad, none) = reservoir((1..=n).map(pod), &mut rng, cap).unwrap();
        assert_eq!((kept.len(), seen, bad, none), (cap, n, 0, 0));
        // Uniform over 1..=n: KS distance of the kept values from the
        // uniform CDF. The critical value at alpha = 0.001 is 1.95/sqrt(cap)
        // = 0.0436; a reservoir biased towards early or late rows (the usual
        // bug) sits far above it.
        let d = kept
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let f = (v as f64 / 1e6) / n as f64;
                let lo = i as f64 / cap as f64;
                let hi = (i + 1) as f64 / cap as f64;
                (f - lo).abs().max((hi - f).abs())
            })
            .fold(0.0, f64::max);
        assert!(d < 1.95 / (cap as f64).sqrt(), "KS distance {d}");
        // Fewer values than the bound: all are kept.
        let (kept, seen, _, _) = reservoir((1..=10).map(pod), &mut rng, cap).unwrap();
        assert_eq!((kept.len(), seen), (10, 10));
    }

    #[test]
    fn gamma_known_values() {
        assert!((gamma(5.0) - 24.0).abs() < 1e-9);
        assert!((gamma(0.5) - std::f64::consts::PI.sqrt()).abs() < 1e-12);
    }
}
