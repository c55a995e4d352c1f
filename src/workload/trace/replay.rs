//! From a reader's stream to what the simulation consumes: a time window, a
//! time scale, a seeded sample of jobs, time order restored within a bounded
//! window, and an honest count of everything left out.

use super::{BadRow, MachineEvent, MachineStream, PodItem, PodStream, TraceError, TraceRun};
use crate::engine::{stream_seed, SimTime};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap};

/// What the scenario asks of a replay.
#[derive(Clone, Debug, PartialEq)]
pub struct ReplayOptions {
    /// Trace time that becomes simulated time 0; earlier items are left out.
    pub from: SimTime,
    /// Trace time after which items are left out.
    pub until: Option<SimTime>,
    /// Simulated time = (trace time − from) × time_scale; durations scale alike.
    /// 0.5 replays twice as fast.
    pub time_scale: f64,
    /// Keep this fraction of jobs (decided per job by a seeded hash, so a
    /// job's pods stay together).
    pub sample_fraction: Option<f64>,
    /// Keep every n-th job, in the order jobs first appear.
    pub every_nth_job: Option<u32>,
    /// A bad row stops the run instead of being counted and skipped.
    pub strict: bool,
    /// How many items may wait to restore time order.
    pub reorder_window: usize,
}

impl Default for ReplayOptions {
    fn default() -> Self {
        ReplayOptions {
            from: SimTime::ZERO,
            until: None,
            time_scale: 1.0,
            sample_fraction: None,
            every_nth_job: None,
            strict: false,
            reorder_window: 100_000,
        }
    }
}

/// What a replay read and what it left out, for the run's report.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReplayStats {
    pub items_read: u64,
    pub pods: u64,
    pub ends: u64,
    pub bad_rows: u64,
    /// The first few bad rows, for the message.
    pub first_bad: Vec<BadRow>,
    /// Sound rows with nothing to replay (see [`BadRow::left_out`]), and the first.
    pub left_out: u64,
    pub first_left_out: Option<BadRow>,
    pub outside_window: u64,
    pub sampled_out: u64,
    /// Items that came later than the reorder window could hold: delivered at
    /// once, late by up to `late_max`.
    pub late: u64,
    pub late_max: SimTime,
}

impl ReplayStats {
    const KEEP_BAD: usize = 5;

    fn bad(&mut self, b: BadRow, strict: bool) -> Result<(), TraceError> {
        if b.left_out {
            self.left_out += 1;
            if self.first_left_out.is_none() {
                self.first_left_out = Some(b);
            }
            return Ok(());
        }
        self.bad_rows += 1;
        if strict {
            return Err(TraceError::from(BadRow {
                message: format!("{} (strict: the first bad row stops the run)", b.message),
                ..b
            }));
        }
        if self.first_bad.len() < Self::KEEP_BAD {
            self.first_bad.push(b);
        }
        Ok(())
    }

    /// One paragraph for a person: what was read and what was not.
    pub fn describe(&self) -> String {
        let mut s = format!("{} pods", self.pods);
        if self.ends > 0 {
            s.push_str(&format!(", {} ends", self.ends));
        }
        if self.outside_window > 0 {
            s.push_str(&format!(
                ", {} items outside the time window",
                self.outside_window
            ));
        }
        if self.sampled_out > 0 {
            s.push_str(&format!(
                ", {} pods left out by the sample",
                self.sampled_out
            ));
        }
        if self.left_out > 0 {
            s.push_str(&format!(
                ", {} rows left out as the trace describes nothing to replay",
                self.left_out
            ));
            if let Some(b) = &self.first_left_out {
                s.push_str(&format!(" (first: {b})"));
            }
        }
        if self.late > 0 {
            s.push_str(&format!(
                ", {} items out of time order beyond the reorder window (delivered late by up to {})",
                self.late, self.late_max
            ));
        }
        if self.bad_rows > 0 {
            s.push_str(&format!(", {} bad rows skipped", self.bad_rows));
            for b in &self.first_bad {
                s.push_str(&format!("\n    {b}"));
            }
            if self.bad_rows as usize > self.first_bad.len() {
                s.push_str("\n    ...");
            }
        }
        s
    }
}

fn scale_time(t: SimTime, from: SimTime, k: f64) -> SimTime {
    let d = t - from;
    if k == 1.0 {
        d
    } else {
        SimTime::from_secs_f64(d.as_secs_f64() * k)
    }
}

fn scale_span(d: SimTime, k: f64) -> SimTime {
    if k == 1.0 {
        d
    } else {
        SimTime::from_secs_f64(d.as_secs_f64() * k)
    }
}

/// A seeded 64-bit hash of a job name, for sampling.
fn job_hash(seed: u64, owner: &str) -> u64 {
    let s = stream_seed(seed, owner);
    u64::from_le_bytes([s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7]])
}

/// Heap entry ordered by (time, arrival order).
struct Pending<T> {
    t: SimTime,
    seq: u64,
    item: T,
}
impl<T> PartialEq for Pending<T> {
    fn eq(&self, o: &Self) -> bool {
        (self.t, self.seq) == (o.t, o.seq)
    }
}
impl<T> Eq for Pending<T> {}
impl<T> PartialOrd for Pending<T> {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl<T> Ord for Pending<T> {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        (self.t, self.seq).cmp(&(o.t, o.seq))
    }
}

/// Restores time order within a window of `cap` items.
struct Reorder<T> {
    heap: BinaryHeap<Reverse<Pending<T>>>,
    cap: usize,
    seq: u64,
    last: SimTime,
}

impl<T> Reorder<T> {
    fn new(cap: usize) -> Self {
        Reorder {
            heap: BinaryHeap::new(),
            cap: cap.max(1),
            seq: 0,
            last: SimTime::ZERO,
        }
    }
    fn full(&self) -> bool {
        self.heap.len() >= self.cap
    }
    fn push(&mut self, t: SimTime, item: T) {
        self.heap.push(Reverse(Pending {
            t,
            seq: self.seq,
            item,
        }));
        self.seq += 1;
    }
    /// The earliest item; one earlier than an item already given out is
    /// returned at the time of that item, and reported as late.
    fn pop(&mut self, stats: &mut ReplayStats) -> Option<(SimTime, T)> {
        let Reverse(p) = self.heap.pop()?;
        let t = if p.t < self.last {
            stats.late += 1;
            stats.late_max = stats.late_max.max(self.last - p.t);
            self.last
        } else {
            p.t
        };
        self.last = t;
        Some((t, p.item))
    }
}

/// The pods of one trace, as the simulation consumes them: in simulated time
/// order, with the scenario's window, scale and sample applied.
pub struct PodReplay {
    stream: PodStream,
    opts: ReplayOptions,
    seed: u64,
    buffer: Reorder<PodItem>,
    done: bool,
    pub stats: ReplayStats,
    /// For every-nth-job sampling: jobs seen so far and whether each is kept.
    seen_jobs: BTreeMap<String, bool>,
}

impl PodReplay {
    pub fn new(stream: PodStream, opts: ReplayOptions, seed: u64) -> Self {
        PodReplay {
            stream,
            buffer: Reorder::new(opts.reorder_window),
            opts,
            seed,
            done: false,
            stats: ReplayStats::default(),
            seen_jobs: BTreeMap::new(),
        }
    }

    fn keep_job(&mut self, owner: &str) -> bool {
        if let Some(n) = self.opts.every_nth_job {
            let count = self.seen_jobs.len() as u64;
            let keep = *self
                .seen_jobs
                .entry(owner.to_string())
                .or_insert(count.is_multiple_of(n as u64));
            if !keep {
                return false;
            }
        }
        if let Some(f) = self.opts.sample_fraction {
            let h = job_hash(self.seed, owner);
            return (h as f64) < f * (u64::MAX as f64);
        }
        true
    }

    /// Transforms an item to simulated time, or drops it (window, sample).
    fn admit(&mut self, item: PodItem) -> Option<(SimTime, PodItem)> {
        let t = item.time();
        if t < self.opts.from || self.opts.until.is_some_and(|u| t > u) {
            self.stats.outside_window += 1;
            return None;
        }
        let (from, k) = (self.opts.from, self.opts.time_scale);
        let st = scale_time(t, from, k);
        match item {
            PodItem::Pod(mut p) => {
                if !self.keep_job(&p.owner) {
                    self.stats.sampled_out += 1;
                    return None;
                }
                self.stats.pods += 1;
                p.submit = st;
                if let TraceRun::For(d) = p.run {
                    p.run = TraceRun::For(scale_span(d, k));
                }
                Some((st, PodItem::Pod(p)))
            }
            PodItem::End { key, ran, .. } => {
                self.stats.ends += 1;
                Some((
                    st,
                    PodItem::End {
                        key,
                        t: st,
                        ran: scale_span(ran, k),
                    },
                ))
            }
        }
    }

    /// The next item in simulated time order, `None` at the end.
    pub fn next_item(&mut self) -> Result<Option<PodItem>, TraceError> {
        while !self.done && !self.buffer.full() {
            match self.stream.next() {
                None => self.done = true,
                Some(Err(b)) => self.stats.bad(b, self.opts.strict)?,
                Some(Ok(item)) => {
                    self.stats.items_read += 1;
                    // Past `until` in a trace sorted by time, nothing more can
                    // be admitted; but traces are not always sorted, so read on.
                    if let Some((t, it)) = self.admit(item) {
                        self.buffer.push(t, it);
                    }
                }
            }
        }
        Ok(self
            .buffer
            .pop(&mut self.stats)
            .map(|(t, item)| match item {
                PodItem::Pod(mut p) => {
                    p.submit = t;
                    PodItem::Pod(p)
                }
                PodItem::End { key, ran, .. } => PodItem::End { key, t, ran },
            }))
    }
}

/// The machines of one trace, in simulated time order.
pub struct MachineReplay {
    stream: MachineStream,
    opts: ReplayOptions,
    buffer: Reorder<MachineEvent>,
    done: bool,
    pub stats: ReplayStats,
}

impl MachineReplay {
    pub fn new(stream: MachineStream, opts: ReplayOptions) -> Self {
        MachineReplay {
            stream,
            buffer: Reorder::new(opts.reorder_window),
            opts,
            done: false,
            stats: ReplayStats::default(),
        }
    }

    /// The next machine event. Events before the window's start are moved
    /// to time 0 (so machines that existed then are there from the start);
    /// events after its end are left out.
    pub fn next_event(&mut self) -> Result<Option<MachineEvent>, TraceError> {
        while !self.done && !self.buffer.full() {
            match self.stream.next() {
                None => self.done = true,
                Some(Err(b)) => self.stats.bad(b, self.opts.strict)?,
                Some(Ok(mut e)) => {
                    self.stats.items_read += 1;
                    if self.opts.until.is_some_and(|u| e.t > u) {
                        self.stats.outside_window += 1;
                        continue;
                    }
                    e.t = scale_time(
                        e.t.max(self.opts.from),
                        self.opts.from,
                        self.opts.time_scale,
                    );
                    self.buffer.push(e.t, e);
                }
            }
        }
        Ok(self.buffer.pop(&mut self.stats).map(|(t, mut e)| {
            e.t = t;
            e
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{PodKind, Resources};
    use crate::workload::trace::TracePod;

    fn pod(owner: &str, t: u64) -> Result<PodItem, BadRow> {
        Ok(PodItem::Pod(TracePod {
            key: format!("{owner}@{t}"),
            owner: owner.to_string(),
            kind: PodKind::Job,
            submit: SimTime::from_secs(t),
            run: TraceRun::For(SimTime::from_secs(10)),
            requests: Resources::new(1000, 1 << 30),
            priority: 0,
        }))
    }

    fn drain(r: &mut PodReplay) -> Vec<(String, u64)> {
        let mut out = Vec::new();
        while let Some(PodItem::Pod(p)) = r.next_item().unwrap() {
            out.push((p.owner, p.submit.as_micros() / 1_000_000));
        }
        out
    }

    #[test]
    fn window_scale_and_order() {
        let items = vec![
            pod("a", 30),
            pod("b", 10),
            pod("c", 5),
            pod("d", 50),
            pod("e", 20),
        ];
        let opts = ReplayOptions {
            from: SimTime::from_secs(10),
            until: Some(SimTime::from_secs(40)),
            time_scale: 0.5,
            ..Default::default()
        };
        let mut r = PodReplay::new(Box::new(items.into_iter()), opts, 1);
        assert_eq!(
            drain(&mut r),
            [("b".into(), 0), ("e".into(), 5), ("a".into(), 10)]
        );
        assert_eq!(r.stats.outside_window, 2);
    }

    #[test]
    fn late_items_are_counted_not_dropped() {
        let items = vec![pod("a", 30), pod("b", 40), pod("c", 10)];
        let opts = ReplayOptions {
            reorder_window: 1,
            ..Default::default()
        };
        let mut r = PodReplay::new(Box::new(items.into_iter()), opts, 1);
        assert_eq!(
            drain(&mut r),
            [("a".into(), 30), ("b".into(), 40), ("c".into(), 40)]
        );
        assert_eq!(r.stats.late, 1);
        assert_eq!(r.stats.late_max, SimTime::from_secs(30));
    }

    #[test]
    fn bad_rows_are_counted_or_stop_under_strict() {
        let bad = || {
            vec![
                pod("a", 1),
                Err(BadRow {
                    file: "f".into(),
                    line: 7,
                    message: "nope".into(),
                    left_out: false,
                }),
                pod("b", 2),
            ]
        };
        let mut r = PodReplay::new(Box::new(bad().into_iter()), ReplayOptions::default(), 1);
        assert_eq!(drain(&mut r).len(), 2);
        assert_eq!(r.stats.bad_rows, 1);
        assert_eq!(r.stats.first_bad[0].line, 7);
        let strict = ReplayOptions {
            strict: true,
            ..Default::default()
        };
        let mut r = PodReplay::new(Box::new(bad().into_iter()), strict, 1);
        let err = r.next_item().unwrap_err();
        assert_eq!((err.file.as_str(), err.line), ("f", Some(7)));
    }

    #[test]
    fn sampling_keeps_whole_jobs() {
        let items: Vec<_> = (0..1000)
            .map(|i| pod(&format!("job{}", i / 4), i))
            .collect();
        let opts = ReplayOptions {
            sample_fraction: Some(0.25),
            ..Default::default()
        };
        let mut r = PodReplay::new(Box::new(items.into_iter()), opts, 9);
        let kept = drain(&mut r);
        // 250 jobs, each kept with probability 1/4: 62.5 expected, sd ≈ 6.8.
        let jobs: std::collections::BTreeSet<_> = kept.iter().map(|(o, _)| o.clone()).collect();
        assert!((40..=85).contains(&jobs.len()), "{}", jobs.len());
        assert_eq!(
            kept.len(),
            jobs.len() * 4,
            "a job is kept or left out whole"
        );

        let items: Vec<_> = (0..40).map(|i| pod(&format!("job{}", i / 4), i)).collect();
        let opts = ReplayOptions {
            every_nth_job: Some(3),
            ..Default::default()
        };
        let mut r = PodReplay::new(Box::new(items.into_iter()), opts, 9);
        let jobs: std::collections::BTreeSet<_> =
            drain(&mut r).into_iter().map(|(o, _)| o).collect();
        assert_eq!(
            jobs.into_iter().collect::<Vec<_>>(),
            ["job0", "job3", "job6", "job9"]
        );
    }
}
