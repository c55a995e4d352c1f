//! The synthetic generators draw from the distributions they claim.
//!
//! Each test uses a fixed seed, so it is deterministic; the tolerances are
//! what a correct sampler would pass with probability 0.999 for a random
//! seed (alpha = 0.001), so a failure means a wrong sampler, not bad luck.
//!
//! - Continuous run-time distributions: the Kolmogorov–Smirnov distance of
//!   n = 20,000 draws from the exact CDF, against the asymptotic critical
//!   value c(0.001) / √n with c(0.001) = √(−ln(0.0005) / 2) = 1.9495, i.e.
//!   0.01378. Draws are rounded to the microsecond; with every parameter at
//!   one second or more, that moves the CDF by under 10⁻⁶.
//! - Discrete ones (empirical, size mixes): KS for discrete distributions
//!   with the same critical value (conservative for discrete data), and
//!   Pearson's χ² with the 0.999 quantile of its degrees of freedom.
//! - Arrival processes: counts per hour of day (diurnal) are independent
//!   Poisson variables with known means, so Pearson's χ² over 24 bins has 24
//!   degrees of freedom (0.999 quantile 51.18); the bursty process's count
//!   over a long time is compared with its long-run mean, in units of the
//!   MMPP's asymptotic standard deviation, against the two-sided normal
//!   quantile 3.29.
//!
//! Run with `--nocapture` to see the measured statistics.

use podsim::engine::{RngStreams, SimTime};
use podsim::scenario::{Arrival, DurationDist, Scenario};
use podsim::workload::synthetic::load_empirical;
use podsim::workload::{sample_duration, JobGenerator};
use std::path::{Path, PathBuf};

/// c(alpha) / sqrt(n) for alpha = 0.001.
fn ks_critical(n: usize) -> f64 {
    (-(0.0005f64).ln() / 2.0).sqrt() / (n as f64).sqrt()
}

/// The KS distance of sorted continuous samples from `cdf`.
fn ks(sorted: &[f64], cdf: impl Fn(f64) -> f64) -> f64 {
    let n = sorted.len() as f64;
    sorted
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = cdf(x);
            (f - i as f64 / n).max((i + 1) as f64 / n - f)
        })
        .fold(0.0, f64::max)
}

/// The KS distance of samples from a discrete distribution given by its
/// support points and their probabilities, both sides of every jump.
fn ks_discrete(samples: &[u64], support: &[(u64, f64)]) -> f64 {
    let n = samples.len() as f64;
    let mut sorted = samples.to_vec();
    sorted.sort_unstable();
    let (mut d, mut f, mut k) = (0.0f64, 0.0f64, 0usize);
    for &(v, p) in support {
        let below = k as f64 / n;
        d = d.max((below - f).abs()); // just before v
        while k < sorted.len() && sorted[k] <= v {
            assert!(sorted[k] == v, "a sample {} outside the support", sorted[k]);
            k += 1;
        }
        f += p;
        d = d.max((k as f64 / n - f).abs()); // at v
    }
    assert_eq!(k, sorted.len(), "samples above the support");
    d
}

/// Abramowitz and Stegun 7.1.26 (absolute error under 1.5e-7).
fn erf(x: f64) -> f64 {
    let s = x.signum();
    let x = x.abs();
    let t = 1.0 / (1.0 + 0.327_591_1 * x);
    let y = 1.0
        - (((((1.061_405_429 * t - 1.453_152_027) * t) + 1.421_413_741) * t - 0.284_496_736) * t
            + 0.254_829_592)
            * t
            * (-x * x).exp();
    s * y
}

fn normal_cdf(z: f64) -> f64 {
    0.5 * (1.0 + erf(z / std::f64::consts::SQRT_2))
}

/// `n` draws of `dist` from a fixed stream, in seconds, sorted. Each case
/// takes its own stream: the KS distance is unchanged by a monotone
/// transform, so inverse-CDF samplers fed the same uniforms would all give
/// the same distance, and the cases would not be separate checks.
fn draws(dist: &DurationDist, n: usize, stream: &str) -> Vec<f64> {
    let mut rng = RngStreams::new(2024).stream(stream);
    let mut v: Vec<f64> = (0..n)
        .map(|_| sample_duration(dist, &mut rng).as_secs_f64())
        .collect();
    v.sort_by(f64::total_cmp);
    v
}

#[test]
fn run_time_distributions_pass_kolmogorov_smirnov() {
    let n = 20_000;
    let crit = ks_critical(n);
    type Cdf = Box<dyn Fn(f64) -> f64>;
    let cases: Vec<(DurationDist, Cdf)> = vec![
        (
            DurationDist::Exponential { mean: 300.0 },
            Box::new(|x| 1.0 - (-x / 300.0).exp()),
        ),
        (
            DurationDist::Uniform {
                min: 60.0,
                max: 360.0,
            },
            Box::new(|x| ((x - 60.0) / 300.0).clamp(0.0, 1.0)),
        ),
        (
            DurationDist::LogNormal {
                median: 240.0,
                sigma: 0.6,
            },
            Box::new(|x| normal_cdf((x.ln() - 240f64.ln()) / 0.6)),
        ),
        (
            DurationDist::Weibull {
                scale: 100.0,
                shape: 1.5,
            },
            Box::new(|x| 1.0 - (-(x / 100.0).powf(1.5)).exp()),
        ),
        (
            DurationDist::Weibull {
                scale: 50.0,
                shape: 0.7,
            },
            Box::new(|x| 1.0 - (-(x / 50.0).powf(0.7)).exp()),
        ),
        (
            DurationDist::Pareto {
                scale: 10.0,
                shape: 1.5,
            },
            Box::new(|x| {
                if x < 10.0 {
                    0.0
                } else {
                    1.0 - (10.0 / x).powf(1.5)
                }
            }),
        ),
    ];
    for (k, (dist, cdf)) in cases.into_iter().enumerate() {
        let d = ks(&draws(&dist, n, &format!("test/durations/{k}")), cdf);
        println!("KS {dist:?}: D = {d:.5} (critical {crit:.5} at n = {n})");
        assert!(d < crit, "{dist:?}: KS distance {d} ≥ {crit}");
    }
    // The test has power: the same exponential draws against a mean 10 %
    // off (the CDFs differ by up to 0.035) are rejected.
    let d = ks(
        &draws(
            &DurationDist::Exponential { mean: 300.0 },
            n,
            "test/durations/0",
        ),
        |x| 1.0 - (-x / 330.0).exp(),
    );
    assert!(d > crit, "a wrong mean passed: D = {d}");
    let c = draws(&DurationDist::Constant { value: 42.5 }, 100, "c");
    assert!(c.iter().all(|&x| x == 42.5));
}

/// A podsim trace whose pods have the given run times (`None`: runs to the end).
fn write_trace(dir: &Path, name: &str, rows: impl Iterator<Item = (f64, Option<u64>)>) -> PathBuf {
    use std::io::Write;
    let path = dir.join(name);
    let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
    writeln!(f, "id,submit_s,duration_s,cpu,memory").unwrap();
    for (i, (submit, dur)) in rows.enumerate() {
        let d = dur.map(|d| d.to_string()).unwrap_or_default();
        writeln!(f, "p{i},{submit},{d},1,1Gi").unwrap();
    }
    path
}

fn scenario(dir: &Path, job: &str) -> Scenario {
    let text = format!(
        "name = \"t\"\nhorizon = \"1000d\"\nseed = 5\n[[pools]]\nname = \"w\"\ncount = 1\ncpu = \"4\"\nmemory = \"16Gi\"\n[[jobs]]\nname = \"j\"\n{job}\n"
    );
    let file = dir.join("t.toml");
    std::fs::write(&file, &text).unwrap();
    Scenario::load(&file).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn empirical_durations_resample_the_trace() {
    let dir = tempfile::tempdir().unwrap();
    // A skewed trace: run time k seconds appears k times (k = 1..=60), with
    // some pods that run to the end and must be left out.
    let rows = (1..=60u64)
        .flat_map(|k| std::iter::repeat_n(Some(k), k as usize))
        .chain(std::iter::repeat_n(None, 50))
        .map(|d| (0.0, d));
    write_trace(dir.path(), "pods.csv", rows);
    let sc = scenario(
        dir.path(),
        "count = 1\ncpu = \"1\"\nmemory = \"1Gi\"\narrival = { process = \"at-once\" }\nduration = { dist = \"empirical\", file = \"pods.csv\" }",
    );
    let DurationDist::Empirical(e) = &sc.jobs[0].duration else {
        panic!("not empirical");
    };
    let total: u64 = (1..=60).sum();
    assert_eq!(
        (e.values.len() as u64, e.seen, e.no_run_time),
        (total, total, 50)
    );
    let n = 20_000;
    let mut rng = RngStreams::new(9).stream("test/empirical");
    let samples: Vec<u64> = (0..n)
        .map(|_| sample_duration(&sc.jobs[0].duration, &mut rng).as_micros())
        .collect();
    let support: Vec<(u64, f64)> = (1..=60u64)
        .map(|k| (k * 1_000_000, k as f64 / total as f64))
        .collect();
    let d = ks_discrete(&samples, &support);
    let crit = ks_critical(n);
    println!("KS empirical: D = {d:.5} (critical {crit:.5} at n = {n})");
    assert!(d < crit, "KS distance {d} ≥ {crit}");
}

#[test]
fn an_empirical_sample_is_bounded_and_uniform_over_the_trace() {
    let dir = tempfile::tempdir().unwrap();
    let n = 150_000u64;
    let path = write_trace(dir.path(), "big.csv", (1..=n).map(|k| (0.0, Some(k))));
    let fmt = podsim::workload::trace::TraceFormat::Podsim;
    let e = load_empirical(fmt, std::slice::from_ref(&path), 1, "x").unwrap();
    let cap = podsim::scenario::EmpiricalSample::MAX_VALUES;
    assert_eq!((e.values.len(), e.seen), (cap, n));
    // The kept values against the trace's uniform distribution on 1..=n:
    // a sample without replacement is closer to the population than an
    // independent one, so the usual critical value is conservative.
    let sorted: Vec<f64> = e.values.iter().map(|&v| v as f64 / 1e6).collect();
    let d = ks(&sorted, |x| x / n as f64);
    let crit = ks_critical(cap);
    println!("KS reservoir of {cap} from {n}: D = {d:.5} (critical {crit:.5})");
    assert!(d < crit, "KS distance {d} ≥ {crit}");
    // The same seed and stream keep the same values; another stream does not.
    assert_eq!(
        load_empirical(fmt, std::slice::from_ref(&path), 1, "x")
            .unwrap()
            .values,
        e.values
    );
    assert_ne!(
        load_empirical(fmt, &[path], 1, "y").unwrap().values,
        e.values
    );
}

#[test]
fn a_sizes_mix_draws_each_size_by_its_weight() {
    let dir = tempfile::tempdir().unwrap();
    let n = 30_000u32;
    let sc = scenario(
        dir.path(),
        &format!("count = {n}\narrival = {{ process = \"at-once\" }}\nduration = {{ dist = \"constant\", value = \"1s\" }}\nsizes = [\n  {{ cpu = \"250m\", memory = \"512Mi\", weight = 3 }},\n  {{ cpu = \"1\", memory = \"2Gi\" }},\n  {{ cpu = \"4\", memory = \"8Gi\", weight = 6 }},\n]"),
    );
    let job = &sc.jobs[0];
    assert_eq!(job.sizes.len(), 3);
    let mut g = JobGenerator::new(job, 11).unwrap();
    let mut counts = [0u64; 3];
    while let Some(t) = g.take().unwrap() {
        counts[t.size] += 1;
    }
    let p = [0.3, 0.1, 0.6];
    let chi2: f64 = (0..3)
        .map(|k| {
            let e = p[k] * n as f64;
            (counts[k] as f64 - e).powi(2) / e
        })
        .sum();
    // 2 degrees of freedom (the total is fixed): the 0.999 quantile is 13.82.
    println!("sizes {counts:?}: chi2 = {chi2:.2} (critical 13.82, 2 df)");
    assert!(chi2 < 13.82, "{counts:?}: chi2 {chi2}");
}

/// Arrival times of a job's generator, in seconds, up to `until` seconds.
fn arrivals(sc: &Scenario, seed: u64, until: f64) -> Vec<f64> {
    let mut g = JobGenerator::new(&sc.jobs[0], seed).unwrap();
    let mut out = Vec::new();
    while let Some((t, _)) = g.peek() {
        if t.as_secs_f64() > until {
            break;
        }
        out.push(g.take().unwrap().unwrap().submit.as_secs_f64());
    }
    out
}

/// Pearson's χ² of arrivals per hour of day against the curve's integral.
fn hourly_chi2(sc: &Scenario, times: &[f64], days: f64) -> (f64, [u64; 24], [f64; 24]) {
    let Arrival::Diurnal(curve) = &sc.jobs[0].arrival else {
        panic!("not diurnal");
    };
    let mut counts = [0u64; 24];
    for t in times {
        counts[((t % 86_400.0) / 3600.0) as usize] += 1;
    }
    let mut expected = [0.0; 24];
    let mut chi2 = 0.0;
    for h in 0..24 {
        let a = h as f64 * 3600.0;
        expected[h] = days * curve.expected_between(a, a + 3600.0);
        if expected[h] > 0.0 {
            chi2 += (counts[h] as f64 - expected[h]).powi(2) / expected[h];
        } else {
            assert_eq!(counts[h], 0, "arrivals in hour {h}, whose weight is zero");
        }
    }
    (chi2, counts, expected)
}

#[test]
fn diurnal_sine_hourly_counts_follow_the_curve() {
    let dir = tempfile::tempdir().unwrap();
    let days = 200.0;
    let sc = scenario(
        dir.path(),
        "count = 10000000\ncpu = \"1\"\nmemory = \"1Gi\"\narrival = { process = \"diurnal\", mean-rate = \"2/m\", amplitude = 0.6, peak = \"14h\" }\nduration = { dist = \"constant\", value = \"1s\" }",
    );
    let times = arrivals(&sc, 3, days * 86_400.0);
    let (chi2, counts, expected) = hourly_chi2(&sc, &times, days);
    println!(
        "diurnal sine: {} arrivals in {days} days, chi2 = {chi2:.2} (critical 51.18, 24 df)\n  counts {counts:?}\n  expected {:?}",
        times.len(),
        expected.map(|e| e.round())
    );
    assert!(chi2 < 51.18, "chi2 {chi2}");
    // The busiest hours straddle the peak at 14h; the quietest, 2h.
    let max_h = (0..24).max_by_key(|&h| counts[h]).unwrap();
    let min_h = (0..24).min_by_key(|&h| counts[h]).unwrap();
    assert!((13..=14).contains(&max_h), "busiest hour {max_h}");
    assert!((1..=2).contains(&min_h), "quietest hour {min_h}");
    // The mean rate over whole days is the mean-rate (2/min): Poisson count,
    // sd = sqrt(mean); 3.29 sd is the two-sided 0.001 bound.
    let mean = 2.0 / 60.0 * 86_400.0 * days;
    let z = (times.len() as f64 - mean) / mean.sqrt();
    println!("  total: z = {z:.2}");
    assert!(z.abs() < 3.29);
}

#[test]
fn diurnal_hourly_weights_and_time_of_day() {
    let dir = tempfile::tempdir().unwrap();
    let days = 100.0;
    // Office hours, no arrivals at night; time 0 is 06:00.
    let sc = scenario(
        dir.path(),
        "count = 10000000\ncpu = \"1\"\nmemory = \"1Gi\"\narrival = { process = \"diurnal\", mean-rate = \"1/m\", time-of-day = \"6h\", hourly = [0, 0, 0, 0, 0, 0, 0, 1, 2, 4, 4, 4, 3, 4, 4, 4, 3, 2, 1, 1, 0.5, 0, 0, 0] }\nduration = { dist = \"constant\", value = \"1s\" }",
    );
    // Counted in the curve's own clock (time of day = t + 6h).
    let times: Vec<f64> = arrivals(&sc, 4, days * 86_400.0)
        .into_iter()
        .map(|t| t + 6.0 * 3600.0)
        .collect();
    let Arrival::Diurnal(curve) = &sc.jobs[0].arrival else {
        panic!()
    };
    // hourly_chi2 integrates from midnight of the curve's clock.
    let mut c = curve.clone();
    c.time_of_day = SimTime::ZERO;
    let mut sc0 = sc.clone();
    sc0.jobs[0].arrival = Arrival::Diurnal(c);
    // Arrivals in the first 6 h of the curve's day 0 were never generated,
    // and the last day is cut 6 h short: count whole days only.
    let whole: Vec<f64> = times
        .into_iter()
        .filter(|&t| t >= 86_400.0 && t < days * 86_400.0)
        .collect();
    let (chi2, counts, _) = hourly_chi2(&sc0, &whole, days - 1.0);
    let df = 24 - 8; // the eight hours of weight zero have no variable
                     // 0.999 quantile of chi2 with 16 df.
    println!("diurnal hourly: chi2 = {chi2:.2} (critical 39.25, {df} df)\n  counts {counts:?}");
    assert!(chi2 < 39.25, "chi2 {chi2}");
}

#[test]
fn bursty_long_run_rate_and_dispersion_match_on_off_theory() {
    let dir = tempfile::tempdir().unwrap();
    let sc = scenario(
        dir.path(),
        "count = 100000000\ncpu = \"1\"\nmemory = \"1Gi\"\narrival = { process = \"bursty\", on-rate = \"10/m\", off-rate = \"1/m\", mean-on = \"5m\", mean-off = \"20m\" }\nduration = { dist = \"constant\", value = \"1s\" }",
    );
    let Arrival::Bursty(p) = &sc.jobs[0].arrival else {
        panic!()
    };
    let days = 400usize;
    let t_end = days as f64 * 86_400.0;
    let times = arrivals(&sc, 6, t_end);
    // Long-run rate: λ̄ = p_on λ_on + (1 − p_on) λ_off = 0.2 × 10 + 0.8 × 1 = 2.8/min.
    let mean = p.mean_rate() * t_end;
    let sd = (p.count_variance_rate() * t_end).sqrt();
    let z = (times.len() as f64 - mean) / sd;
    println!(
        "bursty: {} arrivals, expected {mean:.0} ± {sd:.0} (MMPP sd; Poisson would be ± {:.0}): z = {z:.2}",
        times.len(),
        mean.sqrt()
    );
    assert!((p.mean_rate() * 60.0 - 2.8).abs() < 1e-12);
    assert!(z.abs() < 3.29, "z = {z}");
    // Dispersion: the variance of daily counts over their length tends to
    // λ̄ + 2 (λ_on − λ_off)² αβ / (α + β)³ (here 106.5/min, against 2.8 for
    // Poisson). A day is 360 times the process's correlation time 1/(α+β),
    // so the finite-window correction is under 0.3 %. The sample variance
    // of 400 counts has a relative standard error of √(2/399) = 7.1 %, so
    // 3.29 × 7.1 % = 23 % is the 0.001 bound.
    let mut daily = vec![0u64; days];
    for t in &times {
        daily[((*t / 86_400.0) as usize).min(days - 1)] += 1;
    }
    let m = daily.iter().sum::<u64>() as f64 / days as f64;
    let var = daily.iter().map(|&c| (c as f64 - m).powi(2)).sum::<f64>() / (days - 1) as f64;
    let got = var / 86_400.0;
    let want = p.count_variance_rate();
    println!(
        "  variance rate {:.1}/min, theory {:.1}/min (ratio {:.3})",
        got * 60.0,
        want * 60.0,
        got / want
    );
    assert!((got / want - 1.0).abs() < 0.23, "ratio {}", got / want);
}

#[test]
fn poisson_every_and_at_once_arrivals() {
    let dir = tempfile::tempdir().unwrap();
    // Poisson gaps are exponential: KS on 20,000 gaps of mean 30 s.
    let sc = scenario(
        dir.path(),
        "count = 20001\ncpu = \"1\"\nmemory = \"1Gi\"\narrival = { process = \"poisson\", rate = \"2/m\" }\nduration = { dist = \"constant\", value = \"1s\" }",
    );
    let t = arrivals(&sc, 8, f64::INFINITY);
    assert_eq!(t.len(), 20_001);
    let mut gaps: Vec<f64> = t.windows(2).map(|w| w[1] - w[0]).collect();
    gaps.sort_by(f64::total_cmp);
    let d = ks(&gaps, |x| 1.0 - (-x / 30.0).exp());
    let crit = ks_critical(gaps.len());
    println!("KS poisson gaps: D = {d:.5} (critical {crit:.5})");
    assert!(d < crit);

    let sc = scenario(
        dir.path(),
        "count = 4\ncpu = \"1\"\nmemory = \"1Gi\"\narrival = { process = \"every\", interval = \"90s\", start = \"10s\" }\nduration = { dist = \"constant\", value = \"1s\" }",
    );
    assert_eq!(arrivals(&sc, 1, f64::INFINITY), [10.0, 100.0, 190.0, 280.0]);

    let sc = scenario(
        dir.path(),
        "count = 5\ncpu = \"1\"\nmemory = \"1Gi\"\narrival = { process = \"at-once\", at = \"7s\" }\nduration = { dist = \"constant\", value = \"1s\" }",
    );
    let g = JobGenerator::new(&sc.jobs[0], 1).unwrap();
    assert_eq!(g.peek(), Some((SimTime::from_secs(7), 5)));
}

#[test]
fn trace_arrivals_replay_the_submit_times() {
    let dir = tempfile::tempdir().unwrap();
    // Slightly out of order, as real traces are; two pods before `from`.
    let submits = [50.0, 100.0, 130.0, 120.0, 400.5, 900.0, 1000.0];
    write_trace(
        dir.path(),
        "arrivals.csv",
        submits.iter().map(|&s| (s, Some(1))),
    );
    let sc = scenario(
        dir.path(),
        "count = 100\ncpu = \"1\"\nmemory = \"1Gi\"\narrival = { process = \"trace\", file = \"arrivals.csv\", from = \"100s\", time-scale = 0.5 }\nduration = { dist = \"constant\", value = \"1s\" }",
    );
    // (t − 100) × 0.5, in time order; 50 is before `from`.
    assert_eq!(
        arrivals(&sc, 1, f64::INFINITY),
        [0.0, 10.0, 15.0, 150.25, 400.0, 450.0]
    );
    // `count` stops it early.
    let mut short = sc.clone();
    short.jobs[0].count = 2;
    assert_eq!(arrivals(&short, 1, f64::INFINITY), [0.0, 10.0]);
}
