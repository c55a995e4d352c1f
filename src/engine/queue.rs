//! The event queue: a 4-ary min-heap of 16-byte keys with the payloads kept
//! in a slab, plus a FIFO lane for events scheduled at the current instant.
//!
//! Ordering contract: events pop in `(time, sequence)` order, where the
//! sequence number is the order in which they were pushed. Events at the same
//! time therefore run in the order they were scheduled, which makes every run
//! reproducible.
//!
//! Design (measured by `benches/event_loop.rs`, `queue_*`):
//!
//! - A key is one `u128`: `time << 64 | seq << 32 | slot`. Comparing keys is
//!   one 128-bit compare, and since `seq` is unique the `slot` bits never
//!   decide an order. The heap moves 16-byte keys, never events.
//! - The heap is 4-ary: half the depth of a binary heap, and a node's four
//!   children (64 bytes) share a cache line or two. `pop` moves the hole to
//!   the bottom choosing the least child without branching on the data, then
//!   sifts the last key up (Floyd's method), so it mispredicts little.
//! - Many events are scheduled for the instant being processed (the
//!   simulator's `ScheduleCycle`, for one). When a push is for the time of the
//!   last pop, and the lane holds nothing for another time, its key goes to
//!   the back of a FIFO lane instead of the heap. Every key in the lane has
//!   the same time and a larger sequence than the one before it, so the lane
//!   is sorted and `pop` takes the smaller of the lane's front and the heap's
//!   top: the order is exactly the one contract above, whatever is pushed.
//! - `seq` has 32 bits. Before it would wrap, every key is renumbered by rank
//!   (order kept), once per 2³² pushes.

use super::SimTime;
use std::collections::VecDeque;

/// Children per heap node.
const ARITY: usize = 4;
/// Sequence numbers are below this; reaching it triggers a renumbering.
const SEQ_LIMIT: u64 = 1 << 32;

#[inline]
fn key(time: u64, seq: u64, slot: u32) -> u128 {
    ((time as u128) << 64) | ((seq as u128) << 32) | slot as u128
}

#[inline]
fn key_time(k: u128) -> u64 {
    (k >> 64) as u64
}

#[inline]
fn key_slot(k: u128) -> u32 {
    k as u32
}

/// A deterministic priority queue of events of type `E`.
#[derive(Debug)]
pub struct EventQueue<E> {
    /// A 4-ary min-heap: the children of `i` are `4i + 1 ..= 4i + 4`.
    heap: Vec<u128>,
    /// Keys at one time, in push order (so ascending).
    lane: VecDeque<u128>,
    slab: Vec<Option<E>>,
    free: Vec<u32>,
    /// The sequence number of the next push (below `SEQ_LIMIT`).
    next_seq: u64,
    /// How many events have ever been pushed.
    pushed: u64,
    /// The time of the last pop: pushes for this time go to the lane.
    now: u64,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    pub fn new() -> Self {
        Self::with_capacity(0)
    }

    pub fn with_capacity(n: usize) -> Self {
        EventQueue {
            heap: Vec::with_capacity(n),
            lane: VecDeque::new(),
            slab: Vec::with_capacity(n),
            free: Vec::new(),
            next_seq: 0,
            pushed: 0,
            now: 0,
        }
    }

    /// Schedules `event` at `time`, after every event already scheduled for that time.
    pub fn push(&mut self, time: SimTime, event: E) {
        let slot = match self.free.pop() {
            Some(s) => {
                self.slab[s as usize] = Some(event);
                s
            }
            None => {
                let s = u32::try_from(self.slab.len()).expect("over 2^32 pending events");
                self.slab.push(Some(event));
                s
            }
        };
        if self.next_seq == SEQ_LIMIT {
            self.renumber();
        }
        let k = key(time.0, self.next_seq, slot);
        self.next_seq += 1;
        self.pushed += 1;
        let lane_fits = match self.lane.back() {
            Some(&b) => key_time(b) == time.0,
            None => time.0 == self.now,
        };
        if lane_fits {
            self.lane.push_back(k);
        } else {
            self.heap_push(k);
        }
    }

    /// Removes and returns the earliest event.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let from_lane = match (self.lane.front(), self.heap.first()) {
            (Some(l), Some(h)) => l < h,
            (Some(_), None) => true,
            (None, _) => false,
        };
        let k = if from_lane {
            self.lane.pop_front()?
        } else {
            self.heap_pop()?
        };
        let slot = key_slot(k);
        let event = self.slab[slot as usize].take()?;
        self.free.push(slot);
        self.now = key_time(k);
        Some((SimTime(self.now), event))
    }

    /// The time of the earliest event, if any.
    pub fn peek_time(&self) -> Option<SimTime> {
        let k = match (self.lane.front(), self.heap.first()) {
            (Some(&l), Some(&h)) => l.min(h),
            (Some(&l), None) => l,
            (None, Some(&h)) => h,
            (None, None) => return None,
        };
        Some(SimTime(key_time(k)))
    }

    pub fn len(&self) -> usize {
        self.heap.len() + self.lane.len()
    }

    pub fn is_empty(&self) -> bool {
        self.heap.is_empty() && self.lane.is_empty()
    }

    /// How many events have ever been pushed.
    pub fn scheduled(&self) -> u64 {
        self.pushed
    }

    fn heap_push(&mut self, k: u128) {
        let i = self.heap.len();
        self.heap.push(k);
        self.sift_up(i, k);
    }

    /// Puts `k` in the hole at `i`, moving it up past larger parents.
    #[inline]
    fn sift_up(&mut self, mut i: usize, k: u128) {
        let h = &mut self.heap[..];
        while i > 0 {
            let parent = (i - 1) / ARITY;
            if h[parent] <= k {
                break;
            }
            h[i] = h[parent];
            i = parent;
        }
        h[i] = k;
    }

    fn heap_pop(&mut self) -> Option<u128> {
        let last = self.heap.pop()?;
        let n = self.heap.len();
        if n == 0 {
            return Some(last);
        }
        let h = &mut self.heap[..];
        let top = h[0];
        // Move the hole at the root down to a leaf, always to the least
        // child; selects instead of branches where all four children exist.
        let mut i = 0;
        loop {
            let c = ARITY * i + 1;
            if c + ARITY > n {
                break;
            }
            let (a, b, x, y) = (h[c], h[c + 1], h[c + 2], h[c + 3]);
            let (i1, m1) = if b < a { (c + 1, b) } else { (c, a) };
            let (i2, m2) = if y < x { (c + 3, y) } else { (c + 2, x) };
            let m = if m2 < m1 { i2 } else { i1 };
            h[i] = h[m];
            i = m;
        }
        // A last, partial group of children.
        let c = ARITY * i + 1;
        if c < n {
            let mut m = c;
            for j in c + 1..n {
                if h[j] < h[m] {
                    m = j;
                }
            }
            h[i] = h[m];
            i = m;
        }
        self.sift_up(i, last);
        Some(top)
    }

    /// Gives every pending key a new sequence number by rank, keeping the
    /// order, so sequence numbers restart from the queue's length.
    #[cold]
    fn renumber(&mut self) {
        let mut keys: Vec<u128> = self.heap.drain(..).chain(self.lane.drain(..)).collect();
        keys.sort_unstable();
        for (rank, k) in keys.iter_mut().enumerate() {
            *k = key(key_time(*k), rank as u64, key_slot(*k));
        }
        self.next_seq = keys.len() as u64;
        // A sorted array is a valid heap.
        self.heap = keys;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pops_by_time_then_insertion_order() {
        let mut q = EventQueue::new();
        q.push(SimTime(5), "b1");
        q.push(SimTime(1), "a");
        q.push(SimTime(5), "b2");
        q.push(SimTime(3), "c");
        q.push(SimTime(5), "b3");
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).map(|(_, e)| e).collect();
        assert_eq!(order, ["a", "c", "b1", "b2", "b3"]);
    }

    #[test]
    fn reuses_slots() {
        let mut q = EventQueue::new();
        for i in 0..100 {
            q.push(SimTime(i), i);
            assert_eq!(q.pop(), Some((SimTime(i), i)));
        }
        assert_eq!(q.slab.len(), 1);
        assert!(q.is_empty());
    }

    #[test]
    fn same_instant_pushes_keep_order_with_earlier_ones() {
        let mut q = EventQueue::new();
        q.push(SimTime(10), "x1");
        q.push(SimTime(10), "x2");
        q.push(SimTime(20), "z");
        assert_eq!(q.pop(), Some((SimTime(10), "x1")));
        // Now at 10: these go to the lane but must follow x2 (in the heap).
        q.push(SimTime(10), "y1");
        q.push(SimTime(10), "y2");
        // A push into the past still comes out first.
        q.push(SimTime(5), "past");
        q.push(SimTime(10), "y3");
        assert_eq!(q.peek_time(), Some(SimTime(5)));
        assert_eq!(q.len(), 6);
        let order: Vec<_> = std::iter::from_fn(|| q.pop()).collect();
        assert_eq!(
            order,
            [
                (SimTime(5), "past"),
                (SimTime(10), "x2"),
                (SimTime(10), "y1"),
                (SimTime(10), "y2"),
                (SimTime(10), "y3"),
                (SimTime(20), "z"),
            ]
        );
        assert_eq!(q.scheduled(), 7);
    }

    /// Compares against a sort by (time, push index) on a random mix of
    /// far, near and same-instant pushes interleaved with pops.
    #[test]
    fn matches_a_stable_sort_on_random_workloads() {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut rnd = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut q = EventQueue::new();
        let mut model: Vec<(u64, u64)> = Vec::new(); // (time, push index)
        let mut now = 0u64;
        let mut id = 0u64;
        for _ in 0..20_000 {
            let r = rnd();
            if r % 3 == 0 && !model.is_empty() {
                model.sort();
                let want = model.remove(0);
                let (t, got) = q.pop().unwrap();
                assert_eq!((t.0, got), want);
                now = t.0;
            } else {
                let t = match r % 7 {
                    0..=2 => now,
                    3..=4 => now + r % 5,
                    5 => now + r % 10_000,
                    _ => (r >> 8) % 100, // sometimes in the past
                };
                q.push(SimTime(t), id);
                model.push((t, id));
                id += 1;
            }
            assert_eq!(q.len(), model.len());
        }
        model.sort();
        let rest: Vec<_> = std::iter::from_fn(|| q.pop())
            .map(|(t, e)| (t.0, e))
            .collect();
        assert_eq!(rest, model);
    }

    #[test]
    fn renumbering_keeps_the_order() {
        let mut q = EventQueue::new();
        q.next_seq = SEQ_LIMIT - 3;
        for i in 0..8u64 {
            q.push(SimTime(100 - (i % 2) * 50), i);
        }
        assert!(q.next_seq < 20, "renumbered");
        let mut q2 = q;
        q2.push(SimTime(50), 8);
        let order: Vec<_> = std::iter::from_fn(|| q2.pop()).map(|(_, e)| e).collect();
        assert_eq!(order, [1, 3, 5, 7, 8, 0, 2, 4, 6]);
        assert_eq!(q2.scheduled(), 9);
    }
}
