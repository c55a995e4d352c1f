//! DefaultPreemption's decisions (kube-scheduler's PostFilter): when a pod
//! fits nowhere, find nodes where evicting lower-priority pods makes it fit,
//! choose the victims on each, and pick one node. These functions only read;
//! the control plane evicts the victims and nominates the pod.
//!
//! On each candidate node (`select_victims_on_node`): every pod of lower
//! priority is a potential victim; if the pod does not fit even with all of
//! them gone, the node is no candidate. Otherwise the potential victims are
//! taken in order of importance (higher priority first, then the one bound
//! earlier) and each is *reprieved* (kept) if the pod still fits with it
//! back; the rest are the victims.
//!
//! Among candidates (`pick_one`), in order: the lowest highest-victim
//! priority; the lowest sum of victim priorities; the fewest victims; the
//! latest start among the highest-priority victims; then the first candidate
//! in search order. (Kubernetes first prefers the fewest PodDisruptionBudget
//! violations; podsim models no budgets, so every candidate has none.)

use super::{ClusterView, Filter, Removal};
use crate::cluster::{Cluster, Node, NodeId, PodId, PodPhase, PodSpec, Resources};
use crate::engine::SimTime;

/// The victims chosen on one node, most important first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub node: NodeId,
    pub victims: Vec<PodId>,
    /// The highest victim priority.
    pub highest: i32,
    /// Σ (priority + 2³¹) over the victims, so negative priorities still add up.
    pub sum: i64,
    /// When the earliest-bound of the highest-priority victims was bound.
    pub earliest_start: SimTime,
}

/// `minCandidateNodesPercentage` (10) and `minCandidateNodesAbsolute` (100):
/// the dry run stops once it has found this many candidates among `n`
/// potential nodes.
pub fn num_candidates(n: usize) -> usize {
    (n * 10 / 100).max(100).min(n)
}

/// Whether `a` is more important than `b` (kube-scheduler's
/// MoreImportantPod): higher priority, then bound earlier, then created earlier.
fn importance_key(cluster: &Cluster, p: PodId) -> (std::cmp::Reverse<i32>, SimTime, u64) {
    let pod = cluster.pod(p);
    (
        std::cmp::Reverse(cluster.spec(pod.spec).priority),
        pod.bound_at.unwrap_or(SimTime::ZERO),
        pod.serial,
    )
}

fn passes_all(filters: &[Box<dyn Filter>], pod: &PodSpec, node: &Node, view: &ClusterView) -> bool {
    filters.iter().all(|f| f.filter(pod, node, view).is_ok())
}

/// Whether a node is worth a dry run: every filter that preemption cannot
/// help passes (`preemption_may_help() == false`).
pub fn potential_node(
    filters: &[Box<dyn Filter>],
    pod: &PodSpec,
    node: &Node,
    view: &ClusterView,
) -> bool {
    !node.removed
        && filters
            .iter()
            .filter(|f| !f.preemption_may_help())
            .all(|f| f.filter(pod, node, view).is_ok())
}

/// kube-scheduler's SelectVictimsOnNode: the fewest lower-priority pods,
/// least important first, whose removal lets `pod` pass every filter on
/// `node`; `None` if there is no such set. `scratch` is reused between calls.
pub fn select_victims_on_node(
    filters: &[Box<dyn Filter>],
    pod: &PodSpec,
    node: &Node,
    view: ClusterView,
    scratch: &mut Vec<PodId>,
) -> Option<Candidate> {
    let cluster = view.cluster;
    scratch.clear();
    scratch.extend(node.pods.iter().copied().filter(|&p| {
        let x = cluster.pod(p);
        cluster.spec(x.spec).priority < pod.priority && x.phase != PodPhase::Done
    }));
    if scratch.is_empty() {
        return None;
    }
    let mut removal = Removal {
        node: node.id,
        requests: Resources::ZERO,
        pods: 0,
    };
    for &p in scratch.iter() {
        removal.requests.add(&cluster.spec_of(p).requests);
        removal.pods += 1;
    }
    let mut v = view;
    v.removal = Some(removal);
    if !passes_all(filters, pod, node, &v) {
        return None;
    }
    scratch.sort_by_key(|&p| importance_key(cluster, p));
    let mut victims = Vec::new();
    for &p in scratch.iter() {
        // Put it back; keep it there if the pod still fits.
        let req = cluster.spec_of(p).requests;
        let mut back = removal;
        back.requests = back.requests.saturating_minus(&req);
        back.pods -= 1;
        v.removal = Some(back);
        if passes_all(filters, pod, node, &v) {
            removal = back;
        } else {
            v.removal = Some(removal);
            victims.push(p);
        }
    }
    if victims.is_empty() {
        return None;
    }
    let highest = cluster.spec_of(victims[0]).priority;
    let sum = victims
        .iter()
        .map(|&p| cluster.spec_of(p).priority as i64 + (1i64 << 31))
        .sum();
    let earliest_start = cluster.pod(victims[0]).bound_at.unwrap_or(SimTime::ZERO);
    Some(Candidate {
        node: node.id,
        victims,
        highest,
        sum,
        earliest_start,
    })
}

/// kube-scheduler's pickOneNodeForPreemption (without budgets): the index
/// of the chosen candidate. `candidates` must not be empty.
pub fn pick_one(candidates: &[Candidate]) -> usize {
    let key = |c: &Candidate| {
        (
            std::cmp::Reverse(c.highest),
            std::cmp::Reverse(c.sum),
            std::cmp::Reverse(c.victims.len()),
            c.earliest_start,
        )
    };
    let mut best = 0;
    for i in 1..candidates.len() {
        if key(&candidates[i]) > key(&candidates[best]) {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(node: u32, prios: &[i32], start_s: u64) -> Candidate {
        Candidate {
            node: NodeId(node),
            victims: (0..prios.len() as u32).map(PodId).collect(),
            highest: *prios.iter().max().unwrap(),
            sum: prios.iter().map(|&p| p as i64 + (1i64 << 31)).sum(),
            earliest_start: SimTime::from_secs(start_s),
        }
    }

    #[test]
    fn candidates_are_ranked_in_kube_schedulers_order() {
        // Lowest highest priority beats fewer victims.
        assert_eq!(pick_one(&[cand(0, &[5], 0), cand(1, &[1, 1, 1], 0)]), 1);
        // Same highest priority: lowest sum (negative priorities count as
        // less, not as fewer).
        assert_eq!(pick_one(&[cand(0, &[0, 0], 0), cand(1, &[0, -10], 0)]), 1);
        assert_eq!(pick_one(&[cand(0, &[-1, -1], 0), cand(1, &[-1], 0)]), 1);
        // (With the 2³¹ offset, equal sums almost always mean equal counts,
        // so "fewest victims" rarely decides.) Same sum and count: the
        // latest start of the highest-priority victims.
        assert_eq!(pick_one(&[cand(0, &[0], 10), cand(1, &[0], 20)]), 1);
        // Everything equal: the first in search order.
        assert_eq!(pick_one(&[cand(3, &[0], 10), cand(1, &[0], 10)]), 0);
    }

    #[test]
    fn at_least_100_candidates_or_a_tenth_of_the_nodes() {
        assert_eq!(num_candidates(50), 50);
        assert_eq!(num_candidates(500), 100);
        assert_eq!(num_candidates(5000), 500);
    }
}
