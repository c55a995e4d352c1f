//! What a plugin may read beyond the pod's spec and the node: the whole
//! cluster (read-only, with its per-owner topology counts and nominations),
//! which pod is being placed, and the per-pod state computed once before the
//! pass over nodes (kube-scheduler's CycleState, written by PreFilter and
//! PreScore).

use crate::cluster::{Cluster, Node, NodeId, PodId, PodSpec, Resources, TaintEffect, TopologyKey};

/// The pod being placed, beyond its spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PodRef {
    /// Its owner (service or job): the pods its spread and anti-affinity
    /// constraints count.
    pub owner: u32,
    /// The pod itself; `None` for a hypothetical pod (what-if questions).
    pub id: Option<PodId>,
}

/// A preemption dry run: pretend these pods have left `node`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Removal {
    pub node: NodeId,
    pub requests: Resources,
    pub pods: u32,
}

/// A read-only view of the cluster for one pod's scheduling cycle.
#[derive(Clone, Copy)]
pub struct ClusterView<'a> {
    pub cluster: &'a Cluster,
    pub pod: PodRef,
    pub cycle: &'a CycleState,
    /// During a preemption dry run, the victims taken off a node.
    pub removal: Option<Removal>,
}

impl<'a> ClusterView<'a> {
    pub fn new(cluster: &'a Cluster, pod: PodRef, cycle: &'a CycleState) -> Self {
        ClusterView {
            cluster,
            pod,
            cycle,
            removal: None,
        }
    }

    /// The node's requests and pod count as this pod must see them: pods
    /// nominated to the node with a priority at least this pod's (other than
    /// itself) are counted as if bound (kube-scheduler's
    /// RunFilterPluginsWithNominatedPods), and a dry run's victims are not.
    pub fn occupied(&self, pod: &PodSpec, node: &Node) -> (Resources, u32) {
        let mut req = node.requested;
        let mut count = node.pods.len() as u32;
        if !self.cluster.nominations.is_empty() {
            let (r, n) = self
                .cluster
                .nominations
                .reserved(node.id, pod.priority, self.pod.id);
            req.add(&r);
            count += n;
        }
        if let Some(rm) = self.removal.filter(|r| r.node == node.id) {
            req = req.saturating_minus(&rm.requests);
            count = count.saturating_sub(rm.pods);
        }
        (req, count)
    }

    /// The zone number of a node.
    pub fn zone_of(&self, node: &Node) -> u32 {
        self.cluster.topology.zone_of(node.id)
    }
}

/// PreFilter's result for one spread constraint of the pod.
#[derive(Clone, Debug, Default)]
pub struct SpreadState {
    /// The global minimum: the smallest count over eligible domains, or 0
    /// when there are fewer eligible domains than `min-domains`.
    pub min: u32,
    /// How many eligible domains there are.
    pub domains: u32,
    /// For a zone constraint, the count per zone over eligible nodes.
    pub zone_counts: Vec<u32>,
    /// For a soft constraint, PreScore's normalizing weight
    /// `ln(domains among the feasible nodes + 2)`.
    pub weight: f64,
}

/// Per-pod state computed once before the pass over nodes, reused between
/// pods so a decision allocates nothing in the steady state.
#[derive(Clone, Debug, Default)]
pub struct CycleState {
    /// One entry per spread constraint of the pod, in its order.
    pub spread: Vec<SpreadState>,
    used: usize,
    zone_seen: Vec<bool>,
}

/// Whether `node` is an eligible domain for a spread constraint of `pod`:
/// it matches the pod's node selector (`nodeAffinityPolicy: Honor`) and,
/// with `nodeTaintsPolicy: Honor`, carries no NoSchedule/NoExecute taint the
/// pod does not tolerate, counting a NotReady node's and a cordoned node's.
pub fn eligible_for_spread(pod: &PodSpec, node: &Node, honor_taints: bool) -> bool {
    if node.removed {
        return false;
    }
    if !pod
        .node_selector
        .iter()
        .all(|(k, v)| node.labels.get(k) == Some(v))
    {
        return false;
    }
    if honor_taints {
        use crate::cluster::{tolerated, UNREACHABLE_TAINT, UNSCHEDULABLE_TAINT};
        if !node.api_ready && !tolerated(&pod.tolerations, &UNREACHABLE_TAINT) {
            return false;
        }
        if node.unschedulable && !tolerated(&pod.tolerations, &UNSCHEDULABLE_TAINT) {
            return false;
        }
        let blocked = node.taints.iter().any(|t| {
            t.effect != TaintEffect::PreferNoSchedule
                && !pod.tolerations.iter().any(|tol| tol.tolerates(t))
        });
        if blocked {
            return false;
        }
    }
    true
}

impl CycleState {
    /// The spread states in use for the current pod.
    pub fn spread(&self) -> &[SpreadState] {
        &self.spread[..self.used]
    }

    /// PodTopologySpread's PreFilter: for each spread constraint of the pod,
    /// the count per domain over eligible nodes and the global minimum. One
    /// pass over the nodes per constraint with O(1) count lookups; nothing
    /// for a pod without spread constraints.
    pub fn prefilter(&mut self, cluster: &Cluster, pod: &PodSpec, who: PodRef) {
        let constraints = &pod.constraints.spread;
        self.used = constraints.len();
        if constraints.is_empty() {
            return;
        }
        if self.spread.len() < constraints.len() {
            self.spread
                .resize_with(constraints.len(), SpreadState::default);
        }
        let topo = &cluster.topology;
        let zones = topo.zone_count();
        let counts = topo.spread_by_node(who.owner);
        let count = |n: &Node| counts.get(n.id.index()).copied().unwrap_or(0);
        // Without a node selector or honoured taints, every node that is not
        // removed is eligible: skip the per-node checks.
        let plain = pod.node_selector.is_empty();
        for (c, st) in constraints.iter().zip(self.spread.iter_mut()) {
            let all = plain && !c.honor_taints;
            let eligible = |n: &Node| {
                if all {
                    !n.removed
                } else {
                    eligible_for_spread(pod, n, c.honor_taints)
                }
            };
            st.weight = 0.0;
            st.zone_counts.clear();
            let mut domains = 0u32;
            let mut min = u32::MAX;
            match c.key {
                TopologyKey::Zone => {
                    st.zone_counts.resize(zones, 0);
                    self.zone_seen.clear();
                    self.zone_seen.resize(zones, false);
                    for n in &cluster.nodes {
                        if !eligible(n) {
                            continue;
                        }
                        let z = topo.zone_of(n.id) as usize;
                        self.zone_seen[z] = true;
                        st.zone_counts[z] += count(n);
                    }
                    for z in 0..zones {
                        if self.zone_seen[z] {
                            domains += 1;
                            min = min.min(st.zone_counts[z]);
                        }
                    }
                }
                TopologyKey::Node => {
                    for n in &cluster.nodes {
                        if eligible(n) {
                            domains += 1;
                            min = min.min(count(n));
                        }
                    }
                }
            }
            if domains < c.min_domains.max(1) {
                min = 0;
            }
            st.min = min;
            st.domains = domains;
        }
    }

    /// PodTopologySpread's PreScore: the normalizing weight of each soft
    /// constraint from the number of domains among the feasible nodes.
    pub fn prescore(&mut self, cluster: &Cluster, pod: &PodSpec, feasible: &[u32]) {
        let topo = &cluster.topology;
        for (c, st) in pod.constraints.spread.iter().zip(self.spread.iter_mut()) {
            if c.hard {
                continue;
            }
            let size = match c.key {
                TopologyKey::Node => feasible.len(),
                TopologyKey::Zone => {
                    self.zone_seen.clear();
                    self.zone_seen.resize(topo.zone_count(), false);
                    let mut k = 0;
                    for &i in feasible {
                        let z = topo.zone_of(NodeId(i)) as usize;
                        if !self.zone_seen[z] {
                            self.zone_seen[z] = true;
                            k += 1;
                        }
                    }
                    k
                }
            };
            st.weight = ((size + 2) as f64).ln();
        }
    }
}
