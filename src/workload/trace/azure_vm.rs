//! The Azure public VM traces (AzurePublicDataset V1 and V2): `vmtable.csv`,
//! plain or gzipped, no header, one row per VM:
//! `vmid, subscriptionid, deploymentid, vmcreated, vmdeleted, maxcpu, avgcpu,
//! p95maxcpu, vmcategory, vmcorecount, vmmemory`.
//!
//! Each VM is a long-lived pod: submitted at `vmcreated`, running for
//! `vmdeleted − vmcreated` ([`TraceRun::For`]), kind service, owner its
//! deployment, key its VM id, priority 0. Times are whole seconds from the
//! trace's start (multiples of 300). A VM still alive when the trace ended
//! has that end as its `vmdeleted` (the trace does not mark it otherwise), so
//! it stops there. `maxcpu`, `avgcpu`, `p95maxcpu` (utilization) and
//! `vmcategory` are not used. The trace has no machines: the cluster comes
//! from the scenario's pools.
//!
//! **Sizes.** V1 gives the core count and the memory as numbers; V2 gives
//! buckets. Either is accepted row by row:
//! - a number (`4`, `0.75`) is taken as is;
//! - a bucket `>N` (V2's top buckets, such as `>24` cores and `>64` GB) is
//!   taken as **N**, the one size the trace names. It is a lower bound: the
//!   VM was larger by an amount the trace does not give, and podsim does not
//!   invent one. Such VMs are therefore undersized in the simulation;
//! - anything else (a range, `<N`) is a bad row, since its meaning is not
//!   documented.
//!
//! Memory "GB" is read as GiB (2^30 bytes). The trace says GB; Azure
//! publishes its VM sizes' memory in GiB, and V1's values (0.75, 1.75, 3.5,
//! 7, …) are those sizes. This is an inference, not something the trace
//! states. `cpu-scale` and `memory-scale` do not apply: the sizes are
//! absolute.
//!
//! The file is not known to be sorted by `vmcreated`; rows out of order are
//! put back in order within the replay's reorder window.

use super::headerless::{first_row, is_number, scaled};
use super::podsim::parse_secs;
use super::{BadRow, CsvRows, PodItem, PodStream, Scales, TraceError, TracePod, TraceRun};
use crate::cluster::{PodKind, Resources};
use std::path::PathBuf;

pub const VM_COLUMNS: [&str; 11] = [
    "vmid",
    "subscriptionid",
    "deploymentid",
    "vmcreated",
    "vmdeleted",
    "maxcpu",
    "avgcpu",
    "p95maxcpu",
    "vmcategory",
    "vmcorecount",
    "vmmemory",
];

const GIB: u64 = 1 << 30;

/// A core count or memory size in `unit`s: a number, or a bucket `>N` taken as N.
fn size(raw: &str, column: &str, unit: u64) -> Result<u64, String> {
    let s = raw.trim();
    let number = s.strip_prefix('>').unwrap_or(s);
    scaled(number, column, unit, 1).map_err(|e| {
        if e.contains("not a valid number") {
            format!("column {column}: {raw:?} is neither a number nor a bucket such as \">24\"")
        } else {
            e
        }
    })
}

fn vm_row(rec: &csv::StringRecord) -> Result<TracePod, String> {
    if rec.len() != VM_COLUMNS.len() {
        return Err(format!(
            "expected {} columns, found {}",
            VM_COLUMNS.len(),
            rec.len()
        ));
    }
    let text = |i: usize| -> Result<String, String> {
        match rec.get(i).unwrap_or("") {
            "" => Err(format!("column {} is empty", VM_COLUMNS[i])),
            s => Ok(s.to_string()),
        }
    };
    let key = text(0)?;
    let owner = text(2)?;
    let created =
        parse_secs(rec.get(3).unwrap_or("")).map_err(|e| format!("column vmcreated: {e}"))?;
    let deleted =
        parse_secs(rec.get(4).unwrap_or("")).map_err(|e| format!("column vmdeleted: {e}"))?;
    if deleted < created {
        return Err(format!(
            "column vmdeleted: {} is before vmcreated {}",
            rec.get(4).unwrap_or(""),
            rec.get(3).unwrap_or("")
        ));
    }
    let cpu = size(rec.get(9).unwrap_or(""), "vmcorecount", 1000)?;
    let mem = size(rec.get(10).unwrap_or(""), "vmmemory", GIB)?;
    Ok(TracePod {
        key,
        owner,
        kind: PodKind::Service,
        submit: created,
        run: TraceRun::For(deleted - created),
        requests: Resources::new(cpu, mem),
        priority: 0,
    })
}

/// Checks the first row has the shape of a vmtable.
fn check_shape(files: &[PathBuf]) -> Result<(), TraceError> {
    let (file, line, rec) = first_row(files, "vmtable.csv")?;
    let fail = |why: String| {
        TraceError::new(
            &file,
            Some(line),
            format!(
                "{why}: not an Azure vmtable.csv (11 columns, no header: {})",
                VM_COLUMNS.join(",")
            ),
        )
    };
    if rec.len() != VM_COLUMNS.len() {
        let hint = if rec.len() == 5 && rec.get(0).is_some_and(is_number) {
            " (it looks like vm_cpu_readings, which podsim does not read)"
        } else {
            ""
        };
        return Err(fail(format!(
            "the first row has {} columns{hint}",
            rec.len()
        )));
    }
    for (i, col) in [(3, "vmcreated"), (4, "vmdeleted"), (5, "maxcpu")] {
        if !rec.get(i).is_some_and(is_number) {
            return Err(fail(format!(
                "column {col}: {:?} is not a number",
                rec.get(i).unwrap_or("")
            )));
        }
    }
    Ok(())
}

/// Opens `vmtable.csv` (V1 or V2; plain or gzipped).
pub fn open_pods(files: &[PathBuf], _scales: &Scales) -> Result<PodStream, TraceError> {
    check_shape(files)?;
    let mut rows = CsvRows::open(files, false);
    Ok(Box::new(std::iter::from_fn(move || {
        let r = rows.next_row()?;
        Some(r.and_then(|(file, line, rec)| {
            vm_row(rec).map(PodItem::Pod).map_err(|message| BadRow {
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
    use crate::engine::SimTime;
    use std::path::Path;

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn vm(key: &str, owner: &str, from: u64, to: u64, cpu_m: u64, mem: u64) -> TracePod {
        TracePod {
            key: key.into(),
            owner: owner.into(),
            kind: PodKind::Service,
            submit: SimTime::from_secs(from),
            run: TraceRun::For(SimTime::from_secs(to - from)),
            requests: Resources::new(cpu_m, mem),
            priority: 0,
        }
    }

    fn read(p: &Path) -> Vec<Result<PodItem, BadRow>> {
        open_pods(&[p.to_path_buf()], &Scales::default())
            .unwrap()
            .collect()
    }

    #[test]
    fn v1_numbers() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "vmtable.csv",
            "x/XFCHW1Gs=,fJpP0c=,Mf1+Qk=,0,2591700,99.37,3.24,84.2,Delay-insensitive,1,1.75\n\
             vm2,sub1,dep1,300,600,10,5,8,Interactive,4,3.5\n\
             vm3,sub1,dep2,1200,1200,10,5,8,Unknown,8,56\n",
        );
        let pods: Vec<_> = read(&p)
            .into_iter()
            .map(|r| match r.unwrap() {
                PodItem::Pod(p) => p,
                e => panic!("{e:?}"),
            })
            .collect();
        assert_eq!(
            pods,
            [
                vm("x/XFCHW1Gs=", "Mf1+Qk=", 0, 2_591_700, 1000, 7 << 28),
                vm("vm2", "dep1", 300, 600, 4000, 7 << 29),
                vm("vm3", "dep2", 1200, 1200, 8000, 56 << 30),
            ]
        );
    }

    #[test]
    fn v2_buckets() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "vmtable.csv",
            "a,s,d,0,300,50,10,40,Interactive,2,4\n\
             b,s,d,300,900,50,10,40,Interactive,>24,>64\n\
             c,s,d,300,900,50,10,40,Interactive,2-4,8\n\
             e,s,d,300,900,50,10,40,Interactive,2,<2\n",
        );
        let items = read(&p);
        assert_eq!(
            items[0].as_ref().unwrap(),
            &PodItem::Pod(vm("a", "d", 0, 300, 2000, 4 << 30))
        );
        assert_eq!(
            items[1].as_ref().unwrap(),
            &PodItem::Pod(vm("b", "d", 300, 900, 24_000, 64 << 30))
        );
        let b = items[2].as_ref().unwrap_err();
        assert_eq!(b.line, 3);
        assert!(b.message.contains("column vmcorecount: \"2-4\""), "{b}");
        let b = items[3].as_ref().unwrap_err();
        assert!(b.message.contains("column vmmemory: \"<2\""), "{b}");
    }

    #[test]
    fn bad_rows_name_file_line_and_column() {
        let d = tempfile::tempdir().unwrap();
        let p = write(
            d.path(),
            "vmtable.csv",
            "a,s,d,0,300,50,10,40,Interactive,2,4\n\
             b,s,d,600,300,50,10,40,Interactive,2,4\n\
             c,s,d,soon,300,50,10,40,Interactive,2,4\n\
             ,s,d,0,300,50,10,40,Interactive,2,4\n\
             e,s,,0,300,50,10,40,Interactive,2,4\n\
             f,s,d,0,300,50,10,40,Interactive,,4\n\
             g,s,d,0,300\n",
        );
        let items = read(&p);
        assert!(items[0].is_ok());
        let bad: Vec<BadRow> = items.into_iter().filter_map(|r| r.err()).collect();
        let got: Vec<(u64, &str)> = bad.iter().map(|b| (b.line, b.message.as_str())).collect();
        assert_eq!(got.len(), 6);
        assert!(bad.iter().all(|b| b.file == p.display().to_string()));
        let expect = [
            (2, "column vmdeleted: 300 is before vmcreated 600"),
            (3, "column vmcreated"),
            (4, "column vmid is empty"),
            (5, "column deploymentid is empty"),
            (6, "column vmcorecount is empty"),
            (7, "expected 11 columns, found 5"),
        ];
        for ((line, msg), (el, em)) in got.iter().zip(expect) {
            assert_eq!(*line, el);
            assert!(msg.contains(em), "{msg}");
        }
    }

    #[test]
    fn empty_and_wrong_files_fail_early() {
        let d = tempfile::tempdir().unwrap();
        let empty = write(d.path(), "empty.csv", "");
        let e = open_pods(&[empty], &Scales::default()).err().unwrap();
        assert!(e.message.contains("empty"), "{e}");

        let readings = write(d.path(), "r.csv", "0,x/XFCHW1Gs=,19.89,24.99,22.63\n");
        let e = open_pods(&[readings], &Scales::default()).err().unwrap();
        assert!(e.message.contains("vm_cpu_readings"), "{e}");
        assert_eq!(e.line, Some(1));

        let google = write(d.path(), "g.csv", "0,,1,0,,0,u,0,1,0.5,0.5,0,0\n");
        let e = open_pods(&[google], &Scales::default()).err().unwrap();
        assert!(e.message.contains("not an Azure vmtable.csv"), "{e}");

        // Eleven columns, but not numbers where the times are.
        let header = write(
            d.path(),
            "h.csv",
            "vmid,subscriptionid,deploymentid,vmcreated,vmdeleted,maxcpu,avgcpu,p95maxcpu,vmcategory,vmcorecount,vmmemory\n",
        );
        let e = open_pods(&[header], &Scales::default()).err().unwrap();
        assert!(e.message.contains("column vmcreated"), "{e}");
    }
}
