//! A service's load: how much CPU (in millicores) its users demand over time.
//!
//! Every curve is a step function of simulated time, so that everything
//! computed from it (the horizontal pod autoscaler's metric, the demand and
//! the unmet demand integrated over a run) is exact integer arithmetic:
//!
//! - `constant`: one value for ever;
//! - `steps` and `csv`: a value from each listed time until the next (zero
//!   before the first);
//! - `diurnal`: the daily curve of the diurnal arrival process
//!   ([`DailyCurve`], shared with it), held for one minute at a time at its
//!   exact average over that minute, so the demand integrated over whole
//!   minutes equals the curve's integral (up to rounding to a millicore).

use crate::engine::SimTime;
use crate::scenario::DailyCurve;

/// How long the diurnal curve is held at one value.
pub const DIURNAL_STEP: SimTime = SimTime::from_mins(1);

/// A service's CPU demand over time.
#[derive(Clone, Debug, PartialEq)]
pub enum LoadCurve {
    /// Millicores for ever.
    Constant(u64),
    /// `(from, millicores)`, sorted by strictly increasing time: the value
    /// holds from its time until the next; before the first it is zero.
    Steps(Vec<(SimTime, u64)>),
    /// The diurnal curve, its rate read as cores, held for [`DIURNAL_STEP`].
    Diurnal(DailyCurve),
}

impl LoadCurve {
    /// Every curve name the file accepts.
    pub const NAMES: &'static [&'static str] = &["constant", "steps", "diurnal", "csv"];

    /// The demand, in millicores, at `t`.
    pub fn at(&self, t: SimTime) -> u64 {
        match self {
            LoadCurve::Constant(m) => *m,
            LoadCurve::Steps(steps) => {
                // The last step at or before t.
                let k = steps.partition_point(|(at, _)| *at <= t);
                if k == 0 {
                    0
                } else {
                    steps[k - 1].1
                }
            }
            LoadCurve::Diurnal(curve) => {
                let step = DIURNAL_STEP.as_micros();
                let start = t.as_micros() / step * step;
                let a = SimTime::from_micros(start).as_secs_f64();
                let b = SimTime::from_micros(start + step).as_secs_f64();
                let mean_cores = curve.expected_between(a, b) / (b - a);
                (mean_cores * 1000.0).round().max(0.0) as u64
            }
        }
    }

    /// The first time after `t` at which the demand may change, `None` if it
    /// never does.
    pub fn next_change_after(&self, t: SimTime) -> Option<SimTime> {
        match self {
            LoadCurve::Constant(_) => None,
            LoadCurve::Steps(steps) => {
                let k = steps.partition_point(|(at, _)| *at <= t);
                steps.get(k).map(|(at, _)| *at)
            }
            LoadCurve::Diurnal(_) => {
                let step = DIURNAL_STEP.as_micros();
                Some(SimTime::from_micros((t.as_micros() / step + 1) * step))
            }
        }
    }

    /// Calls `f(from, to, millicores)` for each stretch of constant demand
    /// covering `[from, to)`, in order.
    pub fn for_each_segment(
        &self,
        from: SimTime,
        to: SimTime,
        mut f: impl FnMut(SimTime, SimTime, u64),
    ) {
        let mut t = from;
        while t < to {
            let end = self.next_change_after(t).map_or(to, |n| n.min(to));
            f(t, end, self.at(t));
            t = end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::DailyShape;

    fn s(x: u64) -> SimTime {
        SimTime::from_secs(x)
    }

    #[test]
    fn steps_hold_from_their_time_until_the_next() {
        let c = LoadCurve::Steps(vec![(s(10), 500), (s(20), 2000)]);
        assert_eq!(c.at(s(0)), 0);
        assert_eq!(c.at(s(9)), 0);
        assert_eq!(c.at(s(10)), 500);
        assert_eq!(c.at(s(19)), 500);
        assert_eq!(c.at(s(20)), 2000);
        assert_eq!(c.at(s(1000)), 2000);
        assert_eq!(c.next_change_after(s(0)), Some(s(10)));
        assert_eq!(c.next_change_after(s(10)), Some(s(20)));
        assert_eq!(c.next_change_after(s(20)), None);
        let mut seen = Vec::new();
        c.for_each_segment(s(5), s(25), |a, b, m| seen.push((a, b, m)));
        assert_eq!(
            seen,
            vec![(s(5), s(10), 0), (s(10), s(20), 500), (s(20), s(25), 2000)]
        );
    }

    #[test]
    fn diurnal_minutes_average_the_curve() {
        // 2 cores on average, 3 at 14:00, 1 at 02:00.
        let c = LoadCurve::Diurnal(DailyCurve {
            mean_per_s: 2.0,
            shape: DailyShape::Sine {
                amplitude: 0.5,
                peak: SimTime::from_hours(14),
            },
            time_of_day: SimTime::ZERO,
        });
        // The minute starting at 13:59:30 is the minute 13:59–14:00.
        let near_peak = c.at(SimTime::from_secs(14 * 3600 - 30));
        assert!((2995..=3000).contains(&near_peak), "{near_peak}");
        assert_eq!(c.at(SimTime::from_secs(2 * 3600)), 1000);
        // Over a whole day the minutes add up to the mean.
        let mut total = 0u128;
        c.for_each_segment(SimTime::ZERO, SimTime::from_hours(24), |a, b, m| {
            total += m as u128 * (b - a).as_micros() as u128;
        });
        let mean_m = total as f64 / SimTime::from_hours(24).as_micros() as f64;
        assert!((mean_m - 2000.0).abs() < 0.5, "{mean_m}");
    }
}
