//! podsim's own trace format: CSV with a header, one row per pod, and an
//! optional machine-event file. Everything the simulator can replay from a
//! trace can be written in it, so any trace (or a synthetic workload) can be
//! converted to it and replayed exactly. Documented in `docs/traces.md`.
//!
//! Pods (`pods.csv`), columns found by name, in any order:
//! `id,submit_s,duration_s,end_s,cpu,memory,priority,owner,kind`
//! — `id`, `submit_s`, `cpu` and `memory` are required; `duration_s` is the
//! run time once started, `end_s` the trace time it ended (its run time is
//! then `end_s − submit_s`); with neither, the pod runs to the end. `kind` is
//! `job` (default) or `service`; `owner` defaults to the id.
//!
//! Machines (`nodes.csv`): `t_s,node,event,cpu,memory` with event `add`,
//! `fail`, `recover`, `remove` or `resize` (cpu and memory for add and resize).

use super::{
    BadRow, CsvRows, MachineChange, MachineEvent, MachineStream, PodItem, PodStream, Scales,
    TraceError, TracePod, TraceRun,
};
use crate::cluster::{parse_cpu, parse_memory, PodKind, Resources};
use crate::engine::SimTime;
use std::io::Write;
use std::path::{Path, PathBuf};

pub const POD_COLUMNS: &[&str] = &[
    "id",
    "submit_s",
    "duration_s",
    "end_s",
    "cpu",
    "memory",
    "priority",
    "owner",
    "kind",
];
const POD_REQUIRED: &[&str] = &["id", "submit_s", "cpu", "memory"];
pub const NODE_COLUMNS: &[&str] = &["t_s", "node", "event", "cpu", "memory"];
const NODE_REQUIRED: &[&str] = &["t_s", "node", "event"];

/// Parses seconds (`12`, `1.5`, up to microseconds) into simulated time.
pub fn parse_secs(s: &str) -> Result<SimTime, String> {
    let s = s.trim();
    if s.starts_with('-') {
        return Err(format!("{s:?} is negative"));
    }
    let (m, scale) = crate::engine::parse_decimal(s)
        .ok_or_else(|| format!("{s:?} is not a number of seconds"))?;
    let us = m
        .checked_mul(1_000_000)
        .filter(|v| v % scale == 0)
        .ok_or_else(|| format!("{s:?} is finer than a microsecond or too large"))?
        / scale;
    u64::try_from(us)
        .map(SimTime)
        .map_err(|_| format!("{s:?} is too large"))
}

/// Formats simulated time as seconds, exactly (`12`, `1.5`).
pub fn format_secs(t: SimTime) -> String {
    let us = t.as_micros();
    if us.is_multiple_of(1_000_000) {
        (us / 1_000_000).to_string()
    } else {
        let s = format!("{}.{:06}", us / 1_000_000, us % 1_000_000);
        s.trim_end_matches('0').to_string()
    }
}

/// Finds each known column in the header; rejects unknown and missing ones.
fn columns(
    files: &[PathBuf],
    known: &[&str],
    required: &[&str],
) -> Result<Vec<Option<usize>>, TraceError> {
    let header = CsvRows::header(files)?;
    let file = files[0].display().to_string();
    for h in header.iter() {
        if !known.contains(&h.trim()) {
            return Err(TraceError::new(
                &file,
                Some(1),
                format!(
                    "unknown column {h:?}: a podsim trace has a header with the columns {} (is this the right format?)",
                    known.join(",")
                ),
            ));
        }
    }
    let idx: Vec<Option<usize>> = known
        .iter()
        .map(|k| header.iter().position(|h| h.trim() == *k))
        .collect();
    for r in required {
        if idx[known.iter().position(|k| k == r).unwrap_or(0)].is_none() {
            return Err(TraceError::new(
                &file,
                Some(1),
                format!(
                    "the header has no column {r:?} (required: {})",
                    required.join(",")
                ),
            ));
        }
    }
    Ok(idx)
}

fn get<'a>(rec: &'a csv::StringRecord, idx: &[Option<usize>], k: usize) -> &'a str {
    idx[k].and_then(|i| rec.get(i)).unwrap_or("")
}

fn pod_row(rec: &csv::StringRecord, idx: &[Option<usize>]) -> Result<TracePod, String> {
    let id = get(rec, idx, 0).to_string();
    if id.is_empty() {
        return Err("column id is empty".into());
    }
    let submit = parse_secs(get(rec, idx, 1)).map_err(|e| format!("column submit_s: {e}"))?;
    let dur = get(rec, idx, 2);
    let end = get(rec, idx, 3);
    let run = match (dur.is_empty(), end.is_empty()) {
        (false, false) => return Err("give duration_s or end_s, not both".into()),
        (false, true) => {
            TraceRun::For(parse_secs(dur).map_err(|e| format!("column duration_s: {e}"))?)
        }
        (true, false) => {
            let e = parse_secs(end).map_err(|e| format!("column end_s: {e}"))?;
            if e < submit {
                return Err(format!("end_s {end} is before submit_s"));
            }
            TraceRun::For(e - submit)
        }
        (true, true) => TraceRun::Forever,
    };
    let cpu = parse_cpu(get(rec, idx, 4)).map_err(|e| format!("column cpu: {e}"))?;
    let mem = parse_memory(get(rec, idx, 5)).map_err(|e| format!("column memory: {e}"))?;
    let prio = get(rec, idx, 6);
    let priority = if prio.is_empty() {
        0
    } else {
        prio.parse()
            .map_err(|_| format!("column priority: {prio:?} is not a whole number"))?
    };
    let owner = match get(rec, idx, 7) {
        "" => id.clone(),
        o => o.to_string(),
    };
    let kind = match get(rec, idx, 8) {
        "" | "job" => PodKind::Job,
        "service" => PodKind::Service,
        k => return Err(format!("column kind: {k:?} is not job or service")),
    };
    Ok(TracePod {
        key: id,
        owner,
        kind,
        submit,
        run,
        requests: Resources::new(cpu, mem),
        priority,
    })
}

/// Opens a podsim pods file (or several, read in order).
pub fn open_pods(files: &[PathBuf], _scales: &Scales) -> Result<PodStream, TraceError> {
    let idx = columns(files, POD_COLUMNS, POD_REQUIRED)?;
    let mut rows = CsvRows::open(files, true);
    Ok(Box::new(std::iter::from_fn(move || {
        let r = rows.next_row()?;
        Some(r.and_then(|(file, line, rec)| {
            pod_row(rec, &idx)
                .map(PodItem::Pod)
                .map_err(|message| BadRow {
                    file,
                    line,
                    message,
                    left_out: false,
                })
        }))
    })))
}

fn node_row(rec: &csv::StringRecord, idx: &[Option<usize>]) -> Result<MachineEvent, String> {
    let t = parse_secs(get(rec, idx, 0)).map_err(|e| format!("column t_s: {e}"))?;
    let machine = get(rec, idx, 1).to_string();
    if machine.is_empty() {
        return Err("column node is empty".into());
    }
    let cap = || -> Result<Resources, String> {
        let cpu = parse_cpu(get(rec, idx, 3)).map_err(|e| format!("column cpu: {e}"))?;
        let mem = parse_memory(get(rec, idx, 4)).map_err(|e| format!("column memory: {e}"))?;
        if cpu == 0 || mem == 0 {
            return Err("a machine needs more than zero cpu and memory".into());
        }
        Ok(Resources::new(cpu, mem))
    };
    let change = match get(rec, idx, 2) {
        "add" => MachineChange::Add(cap()?),
        "fail" => MachineChange::Fail,
        "recover" => MachineChange::Recover,
        "remove" => MachineChange::Remove,
        "resize" => MachineChange::Resize(cap()?),
        e => {
            return Err(format!(
                "column event: {e:?} is not add, fail, recover, remove or resize"
            ))
        }
    };
    Ok(MachineEvent { t, machine, change })
}

/// Opens a podsim machine-event file.
pub fn open_nodes(files: &[PathBuf], _scales: &Scales) -> Result<MachineStream, TraceError> {
    let idx = columns(files, NODE_COLUMNS, NODE_REQUIRED)?;
    let mut rows = CsvRows::open(files, true);
    Ok(Box::new(std::iter::from_fn(move || {
        let r = rows.next_row()?;
        Some(r.and_then(|(file, line, rec)| {
            node_row(rec, &idx).map_err(|message| BadRow {
                file,
                line,
                message,
                left_out: false,
            })
        }))
    })))
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// Writes pods in podsim's format. Memory is written in bytes and CPU in
/// millicores, so the round trip is exact.
pub struct PodWriter<W: Write> {
    out: W,
}

impl<W: Write> PodWriter<W> {
    pub fn new(mut out: W) -> std::io::Result<Self> {
        writeln!(out, "{}", POD_COLUMNS.join(","))?;
        Ok(PodWriter { out })
    }

    /// Writes one pod; a pod whose run time is not known yet cannot be written.
    pub fn write(&mut self, p: &TracePod) -> std::io::Result<()> {
        let duration = match p.run {
            TraceRun::For(d) => format_secs(d),
            TraceRun::Forever => String::new(),
            TraceRun::UntilEnd => {
                return Err(std::io::Error::other(format!(
                    "pod {} has no known run time yet",
                    p.key
                )))
            }
        };
        writeln!(
            self.out,
            "{},{},{},,{}m,{},{},{},{}",
            csv_field(&p.key),
            format_secs(p.submit),
            duration,
            p.requests.cpu_m,
            p.requests.mem,
            p.priority,
            csv_field(&p.owner),
            p.kind
        )
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

/// Writes machine events in podsim's format.
pub struct NodeWriter<W: Write> {
    out: W,
}

impl<W: Write> NodeWriter<W> {
    pub fn new(mut out: W) -> std::io::Result<Self> {
        writeln!(out, "{}", NODE_COLUMNS.join(","))?;
        Ok(NodeWriter { out })
    }

    pub fn write(&mut self, e: &MachineEvent) -> std::io::Result<()> {
        let (cpu, mem) = match e.change {
            MachineChange::Add(r) | MachineChange::Resize(r) => {
                (format!("{}m", r.cpu_m), r.mem.to_string())
            }
            _ => (String::new(), String::new()),
        };
        writeln!(
            self.out,
            "{},{},{},{cpu},{mem}",
            format_secs(e.t),
            csv_field(&e.machine),
            e.change.name()
        )
    }

    pub fn into_inner(self) -> W {
        self.out
    }
}

/// Reads a whole podsim pods file into memory; for tests and small fixtures.
pub fn read_all_pods(path: &Path) -> Result<Vec<TracePod>, TraceError> {
    let mut out = Vec::new();
    for item in open_pods(&[path.to_path_buf()], &Scales::default())? {
        match item.map_err(TraceError::from)? {
            PodItem::Pod(p) => out.push(p),
            PodItem::End { .. } => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn reads_every_column() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "pods.csv",
            "id,submit_s,duration_s,end_s,cpu,memory,priority,owner,kind\n\
             a,0,60,,500m,1Gi,5,web,service\n\
             b,1.5,,91.5,2,512Mi,,,\n\
             c,10,,,100m,1000,-1,batch,job\n",
        );
        let pods = read_all_pods(&p).unwrap();
        assert_eq!(pods.len(), 3);
        assert_eq!(pods[0].kind, PodKind::Service);
        assert_eq!(pods[0].run, TraceRun::For(SimTime::from_secs(60)));
        assert_eq!(pods[0].requests, Resources::new(500, 1 << 30));
        assert_eq!(pods[0].priority, 5);
        assert_eq!(pods[1].submit, SimTime::from_millis(1500));
        assert_eq!(pods[1].run, TraceRun::For(SimTime::from_secs(90)));
        assert_eq!(pods[1].owner, "b");
        assert_eq!(pods[2].run, TraceRun::Forever);
        assert_eq!(pods[2].priority, -1);
    }

    #[test]
    fn bad_rows_name_file_line_and_column() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "pods.csv",
            "id,submit_s,cpu,memory\na,0,1,1Gi\nb,-3,1,1Gi\nc,0,lots,1Gi\nd,0,1\n",
        );
        let items: Vec<_> = open_pods(&[p], &Scales::default()).unwrap().collect();
        assert!(items[0].is_ok());
        let bad: Vec<BadRow> = items.into_iter().filter_map(|r| r.err()).collect();
        assert_eq!(bad.len(), 3);
        assert_eq!(bad[0].line, 3);
        assert!(bad[0].message.contains("submit_s"), "{}", bad[0].message);
        assert!(bad[1].message.contains("column cpu"), "{}", bad[1].message);
        assert!(
            bad[2].message.contains("column memory"),
            "{}",
            bad[2].message
        );
    }

    #[test]
    fn wrong_format_fails_early() {
        let d = tempfile::tempdir().unwrap();
        let p = write(d.path(), "x.csv", "name,cpu_milli,memory_mib\nx,1,2\n");
        let err = open_pods(&[p], &Scales::default()).err().unwrap();
        assert!(err.message.contains("unknown column"), "{err}");
        let p = write(d.path(), "empty.csv", "");
        assert!(open_pods(&[p], &Scales::default()).is_err());
    }

    #[test]
    fn round_trip_is_exact() {
        let pods = vec![
            TracePod {
                key: "x,1".into(),
                owner: "o\"1".into(),
                kind: PodKind::Service,
                submit: SimTime(1_500_001),
                run: TraceRun::For(SimTime(7)),
                requests: Resources::new(1234, 987_654_321),
                priority: -3,
            },
            TracePod {
                key: "y".into(),
                owner: "y".into(),
                kind: PodKind::Job,
                submit: SimTime::from_secs(3),
                run: TraceRun::Forever,
                requests: Resources::new(0, 0),
                priority: 0,
            },
        ];
        let d = tempfile::tempdir().unwrap();
        let path = d.path().join("rt.csv");
        let mut w = PodWriter::new(std::fs::File::create(&path).unwrap()).unwrap();
        for p in &pods {
            w.write(p).unwrap();
        }
        drop(w);
        assert_eq!(read_all_pods(&path).unwrap(), pods);
    }

    #[test]
    fn machine_events() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "nodes.csv",
            "t_s,node,event,cpu,memory\n0,m1,add,4,16Gi\n60,m1,fail,,\n120,m1,recover,,\n7,m2,explode,,\n",
        );
        let items: Vec<_> = open_nodes(&[p], &Scales::default()).unwrap().collect();
        assert_eq!(
            items[0].as_ref().unwrap().change,
            MachineChange::Add(Resources::new(4000, 16 << 30))
        );
        assert_eq!(items[1].as_ref().unwrap().change, MachineChange::Fail);
        assert!(items[3].as_ref().unwrap_err().message.contains("explode"));
    }
}
