//! The binpacking estimate: how many new nodes of one node group the pending
//! pods need (the real autoscaler's BinpackingNodeEstimator, simplified).
//!
//! Pods are taken largest first, by `cpu / node cpu + memory / node memory`
//! (first-fit decreasing), and each goes to the first node of the estimate
//! with room for it, or to a new node while the group may still grow. Pods of
//! one spec are identical, so a whole spec group is placed at once: node by
//! node, as many as fit. The result is the one per-pod first-fit decreasing
//! would give, in O(specs × nodes) rather than O(pods × nodes).

use crate::cluster::{Resources, SpecId};

/// `count` pending pods of one spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PodGroup {
    pub spec: SpecId,
    pub requests: Resources,
    pub count: u64,
}

#[derive(Clone, Copy, Debug)]
struct Bin {
    free: Resources,
    pods_free: u32,
}

/// Scratch space for estimates, reused from scan to scan.
#[derive(Debug, Default)]
pub struct Binpacker {
    bins: Vec<Bin>,
    order: Vec<usize>,
}

/// How many pods of `r` fit in `free` with `pods_free` pod slots left.
fn fits(free: Resources, pods_free: u32, r: Resources) -> u64 {
    // A resource the pod does not request does not bound it.
    let by_cpu = free.cpu_m.checked_div(r.cpu_m).unwrap_or(u64::MAX);
    let by_mem = free.mem.checked_div(r.mem).unwrap_or(u64::MAX);
    (pods_free as u64).min(by_cpu).min(by_mem)
}

/// The estimator's size of a pod relative to a node: larger goes first.
fn size_score(r: Resources, node: Resources) -> f64 {
    r.cpu_m as f64 / node.cpu_m.max(1) as f64 + r.mem as f64 / node.mem.max(1) as f64
}

/// What one estimate placed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Packing {
    /// Pods placed of each group, in the order the groups were given.
    pub placed: Vec<u64>,
    /// New nodes the estimate opened.
    pub new_nodes: u32,
}

impl Packing {
    pub fn pods(&self) -> u64 {
        self.placed.iter().sum()
    }
}

impl Binpacker {
    /// Packs `groups` (each of which fits on an empty node alone) onto
    /// `existing` empty nodes of capacity `node` with `max_pods` slots, then
    /// onto at most `max_new` new ones.
    pub fn pack(
        &mut self,
        groups: &[PodGroup],
        node: Resources,
        max_pods: u32,
        existing: u32,
        max_new: u32,
    ) -> Packing {
        self.bins.clear();
        let empty = Bin {
            free: node,
            pods_free: max_pods,
        };
        self.bins.resize(existing as usize, empty);
        self.order.clear();
        self.order.extend(0..groups.len());
        // Largest first; equal sizes in the order given (a stable sort).
        self.order.sort_by(|&a, &b| {
            size_score(groups[b].requests, node).total_cmp(&size_score(groups[a].requests, node))
        });
        let mut out = Packing {
            placed: vec![0; groups.len()],
            new_nodes: 0,
        };
        for &g in &self.order {
            let r = groups[g].requests;
            let mut left = groups[g].count;
            for b in self.bins.iter_mut() {
                if left == 0 {
                    break;
                }
                let k = fits(b.free, b.pods_free, r).min(left);
                if k > 0 {
                    b.free = b
                        .free
                        .saturating_minus(&Resources::new(r.cpu_m * k, r.mem * k));
                    b.pods_free -= k as u32;
                    left -= k;
                }
            }
            let per_node = fits(node, max_pods, r);
            while left > 0 && out.new_nodes < max_new && per_node > 0 {
                let k = per_node.min(left);
                self.bins.push(Bin {
                    free: node.saturating_minus(&Resources::new(r.cpu_m * k, r.mem * k)),
                    pods_free: max_pods - k as u32,
                });
                out.new_nodes += 1;
                left -= k;
            }
            out.placed[g] = groups[g].count - left;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GI: u64 = 1 << 30;

    fn g(spec: u32, cpu_m: u64, mem_gi: u64, count: u64) -> PodGroup {
        PodGroup {
            spec: SpecId(spec),
            requests: Resources::new(cpu_m, mem_gi * GI),
            count,
        }
    }

    #[test]
    fn first_fit_decreasing_by_hand() {
        // 4-cpu 8Gi nodes. Three 3-cpu pods need three nodes, each with 1 cpu
        // left; five 1-cpu pods fill those three and need one more node.
        let mut p = Binpacker::default();
        let out = p.pack(
            &[g(0, 1000, 1, 5), g(1, 3000, 1, 3)],
            Resources::new(4000, 8 * GI),
            110,
            0,
            100,
        );
        assert_eq!(out.placed, vec![5, 3]);
        assert_eq!(out.new_nodes, 4);
    }

    #[test]
    fn the_group_limit_leaves_pods_out() {
        let mut p = Binpacker::default();
        let out = p.pack(&[g(0, 2000, 1, 7)], Resources::new(4000, 8 * GI), 110, 0, 2);
        assert_eq!(out.placed, vec![4]);
        assert_eq!(out.new_nodes, 2);
    }

    #[test]
    fn existing_empty_nodes_are_used_before_new_ones() {
        let mut p = Binpacker::default();
        let out = p.pack(&[g(0, 1000, 1, 6)], Resources::new(4000, 8 * GI), 3, 1, 0);
        assert_eq!(out.placed, vec![3], "one node of 3 pod slots");
        assert_eq!(out.new_nodes, 0);
    }

    #[test]
    fn pods_without_requests_are_bounded_by_pod_slots() {
        let mut p = Binpacker::default();
        let out = p.pack(&[g(0, 0, 0, 250)], Resources::new(4000, 8 * GI), 110, 0, 10);
        assert_eq!(out.new_nodes, 3);
        assert_eq!(out.placed, vec![250]);
    }
}
