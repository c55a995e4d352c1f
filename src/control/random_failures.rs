//! Random failures (`[[failures]]` models `nodes` and `zones`): each node,
//! or each zone, runs on its own clock, alternating an up time drawn from
//! `time-between-failures` with a down time drawn from `time-to-repair`.
//!
//! Each clock draws from its own stream, `failures/node/<node name>` or
//! `failures/zone/<zone>`, in a fixed order (up, down, up, down, ...), so a
//! node's failure times depend only on the seed, its name and when it
//! joined: adding a pool, a workload or another model never moves them, and
//! every policy sees the same failures. A clock is independent of whatever
//! else happens to its node: a failure that finds the machine already down
//! does nothing, and a repair only brings back a machine its own failure
//! took down (and that nothing else brought back or failed again since).

use super::disruptions::DisruptionEvent;
use crate::cluster::NodeId;
use crate::engine::{RngStreams, SimRng, SimTime};
use crate::scenario::{DurationDist, FailureModel, Scenario};
use crate::simulation::{Event, Simulation};
use crate::workload::synthetic::sample_duration;

/// One node's failure clock.
pub(crate) struct NodeClock {
    /// Index of its model in the scenario's `failures`.
    model: usize,
    rng: SimRng,
}

/// One zone's outage clock.
pub(crate) struct ZoneClock {
    model: usize,
    zone: String,
    rng: SimRng,
    /// Nodes the current outage took down, with their epoch just after.
    failed: Vec<(NodeId, u32)>,
}

/// Every random clock of a run.
pub(crate) struct Clocks {
    seed: u64,
    /// For each scenario pool, the `nodes` model that covers it.
    pool_model: Vec<Option<usize>>,
    /// The `nodes` model that covers every node (pools of traces included).
    all_model: Option<usize>,
    /// By node id; `None` for nodes no model covers, or removed ones.
    nodes: Vec<Option<NodeClock>>,
    zones: Vec<ZoneClock>,
}

impl Clocks {
    pub fn new(sc: &Scenario, seed: u64) -> Self {
        let mut pool_model = vec![None; sc.pools.len()];
        let mut all_model = None;
        for (m, f) in sc.failures.iter().enumerate() {
            if let FailureModel::Nodes { pools, .. } = f {
                match pools {
                    None => all_model = Some(m),
                    Some(ps) => {
                        for &p in ps {
                            pool_model[p] = Some(m);
                        }
                    }
                }
            }
        }
        Clocks {
            seed,
            pool_model,
            all_model,
            nodes: Vec::new(),
            zones: Vec::new(),
        }
    }
}

/// A draw of at least one microsecond, so that a clock always moves on.
fn draw(dist: &DurationDist, rng: &mut SimRng) -> SimTime {
    sample_duration(dist, rng).max(SimTime(1))
}

/// The up-time and repair distributions of model `m` (a `nodes` or `zones` model).
fn clock_dists(sc: &Scenario, m: usize) -> (&DurationDist, &DurationDist) {
    match &sc.failures[m] {
        FailureModel::Nodes {
            between, repair, ..
        }
        | FailureModel::Zones {
            between, repair, ..
        } => (between, repair),
        FailureModel::Plan(_) => unreachable!("a clock belongs to a nodes or zones model"),
    }
}

impl Simulation<'_> {
    /// A node joined: if a `nodes` model covers its pool, its clock starts
    /// with an up time.
    pub(crate) fn start_node_clock(&mut self, node: NodeId) {
        let c = &self.disruptions.clocks;
        let pool = self.cluster.node(node).pool as usize;
        let Some(model) = c.pool_model.get(pool).copied().flatten().or(c.all_model) else {
            return;
        };
        let name = &self.cluster.node(node).name;
        let mut rng = RngStreams::new(c.seed).stream(&format!("failures/node/{name}"));
        let up = draw(clock_dists(self.scenario, model).0, &mut rng);
        let clocks = &mut self.disruptions.clocks.nodes;
        if clocks.len() <= node.index() {
            clocks.resize_with(node.index() + 1, || None);
        }
        clocks[node.index()] = Some(NodeClock { model, rng });
        self.queue.push(
            self.now + up,
            Event::Disruption(DisruptionEvent::NodeFails { node }),
        );
    }

    /// Draws from node `node`'s clock: its up time (`between`) or its repair time.
    fn node_draw(&mut self, node: NodeId, between: bool) -> Option<SimTime> {
        let sc = self.scenario;
        let clock = self
            .disruptions
            .clocks
            .nodes
            .get_mut(node.index())?
            .as_mut()?;
        let (b, r) = clock_dists(sc, clock.model);
        Some(draw(if between { b } else { r }, &mut clock.rng))
    }

    pub(crate) fn node_clock_fails(&mut self, node: NodeId) {
        if self.cluster.node(node).removed {
            self.disruptions.clocks.nodes[node.index()] = None;
            return;
        }
        let Some(down) = self.node_draw(node, false) else {
            return;
        };
        let model = self.disruptions.clocks.nodes[node.index()]
            .as_ref()
            .map_or(0, |c| c.model);
        let name = self.cluster.node(node).name.clone();
        let epoch = if self.cluster.node(node).up {
            self.rec.log(
                self.now,
                "random-failure",
                name,
                format!("failures[{model}] (nodes): the machine fails; repaired in {down}"),
            );
            self.fail_node(node);
            Some(self.cluster.node(node).epoch)
        } else {
            self.rec.log(
                self.now,
                "ignored",
                name,
                format!("failures[{model}] (nodes): a failure of a machine already down"),
            );
            None
        };
        self.push_disruption(
            self.now + down,
            DisruptionEvent::NodeRepaired { node, epoch },
        );
    }

    pub(crate) fn node_clock_repaired(&mut self, node: NodeId, epoch: Option<u32>) {
        let n = self.cluster.node(node);
        if n.removed {
            self.disruptions.clocks.nodes[node.index()] = None;
            return;
        }
        if epoch == Some(n.epoch) && !n.up {
            self.recover_node(node);
        }
        if let Some(up) = self.node_draw(node, true) {
            self.push_disruption(self.now + up, DisruptionEvent::NodeFails { node });
        }
    }

    /// Starts one clock per zone of every `zones` model.
    pub(crate) fn start_zone_clocks(&mut self) {
        let seed = self.disruptions.clocks.seed;
        for (m, f) in self.scenario.failures.iter().enumerate() {
            let FailureModel::Zones { zones, between, .. } = f else {
                continue;
            };
            for zone in zones {
                let mut rng = RngStreams::new(seed).stream(&format!("failures/zone/{zone}"));
                let up = draw(between, &mut rng);
                let k = self.disruptions.clocks.zones.len() as u32;
                self.disruptions.clocks.zones.push(ZoneClock {
                    model: m,
                    zone: zone.clone(),
                    rng,
                    failed: Vec::new(),
                });
                self.queue.push(
                    up,
                    Event::Disruption(DisruptionEvent::ZoneFails { zone: k }),
                );
            }
        }
    }

    pub(crate) fn zone_clock_fails(&mut self, k: usize) {
        let model = self.disruptions.clocks.zones[k].model;
        let repair = clock_dists(self.scenario, model).1;
        let down = draw(repair, &mut self.disruptions.clocks.zones[k].rng);
        let zone = self.disruptions.clocks.zones[k].zone.clone();
        let ids = self.up_nodes_of_zone(&zone);
        self.rec.log(
            self.now,
            "zone-failed",
            zone,
            format!(
                "failures[{model}] (zones): an outage; {} nodes of the zone go down for {down}",
                ids.len()
            ),
        );
        let mut failed = Vec::new();
        for id in ids {
            if self.fail_node(id) {
                failed.push((id, self.cluster.node(id).epoch));
            }
        }
        self.disruptions.clocks.zones[k].failed = failed;
        self.push_disruption(
            self.now + down,
            DisruptionEvent::ZoneRepaired { zone: k as u32 },
        );
    }

    pub(crate) fn zone_clock_repaired(&mut self, k: usize) {
        let failed = std::mem::take(&mut self.disruptions.clocks.zones[k].failed);
        let mut back = 0;
        for (id, epoch) in failed {
            let n = self.cluster.node(id);
            if n.epoch == epoch && !n.up && !n.removed {
                self.recover_node(id);
                back += 1;
            }
        }
        let c = &self.disruptions.clocks.zones[k];
        let (model, zone) = (c.model, c.zone.clone());
        self.rec.log(
            self.now,
            "zone-recovered",
            zone,
            format!("failures[{model}] (zones): the outage is over; {back} nodes come back"),
        );
        let between = clock_dists(self.scenario, model).0;
        let up = draw(between, &mut self.disruptions.clocks.zones[k].rng);
        self.push_disruption(self.now + up, DisruptionEvent::ZoneFails { zone: k as u32 });
    }
}
