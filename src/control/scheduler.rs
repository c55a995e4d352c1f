//! The scheduling algorithm for one pod: filter, score, select (kube-scheduler,
//! simplified). It reads the cluster and returns a node; it never binds.

use crate::cluster::{Node, NodeId, PodSpec};
use crate::engine::SimRng;
use crate::policy::{Profile, Select, TieBreak};
use rand::RngExt;

/// Why a pod fits nowhere: `0/5 nodes are available: 3 Insufficient cpu, 2 node(s) were not ready.`
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unschedulable(pub String);

/// Picks nodes for pods under one profile. Holds the state that carries from
/// one decision to the next (where the search starts, the last round-robin
/// node, the random stream) and scratch buffers, so a decision allocates nothing.
pub struct Scheduler {
    pub profile: Profile,
    rng: SimRng,
    next_start: usize,
    rr_next: usize,
    feasible: Vec<u32>,
    raw: Vec<i64>,
    total: Vec<i64>,
    reasons: Vec<(&'static str, u32)>,
}

impl Scheduler {
    pub fn new(profile: Profile, rng: SimRng) -> Self {
        Scheduler {
            profile,
            rng,
            next_start: 0,
            rr_next: 0,
            feasible: Vec::new(),
            raw: Vec::new(),
            total: Vec::new(),
            reasons: Vec::new(),
        }
    }

    fn passes(&mut self, pod: &PodSpec, node: &Node) -> bool {
        for f in &self.profile.filters {
            if let Err(why) = f.filter(pod, node) {
                match self.reasons.iter_mut().find(|(r, _)| *r == why) {
                    Some((_, n)) => *n += 1,
                    None => self.reasons.push((why, 1)),
                }
                return false;
            }
        }
        true
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

    /// Chooses a node for `pod`, or says why none can take it.
    pub fn select(&mut self, pod: &PodSpec, nodes: &[Node]) -> Result<NodeId, Unschedulable> {
        self.reasons.clear();
        self.feasible.clear();
        let n = nodes.len();
        if n == 0 {
            return Err(self.unschedulable(nodes));
        }
        match self.profile.select {
            Select::FirstFit | Select::RoundRobin => {
                let start = if self.profile.select == Select::FirstFit {
                    0
                } else {
                    self.rr_next % n
                };
                for k in 0..n {
                    let i = (start + k) % n;
                    let node = &nodes[i];
                    if node.removed {
                        continue;
                    }
                    if self.passes(pod, node) {
                        self.rr_next = i + 1;
                        return Ok(NodeId(i as u32));
                    }
                }
                Err(self.unschedulable(nodes))
            }
            Select::Random => {
                for (i, node) in nodes.iter().enumerate() {
                    if !node.removed && self.passes(pod, node) {
                        self.feasible.push(i as u32);
                    }
                }
                if self.feasible.is_empty() {
                    return Err(self.unschedulable(nodes));
                }
                let k = self.rng.random_range(0..self.feasible.len());
                Ok(NodeId(self.feasible[k]))
            }
            Select::BestScore => self.best_score(pod, nodes),
        }
    }

    fn best_score(&mut self, pod: &PodSpec, nodes: &[Node]) -> Result<NodeId, Unschedulable> {
        let n = nodes.len();
        let want = self.profile.feasible_nodes_to_find(n);
        let start = self.next_start % n;
        let mut looked = 0;
        for k in 0..n {
            let i = (start + k) % n;
            looked = k + 1;
            let node = &nodes[i];
            if node.removed {
                continue;
            }
            if self.passes(pod, node) {
                self.feasible.push(i as u32);
                if self.feasible.len() >= want {
                    break;
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
        self.total.clear();
        self.total.resize(self.feasible.len(), 0);
        for (scorer, weight) in &self.profile.scorers {
            self.raw.clear();
            self.raw.extend(
                self.feasible
                    .iter()
                    .map(|&i| scorer.score(pod, &nodes[i as usize])),
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

    /// The weighted score every feasible node would get, for explanations and
    /// tests: `(node, total)` in node order. Does not change the scheduler's state.
    pub fn scores(&self, pod: &PodSpec, nodes: &[Node]) -> Vec<(NodeId, i64)> {
        let feasible: Vec<usize> = (0..nodes.len())
            .filter(|&i| {
                !nodes[i].removed
                    && self
                        .profile
                        .filters
                        .iter()
                        .all(|f| f.filter(pod, &nodes[i]).is_ok())
            })
            .collect();
        let mut total = vec![0i64; feasible.len()];
        for (scorer, weight) in &self.profile.scorers {
            let mut raw: Vec<i64> = feasible
                .iter()
                .map(|&i| scorer.score(pod, &nodes[i]))
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
