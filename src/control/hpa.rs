//! The horizontal pod autoscaler and the services' load, run by the control
//! plane.
//!
//! Each service with an `hpa` is synced every `hpa-sync-period` (15 s) from
//! time 0: the control plane counts its pods by phase, reads the demand of
//! its load curve, asks [`crate::policy::hpa::decide`] for the new replica
//! count and, if it differs, sets it as the service's declared replicas (the
//! replica controller then creates or deletes pods). Every service with a
//! `load` has its demand, and the part of it its running replicas cannot
//! serve, integrated exactly, each time its running count changes.
//!
//! Cost: a sync is O(the service's live pods) (to count them by phase, as the
//! real controller lists them) plus O(recommendations in the stabilization
//! window, 21 by default); the integration is O(1) per change of a
//! service's running count, plus one step per change of its load curve.

use crate::cluster::PodPhase;
use crate::engine::SimTime;
use crate::metrics::ServiceSample;
use crate::policy::hpa::{decide, HpaHistory, HpaInputs, Limit, Why};
use crate::simulation::{Event, Simulation};

/// A service's load and autoscaler state during a run.
#[derive(Debug, Default)]
pub struct LoadState {
    /// Demand and unmet demand are integrated up to this time.
    since: SimTime,
    /// The HPA controller's memory, for a service with an `hpa`.
    history: Option<HpaHistory>,
}

/// A service's pods by phase (the ones its controller counts as replicas).
#[derive(Clone, Copy, Debug, Default)]
struct PhaseCounts {
    running: u32,
    starting: u32,
    pending: u32,
    lost: u32,
}

fn cores(m: u64) -> String {
    let s = format!("{:.3}", m as f64 / 1000.0);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

impl Simulation<'_> {
    /// Sets up every service's load state and the first HPA syncs (at 0).
    /// Called once the services' first pods exist.
    pub(crate) fn start_autoscaling(&mut self) {
        let sc = self.scenario;
        self.loads = sc
            .services
            .iter()
            .map(|s| {
                (s.load.is_some() || s.hpa.is_some()).then(|| LoadState {
                    since: SimTime::ZERO,
                    history: s.hpa.as_ref().map(|_| HpaHistory::default()),
                })
            })
            .collect();
        self.rec.has_load = sc.services.iter().any(|s| s.load.is_some());
        for (i, s) in sc.services.iter().enumerate() {
            if s.hpa.is_some() {
                self.queue
                    .push(SimTime::ZERO, Event::HpaSync { service: i as u32 });
            }
        }
    }

    /// The replicas service number `svc` declares now (its HPA's last
    /// decision, or the scenario's count and `scale-service` events).
    pub fn service_desired(&self, svc: usize) -> u32 {
        self.services[svc].desired
    }

    fn phase_counts(&self, svc: usize) -> PhaseCounts {
        let mut c = PhaseCounts::default();
        for &pod in &self.services[svc].active {
            match self.cluster.pod(pod).phase {
                PodPhase::Running => c.running += 1,
                PodPhase::Starting => c.starting += 1,
                PodPhase::Pending => c.pending += 1,
                PodPhase::Lost => c.lost += 1,
                PodPhase::Terminating | PodPhase::Done => {}
            }
        }
        c
    }

    /// Adds the service's demand and unmet demand from the last time up to
    /// now, with its running count as it has been since. Call before that
    /// count changes.
    pub(crate) fn integrate_load(&mut self, svc: usize) {
        let Some(Some(state)) = self.loads.get_mut(svc) else {
            return;
        };
        let now = self.now.min(self.scenario.horizon);
        if now <= state.since {
            return;
        }
        let from = std::mem::replace(&mut state.since, now);
        let service = &self.scenario.services[svc];
        let Some(curve) = &service.load else { return };
        let capacity = self.services[svc].running as u64 * service.template.requests.cpu_m;
        let (mut demand, mut unmet) = (0u128, 0u128);
        curve.for_each_segment(from, now, |a, b, m| {
            let dt = (b - a).as_micros() as u128;
            demand += m as u128 * dt;
            unmet += m.saturating_sub(capacity) as u128 * dt;
        });
        self.rec.demand += demand;
        self.rec.unmet_demand += unmet;
    }

    /// Integrates every service's load up to the horizon (end of the run).
    pub(crate) fn finish_loads(&mut self) {
        for svc in 0..self.loads.len() {
            self.integrate_load(svc);
        }
    }

    /// Samples every service with a load or an HPA at `t`.
    pub(crate) fn sample_services(&mut self, t: SimTime) {
        for svc in 0..self.loads.len() {
            if self.loads[svc].is_none() {
                continue;
            }
            let service = &self.scenario.services[svc];
            let c = self.phase_counts(svc);
            let sample = ServiceSample {
                t,
                service: service.name.clone(),
                demand_m: service.load.as_ref().map_or(0, |l| l.at(t)),
                desired: self.services[svc].desired,
                running: c.running,
                starting: c.starting,
                pending: c.pending,
                lost: c.lost,
                request_m: service.template.requests.cpu_m,
            };
            self.rec.service_samples.push(sample);
        }
    }

    /// One HPA sync of service `svc`; the next is due one sync period later.
    pub(crate) fn hpa_sync(&mut self, svc: usize) {
        let sc = self.scenario;
        let service = &sc.services[svc];
        let (Some(spec), Some(curve)) = (&service.hpa, &service.load) else {
            return;
        };
        let now = self.now;
        self.queue.push(
            now + sc.control.hpa_sync_period,
            Event::HpaSync {
                service: svc as u32,
            },
        );
        let c = self.phase_counts(svc);
        let demand = curve.at(now);
        let x = HpaInputs {
            current: self.services[svc].desired,
            ready: c.running,
            unready: c.pending + c.starting,
            missing: c.lost,
            request_m: service.template.requests.cpu_m,
            // The running replicas share the whole demand between them.
            usage_m: if c.running > 0 { demand } else { 0 },
        };
        let Some(Some(LoadState {
            history: Some(history),
            ..
        })) = self.loads.get_mut(svc)
        else {
            return;
        };
        let d = decide(spec, sc.control.hpa_tolerance, history, &x, now);
        history.record(spec, &d, now);
        if d.desired == d.current {
            return;
        }
        if d.desired > d.current {
            self.rec.hpa_scale_ups += 1;
        } else {
            self.rec.hpa_scale_downs += 1;
        }
        let mut detail = format!("replicas {} -> {}: ", d.current, d.desired);
        match (d.why, d.utilization) {
            (Why::AboveMax, _) => {
                detail.push_str(&format!("above max-replicas {}", spec.max_replicas))
            }
            (Why::BelowMin, _) => {
                detail.push_str(&format!("below min-replicas {}", spec.min_replicas))
            }
            (
                Why::Metric {
                    proposal,
                    stabilized,
                    limit,
                },
                Some(util),
            ) => {
                detail.push_str(&format!(
                    "cpu {util}% of request on {} running (target {}%), demand {} cores",
                    c.running,
                    spec.target_utilization,
                    cores(demand)
                ));
                if c.pending + c.starting + c.lost > 0 {
                    detail.push_str(&format!(
                        ", {} not running",
                        c.pending + c.starting + c.lost
                    ));
                }
                detail.push_str(&format!("; proposed {proposal}"));
                if stabilized != proposal {
                    let w = if proposal < d.current {
                        spec.scale_down.stabilization
                    } else {
                        spec.scale_up.stabilization
                    };
                    detail.push_str(&format!(
                        ", {stabilized} after the {w} stabilization window"
                    ));
                }
                match limit {
                    Limit::None => {}
                    Limit::ScaleUpRate => detail.push_str(", limited by the scale-up policies"),
                    Limit::MaxReplicas => {
                        detail.push_str(&format!(", limited to max-replicas {}", spec.max_replicas))
                    }
                    Limit::ScaleDownRate => detail.push_str(", limited by the scale-down policies"),
                    Limit::MinReplicas => {
                        detail.push_str(&format!(", limited to min-replicas {}", spec.min_replicas))
                    }
                }
            }
            _ => {}
        }
        self.rec
            .log(now, "hpa-scaled", service.name.clone(), detail);
        self.set_desired(svc, d.desired);
    }
}
