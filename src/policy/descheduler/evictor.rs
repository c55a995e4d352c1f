//! The pod evictor of one descheduling pass: upstream's `PodEvictor` (the
//! limits per node and per pass) in front of the eviction API (the
//! PodDisruptionBudgets). The strategies ask it; it answers as the API
//! would and remembers what it let go, so that later asks in the same pass
//! see the budgets and limits already spent.

use super::{ClusterView, DeschedulerSpec, Eviction, Plan, Strategy};
use crate::cluster::{NodeId, PodId, PodPhase};
use crate::policy::disruption_budget::eviction_allowed;
use std::collections::BTreeSet;

/// Why an eviction was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// `max-pods-to-evict-total` reached: the pass is over.
    TotalLimit,
    /// `max-pods-to-evict-per-node` reached for the pod's node.
    NodeLimit,
    /// The pod's PodDisruptionBudget would be broken (HTTP 429).
    Budget,
}

pub struct Evictor {
    per_node_limit: Option<u32>,
    total_limit: Option<u32>,
    protected_priority: i32,
    per_node: Vec<u32>,
    total: u32,
    /// Healthy pods per owner, less the healthy ones evicted in this pass.
    healthy: Vec<u32>,
    evicted: BTreeSet<PodId>,
    plan: Plan,
}

impl Evictor {
    pub fn new(view: &ClusterView, spec: &DeschedulerSpec) -> Self {
        Evictor {
            per_node_limit: spec.max_pods_to_evict_per_node,
            total_limit: spec.max_pods_to_evict_total,
            protected_priority: spec.protected_priority(),
            per_node: vec![0; view.nodes.len()],
            total: 0,
            healthy: view.owners.iter().map(|o| o.healthy).collect(),
            evicted: BTreeSet::new(),
            plan: Plan::default(),
        }
    }

    pub fn protected_priority(&self) -> i32 {
        self.protected_priority
    }

    /// Whether this pass already evicted `pod`.
    pub fn is_evicted(&self, pod: PodId) -> bool {
        self.evicted.contains(&pod)
    }

    /// Whether `node` has had as many evictions as its limit allows.
    pub fn node_limit_exceeded(&self, node: NodeId) -> bool {
        self.per_node_limit
            .is_some_and(|l| self.per_node[node.index()] >= l)
    }

    /// Asks to evict a bound pod, in upstream's order of checks: the pass
    /// limit, the node limit, then the eviction API (the budget).
    pub fn evict(
        &mut self,
        view: &ClusterView,
        pod: PodId,
        strategy: Strategy,
    ) -> Result<(), Refusal> {
        let p = view.pod(pod);
        let node = p.node.expect("only bound pods are evicted");
        if self.total_limit.is_some_and(|l| self.total >= l) {
            self.plan.refused_by_limit += 1;
            return Err(Refusal::TotalLimit);
        }
        if self.node_limit_exceeded(node) {
            self.plan.refused_by_limit += 1;
            return Err(Refusal::NodeLimit);
        }
        let owner = p.owner as usize;
        let pod_healthy = p.phase == PodPhase::Running;
        if let Some(required) = view.owners[owner].budget_required {
            if !eviction_allowed(required, self.healthy[owner], pod_healthy) {
                self.plan.refused_by_budget += 1;
                return Err(Refusal::Budget);
            }
        }
        if pod_healthy {
            self.healthy[owner] = self.healthy[owner].saturating_sub(1);
        }
        self.per_node[node.index()] += 1;
        self.total += 1;
        self.evicted.insert(pod);
        self.plan.evictions.push(Eviction {
            pod,
            node,
            strategy,
        });
        Ok(())
    }

    pub fn into_plan(self) -> Plan {
        self.plan
    }
}
