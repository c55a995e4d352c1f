//! Which underused nodes are unneeded: every pod on them could run elsewhere.
//!
//! As the real autoscaler does, the check runs the scheduler's **filters**
//! only (not its scorers) and places each pod on the first node that passes
//! them (in node order, from where the scan's previous pod landed), so its plan can differ from where the scheduler will actually put
//! the evicted pods' replacements. Candidates are checked one after another:
//! a node found unneeded is no longer a destination for the next ones, and
//! the pods planned onto a node count against its room (an overlay of extra
//! requests, kept for this scan only). A node that received planned pods is
//! not itself removed in the same scan.

use crate::cluster::{Cluster, Node, NodeId, PodPhase, Resources};
use crate::policy::Filter;

/// Whether both the CPU and the memory requested on `node` are below
/// `threshold` of its allocatable (the autoscaler's utilization test:
/// utilization = max(cpu share, memory share) < threshold).
pub fn underused(node: &Node, threshold: f64) -> bool {
    let below = |req: u64, alloc: u64| (req as f64) < threshold * alloc as f64;
    below(node.requested.cpu_m, node.allocatable.cpu_m)
        && below(node.requested.mem, node.allocatable.mem)
}

/// A node found unneeded in this scan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unneeded {
    pub node: NodeId,
    /// No pod on it needs to move.
    pub empty: bool,
}

/// The planner's scratch space, reused from scan to scan: per-node arrays
/// grow with the cluster and are reset through lists of what a scan touched,
/// so a scan costs nothing for nodes it does not look at.
#[derive(Debug, Default)]
pub struct ScaleDownPlanner {
    /// Per node: requests and pod count planned onto it in this scan.
    extra: Vec<(Resources, u32)>,
    touched: Vec<usize>,
    /// Per node: found unneeded in this scan, so no longer a destination.
    excluded: Vec<bool>,
    excluded_list: Vec<usize>,
    /// The current candidate's tentative placements, undone if one of its pods cannot move.
    tentative: Vec<(usize, Resources)>,
    /// Where in the destinations the last planned pod of this scan landed.
    cursor: usize,
}

impl ScaleDownPlanner {
    /// Checks `candidates` in order and returns those whose pods could all
    /// move to one of `destinations` (the live nodes); simulates at most
    /// `non_empty_limit` non-empty ones. Non-empty candidates found
    /// unremovable (some pod fits nowhere else) are added to `unremovable`.
    /// `excluded` nodes (being removed already) are never destinations. Pods
    /// below `cutoff` priority need not move.
    #[allow(clippy::too_many_arguments)]
    pub fn plan(
        &mut self,
        cluster: &Cluster,
        filters: &[Box<dyn Filter>],
        candidates: &[NodeId],
        destinations: &[NodeId],
        excluded: impl Fn(NodeId) -> bool,
        non_empty_limit: u32,
        cutoff: i32,
        unremovable: &mut Vec<NodeId>,
    ) -> Vec<Unneeded> {
        let n = cluster.nodes.len();
        if self.extra.len() < n {
            self.extra.resize(n, (Resources::ZERO, 0));
            self.excluded.resize(n, false);
        }
        // Each scan searches from the first node, so that an unchanged
        // cluster gets the same plan scan after scan.
        self.cursor = 0;
        let mut out = Vec::new();
        let mut non_empty = 0;
        for &c in candidates {
            let node = cluster.node(c);
            if self.extra[c.index()].1 > 0 {
                continue; // received planned pods: not removed in this scan
            }
            let movers = node.pods.iter().filter(|&&p| {
                let pod = cluster.pod(p);
                matches!(pod.phase, PodPhase::Running | PodPhase::Starting)
                    && cluster.spec(pod.spec).priority >= cutoff
            });
            if movers.clone().next().is_none() {
                self.exclude(c.index());
                out.push(Unneeded {
                    node: c,
                    empty: true,
                });
                continue;
            }
            if non_empty >= non_empty_limit {
                continue;
            }
            non_empty += 1;
            self.excluded[c.index()] = true;
            self.tentative.clear();
            let mut ok = true;
            for &p in movers {
                let spec = cluster.pod(p).spec;
                if !self.place(cluster, filters, spec, destinations, &excluded) {
                    ok = false;
                    break;
                }
            }
            if ok {
                self.excluded_list.push(c.index());
                out.push(Unneeded {
                    node: c,
                    empty: false,
                });
            } else {
                unremovable.push(c);
                self.excluded[c.index()] = false;
                for (d, r) in self.tentative.drain(..) {
                    let e = &mut self.extra[d];
                    e.0.sub(&r);
                    e.1 -= 1;
                }
            }
        }
        for i in self.touched.drain(..) {
            self.extra[i] = (Resources::ZERO, 0);
        }
        for i in self.excluded_list.drain(..) {
            self.excluded[i] = false;
        }
        out
    }

    fn exclude(&mut self, i: usize) {
        self.excluded[i] = true;
        self.excluded_list.push(i);
    }

    /// Plans one pod of `spec` onto the first destination from the cursor on
    /// that passes the filters with this scan's planned pods counted.
    fn place(
        &mut self,
        cluster: &Cluster,
        filters: &[Box<dyn Filter>],
        spec: crate::cluster::SpecId,
        destinations: &[NodeId],
        excluded: &impl Fn(NodeId) -> bool,
    ) -> bool {
        let pod = cluster.spec(spec);
        let r = pod.requests;
        let n = destinations.len();
        for k in 0..n {
            let at = (self.cursor + k) % n;
            let i = destinations[at].index();
            let d = &cluster.nodes[i];
            if self.excluded[i] || !d.schedulable() || excluded(d.id) {
                continue;
            }
            let (extra, extra_pods) = self.extra[i];
            if d.pods.len() as u32 + extra_pods >= d.max_pods
                || d.requested.cpu_m + extra.cpu_m + r.cpu_m > d.allocatable.cpu_m
                || d.requested.mem + extra.mem + r.mem > d.allocatable.mem
            {
                continue;
            }
            let cycle = crate::policy::CycleState::default();
            let view = crate::policy::ClusterView::new(
                cluster,
                crate::policy::PodRef { owner: 0, id: None },
                &cycle,
            );
            if !filters
                .iter()
                .filter(|f| super::node_local_filter(f.name()))
                .all(|f| f.filter(pod, d, &view).is_ok())
            {
                continue;
            }
            let e = &mut self.extra[i];
            if e.1 == 0 {
                self.touched.push(i);
            }
            e.0.add(&r);
            e.1 += 1;
            self.tentative.push((i, r));
            self.cursor = at;
            return true;
        }
        false
    }
}
