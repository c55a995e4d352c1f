//! Google cluster-data 2011 (clusterdata-2011-2): `task_events` for the pods,
//! `machine_events` for the machines. Both are gzipped CSV part files with no
//! header, read directly; name them with a glob such as
//! `task_events/part-*-of-00500.csv.gz` (parts are read in name order; the
//! trace's parts are in time order).
//!
//! **Time.** The trace counts microseconds from 600 s before its window, and
//! trace time is taken as is: the window's own events begin at 600 s. 0
//! means "before the window" and stays 0, so the machines and tasks that
//! existed when the window opened are there from the start. Leave the
//! scenario's `from` at 0: a later `from` drops every pod submitted before
//! it, including the tasks already running at time 0. 2^63 − 1 means "after
//! the window's end": such rows are left out (a task that ends only then
//! runs to the end of the simulation).
//!
//! **Tasks** (`task_events`: time, missing_info, job_id, task_index,
//! machine_id, event_type, user, scheduling_class, priority, cpu_request,
//! memory_request, disk_request, different_machines_restriction). A task is
//! (job_id, task_index); its pod's key is `job/task` and its owner the job.
//! Every pod is a job pod (the trace has no service marker podsim could use
//! without guessing). Requests are normalized to the largest machine
//! (capacity 1.0): CPU × `cpu-scale`, memory × `memory-scale`. `priority`
//! (0–11, higher is more important) is the pod's priority as is. The
//! columns missing_info, machine_id, user, scheduling_class, disk_request and
//! different_machines_restriction are not used.
//!
//! Replay uses the run time the trace observed, not the time the task was
//! placed:
//! - SUBMIT submits a pod whose run time is not known yet
//!   ([`TraceRun::UntilEnd`]). A SUBMIT whose `cpu_request` or
//!   `memory_request` is empty is a bad row: podsim does not invent a
//!   request, and the task is not replayed.
//! - SCHEDULE notes when the task started to run.
//! - FINISH, FAIL, KILL, EVICT and LOST end the task: a [`PodItem::End`] at
//!   that time with `ran` = end − SCHEDULE, so podsim's pod runs that long
//!   after podsim started it — or, since podsim learns `ran` only at the
//!   trace's end time, until that time if it is later: a pod podsim starts
//!   sooner than the trace's SCHEDULE (the trace's queueing delay) runs
//!   longer than it did in the trace. A task that ends without having been scheduled
//!   (killed while pending) ends with `ran` = 0; podsim has no way to
//!   withdraw a pod it may already have placed, so that pod completes the
//!   moment it starts.
//! - After FAIL, EVICT, KILL or LOST the trace may SUBMIT the same task
//!   again. Each such attempt is a **new pod** with the same key and owner:
//!   the earlier attempt's `End` has already been delivered, so a key is
//!   never live twice. The evicted or failed attempt therefore counts as a
//!   completed pod in podsim's results, after occupying its resources as
//!   long as it did in the trace; evictions podsim decides itself come on
//!   top. This mirrors the trace's own accounting (each attempt ran on a
//!   machine), and keeps the reader's memory to the tasks alive at the
//!   moment, whatever the trace's length.
//! - A SUBMIT for a task that is still alive (no end event in between) is a
//!   bad row; the earlier attempt goes on.
//! - UPDATE_PENDING and UPDATE_RUNNING (new requests) are ignored: a pod's
//!   requests do not change in podsim.
//! - Events of a task whose SUBMIT was not read (a bad row, or part files
//!   left out) are ignored.
//!
//! **Machines** (`machine_events`: time, machine_id, event_type,
//! platform_id, cpus, memory). ADD adds the machine with its normalized
//! capacity (× the same scales); an ADD of a machine podsim already has
//! brings it back (the simulation keeps the capacity it had; it does not
//! apply the new ADD's). REMOVE — "failure or maintenance", the trace does not
//! say which — is replayed as a **failure** ([`MachineChange::Fail`]), not a
//! removal: a removed machine may come back with a later ADD, and podsim
//! can bring back a failed machine but never a removed one, so mapping
//! REMOVE to a removal would shrink the cluster for good over the trace's
//! 29 days. The cost is that a
//! machine taken out for maintenance is handled the way Kubernetes handles a
//! node that goes silent (its pods wait out the node-monitor grace period and
//! eviction timeout) and counts as a node failure. UPDATE changes the
//! capacity ([`MachineChange::Resize`]).

use super::headerless::{first_row, scaled};
use super::{
    field, BadRow, CsvRows, MachineChange, MachineEvent, MachineStream, PodItem, PodStream, Scales,
    TraceError, TracePod, TraceRun,
};
use crate::cluster::{PodKind, Resources};
use crate::engine::SimTime;
use std::collections::HashMap;
use std::path::PathBuf;

/// Trace time 2^63 − 1: "after the end of the window".
pub const AFTER_END: u64 = i64::MAX as u64;

pub const TASK_EVENT_COLUMNS: [&str; 13] = [
    "time",
    "missing_info",
    "job_id",
    "task_index",
    "machine_id",
    "event_type",
    "user",
    "scheduling_class",
    "priority",
    "cpu_request",
    "memory_request",
    "disk_request",
    "different_machines_restriction",
];
pub const MACHINE_EVENT_COLUMNS: [&str; 6] = [
    "time",
    "machine_id",
    "event_type",
    "platform_id",
    "cpus",
    "memory",
];

/// Task event types.
pub const SUBMIT: u8 = 0;
pub const SCHEDULE: u8 = 1;
pub const EVICT: u8 = 2;
pub const FAIL: u8 = 3;
pub const FINISH: u8 = 4;
pub const KILL: u8 = 5;
pub const LOST: u8 = 6;
pub const UPDATE_PENDING: u8 = 7;
pub const UPDATE_RUNNING: u8 = 8;

/// Machine event types.
pub const ADD: u8 = 0;
pub const REMOVE: u8 = 1;
pub const UPDATE: u8 = 2;

/// Checks that the first row has the shape of the table expected, so that a
/// wrong file fails before the run rather than as millions of bad rows.
fn check_shape(
    files: &[PathBuf],
    table: &str,
    columns: &[&str],
    event_col: usize,
    max_event: u8,
) -> Result<(), TraceError> {
    let (file, line, rec) = first_row(files, table)?;
    let fail = |why: String| {
        TraceError::new(
            &file,
            Some(line),
            format!(
                "{why}: not a {table} file of the Google 2011 trace ({} columns, no header: {})",
                columns.len(),
                columns.join(",")
            ),
        )
    };
    if rec.len() != columns.len() {
        let hint = match rec.len() {
            13 => " (it looks like task_events: give it as `pods`)",
            6 => " (it looks like machine_events: give it as `nodes`)",
            8 => " (it looks like job_events, which podsim does not read)",
            _ => "",
        };
        return Err(fail(format!(
            "the first row has {} columns{hint}",
            rec.len()
        )));
    }
    field::<u64>(&rec, 0, "time").map_err(&fail)?;
    let e = field::<u8>(&rec, event_col, "event_type").map_err(&fail)?;
    if e > max_event {
        return Err(fail(format!(
            "column event_type: {e} is not an event type (0–{max_event})"
        )));
    }
    Ok(())
}

/// What the reader remembers: the tasks alive now and when each was scheduled.
struct Tasks {
    scales: Scales,
    alive: HashMap<(u64, u64), Option<SimTime>>,
}

impl Tasks {
    fn row(&mut self, rec: &csv::StringRecord) -> Result<Option<PodItem>, String> {
        if rec.len() != TASK_EVENT_COLUMNS.len() {
            return Err(format!(
                "expected {} columns, found {}",
                TASK_EVENT_COLUMNS.len(),
                rec.len()
            ));
        }
        let time: u64 = field(rec, 0, "time")?;
        let job: u64 = field(rec, 2, "job_id")?;
        let index: u64 = field(rec, 3, "task_index")?;
        let event: u8 = field(rec, 5, "event_type")?;
        let t = SimTime(time);
        let id = (job, index);
        match event {
            SUBMIT => {
                if time == AFTER_END {
                    return Ok(None);
                }
                if self.alive.contains_key(&id) {
                    return Err(format!(
                        "task {job}/{index} is submitted again before its earlier submission ended; the earlier one goes on"
                    ));
                }
                let cpu = scaled(
                    rec.get(9).unwrap_or(""),
                    "cpu_request",
                    self.scales.cpu_m,
                    1,
                )?;
                let mem = scaled(
                    rec.get(10).unwrap_or(""),
                    "memory_request",
                    self.scales.memory,
                    1,
                )?;
                let priority: i32 = field(rec, 8, "priority")?;
                self.alive.insert(id, None);
                Ok(Some(PodItem::Pod(TracePod {
                    key: format!("{job}/{index}"),
                    owner: job.to_string(),
                    kind: PodKind::Job,
                    submit: t,
                    run: TraceRun::UntilEnd,
                    requests: Resources::new(cpu, mem),
                    priority,
                })))
            }
            SCHEDULE => {
                if let Some(s) = self.alive.get_mut(&id) {
                    if s.is_none() && time != AFTER_END {
                        *s = Some(t);
                    }
                }
                Ok(None)
            }
            EVICT | FAIL | FINISH | KILL | LOST => {
                let Some(scheduled) = self.alive.remove(&id) else {
                    return Ok(None);
                };
                if time == AFTER_END {
                    return Ok(None);
                }
                let ran = match scheduled {
                    Some(s) if t < s => {
                        return Err(format!(
                            "column time: task {job}/{index} ends at {time}, before it was scheduled at {}",
                            s.as_micros()
                        ))
                    }
                    Some(s) => t - s,
                    None => SimTime::ZERO,
                };
                Ok(Some(PodItem::End {
                    key: format!("{job}/{index}"),
                    t,
                    ran,
                }))
            }
            UPDATE_PENDING | UPDATE_RUNNING => Ok(None),
            e => Err(format!(
                "column event_type: {e} is not a task event type of the 2011 trace (0–8)"
            )),
        }
    }
}

/// Opens `task_events` part files (plain or gzipped).
pub fn open_pods(files: &[PathBuf], scales: &Scales) -> Result<PodStream, TraceError> {
    check_shape(files, "task_events", &TASK_EVENT_COLUMNS, 5, UPDATE_RUNNING)?;
    let mut rows = CsvRows::open(files, false);
    let mut tasks = Tasks {
        scales: *scales,
        alive: HashMap::new(),
    };
    Ok(Box::new(std::iter::from_fn(move || loop {
        let (file, line, rec) = match rows.next_row()? {
            Ok(r) => r,
            Err(b) => return Some(Err(b)),
        };
        match tasks.row(rec) {
            Ok(Some(item)) => return Some(Ok(item)),
            Ok(None) => {}
            Err(message) => {
                return Some(Err(BadRow {
                    file,
                    line,
                    message,
                    left_out: false,
                }))
            }
        }
    })))
}

fn machine_row(rec: &csv::StringRecord, scales: &Scales) -> Result<Option<MachineEvent>, String> {
    if rec.len() != MACHINE_EVENT_COLUMNS.len() {
        return Err(format!(
            "expected {} columns, found {}",
            MACHINE_EVENT_COLUMNS.len(),
            rec.len()
        ));
    }
    let time: u64 = field(rec, 0, "time")?;
    let machine = rec.get(1).unwrap_or("").to_string();
    if machine.is_empty() {
        return Err("column machine_id is empty".into());
    }
    let event: u8 = field(rec, 2, "event_type")?;
    if time == AFTER_END {
        return Ok(None);
    }
    let capacity = || -> Result<Resources, String> {
        let cpu = scaled(rec.get(4).unwrap_or(""), "cpus", scales.cpu_m, 1)?;
        let mem = scaled(rec.get(5).unwrap_or(""), "memory", scales.memory, 1)?;
        if cpu == 0 || mem == 0 {
            return Err("a machine needs more than zero cpus and memory".into());
        }
        Ok(Resources::new(cpu, mem))
    };
    let change = match event {
        ADD => MachineChange::Add(capacity()?),
        REMOVE => MachineChange::Fail,
        UPDATE => MachineChange::Resize(capacity()?),
        e => {
            return Err(format!(
                "column event_type: {e} is not a machine event type of the 2011 trace (0 ADD, 1 REMOVE, 2 UPDATE)"
            ))
        }
    };
    Ok(Some(MachineEvent {
        t: SimTime(time),
        machine,
        change,
    }))
}

/// Opens `machine_events` part files (plain or gzipped).
pub fn open_nodes(files: &[PathBuf], scales: &Scales) -> Result<MachineStream, TraceError> {
    check_shape(files, "machine_events", &MACHINE_EVENT_COLUMNS, 2, UPDATE)?;
    let mut rows = CsvRows::open(files, false);
    let scales = *scales;
    Ok(Box::new(std::iter::from_fn(move || loop {
        let (file, line, rec) = match rows.next_row()? {
            Ok(r) => r,
            Err(b) => return Some(Err(b)),
        };
        match machine_row(rec, &scales) {
            Ok(Some(e)) => return Some(Ok(e)),
            Ok(None) => {}
            Err(message) => {
                return Some(Err(BadRow {
                    file,
                    line,
                    message,
                    left_out: false,
                }))
            }
        }
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use std::path::Path;

    const GIB: u64 = 1 << 30;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn write_gz(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        let mut enc = flate2::write::GzEncoder::new(
            std::fs::File::create(&p).unwrap(),
            flate2::Compression::default(),
        );
        enc.write_all(text.as_bytes()).unwrap();
        enc.finish().unwrap();
        p
    }

    /// 32 cores and 128 GiB per 1.0: the defaults.
    fn scales() -> Scales {
        Scales::default()
    }

    fn s(secs: u64) -> SimTime {
        SimTime::from_secs(secs)
    }

    fn pod(key: &str, submit: SimTime, cpu_m: u64, mem: u64, priority: i32) -> PodItem {
        PodItem::Pod(TracePod {
            key: key.into(),
            owner: key.split('/').next().unwrap().into(),
            kind: PodKind::Job,
            submit,
            run: TraceRun::UntilEnd,
            requests: Resources::new(cpu_m, mem),
            priority,
        })
    }

    fn end(key: &str, t: SimTime, ran: SimTime) -> PodItem {
        PodItem::End {
            key: key.into(),
            t,
            ran,
        }
    }

    /// Two gzipped parts: task 7/0 runs 600–700 s and finishes; 7/1 is
    /// evicted after 50 s, resubmitted and finishes; 8/0 is killed while
    /// pending; 9/0 never ends in the window; updates are ignored.
    const PART0: &str = "\
0,2,7,0,,0,user1,3,9,0.0625,0.03125,0.001,0
0,2,7,1,,0,user1,3,9,0.0625,0.03125,0.001,0
600000000,,7,0,42,1,user1,3,9,0.0625,0.03125,0.001,0
600000000,,7,1,43,1,user1,3,9,0.0625,0.03125,0.001,0
610000000,,7,1,43,8,user1,3,9,0.125,0.03125,0.001,0
650000000,,7,1,43,2,user1,3,9,0.0625,0.03125,0.001,0
";
    const PART1: &str = "\
660000000,,7,1,,0,user1,3,9,0.0625,0.03125,0.001,0
680000000,,8,0,,0,user2,0,2,0.5,0.25,0.001,1
690000000,,8,0,,5,user2,0,2,0.5,0.25,0.001,1
700000000,,7,0,42,4,user1,3,9,0.0625,0.03125,0.001,0
700000000,,7,1,44,1,user1,3,9,0.0625,0.03125,0.001,0
720000000,,9,0,,0,user3,1,0,0.25,0.5,0.001,0
760000000,,7,1,44,4,user1,3,9,0.0625,0.03125,0.001,0
770000000,,9,0,,1,user3,1,0,0.25,0.5,0.001,0
9223372036854775807,,9,0,,4,user3,1,0,0.25,0.5,0.001,0
";

    #[test]
    fn task_events_from_gzipped_parts() {
        let d = tempfile::tempdir().unwrap();
        write_gz(d.path(), "part-00000-of-00500.csv.gz", PART0);
        write_gz(d.path(), "part-00001-of-00500.csv.gz", PART1);
        let files = super::super::expand_paths(d.path(), "part-*-of-00500.csv.gz").unwrap();
        let items: Vec<PodItem> = open_pods(&files, &scales())
            .unwrap()
            .map(|r| r.unwrap())
            .collect();
        // 0.0625 × 32 cores = 2 cores; 0.03125 × 128 GiB = 4 GiB.
        assert_eq!(
            items,
            [
                pod("7/0", s(0), 2000, 4 * GIB, 9),
                pod("7/1", s(0), 2000, 4 * GIB, 9),
                end("7/1", s(650), s(50)),
                pod("7/1", s(660), 2000, 4 * GIB, 9),
                pod("8/0", s(680), 16_000, 32 * GIB, 2),
                end("8/0", s(690), s(0)),
                end("7/0", s(700), s(100)),
                pod("9/0", s(720), 8000, 64 * GIB, 0),
                end("7/1", s(760), s(60)),
            ]
        );
    }

    #[test]
    fn bad_rows_name_file_line_and_column() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "task_events.csv",
            "0,,1,0,,0,u,0,1,0.5,0.5,0,0\n\
             0,,2,0,,0,u,0,1,,0.5,0,0\n\
             0,,3,0,,0,u,0,high,0.5,0.5,0,0\n\
             0,,1,0,,0,u,0,1,0.5,0.5,0,0\n\
             5,,1,0,,9,u,0,1,0.5,0.5,0,0\n\
             x,,1,0,,1,u,0,1,0.5,0.5,0,0\n\
             6,,1,0\n\
             9,,2,0,,4,u,0,1,,,0,0\n",
        );
        let items: Vec<_> = open_pods(std::slice::from_ref(&p), &scales())
            .unwrap()
            .collect();
        assert_eq!(items.len(), 7, "{items:?}");
        assert!(items[0].is_ok());
        let bad: Vec<BadRow> = items.into_iter().filter_map(|r| r.err()).collect();
        let lines: Vec<u64> = bad.iter().map(|b| b.line).collect();
        assert_eq!(lines, [2, 3, 4, 5, 6, 7]);
        assert!(bad.iter().all(|b| b.file == p.display().to_string()));
        let has = |i: usize, s: &str| {
            assert!(bad[i].message.contains(s), "{}", bad[i].message);
        };
        has(0, "column cpu_request is empty");
        has(1, "column priority");
        has(2, "submitted again");
        has(3, "column event_type: 9");
        has(4, "column time");
        has(5, "expected 13 columns, found 4");
    }

    #[test]
    fn empty_and_wrong_files_fail_early() {
        let d = tempfile::tempdir().unwrap();
        let empty = write(d.path(), "empty.csv", "");
        let e = open_pods(std::slice::from_ref(&empty), &scales())
            .err()
            .unwrap();
        assert!(e.message.contains("empty"), "{e}");
        assert!(open_nodes(&[empty], &scales()).is_err());

        let machines = write(d.path(), "m.csv", "0,5,0,HofL,0.5,0.2493\n");
        let e = open_pods(std::slice::from_ref(&machines), &scales())
            .err()
            .unwrap();
        assert!(e.message.contains("machine_events"), "{e}");
        assert_eq!(e.line, Some(1));

        let alibaba = write(
            d.path(),
            "batch_task.csv",
            "M1,12846,j_3,1,Terminated,157213,157295,100,0.3\n",
        );
        let e = open_pods(std::slice::from_ref(&alibaba), &scales())
            .err()
            .unwrap();
        assert!(e.message.contains("not a task_events file"), "{e}");
        let e = open_nodes(&[alibaba], &scales()).err().unwrap();
        assert!(e.message.contains("not a machine_events file"), "{e}");

        let tasks = write(d.path(), "t.csv", "0,,1,0,,0,u,0,1,0.5,0.5,0,0\n");
        let e = open_nodes(&[tasks], &scales()).err().unwrap();
        assert!(e.message.contains("looks like task_events"), "{e}");

        let podsim = write(d.path(), "p.csv", "id,submit_s,cpu,memory\na,0,1,1Gi\n");
        assert!(open_pods(&[podsim], &scales()).is_err());
    }

    #[test]
    fn machine_events() {
        let d = tempfile::tempdir().unwrap();
        let p = write_gz(
            d.path(),
            "machine_events.csv.gz",
            "0,5,0,HofL,0.5,0.2493\n\
             0,6,0,HofL,1,1\n\
             1000000000,5,1,HofL,,\n\
             2000000000,5,0,HofL,0.5,0.2493\n\
             3000000000,6,2,HofL,0.25,0.5\n\
             4000000000,7,0,HofL,,\n\
             5000000000,6,3,HofL,0.5,0.5\n\
             9223372036854775807,6,1,HofL,,\n",
        );
        let items: Vec<_> = open_nodes(&[p], &scales()).unwrap().collect();
        let ok: Vec<_> = items
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .map(|e| (e.t, e.machine.as_str(), e.change))
            .collect();
        // 0.2493 × 128 GiB, rounded to the byte.
        let m5 = Resources::new(16_000, 34_263_531_101);
        assert_eq!(
            ok,
            [
                (s(0), "5", MachineChange::Add(m5)),
                (
                    s(0),
                    "6",
                    MachineChange::Add(Resources::new(32_000, 128 * GIB))
                ),
                (s(1000), "5", MachineChange::Fail),
                (s(2000), "5", MachineChange::Add(m5)),
                (
                    s(3000),
                    "6",
                    MachineChange::Resize(Resources::new(8000, 64 * GIB))
                ),
            ]
        );
        let bad: Vec<_> = items.iter().filter_map(|r| r.as_ref().err()).collect();
        assert_eq!(bad.len(), 2);
        assert_eq!(bad[0].line, 6);
        assert!(
            bad[0].message.contains("column cpus is empty"),
            "{}",
            bad[0]
        );
        assert_eq!(bad[1].line, 7);
        assert!(
            bad[1].message.contains("column event_type: 3"),
            "{}",
            bad[1]
        );
    }

    #[test]
    fn memory_stays_with_the_tasks_alive() {
        // 10,000 tasks, each submitted, scheduled and finished before the next.
        let mut text = String::new();
        for i in 0..10_000u64 {
            let t = i * 3;
            text.push_str(&format!("{t},,1,{i},,0,u,0,0,0.01,0.01,0,0\n"));
            text.push_str(&format!("{},,1,{i},,1,u,0,0,0.01,0.01,0,0\n", t + 1));
            text.push_str(&format!("{},,1,{i},,4,u,0,0,0.01,0.01,0,0\n", t + 2));
        }
        let d = tempfile::tempdir().unwrap();
        let p = write(d.path(), "t.csv", &text);
        let mut rows = CsvRows::open(&[p], false);
        let mut tasks = Tasks {
            scales: scales(),
            alive: HashMap::new(),
        };
        let mut most = 0;
        while let Some(r) = rows.next_row() {
            let (_, _, rec) = r.unwrap();
            tasks.row(rec).unwrap();
            most = most.max(tasks.alive.len());
        }
        assert_eq!(most, 1);
        assert!(tasks.alive.is_empty());
    }
}
