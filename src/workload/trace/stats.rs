//! What a trace holds, in one streaming pass with bounded memory: counts,
//! time span, arrivals over time, request and duration percentiles, kinds,
//! priorities, owners, time order, and the machine events.
//!
//! Nothing here keeps a row. Each figure says how exact it is:
//!
//! - counts, sums, means, p0 and max are exact;
//! - other percentiles (nearest rank) are exact while a column takes at most
//!   10,000 distinct values (request columns usually do); past that they come
//!   from a log-linear histogram ([`LogHistogram`]): each within 0.4% (1/256)
//!   of the exact value, and exact for values under 256 (CPU under 256m,
//!   durations under 256 µs);
//! - arrivals per time bucket are exact counts; the bucket width grows
//!   (1 s, 2 s, 10 s, 20 s, 1 m, 2 m, 10 m, 20 m, 1 h, 2 h, 6 h, 12 h, 1 d,
//!   then doubling) so that the span fits in at most [`TimeBuckets::MAX`] buckets;
//! - distinct owners are counted exactly up to [`DistinctCount::EXACT_LIMIT`]
//!   (by 64-bit hash: two names collide with odds below one in a billion),
//!   then estimated by HyperLogLog (16,384 registers: about 0.8% standard error);
//! - "late" items are counted as a replay with the given reorder window would
//!   count them (it keeps only the window's times, not the items);
//! - machines are kept one entry per machine (not per row), to follow each
//!   machine's state; distinct priorities and machine shapes are capped at
//!   [`PodStats::MAX_PRIORITIES`] and [`MachineStats::MAX_SHAPES`], the rest counted as "other".

use super::{
    open_nodes, open_pods, BadRow, MachineChange, MachineEvent, PodItem, Scales, TraceError,
    TraceFiles, TraceFormat, TraceRun,
};
use crate::cluster::{PodKind, Resources};
use crate::engine::SimTime;
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashSet};
use std::fmt::Write as _;
use std::io::{self, Write};

// ---------------------------------------------------------------- histogram

/// The distribution of non-negative integers: exact while they take at most
/// [`Self::EXACT_DISTINCT`] distinct values (request columns usually do),
/// then a histogram with buckets of constant relative width, 128 buckets per
/// power of two (values under 256 have a bucket each).
#[derive(Clone, Debug, PartialEq)]
pub struct LogHistogram {
    counts: Vec<u64>,
    n: u64,
    min: u64,
    max: u64,
    sum: u128,
    /// Value → count, until there are too many distinct values.
    exact: Option<BTreeMap<u64, u64>>,
}

impl Default for LogHistogram {
    fn default() -> Self {
        LogHistogram {
            counts: Vec::new(),
            n: 0,
            min: 0,
            max: 0,
            sum: 0,
            exact: Some(BTreeMap::new()),
        }
    }
}

impl LogHistogram {
    const SUB_BITS: u32 = 7;
    const SUB: u64 = 1 << Self::SUB_BITS;
    /// The largest relative error of a percentile that is not p0 or max,
    /// once the values are too many to keep exactly.
    pub const RELATIVE_ERROR: f64 = 1.0 / 256.0;
    /// Distinct values kept exactly.
    pub const EXACT_DISTINCT: usize = 10_000;

    /// Whether [`quantile`](Self::quantile) is exact.
    pub fn is_exact(&self) -> bool {
        self.exact.is_some()
    }

    fn index(v: u64) -> usize {
        if v < Self::SUB {
            return v as usize;
        }
        let e = 63 - v.leading_zeros(); // ≥ SUB_BITS
        let shift = e - Self::SUB_BITS;
        let sub = (v >> shift) - Self::SUB;
        (Self::SUB + shift as u64 * Self::SUB + sub) as usize
    }

    /// The smallest and largest value of bucket `i`.
    fn bounds(i: usize) -> (u64, u64) {
        let i = i as u64;
        if i < Self::SUB {
            return (i, i);
        }
        let shift = (i - Self::SUB) / Self::SUB;
        let sub = (i - Self::SUB) % Self::SUB;
        let lo = (Self::SUB + sub) << shift;
        (lo, lo + ((1u64 << shift) - 1))
    }

    pub fn record(&mut self, v: u64) {
        let i = Self::index(v);
        if i >= self.counts.len() {
            self.counts.resize(i + 1, 0);
        }
        self.counts[i] += 1;
        if let Some(m) = &mut self.exact {
            *m.entry(v).or_insert(0) += 1;
            if m.len() > Self::EXACT_DISTINCT {
                self.exact = None;
            }
        }
        if self.n == 0 {
            self.min = v;
            self.max = v;
        } else {
            self.min = self.min.min(v);
            self.max = self.max.max(v);
        }
        self.n += 1;
        self.sum += v as u128;
    }

    pub fn count(&self) -> u64 {
        self.n
    }
    pub fn min(&self) -> Option<u64> {
        (self.n > 0).then_some(self.min)
    }
    pub fn max(&self) -> Option<u64> {
        (self.n > 0).then_some(self.max)
    }
    pub fn mean(&self) -> Option<f64> {
        (self.n > 0).then(|| self.sum as f64 / self.n as f64)
    }

    /// The nearest-rank `q`-quantile (0 ≤ q ≤ 1): exact at 0 and 1 and while
    /// [`is_exact`](Self::is_exact), else the middle of the bucket that holds
    /// it, within [`Self::RELATIVE_ERROR`] of the exact value.
    pub fn quantile(&self, q: f64) -> Option<u64> {
        if self.n == 0 {
            return None;
        }
        if q <= 0.0 {
            return Some(self.min);
        }
        if q >= 1.0 {
            return Some(self.max);
        }
        let rank = ((q * self.n as f64).ceil() as u64).clamp(1, self.n);
        let mut seen = 0;
        if let Some(m) = &self.exact {
            for (v, c) in m {
                seen += c;
                if seen >= rank {
                    return Some(*v);
                }
            }
        }
        for (i, c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                let (lo, hi) = Self::bounds(i);
                return Some((lo + (hi - lo) / 2).clamp(self.min, self.max));
            }
        }
        Some(self.max)
    }
}

// ---------------------------------------------------------------- arrivals over time

/// Counts per time bucket, the width growing so that the span fits.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeBuckets {
    width_us: u64,
    /// Absolute index (time / width) of `counts[0]`.
    first: u64,
    counts: Vec<u64>,
}

impl Default for TimeBuckets {
    fn default() -> Self {
        TimeBuckets {
            width_us: 1_000_000,
            first: 0,
            counts: Vec::new(),
        }
    }
}

impl TimeBuckets {
    /// The most buckets kept.
    pub const MAX: u64 = 48;
    /// Widths in seconds; each a multiple of the one before. After the last, doubling.
    const LADDER_S: &'static [u64] = &[
        1, 2, 10, 20, 60, 120, 600, 1200, 3600, 7200, 21600, 43200, 86400,
    ];

    fn next_width(w: u64) -> u64 {
        let s = w / 1_000_000;
        Self::LADDER_S
            .iter()
            .find(|&&l| l > s)
            .map_or(w.saturating_mul(2), |l| l * 1_000_000)
    }

    fn coarsen(&mut self) {
        let w = Self::next_width(self.width_us);
        let mut counts: Vec<u64> = Vec::new();
        let first = self.first * self.width_us / w;
        for (j, c) in self.counts.iter().enumerate() {
            let k = ((self.first + j as u64) * self.width_us / w - first) as usize;
            if k >= counts.len() {
                counts.resize(k + 1, 0);
            }
            counts[k] += c;
        }
        self.width_us = w;
        self.first = first;
        self.counts = counts;
    }

    pub fn record(&mut self, t: SimTime) {
        let t = t.as_micros();
        if self.counts.is_empty() {
            self.first = t / self.width_us;
            self.counts.push(1);
            return;
        }
        loop {
            let idx = t / self.width_us;
            let lo = self.first.min(idx);
            let hi = (self.first + self.counts.len() as u64 - 1).max(idx);
            if hi - lo < Self::MAX {
                if idx < self.first {
                    let grow = (self.first - idx) as usize;
                    self.counts.splice(0..0, std::iter::repeat_n(0, grow));
                    self.first = idx;
                }
                let k = (idx - self.first) as usize;
                if k >= self.counts.len() {
                    self.counts.resize(k + 1, 0);
                }
                self.counts[k] += 1;
                return;
            }
            self.coarsen();
        }
    }

    pub fn width(&self) -> SimTime {
        SimTime(self.width_us)
    }

    /// `(bucket start, count)`, in time order.
    pub fn buckets(&self) -> impl Iterator<Item = (SimTime, u64)> + '_ {
        self.counts
            .iter()
            .enumerate()
            .map(|(j, c)| (SimTime((self.first + j as u64) * self.width_us), *c))
    }
}

// ---------------------------------------------------------------- distinct names

fn hash64(s: &str) -> u64 {
    // FNV-1a, then the splitmix64 finalizer to spread the bits: stable across
    // platforms and Rust versions.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.as_bytes() {
        h ^= *b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// Distinct names: exact up to a bound, then a HyperLogLog estimate.
#[derive(Clone, Debug)]
pub struct DistinctCount {
    exact: Option<HashSet<u64>>,
    registers: Vec<u8>,
}

impl Default for DistinctCount {
    fn default() -> Self {
        DistinctCount {
            exact: Some(HashSet::new()),
            registers: vec![0; 1 << Self::P],
        }
    }
}

impl DistinctCount {
    /// Names counted exactly before switching to the estimate.
    pub const EXACT_LIMIT: usize = 200_000;
    const P: u32 = 14;

    pub fn insert(&mut self, name: &str) {
        let h = hash64(name);
        let j = (h >> (64 - Self::P)) as usize;
        let rank = ((h << Self::P) | (1 << (Self::P - 1))).leading_zeros() as u8 + 1;
        self.registers[j] = self.registers[j].max(rank);
        if let Some(set) = &mut self.exact {
            set.insert(h);
            if set.len() > Self::EXACT_LIMIT {
                self.exact = None;
            }
        }
    }

    /// `(count, exact?)`.
    pub fn count(&self) -> (u64, bool) {
        if let Some(set) = &self.exact {
            return (set.len() as u64, true);
        }
        let m = self.registers.len() as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let sum: f64 = self.registers.iter().map(|r| 2f64.powi(-(*r as i32))).sum();
        let mut e = alpha * m * m / sum;
        let zeros = self.registers.iter().filter(|r| **r == 0).count();
        if e <= 2.5 * m && zeros > 0 {
            e = m * (m / zeros as f64).ln();
        }
        (e.round() as u64, false)
    }
}

// ---------------------------------------------------------------- time order

/// Counts the items a replay's reorder window of `cap` items would deliver
/// late, keeping only the times in the window.
#[derive(Clone, Debug)]
struct LatenessProbe {
    heap: BinaryHeap<Reverse<SimTime>>,
    cap: usize,
    last: SimTime,
    late: u64,
    late_max: SimTime,
}

impl LatenessProbe {
    fn new(cap: usize) -> Self {
        LatenessProbe {
            heap: BinaryHeap::new(),
            cap: cap.max(1),
            last: SimTime::ZERO,
            late: 0,
            late_max: SimTime::ZERO,
        }
    }
    fn pop(&mut self) {
        if let Some(Reverse(t)) = self.heap.pop() {
            if t < self.last {
                self.late += 1;
                self.late_max = self.late_max.max(self.last - t);
            } else {
                self.last = t;
            }
        }
    }
    fn push(&mut self, t: SimTime) {
        self.heap.push(Reverse(t));
        if self.heap.len() >= self.cap {
            self.pop();
        }
    }
    fn finish(&mut self) {
        while !self.heap.is_empty() {
            self.pop();
        }
    }
}

// ---------------------------------------------------------------- pods

/// Figures of a pod stream.
#[derive(Clone, Debug)]
pub struct PodStats {
    /// Rows read that were pods or ends.
    pub items: u64,
    pub pods: u64,
    pub ends: u64,
    pub bad_rows: u64,
    pub first_bad: Vec<BadRow>,
    /// Sound rows with nothing to replay (see [`BadRow::left_out`]).
    pub left_out: u64,
    /// Pods by kind: `[job, service]`.
    pub kinds: [u64; 2],
    pub priorities: BTreeMap<i32, u64>,
    /// Pods whose priority was not kept in `priorities` (too many distinct values).
    pub other_priorities: u64,
    pub owners: DistinctCount,
    /// CPU requests in millicores.
    pub cpu: LogHistogram,
    /// Memory requests in bytes.
    pub memory: LogHistogram,
    /// Run times in microseconds: those given with the pod and those that ends report.
    pub duration: LogHistogram,
    pub durations_from_ends: u64,
    /// Pods that run to the end of the simulation (no run time, none to come).
    pub run_forever: u64,
    /// Pods whose run time comes in a later end item.
    pub await_end: u64,
    pub first_submit: Option<SimTime>,
    pub last_submit: Option<SimTime>,
    pub last_end: Option<SimTime>,
    pub arrivals: TimeBuckets,
    /// Items earlier than an item before them in the file, and by how much at most.
    pub out_of_order: u64,
    pub out_of_order_max: SimTime,
    latest: SimTime,
    probe: LatenessProbe,
    /// The reorder window the `late` figures are for.
    pub reorder_window: usize,
    pub late: u64,
    pub late_max: SimTime,
}

impl PodStats {
    pub const KEEP_BAD: usize = 5;
    pub const MAX_PRIORITIES: usize = 100;

    pub fn new(reorder_window: usize) -> Self {
        PodStats {
            items: 0,
            pods: 0,
            ends: 0,
            bad_rows: 0,
            first_bad: Vec::new(),
            left_out: 0,
            kinds: [0; 2],
            priorities: BTreeMap::new(),
            other_priorities: 0,
            owners: DistinctCount::default(),
            cpu: LogHistogram::default(),
            memory: LogHistogram::default(),
            duration: LogHistogram::default(),
            durations_from_ends: 0,
            run_forever: 0,
            await_end: 0,
            first_submit: None,
            last_submit: None,
            last_end: None,
            arrivals: TimeBuckets::default(),
            out_of_order: 0,
            out_of_order_max: SimTime::ZERO,
            latest: SimTime::ZERO,
            probe: LatenessProbe::new(reorder_window),
            reorder_window,
            late: 0,
            late_max: SimTime::ZERO,
        }
    }

    pub fn add(&mut self, item: Result<PodItem, BadRow>) {
        let item = match item {
            Ok(i) => i,
            Err(b) if b.left_out => {
                self.left_out += 1;
                return;
            }
            Err(b) => {
                self.bad_rows += 1;
                if self.first_bad.len() < Self::KEEP_BAD {
                    self.first_bad.push(b);
                }
                return;
            }
        };
        self.items += 1;
        let t = item.time();
        if self.items > 1 && t < self.latest {
            self.out_of_order += 1;
            self.out_of_order_max = self.out_of_order_max.max(self.latest - t);
        }
        self.latest = self.latest.max(t);
        self.probe.push(t);
        match item {
            PodItem::Pod(p) => {
                self.pods += 1;
                self.kinds[match p.kind {
                    PodKind::Job => 0,
                    PodKind::Service => 1,
                }] += 1;
                if let Some(c) = self.priorities.get_mut(&p.priority) {
                    *c += 1;
                } else if self.priorities.len() < Self::MAX_PRIORITIES {
                    self.priorities.insert(p.priority, 1);
                } else {
                    self.other_priorities += 1;
                }
                self.owners.insert(&p.owner);
                self.cpu.record(p.requests.cpu_m);
                self.memory.record(p.requests.mem);
                match p.run {
                    TraceRun::For(d) => self.duration.record(d.as_micros()),
                    TraceRun::Forever => self.run_forever += 1,
                    TraceRun::UntilEnd => self.await_end += 1,
                }
                self.first_submit = Some(self.first_submit.map_or(t, |f| f.min(t)));
                self.last_submit = Some(self.last_submit.map_or(t, |f| f.max(t)));
                self.arrivals.record(t);
            }
            PodItem::End { ran, .. } => {
                self.ends += 1;
                self.duration.record(ran.as_micros());
                self.durations_from_ends += 1;
                self.last_end = Some(self.last_end.map_or(t, |f| f.max(t)));
            }
        }
    }

    /// Call once after the last item.
    pub fn finish(&mut self) {
        self.probe.finish();
        self.late = self.probe.late;
        self.late_max = self.probe.late_max;
    }
}

// ---------------------------------------------------------------- machines

#[derive(Clone, Copy, Debug)]
struct Machine {
    cap: Resources,
    up: bool,
    removed: bool,
}

/// Figures of a machine-event stream. Events are applied in file order the
/// way the simulation applies them (an `add` of a known machine that is down
/// brings it back; capacity changes are counted, not applied).
#[derive(Clone, Debug, Default)]
pub struct MachineStats {
    pub events: u64,
    pub bad_rows: u64,
    pub first_bad: Vec<BadRow>,
    /// Sound rows with nothing to replay (see [`BadRow::left_out`]).
    pub left_out: u64,
    pub adds: u64,
    /// `add` events for machines already known.
    pub adds_again: u64,
    pub fails: u64,
    pub recovers: u64,
    pub removes: u64,
    pub resizes: u64,
    /// Events other than `add` for machines never added.
    pub unknown_machine: u64,
    machines: BTreeMap<String, Machine>,
    /// Σ capacity of every machine when first added.
    pub capacity_added: Resources,
    pub up_now: u64,
    pub capacity_up_now: Resources,
    pub peak_up: u64,
    pub peak_cpu_up: u64,
    pub peak_mem_up: u64,
    /// Machines by capacity when first added.
    pub shapes: BTreeMap<Resources, u64>,
    pub other_shapes: u64,
    pub first_t: Option<SimTime>,
    pub last_t: Option<SimTime>,
    pub out_of_order: u64,
}

impl MachineStats {
    pub const MAX_SHAPES: usize = 1000;

    pub fn machines(&self) -> u64 {
        self.machines.len() as u64
    }

    fn set_up(&mut self, name: &str, up: bool) {
        let Some(m) = self.machines.get_mut(name) else {
            return;
        };
        if m.up == up {
            return;
        }
        m.up = up;
        if up {
            self.up_now += 1;
            self.capacity_up_now.add(&m.cap);
        } else {
            self.up_now -= 1;
            self.capacity_up_now.sub(&m.cap);
        }
    }

    pub fn add(&mut self, e: Result<MachineEvent, BadRow>) {
        let e = match e {
            Ok(e) => e,
            Err(b) if b.left_out => {
                self.left_out += 1;
                return;
            }
            Err(b) => {
                self.bad_rows += 1;
                if self.first_bad.len() < PodStats::KEEP_BAD {
                    self.first_bad.push(b);
                }
                return;
            }
        };
        self.events += 1;
        if self.last_t.is_some_and(|l| e.t < l) {
            self.out_of_order += 1;
        }
        self.first_t = Some(self.first_t.map_or(e.t, |f| f.min(e.t)));
        self.last_t = Some(self.last_t.map_or(e.t, |f| f.max(e.t)));
        let known = self.machines.get(&e.machine).copied();
        match (e.change, known) {
            (MachineChange::Add(cap), None) => {
                self.adds += 1;
                self.machines.insert(
                    e.machine.clone(),
                    Machine {
                        cap,
                        up: false,
                        removed: false,
                    },
                );
                self.capacity_added.add(&cap);
                if let Some(c) = self.shapes.get_mut(&cap) {
                    *c += 1;
                } else if self.shapes.len() < Self::MAX_SHAPES {
                    self.shapes.insert(cap, 1);
                } else {
                    self.other_shapes += 1;
                }
                self.set_up(&e.machine, true);
            }
            (MachineChange::Add(_), Some(m)) => {
                self.adds += 1;
                self.adds_again += 1;
                if !m.removed {
                    self.set_up(&e.machine, true);
                }
            }
            (_, None) => {
                self.unknown_machine += 1;
                match e.change {
                    MachineChange::Fail => self.fails += 1,
                    MachineChange::Recover => self.recovers += 1,
                    MachineChange::Remove => self.removes += 1,
                    MachineChange::Resize(_) => self.resizes += 1,
                    MachineChange::Add(_) => {}
                }
            }
            (MachineChange::Fail, Some(_)) => {
                self.fails += 1;
                self.set_up(&e.machine, false);
            }
            (MachineChange::Recover, Some(m)) => {
                self.recovers += 1;
                if !m.removed {
                    self.set_up(&e.machine, true);
                }
            }
            (MachineChange::Remove, Some(_)) => {
                self.removes += 1;
                self.set_up(&e.machine, false);
                if let Some(m) = self.machines.get_mut(&e.machine) {
                    m.removed = true;
                }
            }
            (MachineChange::Resize(_), Some(_)) => self.resizes += 1,
        }
        self.peak_up = self.peak_up.max(self.up_now);
        self.peak_cpu_up = self.peak_cpu_up.max(self.capacity_up_now.cpu_m);
        self.peak_mem_up = self.peak_mem_up.max(self.capacity_up_now.mem);
    }
}

// ---------------------------------------------------------------- the whole trace

/// How to read a trace for its statistics.
#[derive(Clone, Debug, PartialEq)]
pub struct StatsOptions {
    pub scales: Scales,
    /// The reorder window whose late items to count (a scenario's `reorder-window`).
    pub reorder_window: usize,
}

impl Default for StatsOptions {
    fn default() -> Self {
        StatsOptions {
            scales: Scales::default(),
            reorder_window: super::ReplayOptions::default().reorder_window,
        }
    }
}

/// The statistics of one trace.
#[derive(Clone, Debug)]
pub struct TraceStats {
    pub format: TraceFormat,
    pub files: TraceFiles,
    pub scales: Scales,
    pub pods: Option<PodStats>,
    pub machines: Option<MachineStats>,
}

/// Reads a trace once and gathers its statistics. Fails only when a file
/// cannot be opened or is not in the format named; bad rows are counted.
pub fn collect(
    format: TraceFormat,
    files: &TraceFiles,
    opts: &StatsOptions,
) -> Result<TraceStats, TraceError> {
    let pods = if files.pods.is_empty() {
        None
    } else {
        let mut s = PodStats::new(opts.reorder_window);
        for item in open_pods(format, files, &opts.scales)? {
            s.add(item);
        }
        s.finish();
        Some(s)
    };
    let machines = match open_nodes(format, files, &opts.scales)? {
        None => None,
        Some(stream) => {
            let mut s = MachineStats::default();
            for e in stream {
                s.add(e);
            }
            Some(s)
        }
    };
    Ok(TraceStats {
        format,
        files: files.clone(),
        scales: opts.scales,
        pods,
        machines,
    })
}

// ---------------------------------------------------------------- formatting

/// `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Three significant digits, trailing zeros dropped.
fn sig3(x: f64) -> String {
    let s = if x >= 100.0 {
        format!("{x:.0}")
    } else if x >= 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.2}")
    };
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Millicores as a person reads them: `250m`, `2`, `1.5`.
pub fn human_cpu(m: u64) -> String {
    if m < 1000 {
        format!("{m}m")
    } else {
        sig3(m as f64 / 1000.0)
    }
}

/// Bytes in binary units, three significant digits: `512Mi`, `1.5Gi`.
pub fn human_memory(b: u64) -> String {
    const UNITS: [&str; 6] = ["", "Ki", "Mi", "Gi", "Ti", "Pi"];
    let mut x = b as f64;
    let mut u = 0;
    while x >= 1024.0 && u < UNITS.len() - 1 {
        x /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b}")
    } else {
        format!("{}{}", sig3(x), UNITS[u])
    }
}

/// A span as a person reads it, three significant digits: `850ms`, `12.3s`, `4.5h`.
pub fn human_span(t: SimTime) -> String {
    let s = t.as_secs_f64();
    if t.as_micros() == 0 {
        "0s".into()
    } else if s < 1e-3 {
        format!("{}us", t.as_micros())
    } else if s < 1.0 {
        format!("{}ms", sig3(s * 1e3))
    } else if s < 60.0 {
        format!("{}s", sig3(s))
    } else if s < 3600.0 {
        format!("{}m", sig3(s / 60.0))
    } else if s < 86400.0 {
        format!("{}h", sig3(s / 3600.0))
    } else {
        format!("{}d", sig3(s / 86400.0))
    }
}

/// `1 item`, `2,000 items`.
fn count_of(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", thousands(n), if n == 1 { one } else { many })
}

fn pct(part: u64, whole: u64) -> String {
    if whole == 0 {
        "0%".into()
    } else {
        format!("{}%", sig3(part as f64 * 100.0 / whole as f64))
    }
}

const SPARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// One character per value, ' ' for zero.
pub fn sparkline(values: &[u64]) -> String {
    let max = values.iter().copied().max().unwrap_or(0);
    values
        .iter()
        .map(|&v| {
            if v == 0 || max == 0 {
                ' '
            } else {
                SPARKS[((v as f64 / max as f64) * 7.0).round() as usize]
            }
        })
        .collect()
}

/// The quantiles reported, with their names.
pub const QUANTILES: [(&str, f64); 5] = [
    ("p0", 0.0),
    ("p50", 0.5),
    ("p90", 0.9),
    ("p99", 0.99),
    ("max", 1.0),
];

const HISTOGRAM_NOTE: &str =
    "p50, p90 and p99 from a log-linear histogram: within 0.4% of the exact nearest-rank value";

fn quantile_note(h: &LogHistogram) -> &'static str {
    if h.is_exact() {
        "exact"
    } else {
        HISTOGRAM_NOTE
    }
}

fn file_list(files: &[std::path::PathBuf]) -> String {
    match files {
        [] => "none".into(),
        [one] => one.display().to_string(),
        [first, ..] => format!("{} and {} more", first.display(), files.len() - 1),
    }
}

impl TraceStats {
    /// The figures as text for a terminal.
    pub fn render(&self) -> String {
        let mut o = String::new();
        let _ = writeln!(
            o,
            "trace: format {}, pods from {}",
            self.format,
            file_list(&self.files.pods)
        );
        if !self.files.nodes.is_empty() {
            let _ = writeln!(o, "       machines from {}", file_list(&self.files.nodes));
        }
        let d = Scales::default();
        if self.scales != d {
            let _ = writeln!(
                o,
                "       normalized 1.0 taken as {} cores and {} of memory",
                human_cpu(self.scales.cpu_m),
                human_memory(self.scales.memory)
            );
        }
        if let Some(p) = &self.pods {
            render_pods(&mut o, p);
        }
        if let Some(m) = &self.machines {
            render_machines(&mut o, m);
        }
        o
    }

    /// The same figures as CSV: `section,name,value,unit,note`, one figure a row.
    pub fn write_csv<W: Write>(&self, w: W) -> io::Result<()> {
        let mut w = csv::Writer::from_writer(w);
        let mut row = |section: &str, name: &str, value: String, unit: &str, note: &str| {
            w.write_record([section, name, &value, unit, note])
        };
        let e = |r: Result<(), csv::Error>| r.map_err(io::Error::other);
        e(row("section", "name", "value".into(), "unit", "note"))?;
        e(row("trace", "format", self.format.to_string(), "", ""))?;
        for f in &self.files.pods {
            e(row("trace", "pods_file", f.display().to_string(), "", ""))?;
        }
        for f in &self.files.nodes {
            e(row("trace", "nodes_file", f.display().to_string(), "", ""))?;
        }
        e(row(
            "trace",
            "cpu_scale",
            self.scales.cpu_m.to_string(),
            "millicores",
            "what a normalized CPU of 1.0 stands for",
        ))?;
        e(row(
            "trace",
            "memory_scale",
            self.scales.memory.to_string(),
            "bytes",
            "what a normalized memory of 1.0 stands for",
        ))?;
        if let Some(p) = &self.pods {
            let c = |n: &str, v: u64| ("count", n.to_string(), v.to_string(), "", "");
            let (owners, exact) = p.owners.count();
            for (s, n, v, u, note) in [
                c("items", p.items),
                c("pods", p.pods),
                c("ends", p.ends),
                c("bad_rows", p.bad_rows),
                c("left_out_rows", p.left_out),
                (
                    "count",
                    "distinct_owners".into(),
                    owners.to_string(),
                    "",
                    if exact {
                        "exact"
                    } else {
                        "HyperLogLog estimate, about 0.8% standard error"
                    },
                ),
                c("jobs", p.kinds[0]),
                c("services", p.kinds[1]),
                c("run_forever", p.run_forever),
                c("await_end", p.await_end),
            ] {
                e(row(s, &n, v, u, note))?;
            }
            for b in &p.first_bad {
                e(row(
                    "bad_row",
                    &format!("{}:{}", b.file, b.line),
                    b.message.clone(),
                    "",
                    "",
                ))?;
            }
            let secs = |t: Option<SimTime>| t.map(super::podsim::format_secs).unwrap_or_default();
            e(row("time", "first_submit", secs(p.first_submit), "s", ""))?;
            e(row("time", "last_submit", secs(p.last_submit), "s", ""))?;
            e(row("time", "last_end", secs(p.last_end), "s", ""))?;
            e(row(
                "order",
                "out_of_order",
                p.out_of_order.to_string(),
                "items",
                "earlier than an item before them in the file",
            ))?;
            e(row(
                "order",
                "out_of_order_max",
                super::podsim::format_secs(p.out_of_order_max),
                "s",
                "",
            ))?;
            let note = format!("with a reorder window of {} items", p.reorder_window);
            e(row("order", "late", p.late.to_string(), "items", &note))?;
            e(row(
                "order",
                "late_max",
                super::podsim::format_secs(p.late_max),
                "s",
                &note,
            ))?;
            let width = p.arrivals.width();
            let wnote = format!(
                "pods submitted in [start, start + {} s)",
                width.as_secs_f64()
            );
            for (start, n) in p.arrivals.buckets() {
                e(row(
                    "arrivals",
                    &super::podsim::format_secs(start),
                    n.to_string(),
                    "pods",
                    &wnote,
                ))?;
            }
            for (k, n) in &p.priorities {
                e(row("priority", &k.to_string(), n.to_string(), "pods", ""))?;
            }
            if p.other_priorities > 0 {
                e(row(
                    "priority",
                    "other",
                    p.other_priorities.to_string(),
                    "pods",
                    "beyond the distinct values kept",
                ))?;
            }
            for (section, h, unit) in [
                ("cpu_request", &p.cpu, "millicores"),
                ("memory_request", &p.memory, "bytes"),
                ("duration", &p.duration, "us"),
            ] {
                e(row(section, "n", h.count().to_string(), "", ""))?;
                for (name, q) in QUANTILES {
                    let v = h.quantile(q).map(|v| v.to_string()).unwrap_or_default();
                    let note = if q == 0.0 || q == 1.0 {
                        "exact"
                    } else {
                        quantile_note(h)
                    };
                    e(row(section, name, v, unit, note))?;
                }
                let mean = h.mean().map(|m| format!("{m:.3}")).unwrap_or_default();
                e(row(section, "mean", mean, unit, "exact"))?;
            }
        }
        if let Some(m) = &self.machines {
            let c = |n: &str, v: u64| ("machines", n.to_string(), v.to_string());
            for (s, n, v) in [
                c("events", m.events),
                c("bad_rows", m.bad_rows),
                c("left_out_rows", m.left_out),
                c("machines", m.machines()),
                c("add", m.adds),
                c("add_again", m.adds_again),
                c("fail", m.fails),
                c("recover", m.recovers),
                c("remove", m.removes),
                c("resize", m.resizes),
                c("unknown_machine", m.unknown_machine),
                c("out_of_order", m.out_of_order),
                c("up_at_end", m.up_now),
                c("peak_up", m.peak_up),
            ] {
                e(row(s, &n, v, "", ""))?;
            }
            let secs = |t: Option<SimTime>| t.map(super::podsim::format_secs).unwrap_or_default();
            e(row("machines", "first_event", secs(m.first_t), "s", ""))?;
            e(row("machines", "last_event", secs(m.last_t), "s", ""))?;
            for b in &m.first_bad {
                e(row(
                    "machine_bad_row",
                    &format!("{}:{}", b.file, b.line),
                    b.message.clone(),
                    "",
                    "",
                ))?;
            }
            for (n, v, u) in [
                ("capacity_added_cpu", m.capacity_added.cpu_m, "millicores"),
                ("capacity_added_memory", m.capacity_added.mem, "bytes"),
                (
                    "capacity_up_at_end_cpu",
                    m.capacity_up_now.cpu_m,
                    "millicores",
                ),
                ("capacity_up_at_end_memory", m.capacity_up_now.mem, "bytes"),
                ("peak_capacity_up_cpu", m.peak_cpu_up, "millicores"),
                ("peak_capacity_up_memory", m.peak_mem_up, "bytes"),
            ] {
                e(row("machines", n, v.to_string(), u, ""))?;
            }
            for (r, n) in &m.shapes {
                e(row(
                    "machine_shape",
                    &format!("{}m/{}", r.cpu_m, r.mem),
                    n.to_string(),
                    "machines",
                    "millicores/bytes when first added",
                ))?;
            }
            if m.other_shapes > 0 {
                e(row(
                    "machine_shape",
                    "other",
                    m.other_shapes.to_string(),
                    "machines",
                    "beyond the distinct shapes kept",
                ))?;
            }
        }
        w.flush()
    }
}

fn render_bad(o: &mut String, n: u64, first: &[BadRow]) {
    for b in first {
        let _ = writeln!(o, "    {b}");
    }
    if n as usize > first.len() {
        let _ = writeln!(o, "    ... and {} more", thousands(n - first.len() as u64));
    }
}

fn render_pods(o: &mut String, p: &PodStats) {
    let _ = writeln!(o, "\npods");
    let _ = writeln!(o, "  pods          {}", thousands(p.pods));
    if p.ends > 0 {
        let _ = writeln!(
            o,
            "  ends          {} (end records that give a pod's run time)",
            thousands(p.ends)
        );
    }
    let _ = writeln!(
        o,
        "  bad rows      {}{}",
        thousands(p.bad_rows),
        if p.bad_rows > 0 {
            " (skipped; a scenario with `strict = true` stops at the first)"
        } else {
            ""
        }
    );
    render_bad(o, p.bad_rows, &p.first_bad);
    if p.left_out > 0 {
        let _ = writeln!(
            o,
            "  left out      {} (sound rows with nothing to replay; strict does not stop on them)",
            thousands(p.left_out)
        );
    }
    let (owners, exact) = p.owners.count();
    let _ = writeln!(
        o,
        "  owners        {} distinct ({})",
        thousands(owners),
        if exact {
            "exact"
        } else {
            "HyperLogLog estimate, about 0.8% standard error"
        }
    );
    let _ = writeln!(
        o,
        "  kinds         job {} ({}), service {} ({})",
        thousands(p.kinds[0]),
        pct(p.kinds[0], p.pods),
        thousands(p.kinds[1]),
        pct(p.kinds[1], p.pods)
    );
    let mut prios: Vec<String> = p
        .priorities
        .iter()
        .map(|(k, n)| format!("{k}: {}", thousands(*n)))
        .collect();
    if prios.len() > 16 {
        let more = prios.len() - 12;
        prios.truncate(12);
        prios.push(format!("... {more} more values (all in --csv)"));
    }
    if p.other_priorities > 0 {
        prios.push(format!("other: {}", thousands(p.other_priorities)));
    }
    let _ = writeln!(o, "  priorities    {}", prios.join(", "));

    let (Some(first), Some(last)) = (p.first_submit, p.last_submit) else {
        return;
    };
    let _ = writeln!(o, "\ntime (trace time)");
    let _ = writeln!(
        o,
        "  submits       {} .. {} s, a span of {}",
        super::podsim::format_secs(first),
        super::podsim::format_secs(last),
        human_span(last - first)
    );
    if let Some(e) = p.last_end {
        let _ = writeln!(o, "  last end      {} s", super::podsim::format_secs(e));
    }
    if p.out_of_order == 0 {
        let _ = writeln!(o, "  order         every item in time order");
    } else {
        let _ = writeln!(
            o,
            "  order         {} earlier than one before them, by up to {}",
            count_of(p.out_of_order, "item", "items"),
            human_span(p.out_of_order_max)
        );
    }
    let _ = writeln!(
        o,
        "  late          {} with a reorder window of {} items{}",
        thousands(p.late),
        thousands(p.reorder_window as u64),
        if p.late > 0 {
            format!(
                " (delivered late by up to {}; a larger `reorder-window` holds more)",
                human_span(p.late_max)
            )
        } else {
            String::new()
        }
    );

    // Arrivals.
    let buckets: Vec<(SimTime, u64)> = p.arrivals.buckets().collect();
    let width = p.arrivals.width();
    let counts: Vec<u64> = buckets.iter().map(|b| b.1).collect();
    let per_row = buckets.len().div_ceil(12).max(1);
    let row_width = width.saturating_mul(per_row as u64);
    let _ = writeln!(
        o,
        "\narrivals (exact counts; the line has one mark per {}, the table one row per {}; --csv has each {})",
        human_span(width),
        human_span(row_width),
        human_span(width)
    );
    let _ = writeln!(o, "  |{}|", sparkline(&counts));
    let rows: Vec<(SimTime, u64)> = buckets
        .chunks(per_row)
        .map(|c| (c[0].0, c.iter().map(|b| b.1).sum()))
        .collect();
    let max_rate = rows.iter().map(|r| r.1).max().unwrap_or(0) as f64 / row_width.as_secs_f64();
    let (unit, k) = if max_rate >= 1.0 {
        ("pods/s", 1.0)
    } else if max_rate * 60.0 >= 1.0 {
        ("pods/min", 60.0)
    } else {
        ("pods/h", 3600.0)
    };
    let _ = writeln!(
        o,
        "  {:>14} {:>14} {:>12} {:>10}",
        "from (s)", "to (s)", "pods", unit
    );
    for (start, n) in rows {
        let rate = n as f64 / row_width.as_secs_f64() * k;
        let _ = writeln!(
            o,
            "  {:>14} {:>14} {:>12} {:>10}",
            super::podsim::format_secs(start),
            super::podsim::format_secs(start + row_width),
            thousands(n),
            sig3(rate)
        );
    }

    // Distributions.
    let _ = writeln!(
        o,
        "\nrequests and run times (nearest-rank percentiles: exact, or within 0.4% where marked ~)"
    );
    let _ = writeln!(
        o,
        "  {:<10} {:>12} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "", "n", "p0", "p50", "p90", "p99", "max", "mean"
    );
    let line = |o: &mut String, name: &str, h: &LogHistogram, f: &dyn Fn(u64) -> String| {
        let approx = |q: f64| {
            if h.is_exact() || q == 0.0 || q == 1.0 {
                ""
            } else {
                "~"
            }
        };
        let mut cells: Vec<String> = QUANTILES
            .iter()
            .map(|(_, q)| {
                h.quantile(*q)
                    .map_or_else(|| "-".into(), |v| format!("{}{}", approx(*q), f(v)))
            })
            .collect();
        cells.push(
            h.mean()
                .map_or_else(|| "-".to_string(), |m| f(m.round() as u64)),
        );
        let _ = writeln!(
            o,
            "  {:<10} {:>12} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
            name,
            thousands(h.count()),
            cells[0],
            cells[1],
            cells[2],
            cells[3],
            cells[4],
            cells[5]
        );
    };
    line(o, "cpu", &p.cpu, &human_cpu);
    line(o, "memory", &p.memory, &human_memory);
    line(o, "run time", &p.duration, &|us| human_span(SimTime(us)));
    let mut notes = Vec::new();
    if p.durations_from_ends > 0 {
        notes.push(format!(
            "{} run times from end records",
            thousands(p.durations_from_ends)
        ));
    }
    if p.run_forever > 0 {
        notes.push(format!(
            "{} no run time and {} to the end",
            count_of(p.run_forever, "pod has", "pods have"),
            if p.run_forever == 1 { "runs" } else { "run" }
        ));
    }
    if p.await_end > 0 {
        notes.push(format!(
            "{} for an end record",
            count_of(p.await_end, "pod waits", "pods wait")
        ));
    }
    if !notes.is_empty() {
        let _ = writeln!(o, "  ({})", notes.join("; "));
    }
}

fn render_machines(o: &mut String, m: &MachineStats) {
    let _ = writeln!(o, "\nmachines");
    let _ = writeln!(
        o,
        "  events        {}: add {} ({} of known machines), fail {}, recover {}, remove {}, resize {}",
        thousands(m.events),
        thousands(m.adds),
        thousands(m.adds_again),
        thousands(m.fails),
        thousands(m.recovers),
        thousands(m.removes),
        thousands(m.resizes)
    );
    if m.resizes > 0 {
        let _ = writeln!(
            o,
            "                (capacity changes are not modelled by the simulation and not applied below)"
        );
    }
    if m.unknown_machine > 0 {
        let _ = writeln!(
            o,
            "  unknown       {} events for machines never added (the simulation ignores them)",
            thousands(m.unknown_machine)
        );
    }
    let _ = writeln!(o, "  bad rows      {}", thousands(m.bad_rows));
    render_bad(o, m.bad_rows, &m.first_bad);
    if m.left_out > 0 {
        let _ = writeln!(o, "  left out      {}", thousands(m.left_out));
    }
    if let (Some(f), Some(l)) = (m.first_t, m.last_t) {
        let _ = writeln!(
            o,
            "  time          {} .. {} s{}",
            super::podsim::format_secs(f),
            super::podsim::format_secs(l),
            if m.out_of_order > 0 {
                format!(
                    ", {} out of time order (applied in file order here)",
                    count_of(m.out_of_order, "event", "events")
                )
            } else {
                String::new()
            }
        );
    }
    let cap = |r: Resources| format!("{} cores, {}", human_cpu(r.cpu_m), human_memory(r.mem));
    let _ = writeln!(
        o,
        "  machines      {}, with {} when first added",
        thousands(m.machines()),
        cap(m.capacity_added)
    );
    let _ = writeln!(
        o,
        "  up at end     {}, with {}",
        thousands(m.up_now),
        cap(m.capacity_up_now)
    );
    let _ = writeln!(
        o,
        "  peak up       {} machines; {} cores; {}",
        thousands(m.peak_up),
        human_cpu(m.peak_cpu_up),
        human_memory(m.peak_mem_up)
    );
    let mut shapes: Vec<(&Resources, &u64)> = m.shapes.iter().collect();
    shapes.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let mut s: Vec<String> = shapes
        .iter()
        .take(6)
        .map(|(r, n)| {
            format!(
                "{} × {} cores/{}",
                thousands(**n),
                human_cpu(r.cpu_m),
                human_memory(r.mem)
            )
        })
        .collect();
    if shapes.len() > 6 {
        s.push(format!("{} more shapes (all in --csv)", shapes.len() - 6));
    }
    let _ = writeln!(o, "  shapes        {}", s.join(", "));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::trace::TracePod;

    #[test]
    fn histogram_buckets_cover_every_value_once() {
        let mut last_hi = None;
        for i in 0..LogHistogram::index(u64::MAX) + 1 {
            let (lo, hi) = LogHistogram::bounds(i);
            assert!(lo <= hi);
            if let Some(h) = last_hi {
                assert_eq!(lo, h + 1_u64, "bucket {i}");
            }
            assert_eq!(LogHistogram::index(lo), i);
            assert_eq!(LogHistogram::index(hi), i);
            last_hi = Some(hi);
        }
        assert_eq!(last_hi, Some(u64::MAX));
    }

    #[test]
    fn histogram_quantiles_are_within_the_documented_error() {
        let mut h = LogHistogram::default();
        // A scattered sample with more distinct values than are kept exactly.
        let mut values: Vec<u64> = (1..=20_000u64).map(|i| i * i % 1_000_003 + i).collect();
        for v in &values {
            h.record(*v);
        }
        assert!(!h.is_exact());
        values.sort_unstable();
        let n = values.len();
        for q in [0.0, 0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 1.0] {
            let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
            let exact = values[rank - 1];
            let got = h.quantile(q).unwrap();
            let err = (got as f64 - exact as f64).abs() / exact as f64;
            assert!(
                err <= LogHistogram::RELATIVE_ERROR,
                "q {q}: got {got}, exact {exact}"
            );
        }
        assert_eq!(h.quantile(0.0), Some(values[0]));
        assert_eq!(h.quantile(1.0), Some(values[n - 1]));
        let mean = values.iter().sum::<u64>() as f64 / n as f64;
        assert!((h.mean().unwrap() - mean).abs() < 1e-6);
        // Small values are exact.
        let mut s = LogHistogram::default();
        for v in [3, 1, 2, 200, 7] {
            s.record(v);
        }
        assert_eq!(s.quantile(0.5), Some(3));
        assert_eq!(s.quantile(0.9), Some(200));
        assert_eq!(LogHistogram::default().quantile(0.5), None);
        // Few distinct values: exact, however large.
        let mut m = LogHistogram::default();
        for i in 0..1000u64 {
            m.record(if i % 3 == 0 { 512 << 20 } else { 1 << 30 });
        }
        assert!(m.is_exact());
        assert_eq!(m.quantile(0.3), Some(512 << 20));
        assert_eq!(m.quantile(0.5), Some(1 << 30));
    }

    #[test]
    fn time_buckets_count_exactly_and_widen() {
        let mut b = TimeBuckets::default();
        for s in [5u64, 5, 6, 47] {
            b.record(SimTime::from_secs(s));
        }
        assert_eq!(b.width(), SimTime::from_secs(1));
        assert_eq!(b.buckets().map(|x| x.1).sum::<u64>(), 4);
        // Past 48 buckets: wider, still exact, aligned to the width.
        b.record(SimTime::from_secs(100));
        assert_eq!(b.width(), SimTime::from_secs(10));
        let v: Vec<(u64, u64)> = b
            .buckets()
            .map(|(t, n)| (t.as_micros() / 1_000_000, n))
            .collect();
        assert_eq!(v.first(), Some(&(0, 3)));
        assert_eq!(v.last(), Some(&(100, 1)));
        assert_eq!(v.iter().map(|x| x.1).sum::<u64>(), 5);
        // Earlier than the first bucket: grows to the left.
        b.record(SimTime::ZERO);
        assert_eq!(b.buckets().next(), Some((SimTime::ZERO, 4)));
        // A month of arrivals fits in at most MAX buckets.
        let mut m = TimeBuckets::default();
        for h in 0..(30 * 24) {
            m.record(SimTime::from_hours(h));
        }
        assert!(m.buckets().count() as u64 <= TimeBuckets::MAX);
        assert_eq!(m.buckets().map(|x| x.1).sum::<u64>(), 720);
        assert_eq!(m.width(), SimTime::from_hours(24));
    }

    #[test]
    fn distinct_count_is_exact_then_close() {
        let mut d = DistinctCount::default();
        for i in 0..1000 {
            d.insert(&format!("job-{}", i % 300));
        }
        assert_eq!(d.count(), (300, true));
        let mut big = DistinctCount::default();
        let n = DistinctCount::EXACT_LIMIT as u64 + 50_000;
        for i in 0..n {
            big.insert(&format!("j{i}"));
        }
        let (est, exact) = big.count();
        assert!(!exact);
        let err = (est as f64 - n as f64).abs() / n as f64;
        assert!(err < 0.03, "estimate {est} for {n}");
    }

    fn pod(t: u64, owner: &str, run: TraceRun, cpu: u64, prio: i32) -> Result<PodItem, BadRow> {
        Ok(PodItem::Pod(TracePod {
            key: format!("{owner}@{t}"),
            owner: owner.into(),
            kind: if owner.starts_with('s') {
                PodKind::Service
            } else {
                PodKind::Job
            },
            submit: SimTime::from_secs(t),
            run,
            requests: Resources::new(cpu, 1 << 30),
            priority: prio,
        }))
    }

    #[test]
    fn pod_stats_count_everything() {
        let mut s = PodStats::new(2);
        let items = vec![
            pod(10, "a", TraceRun::For(SimTime::from_secs(60)), 500, 0),
            pod(20, "a", TraceRun::Forever, 1000, 1),
            pod(5, "svc", TraceRun::UntilEnd, 2000, 1),
            Err(BadRow {
                file: "p.csv".into(),
                line: 4,
                message: "nope".into(),
                left_out: false,
            }),
            Ok(PodItem::End {
                key: "svc@5".into(),
                t: SimTime::from_secs(40),
                ran: SimTime::from_secs(35),
            }),
            pod(30, "b", TraceRun::For(SimTime::from_secs(1)), 250, 0),
        ];
        for i in items {
            s.add(i);
        }
        s.finish();
        assert_eq!((s.items, s.pods, s.ends, s.bad_rows), (5, 4, 1, 1));
        assert_eq!(s.first_bad[0].line, 4);
        assert_eq!(s.kinds, [3, 1]);
        assert_eq!(s.priorities, BTreeMap::from([(0, 2), (1, 2)]));
        assert_eq!(s.owners.count(), (3, true));
        assert_eq!((s.run_forever, s.await_end), (1, 1));
        assert_eq!(s.duration.count(), 3);
        assert_eq!(s.durations_from_ends, 1);
        assert_eq!(s.cpu.quantile(0.0), Some(250));
        assert_eq!(s.cpu.quantile(1.0), Some(2000));
        assert_eq!(s.first_submit, Some(SimTime::from_secs(5)));
        assert_eq!(s.last_submit, Some(SimTime::from_secs(30)));
        assert_eq!(s.last_end, Some(SimTime::from_secs(40)));
        assert_eq!(s.out_of_order, 2, "5 after 20, 30 after 40");
        assert_eq!(s.out_of_order_max, SimTime::from_secs(15));
        // Window of 2: 10 and 20 wait, 10 goes; 5 comes, 5 goes after 10: late by 5 s.
        assert_eq!(s.late, 1);
        assert_eq!(s.late_max, SimTime::from_secs(5));
        let text = TraceStats {
            format: TraceFormat::Podsim,
            files: TraceFiles {
                pods: vec!["p.csv".into()],
                nodes: vec![],
            },
            scales: Scales::default(),
            pods: Some(s),
            machines: None,
        }
        .render();
        assert!(text.contains("pods          4"), "{text}");
        assert!(text.contains("p.csv:4: nope"), "{text}");
        assert!(text.contains("3 distinct (exact)"), "{text}");
    }

    #[test]
    fn lateness_probe_matches_the_replay() {
        use crate::workload::trace::{PodReplay, ReplayOptions};
        // Times with some disorder; the probe and a real replay must agree.
        let times: Vec<u64> = (0..500u64).map(|i| (i * 37) % 101 + i / 3).collect();
        for window in [1usize, 3, 10, 100] {
            let items: Vec<_> = times
                .iter()
                .map(|t| pod(*t, "a", TraceRun::Forever, 1, 0))
                .collect();
            let mut r = PodReplay::new(
                Box::new(items.clone().into_iter()),
                ReplayOptions {
                    reorder_window: window,
                    ..Default::default()
                },
                1,
            );
            while r.next_item().unwrap().is_some() {}
            let mut s = PodStats::new(window);
            for i in items {
                s.add(i);
            }
            s.finish();
            assert_eq!(
                (s.late, s.late_max),
                (r.stats.late, r.stats.late_max),
                "window {window}"
            );
        }
    }

    fn ev(t: u64, m: &str, change: MachineChange) -> Result<MachineEvent, BadRow> {
        Ok(MachineEvent {
            t: SimTime::from_secs(t),
            machine: m.into(),
            change,
        })
    }

    #[test]
    fn machine_stats_follow_each_machine() {
        let big = Resources::new(4000, 16 << 30);
        let small = Resources::new(2000, 8 << 30);
        let mut s = MachineStats::default();
        for e in [
            ev(0, "m1", MachineChange::Add(big)),
            ev(0, "m2", MachineChange::Add(big)),
            ev(0, "m3", MachineChange::Add(small)),
            ev(60, "m1", MachineChange::Fail),
            ev(90, "m1", MachineChange::Add(big)),
            ev(100, "m2", MachineChange::Remove),
            ev(110, "m2", MachineChange::Recover),
            ev(120, "m9", MachineChange::Fail),
            ev(130, "m3", MachineChange::Resize(big)),
        ] {
            s.add(e);
        }
        assert_eq!(s.machines(), 3);
        assert_eq!((s.adds, s.adds_again, s.fails, s.recovers), (4, 1, 2, 1));
        assert_eq!((s.removes, s.resizes, s.unknown_machine), (1, 1, 1));
        assert_eq!(s.capacity_added, Resources::new(10_000, 40 << 30));
        assert_eq!(
            s.up_now, 2,
            "m2 was removed; recover does not bring it back"
        );
        assert_eq!(s.capacity_up_now, Resources::new(6000, 24 << 30));
        assert_eq!((s.peak_up, s.peak_cpu_up), (3, 10_000));
        assert_eq!(s.shapes, BTreeMap::from([(small, 1), (big, 2)]));
    }

    #[test]
    fn formats_for_people() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(human_cpu(250), "250m");
        assert_eq!(human_cpu(1500), "1.5");
        assert_eq!(human_cpu(32_000), "32");
        assert_eq!(human_memory(512 << 20), "512Mi");
        assert_eq!(human_memory(1536 << 20), "1.5Gi");
        assert_eq!(human_memory(100), "100");
        assert_eq!(human_span(SimTime::from_millis(850)), "850ms");
        assert_eq!(human_span(SimTime::from_secs(90)), "1.5m");
        assert_eq!(human_span(SimTime::from_hours(36)), "1.5d");
        assert_eq!(sparkline(&[0, 1, 8]), " ▂█");
    }

    #[test]
    fn csv_has_the_same_figures() {
        let d = tempfile::tempdir().unwrap();
        let pods = d.path().join("pods.csv");
        std::fs::write(
            &pods,
            "id,submit_s,duration_s,cpu,memory,priority,owner,kind\n\
             a,0,60,500m,1Gi,1,web,service\n\
             b,10,5,2,512Mi,0,batch,job\n\
             c,x,5,2,512Mi,0,batch,job\n",
        )
        .unwrap();
        let nodes = d.path().join("nodes.csv");
        std::fs::write(&nodes, "t_s,node,event,cpu,memory\n0,m1,add,4,16Gi\n").unwrap();
        let files = TraceFiles {
            pods: vec![pods],
            nodes: vec![nodes],
        };
        let s = collect(TraceFormat::Podsim, &files, &StatsOptions::default()).unwrap();
        let mut buf = Vec::new();
        s.write_csv(&mut buf).unwrap();
        let text = String::from_utf8(buf).unwrap();
        assert!(text.starts_with("section,name,value,unit,note\n"), "{text}");
        for want in [
            "count,pods,2,,",
            "count,bad_rows,1,,",
            "count,distinct_owners,2,,exact",
            "cpu_request,max,2000,millicores",
            "memory_request,p0,536870912,bytes",
            "duration,max,60000000,us",
            "arrivals,0,1,pods",
            "arrivals,10,1,pods",
            "priority,1,1,pods",
            "machines,machines,1,,",
            "machines,capacity_added_cpu,4000,millicores",
            "machine_shape,4000m/17179869184,1,machines",
            "machines,first_event,0,s,",
        ] {
            assert!(text.contains(want), "missing {want:?} in\n{text}");
        }
        let rendered = s.render();
        assert!(rendered.contains("machines      1"), "{rendered}");
    }
}
