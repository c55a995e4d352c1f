//! Nominated nodes (a pod's `status.nominatedNodeName`): after preempting
//! pods on a node, the preemptor waits for them to terminate. Meanwhile the
//! room it will take is reserved: the scheduler counts a nominated pod on its
//! node when it places any pod of equal or lower priority.

use super::{NodeId, PodId, Resources};
use std::collections::BTreeMap;

/// A pod nominated to a node, and what it will ask of the node.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Nominee {
    pub pod: PodId,
    pub priority: i32,
    pub requests: Resources,
}

/// Every nomination, by node and by pod. Usually empty.
#[derive(Clone, Debug, Default)]
pub struct Nominations {
    by_node: Vec<Vec<Nominee>>,
    of_pod: BTreeMap<PodId, NodeId>,
    /// A nomination was cleared since [`take_freed`](Self::take_freed): the
    /// room it reserved may be free for others.
    freed: bool,
}

impl Nominations {
    /// Nominates `n.pod` to `node`, replacing any earlier nomination.
    pub fn nominate(&mut self, node: NodeId, n: Nominee) {
        if self.of_pod.get(&n.pod) == Some(&node) {
            // Nominated here again: the reservation stays as it was.
            let freed = self.freed;
            self.remove(n.pod);
            self.freed = freed;
        } else {
            self.remove(n.pod);
        }
        if self.by_node.len() <= node.index() {
            self.by_node.resize_with(node.index() + 1, Vec::new);
        }
        self.by_node[node.index()].push(n);
        self.of_pod.insert(n.pod, node);
    }

    /// Clears a pod's nomination; returns the node it was nominated to.
    pub fn remove(&mut self, pod: PodId) -> Option<NodeId> {
        let node = self.of_pod.remove(&pod)?;
        let v = &mut self.by_node[node.index()];
        if let Some(i) = v.iter().position(|x| x.pod == pod) {
            v.remove(i);
        }
        self.freed = true;
        Some(node)
    }

    /// Clears the nomination of a pod that was bound to its nominated node:
    /// the room it reserved is now taken by the pod itself.
    pub fn fulfil(&mut self, pod: PodId) {
        let freed = self.freed;
        self.remove(pod);
        self.freed = freed;
    }

    /// The node a pod is nominated to.
    pub fn node_of(&self, pod: PodId) -> Option<NodeId> {
        if self.of_pod.is_empty() {
            return None;
        }
        self.of_pod.get(&pod).copied()
    }

    /// Pods nominated to `node`.
    pub fn on_node(&self, node: NodeId) -> &[Nominee] {
        self.by_node.get(node.index()).map_or(&[], |v| v.as_slice())
    }

    /// What pods nominated to `node` with priority ≥ `priority` (other than
    /// `except`) will take: their requests and their number.
    pub fn reserved(&self, node: NodeId, priority: i32, except: Option<PodId>) -> (Resources, u32) {
        let mut r = Resources::ZERO;
        let mut n = 0;
        for x in self.on_node(node) {
            if x.priority >= priority && Some(x.pod) != except {
                r.add(&x.requests);
                n += 1;
            }
        }
        (r, n)
    }

    /// Whether a nomination was cleared since the last call; resets the flag.
    pub fn take_freed(&mut self) -> bool {
        std::mem::take(&mut self.freed)
    }

    pub fn is_empty(&self) -> bool {
        self.of_pod.is_empty()
    }
}
