//! Per-service availability and time to full recovery after failures.
//!
//! Each service's availability is integrated on its own, exactly at every
//! change of its running or desired replicas, so the per-service numbers add
//! up to the cluster-wide `availability_pct`. A *failure* is one simulation
//! event that takes machines down (a node failure, a zone outage, a resize
//! restart); it *hits* a service when one of the service's replicas was
//! running or starting on a machine it took down. Its time to full recovery
//! for that service runs from the failure until the service next has all its
//! desired replicas running; the failure's own recovery time is the longest
//! over the services it hit.

use crate::engine::SimTime;

/// One row of `services.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceRecord {
    pub service: String,
    /// 100 × ∫ min(running, desired) dt / ∫ desired dt; `None` if it never
    /// desired a replica.
    pub availability_pct: Option<f64>,
    pub replicas_desired_at_end: u32,
    /// Failures that hit the service.
    pub failures: u64,
    /// Of those, failures it had not recovered from at the horizon.
    pub unrecovered: u64,
    /// Over the failures it recovered from, seconds.
    pub recovery_mean_s: Option<f64>,
    pub recovery_max_s: Option<f64>,
    /// ∫ min(running, desired) dt and ∫ desired dt, replica·µs: the
    /// numerator and denominator of `availability_pct`.
    pub available_integral: u128,
    pub desired_integral: u128,
}

/// The recovery columns of `summary.csv`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RecoverySummary {
    /// Failures over the run (each counted once, however many nodes it took down).
    pub failures: u64,
    /// Failures that hit a service and were not recovered from at the horizon.
    pub unrecovered: u64,
    /// Over failures that hit a service and were recovered from, seconds.
    pub recovery_mean_s: Option<f64>,
    pub recovery_max_s: Option<f64>,
}

#[derive(Clone, Debug, Default)]
struct ServiceTrack {
    last: SimTime,
    running: u32,
    desired: u32,
    available: u128,
    desired_integral: u128,
    /// Failures waiting for this service to be whole again.
    open: Vec<u32>,
    hits: u64,
    recovered: u64,
    recovery_sum: u128,
    recovery_max: SimTime,
}

#[derive(Clone, Debug)]
struct FailureTrack {
    at: SimTime,
    /// The simulation event that caused it: machines taken down by one
    /// event are one failure.
    event: u64,
    /// Services it hit that are not whole yet.
    open: u32,
    hit_any: bool,
    recovered_at: Option<SimTime>,
}

/// Tracks every service's replicas over time and the failures that hit them.
#[derive(Clone, Debug, Default)]
pub struct ServiceHealth {
    services: Vec<ServiceTrack>,
    failures: Vec<FailureTrack>,
}

impl ServiceHealth {
    pub fn new(services: usize) -> Self {
        ServiceHealth {
            services: vec![ServiceTrack::default(); services],
            failures: Vec::new(),
        }
    }

    /// Service `svc` now has `running` replicas running and wants `desired`.
    /// Integrates the previous state up to `now`; if the service is whole, the
    /// failures waiting on it are recovered for it.
    pub fn update(&mut self, svc: usize, now: SimTime, running: u32, desired: u32) {
        let s = &mut self.services[svc];
        let dt = (now - s.last).0 as u128;
        s.available += s.running.min(s.desired) as u128 * dt;
        s.desired_integral += s.desired as u128 * dt;
        s.last = now;
        s.running = running;
        s.desired = desired;
        if running >= desired && !s.open.is_empty() {
            for f in std::mem::take(&mut s.open) {
                let fail = &mut self.failures[f as usize];
                let took = now - fail.at;
                s.recovered += 1;
                s.recovery_sum += took.0 as u128;
                s.recovery_max = s.recovery_max.max(took);
                fail.open -= 1;
                if fail.open == 0 {
                    fail.recovered_at = Some(now);
                }
            }
        }
    }

    /// Machines went down at `now` during simulation event number `event`,
    /// taking down replicas of `hit` (service indexes, may repeat). Failures
    /// of one event count as one.
    pub fn failure(&mut self, now: SimTime, event: u64, hit: &[usize]) {
        let same = self
            .failures
            .last()
            .is_some_and(|f| f.event == event && f.at == now);
        if !same {
            self.failures.push(FailureTrack {
                at: now,
                event,
                open: 0,
                hit_any: false,
                recovered_at: None,
            });
        }
        let id = (self.failures.len() - 1) as u32;
        for &svc in hit {
            let s = &mut self.services[svc];
            if s.open.last() == Some(&id) {
                continue;
            }
            s.open.push(id);
            s.hits += 1;
            let f = &mut self.failures[id as usize];
            f.open += 1;
            f.hit_any = true;
            f.recovered_at = None;
            // Already whole (it had a replica to spare): recovered at once.
            if s.running >= s.desired {
                let (r, d) = (s.running, s.desired);
                self.update(svc, now, r, d);
            }
        }
    }

    /// Integrates every service up to the horizon.
    pub fn finish(&mut self, horizon: SimTime) {
        for svc in 0..self.services.len() {
            let s = &self.services[svc];
            let (r, d) = (s.running, s.desired);
            // Open failures stay open: integrate without recovering.
            let s = &mut self.services[svc];
            let dt = (horizon - s.last).0 as u128;
            s.available += r.min(d) as u128 * dt;
            s.desired_integral += d as u128 * dt;
            s.last = horizon;
        }
    }

    /// One record per service, named by `names`, in order.
    pub fn records(&self, names: &[String]) -> Vec<ServiceRecord> {
        self.services
            .iter()
            .zip(names)
            .map(|(s, name)| ServiceRecord {
                service: name.clone(),
                availability_pct: (s.desired_integral > 0)
                    .then(|| s.available as f64 * 100.0 / s.desired_integral as f64),
                replicas_desired_at_end: s.desired,
                failures: s.hits,
                unrecovered: s.open.len() as u64,
                recovery_mean_s: (s.recovered > 0)
                    .then(|| s.recovery_sum as f64 / s.recovered as f64 / 1e6),
                recovery_max_s: (s.recovered > 0).then(|| s.recovery_max.as_secs_f64()),
                available_integral: s.available,
                desired_integral: s.desired_integral,
            })
            .collect()
    }

    /// The run's recovery numbers.
    pub fn summary(&self) -> RecoverySummary {
        let hit = self.failures.iter().filter(|f| f.hit_any);
        let times: Vec<SimTime> = hit
            .clone()
            .filter_map(|f| f.recovered_at.map(|r| r - f.at))
            .collect();
        RecoverySummary {
            failures: self.failures.len() as u64,
            unrecovered: hit.filter(|f| f.recovered_at.is_none()).count() as u64,
            recovery_mean_s: (!times.is_empty()).then(|| {
                times.iter().map(|t| t.0 as u128).sum::<u128>() as f64 / times.len() as f64 / 1e6
            }),
            recovery_max_s: times.iter().max().map(|t| t.as_secs_f64()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: u64) -> SimTime {
        SimTime::from_secs(x)
    }

    #[test]
    fn a_failure_recovers_when_every_service_it_hit_is_whole() {
        let mut h = ServiceHealth::new(2);
        h.update(0, s(0), 2, 2);
        h.update(1, s(0), 1, 1);
        // At 100 s one event takes down a replica of each (the control plane
        // reports the failure once the replicas have stopped).
        h.update(0, s(100), 1, 2);
        h.update(1, s(100), 0, 1);
        h.failure(s(100), 7, &[0, 1, 0]);
        h.update(0, s(130), 2, 2); // service 0 whole after 30 s
        h.update(1, s(160), 1, 1); // service 1 after 60 s
        h.finish(s(200));
        let r = h.records(&["a".into(), "b".into()]);
        assert_eq!((r[0].failures, r[0].recovery_max_s), (1, Some(30.0)));
        assert_eq!((r[1].failures, r[1].recovery_max_s), (1, Some(60.0)));
        // a: 2 replicas × 200 s, minus 1 × 30 s missing.
        assert_eq!(r[0].availability_pct, Some((400.0 - 30.0) / 4.0));
        let sum = h.summary();
        assert_eq!(sum.failures, 1);
        assert_eq!(sum.recovery_max_s, Some(60.0));
        assert_eq!(sum.unrecovered, 0);
    }

    #[test]
    fn failures_of_separate_events_count_apart_and_may_stay_open() {
        let mut h = ServiceHealth::new(1);
        h.update(0, s(0), 1, 1);
        h.failure(s(10), 1, &[]);
        h.update(0, s(10), 0, 1);
        h.failure(s(10), 2, &[0]);
        h.finish(s(50));
        let sum = h.summary();
        assert_eq!((sum.failures, sum.unrecovered), (2, 1));
        assert_eq!(sum.recovery_mean_s, None);
        assert_eq!(h.records(&["a".into()])[0].unrecovered, 1);
    }

    #[test]
    fn a_service_with_a_replica_to_spare_recovers_at_once() {
        // 3 running for 2 desired (a scale-down under way): losing one
        // leaves it whole.
        let mut h = ServiceHealth::new(1);
        h.update(0, s(0), 3, 2);
        h.update(0, s(10), 2, 2);
        h.failure(s(10), 1, &[0]);
        assert_eq!(h.summary().recovery_max_s, Some(0.0));
    }
}
