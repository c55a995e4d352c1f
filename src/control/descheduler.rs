//! The descheduler loop: every `[descheduler] interval` the control plane
//! takes a snapshot, asks the descheduler policy which pods to evict
//! ([`crate::policy::descheduler::plan`]) and evicts them gracefully, as a
//! drain does: each pod stops serving at once and holds its node for the
//! termination grace, and its controller creates a replacement at once that
//! goes back through the scheduler. A replacement that gets bound counts as
//! one migration.
//!
//! Cost of a pass: a snapshot of the owners (O(services + jobs)), then the
//! strategies: LowNodeUtilization and HighNodeUtilization O(nodes + pods on
//! the source nodes × log), RemoveDuplicates O(bound pods), the topology
//! strategy O(pods of services with a `max-skew` + nodes). Passes run every
//! few minutes, not on every event. Between passes the only cost is one
//! emptiness test per bind (`note_migration`).

use crate::cluster::{Outcome, PodId, PodKind};
use crate::policy::descheduler::{self, ClusterView, OwnerKind, OwnerView, Strategy};
use crate::simulation::{Event, Role, Simulation};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

/// What the control plane remembers between descheduler passes and drain retries.
#[derive(Debug, Default)]
pub struct DeschedulerState {
    /// Serial numbers of replacements for descheduled pods, not yet bound.
    awaiting: BTreeSet<u64>,
    /// Job tasks (owner, task) whose descheduled pod is recreated after a
    /// back-off: the task's next bound pod is the migration.
    awaiting_tasks: BTreeSet<(u32, u32)>,
    /// Nodes whose drain has a retry pending.
    pub(crate) draining: BTreeSet<crate::cluster::NodeId>,
}

impl Simulation<'_> {
    /// Schedules the first pass, one interval in, if the scenario runs a
    /// descheduler.
    pub(crate) fn start_descheduler(&mut self) {
        if let Some(d) = &self.scenario.descheduler {
            self.queue.push(self.now + d.interval, Event::Deschedule);
        }
    }

    /// The snapshot the policy reads.
    fn descheduler_view(&self) -> ClusterView<'_> {
        const NONE: &[PodId] = &[];
        let owners = self
            .owners
            .iter()
            .map(|o| match o.role {
                Role::Service(svc) => {
                    let s = &self.services[svc];
                    let def = &self.scenario.services[svc];
                    OwnerView {
                        kind: OwnerKind::ReplicaSet,
                        budget_required: def.min_available.map(|m| m.required(s.desired)),
                        healthy: s.running,
                        max_skew: def.max_skew,
                        pods: &s.active,
                    }
                }
                Role::TraceService(_) | Role::Job(_) | Role::TraceJob(_) => OwnerView {
                    kind: if o.kind == PodKind::Service {
                        OwnerKind::ReplicaSet
                    } else {
                        OwnerKind::Job
                    },
                    budget_required: None,
                    healthy: 0,
                    max_skew: None,
                    pods: NONE,
                },
            })
            .collect();
        ClusterView {
            nodes: &self.cluster.nodes,
            pods: &self.cluster.pods,
            specs: &self.cluster.specs,
            owners,
        }
    }

    /// One descheduler pass.
    pub(crate) fn deschedule(&mut self) {
        let Some(spec) = &self.scenario.descheduler else {
            return;
        };
        self.queue.push(self.now + spec.interval, Event::Deschedule);
        let plan = descheduler::plan(&self.descheduler_view(), spec);
        let strategies = spec.strategies();
        if let Some(why) = plan.skipped {
            self.rec.log(
                self.now,
                "descheduler-run",
                "descheduler",
                format!("skipped: {why}"),
            );
            return;
        }
        // Counts per strategy, and per strategy per node, for the log line.
        let mut by: BTreeMap<Strategy, BTreeMap<crate::cluster::NodeId, u32>> = BTreeMap::new();
        for e in &plan.evictions {
            *by.entry(e.strategy).or_default().entry(e.node).or_default() += 1;
            self.descheduler_evict(e.pod);
        }
        let mut detail = format!("evicted {}:", plan.evictions.len());
        for (k, s) in strategies.iter().enumerate() {
            let nodes = by.get(s);
            let n: u32 = nodes.map_or(0, |m| m.values().sum());
            let sep = if k == 0 { " " } else { "; " };
            write!(detail, "{sep}{} {n}", s.name()).unwrap();
            if let Some(m) = nodes {
                let parts: Vec<String> = m
                    .iter()
                    .map(|(node, c)| format!("{} {c}", self.cluster.node(*node).name))
                    .collect();
                write!(detail, " ({})", parts.join(", ")).unwrap();
            }
        }
        if plan.refused_by_budget > 0 {
            write!(
                detail,
                "; {} refused by PodDisruptionBudgets",
                plan.refused_by_budget
            )
            .unwrap();
        }
        if plan.refused_by_limit > 0 {
            write!(
                detail,
                "; {} held back by eviction limits",
                plan.refused_by_limit
            )
            .unwrap();
        }
        self.rec
            .log(self.now, "descheduler-run", "descheduler", detail);
    }

    /// Evicts one pod for the descheduler and remembers its replacement.
    fn descheduler_evict(&mut self, pod: PodId) {
        self.terminate(pod, Outcome::Evicted);
        self.rec.evictions += 1;
        self.rec.descheduler_evictions += 1;
        let snapshot = self.pod_snapshot(pod);
        let before = self.cluster.pods_created();
        self.controller_pod_gone(&snapshot);
        let after = self.cluster.pods_created();
        if after > before {
            self.desched.awaiting.extend(before..after);
        } else if snapshot.kind == PodKind::Job {
            self.desched
                .awaiting_tasks
                .insert((snapshot.owner, snapshot.task));
        }
    }

    /// A pod was just bound: if it replaces a descheduled pod, that pod has
    /// migrated.
    pub(crate) fn note_migration(&mut self, pod: PodId) {
        let d = &mut self.desched;
        if d.awaiting.is_empty() && d.awaiting_tasks.is_empty() {
            return;
        }
        let p = self.cluster.pod(pod);
        let migrated = d.awaiting.remove(&p.serial)
            || (p.kind == PodKind::Job && d.awaiting_tasks.remove(&(p.owner, p.task)));
        if migrated {
            self.rec.migrations += 1;
        }
    }
}
