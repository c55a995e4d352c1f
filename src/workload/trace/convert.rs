//! Converting any trace podsim reads into podsim's own format, streaming.
//!
//! Pods go through [`PodReplay`] (so the output is in time order within the
//! reorder window, and bad rows are counted or, under `strict`, stop the
//! conversion), then through an [`EndResolver`], then to a [`PodWriter`].
//!
//! **Pods whose run time comes later.** Some formats learn a task's run time
//! only when it ends ([`TraceRun::UntilEnd`], then a [`PodItem::End`] with the
//! same key). podsim's format gives a pod's run time on its own row, and rows
//! are written in submit order, so such a pod is held until its end arrives,
//! and every pod submitted after it is held too. Memory therefore grows with
//! the number of pods submitted between the oldest pod still waiting for its
//! end and the row being read: a few hundred bytes per held pod (its key and
//! owner names and fixed fields). `hold_limit` bounds it: past that many held
//! pods, the oldest waiting pod is written without a run time (it runs to the
//! end of the simulation, as it would in a replay whose end never came) and
//! counted in [`ConvertReport::forced`]. A pod still waiting when the trace
//! ends is written the same way ([`ConvertReport::never_ended`]); that is
//! exactly how a replay treats it.
//!
//! **What a converted copy does not keep.** A replay of the original learns a
//! waiting pod's run time at the end's trace time; the copy knows it from the
//! start. The two runs differ only for pods whose end comes after the horizon
//! (the original runs them to the end), or comes later than the pod's start in
//! the simulation plus its run time (the original completes it when the end
//! arrives, the copy when its run time is up).

use super::podsim::{NodeWriter, PodWriter};
use super::{
    MachineReplay, MachineStream, PodItem, PodReplay, PodStream, ReplayOptions, ReplayStats,
    TraceError, TracePod, TraceRun,
};
use std::collections::{HashMap, VecDeque};
use std::io::{self, Write};

/// How to convert.
#[derive(Clone, Debug, PartialEq)]
pub struct ConvertOptions {
    /// Time window, reorder window and strictness (scale and sample apply too).
    pub replay: ReplayOptions,
    /// The most pods held while waiting for a run time (see the module doc).
    pub hold_limit: usize,
}

impl Default for ConvertOptions {
    fn default() -> Self {
        ConvertOptions {
            replay: ReplayOptions::default(),
            hold_limit: 1_000_000,
        }
    }
}

/// What a conversion read, wrote and could not keep.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ConvertReport {
    /// What the pod stream read and left out.
    pub read: ReplayStats,
    pub pods_written: u64,
    /// Pods that waited for their run time and got it from an end item.
    pub resolved: u64,
    /// Pods still waiting when the trace ended: written without a run time.
    pub never_ended: u64,
    /// Pods written without a run time because `hold_limit` pods were held.
    pub forced: u64,
    /// Waiting pods whose key came again before their end: as in a replay,
    /// the end goes to the newer pod and the older runs to the end.
    pub superseded: u64,
    /// End items that matched no waiting pod.
    pub ends_unmatched: u64,
    /// The most pods held at once.
    pub max_held: usize,
    /// What the machine stream read, and how many events were written.
    pub machines_read: Option<ReplayStats>,
    pub machine_events_written: u64,
}

impl ConvertReport {
    /// Lines for a person.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "read {}\nwrote {} pods",
            self.read.describe(),
            self.pods_written
        );
        if self.resolved > 0 {
            s.push_str(&format!(
                "\n{} pods took their run time from a later end record (held at most {} pods at once)",
                self.resolved, self.max_held
            ));
        }
        if self.never_ended > 0 {
            s.push_str(&format!(
                "\n{} pods never saw their end: written without a run time (they run to the end, as in a replay)",
                self.never_ended
            ));
        }
        if self.forced > 0 {
            s.push_str(&format!(
                "\n{} pods written without a run time because the hold limit was reached (raise --hold-limit to keep them)",
                self.forced
            ));
        }
        if self.superseded > 0 {
            s.push_str(&format!(
                "\n{} waiting pods were superseded by a later pod with the same key (they run to the end, as in a replay)",
                self.superseded
            ));
        }
        if self.ends_unmatched > 0 {
            s.push_str(&format!(
                "\n{} end records matched no waiting pod and were dropped",
                self.ends_unmatched
            ));
        }
        if let Some(m) = &self.machines_read {
            s.push_str(&format!(
                "\nmachines: read {} events, wrote {}",
                m.items_read, self.machine_events_written
            ));
            if m.outside_window > 0 {
                s.push_str(&format!(", {} outside the time window", m.outside_window));
            }
            if m.late > 0 {
                s.push_str(&format!(
                    ", {} out of time order beyond the reorder window (written late by up to {})",
                    m.late, m.late_max
                ));
            }
            if m.left_out > 0 {
                s.push_str(&format!(
                    ", {} rows left out (nothing to replay)",
                    m.left_out
                ));
            }
            if m.bad_rows > 0 {
                s.push_str(&format!(", {} bad rows skipped", m.bad_rows));
                for b in &m.first_bad {
                    s.push_str(&format!("\n    {b}"));
                }
                if m.bad_rows as usize > m.first_bad.len() {
                    s.push_str("\n    ...");
                }
            }
        }
        s
    }
}

/// A conversion stopped: a bad row under `strict`, or a write that failed.
#[derive(Debug, thiserror::Error)]
pub enum ConvertError {
    #[error("{0}")]
    Trace(#[from] TraceError),
    #[error("{0}")]
    Io(#[from] io::Error),
}

/// Holds pods until their run time is known, and writes them in order.
pub struct EndResolver<W: Write> {
    out: PodWriter<W>,
    held: VecDeque<TracePod>,
    /// Sequence number of `held[0]`.
    first_seq: u64,
    /// Keys of held pods that wait for an end → their sequence number.
    waiting: HashMap<String, u64>,
    hold_limit: usize,
    pub report: ConvertReport,
}

impl<W: Write> EndResolver<W> {
    pub fn new(out: PodWriter<W>, hold_limit: usize) -> Self {
        EndResolver {
            out,
            held: VecDeque::new(),
            first_seq: 0,
            waiting: HashMap::new(),
            hold_limit: hold_limit.max(1),
            report: ConvertReport::default(),
        }
    }

    /// Takes the next item (in time order).
    pub fn push(&mut self, item: PodItem) -> io::Result<()> {
        match item {
            PodItem::Pod(p) => {
                let seq = self.first_seq + self.held.len() as u64;
                if p.run == TraceRun::UntilEnd {
                    if let Some(old) = self.waiting.insert(p.key.clone(), seq) {
                        let i = (old - self.first_seq) as usize;
                        self.held[i].run = TraceRun::Forever;
                        self.report.superseded += 1;
                    }
                }
                self.held.push_back(p);
                self.report.max_held = self.report.max_held.max(self.held.len());
            }
            PodItem::End { key, ran, .. } => match self.waiting.remove(&key) {
                Some(seq) => {
                    let i = (seq - self.first_seq) as usize;
                    self.held[i].run = TraceRun::For(ran);
                    self.report.resolved += 1;
                }
                None => self.report.ends_unmatched += 1,
            },
        }
        self.flush()
    }

    fn write_front(&mut self) -> io::Result<()> {
        if let Some(mut p) = self.held.pop_front() {
            if p.run == TraceRun::UntilEnd {
                self.waiting.remove(&p.key);
                p.run = TraceRun::Forever;
            }
            self.out.write(&p)?;
            self.report.pods_written += 1;
            self.first_seq += 1;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        loop {
            match self.held.front() {
                None => return Ok(()),
                Some(p) if p.run != TraceRun::UntilEnd => self.write_front()?,
                Some(_) if self.held.len() > self.hold_limit => {
                    self.report.forced += 1;
                    self.write_front()?;
                }
                Some(_) => return Ok(()),
            }
        }
    }

    /// Writes what is still held (waiting pods without a run time); returns
    /// the writer and the report.
    pub fn finish(mut self) -> io::Result<(W, ConvertReport)> {
        while let Some(p) = self.held.front() {
            if p.run == TraceRun::UntilEnd {
                self.report.never_ended += 1;
            }
            self.write_front()?;
        }
        Ok((self.out.into_inner(), self.report))
    }
}

/// Converts a pod stream, writing podsim's format to `out`.
pub fn convert_pods<W: Write>(
    stream: PodStream,
    opts: &ConvertOptions,
    seed: u64,
    out: W,
) -> Result<(W, ConvertReport), ConvertError> {
    let mut replay = PodReplay::new(stream, opts.replay.clone(), seed);
    let mut r = EndResolver::new(PodWriter::new(out)?, opts.hold_limit);
    while let Some(item) = replay.next_item()? {
        r.push(item)?;
    }
    let (w, mut report) = r.finish()?;
    report.read = replay.stats;
    Ok((w, report))
}

/// Converts a machine-event stream, writing podsim's format to `out`;
/// returns the writer, what was read, and how many events were written.
pub fn convert_nodes<W: Write>(
    stream: MachineStream,
    opts: &ConvertOptions,
    out: W,
) -> Result<(W, ReplayStats, u64), ConvertError> {
    let mut replay = MachineReplay::new(stream, opts.replay.clone());
    let mut w = NodeWriter::new(out)?;
    let mut n = 0;
    while let Some(e) = replay.next_event()? {
        w.write(&e)?;
        n += 1;
    }
    Ok((w.into_inner(), replay.stats, n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::{PodKind, Resources};
    use crate::engine::SimTime;
    use crate::workload::trace::podsim::read_all_pods;
    use crate::workload::trace::BadRow;

    fn pod(key: &str, t: u64, run: TraceRun) -> TracePod {
        TracePod {
            key: key.into(),
            owner: "o".into(),
            kind: PodKind::Job,
            submit: SimTime::from_secs(t),
            run,
            requests: Resources::new(100, 1 << 20),
            priority: 0,
        }
    }

    fn end(key: &str, t: u64, ran: u64) -> PodItem {
        PodItem::End {
            key: key.into(),
            t: SimTime::from_secs(t),
            ran: SimTime::from_secs(ran),
        }
    }

    fn convert(items: Vec<PodItem>, hold_limit: usize) -> (Vec<TracePod>, ConvertReport) {
        let stream: Vec<Result<PodItem, BadRow>> = items.into_iter().map(Ok).collect();
        let opts = ConvertOptions {
            hold_limit,
            ..Default::default()
        };
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("out.csv");
        let f = std::fs::File::create(&path).unwrap();
        let (f, report) = convert_pods(Box::new(stream.into_iter()), &opts, 1, f).unwrap();
        drop(f);
        (read_all_pods(&path).unwrap(), report)
    }

    fn keys_and_runs(pods: &[TracePod]) -> Vec<(String, Option<u64>)> {
        pods.iter()
            .map(|p| {
                let run = match p.run {
                    TraceRun::For(d) => Some(d.as_micros() / 1_000_000),
                    _ => None,
                };
                (p.key.clone(), run)
            })
            .collect()
    }

    #[test]
    fn waiting_pods_take_their_run_time_and_keep_submit_order() {
        let items = vec![
            PodItem::Pod(pod("a", 0, TraceRun::UntilEnd)),
            PodItem::Pod(pod("b", 1, TraceRun::For(SimTime::from_secs(5)))),
            PodItem::Pod(pod("c", 2, TraceRun::UntilEnd)),
            end("c", 10, 8),
            PodItem::Pod(pod("d", 11, TraceRun::Forever)),
            end("a", 20, 19),
            end("zz", 21, 1),
            PodItem::Pod(pod("e", 22, TraceRun::UntilEnd)),
        ];
        let (pods, r) = convert(items, 100);
        assert_eq!(
            keys_and_runs(&pods),
            [
                ("a".into(), Some(19)),
                ("b".into(), Some(5)),
                ("c".into(), Some(8)),
                ("d".into(), None),
                ("e".into(), None),
            ]
        );
        assert_eq!(pods[2].submit, SimTime::from_secs(2));
        assert_eq!((r.pods_written, r.resolved, r.never_ended), (5, 2, 1));
        assert_eq!((r.ends_unmatched, r.forced, r.max_held), (1, 0, 4));
    }

    #[test]
    fn the_hold_limit_bounds_memory() {
        let mut items = vec![PodItem::Pod(pod("w", 0, TraceRun::UntilEnd))];
        for i in 1..=10 {
            items.push(PodItem::Pod(pod(
                &format!("p{i}"),
                i,
                TraceRun::For(SimTime::from_secs(1)),
            )));
        }
        items.push(end("w", 50, 50));
        let (pods, r) = convert(items, 4);
        assert_eq!(r.max_held, 5, "limit + the one that went over");
        assert_eq!((r.forced, r.ends_unmatched, r.resolved), (1, 1, 0));
        assert_eq!(pods.len(), 11);
        assert_eq!(pods[0].run, TraceRun::Forever);
    }

    #[test]
    fn a_repeated_key_supersedes_the_waiting_pod() {
        let items = vec![
            PodItem::Pod(pod("k", 0, TraceRun::UntilEnd)),
            PodItem::Pod(pod("k", 5, TraceRun::UntilEnd)),
            end("k", 9, 4),
        ];
        let (pods, r) = convert(items, 100);
        assert_eq!(
            keys_and_runs(&pods),
            [("k".into(), None), ("k".into(), Some(4))]
        );
        assert_eq!((r.superseded, r.resolved), (1, 1));
    }

    #[test]
    fn strict_stops_at_a_bad_row() {
        let items: Vec<Result<PodItem, BadRow>> = vec![
            Ok(PodItem::Pod(pod("a", 0, TraceRun::Forever))),
            Err(BadRow {
                file: "f.csv".into(),
                line: 3,
                message: "bad".into(),
                left_out: false,
            }),
        ];
        let mut opts = ConvertOptions::default();
        opts.replay.strict = true;
        let err = convert_pods(Box::new(items.into_iter()), &opts, 1, Vec::new()).unwrap_err();
        assert!(err.to_string().contains("f.csv:3"), "{err}");
    }
}
