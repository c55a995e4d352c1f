//! Expanders: which node group to grow when several could help (the real
//! autoscaler's `--expander`). Each narrows the options to its best ones;
//! a tie left after that is broken at random, from the autoscaler's own
//! seeded stream, as the real autoscaler falls back to `random`.

mod least_waste;
mod most_pods;
mod priority;
mod random;

use crate::cluster::Resources;
use crate::engine::SimRng;
use crate::scenario::Expander;
use rand::RngExt;

/// One way to scale up: `nodes` new nodes of pool `pool` would take `pods`
/// of the pending pods, which request `requested` in all.
#[derive(Clone, Debug, PartialEq)]
pub struct ScaleUpOption {
    pub pool: usize,
    pub nodes: u32,
    pub pods: u64,
    pub requested: Resources,
    /// Allocatable of one node of the group.
    pub node: Resources,
    /// The pool's `expander-priority`.
    pub priority: Option<i32>,
}

impl ScaleUpOption {
    /// The least-waste expander's score: the share of the new nodes' CPU
    /// left idle plus the share of their memory left idle (0 to 2; lower is better).
    pub fn waste(&self) -> f64 {
        let n = self.nodes as f64;
        let avail_cpu = self.node.cpu_m as f64 * n;
        let avail_mem = self.node.mem as f64 * n;
        (avail_cpu - self.requested.cpu_m as f64) / avail_cpu
            + (avail_mem - self.requested.mem as f64) / avail_mem
    }
}

/// Narrows `keep` (indexes into `options`) to the best options by one rule.
trait Narrow {
    fn narrow(&self, options: &[ScaleUpOption], keep: &mut Vec<usize>);
}

/// Keeps the indexes whose key is the greatest.
fn keep_max<K: PartialOrd + Copy>(keep: &mut Vec<usize>, key: impl Fn(usize) -> K) {
    let Some(best) = keep
        .iter()
        .map(|&i| key(i))
        .reduce(|a, b| if b > a { b } else { a })
    else {
        return;
    };
    keep.retain(|&i| key(i) == best);
}

/// Picks one of `options` (not empty) by `expander`; returns its index.
pub fn choose(expander: Expander, options: &[ScaleUpOption], rng: &mut SimRng) -> usize {
    let mut keep: Vec<usize> = (0..options.len()).collect();
    let rule: &dyn Narrow = match expander {
        Expander::Random => &random::Random,
        Expander::MostPods => &most_pods::MostPods,
        Expander::LeastWaste => &least_waste::LeastWaste,
        Expander::Priority => &priority::Priority,
    };
    rule.narrow(options, &mut keep);
    match keep.len() {
        0 => 0,
        1 => keep[0],
        n => keep[rng.random_range(0..n)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::RngStreams;

    const GI: u64 = 1 << 30;

    fn opt(
        pool: usize,
        nodes: u32,
        pods: u64,
        cpu_m: u64,
        mem_gi: u64,
        node: (u64, u64),
        prio: Option<i32>,
    ) -> ScaleUpOption {
        ScaleUpOption {
            pool,
            nodes,
            pods,
            requested: Resources::new(cpu_m, mem_gi * GI),
            node: Resources::new(node.0, node.1 * GI),
            priority: prio,
        }
    }

    #[test]
    fn least_waste_by_hand() {
        // Six 1-cpu 2Gi pods. Pool 0: 4-cpu 8Gi nodes, 2 needed: CPU idle
        // (8 − 6)/8 = 0.25, memory idle (16 − 12)/16 = 0.25, waste 0.5.
        // Pool 1: 16-cpu 16Gi, 1 node: (16 − 6)/16 + (16 − 12)/16 = 0.875.
        let o = [
            opt(0, 2, 6, 6000, 12, (4000, 8), None),
            opt(1, 1, 6, 6000, 12, (16000, 16), None),
        ];
        assert_eq!(o[0].waste(), 0.5);
        assert_eq!(o[1].waste(), 0.875);
        let mut rng = RngStreams::new(1).stream("t");
        assert_eq!(choose(Expander::LeastWaste, &o, &mut rng), 0);
    }

    #[test]
    fn most_pods_and_priority() {
        let o = [
            opt(0, 1, 3, 3000, 3, (4000, 8), Some(5)),
            opt(1, 2, 7, 7000, 7, (4000, 8), None),
            opt(2, 1, 4, 4000, 4, (4000, 8), Some(10)),
        ];
        let mut rng = RngStreams::new(1).stream("t");
        assert_eq!(choose(Expander::MostPods, &o, &mut rng), 1);
        assert_eq!(choose(Expander::Priority, &o, &mut rng), 2);
    }

    #[test]
    fn random_picks_every_option_sometimes() {
        let o = [
            opt(0, 1, 3, 3000, 3, (4000, 8), None),
            opt(1, 1, 3, 3000, 3, (4000, 8), None),
            opt(2, 1, 3, 3000, 3, (4000, 8), None),
        ];
        let mut rng = RngStreams::new(1).stream("t");
        let mut seen = [0; 3];
        for _ in 0..300 {
            seen[choose(Expander::Random, &o, &mut rng)] += 1;
        }
        assert!(seen.iter().all(|&n| n > 50), "{seen:?}");
    }
}
