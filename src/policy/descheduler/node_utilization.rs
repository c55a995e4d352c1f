//! What LowNodeUtilization and HighNodeUtilization share (upstream's
//! `nodeutilization.go`): a node's usage is the requests of the pods bound to
//! it (terminating ones included) and its pod count, compared with its
//! allocatable and `max-pods`; pods are evicted from source nodes, lowest
//! priority first, while the destination nodes still have room.

use super::{is_evictable, ClusterView, Evictor, Refusal, Strategy, Thresholds};
use crate::cluster::{NodeId, PodId, TaintEffect};

/// Resources in the order cpu (millicores), memory (bytes), pods.
pub(super) type Amounts = [i128; 3];

/// A node's usage and the capacity it is measured against.
#[derive(Clone, Debug)]
pub(super) struct NodeInfo {
    pub id: NodeId,
    pub usage: Amounts,
    /// Allocatable capped at the relevant threshold (the target for
    /// LowNodeUtilization, 100 % for HighNodeUtilization).
    pub available: Amounts,
}

pub(super) fn usage(view: &ClusterView, node: NodeId) -> Amounts {
    let n = view.node(node);
    [
        n.requested.cpu_m as i128,
        n.requested.mem as i128,
        n.pods.len() as i128,
    ]
}

pub(super) fn capacity(view: &ClusterView, node: NodeId) -> [u64; 3] {
    let n = view.node(node);
    [n.allocatable.cpu_m, n.allocatable.mem, n.max_pods as u64]
}

/// Usage as a percentage of capacity, per resource (upstream's
/// `ResourceUsageToResourceThreshold`).
pub(super) fn percentages(usage: &Amounts, cap: &[u64; 3]) -> [f64; 3] {
    let mut out = [0.0; 3];
    for r in 0..3 {
        if cap[r] > 0 {
            out[r] = usage[r] as f64 / cap[r] as f64 * 100.0;
        }
    }
    out
}

/// At or below the threshold on every resource given.
pub(super) fn below(pct: &[f64; 3], t: &Thresholds) -> bool {
    t.as_array()
        .iter()
        .zip(pct)
        .all(|(t, u)| t.is_none_or(|t| *u <= t))
}

/// Above the threshold on some resource given.
pub(super) fn above(pct: &[f64; 3], t: &Thresholds) -> bool {
    t.as_array()
        .iter()
        .zip(pct)
        .any(|(t, u)| t.is_some_and(|t| *u > t))
}

/// Capacity capped at a threshold, truncated as upstream does
/// (`int64(threshold × 0.01 × capacity)`); a resource without a threshold
/// keeps its whole capacity.
pub(super) fn capped(cap: &[u64; 3], t: &Thresholds) -> Amounts {
    let mut out = [0i128; 3];
    for (r, t) in t.as_array().iter().enumerate() {
        out[r] = match t {
            Some(t) => (t * 0.01 * cap[r] as f64) as i64 as i128,
            None => cap[r] as i128,
        };
    }
    out
}

/// Upstream's sort key: the sum of raw usages (millicores + bytes + pods),
/// which memory dominates.
pub(super) fn sort_key(n: &NodeInfo) -> i128 {
    n.usage.iter().sum()
}

/// The usage left above a node's available capacity on some resource.
pub(super) fn above_available(n: &NodeInfo) -> bool {
    (0..3).any(|r| n.usage[r] > n.available[r])
}

/// Evicts from each source node in turn, as upstream's
/// `evictPodsFromSourceNodes`: the room is the sum over destination nodes of
/// (available − usage); each node's evictable pods go lowest priority first
/// (best-effort pods, those with no requests, before others of the same
/// priority), each only if it tolerates every taint of some destination;
/// `keep_going` is checked before the first and after every eviction.
pub(super) fn evict_from_sources(
    view: &ClusterView,
    ev: &mut Evictor,
    strategy: Strategy,
    sources: &mut [NodeInfo],
    destinations: &[NodeInfo],
    keep_going: impl Fn(&NodeInfo, &Amounts) -> bool,
) {
    let mut room: Amounts = [0; 3];
    for d in destinations {
        for (r, room) in room.iter_mut().enumerate() {
            *room += d.available[r] - d.usage[r];
        }
    }
    for source in sources.iter_mut() {
        let mut pods: Vec<PodId> = view
            .node(source.id)
            .pods
            .iter()
            .copied()
            .filter(|&p| is_evictable(view, ev, p))
            .collect();
        if pods.is_empty() {
            continue;
        }
        // Stable: equal pods keep their bind order.
        pods.sort_by_key(|&p| {
            let s = view.spec_of(p);
            (s.priority, s.requests.cpu_m != 0 || s.requests.mem != 0)
        });
        if !keep_going(source, &room) {
            continue;
        }
        for pod in pods {
            if !tolerates_some(view, pod, destinations) {
                continue;
            }
            match ev.evict(view, pod, strategy) {
                Ok(()) => {}
                Err(Refusal::TotalLimit) => return,
                Err(Refusal::NodeLimit) => break,
                Err(Refusal::Budget) => continue,
            }
            let req = view.spec_of(pod).requests;
            let used = [req.cpu_m as i128, req.mem as i128, 1];
            for r in 0..3 {
                source.usage[r] -= used[r];
                room[r] -= used[r];
            }
            if !keep_going(source, &room) {
                break;
            }
        }
    }
}

/// Upstream's `PodToleratesTaints`: the pod tolerates every taint (of any
/// effect) of at least one of the nodes.
fn tolerates_some(view: &ClusterView, pod: PodId, nodes: &[NodeInfo]) -> bool {
    let tolerations = &view.spec_of(pod).tolerations;
    nodes.iter().any(|d| {
        view.node(d.id)
            .taints
            .iter()
            .all(|t| tolerations.iter().any(|tol| tol.tolerates(t)))
    })
}

/// The pod's NoSchedule and NoExecute taints are all tolerated on `node`,
/// and the node carries every label of its node selector.
pub(super) fn could_run_on(view: &ClusterView, pod: PodId, node: NodeId) -> bool {
    let spec = view.spec_of(pod);
    let n = view.node(node);
    n.taints.iter().all(|t| {
        t.effect == TaintEffect::PreferNoSchedule
            || spec.tolerations.iter().any(|tol| tol.tolerates(t))
    }) && spec
        .node_selector
        .iter()
        .all(|(k, v)| n.labels.get(k) == Some(v))
}
