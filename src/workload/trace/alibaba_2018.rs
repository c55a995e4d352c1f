//! Alibaba cluster-trace-v2018: about 4,000 machines over 8 days, online
//! services and batch jobs side by side. Plain CSV (or gzipped), no header.
//!
//! **Units.** Times are whole seconds from the start of the sampled period;
//! the trace's authors add that 0 means "before or after the 8-day span".
//! CPU is in hundredths of a core (100 = one core; `cpu_num` on machines is
//! whole cores). Memory is normalized to [0, 100], 100 being the largest
//! machine's memory: a value v becomes v/100 × `memory-scale` (128 GiB unless
//! the scenario says otherwise — the trace does not publish it). -1 and 101
//! mark invalid values: such rows are bad rows. `cpu-scale` does not apply.
//!
//! **Pods** come from one of two tables; which one is told from the first
//! row (its column count and content), and any other file fails at once:
//!
//! `container_meta.csv` — container_id, machine_id, time_stamp, app_du,
//! status, cpu_request, cpu_limit, mem_size. One pod per container: key the
//! container id, owner its `app_du` (the service's deploy unit), kind
//! service, requests `cpu_request` and `mem_size` (`cpu_limit` is not used).
//! The table has a row per container per change. Its status values are not
//! documented; the only one podsim acts on is `started`, the value real rows
//! show:
//! - a container's first `started` row (in file order) submits its pod at
//!   that time; the pod runs to the end of the simulation
//!   ([`TraceRun::Forever`]), since no status value is documented to mean
//!   that a container stopped;
//! - later `started` rows of the same container (periodic snapshots, or new
//!   requests or a new machine) change nothing: podsim places the pod itself
//!   and does not resize pods;
//! - a row with any other status is reported as a row left out (naming the
//!   status; counted apart from bad rows, `strict` does not stop on it):
//!   podsim does not guess what it means. A container
//!   with no `started` row is therefore not replayed.
//!
//! The reader remembers which containers it has started (about 71,500 in the
//! whole trace): memory grows with the number of containers, not of rows.
//!
//! `batch_task.csv` — task_name, instance_num, job_name, task_type, status,
//! start_time, end_time, plan_cpu, plan_mem. Each of a task's `instance_num`
//! instances is a pod: key `job/task/i` (i from 0), owner the job, kind job,
//! requests `plan_cpu` and `plan_mem`. The table has no submission time, so
//! `start_time` is the submission, and every instance runs `end_time −
//! start_time` — the span of the whole task, since the per-instance times
//! live in `batch_instance.csv`, which podsim does not read; instances that
//! ran for less are held longer than they were. The `status` column is not
//! used: the times already say how long the task held its resources, whether
//! it then succeeded or not. An `end_time` of 0 after a later `start_time`
//! means the task ended after the span: it runs to the end of the
//! simulation. A task whose `start_time` and `end_time` are both 0 says
//! nothing about when it ran and is a bad row. A task with 0 instances
//! yields no pods.
//!
//! **Task graphs.** `task_name` encodes each job's DAG: `M5_3_4` is task 5,
//! which may start only when every instance of tasks 3 and 4 has completed;
//! the leading letters carry no meaning; names such as `task_Nzg3…==` are
//! independent tasks. [`parse_task_name`] reads a name into a [`TaskName`],
//! and [`open_task_graph`] streams every task's place in its job's graph.
//! **The simulation does not use the dependencies**: pods are submitted at
//! the trace's `start_time`, which already comes after the tasks they
//! waited for finished in the trace, but podsim does not hold a task back
//! if its predecessors run late in the simulation.
//!
//! **Machines** (`machine_meta.csv` as `nodes`): machine_id, time_stamp,
//! failure_domain_1, failure_domain_2, cpu_num, mem_size, status. The table
//! has several rows per machine over time. A machine's first row adds it
//! with `cpu_num` cores and `mem_size` normalized memory, whatever its
//! status. A later row with another `cpu_num` or `mem_size` resizes it. A
//! later row with another status is reported as a row left out naming the old
//! and new status (once per change, not per row) and otherwise changes
//! nothing: the status values are not documented, so podsim neither fails
//! nor removes machines on their account. The reader remembers each
//! machine's last capacity and status (about 4,000 machines).

use super::headerless::{first_row, is_number, scaled};
use super::podsim::parse_secs;
use super::{
    field, BadRow, CsvRows, MachineChange, MachineEvent, MachineStream, PodItem, PodStream, Scales,
    TraceError, TracePod, TraceRun,
};
use crate::cluster::{PodKind, Resources};
use crate::engine::SimTime;
use std::collections::{HashMap, HashSet, VecDeque};
use std::path::PathBuf;

/// Opens the message of a row that is sound but carries a status podsim does
/// not act on: such rows are counted as left out, not as bad.
const STATUS_SKIPPED: &str = "column status:";

pub const CONTAINER_META_COLUMNS: [&str; 8] = [
    "container_id",
    "machine_id",
    "time_stamp",
    "app_du",
    "status",
    "cpu_request",
    "cpu_limit",
    "mem_size",
];
pub const BATCH_TASK_COLUMNS: [&str; 9] = [
    "task_name",
    "instance_num",
    "job_name",
    "task_type",
    "status",
    "start_time",
    "end_time",
    "plan_cpu",
    "plan_mem",
];
pub const MACHINE_META_COLUMNS: [&str; 7] = [
    "machine_id",
    "time_stamp",
    "failure_domain_1",
    "failure_domain_2",
    "cpu_num",
    "mem_size",
    "status",
];

/// The container status podsim acts on.
pub const STARTED: &str = "started";

/// The two tables that can give the pods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PodTable {
    ContainerMeta,
    BatchTask,
}

/// A batch task's place in its job's task graph, read from its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TaskName {
    /// A name such as `M5_3_4`: task 5 of its job, which may start only
    /// after every instance of tasks 3 and 4 has completed (`waits_for` in
    /// the order written; empty for `M1`).
    Graph { task: u32, waits_for: Vec<u32> },
    /// Any other name (such as `task_Nzg3ODAwNDgzMTAwNTc2NTQ2Mw==`): a task
    /// that waits for nothing and that no graph task refers to.
    Independent,
}

/// Reads a task name: one or more letters, the task's number, then `_` and
/// the number of each task it waits for. Anything else is independent.
pub fn parse_task_name(name: &str) -> TaskName {
    let digits = name.trim_start_matches(|c: char| c.is_ascii_alphabetic());
    if digits.len() == name.len() {
        return TaskName::Independent;
    }
    let mut nums = Vec::new();
    for part in digits.split('_') {
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) {
            return TaskName::Independent;
        }
        match part.parse::<u32>() {
            Ok(n) => nums.push(n),
            Err(_) => return TaskName::Independent,
        }
    }
    let task = nums.remove(0);
    TaskName::Graph {
        task,
        waits_for: nums,
    }
}

/// One task of `batch_task.csv` and its place in its job's graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskDeps {
    pub job: String,
    pub task_name: String,
    pub name: TaskName,
}

/// Normalized memory in [0, 100] → bytes, where 100 is `scales.memory`.
fn memory(raw: &str, column: &str, scales: &Scales) -> Result<u64, String> {
    check_valid(raw, column)?;
    scaled(raw, column, scales.memory, 100)
}

/// Rejects the values the trace uses to mark invalid data, and values
/// outside [0, 100].
fn check_valid(raw: &str, column: &str) -> Result<(), String> {
    let v: f64 = raw.trim().parse().unwrap_or(0.0);
    if !(0.0..=100.0).contains(&v) {
        return Err(format!(
            "column {column}: {raw:?} is outside [0, 100] (the trace marks invalid values with -1 or 101)"
        ));
    }
    Ok(())
}

/// Hundredths of a core → millicores.
fn cpu_hundredths(raw: &str, column: &str) -> Result<u64, String> {
    scaled(raw, column, 10, 1)
}

fn text<'a>(rec: &'a csv::StringRecord, i: usize, columns: &[&str]) -> Result<&'a str, String> {
    match rec.get(i).unwrap_or("") {
        "" => Err(format!("column {} is empty", columns[i])),
        s => Ok(s),
    }
}

fn time(rec: &csv::StringRecord, i: usize, columns: &[&str]) -> Result<SimTime, String> {
    parse_secs(rec.get(i).unwrap_or("")).map_err(|e| format!("column {}: {e}", columns[i]))
}

fn width(rec: &csv::StringRecord, columns: &[&str]) -> Result<(), String> {
    if rec.len() != columns.len() {
        return Err(format!(
            "expected {} columns, found {}",
            columns.len(),
            rec.len()
        ));
    }
    Ok(())
}

/// Tells the table from the first row, or says what the file looks like.
fn detect(rec: &csv::StringRecord) -> Result<PodTable, String> {
    let num = |i: usize| rec.get(i).is_some_and(is_number);
    match rec.len() {
        8 if num(2) && num(5) && num(7) && !num(4) => Ok(PodTable::ContainerMeta),
        9 if num(1) && !num(4) && num(5) && num(6) => Ok(PodTable::BatchTask),
        9 if (1..9).all(num) => {
            Err("it looks like machine_usage.csv, which podsim does not read".into())
        }
        7 => Err("it looks like machine_meta.csv: give it as `nodes`".into()),
        11 => Err("it looks like container_usage.csv, which podsim does not read".into()),
        14 => Err(
            "it looks like batch_instance.csv, which podsim does not read; give batch_task.csv"
                .into(),
        ),
        n => Err(format!("the first row has {n} columns")),
    }
}

fn open_table(files: &[PathBuf]) -> Result<PodTable, TraceError> {
    let (file, line, rec) = first_row(files, "container_meta.csv or batch_task.csv")?;
    detect(&rec).map_err(|why| {
        TraceError::new(
            file,
            Some(line),
            format!(
                "{why}: not an Alibaba 2018 pods table; expected container_meta.csv ({}) or batch_task.csv ({}), without a header",
                CONTAINER_META_COLUMNS.join(","),
                BATCH_TASK_COLUMNS.join(",")
            ),
        )
    })
}

/// State of the container_meta reader: the containers already started.
struct Containers {
    scales: Scales,
    started: HashSet<String>,
}

impl Containers {
    fn row(&mut self, rec: &csv::StringRecord) -> Result<Option<TracePod>, String> {
        let c = &CONTAINER_META_COLUMNS;
        width(rec, c)?;
        let id = text(rec, 0, c)?;
        let t = time(rec, 2, c)?;
        let owner = text(rec, 3, c)?;
        let status = rec.get(4).unwrap_or("");
        if !status.eq_ignore_ascii_case(STARTED) {
            return Err(format!(
                "{STATUS_SKIPPED} {status:?} is not a container status podsim acts on (only \"started\"; the others are undocumented), so the row is skipped"
            ));
        }
        if self.started.contains(id) {
            return Ok(None);
        }
        let cpu = cpu_hundredths(rec.get(5).unwrap_or(""), c[5])?;
        let mem = memory(rec.get(7).unwrap_or(""), c[7], &self.scales)?;
        self.started.insert(id.to_string());
        Ok(Some(TracePod {
            key: id.to_string(),
            owner: owner.to_string(),
            kind: PodKind::Service,
            submit: t,
            run: TraceRun::Forever,
            requests: Resources::new(cpu, mem),
            priority: 0,
        }))
    }
}

/// One batch_task row: a pod template and its instance count.
fn task_row(rec: &csv::StringRecord, scales: &Scales) -> Result<(TracePod, u64), String> {
    let c = &BATCH_TASK_COLUMNS;
    width(rec, c)?;
    let task = text(rec, 0, c)?;
    let n: u64 = field(rec, 1, c[1])?;
    let job = text(rec, 2, c)?;
    let start = time(rec, 5, c)?;
    let end = time(rec, 6, c)?;
    let run = if end == SimTime::ZERO {
        if start == SimTime::ZERO {
            return Err(
                "columns start_time and end_time are both 0, which the trace uses for \"before or after the 8-day span\": when the task ran is unknown"
                    .into(),
            );
        }
        TraceRun::Forever
    } else if end < start {
        return Err(format!(
            "column end_time: {} is before start_time {}",
            rec.get(6).unwrap_or(""),
            rec.get(5).unwrap_or("")
        ));
    } else {
        TraceRun::For(end - start)
    };
    let cpu = cpu_hundredths(rec.get(7).unwrap_or(""), c[7])?;
    let mem = memory(rec.get(8).unwrap_or(""), c[8], scales)?;
    Ok((
        TracePod {
            key: format!("{job}/{task}"),
            owner: job.to_string(),
            kind: PodKind::Job,
            submit: start,
            run,
            requests: Resources::new(cpu, mem),
            priority: 0,
        },
        n,
    ))
}

/// Opens `container_meta.csv` or `batch_task.csv` (told apart by content).
pub fn open_pods(files: &[PathBuf], scales: &Scales) -> Result<PodStream, TraceError> {
    let mut rows = CsvRows::open(files, false);
    let scales = *scales;
    match open_table(files)? {
        PodTable::ContainerMeta => {
            let mut state = Containers {
                scales,
                started: HashSet::new(),
            };
            Ok(Box::new(std::iter::from_fn(move || loop {
                let (file, line, rec) = match rows.next_row()? {
                    Ok(r) => r,
                    Err(b) => return Some(Err(b)),
                };
                match state.row(rec) {
                    Ok(Some(p)) => return Some(Ok(PodItem::Pod(p))),
                    Ok(None) => {}
                    Err(message) => {
                        let left_out = message.starts_with(STATUS_SKIPPED);
                        return Some(Err(BadRow {
                            file,
                            line,
                            message,
                            left_out,
                        }));
                    }
                }
            })))
        }
        PodTable::BatchTask => {
            // The task being expanded into its instances: template, next, count.
            let mut current: Option<(TracePod, u64, u64)> = None;
            Ok(Box::new(std::iter::from_fn(move || loop {
                if let Some((tpl, next, n)) = current.as_mut() {
                    if *next < *n {
                        let mut p = tpl.clone();
                        p.key = format!("{}/{next}", tpl.key);
                        *next += 1;
                        return Some(Ok(PodItem::Pod(p)));
                    }
                    current = None;
                }
                let (file, line, rec) = match rows.next_row()? {
                    Ok(r) => r,
                    Err(b) => return Some(Err(b)),
                };
                match task_row(rec, &scales) {
                    Ok((tpl, n)) => current = Some((tpl, 0, n)),
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
    }
}

/// Streams each task of `batch_task.csv` with its place in its job's graph.
/// Rows that are not well-formed task rows come back as bad rows.
pub fn open_task_graph(
    files: &[PathBuf],
) -> Result<Box<dyn Iterator<Item = Result<TaskDeps, BadRow>> + Send>, TraceError> {
    if open_table(files)? != PodTable::BatchTask {
        return Err(TraceError::new(
            files[0].display().to_string(),
            None,
            "task graphs come from batch_task.csv; this is container_meta.csv",
        ));
    }
    let mut rows = CsvRows::open(files, false);
    Ok(Box::new(std::iter::from_fn(move || {
        let r = rows.next_row()?;
        Some(r.and_then(|(file, line, rec)| {
            let c = &BATCH_TASK_COLUMNS;
            let deps = width(rec, c).and_then(|_| {
                let task = text(rec, 0, c)?;
                let job = text(rec, 2, c)?;
                Ok(TaskDeps {
                    job: job.to_string(),
                    task_name: task.to_string(),
                    name: parse_task_name(task),
                })
            });
            deps.map_err(|message| BadRow {
                file,
                line,
                message,
                left_out: false,
            })
        }))
    })))
}

/// What the machine_meta reader remembers of a machine.
struct Machine {
    capacity: Resources,
    status: String,
}

fn capacity(rec: &csv::StringRecord, scales: &Scales) -> Result<Resources, String> {
    let c = &MACHINE_META_COLUMNS;
    let cores: u64 = field(rec, 4, c[4])?;
    let mem = memory(rec.get(5).unwrap_or(""), c[5], scales)?;
    if cores == 0 || mem == 0 {
        return Err("a machine needs more than zero cpu_num and mem_size".into());
    }
    Ok(Resources::new(cores * 1000, mem))
}

struct Machines {
    scales: Scales,
    known: HashMap<String, Machine>,
}

impl Machines {
    /// The events (and reports) of one machine_meta row.
    fn row(
        &mut self,
        rec: &csv::StringRecord,
        out: &mut VecDeque<Result<MachineEvent, String>>,
    ) -> Result<(), String> {
        let c = &MACHINE_META_COLUMNS;
        width(rec, c)?;
        let id = text(rec, 0, c)?;
        let t = time(rec, 1, c)?;
        let cap = capacity(rec, &self.scales)?;
        let status = rec.get(6).unwrap_or("");
        match self.known.get_mut(id) {
            None => {
                self.known.insert(
                    id.to_string(),
                    Machine {
                        capacity: cap,
                        status: status.to_string(),
                    },
                );
                out.push_back(Ok(MachineEvent {
                    t,
                    machine: id.to_string(),
                    change: MachineChange::Add(cap),
                }));
            }
            Some(m) => {
                if m.capacity != cap {
                    m.capacity = cap;
                    out.push_back(Ok(MachineEvent {
                        t,
                        machine: id.to_string(),
                        change: MachineChange::Resize(cap),
                    }));
                }
                if m.status != status {
                    out.push_back(Err(format!(
                        "{STATUS_SKIPPED} machine {id} changes from {:?} to {status:?}; machine_meta's status values are undocumented, so podsim does not act on them",
                        m.status
                    )));
                    m.status = status.to_string();
                }
            }
        }
        Ok(())
    }
}

/// Opens `machine_meta.csv`.
pub fn open_nodes(files: &[PathBuf], scales: &Scales) -> Result<MachineStream, TraceError> {
    let (file, line, rec) = first_row(files, "machine_meta.csv")?;
    let num = |i: usize| rec.get(i).is_some_and(is_number);
    if !(rec.len() == MACHINE_META_COLUMNS.len() && num(1) && num(4) && num(5)) {
        let hint = match detect(&rec) {
            Ok(PodTable::ContainerMeta) => " (it looks like container_meta.csv: give it as `pods`)",
            Ok(PodTable::BatchTask) => " (it looks like batch_task.csv: give it as `pods`)",
            Err(_) => "",
        };
        return Err(TraceError::new(
            file,
            Some(line),
            format!(
                "the first row is not a machine_meta.csv row{hint}: expected 7 columns without a header ({})",
                MACHINE_META_COLUMNS.join(",")
            ),
        ));
    }
    let mut rows = CsvRows::open(files, false);
    let mut state = Machines {
        scales: *scales,
        known: HashMap::new(),
    };
    // Events of the current row, with its file and line for reports.
    let mut pending: VecDeque<Result<MachineEvent, String>> = VecDeque::new();
    let mut at = (String::new(), 0u64);
    Ok(Box::new(std::iter::from_fn(move || loop {
        if let Some(r) = pending.pop_front() {
            return Some(r.map_err(|message| BadRow {
                file: at.0.clone(),
                line: at.1,
                left_out: message.starts_with(STATUS_SKIPPED),
                message,
            }));
        }
        let (file, line, rec) = match rows.next_row()? {
            Ok(r) => r,
            Err(b) => return Some(Err(b)),
        };
        if let Err(message) = state.row(rec, &mut pending) {
            return Some(Err(BadRow {
                file,
                line,
                message,
                left_out: false,
            }));
        }
        at = (file, line);
    })))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const GIB: u64 = 1 << 30;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    /// 100 normalized = 128 GiB, so 1 = 1.28 GiB; 6.25 = 8 GiB.
    fn scales() -> Scales {
        Scales::default()
    }

    fn s(secs: u64) -> SimTime {
        SimTime::from_secs(secs)
    }

    fn pods(p: &Path) -> Vec<Result<PodItem, BadRow>> {
        open_pods(&[p.to_path_buf()], &scales()).unwrap().collect()
    }

    fn ok_pods(items: &[Result<PodItem, BadRow>]) -> Vec<TracePod> {
        items
            .iter()
            .filter_map(|r| match r {
                Ok(PodItem::Pod(p)) => Some(p.clone()),
                _ => None,
            })
            .collect()
    }

    fn bad(items: &[Result<PodItem, BadRow>]) -> Vec<BadRow> {
        items.iter().filter_map(|r| r.clone().err()).collect()
    }

    #[test]
    fn task_names() {
        assert_eq!(
            parse_task_name("M5_3_4"),
            TaskName::Graph {
                task: 5,
                waits_for: vec![3, 4]
            }
        );
        assert_eq!(
            parse_task_name("M1"),
            TaskName::Graph {
                task: 1,
                waits_for: vec![]
            }
        );
        assert_eq!(
            parse_task_name("R4_2"),
            TaskName::Graph {
                task: 4,
                waits_for: vec![2]
            }
        );
        assert_eq!(
            parse_task_name("task_Nzg3ODAwNDgzMTAwNTc2NTQ2Mw=="),
            TaskName::Independent
        );
        assert_eq!(parse_task_name("M5_"), TaskName::Independent);
        assert_eq!(parse_task_name("12_3"), TaskName::Independent);
        assert_eq!(parse_task_name("MergeTask"), TaskName::Independent);
    }

    const BATCH: &str = "\
M1,2,j_3,1,Terminated,157213,157295,100,0.3
M2_1,1,j_3,1,Terminated,157300,157400,50,6.25
task_Nzg3ODAwNDgzMTAwNTc2NTQ2Mw==,1,j_4,12,Running,158000,0,250,1
R3_1_2,0,j_3,1,Waiting,0,0,100,1
M4,1,j_5,1,Failed,0,60,100,1
";

    #[test]
    fn batch_tasks_become_instances() {
        let d = tempfile::tempdir().unwrap();
        let p = write(d.path(), "batch_task.csv", BATCH);
        let items = pods(&p);
        let job = |key: &str, owner: &str, at: u64, run: TraceRun, cpu_m: u64, mem: u64| TracePod {
            key: key.into(),
            owner: owner.into(),
            kind: PodKind::Job,
            submit: s(at),
            run,
            requests: Resources::new(cpu_m, mem),
            priority: 0,
        };
        // 0.3 of 128 GiB / 100 = 412,316,860.416 bytes → 412,316,860.
        let m03 = 412_316_860;
        assert_eq!(
            ok_pods(&items),
            [
                job("j_3/M1/0", "j_3", 157_213, TraceRun::For(s(82)), 1000, m03),
                job("j_3/M1/1", "j_3", 157_213, TraceRun::For(s(82)), 1000, m03),
                job(
                    "j_3/M2_1/0",
                    "j_3",
                    157_300,
                    TraceRun::For(s(100)),
                    500,
                    8 * GIB
                ),
                job(
                    "j_4/task_Nzg3ODAwNDgzMTAwNTc2NTQ2Mw==/0",
                    "j_4",
                    158_000,
                    TraceRun::Forever,
                    2500,
                    1_374_389_535
                ),
                job(
                    "j_5/M4/0",
                    "j_5",
                    0,
                    TraceRun::For(s(60)),
                    1000,
                    1_374_389_535
                ),
            ]
        );
        let b = bad(&items);
        assert_eq!(b.len(), 1);
        assert_eq!(b[0].line, 4);
        assert!(b[0].message.contains("both 0"), "{}", b[0]);
    }

    #[test]
    fn task_graph_is_exposed() {
        let d = tempfile::tempdir().unwrap();
        let p = write(d.path(), "batch_task.csv", BATCH);
        let deps: Vec<TaskDeps> = open_task_graph(&[p]).unwrap().map(|r| r.unwrap()).collect();
        assert_eq!(deps.len(), 5);
        assert_eq!(
            deps[3],
            TaskDeps {
                job: "j_3".into(),
                task_name: "R3_1_2".into(),
                name: TaskName::Graph {
                    task: 3,
                    waits_for: vec![1, 2]
                }
            }
        );
        assert_eq!(deps[2].name, TaskName::Independent);
        let d2 = tempfile::tempdir().unwrap();
        let c = write(
            d2.path(),
            "container_meta.csv",
            "c_1,m_2556,0,app_5052,started,400,400,1.56\n",
        );
        assert!(open_task_graph(&[c]).is_err());
    }

    #[test]
    fn batch_bad_rows_name_file_line_and_column() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "batch_task.csv",
            "M1,1,j_1,1,Terminated,10,20,100,0.3\n\
             M1,x,j_2,1,Terminated,10,20,100,0.3\n\
             M1,1,j_3,1,Terminated,30,20,100,0.3\n\
             M1,1,j_4,1,Terminated,10,20,,0.3\n\
             M1,1,j_5,1,Terminated,10,20,100,101\n\
             M1,1,j_6,1,Terminated,10,20,100,-1\n\
             M1,1,,1,Terminated,10,20,100,1\n\
             M1,1,j_8,1,Terminated\n",
        );
        let items = pods(&p);
        assert_eq!(ok_pods(&items).len(), 1);
        let b = bad(&items);
        assert!(b.iter().all(|b| b.file == p.display().to_string()));
        let got: Vec<(u64, String)> = b.iter().map(|b| (b.line, b.message.clone())).collect();
        let expect = [
            (2, "column instance_num"),
            (3, "column end_time: 20 is before start_time 30"),
            (4, "column plan_cpu is empty"),
            (5, "column plan_mem: \"101\" is outside [0, 100]"),
            (6, "column plan_mem: \"-1\" is outside [0, 100]"),
            (7, "column job_name is empty"),
            (8, "expected 9 columns, found 5"),
        ];
        assert_eq!(got.len(), expect.len(), "{got:?}");
        for ((line, msg), (el, em)) in got.iter().zip(expect) {
            assert_eq!(*line, el);
            assert!(msg.contains(em), "{msg}");
        }
    }

    #[test]
    fn containers_start_once_and_unknown_statuses_are_reported() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "container_meta.csv",
            "c_1,m_2556,0,app_5052,started,400,400,1.56\n\
             c_2,m_2556,100,app_5052,allocated,400,400,6.25\n\
             c_2,m_1,120,app_5052,started,200,400,6.25\n\
             c_1,m_2556,300,app_5052,started,800,800,3.12\n\
             c_3,m_7,50,app_9,started,abc,400,1\n\
             c_3,m_7,60,app_9,started,100,400,101\n\
             c_4,m_7,70,,started,100,400,1\n",
        );
        let items = pods(&p);
        let svc = |key: &str, owner: &str, at: u64, cpu_m: u64, mem: u64| TracePod {
            key: key.into(),
            owner: owner.into(),
            kind: PodKind::Service,
            submit: s(at),
            run: TraceRun::Forever,
            requests: Resources::new(cpu_m, mem),
            priority: 0,
        };
        // 1.56 of 128 GiB / 100 = 2,144,047,674.1632 → 2,144,047,674.
        assert_eq!(
            ok_pods(&items),
            [
                svc("c_1", "app_5052", 0, 4000, 2_144_047_674),
                svc("c_2", "app_5052", 120, 2000, 8 * GIB),
            ]
        );
        let b = bad(&items);
        let got: Vec<(u64, &str)> = b.iter().map(|b| (b.line, b.message.as_str())).collect();
        assert_eq!(got.len(), 4, "{got:?}");
        assert_eq!(got[0].0, 2);
        assert!(got[0].1.contains("\"allocated\""), "{}", got[0].1);
        assert_eq!(got[1].0, 5);
        assert!(got[1].1.contains("column cpu_request"), "{}", got[1].1);
        assert_eq!(got[2].0, 6);
        assert!(got[2].1.contains("column mem_size"), "{}", got[2].1);
        assert_eq!(got[3].0, 7);
        assert!(got[3].1.contains("column app_du is empty"), "{}", got[3].1);
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

        let machines = write(d.path(), "machine_meta.csv", "m_1,0,1,1,96,100,USING\n");
        let e = open_pods(std::slice::from_ref(&machines), &scales())
            .err()
            .unwrap();
        assert!(e.message.contains("give it as `nodes`"), "{e}");
        assert_eq!(e.line, Some(1));

        let usage = write(d.path(), "machine_usage.csv", "m_1,0,12,50,3,4,20,20,5\n");
        let e = open_pods(&[usage], &scales()).err().unwrap();
        assert!(e.message.contains("machine_usage"), "{e}");

        let inst = write(
            d.path(),
            "batch_instance.csv",
            "ins_1,M1,j_3,1,Terminated,10,20,m_1,1,1,12,20,0.1,0.2\n",
        );
        let e = open_pods(&[inst], &scales()).err().unwrap();
        assert!(e.message.contains("batch_instance"), "{e}");

        let google = write(d.path(), "g.csv", "0,,1,0,,0,u,0,1,0.5,0.5,0,0\n");
        let e = open_pods(std::slice::from_ref(&google), &scales())
            .err()
            .unwrap();
        assert!(e.message.contains("not an Alibaba 2018 pods table"), "{e}");
        let e = open_nodes(&[google], &scales()).err().unwrap();
        assert!(e.message.contains("not a machine_meta.csv row"), "{e}");

        let tasks = write(d.path(), "t.csv", BATCH);
        let e = open_nodes(&[tasks], &scales()).err().unwrap();
        assert!(e.message.contains("looks like batch_task.csv"), "{e}");
    }

    #[test]
    fn machines() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "machine_meta.csv",
            "m_1,0,1,1,96,100,USING\n\
             m_2,0,2,2,64,50,USING\n\
             m_1,100,1,1,96,100,USING\n\
             m_1,200,1,1,96,100,IDLE\n\
             m_1,300,1,1,96,100,IDLE\n\
             m_2,400,2,2,96,100,OTHER\n\
             m_3,500,3,3,0,100,USING\n\
             m_3,600,3,3,32,-1,USING\n",
        );
        let items: Vec<_> = open_nodes(std::slice::from_ref(&p), &scales())
            .unwrap()
            .collect();
        let ev = |t: u64, m: &str, change| {
            Ok(MachineEvent {
                t: s(t),
                machine: m.into(),
                change,
            })
        };
        let bad = |line: u64, message: &str| -> Result<MachineEvent, BadRow> {
            Err(BadRow {
                file: p.display().to_string(),
                line,
                message: message.into(),
                left_out: message.starts_with(STATUS_SKIPPED),
            })
        };
        let full = Resources::new(96_000, 128 * GIB);
        assert_eq!(items.len(), 7, "{items:#?}");
        assert_eq!(items[0], ev(0, "m_1", MachineChange::Add(full)));
        assert_eq!(
            items[1],
            ev(
                0,
                "m_2",
                MachineChange::Add(Resources::new(64_000, 64 * GIB))
            )
        );
        assert_eq!(
            items[2],
            bad(4, "column status: machine m_1 changes from \"USING\" to \"IDLE\"; machine_meta's status values are undocumented, so podsim does not act on them")
        );
        assert_eq!(items[3], ev(400, "m_2", MachineChange::Resize(full)));
        assert_eq!(items[4].as_ref().unwrap_err().line, 6);
        assert!(items[4].as_ref().unwrap_err().message.contains("\"OTHER\""));
        let e = items[5].as_ref().unwrap_err();
        assert_eq!(e.line, 7);
        assert!(e.message.contains("more than zero"), "{e}");
        let e = items[6].as_ref().unwrap_err();
        assert_eq!(e.line, 8);
        assert!(e.message.contains("column mem_size"), "{e}");
    }
}
