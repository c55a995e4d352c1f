//! The scheduling algorithm for one pod: filter, score, select (kube-scheduler,
//! simplified), and, when nothing fits, preemption's choice of victims. It
//! reads the cluster and returns a decision; it never binds or evicts.

use crate::cluster::{Cluster, Node, NodeId, PodId, PodSpec};
use crate::engine::SimRng;
use crate::policy::preemption::{
    num_candidates, pick_one, potential_node, select_victims_on_node, Candidate,
};
use crate::policy::{ClusterView, CycleState, Filter, PodRef, Profile, Select, TieBreak};
use rand::RngExt;

/// Why a pod fits nowhere: `0/5 nodes are available: 3 Insufficient cpu, 2 node(s) were not ready.`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unschedulable(pub String);

/// Picks nodes for pods under one profile. Holds the state that carries from
/// one decision to the next (where the search starts, the last round-robin
/// node, the random streams) and scratch buffers, so a decision allocates nothing.
pub struct Scheduler {
    pub profile: Profile,
    rng: SimRng,
    /// Preemption's random offset into the candidate nodes, from its own
    /// stream so that preempting never shifts the tie-breaks.
    preempt_rng: Option<SimRng>,
    next_start: usize,
    rr_next: usize,
    feasible: Vec<u32>,
    raw: Vec<i64>,
    total: Vec<i64>,
    reasons: Vec<(&'static str, u32)>,
    cycle: CycleState,
    potential: Vec<u32>,
    victims: Vec<PodId>,
}

/// The filters that have something to check for `pod` (the others skip it,
/// as a PreFilter returning `Skip`), as a bit mask over the profile's list;
/// all of them if the profile has more than 64.
fn active_filters(filters: &[Box<dyn Filter>], pod: &PodSpec) -> u64 {
    if filters.len() > 64 {
        return u64::MAX;
    }
    filters
        .iter()
        .enumerate()
        .filter(|(_, f)| !f.skip(pod))
        .fold(0, |m, (i, _)| m | 1 << i)
}

/// Runs the active filters in order; counts the first failure's reason.
#[inline(always)]
fn passes(
    filters: &[Box<dyn Filter>],
    active: u64,
    reasons: &mut Vec<(&'static str, u32)>,
    pod: &PodSpec,
    node: &Node,
    view: &ClusterView,
) -> bool {
    for (i, f) in filters.iter().enumerate() {
        if i < 64 && active & (1 << i) == 0 {
            continue;
        }
        if let Err(why) = f.filter(pod, node, view) {
            // Reasons are static strings: the same reason is almost always
            // the same pointer, which spares a memcmp per failing node; equal
            // text at another address still matches.
            match reasons
                .iter_mut()
                .find(|(r, _)| std::ptr::eq(*r, why) || *r == why)
            {
                Some((_, n)) => *n += 1,
                None => reasons.push((why, 1)),
            }
            return false;
        }
    }
    true
}

impl Scheduler {
    pub fn new(profile: Profile, rng: SimRng) -> Self {
        Scheduler {
            profile,
            rng,
            preempt_rng: None,
            next_start: 0,
            rr_next: 0,
            feasible: Vec::new(),
            raw: Vec::new(),
            total: Vec::new(),
            reasons: Vec::new(),
            cycle: CycleState::default(),
            potential: Vec::new(),
            victims: Vec::new(),
        }
    }

    /// Gives preemption its own random stream (without one, its search
    /// always starts at the first potential node).
    pub fn with_preemption_rng(mut self, rng: SimRng) -> Self {
        self.preempt_rng = Some(rng);
        self
    }

    fn unschedulable(&mut self, nodes: &[Node]) -> Unschedulable {
        let live = nodes.iter().filter(|n| !n.removed).count();
        self.reasons.sort();
        let parts: Vec<String> = self
            .reasons
            .iter()
            .map(|(r, n)| format!("{n} {r}"))
            .collect();
        Unschedulable(if parts.is_empty() {
            format!("0/{live} nodes are available.")
        } else {
            format!("0/{live} nodes are available: {}.", parts.join(", "))
        })
    }

    /// Chooses a node for `pod` (owned by `who`), or says why none can take it.
    pub fn select(
        &mut self,
        pod: &PodSpec,
        who: PodRef,
        cluster: &Cluster,
    ) -> Result<NodeId, Unschedulable> {
        self.reasons.clear();
        self.feasible.clear();
        let nodes = &cluster.nodes;
        let n = nodes.len();
        if n == 0 {
            return Err(self.unschedulable(nodes));
        }
        self.cycle.prefilter(cluster, pod, who);
        let active = active_filters(&self.profile.filters, pod);
        match self.profile.select {
            Select::FirstFit | Select::RoundRobin => {
                let start = if self.profile.select == Select::FirstFit {
                    0
                } else {
                    self.rr_next % n
                };
                let view = ClusterView::new(cluster, who, &self.cycle);
                for k in 0..n {
                    let i = (start + k) % n;
                    let node = &nodes[i];
                    if node.removed {
                        continue;
                    }
                    if passes(
                        &self.profile.filters,
                        active,
                        &mut self.reasons,
                        pod,
                        node,
                        &view,
                    ) {
                        self.rr_next = i + 1;
                        return Ok(NodeId(i as u32));
                    }
                }
                Err(self.unschedulable(nodes))
            }
            Select::Random => {
                let view = ClusterView::new(cluster, who, &self.cycle);
                for (i, node) in nodes.iter().enumerate() {
                    if !node.removed
                        && passes(
                            &self.profile.filters,
                            active,
                            &mut self.reasons,
                            pod,
                            node,
                            &view,
                        )
                    {
                        self.feasible.push(i as u32);
                    }
                }
                if self.feasible.is_empty() {
                    return Err(self.unschedulable(nodes));
                }
                let k = self.rng.random_range(0..self.feasible.len());
                Ok(NodeId(self.feasible[k]))
            }
            Select::BestScore => self.best_score(pod, who, cluster, active),
        }
    }

    fn best_score(
        &mut self,
        pod: &PodSpec,
        who: PodRef,
        cluster: &Cluster,
        active: u64,
    ) -> Result<NodeId, Unschedulable> {
        let nodes = &cluster.nodes;
        let n = nodes.len();
        let want = self.profile.feasible_nodes_to_find(n);
        let start = self.next_start % n;
        let mut looked = 0;
        {
            let view = ClusterView::new(cluster, who, &self.cycle);
            for k in 0..n {
                let i = (start + k) % n;
                looked = k + 1;
                let node = &nodes[i];
                if node.removed {
                    continue;
                }
                if passes(
                    &self.profile.filters,
                    active,
                    &mut self.reasons,
                    pod,
                    node,
                    &view,
                ) {
                    self.feasible.push(i as u32);
                    if self.feasible.len() >= want {
                        break;
                    }
                }
            }
        }
        self.next_start = (start + looked) % n;
        if self.feasible.is_empty() {
            return Err(self.unschedulable(nodes));
        }
        if self.feasible.len() == 1 {
            return Ok(NodeId(self.feasible[0]));
        }
        if pod.constraints.has_soft_spread() {
            self.cycle.prescore(cluster, pod, &self.feasible);
        }
        let view = ClusterView::new(cluster, who, &self.cycle);
        self.total.clear();
        self.total.resize(self.feasible.len(), 0);
        for (scorer, weight) in &self.profile.scorers {
            if scorer.skip(pod) {
                continue;
            }
            self.raw.clear();
            self.raw.extend(
                self.feasible
                    .iter()
                    .map(|&i| scorer.score(pod, &nodes[i as usize], &view)),
            );
            scorer.normalize(&mut self.raw);
            for (t, s) in self.total.iter_mut().zip(&self.raw) {
                *t += s * weight;
            }
        }
        let mut best = 0usize;
        let mut ties = 1u32;
        for k in 1..self.feasible.len() {
            let (s, b) = (self.total[k], self.total[best]);
            if s > b {
                best = k;
                ties = 1;
            } else if s == b {
                match self.profile.tie_break {
                    TieBreak::LowestIndex => {
                        if self.feasible[k] < self.feasible[best] {
                            best = k;
                        }
                    }
                    // Reservoir sampling among equal best scores, as kube-scheduler's selectHost.
                    TieBreak::Random => {
                        ties += 1;
                        if self.rng.random_range(0..ties) == 0 {
                            best = k;
                        }
                    }
                }
            }
        }
        Ok(NodeId(self.feasible[best]))
    }

    /// Whether `node` passes every filter for `pod` (a nominated pod is
    /// tried on its nominated node first, as kube-scheduler does).
    pub fn fits(&mut self, pod: &PodSpec, who: PodRef, cluster: &Cluster, node: NodeId) -> bool {
        self.cycle.prefilter(cluster, pod, who);
        let view = ClusterView::new(cluster, who, &self.cycle);
        let n = cluster.node(node);
        !n.removed
            && self
                .profile
                .filters
                .iter()
                .all(|f| f.filter(pod, n, &view).is_ok())
    }

    /// DefaultPreemption's dry run for a pod that fits nowhere: the node to
    /// nominate and the pods to evict there, or `None` when preemption
    /// cannot help. Potential nodes are searched from a random offset (the
    /// scheduler's `preemption` stream) until `num_candidates` candidates
    /// are found; see [`crate::policy::preemption`] for the choice.
    pub fn preempt(&mut self, pod: &PodSpec, who: PodRef, cluster: &Cluster) -> Option<Candidate> {
        self.cycle.prefilter(cluster, pod, who);
        self.potential.clear();
        {
            let view = ClusterView::new(cluster, who, &self.cycle);
            for node in &cluster.nodes {
                if potential_node(&self.profile.filters, pod, node, &view) {
                    self.potential.push(node.id.0);
                }
            }
        }
        let n = self.potential.len();
        if n == 0 {
            return None;
        }
        let offset = match &mut self.preempt_rng {
            Some(r) => r.random_range(0..n),
            None => 0,
        };
        let want = num_candidates(n);
        let view = ClusterView::new(cluster, who, &self.cycle);
        let mut candidates: Vec<Candidate> = Vec::new();
        for k in 0..n {
            let node = cluster.node(NodeId(self.potential[(offset + k) % n]));
            if let Some(c) =
                select_victims_on_node(&self.profile.filters, pod, node, view, &mut self.victims)
            {
                candidates.push(c);
                if candidates.len() >= want {
                    break;
                }
            }
        }
        if candidates.is_empty() {
            return None;
        }
        let best = pick_one(&candidates);
        Some(candidates.swap_remove(best))
    }

    /// The weighted score every feasible node would get, for explanations and
    /// tests: `(node, total)` in node order. Does not change the scheduler's state.
    pub fn scores(&self, pod: &PodSpec, who: PodRef, cluster: &Cluster) -> Vec<(NodeId, i64)> {
        let nodes = &cluster.nodes;
        let mut cycle = CycleState::default();
        cycle.prefilter(cluster, pod, who);
        let feasible: Vec<usize> = {
            let view = ClusterView::new(cluster, who, &cycle);
            (0..nodes.len())
                .filter(|&i| {
                    !nodes[i].removed
                        && self
                            .profile
                            .filters
                            .iter()
                            .all(|f| f.filter(pod, &nodes[i], &view).is_ok())
                })
                .collect()
        };
        let as_u32: Vec<u32> = feasible.iter().map(|&i| i as u32).collect();
        cycle.prescore(cluster, pod, &as_u32);
        let view = ClusterView::new(cluster, who, &cycle);
        let mut total = vec![0i64; feasible.len()];
        for (scorer, weight) in &self.profile.scorers {
            if scorer.skip(pod) {
                continue;
            }
            let mut raw: Vec<i64> = feasible
                .iter()
                .map(|&i| scorer.score(pod, &nodes[i], &view))
                .collect();
            scorer.normalize(&mut raw);
            for (t, s) in total.iter_mut().zip(raw) {
                *t += s * weight;
            }
        }
        feasible
            .into_iter()
            .map(|i| NodeId(i as u32))
            .zip(total)
            .collect()
    }
}
