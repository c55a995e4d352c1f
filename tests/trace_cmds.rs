//! `podsim trace stats` and `podsim trace convert` end to end: the figures a
//! person reads, exit codes on bad input, and conversions that keep a trace's
//! meaning: converting podsim's own format gives the same bytes, and a
//! scenario replays a trace and its converted copy with identical results.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_podsim");

fn podsim(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("cannot start the podsim binary")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn ok(out: &Output, what: &str) -> String {
    let stderr = text(&out.stderr);
    assert!(!stderr.contains("panicked"), "{what}: panicked:\n{stderr}");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{what}: failed\nstdout:\n{}\nstderr:\n{stderr}",
        text(&out.stdout)
    );
    text(&out.stdout)
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A small deterministic generator (no dependency on the simulator's streams).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// A trace written the way a person might: columns in another order, CPU in
/// cores or millicores, memory with units, `end_s` instead of `duration_s`,
/// empty owners and kinds, rows a little out of time order, one bad row.
/// Returns (pods file, nodes file).
fn hand_written_trace(dir: &Path, pods: usize) -> (PathBuf, PathBuf) {
    let mut r = Lcg(7);
    let mut out = String::from("owner,id,cpu,memory,submit_s,end_s,duration_s,kind,priority\n");
    for i in 0..pods {
        // Mostly increasing; every 7th row a few seconds early.
        let mut t = i as u64 * 6 + r.next(3);
        if i % 7 == 3 {
            t = t.saturating_sub(10);
        }
        let owner = match r.next(5) {
            0 => String::new(),
            k => format!("job-{}", (i as u64 / 4) * 10 + k),
        };
        let cpu = ["250m", "0.5", "1", "1500m", "2"][r.next(5) as usize];
        let mem = ["256Mi", "512Mi", "1Gi", "1073741824", "2Gi"][r.next(5) as usize];
        let dur = 30 + r.next(600);
        let (end, duration) = match r.next(10) {
            0 => (String::new(), String::new()), // runs to the end
            1..=4 => (format!("{}", t + dur), String::new()),
            _ => (String::new(), format!("{dur}.5")),
        };
        let kind = match r.next(8) {
            0 => "service",
            1 => "job",
            _ => "",
        };
        let prio = match r.next(4) {
            0 => String::new(),
            k => format!("{}", k as i64 - 2),
        };
        out.push_str(&format!(
            "{owner},p{i},{cpu},{mem},{t},{end},{duration},{kind},{prio}\n"
        ));
        if i == pods / 2 {
            out.push_str("job-x,bad,lots,1Gi,5,,,,\n");
        }
    }
    let pods_path = dir.join("hand-pods.csv");
    std::fs::write(&pods_path, out).unwrap();
    let nodes = "node,t_s,event,memory,cpu\n\
                 m1,0,add,16Gi,4\n\
                 m2,0,add,16Gi,4\n\
                 m3,0,add,32Gi,8\n\
                 m4,300,add,16Gi,4\n\
                 m2,600,fail,,\n\
                 m2,900,recover,,\n\
                 m4,1200,remove,,\n";
    let nodes_path = dir.join("hand-nodes.csv");
    std::fs::write(&nodes_path, nodes).unwrap();
    (pods_path, nodes_path)
}

fn scenario(dir: &Path, file: &str, pods: &Path, nodes: &Path) -> PathBuf {
    let path = dir.join(file);
    std::fs::write(
        &path,
        format!(
            r#"name = "replay"
seed = 3
horizon = "1h"
policies = ["spread", "binpack"]

[[traces]]
name = "t"
format = "podsim"
pods = "{}"
nodes = "{}"
"#,
            s(pods),
            s(nodes)
        ),
    )
    .unwrap();
    path
}

#[test]
fn a_trace_and_its_converted_copy_replay_identically() {
    let d = TempDir::new().unwrap();
    let (pods, nodes) = hand_written_trace(d.path(), 400);
    let conv_pods = d.path().join("conv/pods.csv");
    let conv_nodes = d.path().join("conv/nodes.csv");
    let stdout = ok(
        &podsim(&[
            "trace",
            "convert",
            s(&pods),
            "--format",
            "podsim",
            "--to",
            "podsim",
            s(&conv_pods),
            "--nodes",
            s(&nodes),
            "--nodes-out",
            s(&conv_nodes),
        ]),
        "convert",
    );
    assert!(stdout.contains("400 pods"), "{stdout}");
    assert!(stdout.contains("1 bad rows skipped"), "{stdout}");
    assert!(stdout.contains("wrote 400 pods"), "{stdout}");
    assert!(!d.path().join("conv/pods.csv.partial").exists());
    // The copy is in podsim's canonical form: not the same bytes as the original.
    let conv = std::fs::read_to_string(&conv_pods).unwrap();
    assert!(conv.starts_with("id,submit_s,duration_s,end_s,cpu,memory,priority,owner,kind\n"));
    assert_ne!(conv, std::fs::read_to_string(&pods).unwrap());

    let a = scenario(d.path(), "a.toml", &pods, &nodes);
    let b = scenario(d.path(), "b.toml", &conv_pods, &conv_nodes);
    for (sc, out) in [(&a, "out-a"), (&b, "out-b")] {
        ok(
            &podsim(&["run", s(sc), "--quiet", "--out", s(&d.path().join(out))]),
            out,
        );
    }
    let ra = d.path().join("out-a/replay");
    let rb = d.path().join("out-b/replay");
    for f in [
        "summary.csv",
        "spread/seed-3/pods.csv",
        "spread/seed-3/timeseries.csv",
        "spread/seed-3/nodes.csv",
        "binpack/seed-3/pods.csv",
        "binpack/seed-3/timeseries.csv",
    ] {
        let x = std::fs::read_to_string(ra.join(f)).unwrap();
        let y = std::fs::read_to_string(rb.join(f)).unwrap();
        assert!(x.lines().count() > 1, "{f} is empty");
        assert_eq!(x, y, "{f} differs between the trace and its converted copy");
    }
    // The replay really used the trace: its pods, its machines.
    let pods_csv = std::fs::read_to_string(ra.join("spread/seed-3/pods.csv")).unwrap();
    assert!(
        pods_csv.contains(",t/job-"),
        "trace owners are named t/<owner>"
    );
    let nodes_csv = std::fs::read_to_string(ra.join("spread/seed-3/nodes.csv")).unwrap();
    assert!(
        nodes_csv.lines().any(|l| l.starts_with("m4,")),
        "{nodes_csv}"
    );
}

#[test]
fn converting_podsims_own_format_gives_the_same_bytes() {
    let d = TempDir::new().unwrap();
    let (pods, nodes) = hand_written_trace(d.path(), 200);
    let once = d.path().join("once.csv");
    let once_nodes = d.path().join("once-nodes.csv");
    let twice = d.path().join("twice.csv");
    let twice_nodes = d.path().join("twice-nodes.csv");
    for (src, src_nodes, dst, dst_nodes) in [
        (&pods, &nodes, &once, &once_nodes),
        (&once, &once_nodes, &twice, &twice_nodes),
    ] {
        ok(
            &podsim(&[
                "trace",
                "convert",
                s(src),
                "--format",
                "podsim",
                s(dst),
                "--nodes",
                s(src_nodes),
                "--nodes-out",
                s(dst_nodes),
                "--quiet",
            ]),
            "convert",
        );
    }
    assert_eq!(
        std::fs::read(&once).unwrap(),
        std::fs::read(&twice).unwrap()
    );
    assert_eq!(
        std::fs::read(&once_nodes).unwrap(),
        std::fs::read(&twice_nodes).unwrap()
    );
}

#[test]
fn stats_prints_the_figures_and_writes_them_as_csv() {
    let d = TempDir::new().unwrap();
    let (pods, nodes) = hand_written_trace(d.path(), 300);
    let csv = d.path().join("stats/figures.csv");
    let stdout = ok(
        &podsim(&[
            "trace",
            "stats",
            s(&pods),
            "--format",
            "podsim",
            "--nodes",
            s(&nodes),
            "--csv",
            s(&csv),
        ]),
        "stats",
    );
    for want in [
        "pods          300",
        "bad rows      1",
        "hand-pods.csv:153: column cpu",
        "distinct (exact)",
        "items earlier than one before them",
        "late          0 with a reorder window of 100,000 items",
        "arrivals (exact counts",
        "cpu ",
        "memory ",
        "run time ",
        "machines      4, with 20 cores, 80Gi when first added",
        "up at end     3",
        "fail 1, recover 1, remove 1",
    ] {
        assert!(stdout.contains(want), "missing {want:?} in\n{stdout}");
    }
    let figures = std::fs::read_to_string(&csv).unwrap();
    assert!(figures.starts_with("section,name,value,unit,note\n"));
    assert!(figures.contains("count,pods,300,,"), "{figures}");
    assert!(figures.contains("machines,machines,4,,"), "{figures}");
    // Arrival buckets add up to the pods.
    let arrivals: u64 = figures
        .lines()
        .filter(|l| l.starts_with("arrivals,"))
        .map(|l| l.split(',').nth(2).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(arrivals, 300);

    // A small window makes the disorder visible as late items.
    let stdout = ok(
        &podsim(&[
            "trace",
            "stats",
            s(&pods),
            "--format",
            "podsim",
            "--reorder-window",
            "1",
        ]),
        "stats --reorder-window 1",
    );
    assert!(
        stdout.contains("a larger `reorder-window` holds more"),
        "{stdout}"
    );
}

#[test]
fn bad_input_exits_2_and_leaves_no_file() {
    let d = TempDir::new().unwrap();
    let (pods, nodes) = hand_written_trace(d.path(), 50);
    let out = d.path().join("out.csv");
    let cases: Vec<Vec<&str>> = vec![
        vec!["trace", "stats", "missing.csv", "--format", "podsim"],
        vec!["trace", "stats", s(&pods), "--format", "nope"],
        vec!["trace", "stats", s(&nodes), "--format", "podsim"],
        vec![
            "trace",
            "stats",
            s(&pods),
            "--format",
            "podsim",
            "--cpu-scale",
            "0",
        ],
        vec![
            "trace",
            "convert",
            s(&pods),
            "--format",
            "podsim",
            s(&out),
            "--strict",
        ],
        vec![
            "trace",
            "convert",
            s(&pods),
            "--format",
            "podsim",
            s(&out),
            "--to",
            "csv",
        ],
        vec![
            "trace",
            "convert",
            s(&pods),
            "--format",
            "podsim",
            s(&out),
            "--nodes",
            s(&nodes),
        ],
        vec![
            "trace",
            "convert",
            s(&pods),
            "--format",
            "podsim",
            s(&out),
            "--from",
            "2h",
            "--until",
            "1h",
        ],
    ];
    for args in cases {
        let o = podsim(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", text(&o.stderr));
        assert!(!text(&o.stderr).contains("panicked"), "{args:?}");
        assert!(text(&o.stderr).starts_with("error:"), "{args:?}");
        assert!(!out.exists(), "{args:?} left {}", out.display());
        assert!(!d.path().join("out.csv.partial").exists(), "{args:?}");
    }
    // The strict error names the file and line.
    let o = podsim(&[
        "trace",
        "convert",
        s(&pods),
        "--format",
        "podsim",
        s(&out),
        "--strict",
    ]);
    assert!(
        text(&o.stderr).contains("hand-pods.csv:28:"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn convert_cuts_a_time_window() {
    let d = TempDir::new().unwrap();
    let (pods, _) = hand_written_trace(d.path(), 300);
    let out = d.path().join("window.csv");
    let stdout = ok(
        &podsim(&[
            "trace",
            "convert",
            s(&pods),
            "--format",
            "podsim",
            s(&out),
            "--from",
            "10m",
            "--until",
            "20m",
        ]),
        "convert --from --until",
    );
    assert!(stdout.contains("outside the time window"), "{stdout}");
    let body = std::fs::read_to_string(&out).unwrap();
    let times: Vec<f64> = body
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    assert!(!times.is_empty());
    assert!(times.iter().all(|t| (0.0..=600.0).contains(t)), "{times:?}");
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "in time order");
}
