//! Failure plans (`[[failures]]` model `plan`): a list of failures read from
//! a file, replayed at their times. Rows at the same time are carried out
//! in one event, in file order, so they count as one failure (a rack or a
//! power domain going down together). Only the next due row of each plan is
//! in the event queue.

use super::disruptions::DisruptionEvent;
use crate::engine::SimTime;
use crate::scenario::{FailureModel, FailureTarget};
use crate::simulation::{Event, Simulation};

/// Where one plan is in its rows.
pub(crate) struct PlanCursor {
    /// Index of its model in the scenario's `failures`.
    model: usize,
}

impl Simulation<'_> {
    /// Schedules the first row of every plan and notes what was read.
    pub(crate) fn start_plans(&mut self) {
        let sc = self.scenario;
        for (m, f) in sc.failures.iter().enumerate() {
            let FailureModel::Plan(plan) = f else {
                continue;
            };
            let k = self.disruptions.plans.len() as u32;
            self.disruptions.plans.push(PlanCursor { model: m });
            let mut detail = format!(
                "failures[{m}] (plan): {} failures to replay from {}",
                plan.rows.len(),
                plan.source
            );
            if plan.after_horizon > 0 {
                detail.push_str(&format!(
                    "; {} rows after the horizon left out",
                    plan.after_horizon
                ));
            }
            self.rec
                .log(self.now, "failure-plan", format!("failures[{m}]"), detail);
            if let Some(first) = plan.rows.first() {
                self.queue.push(
                    first.at,
                    Event::Disruption(DisruptionEvent::PlanRows { plan: k, row: 0 }),
                );
            }
        }
    }

    /// Carries out every row of plan cursor `k` due now, from `row` on, and
    /// schedules the next.
    pub(crate) fn plan_rows(&mut self, k: usize, row: usize) {
        let sc = self.scenario;
        let plan = match &sc.failures[self.disruptions.plans[k].model] {
            FailureModel::Plan(p) => p,
            _ => return,
        };
        let mut i = row;
        while let Some(r) = plan.rows.get(i).filter(|r| r.at <= self.now) {
            let line = r.line;
            match &r.target {
                FailureTarget::Node(name) => match self.node_id(name) {
                    Some(id) => {
                        self.rec.log(
                            self.now,
                            "planned-failure",
                            name.clone(),
                            format!(
                                "{} line {line}: the machine fails{}",
                                plan.source,
                                until(r.duration)
                            ),
                        );
                        self.fail_with_recovery(id, r.duration);
                    }
                    None => self.rec.log(
                        self.now,
                        "ignored",
                        name.clone(),
                        format!("{} line {line}: no such node at this time", plan.source),
                    ),
                },
                FailureTarget::Zone(zone) => {
                    let ids = self.up_nodes_of_zone(zone);
                    self.rec.log(
                        self.now,
                        "zone-failed",
                        zone.clone(),
                        format!(
                            "{} line {line}: {} nodes of the zone go down{}",
                            plan.source,
                            ids.len(),
                            until(r.duration)
                        ),
                    );
                    for id in ids {
                        self.fail_with_recovery(id, r.duration);
                    }
                }
            }
            i += 1;
        }
        if let Some(next) = plan.rows.get(i) {
            self.push_disruption(
                next.at,
                DisruptionEvent::PlanRows {
                    plan: k as u32,
                    row: i as u32,
                },
            );
        }
    }

    /// Fails a node; with a duration, it comes back that long after unless
    /// something else brought it back or failed it again first.
    fn fail_with_recovery(&mut self, node: crate::cluster::NodeId, duration: Option<SimTime>) {
        if self.fail_node(node) {
            if let Some(d) = duration {
                let epoch = self.cluster.node(node).epoch;
                self.queue
                    .push(self.now + d, Event::RecoverNode { node, epoch });
            }
        }
    }
}

fn until(d: Option<SimTime>) -> String {
    match d {
        Some(d) => format!(" for {d}"),
        None => " for good".to_string(),
    }
}
