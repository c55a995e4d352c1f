//! Synthetic workloads: when job pods arrive and how long they run, drawn
//! from each job's own seeded streams.

use crate::engine::{SimRng, SimTime};
use crate::scenario::{Arrival, DurationDist};
use rand::RngExt;
use rand_distr::{Distribution, Exp, LogNormal, Pareto, Weibull};

/// The gap before the next arrival after one at `now` (the first arrival
/// uses `first_arrival`).
pub fn next_gap(arrival: &Arrival, rng: &mut SimRng) -> SimTime {
    match arrival {
        Arrival::Poisson { rate_per_s } => match Exp::new(*rate_per_s) {
            Ok(d) => SimTime::from_secs_f64(d.sample(rng)),
            Err(_) => SimTime::MAX,
        },
        Arrival::Every { interval, .. } => *interval,
        Arrival::AtOnce { .. } => SimTime::ZERO,
    }
}

/// When the first pod of a job arrives.
pub fn first_arrival(arrival: &Arrival, rng: &mut SimRng) -> SimTime {
    match arrival {
        Arrival::Poisson { .. } => next_gap(arrival, rng),
        Arrival::Every { start, .. } => *start,
        Arrival::AtOnce { at } => *at,
    }
}

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
    fn gamma_known_values() {
        assert!((gamma(5.0) - 24.0).abs() < 1e-9);
        assert!((gamma(0.5) - std::f64::consts::PI.sqrt()).abs() < 1e-12);
    }
}
