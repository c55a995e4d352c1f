//! Arrival processes: when a job's tasks arrive. Every draw comes from the
//! job's own arrival stream, so adding a job or a process never shifts the
//! numbers another consumer sees.

use crate::engine::{SimRng, SimTime};
use crate::scenario::{Arrival, DailyCurve, OnOff};
use crate::workload::trace::{
    open_pods, PodItem, PodReplay, ReplayOptions, Scales, TraceError, TraceFiles,
};
use rand::RngExt;
use rand_distr::{Distribution, Exp};

/// The state of one job's arrival process.
pub(crate) enum ArrivalSampler {
    Poisson {
        rate_per_s: f64,
    },
    Every {
        interval: SimTime,
        start: SimTime,
    },
    AtOnce {
        at: SimTime,
    },
    Diurnal {
        curve: DailyCurve,
        /// The thinning bound: the curve's highest rate.
        peak: f64,
        /// The last candidate time, in seconds (kept as a float so rounding
        /// to microseconds does not accumulate).
        t: f64,
    },
    Bursty {
        p: OnOff,
        /// `None` until the first draw picks the starting state.
        on: Option<bool>,
        /// Time left in the current state, seconds.
        left: f64,
        t: f64,
    },
    Trace(Box<PodReplay>),
}

/// An exponential draw with the given rate; infinite for a rate of zero.
fn exp(rate: f64, rng: &mut SimRng) -> f64 {
    match Exp::new(rate) {
        Ok(d) if rate > 0.0 => d.sample(rng),
        _ => f64::INFINITY,
    }
}

impl ArrivalSampler {
    /// Sets up the process. A trace is opened here (and read lazily); `seed`
    /// only names the run, for the replay's bookkeeping.
    pub(crate) fn new(arrival: &Arrival, seed: u64) -> Result<Self, TraceError> {
        Ok(match arrival {
            Arrival::Poisson { rate_per_s } => ArrivalSampler::Poisson {
                rate_per_s: *rate_per_s,
            },
            Arrival::Every { interval, start } => ArrivalSampler::Every {
                interval: *interval,
                start: *start,
            },
            Arrival::AtOnce { at } => ArrivalSampler::AtOnce { at: *at },
            Arrival::Diurnal(curve) => ArrivalSampler::Diurnal {
                peak: curve.peak_rate(),
                curve: curve.clone(),
                t: 0.0,
            },
            Arrival::Bursty(p) => ArrivalSampler::Bursty {
                p: p.clone(),
                on: None,
                left: 0.0,
                t: 0.0,
            },
            Arrival::Trace(t) => {
                let files = TraceFiles {
                    pods: t.files.clone(),
                    nodes: Vec::new(),
                };
                let stream = open_pods(t.format, &files, &Scales::default())?;
                let opts = ReplayOptions {
                    from: t.from,
                    time_scale: t.time_scale,
                    ..ReplayOptions::default()
                };
                ArrivalSampler::Trace(Box::new(PodReplay::new(stream, opts, seed)))
            }
        })
    }

    /// The time of the first arrival, `None` if there is none.
    pub(crate) fn first(&mut self, rng: &mut SimRng) -> Result<Option<SimTime>, TraceError> {
        match self {
            ArrivalSampler::Every { start, .. } => Ok(Some(*start)),
            ArrivalSampler::AtOnce { at } => Ok(Some(*at)),
            _ => self.next(SimTime::ZERO, rng),
        }
    }

    /// The time of the arrival after one at `prev`, `None` if there is none.
    pub(crate) fn next(
        &mut self,
        prev: SimTime,
        rng: &mut SimRng,
    ) -> Result<Option<SimTime>, TraceError> {
        Ok(match self {
            // Each gap is rounded to the microsecond on its own, as podsim
            // always has, so existing scenarios keep their exact times.
            ArrivalSampler::Poisson { rate_per_s } => {
                let gap = exp(*rate_per_s, rng);
                gap.is_finite().then(|| prev + SimTime::from_secs_f64(gap))
            }
            ArrivalSampler::Every { interval, .. } => Some(prev + *interval),
            ArrivalSampler::AtOnce { .. } => None,
            ArrivalSampler::Diurnal { curve, peak, t } => {
                // Lewis–Shedler thinning: candidates at the peak rate, each
                // kept with probability rate(t) / peak. Exact for any curve
                // bounded by the peak.
                loop {
                    *t += exp(*peak, rng);
                    if !t.is_finite() {
                        break None;
                    }
                    let u: f64 = rng.random();
                    if u * *peak < curve.rate_at(*t) {
                        break Some(SimTime::from_secs_f64(*t));
                    }
                }
            }
            ArrivalSampler::Bursty { p, on, left, t } => {
                let mut state = match on {
                    Some(s) => *s,
                    None => {
                        // Start in the stationary state: on with probability
                        // mean-on / (mean-on + mean-off).
                        let s = rng.random::<f64>() < p.on_fraction();
                        *left = exp(1.0 / if s { p.mean_on_s } else { p.mean_off_s }, rng);
                        *on = Some(s);
                        s
                    }
                };
                loop {
                    let rate = if state {
                        p.on_rate_per_s
                    } else {
                        p.off_rate_per_s
                    };
                    // Within a state arrivals are Poisson; by memorylessness a
                    // candidate beyond the state's end is simply discarded.
                    let gap = exp(rate, rng);
                    if gap < *left {
                        *t += gap;
                        *left -= gap;
                        break Some(SimTime::from_secs_f64(*t));
                    }
                    *t += *left;
                    if !t.is_finite() {
                        break None;
                    }
                    state = !state;
                    *on = Some(state);
                    *left = exp(1.0 / if state { p.mean_on_s } else { p.mean_off_s }, rng);
                }
            }
            ArrivalSampler::Trace(replay) => loop {
                match replay.next_item()? {
                    Some(PodItem::Pod(p)) => break Some(p.submit),
                    Some(PodItem::End { .. }) => continue,
                    None => break None,
                }
            },
        })
    }

    /// For a trace: what was read and left out, for the run's event log.
    pub(crate) fn trace_stats(&self) -> Option<String> {
        match self {
            ArrivalSampler::Trace(r) => Some(r.stats.describe()),
            _ => None,
        }
    }
}
