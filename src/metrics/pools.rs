//! One row per pool of `pools.csv`: how its size moved over the run and what
//! it cost, built at the end from the nodes' added and removed times.

use crate::cluster::Cluster;
use crate::engine::SimTime;

/// One row of `pools.csv`.
#[derive(Clone, Debug, PartialEq)]
pub struct PoolRecord {
    pub pool: String,
    /// Nodes in the cluster (added, not removed, whatever their health)
    /// after everything at time 0, and at the end.
    pub nodes_start: u32,
    pub nodes_end: u32,
    /// The fewest and most nodes it had at any time.
    pub nodes_min: u32,
    pub nodes_max: u32,
    /// Nodes added after time 0 (autoscaler, add-nodes, a trace), and nodes removed.
    pub nodes_added: u32,
    pub nodes_removed: u32,
    pub node_hours: f64,
    pub cost: f64,
}

/// The pools' records, in pool order (scenario pools, then traces' pools).
pub fn pool_records(cluster: &Cluster, pool_names: &[String], end: SimTime) -> Vec<PoolRecord> {
    // Per pool: (time, +1 added / −1 removed), swept in time order.
    let mut changes: Vec<Vec<(SimTime, i64)>> = vec![Vec::new(); pool_names.len()];
    let mut out: Vec<PoolRecord> = pool_names
        .iter()
        .map(|name| PoolRecord {
            pool: name.clone(),
            nodes_start: 0,
            nodes_end: 0,
            nodes_min: 0,
            nodes_max: 0,
            nodes_added: 0,
            nodes_removed: 0,
            node_hours: 0.0,
            cost: 0.0,
        })
        .collect();
    for n in &cluster.nodes {
        let p = n.pool as usize;
        let r = &mut out[p];
        let gone = n.removed_at.unwrap_or(end).min(end);
        let hours = (gone - n.added_at).as_secs_f64() / 3600.0;
        r.node_hours += hours;
        r.cost += hours * n.cost_per_hour;
        if n.added_at > SimTime::ZERO {
            r.nodes_added += 1;
        }
        changes[p].push((n.added_at, 1));
        if let Some(t) = n.removed_at {
            r.nodes_removed += 1;
            changes[p].push((t, -1));
        }
    }
    for (r, mut ch) in out.iter_mut().zip(changes) {
        ch.sort_by_key(|c| c.0);
        let mut size: i64 = 0;
        let (mut lo, mut hi) = (i64::MAX, 0i64);
        let mut i = 0;
        while i < ch.len() {
            // Every change at one instant, then the size they leave.
            let t = ch[i].0;
            while i < ch.len() && ch[i].0 == t {
                size += ch[i].1;
                i += 1;
            }
            if t == SimTime::ZERO {
                r.nodes_start = size as u32;
            }
            lo = lo.min(size);
            hi = hi.max(size);
        }
        r.nodes_end = size as u32;
        r.nodes_min = if lo == i64::MAX {
            0
        } else {
            lo.min(size) as u32
        };
        r.nodes_max = hi as u32;
        if ch.first().is_some_and(|c| c.0 > SimTime::ZERO) {
            r.nodes_min = 0; // it started empty
        }
    }
    out
}
