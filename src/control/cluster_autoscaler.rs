//! The cluster autoscaler's loop, carried out by the control plane: every
//! `scan-interval` it asks its policy (`policy::autoscaler`) whether pending
//! pods need new nodes and which underused nodes are unneeded, then acts —
//! requests nodes that become Ready after the provisioning time, and drains
//! and removes nodes that stayed unneeded for `scale-down-unneeded-time`.
//!
//! Per scan it costs O(specs waiting × node groups + nodes in the estimate)
//! for the scale-up (nothing when no pod is pending) and O(live nodes) for
//! the scale-down's utilization pass (removed nodes, which stay in the
//! cluster's table for the outputs, cost nothing), plus the removal
//! simulation of at most `scale-down-non-empty-candidates-count` nodes (see
//! `policy::autoscaler::scale_down`). It never walks the pods of the cluster.

use crate::cluster::{Node, NodeId, Resources};
use crate::engine::{RngStreams, SimRng, SimTime};
use crate::policy::autoscaler::{
    choose, template_node, underused, Binpacker, PodGroup, ScaleDownPlanner, ScaleUpOption,
};
use crate::scenario::{ClusterAutoscalerConfig, Scenario};
use crate::simulation::{Event, NodeTemplate, Simulation};

/// What the autoscaler remembers between scans.
pub struct AutoscalerState {
    /// For random choices of the expander: the stream `cluster-autoscaler/expander`.
    rng: SimRng,
    /// Per scenario pool: nodes requested and not yet Ready.
    provisioning: Vec<u32>,
    /// Per scenario pool: nodes being drained for removal.
    deleting: Vec<u32>,
    /// Per scenario pool: the index of the next node it creates (`<pool>-as<k>`).
    next_name: Vec<u32>,
    /// Per scenario pool: the node template (for node groups).
    templates: Vec<Option<Node>>,
    /// Per node: since when it has been unneeded, without a break.
    unneeded_since: Vec<Option<SimTime>>,
    /// Nodes with an `unneeded_since`, in the order found.
    unneeded: Vec<(NodeId, bool)>,
    /// Per node: found unremovable at this time (not checked again for the recheck timeout).
    unremovable_at: Vec<Option<SimTime>>,
    /// Per node: being drained for removal.
    being_deleted: Vec<bool>,
    drains: u32,
    last_scale_up: Option<SimTime>,
    /// The nodes in the cluster (not removed), in node order, refreshed each
    /// scan: removed nodes stay in the cluster's node table for the outputs,
    /// and a scan should not pay for them.
    live: Vec<NodeId>,
    /// How many of the cluster's nodes `live` has seen.
    seen: usize,
    packer: Binpacker,
    planner: ScaleDownPlanner,
}

impl AutoscalerState {
    pub(crate) fn new(scenario: &Scenario, streams: &RngStreams) -> Self {
        let n = scenario.pools.len();
        AutoscalerState {
            rng: streams.stream("cluster-autoscaler/expander"),
            provisioning: vec![0; n],
            deleting: vec![0; n],
            next_name: vec![0; n],
            templates: scenario
                .pools
                .iter()
                .enumerate()
                .map(|(i, p)| p.node_group.as_ref().map(|_| template_node(i, p)))
                .collect(),
            unneeded_since: Vec::new(),
            unneeded: Vec::new(),
            unremovable_at: Vec::new(),
            being_deleted: Vec::new(),
            drains: 0,
            last_scale_up: None,
            live: Vec::new(),
            seen: 0,
            packer: Binpacker::default(),
            planner: ScaleDownPlanner::default(),
        }
    }

    /// Nodes requested and not yet Ready, over all pools.
    pub(crate) fn provisioning_total(&self) -> u32 {
        self.provisioning.iter().sum()
    }

    /// Drops removed nodes from `live` and adds the nodes created since the last scan.
    fn refresh_live(&mut self, nodes: &[Node]) {
        self.live.retain(|n| !nodes[n.index()].removed);
        self.live.extend(
            nodes[self.seen..]
                .iter()
                .filter(|n| !n.removed)
                .map(|n| n.id),
        );
        self.seen = nodes.len();
    }

    fn ensure_nodes(&mut self, n: usize) {
        if self.unneeded_since.len() < n {
            self.unneeded_since.resize(n, None);
            self.unremovable_at.resize(n, None);
            self.being_deleted.resize(n, false);
        }
    }
}

fn secs(t: SimTime) -> String {
    t.to_string()
}

impl Simulation<'_> {
    /// One pass of the autoscaler's loop, and the next one scheduled.
    pub(crate) fn autoscaler_scan(&mut self) {
        let scenario = self.scenario;
        let Some(cfg) = scenario.cluster_autoscaler.as_ref() else {
            return;
        };
        self.queue
            .push(self.now + cfg.scan_interval, Event::AutoscalerScan);
        // The scheduler reacts within milliseconds: pods it has not tried yet
        // are not unschedulable to the autoscaler.
        if self.cycle_scheduled {
            self.schedule_cycle();
        }
        let Some(mut st) = self.autoscaler.take() else {
            return;
        };
        st.ensure_nodes(self.cluster.nodes.len());
        st.refresh_live(&self.cluster.nodes);
        // As the real autoscaler: no scale-down in a loop that scaled up.
        if !self.ca_scale_up(&mut st, cfg) && cfg.scale_down_enabled {
            self.ca_scale_down(&mut st, cfg);
        }
        self.autoscaler = Some(st);
    }

    /// Nodes of each scenario pool in the cluster now (added, not removed),
    /// and in all, from the autoscaler's list of live nodes.
    fn live_per_pool(&self, st: &AutoscalerState) -> (Vec<u32>, u32) {
        let mut live = vec![0u32; self.scenario.pools.len()];
        for n in &st.live {
            if let Some(c) = live.get_mut(self.cluster.node(*n).pool as usize) {
                *c += 1;
            }
        }
        (live, st.live.len() as u32)
    }

    fn ca_scale_up(&mut self, st: &mut AutoscalerState, cfg: &ClusterAutoscalerConfig) -> bool {
        if self.cluster.totals().pods_pending == 0 {
            return false;
        }
        let mut groups: Vec<PodGroup> = self
            .pending
            .waiting()
            .filter(|(s, _)| self.cluster.spec(*s).priority >= cfg.expendable_priority_cutoff)
            .map(|(spec, count)| PodGroup {
                spec,
                requests: self.cluster.spec(spec).requests,
                count: count as u64,
            })
            .collect();
        let filters = &self.scheduler.profile.filters;
        // The what-if check on a node that does not exist yet runs the
        // node-local filters only (see `autoscaler::node_local_filter`).
        let cycle = crate::policy::CycleState::default();
        let view = crate::policy::ClusterView::new(
            &self.cluster,
            crate::policy::PodRef { owner: 0, id: None },
            &cycle,
        );
        let fit = |template: &Node, g: &PodGroup| {
            filters
                .iter()
                .filter(|f| crate::policy::autoscaler::node_local_filter(f.name()))
                .all(|f| f.filter(self.cluster.spec(g.spec), template, &view).is_ok())
        };
        // Pods that will fit on nodes already on their way wait for them.
        for (p, t) in st.templates.iter().enumerate() {
            let (Some(t), n) = (t, st.provisioning[p]) else {
                continue;
            };
            if n == 0 {
                continue;
            }
            let idx: Vec<usize> = (0..groups.len()).filter(|&i| fit(t, &groups[i])).collect();
            let sub: Vec<PodGroup> = idx.iter().map(|&i| groups[i]).collect();
            let packed = st.packer.pack(&sub, t.allocatable, t.max_pods, n, 0);
            for (k, &i) in idx.iter().enumerate() {
                groups[i].count -= packed.placed[k];
            }
        }
        groups.retain(|g| g.count > 0);
        if groups.is_empty() {
            return false;
        }
        let pending: u64 = groups.iter().map(|g| g.count).sum();
        let (live, total) = self.live_per_pool(st);
        let upcoming: u32 = st.provisioning.iter().sum::<u32>();
        let leaving: u32 = st.deleting.iter().sum::<u32>();
        let room_total = if cfg.max_nodes_total == 0 {
            u32::MAX
        } else {
            cfg.max_nodes_total
                .saturating_sub(total + upcoming - leaving.min(total + upcoming))
        };
        let mut options = Vec::new();
        for (p, pool) in self.scenario.pools.iter().enumerate() {
            let (Some(t), Some(g)) = (&st.templates[p], &pool.node_group) else {
                continue;
            };
            let target = (live[p] + st.provisioning[p]).saturating_sub(st.deleting[p]);
            let room = g.max.saturating_sub(target).min(room_total);
            if room == 0 {
                continue;
            }
            let sub: Vec<PodGroup> = groups.iter().copied().filter(|g| fit(t, g)).collect();
            if sub.is_empty() {
                continue;
            }
            let packed = st.packer.pack(&sub, t.allocatable, t.max_pods, 0, room);
            if packed.new_nodes == 0 {
                continue;
            }
            let mut requested = Resources::ZERO;
            for (g, &k) in sub.iter().zip(&packed.placed) {
                requested.add(&Resources::new(g.requests.cpu_m * k, g.requests.mem * k));
            }
            options.push(ScaleUpOption {
                pool: p,
                nodes: packed.new_nodes,
                pods: packed.pods(),
                requested,
                node: t.allocatable,
                priority: g.priority,
            });
        }
        if options.is_empty() {
            return false;
        }
        let pick = choose(cfg.expander, &options, &mut st.rng);
        let o = &options[pick];
        let pool = &self.scenario.pools[o.pool];
        let group = pool.node_group.as_ref().expect("options are node groups");
        let delay = group.provisioning_time.unwrap_or(cfg.provisioning_time);
        st.provisioning[o.pool] += o.nodes;
        st.last_scale_up = Some(self.now);
        self.queue.push(
            self.now + delay,
            Event::NodesProvisioned {
                pool: o.pool as u32,
                count: o.nodes,
            },
        );
        let others: Vec<String> = options
            .iter()
            .map(|x| {
                format!(
                    "{}: {} nodes for {} pods, waste {:.3}",
                    self.scenario.pools[x.pool].name,
                    x.nodes,
                    x.pods,
                    x.waste()
                )
            })
            .collect();
        self.rec.log(
            self.now,
            "scale-up",
            pool.name.clone(),
            format!(
                "+{} nodes for {} of {pending} unschedulable pods, Ready at {}; expander {} chose among [{}]",
                o.nodes,
                o.pods,
                secs(self.now + delay),
                cfg.expander.name(),
                others.join("; ")
            ),
        );
        true
    }

    /// `count` nodes of pool `pool` requested by the autoscaler are Ready.
    pub(crate) fn nodes_provisioned(&mut self, pool: usize, count: u32) {
        let Some(mut st) = self.autoscaler.take() else {
            return;
        };
        let p = &self.scenario.pools[pool];
        for _ in 0..count {
            let k = st.next_name[pool];
            st.next_name[pool] += 1;
            st.provisioning[pool] -= 1;
            let template = NodeTemplate {
                pool: pool as u32,
                zone: p.zones[k as usize % p.zones.len()].clone(),
                allocatable: p.allocatable,
                max_pods: p.max_pods,
                labels: p.labels.clone(),
                taints: p.taints.clone(),
                cost_per_hour: p.cost_per_hour,
            };
            let name = format!("{}-as{k}", p.name);
            self.add_named_node(name.clone(), template);
            self.rec.log(
                self.now,
                "node-provisioned",
                name,
                "Ready: added by the cluster autoscaler",
            );
        }
        st.ensure_nodes(self.cluster.nodes.len());
        self.autoscaler = Some(st);
        self.capacity_grew();
    }

    fn ca_scale_down(&mut self, st: &mut AutoscalerState, cfg: &ClusterAutoscalerConfig) {
        let now = self.now;
        let scenario = self.scenario;
        let is_group = |n: &Node| {
            scenario
                .pools
                .get(n.pool as usize)
                .is_some_and(|p| p.node_group.is_some())
        };
        // Candidates: underused Ready nodes of node groups; those unneeded
        // before come first, so their timers survive the candidate limit.
        let eligible = |n: &Node, st: &AutoscalerState| {
            is_group(n)
                && n.up
                && n.schedulable()
                && !st.being_deleted[n.id.index()]
                && underused(n, cfg.utilization_threshold)
                && st.unremovable_at[n.id.index()]
                    .is_none_or(|t| now >= t + cfg.unremovable_recheck)
        };
        let mut candidates: Vec<NodeId> = st
            .unneeded
            .iter()
            .map(|&(n, _)| n)
            .filter(|&n| eligible(self.cluster.node(n), st))
            .collect();
        for &id in &st.live {
            let n = self.cluster.node(id);
            if st.unneeded_since[id.index()].is_none() && eligible(n, st) {
                candidates.push(id);
            }
        }
        let mut unremovable = Vec::new();
        let found = st.planner.plan(
            &self.cluster,
            &self.scheduler.profile.filters,
            &candidates,
            &st.live,
            |n| st.being_deleted[n.index()],
            cfg.non_empty_candidates,
            cfg.expendable_priority_cutoff,
            &mut unremovable,
        );
        for n in unremovable {
            st.unremovable_at[n.index()] = Some(now);
        }
        // Timers: kept for nodes still unneeded, started for new ones, dropped for the rest.
        let mut still: Vec<NodeId> = found.iter().map(|u| u.node).collect();
        still.sort_unstable();
        for &(n, _) in &st.unneeded {
            if still.binary_search(&n).is_err() {
                st.unneeded_since[n.index()] = None;
            }
        }
        st.unneeded.clear();
        for u in &found {
            st.unneeded_since[u.node.index()].get_or_insert(now);
            st.unneeded.push((u.node, u.empty));
        }
        if st
            .last_scale_up
            .is_some_and(|t| now < t + cfg.delay_after_add)
        {
            return; // scale-down is in its cool-down after a scale-up
        }
        // Remove what has been unneeded long enough: empty nodes first, then
        // non-empty ones, each in node order; never below a group's min size.
        let (mut live, _) = self.live_per_pool(st);
        let mut order: Vec<(NodeId, bool)> = st
            .unneeded
            .iter()
            .copied()
            .filter(|&(n, _)| {
                st.unneeded_since[n.index()].is_some_and(|t| now >= t + cfg.unneeded_time)
            })
            .collect();
        order.sort_by_key(|&(n, empty)| (!empty, n));
        let mut in_flight: u32 = st.deleting.iter().sum();
        for (node, empty) in order {
            if in_flight >= cfg.max_scale_down_parallelism {
                break;
            }
            if !empty && st.drains >= cfg.max_drain_parallelism {
                continue;
            }
            let p = self.cluster.node(node).pool as usize;
            let min = scenario.pools[p].node_group.as_ref().map_or(0, |g| g.min);
            let target = (live[p] + st.provisioning[p]).saturating_sub(st.deleting[p]);
            if target <= min {
                continue;
            }
            let since = st.unneeded_since[node.index()].unwrap_or(now);
            st.unneeded_since[node.index()] = None;
            st.unneeded.retain(|&(n, _)| n != node);
            let name = self.cluster.node(node).name.clone();
            let r = self.cluster.node(node).requested;
            let a = self.cluster.node(node).allocatable;
            let why = format!(
                "unneeded since {} (cpu {:.1}%, memory {:.1}% requested, under {}%)",
                secs(since),
                r.cpu_m as f64 * 100.0 / a.cpu_m.max(1) as f64,
                r.mem as f64 * 100.0 / a.mem.max(1) as f64,
                cfg.utilization_threshold * 100.0
            );
            if empty {
                self.rec.log(
                    now,
                    "scale-down",
                    name,
                    format!("empty node removed; {why}"),
                );
                self.remove_node(node);
                live[p] -= 1;
            } else {
                self.rec.log(
                    now,
                    "scale-down",
                    name,
                    format!("draining, then removing; {why}"),
                );
                st.being_deleted[node.index()] = true;
                st.deleting[p] += 1;
                st.drains += 1;
                in_flight += 1;
                self.drain_node(node);
                let grace = self.scenario.control.termination_grace;
                self.queue
                    .push(now + grace, Event::AutoscalerRemoveNode { node });
            }
        }
    }

    /// A node drained by the autoscaler has let its pods go: remove it.
    pub(crate) fn autoscaler_remove_node(&mut self, node: NodeId) {
        let Some(st) = self.autoscaler.as_mut() else {
            return;
        };
        if !st.being_deleted.get(node.index()).copied().unwrap_or(false) {
            return;
        }
        st.being_deleted[node.index()] = false;
        let p = self.cluster.node(node).pool as usize;
        st.deleting[p] -= 1;
        st.drains -= 1;
        self.remove_node(node);
    }
}
