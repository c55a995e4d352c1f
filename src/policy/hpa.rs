//! The horizontal pod autoscaler's decision, as kube-controller-manager's
//! `podautoscaler` package makes it for a CPU-utilization target: the
//! replica calculator (`desired = ceil(ratio × pods measured)`, the 10 %
//! tolerance, unready and missing pods treated conservatively), then the
//! behaviour's stabilization windows and rate policies, then min and max.
//!
//! [`decide`] only reads; the control plane applies the decision and
//! records it in the [`HpaHistory`] (the controller's memory of past
//! recommendations and scale events), so the same history and inputs always
//! give the same decision.

use crate::engine::SimTime;

/// Which policy of a direction wins (`selectPolicy`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelectPolicy {
    /// The policy that allows the biggest change (the default).
    Max,
    /// The policy that allows the smallest change.
    Min,
    /// No scaling in this direction.
    Disabled,
}

impl SelectPolicy {
    pub const NAMES: &'static [&'static str] = &["max", "min", "disabled"];

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "max" => Some(SelectPolicy::Max),
            "min" => Some(SelectPolicy::Min),
            "disabled" => Some(SelectPolicy::Disabled),
            _ => None,
        }
    }
}

/// How much one policy lets the replica count change within `period`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalingAmount {
    /// At most this many pods.
    Pods(u32),
    /// At most this percent of the count at the start of the period.
    Percent(u32),
}

/// One entry of `behavior.scaleUp.policies` or `scaleDown.policies`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScalingPolicy {
    pub amount: ScalingAmount,
    pub period: SimTime,
}

/// One direction's behaviour (`behavior.scaleUp` or `behavior.scaleDown`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScalingRules {
    /// Recommendations younger than this are considered.
    pub stabilization: SimTime,
    pub select: SelectPolicy,
    pub policies: Vec<ScalingPolicy>,
}

impl ScalingRules {
    /// Kubernetes' default scale-up: no stabilization; at most double the
    /// pods or add 4, whichever is more, every 15 s.
    pub fn default_up() -> Self {
        ScalingRules {
            stabilization: SimTime::ZERO,
            select: SelectPolicy::Max,
            policies: vec![
                ScalingPolicy {
                    amount: ScalingAmount::Percent(100),
                    period: SimTime::from_secs(15),
                },
                ScalingPolicy {
                    amount: ScalingAmount::Pods(4),
                    period: SimTime::from_secs(15),
                },
            ],
        }
    }

    /// Kubernetes' default scale-down: the highest recommendation of the
    /// last 5 minutes; any number of pods may go at once (100 % per 15 s).
    pub fn default_down() -> Self {
        ScalingRules {
            stabilization: SimTime::from_mins(5),
            select: SelectPolicy::Max,
            policies: vec![ScalingPolicy {
                amount: ScalingAmount::Percent(100),
                period: SimTime::from_secs(15),
            }],
        }
    }

    fn longest_period(&self) -> SimTime {
        self.policies
            .iter()
            .map(|p| p.period)
            .max()
            .unwrap_or(SimTime::ZERO)
    }
}

/// A service's HorizontalPodAutoscaler: a CPU utilization target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HpaSpec {
    /// Average CPU usage of the ready pods, in percent of their request.
    pub target_utilization: u32,
    pub min_replicas: u32,
    pub max_replicas: u32,
    pub scale_up: ScalingRules,
    pub scale_down: ScalingRules,
}

/// What the HPA sees of its target at a sync.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HpaInputs {
    /// The target's declared replicas (`scale.spec.replicas`).
    pub current: u32,
    /// Running pods: they carry the load and report usage.
    pub ready: u32,
    /// Pods not running yet (unscheduled, or starting): treated as using
    /// nothing when the metric says scale up, ignored otherwise.
    pub unready: u32,
    /// Pods on a dead node: no usage reported. Treated as using their whole
    /// request on a scale-down and nothing on a scale-up.
    pub missing: u32,
    /// The CPU request of one pod, millicores (more than zero).
    pub request_m: u64,
    /// The CPU all ready pods use together, millicores.
    pub usage_m: u64,
}

/// Why the HPA chose what it chose (for the event log).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Why {
    /// `replicas` is 0 while min-replicas is not: autoscaling is off.
    Disabled,
    /// The count was above max-replicas: set to max, no metric read.
    AboveMax,
    /// The count was below min-replicas: set to min, no metric read.
    BelowMin,
    /// No ready pod reports usage: the HPA cannot compute and does nothing.
    NoMetrics,
    /// From the metric. `proposal` is the replica calculator's count before
    /// the behaviour; `stabilized` the count after the stabilization window.
    Metric {
        proposal: u32,
        stabilized: u32,
        limit: Limit,
    },
}

/// What bounded the stabilized recommendation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    None,
    /// The scale-up policies (rate).
    ScaleUpRate,
    /// max-replicas.
    MaxReplicas,
    /// The scale-down policies (rate).
    ScaleDownRate,
    /// min-replicas.
    MinReplicas,
}

/// One sync's decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HpaDecision {
    pub current: u32,
    /// The new declared replicas; equal to `current` if nothing changes.
    pub desired: u32,
    /// The utilization the ready pods showed, percent (integer, as the HPA
    /// computes it), when there was one.
    pub utilization: Option<u32>,
    pub why: Why,
}

/// The controller's memory for one HPA: recent recommendations and scale
/// events. Entries too old to matter are dropped as new ones come.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HpaHistory {
    recommendations: Vec<(SimTime, u32)>,
    up_events: Vec<(SimTime, u32)>,
    down_events: Vec<(SimTime, u32)>,
}

/// `t` lies strictly after `now − window` (Go's `t.After(now.Add(-window))`).
fn within(t: SimTime, window: SimTime, now: SimTime) -> bool {
    t.0 as u128 + window.0 as u128 > now.0 as u128
}

/// `t` lies strictly before `now − window`.
fn older_than(t: SimTime, window: SimTime, now: SimTime) -> bool {
    (t.0 as u128 + window.0 as u128) < now.0 as u128
}

fn changes_in(events: &[(SimTime, u32)], period: SimTime, now: SimTime) -> i64 {
    events
        .iter()
        .filter(|(t, _)| within(*t, period, now))
        .map(|(_, n)| *n as i64)
        .sum()
}

impl HpaHistory {
    /// Records what the control plane did with `d` at `now`.
    pub fn record(&mut self, spec: &HpaSpec, d: &HpaDecision, now: SimTime) {
        if self.recommendations.is_empty() {
            // recordInitialRecommendation: the count the HPA found first.
            self.recommendations.push((now, d.current));
        }
        if let Why::Metric { proposal, .. } = d.why {
            let keep = spec
                .scale_up
                .stabilization
                .max(spec.scale_down.stabilization);
            self.recommendations
                .retain(|(t, _)| !older_than(*t, keep, now));
            self.recommendations.push((now, proposal));
        }
        if d.desired > d.current {
            let keep = spec.scale_up.longest_period();
            self.up_events.retain(|(t, _)| !older_than(*t, keep, now));
            self.up_events.push((now, d.desired - d.current));
        } else if d.desired < d.current {
            let keep = spec.scale_down.longest_period();
            self.down_events.retain(|(t, _)| !older_than(*t, keep, now));
            self.down_events.push((now, d.current - d.desired));
        }
    }
}

/// The utilization of `usage` over `requests`, in whole percent, truncated
/// (metricsclient.GetResourceUtilizationRatio).
fn utilization_pct(usage_m: u128, requests_m: u128) -> u32 {
    (usage_m * 100 / requests_m).min(u32::MAX as u128) as u32
}

fn within_tolerance(ratio: f64, tolerance: f64) -> bool {
    (1.0 - ratio).abs() <= tolerance
}

/// The replica calculator for a CPU utilization target (GetResourceReplicas):
/// `Some((replicas, utilization))`, or `None` when no ready pod reports usage.
pub fn replica_proposal(spec: &HpaSpec, tolerance: f64, x: &HpaInputs) -> Option<(u32, u32)> {
    if x.ready == 0 || x.request_m == 0 {
        return None;
    }
    let req = x.request_m as u128;
    let target = spec.target_utilization;
    let util = utilization_pct(x.usage_m as u128, x.ready as u128 * req);
    let ratio = util as f64 / target as f64;
    let scale_up_with_unready = x.unready > 0 && ratio > 1.0;
    if !scale_up_with_unready && x.missing == 0 {
        if within_tolerance(ratio, tolerance) {
            return Some((x.current, util));
        }
        return Some(((ratio * x.ready as f64).ceil() as u32, util));
    }
    let (mut usage, mut requests, mut counted) =
        (x.usage_m as u128, x.ready as u128 * req, x.ready as u64);
    if x.missing > 0 {
        if ratio < 1.0 {
            // As using their whole request, or the target if that is higher.
            let fallback = target.max(100) as u128;
            usage += x.missing as u128 * (req * fallback / 100);
            requests += x.missing as u128 * req;
            counted += x.missing as u64;
        } else if ratio > 1.0 {
            requests += x.missing as u128 * req;
            counted += x.missing as u64;
        }
    }
    if scale_up_with_unready {
        requests += x.unready as u128 * req;
        counted += x.unready as u64;
    }
    let new_ratio = utilization_pct(usage, requests) as f64 / target as f64;
    if within_tolerance(new_ratio, tolerance)
        || (ratio < 1.0 && new_ratio > 1.0)
        || (ratio > 1.0 && new_ratio < 1.0)
    {
        return Some((x.current, util));
    }
    let replicas = (new_ratio * counted as f64).ceil() as u32;
    if (new_ratio < 1.0 && replicas > x.current) || (new_ratio > 1.0 && replicas < x.current) {
        return Some((x.current, util));
    }
    Some((replicas, util))
}

fn scale_up_limit(rules: &ScalingRules, h: &HpaHistory, current: u32, now: SimTime) -> i64 {
    let cur = current as i64;
    let pick: fn(i64, i64) -> i64 = match rules.select {
        SelectPolicy::Disabled => return cur,
        SelectPolicy::Min => i64::min,
        SelectPolicy::Max => i64::max,
    };
    let mut result: Option<i64> = None;
    for p in &rules.policies {
        let start = cur - changes_in(&h.up_events, p.period, now)
            + changes_in(&h.down_events, p.period, now);
        let proposed = match p.amount {
            ScalingAmount::Pods(n) => start + n as i64,
            ScalingAmount::Percent(pct) => {
                (start as f64 * (1.0 + pct as f64 / 100.0)).ceil() as i64
            }
        };
        result = Some(result.map_or(proposed, |r| pick(r, proposed)));
    }
    result.unwrap_or(cur)
}

fn scale_down_limit(rules: &ScalingRules, h: &HpaHistory, current: u32, now: SimTime) -> i64 {
    let cur = current as i64;
    // The biggest change is the lowest count.
    let pick: fn(i64, i64) -> i64 = match rules.select {
        SelectPolicy::Disabled => return cur,
        SelectPolicy::Min => i64::max,
        SelectPolicy::Max => i64::min,
    };
    let mut result: Option<i64> = None;
    for p in &rules.policies {
        let start = cur + changes_in(&h.down_events, p.period, now)
            - changes_in(&h.up_events, p.period, now);
        let proposed = match p.amount {
            ScalingAmount::Pods(n) => start - n as i64,
            // Go's int32(float64) conversion truncates toward zero.
            ScalingAmount::Percent(pct) => (start as f64 * (1.0 - pct as f64 / 100.0)) as i64,
        };
        result = Some(result.map_or(proposed, |r| pick(r, proposed)));
    }
    result.unwrap_or(cur)
}

/// One sync of the HPA (reconcileAutoscaler with its default behaviour
/// path): what the target's replica count should become.
pub fn decide(
    spec: &HpaSpec,
    tolerance: f64,
    history: &HpaHistory,
    x: &HpaInputs,
    now: SimTime,
) -> HpaDecision {
    let current = x.current;
    let done = |desired: u32, utilization: Option<u32>, why: Why| HpaDecision {
        current,
        desired,
        utilization,
        why,
    };
    if current == 0 && spec.min_replicas != 0 {
        return done(current, None, Why::Disabled);
    }
    if current > spec.max_replicas {
        return done(spec.max_replicas, None, Why::AboveMax);
    }
    if current < spec.min_replicas {
        return done(spec.min_replicas, None, Why::BelowMin);
    }
    let Some((proposal, util)) = replica_proposal(spec, tolerance, x) else {
        return done(current, None, Why::NoMetrics);
    };

    // Stabilization: one direction's window, over the recommendations so
    // far (the first being the count found at the first sync).
    let initial = [(now, current)];
    let recs: &[(SimTime, u32)] = if history.recommendations.is_empty() {
        &initial
    } else {
        &history.recommendations
    };
    let mut stabilized = proposal;
    if proposal >= current {
        let w = spec.scale_up.stabilization;
        for &(t, r) in recs {
            if within(t, w, now) {
                stabilized = stabilized.min(r);
            }
        }
    } else {
        let w = spec.scale_down.stabilization;
        for &(t, r) in recs {
            if within(t, w, now) {
                stabilized = stabilized.max(r);
            }
        }
    }

    // Rate policies, then min and max.
    let mut desired = stabilized;
    let mut limit = Limit::None;
    if stabilized > current {
        let rate = scale_up_limit(&spec.scale_up, history, current, now).max(current as i64);
        let (allowed, why) = if (spec.max_replicas as i64) > rate {
            (rate as u32, Limit::ScaleUpRate)
        } else {
            (spec.max_replicas, Limit::MaxReplicas)
        };
        if stabilized > allowed {
            desired = allowed;
            limit = why;
        }
    } else if stabilized < current {
        let rate = scale_down_limit(&spec.scale_down, history, current, now).min(current as i64);
        let (allowed, why) = if (spec.min_replicas as i64) < rate {
            (rate as u32, Limit::ScaleDownRate)
        } else {
            (spec.min_replicas, Limit::MinReplicas)
        };
        if stabilized < allowed {
            desired = allowed;
            limit = why;
        }
    }
    done(
        desired,
        Some(util),
        Why::Metric {
            proposal,
            stabilized,
            limit,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(target: u32, min: u32, max: u32) -> HpaSpec {
        HpaSpec {
            target_utilization: target,
            min_replicas: min,
            max_replicas: max,
            scale_up: ScalingRules::default_up(),
            scale_down: ScalingRules::default_down(),
        }
    }

    /// `current` replicas, all ready, each using `pct` % of a 1000m request.
    fn at_pct(current: u32, pct: u64) -> HpaInputs {
        HpaInputs {
            current,
            ready: current,
            unready: 0,
            missing: 0,
            request_m: 1000,
            usage_m: current as u64 * pct * 10,
        }
    }

    #[test]
    fn the_upstream_formula() {
        let s = spec(60, 1, 100);
        // 4 pods at 90 % with a 60 % target: ceil(4 × 90 / 60) = 6.
        assert_eq!(replica_proposal(&s, 0.1, &at_pct(4, 90)), Some((6, 90)));
        // 65 % is within 10 % of 60 %: |65/60 − 1| = 0.083.
        assert_eq!(replica_proposal(&s, 0.1, &at_pct(4, 65)), Some((4, 65)));
        // 54 % is 0.9 of the target: exactly on the tolerance, held.
        assert_eq!(replica_proposal(&s, 0.1, &at_pct(4, 54)), Some((4, 54)));
        // 30 %: ceil(4 × 0.5) = 2.
        assert_eq!(replica_proposal(&s, 0.1, &at_pct(4, 30)), Some((2, 30)));
        // No load at all: 0 (min-replicas applies later).
        assert_eq!(replica_proposal(&s, 0.1, &at_pct(4, 0)), Some((0, 0)));
        // The utilization is truncated to a whole percent first: 2 pods
        // using 1333m of 2000m is 66 %, ratio 1.1, which is (in floating
        // point, as in Go) just outside the tolerance: ceil(1.1 × 2) = 3.
        let x = HpaInputs {
            usage_m: 1333,
            ..at_pct(2, 0)
        };
        assert_eq!(replica_proposal(&s, 0.1, &x), Some((3, 66)));
    }

    #[test]
    fn unready_pods_count_as_idle_only_on_a_scale_up() {
        let s = spec(50, 1, 100);
        // 2 ready pods at 150 % (3000m over 2000m), 2 pending: rebalanced,
        // 3000m over 4 pods is 75 %, ratio 1.5: ceil(1.5 × 4) = 6.
        let x = HpaInputs {
            current: 4,
            ready: 2,
            unready: 2,
            missing: 0,
            request_m: 1000,
            usage_m: 3000,
        };
        assert_eq!(replica_proposal(&s, 0.1, &x), Some((6, 150)));
        // Low usage: the pending pods are ignored; ceil(0.4 × 2) = 1.
        let x = HpaInputs { usage_m: 400, ..x };
        assert_eq!(replica_proposal(&s, 0.1, &x), Some((1, 20)));
        // 2 ready at 55 % and 2 pending: 1100m over 4000m is 27 %, ratio
        // 0.54 — the direction would flip, so the count holds.
        let x = HpaInputs { usage_m: 1100, ..x };
        assert_eq!(replica_proposal(&s, 0.1, &x).unwrap().0, 4);
    }

    #[test]
    fn missing_pods_damp_a_scale_down() {
        // 3 ready at 40 % of target 50, one missing: as using 100 %,
        // (1200 + 1000) / 4000 = 55 %, ratio 1.1 — the direction flips: held.
        let s = spec(50, 1, 100);
        let x = HpaInputs {
            current: 4,
            ready: 3,
            unready: 0,
            missing: 1,
            request_m: 1000,
            usage_m: 1200,
        };
        assert_eq!(replica_proposal(&s, 0.1, &x), Some((4, 40)));
        // Without the missing pod: ceil(0.8 × 3) = 3.
        let x = HpaInputs {
            missing: 0,
            current: 3,
            ..x
        };
        assert_eq!(replica_proposal(&s, 0.1, &x), Some((3, 40)));
    }

    #[test]
    fn no_ready_pod_means_no_metric() {
        let s = spec(50, 1, 100);
        let x = HpaInputs {
            current: 3,
            ready: 0,
            unready: 3,
            missing: 0,
            request_m: 1000,
            usage_m: 5000,
        };
        assert_eq!(replica_proposal(&s, 0.1, &x), None);
        let d = decide(&s, 0.1, &HpaHistory::default(), &x, SimTime::ZERO);
        assert_eq!((d.desired, d.why), (3, Why::NoMetrics));
    }

    #[test]
    fn scale_up_is_limited_to_double_or_plus_four_per_15s() {
        let s = spec(50, 1, 100);
        let h = HpaHistory::default();
        // 1 pod at 1000 %: proposal 20, allowed max(2, 1 + 4) = 5.
        let d = decide(&s, 0.1, &h, &at_pct(1, 1000), SimTime::ZERO);
        assert_eq!(d.desired, 5);
        assert!(matches!(
            d.why,
            Why::Metric {
                proposal: 20,
                limit: Limit::ScaleUpRate,
                ..
            }
        ));
        // 10 pods: double, 20.
        let d = decide(&s, 0.1, &h, &at_pct(10, 500), SimTime::ZERO);
        assert_eq!(d.desired, 20);
        // max-replicas wins when it is lower.
        let s = spec(50, 1, 8);
        let d = decide(&s, 0.1, &h, &at_pct(4, 200), SimTime::ZERO);
        assert_eq!(d.desired, 8);
        assert!(matches!(
            d.why,
            Why::Metric {
                limit: Limit::MaxReplicas,
                ..
            }
        ));
    }

    #[test]
    fn scale_down_takes_the_highest_recommendation_of_5_minutes() {
        let s = spec(50, 1, 100);
        let mut h = HpaHistory::default();
        let t = SimTime::from_secs;
        // At 0: 4 pods at 100 % → 8.
        let d = decide(&s, 0.1, &h, &at_pct(4, 100), t(0));
        assert_eq!(d.desired, 8);
        h.record(&s, &d, t(0));
        // From 15 s the load is 8 pods at 25 %: proposal 4, but 8 was
        // recommended at 0, within 5 min — held at 8 until the sync at
        // 300 s, when the recommendation at 0 is exactly 5 min old (out).
        for k in 1..=20u64 {
            let d = decide(&s, 0.1, &h, &at_pct(8, 25), t(15 * k));
            let want = if 15 * k < 300 { 8 } else { 4 };
            assert_eq!(d.desired, want, "at {}s", 15 * k);
            h.record(&s, &d, t(15 * k));
            if d.desired != 8 {
                break;
            }
        }
    }

    #[test]
    fn min_and_max_bound_the_count() {
        let s = spec(50, 2, 6);
        let h = HpaHistory::default();
        assert_eq!(
            decide(&s, 0.1, &h, &at_pct(9, 50), SimTime::ZERO).why,
            Why::AboveMax
        );
        assert_eq!(
            decide(&s, 0.1, &h, &at_pct(9, 50), SimTime::ZERO).desired,
            6
        );
        assert_eq!(
            decide(&s, 0.1, &h, &at_pct(1, 50), SimTime::ZERO).desired,
            2
        );
        assert_eq!(
            decide(&s, 0.1, &h, &at_pct(0, 50), SimTime::ZERO).why,
            Why::Disabled
        );
        // Idle: the proposal is 0, min-replicas holds 2 (after the window).
        let mut h = HpaHistory::default();
        h.recommendations.push((SimTime::ZERO, 2));
        let d = decide(&s, 0.1, &h, &at_pct(3, 0), SimTime::from_mins(10));
        assert_eq!(d.desired, 2);
    }
}
