//! Alibaba cluster-trace-v2017 (about 1,300 machines, 24 hours): the batch
//! tasks (`batch_task.csv`) as pods and the machine events
//! (`server_event.csv`) as nodes. Column meanings as in `docs/traces.md`.
//!
//! The raw files have no header line. Copies that added one are accepted: a
//! first line whose fields are all non-empty and none is a number is taken as
//! a header and skipped (a data row always has numbers in it). Either way the
//! first line must have the format's number of columns, so a file of another
//! format fails at once with a [`TraceError`].
//!
//! Times are seconds from the trace's start; 0 or negative means "before the
//! trace" and is taken as 0.
//!
//! **Tasks** — `create_timestamp, end_timestamp, job_id, task_id,
//! instance_num, status, plan_cpu, plan_mem`. A task is `instance_num`
//! identical instances; each becomes a pod (a job pod, owner = the job id,
//! key `job/task/i`, priority 0) submitted at `create_timestamp`. They are
//! produced one at a time from the current row, never collected: the whole
//! file's 80,553 tasks expand to millions of pods. The file is not in time
//! order, so tasks (not pods) are put in order first ([`TASK_WINDOW`]).
//! See [`BatchTask`] for the run time, requests, and the rows that are
//! reported as bad.
//!
//! **Machines** — `timestamp, machine_id, event_type, event_detail, cpus,
//! mem, disk`. See [`server_event`] for what each event becomes.

use super::{
    field, BadRow, CsvRows, MachineChange, MachineEvent, MachineStream, PodItem, PodStream, Scales,
    TraceError, TracePod, TraceRun,
};
use crate::cluster::{PodKind, Resources};
use crate::engine::SimTime;
use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::path::PathBuf;

/// The columns of `batch_task.csv`, in order.
pub const TASK_COLUMNS: [&str; 8] = [
    "create_timestamp",
    "end_timestamp",
    "job_id",
    "task_id",
    "instance_num",
    "status",
    "plan_cpu",
    "plan_mem",
];

/// The columns of `server_event.csv`, in order.
pub const SERVER_EVENT_COLUMNS: [&str; 7] = [
    "timestamp",
    "machine_id",
    "event_type",
    "event_detail",
    "cpus",
    "mem",
    "disk",
];

/// One row of `batch_task.csv`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchTask {
    /// `create_timestamp` as written (seconds; 0 or negative = before the trace).
    pub create: i64,
    /// `end_timestamp` as written; 0 = the task had not ended.
    pub end: i64,
    pub job_id: String,
    pub task_id: String,
    /// `instance_num`: at least 1.
    pub instances: u32,
    /// `status` at the end of the trace, as written (Ready, Waiting, Running,
    /// Terminated, Failed, Cancelled, Interupted).
    pub status: String,
    /// `plan_cpu` in millicores (100 = one core, so 50 = 500m); `None` when
    /// empty, as for tasks that never ran.
    pub cpu_m: Option<u64>,
    /// `plan_mem`, normalized, in bytes (times [`Scales::memory`]); `None`
    /// when empty.
    pub mem: Option<u64>,
}

impl BatchTask {
    /// Trace time of submission: `create_timestamp`, or 0 if it was before
    /// the trace.
    pub fn submit(&self) -> SimTime {
        SimTime::from_secs(self.create.max(0) as u64)
    }

    /// How each instance runs once started.
    ///
    /// - `end_timestamp` 0: the task had not ended when the trace ended; it
    ///   runs to the end of the simulation.
    /// - otherwise: `end − submit`, the task's life in the trace (for a task
    ///   created before the trace, from the trace's start, so that it ends
    ///   when the trace says). A task that ended in the second it was
    ///   created runs for 0 s.
    ///
    /// This is the task's whole life, from creation to the end of its last
    /// instance, given to every instance: the trace's per-instance times are
    /// in `batch_instance.csv`, which this reader does not read. Instances
    /// that ran in waves in the real cluster therefore each hold their
    /// resources longer here. `status` does not change the run time: a
    /// `Failed` task held its resources until it failed, and in the shared
    /// sample 269 of the 293 `Running` tasks that have an end time belong to
    /// jobs with a failed task, ending with it.
    ///
    /// The trace's documents disagree on this column: `schema.csv` calls it
    /// "task end time", `trace_201708.md` "latest state modification time".
    /// `docs/traces.md` follows the first; for `Terminated` and `Failed`
    /// tasks the two are the same.
    ///
    /// Errors (the row is bad): an end before the trace (negative), or an
    /// end before the creation.
    pub fn run(&self) -> Result<TraceRun, String> {
        if self.end == 0 {
            return Ok(TraceRun::Forever);
        }
        if self.end < 0 {
            return Err(format!(
                "end_timestamp {} is before the trace: the task never ran in it",
                self.end
            ));
        }
        if self.end < self.create {
            return Err(format!(
                "end_timestamp {} is before create_timestamp {}",
                self.end, self.create
            ));
        }
        Ok(TraceRun::For(
            SimTime::from_secs(self.end as u64) - self.submit(),
        ))
    }

    /// Each instance's requests.
    ///
    /// A row without `plan_cpu` or `plan_mem` is bad. In the shared sample
    /// every such row is a task that never asked for resources (319 with
    /// status `Waiting`, "not initialized yet", and 2 `Running`; both columns
    /// empty; 6% of the rows, 44,550 instances). There is nothing to
    /// replay, and making up a request would be a guess; so they are
    /// reported as rows left out (counted apart from bad rows, named in the
    /// run's trace-read line; `strict` does not stop on them), never dropped
    /// silently. A task with only one of the two empty is a bad row.
    pub fn requests(&self) -> Result<Resources, String> {
        match (self.cpu_m, self.mem) {
            (Some(c), Some(m)) => Ok(Resources::new(c, m)),
            (None, None) => Err(format!(
                "plan_cpu and plan_mem are empty: a task that never asked for resources (status {}), left out with its {} instances",
                self.status, self.instances
            )),
            (None, Some(_)) => Err(format!("column plan_cpu is empty (status {})", self.status)),
            (Some(_), None) => Err(format!("column plan_mem is empty (status {})", self.status)),
        }
    }

    /// The pod of every instance but its key (which [`Instances`] sets).
    fn template(&self) -> Result<TracePod, String> {
        Ok(TracePod {
            key: String::new(),
            owner: self.job_id.clone(),
            kind: PodKind::Job,
            submit: self.submit(),
            run: self.run()?,
            requests: self.requests()?,
            priority: 0,
        })
    }
}

/// `raw × unit`, rounded, for a non-negative decimal (or, failing that, a
/// float such as `1e-05`): CPU in hundredths of a core and normalized
/// memory.
fn scaled(raw: &str, unit: u64, column: &str) -> Result<u64, String> {
    let bad = || format!("column {column}: {raw:?} is not a valid non-negative number");
    if let Some((m, scale)) = crate::engine::parse_decimal(raw) {
        let v = m
            .checked_mul(unit as u128)
            .and_then(|x| x.checked_add(scale / 2))
            .map(|x| x / scale)
            .ok_or_else(bad)?;
        return u64::try_from(v).map_err(|_| bad());
    }
    let f: f64 = raw.parse().map_err(|_| bad())?;
    if !(f.is_finite() && f >= 0.0) {
        return Err(bad());
    }
    let v = (f * unit as f64).round();
    if v >= u64::MAX as f64 {
        return Err(bad());
    }
    Ok(v as u64)
}

fn optional_scaled(
    rec: &csv::StringRecord,
    i: usize,
    unit: u64,
    column: &str,
) -> Result<Option<u64>, String> {
    match text(rec, i, column)? {
        "" => Ok(None),
        s => scaled(s, unit, column).map(Some),
    }
}

fn text<'a>(rec: &'a csv::StringRecord, i: usize, column: &str) -> Result<&'a str, String> {
    rec.get(i)
        .map(str::trim)
        .ok_or_else(|| format!("missing column {column} (field {})", i + 1))
}

fn width(rec: &csv::StringRecord, n: usize) -> Result<(), String> {
    if rec.len() > n {
        return Err(format!(
            "{} fields, but the format has {n} columns",
            rec.len()
        ));
    }
    Ok(())
}

fn id(rec: &csv::StringRecord, i: usize, column: &str) -> Result<String, String> {
    let s = text(rec, i, column)?;
    if s.is_empty() {
        return Err(format!("column {column} is empty"));
    }
    Ok(s.to_string())
}

/// Whether a first line is a header: every field is a non-empty non-number.
fn is_header(rec: &csv::StringRecord) -> bool {
    rec.iter()
        .all(|f| !f.trim().is_empty() && f.trim().parse::<f64>().is_err())
}

/// Checks the first line of every file: it must have `columns.len()` fields.
fn check_files(files: &[PathBuf], columns: &[&str], what: &str) -> Result<(), TraceError> {
    if files.is_empty() {
        return Err(TraceError::new("<none>", None, "no file given"));
    }
    for f in files {
        let name = f.display().to_string();
        let mut rows = CsvRows::open(std::slice::from_ref(f), false);
        let first = match rows.next_row() {
            None => {
                return Err(TraceError::new(
                    &name,
                    None,
                    format!(
                        "the file is empty: an alibaba-2017 {what} has the columns {}",
                        columns.join(",")
                    ),
                ))
            }
            Some(Err(b)) => return Err(b.into()),
            Some(Ok((_, _, rec))) => rec,
        };
        if first.len() != columns.len() {
            let shown: Vec<&str> = first.iter().take(12).collect();
            return Err(TraceError::new(
                &name,
                Some(1),
                format!(
                    "not an alibaba-2017 {what}: its rows have {} columns ({}), found {} ({}) (is this the right file or format?)",
                    columns.len(),
                    columns.join(","),
                    first.len(),
                    shown.join(",")
                ),
            ));
        }
    }
    Ok(())
}

/// Rows of `files` without the header lines that some copies add.
fn data_rows(
    files: &[PathBuf],
) -> impl FnMut() -> Option<Result<(String, u64, csv::StringRecord), BadRow>> {
    let mut rows = CsvRows::open(files, false);
    move || loop {
        match rows.next_row()? {
            Ok((_, 1, rec)) if is_header(rec) => continue,
            Ok((file, line, rec)) => return Some(Ok((file, line, rec.clone()))),
            Err(b) => return Some(Err(b)),
        }
    }
}

/// The most seconds a timestamp may have: over 30,000 years, far beyond
/// any trace, and small enough that it converts to microseconds exactly.
const MAX_SECS: i64 = 1_000_000_000_000;

/// A timestamp in whole seconds.
fn secs(rec: &csv::StringRecord, i: usize, column: &str) -> Result<i64, String> {
    let v: i64 = field(rec, i, column)?;
    if v.abs() > MAX_SECS {
        return Err(format!("column {column}: {v} s is out of range"));
    }
    Ok(v)
}

fn task_row(rec: &csv::StringRecord, scales: &Scales) -> Result<BatchTask, String> {
    width(rec, TASK_COLUMNS.len())?;
    let create = secs(rec, 0, "create_timestamp")?;
    let end = secs(rec, 1, "end_timestamp")?;
    let job_id = id(rec, 2, "job_id")?;
    let task_id = id(rec, 3, "task_id")?;
    let instances: u32 = field(rec, 4, "instance_num")?;
    if instances == 0 {
        return Err("column instance_num: 0, a task needs at least one instance".into());
    }
    let status = text(rec, 5, "status")?.to_string();
    let cpu_m = optional_scaled(rec, 6, 10, "plan_cpu")?;
    let mem = optional_scaled(rec, 7, scales.memory, "plan_mem")?;
    Ok(BatchTask {
        create,
        end,
        job_id,
        task_id,
        instances,
        status,
        cpu_m,
        mem,
    })
}

/// Every row of the task files, parsed, with its file and line.
fn tasks(
    files: &[PathBuf],
    scales: &Scales,
) -> Result<impl Iterator<Item = Result<(BatchTask, String, u64), BadRow>> + Send, TraceError> {
    check_files(files, &TASK_COLUMNS, "batch_task.csv")?;
    let scales = *scales;
    let mut next = data_rows(files);
    Ok(std::iter::from_fn(move || {
        Some(
            next()?.and_then(|(file, line, rec)| match task_row(&rec, &scales) {
                Ok(t) => Ok((t, file, line)),
                Err(message) => Err(BadRow {
                    file,
                    line,
                    message,
                    left_out: false,
                }),
            }),
        )
    }))
}

/// Every row of the task files `files`, parsed (rows without a request are
/// not bad here: see [`BatchTask::requests`]).
pub fn read_tasks(
    files: &[PathBuf],
    scales: &Scales,
) -> Result<Box<dyn Iterator<Item = Result<BatchTask, BadRow>> + Send>, TraceError> {
    Ok(Box::new(
        tasks(files, scales)?.map(|r| r.map(|(t, _, _)| t)),
    ))
}

/// How many tasks [`open_pods`] holds to put them in order of submission.
///
/// `batch_task.csv` is not sorted by `create_timestamp` (in the shared
/// sample, tasks come up to 16 hours late), and one task can have tens of
/// thousands of instances. The replay restores time order within a window
/// counted in pods, which such tasks overflow at once (replaying the 5,000
/// sample tasks with the default window delivered 427,874 of 749,056 pods
/// late, by up to 13 h 53 min). So tasks are put in order here, before they
/// expand, within a window of this many rows: more than the whole trace's
/// 80,553 tasks, and a few tens of MB at most, whatever the instance counts.
pub const TASK_WINDOW: usize = 100_000;

/// The instances of one task, as they are made.
struct Expanding {
    /// The pod of each instance but its key.
    template: TracePod,
    /// `job/task`: each instance's key is this and its index.
    prefix: String,
    next: u32,
    count: u32,
}

/// A task waiting in the window, ordered by (submission, position in the file).
struct Waiting {
    seq: u64,
    task: Expanding,
}

impl Waiting {
    fn key(&self) -> (SimTime, u64) {
        (self.task.template.submit, self.seq)
    }
}

impl PartialEq for Waiting {
    fn eq(&self, o: &Self) -> bool {
        self.key() == o.key()
    }
}
impl Eq for Waiting {}
impl PartialOrd for Waiting {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Waiting {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.key().cmp(&o.key())
    }
}

/// The pods of the tasks: tasks in order of submission within
/// [`TASK_WINDOW`] tasks, the instances of one task at a time.
struct Instances {
    tasks: Box<dyn Iterator<Item = Result<(BatchTask, String, u64), BadRow>> + Send>,
    done: bool,
    window: BinaryHeap<Reverse<Waiting>>,
    seq: u64,
    current: Option<Expanding>,
}

impl Iterator for Instances {
    type Item = Result<PodItem, BadRow>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(e) = self.current.as_mut() {
                if e.next < e.count {
                    let mut p = e.template.clone();
                    p.key = format!("{}/{}", e.prefix, e.next);
                    e.next += 1;
                    return Some(Ok(PodItem::Pod(p)));
                }
                self.current = None;
            }
            while !self.done && self.window.len() < TASK_WINDOW {
                let Some(item) = self.tasks.next() else {
                    self.done = true;
                    break;
                };
                // Bad rows are passed on at once, ahead of the tasks waiting.
                let (task, file, line) = match item {
                    Ok(t) => t,
                    Err(b) => return Some(Err(b)),
                };
                match task.template() {
                    Ok(template) => {
                        let prefix = format!("{}/{}", task.job_id, task.task_id);
                        self.window.push(Reverse(Waiting {
                            seq: self.seq,
                            task: Expanding {
                                template,
                                prefix,
                                next: 0,
                                count: task.instances,
                            },
                        }));
                        self.seq += 1;
                    }
                    Err(message) => {
                        // A task that never asked for resources is sound
                        // data with nothing to replay: left out, not bad.
                        let left_out = task.cpu_m.is_none() && task.mem.is_none();
                        return Some(Err(BadRow {
                            file,
                            line,
                            message,
                            left_out,
                        }));
                    }
                }
            }
            let Reverse(w) = self.window.pop()?;
            self.current = Some(w.task);
        }
    }
}

/// Opens `batch_task.csv` (or several, read in order) as a pod stream: one
/// pod per instance, made as it is needed; tasks in order of submission
/// within [`TASK_WINDOW`] tasks. A bad row is one [`BadRow`] for the whole
/// task, not one per instance.
pub fn open_pods(files: &[PathBuf], scales: &Scales) -> Result<PodStream, TraceError> {
    Ok(Box::new(Instances {
        tasks: Box::new(tasks(files, scales)?),
        done: false,
        window: BinaryHeap::new(),
        seq: 0,
        current: None,
    }))
}

/// What a `server_event.csv` row becomes.
///
/// - `add`: the machine joins with `cpus` cores (a count, not normalized:
///   64 is 64,000 millicores) and `mem` × [`Scales::memory`] bytes. Every
///   machine has one at time 0. An `add` without positive `cpus` and `mem`
///   is a bad row: a machine of unknown size cannot be built.
/// - `softerror`, `harderror`: the machine fails ([`MachineChange::Fail`]).
///   The trace's own documentation says that after an error "new online
///   services and batch jobs should not be placed in the machines, but
///   existing services and jobs may still function normally"; podsim has no
///   "unschedulable but running" change for a trace to make, so an error is
///   replayed as a failure, which also stops the pods on the machine.
/// - Recovery: the trace has no recovery event, and documents none. A
///   machine that fails stays down unless a later `add` names it again, which
///   the replay takes as its recovery (the capacity of such an `add` is
///   not applied again).
///
/// `event_detail` and `disk` are not used.
pub fn server_event(rec: &csv::StringRecord, scales: &Scales) -> Result<MachineEvent, String> {
    width(rec, SERVER_EVENT_COLUMNS.len())?;
    let t = secs(rec, 0, "timestamp")?;
    let machine = id(rec, 1, "machine_id")?;
    let kind = text(rec, 2, "event_type")?;
    let change = match kind {
        "add" => {
            let cpu_m = optional_scaled(rec, 4, 1000, "cpus")?;
            let mem = optional_scaled(rec, 5, scales.memory, "mem")?;
            match (cpu_m, mem) {
                (Some(c), Some(m)) if c > 0 && m > 0 => MachineChange::Add(Resources::new(c, m)),
                _ => {
                    return Err(format!(
                        "an add needs cpus and mem above zero (cpus {:?}, mem {:?}): a machine of unknown size cannot be built",
                        rec.get(4).unwrap_or(""),
                        rec.get(5).unwrap_or("")
                    ))
                }
            }
        }
        "softerror" | "harderror" => MachineChange::Fail,
        e => {
            return Err(format!(
                "column event_type: {e:?} is not add, softerror or harderror"
            ))
        }
    };
    Ok(MachineEvent {
        t: SimTime::from_secs(t.max(0) as u64),
        machine,
        change,
    })
}

/// Opens `server_event.csv` as a machine stream.
pub fn open_nodes(files: &[PathBuf], scales: &Scales) -> Result<MachineStream, TraceError> {
    check_files(files, &SERVER_EVENT_COLUMNS, "server_event.csv")?;
    let scales = *scales;
    let mut next = data_rows(files);
    Ok(Box::new(std::iter::from_fn(move || {
        Some(next()?.and_then(|(file, line, rec)| {
            server_event(&rec, &scales).map_err(|message| BadRow {
                file,
                line,
                message,
                left_out: false,
            })
        }))
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workload::trace::{self, TraceFiles, TraceFormat};
    use std::path::Path;

    const GI: u64 = 1 << 30;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn pod(key: &str, owner: &str, submit: u64, run: TraceRun, cpu_m: u64, mem: u64) -> TracePod {
        TracePod {
            key: key.into(),
            owner: owner.into(),
            kind: PodKind::Job,
            submit: SimTime::from_secs(submit),
            run,
            requests: Resources::new(cpu_m, mem),
            priority: 0,
        }
    }

    const TASKS: &str = "\
6459,6524,3,4,3,Terminated,50,0.0078125
-20,100,3,5,1,Terminated,100,0.5
6036,6046,4,7,393,Waiting,,
51997,0,376,1955,2,Running,100,0.002
5416,5416,2366,13599,1,Terminated,75,0.25
";

    /// The pods and bad rows (as `(line, message)`) of a task file.
    fn read(path: &Path) -> (Vec<TracePod>, Vec<(u64, String)>) {
        let (mut pods, mut bad) = (Vec::new(), Vec::new());
        for item in open_pods(&[path.to_path_buf()], &Scales::default()).unwrap() {
            match item {
                Ok(PodItem::Pod(p)) => pods.push(p),
                Ok(e) => panic!("unexpected {e:?}"),
                Err(b) => {
                    assert_eq!(b.file, path.display().to_string());
                    bad.push((b.line, b.message));
                }
            }
        }
        (pods, bad)
    }

    /// The pods of [`TASKS`], in order of submission.
    fn expected_pods() -> Vec<TracePod> {
        let s = SimTime::from_secs;
        vec![
            // Created before the trace: submitted at 0, ends at 100 as in the trace.
            pod("3/5/0", "3", 0, TraceRun::For(s(100)), 1000, 64 * GI),
            // Ended in the second it was created.
            pod(
                "2366/13599/0",
                "2366",
                5416,
                TraceRun::For(s(0)),
                750,
                32 * GI,
            ),
            // Three instances; 50 = half a core; 0.0078125 × 128 GiB = 1 GiB.
            pod("3/4/0", "3", 6459, TraceRun::For(s(65)), 500, GI),
            pod("3/4/1", "3", 6459, TraceRun::For(s(65)), 500, GI),
            pod("3/4/2", "3", 6459, TraceRun::For(s(65)), 500, GI),
            // Still running at the end of the trace; 0.002 × 128 GiB, rounded.
            pod(
                "376/1955/0",
                "376",
                51997,
                TraceRun::Forever,
                1000,
                274_877_907,
            ),
            pod(
                "376/1955/1",
                "376",
                51997,
                TraceRun::Forever,
                1000,
                274_877_907,
            ),
        ]
    }

    #[test]
    fn tasks_expand_to_instances() {
        let d = tempfile::tempdir().unwrap();
        let (pods, bad) = read(&write(d.path(), "batch_task.csv", TASKS));
        assert_eq!(pods, expected_pods());
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].0, 3);
        assert!(
            bad[0].1.contains("plan_cpu and plan_mem are empty")
                && bad[0]
                    .1
                    .contains("(status Waiting), left out with its 393 instances"),
            "{}",
            bad[0].1
        );
    }

    #[test]
    fn a_header_line_is_accepted_and_skipped() {
        let d = tempfile::tempdir().unwrap();
        // The header of the copy in the shared samples.
        let header = "task_create_time, task_end_time, job_id, task_id,number_of_instances, status, number_of_cpus_requested_per_instance_in_the_task,normalized_memory_requested_per_instance_in_the_task\n";
        let p = write(d.path(), "batch_task.csv", &format!("{header}{TASKS}"));
        let (pods, bad) = read(&p);
        assert_eq!(pods, expected_pods());
        assert_eq!(bad.len(), 1);
        assert_eq!(bad[0].0, 4, "line numbers count the header");
        // A header in the second of two files is skipped too.
        let plain = write(d.path(), "part0.csv", "1,2,9,9,1,Terminated,50,0.5\n");
        let items: Vec<_> = open_pods(&[plain, p], &Scales::default())
            .unwrap()
            .collect();
        assert_eq!(items.len(), 1 + 7 + 1);
    }

    #[test]
    fn bad_rows_name_file_line_and_column() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "batch_task.csv",
            "10,20,1,1,1,Terminated,50,0.1\n\
             abc,20,1,2,1,Terminated,50,0.1\n\
             10,20,1,3,1,Terminated,50\n\
             10,20,1,4,1,Terminated,fifty,0.1\n\
             10,20,1,5,1,Terminated,50,-0.1\n\
             30,20,1,6,1,Terminated,50,0.1\n\
             -30,-20,1,7,1,Terminated,50,0.1\n\
             10,20,1,8,0,Terminated,50,0.1\n\
             10,20,,9,1,Terminated,50,0.1\n\
             10,20,1,10,1,Terminated,50,0.1,extra\n\
             10,20,1,11,2,Terminated,,0.1\n\
             10,99999999999999,1,12,1,Terminated,50,0.1\n",
        );
        let (pods, bad) = read(&p);
        assert_eq!(pods.len(), 1);
        let want = [
            (2, "column create_timestamp"),
            (3, "missing column plan_mem"),
            (4, "column plan_cpu"),
            (5, "column plan_mem"),
            (6, "end_timestamp 20 is before create_timestamp 30"),
            (7, "before the trace"),
            (8, "column instance_num"),
            (9, "column job_id is empty"),
            (10, "9 fields"),
            (11, "column plan_cpu is empty"),
            (12, "column end_timestamp: 99999999999999 s is out of range"),
        ];
        assert_eq!(bad.len(), want.len(), "{bad:?}");
        for ((line, msg), (wl, wm)) in bad.iter().zip(want) {
            assert_eq!(*line, wl, "{msg}");
            assert!(msg.contains(wm), "line {line}: {msg}");
        }
    }

    #[test]
    fn tasks_come_out_in_time_order_ties_in_file_order() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "batch_task.csv",
            "30,40,1,1,1,Terminated,50,0.1\n\
             10,40,1,2,2,Terminated,50,0.1\n\
             30,40,2,3,1,Terminated,50,0.1\n\
             0,40,2,4,1,Terminated,50,0.1\n",
        );
        let (pods, bad) = read(&p);
        assert!(bad.is_empty());
        let keys: Vec<&str> = pods.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["2/4/0", "1/2/0", "1/2/1", "1/1/0", "2/3/0"]);
    }

    #[test]
    fn instances_are_made_lazily() {
        let d = tempfile::tempdir().unwrap();
        // Four billion instances: collecting them would exhaust memory.
        let p = write(
            d.path(),
            "batch_task.csv",
            "1,2,7,8,4294967295,Terminated,50,0.1\n",
        );
        let mut s = open_pods(&[p], &Scales::default()).unwrap();
        let keys: Vec<String> = s
            .by_ref()
            .take(3)
            .map(|r| match r.unwrap() {
                PodItem::Pod(p) => p.key,
                e => panic!("unexpected {e:?}"),
            })
            .collect();
        assert_eq!(keys, ["7/8/0", "7/8/1", "7/8/2"]);
    }

    #[test]
    fn wrong_format_and_empty_files() {
        let d = tempfile::tempdir().unwrap();
        let s = Scales::default();
        let empty = write(d.path(), "empty.csv", "");
        let err = open_pods(std::slice::from_ref(&empty), &s).err().unwrap();
        assert!(err.message.contains("the file is empty"), "{err}");
        assert!(open_nodes(&[empty], &s).is_err());

        let openb = write(
            d.path(),
            "openb.csv",
            "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n",
        );
        let err = open_pods(&[openb], &s).err().unwrap();
        assert_eq!(err.line, Some(1));
        assert!(
            err.message.contains("not an alibaba-2017 batch_task.csv"),
            "{err}"
        );
        assert!(err.message.contains("found 11"), "{err}");

        // The two files of the trace, swapped.
        let events = write(d.path(), "server_event.csv", "0,1,add,,64,0.5,0.5\n");
        let tasks = write(d.path(), "batch_task.csv", TASKS);
        let err = open_pods(std::slice::from_ref(&events), &s).err().unwrap();
        assert!(err.message.contains("batch_task.csv"), "{err}");
        let err = open_nodes(std::slice::from_ref(&tasks), &s).err().unwrap();
        assert!(err.message.contains("server_event.csv"), "{err}");

        // Every file is checked, not only the first.
        let err = open_pods(&[tasks, events.clone()], &s).err().unwrap();
        assert_eq!(err.file, events.display().to_string());
    }

    #[test]
    fn server_events() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "server_event.csv",
            "timestamp,machine_id,event_type,event_detail,cpus,mem,disk\n\
             0,1,add,,64,0.6899697150103955,0.58\n\
             0,2,add,,32,0.5,0.5\n\
             49380,1,softerror,machine_fail,0,0,0\n\
             50000,2,harderror,disk_fail,,,\n\
             52000,1,add,,64,0.6899697150103955,0.58\n\
             0,3,add,,64,,\n\
             0,4,reboot,,,,\n\
             -5,5,add,,8,0.125,0.1\n\
             x,6,add,,8,0.125,0.1\n\
             0,7\n",
        );
        let items: Vec<_> = open_nodes(std::slice::from_ref(&p), &Scales::default())
            .unwrap()
            .collect();
        let ev = |t: u64, m: &str, change| {
            Ok(MachineEvent {
                t: SimTime::from_secs(t),
                machine: m.into(),
                change,
            })
        };
        let first = MachineChange::Add(Resources::new(64_000, 94_828_715_558));
        let bad = |line: u64, message: &str| -> Result<MachineEvent, BadRow> {
            Err(BadRow {
                file: p.display().to_string(),
                line,
                message: message.into(),
                left_out: false,
            })
        };
        let want = vec![
            ev(0, "1", first),
            ev(0, "2", MachineChange::Add(Resources::new(32_000, 64 * GI))),
            ev(49380, "1", MachineChange::Fail),
            ev(50000, "2", MachineChange::Fail),
            // Added again: the replay takes it as the machine's recovery.
            ev(52000, "1", first),
            bad(7, "an add needs cpus and mem above zero (cpus \"64\", mem \"\"): a machine of unknown size cannot be built"),
            bad(8, "column event_type: \"reboot\" is not add, softerror or harderror"),
            // Before the trace: at its start.
            ev(0, "5", MachineChange::Add(Resources::new(8_000, 16 * GI))),
            bad(10, "column timestamp: \"x\" is not a valid number"),
            bad(11, "missing column event_type (field 3)"),
        ];
        assert_eq!(items, want);
    }

    #[test]
    fn an_error_then_an_add_is_a_failure_and_a_recovery() {
        let d = tempfile::tempdir().unwrap();
        write(
            d.path(),
            "server_event.csv",
            "0,1,add,,4,0.125,0.1\n\
             0,2,add,,4,0.125,0.1\n\
             100,1,softerror,agent_fail,0,0,0\n\
             200,1,add,,4,0.125,0.1\n",
        );
        write(d.path(), "batch_task.csv", "10,0,1,1,2,Running,100,0.01\n");
        let sc = write(
            d.path(),
            "s.toml",
            "name = \"t\"\nhorizon = \"1h\"\n\
             [[traces]]\nformat = \"alibaba-2017\"\n\
             pods = \"batch_task.csv\"\nnodes = \"server_event.csv\"\n",
        );
        let sc = crate::scenario::Scenario::load(&sc).unwrap();
        let r = crate::simulation::run_one(&sc, "spread", 1).unwrap();
        let n1 = r.nodes.iter().find(|n| n.node == "1").unwrap();
        assert_eq!(n1.cpu_m, 4000);
        assert_eq!(n1.mem, 16 * GI);
        assert_eq!(n1.failures, 1);
        assert_eq!(n1.downtime, SimTime::from_secs(100));
        assert_eq!(n1.status_at_end, "Ready");
        let n2 = r.nodes.iter().find(|n| n.node == "2").unwrap();
        assert_eq!((n2.failures, n2.status_at_end.as_str()), (0, "Ready"));
    }

    #[test]
    fn registered_as_a_format() {
        let f = TraceFormat::parse("alibaba-2017").unwrap();
        assert_eq!(f.name(), "alibaba-2017");
        assert!(f.has_machines());
        assert!(TraceFormat::NAMES.contains(&"alibaba-2017"));
        let d = tempfile::tempdir().unwrap();
        let files = TraceFiles {
            pods: vec![write(d.path(), "t.csv", TASKS)],
            nodes: vec![write(d.path(), "e.csv", "0,1,add,,64,0.5,0.5\n")],
        };
        // The memory scale applies to tasks and machines alike.
        let s = Scales {
            cpu_m: 1,
            memory: 1000,
        };
        let pod = trace::open_pods(f, &files, &s)
            .unwrap()
            .find_map(|r| match r {
                Ok(PodItem::Pod(p)) if p.key == "3/4/0" => Some(p),
                _ => None,
            })
            .unwrap();
        // 0.0078125 × 1000 bytes, rounded.
        assert_eq!(pod.requests, Resources::new(500, 8));
        let e = trace::open_nodes(f, &files, &s).unwrap().unwrap().next();
        assert_eq!(
            e.unwrap().unwrap().change,
            MachineChange::Add(Resources::new(64_000, 500))
        );
    }
}
