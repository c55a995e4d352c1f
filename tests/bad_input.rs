//! Malformed and inconsistent scenarios, run through the real binary.
//!
//! Every case must end with exit code 2, no panic, and one message that names
//! the file, the line of the offending text (when it has one) and the field,
//! so a person can fix the file without reading podsim's source. A failed
//! `run` must leave no output folder that looks complete (no summary.csv).
//!
//! state the behaviour the binary should have. Run them with
//! `cargo test --test bad_input -- --ignored`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use tempfile::TempDir;

const BIN: &str = env!("CARGO_BIN_EXE_podsim");

/// A valid scenario head: name and horizon (lines 1–2).
const HEAD: &str = "name = \"bad\"\nhorizon = \"1h\"\n";

/// A valid pool (`w-0`, `w-1` in zones a and b).
const POOL: &str = r#"
[[pools]]
name = "w"
count = 2
cpu = "4"
memory = "16Gi"
zones = ["a", "b"]
"#;

/// A valid service.
const SERVICE: &str = r#"
[[services]]
name = "web"
replicas = 2
cpu = "500m"
memory = "1Gi"
"#;

fn podsim(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .output()
        .expect("cannot start the podsim binary")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> usize {
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle:?} is not in the scenario:\n{text}"));
    text[..at].matches('\n').count() + 1
}

/// Every `summary.csv` under `dir`.
fn summaries_under(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            found.extend(summaries_under(&p));
        } else if p.file_name().is_some_and(|n| n == "summary.csv") {
            found.push(p);
        }
    }
    found
}

/// Asserts the common contract of a rejected input and returns stderr.
fn assert_bad_input(out: &Output, what: &str) -> String {
    let stderr = text(&out.stderr);
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{what}: podsim panicked:\n{stderr}"
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{what}: expected exit code 2 (bad input)\nstdout:\n{}\nstderr:\n{stderr}",
        text(&out.stdout)
    );
    assert!(
        stderr.starts_with("error: "),
        "{what}: the message should start with `error: `:\n{stderr}"
    );
    stderr
}

/// Where a problem should be reported.
struct Expect<'a> {
    /// The line of the offending text, or `None` for a problem with no place
    /// in the file (a missing key, an empty list of pools).
    line: Option<usize>,
    /// The field as the message names it, e.g. `pools[0].cpu`.
    field: Option<&'a str>,
    /// Further words the message must contain.
    says: &'a [&'a str],
}

/// Writes `body` to a scenario file, then checks that both `validate` and
/// `run` reject it at the expected place and that `run` writes no summary.
fn reject(case: &str, body: &str, expect: Expect) -> String {
    reject_with_files(case, body, &[], expect)
}

/// As [`reject`], with other files (traces) beside the scenario.
fn reject_with_files(case: &str, body: &str, files: &[(&str, &str)], expect: Expect) -> String {
    let dir = TempDir::new().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let file = dir.path().join(format!("{case}.toml"));
    std::fs::write(&file, body).unwrap();
    let file_s = file.display().to_string();

    let out = podsim(&["validate", &file_s]);
    let stderr = assert_bad_input(&out, &format!("validate {case}"));
    let place = match expect.line {
        Some(l) => format!("error: {file_s}:{l}:"),
        None => format!("error: {file_s}: "),
    };
    assert!(
        stderr.starts_with(&place),
        "{case}: expected the message to start with {place:?}:\n{stderr}"
    );
    if let Some(l) = expect.line {
        // The caret display quotes the offending line under its number.
        let quoted = format!("{l} | {}", body.lines().nth(l - 1).unwrap_or(""));
        assert!(
            stderr.contains(&quoted),
            "{case}: expected the offending line quoted as {quoted:?}:\n{stderr}"
        );
    }
    if let Some(field) = expect.field {
        // Exactly as the message renders it, so that "unknown field `x`" in
        // the text does not count as naming the field `x`.
        let named = format!(": field `{field}`: ");
        assert!(
            stderr.contains(&named),
            "{case}: expected the message to name {named}:\n{stderr}"
        );
    }
    // The message without the file's path, which holds the case's name.
    let message = stderr.replace(&file_s, "<file>");
    for w in expect.says {
        assert!(
            message.contains(w),
            "{case}: expected the message to say {w:?}:\n{stderr}"
        );
    }

    // `run` reports the same problem and writes nothing that looks complete.
    let out_dir = dir.path().join("out");
    let run = podsim(&["run", &file_s, "--out", &out_dir.display().to_string()]);
    let run_err = assert_bad_input(&run, &format!("run {case}"));
    assert_eq!(
        run_err.trim_end(),
        stderr.trim_end(),
        "{case}: run and validate should report the same problem"
    );
    let written = summaries_under(&out_dir);
    assert!(written.is_empty(), "{case}: a failed run wrote {written:?}");
    stderr
}

fn at(line: usize, field: &'static str) -> Expect<'static> {
    Expect {
        line: Some(line),
        field: Some(field),
        says: &[],
    }
}

// ---------------------------------------------------------------- syntax

#[test]
fn toml_syntax_error_unterminated_string() {
    let body = "name = \"bad\"\nhorizon = \"1h\npolicies = [\"spread\"]\n";
    reject(
        "syntax",
        body,
        Expect {
            line: Some(2),
            field: Some("horizon"),
            says: &["string"],
        },
    );
}

#[test]
fn toml_syntax_error_unclosed_table_header() {
    let body = format!("{HEAD}[[pools]\nname = \"w\"\n");
    reject(
        "header",
        &body,
        Expect {
            line: Some(3),
            field: None,
            says: &["expected `]`"],
        },
    );
}

#[test]
fn toml_duplicate_key() {
    let body = format!("{HEAD}{POOL}").replace("count = 2\n", "count = 2\ncount = 3\n");
    let line = line_of(&body, "count = 3");
    reject(
        "dupkey",
        &body,
        Expect {
            line: Some(line),
            field: Some("pools[0].count"),
            says: &["duplicate key"],
        },
    );
}

#[test]
fn empty_file() {
    reject(
        "empty",
        "",
        Expect {
            line: None,
            field: None,
            says: &["the file is empty"],
        },
    );
}

#[test]
fn missing_file() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("no-such-scenario.toml");
    let file_s = file.display().to_string();
    for args in [
        vec!["validate", file_s.as_str()],
        vec![
            "run",
            file_s.as_str(),
            "--out",
            dir.path().to_str().unwrap(),
        ],
    ] {
        let out = podsim(&args);
        let stderr = assert_bad_input(&out, "missing file");
        assert!(
            stderr.starts_with(&format!("error: {file_s}: cannot read the scenario")),
            "{stderr}"
        );
    }
    assert!(summaries_under(dir.path()).is_empty());
}

#[test]
fn a_folder_instead_of_a_file() {
    let dir = TempDir::new().unwrap();
    let d = dir.path().display().to_string();
    let out = podsim(&["validate", &d]);
    let stderr = assert_bad_input(&out, "folder");
    assert!(
        stderr.starts_with(&format!("error: {d}: cannot read the scenario")),
        "{stderr}"
    );
}

#[test]
fn not_utf8() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("binary.toml");
    std::fs::write(&file, [0xff, 0xfe, 0x00, 0x41]).unwrap();
    let f = file.display().to_string();
    let stderr = assert_bad_input(&podsim(&["validate", &f]), "binary");
    assert!(stderr.contains(&f) && stderr.contains("UTF-8"), "{stderr}");
}

// ---------------------------------------------------------------- unknown keys

#[test]
fn unknown_top_level_key() {
    let body = format!("{HEAD}colour = \"red\"\n{POOL}");
    let stderr = reject(
        "unknown-top",
        &body,
        Expect {
            line: Some(3),
            field: Some("colour"),
            says: &["unknown field `colour`"],
        },
    );
    // It lists the keys that do exist.
    for k in ["`horizon`", "`pools`", "`events`", "`control-plane`"] {
        assert!(stderr.contains(k), "{stderr}");
    }
}

#[test]
fn unknown_key_in_pool() {
    let body = format!("{HEAD}{POOL}{POOL}").replacen("name = \"w\"", "name = \"v\"", 1);
    // The second pool has a misspelt key.
    let body = {
        let second = body.rfind("cpu = \"4\"").unwrap();
        format!("{}cpus = \"4\"\n{}", &body[..second], &body[second..])
    };
    let line = line_of(&body, "cpus");
    reject(
        "unknown-pool-key",
        &body,
        Expect {
            line: Some(line),
            field: Some("pools[1].cpus"),
            says: &["unknown field `cpus`", "`cpu`", "`memory`"],
        },
    );
}

#[test]
fn unknown_key_in_control_plane() {
    let body =
        format!("{HEAD}[control-plane]\nnode-monitor-grace = \"40s\"\ngrace = \"1s\"\n{POOL}");
    reject("unknown-cp-key", &body, at(5, "control-plane.grace"));
}

// ---------------------------------------------------------------- quantities

#[test]
fn negative_cpu() {
    let body = format!("{HEAD}{POOL}").replace("cpu = \"4\"", "cpu = \"-4\"");
    let line = line_of(&body, "cpu = \"-4\"");
    reject(
        "negative-cpu",
        &body,
        Expect {
            line: Some(line),
            field: Some("pools[0].cpu"),
            says: &["must not be negative"],
        },
    );
}

#[test]
fn negative_cpu_as_a_number_in_a_service() {
    let body = format!("{HEAD}{POOL}{SERVICE}").replace("cpu = \"500m\"", "cpu = -2");
    let line = line_of(&body, "cpu = -2");
    reject(
        "negative-cpu-number",
        &body,
        Expect {
            line: Some(line),
            field: Some("services[0].cpu"),
            says: &["must not be negative"],
        },
    );
}

#[test]
fn zero_cpu_node() {
    let body = format!("{HEAD}{POOL}").replace("cpu = \"4\"", "cpu = \"0\"");
    let line = line_of(&body, "cpu = \"0\"");
    reject("zero-cpu", &body, at(line, "pools[0].cpu"));
}

#[test]
fn unparseable_memory() {
    let body = format!("{HEAD}{POOL}").replace("16Gi", "16GB");
    let line = line_of(&body, "16GB");
    reject(
        "memory-16GB",
        &body,
        Expect {
            line: Some(line),
            field: Some("pools[0].memory"),
            says: &["\"16GB\"", "Gi"],
        },
    );
}

#[test]
fn memory_as_a_float() {
    let body = format!("{HEAD}{POOL}").replace("\"16Gi\"", "1e9");
    let line = line_of(&body, "1e9");
    reject("memory-float", &body, at(line, "pools[0].memory"));
}

#[test]
fn count_as_a_string() {
    let body = format!("{HEAD}{POOL}").replace("count = 2", "count = \"two\"");
    let line = line_of(&body, "\"two\"");
    reject("count-string", &body, at(line, "pools[0].count"));
}

// ---------------------------------------------------------------- durations

#[test]
fn duration_with_unknown_unit() {
    let body = format!("name = \"bad\"\nhorizon = \"2 weeks\"\n{POOL}");
    reject(
        "two-weeks",
        &body,
        Expect {
            line: Some(2),
            field: Some("horizon"),
            says: &["\"2 weeks\"", "unit"],
        },
    );
}

#[test]
fn duration_string_without_unit() {
    let body = format!("name = \"bad\"\nhorizon = \"90\"\n{POOL}");
    reject(
        "ninety-string",
        &body,
        Expect {
            line: Some(2),
            field: Some("horizon"),
            says: &["\"90\"", "missing unit"],
        },
    );
}

#[test]
fn duration_number_without_unit() {
    let body = format!("name = \"bad\"\nhorizon = 90\n{POOL}");
    reject(
        "ninety-number",
        &body,
        Expect {
            line: Some(2),
            field: Some("horizon"),
            says: &["needs a unit", "\"90s\""],
        },
    );
}

#[test]
fn zero_horizon() {
    let body = format!("name = \"bad\"\nhorizon = \"0s\"\n{POOL}");
    reject("zero-horizon", &body, at(2, "horizon"));
}

#[test]
fn bad_sample_every() {
    let body = format!("{HEAD}sample-every = \"often\"\n{POOL}");
    reject("sample-every", &body, at(3, "sample-every"));
}

#[test]
fn bad_failure_duration_in_an_event() {
    let body = format!(
        "{HEAD}{POOL}\n[[events]]\nat = \"10m\"\naction = \"fail-node\"\nnode = \"w-0\"\nduration = \"forever\"\n"
    );
    let line = line_of(&body, "\"forever\"");
    reject("event-duration", &body, at(line, "events[0].duration"));
}

#[test]
fn missing_horizon() {
    let body = format!("name = \"bad\"\n{POOL}");
    reject(
        "no-horizon",
        &body,
        Expect {
            line: None,
            field: None,
            says: &["missing field `horizon`"],
        },
    );
}

// ---------------------------------------------------------------- the cluster

#[test]
fn no_pools_at_all() {
    reject(
        "no-pools",
        HEAD,
        Expect {
            line: None,
            field: Some("pools"),
            says: &["[[pools]]"],
        },
    );
}

#[test]
fn zero_nodes() {
    let body = format!("{HEAD}{POOL}{POOL}")
        .replace("count = 2", "count = 0")
        .replacen("name = \"w\"", "name = \"v\"", 1);
    let line = line_of(&body, "count = 0");
    reject(
        "zero-nodes",
        &body,
        Expect {
            line: Some(line),
            field: Some("pools[0].count"),
            says: &["zero nodes"],
        },
    );
}

#[test]
fn duplicate_pool_name() {
    let body = format!("{HEAD}{POOL}{POOL}");
    let line = line_of(&body, "name = \"w\"") + 7; // the second pool's name
    assert_eq!(body.lines().nth(line - 1), Some("name = \"w\""));
    reject(
        "dup-pool",
        &body,
        Expect {
            line: Some(line),
            field: Some("pools[1].name"),
            says: &["\"w\" already exists"],
        },
    );
}

#[test]
fn duplicate_service_name() {
    let body = format!("{HEAD}{POOL}{SERVICE}{SERVICE}");
    let line = body
        .match_indices("name = \"web\"")
        .nth(1)
        .map(|(i, _)| i)
        .unwrap();
    let line = body[..line].matches('\n').count() + 1;
    reject(
        "dup-service",
        &body,
        Expect {
            line: Some(line),
            field: Some("services[1].name"),
            says: &["\"web\" already exists"],
        },
    );
}

#[test]
fn a_job_named_like_a_service() {
    let body = format!(
        "{HEAD}{POOL}{SERVICE}\n[[jobs]]\nname = \"web\"\ncount = 1\ncpu = \"1\"\nmemory = \"1Gi\"\narrival = {{ process = \"at-once\" }}\nduration = {{ dist = \"constant\", value = \"1m\" }}\n"
    );
    let line = line_of(&body, "[[jobs]]") + 1;
    reject("job-like-service", &body, at(line, "jobs[0].name"));
}

#[test]
fn bad_taint() {
    let body = format!("{HEAD}{POOL}").replace(
        "zones",
        "taints = [\"gpu=true:NoSchedule\", \"gpu=true\"]\nzones",
    );
    let line = line_of(&body, "taints");
    reject(
        "bad-taint",
        &body,
        Expect {
            line: Some(line),
            field: Some("pools[0].taints[1]"),
            says: &["\"gpu=true\"", "NoSchedule, PreferNoSchedule, NoExecute"],
        },
    );
}

#[test]
fn taint_with_unknown_effect() {
    let body = format!("{HEAD}{POOL}").replace("zones", "taints = [\"gpu:Sometimes\"]\nzones");
    let line = line_of(&body, "taints");
    reject("taint-effect", &body, at(line, "pools[0].taints[0]"));
}

#[test]
fn toleration_with_unknown_effect() {
    let body = format!("{HEAD}{POOL}{SERVICE}tolerations = [\"gpu=true:Never\"]\n");
    let line = line_of(&body, "tolerations");
    reject(
        "toleration",
        &body,
        Expect {
            line: Some(line),
            field: Some("services[0].tolerations[0]"),
            says: &["\"Never\""],
        },
    );
}

// ---------------------------------------------------------------- policies and profiles

#[test]
fn unknown_policy_lists_the_known_ones() {
    let body = format!("{HEAD}policies = [\"spread\", \"bestfit\"]\n{POOL}");
    reject(
        "unknown-policy",
        &body,
        Expect {
            line: Some(3),
            field: Some("policies[1]"),
            says: &[
                "unknown policy \"bestfit\"",
                "balanced",
                "spread",
                "binpack",
                "first-fit",
                "random",
                "round-robin",
            ],
        },
    );
}

#[test]
fn unknown_policy_on_the_command_line() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("ok.toml");
    std::fs::write(&file, format!("{HEAD}{POOL}")).unwrap();
    let out_dir = dir.path().join("out");
    let out = podsim(&[
        "run",
        file.to_str().unwrap(),
        "--policy",
        "spread",
        "--policy",
        "nonsense",
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    let stderr = assert_bad_input(&out, "--policy nonsense");
    assert!(
        stderr.contains("--policy") && stderr.contains("unknown policy \"nonsense\""),
        "{stderr}"
    );
    for known in [
        "balanced",
        "spread",
        "binpack",
        "first-fit",
        "random",
        "round-robin",
    ] {
        assert!(stderr.contains(known), "{stderr}");
    }
    assert!(summaries_under(&out_dir).is_empty());
    assert!(!out_dir.exists(), "nothing should be written");
}

#[test]
fn bad_command_line_arguments() {
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("ok.toml");
    std::fs::write(&file, format!("{HEAD}{POOL}")).unwrap();
    let f = file.to_str().unwrap();
    let o = dir.path().join("out");
    let o = o.to_str().unwrap();
    for args in [
        vec!["run", f, "--seeds", "0", "--out", o],
        vec!["run", f, "--seed", "-3", "--out", o],
        vec!["run", f, "--colour", "--out", o],
        vec!["validate"],
        vec!["frobnicate"],
    ] {
        let out = podsim(&args);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}:\n{stderr}");
        assert!(!stderr.contains("panicked"), "{args:?}:\n{stderr}");
        assert!(stderr.contains("error"), "{args:?}:\n{stderr}");
    }
    assert!(summaries_under(dir.path()).is_empty());
}

#[test]
fn unknown_profile_plugin_and_bad_weight() {
    let body = format!(
        "{HEAD}{POOL}\n[[profiles]]\nname = \"mine\"\nscorers = [{{ plugin = \"most-free\" }}]\n"
    );
    let line = line_of(&body, "most-free");
    reject(
        "unknown-scorer",
        &body,
        Expect {
            line: Some(line),
            field: Some("profiles[0].scorers[0].plugin"),
            says: &["least-allocated", "most-allocated", "balanced-allocation"],
        },
    );
    let body = format!(
        "{HEAD}{POOL}\n[[profiles]]\nname = \"mine\"\nscorers = [{{ plugin = \"least-allocated\", weight = 0 }}]\n"
    );
    let line = line_of(&body, "weight");
    reject("weight", &body, at(line, "profiles[0].scorers[0].weight"));
}

#[test]
fn a_profile_may_not_shadow_a_builtin() {
    let body = format!("{HEAD}{POOL}\n[[profiles]]\nname = \"spread\"\nselect = \"first-fit\"\n");
    let line = line_of(&body, "name = \"spread\"");
    reject("shadow", &body, at(line, "profiles[0].name"));
}

// ---------------------------------------------------------------- events

fn event(at: &str, lines: &str) -> String {
    format!("\n[[events]]\nat = \"{at}\"\n{lines}")
}

#[test]
fn unknown_action_lists_the_known_ones() {
    let body = format!(
        "{HEAD}{POOL}{}",
        event("10m", "action = \"explode-node\"\nnode = \"w-0\"\n")
    );
    let line = line_of(&body, "explode-node");
    reject(
        "unknown-action",
        &body,
        Expect {
            line: Some(line),
            field: Some("events[0].action"),
            says: &[
                "fail-node",
                "recover-node",
                "remove-node",
                "drain-node",
                "uncordon-node",
                "fail-zone",
                "recover-zone",
                "add-nodes",
                "scale-service",
            ],
        },
    );
}

#[test]
fn a_key_that_does_not_apply_to_the_action() {
    let body = format!(
        "{HEAD}{POOL}{}",
        event(
            "10m",
            "action = \"fail-node\"\nnode = \"w-0\"\npool = \"w\"\n"
        )
    );
    let line = line_of(&body, "pool = \"w\"");
    reject(
        "pool-on-fail-node",
        &body,
        Expect {
            line: Some(line),
            field: Some("events[0].pool"),
            says: &["does not apply to action \"fail-node\"", "node, duration"],
        },
    );
}

#[test]
fn an_action_missing_its_key() {
    let body = format!(
        "{HEAD}{POOL}{}",
        event("10m", "action = \"add-nodes\"\npool = \"w\"\n")
    );
    let line = line_of(&body, "add-nodes");
    reject(
        "add-nodes-no-count",
        &body,
        Expect {
            line: Some(line),
            field: Some("events[0].count"),
            says: &["needs `count`"],
        },
    );
}

#[test]
fn an_event_naming_a_node_that_does_not_exist() {
    let body = format!(
        "{HEAD}{POOL}{}",
        event("10m", "action = \"fail-node\"\nnode = \"worker-1\"\n")
    );
    let line = line_of(&body, "worker-1");
    reject(
        "no-such-node",
        &body,
        Expect {
            line: Some(line),
            field: Some("events[0].node"),
            says: &["\"worker-1\"", "w-0, w-1", "<pool>-<index>"],
        },
    );
}

#[test]
fn a_node_that_exists_only_after_a_later_add_nodes() {
    // w-2 is added at 20m but failed at 10m; the events are in file order
    // fail then add, and the fail event is the one reported.
    let body = format!(
        "{HEAD}{POOL}{}{}",
        event("10m", "action = \"fail-node\"\nnode = \"w-2\"\n"),
        event("20m", "action = \"add-nodes\"\npool = \"w\"\ncount = 1\n")
    );
    let line = line_of(&body, "w-2");
    reject(
        "node-added-later",
        &body,
        Expect {
            line: Some(line),
            field: Some("events[0].node"),
            says: &["\"w-2\"", "at 10m"],
        },
    );
}

#[test]
fn a_node_added_earlier_in_time_but_later_in_the_file_is_fine() {
    // The control case for the one above: validation follows time, not file order.
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("ok.toml");
    let body = format!(
        "{HEAD}{POOL}{}{}",
        event("30m", "action = \"fail-node\"\nnode = \"w-2\"\n"),
        event("20m", "action = \"add-nodes\"\npool = \"w\"\ncount = 1\n")
    );
    std::fs::write(&file, body).unwrap();
    let out = podsim(&["validate", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn a_node_used_after_it_was_removed() {
    // Events out of time order: the bad one is events[0] in the file.
    let body = format!(
        "{HEAD}{POOL}{}{}",
        event("20m", "action = \"drain-node\"\nnode = \"w-1\"\n"),
        event("10m", "action = \"remove-node\"\nnode = \"w-1\"\n")
    );
    let line = line_of(&body, "node = \"w-1\"");
    reject(
        "removed-node",
        &body,
        Expect {
            line: Some(line),
            field: Some("events[0].node"),
            says: &["removed at 10m"],
        },
    );
}

#[test]
fn an_event_after_the_horizon() {
    let body = format!(
        "{HEAD}{POOL}{}",
        event("1h1s", "action = \"fail-node\"\nnode = \"w-0\"\n")
    );
    let line = line_of(&body, "1h1s");
    reject(
        "after-horizon",
        &body,
        Expect {
            line: Some(line),
            field: Some("events[0].at"),
            says: &["after the horizon", "1h"],
        },
    );
}

#[test]
fn an_unknown_zone() {
    let body = format!(
        "{HEAD}{POOL}{}",
        event("10m", "action = \"fail-zone\"\nzone = \"c\"\n")
    );
    let line = line_of(&body, "zone = \"c\"");
    reject(
        "unknown-zone",
        &body,
        Expect {
            line: Some(line),
            field: Some("events[0].zone"),
            says: &["\"c\"", "a, b"],
        },
    );
}

#[test]
fn an_unknown_pool_or_service() {
    let body = format!(
        "{HEAD}{POOL}{}",
        event("10m", "action = \"add-nodes\"\npool = \"gpu\"\ncount = 1\n")
    );
    let line = line_of(&body, "\"gpu\"");
    reject("unknown-pool", &body, at(line, "events[0].pool"));

    let body = format!(
        "{HEAD}{POOL}{SERVICE}{}",
        event(
            "10m",
            "action = \"scale-service\"\nservice = \"api\"\nreplicas = 3\n"
        )
    );
    let line = line_of(&body, "\"api\"");
    reject(
        "unknown-service",
        &body,
        Expect {
            line: Some(line),
            field: Some("events[0].service"),
            says: &["\"api\"", "web"],
        },
    );
}

// ---------------------------------------------------------------- jobs

fn job(arrival: &str, duration: &str) -> String {
    format!(
        "\n[[jobs]]\nname = \"batch\"\ncount = 10\ncpu = \"1\"\nmemory = \"1Gi\"\narrival = {arrival}\nduration = {duration}\n"
    )
}

#[test]
fn poisson_without_a_rate() {
    let body = format!(
        "{HEAD}{POOL}{}",
        job(
            "{ process = \"poisson\" }",
            "{ dist = \"constant\", value = \"1m\" }"
        )
    );
    let line = line_of(&body, "arrival");
    reject(
        "poisson-no-rate",
        &body,
        Expect {
            line: Some(line),
            field: Some("jobs[0].arrival.rate"),
            says: &["needs `rate`"],
        },
    );
}

#[test]
fn a_rate_without_a_unit() {
    let body = format!(
        "{HEAD}{POOL}{}",
        job(
            "{ process = \"poisson\", rate = \"2\" }",
            "{ dist = \"constant\", value = \"1m\" }"
        )
    );
    let line = line_of(&body, "arrival");
    reject(
        "rate-no-unit",
        &body,
        Expect {
            line: Some(line),
            field: Some("jobs[0].arrival.rate"),
            says: &["\"2/m\""],
        },
    );
}

#[test]
fn unknown_arrival_process() {
    let body = format!(
        "{HEAD}{POOL}{}",
        job(
            "{ process = \"burst\" }",
            "{ dist = \"constant\", value = \"1m\" }"
        )
    );
    let line = line_of(&body, "burst");
    reject(
        "unknown-process",
        &body,
        Expect {
            line: Some(line),
            field: Some("jobs[0].arrival.process"),
            says: &["poisson, every, at-once"],
        },
    );
}

#[test]
fn unknown_distribution() {
    let body = format!(
        "{HEAD}{POOL}{}",
        job(
            "{ process = \"poisson\", rate = \"2/m\" }",
            "{ dist = \"gaussian\", mean = \"1m\" }"
        )
    );
    let line = line_of(&body, "gaussian");
    reject(
        "unknown-dist",
        &body,
        Expect {
            line: Some(line),
            field: Some("jobs[0].duration.dist"),
            says: &[
                "\"gaussian\"",
                "constant, exponential, uniform, lognormal, weibull, pareto",
            ],
        },
    );
}

#[test]
fn a_distribution_missing_or_with_a_stray_parameter() {
    let body = format!(
        "{HEAD}{POOL}{}",
        job(
            "{ process = \"every\", interval = \"30s\" }",
            "{ dist = \"lognormal\", median = \"1m\" }"
        )
    );
    let line = line_of(&body, "lognormal");
    reject(
        "lognormal-no-sigma",
        &body,
        Expect {
            line: Some(line),
            field: Some("jobs[0].duration.sigma"),
            says: &["needs `sigma`"],
        },
    );
    let body = format!(
        "{HEAD}{POOL}{}",
        job(
            "{ process = \"at-once\", at = \"5m\" }",
            "{ dist = \"constant\", value = \"1m\", mean = \"2m\" }"
        )
    );
    let line = line_of(&body, "duration =");
    reject(
        "constant-with-mean",
        &body,
        at(line, "jobs[0].duration.mean"),
    );
}

#[test]
fn several_files_one_bad() {
    let dir = TempDir::new().unwrap();
    let good = dir.path().join("good.toml");
    let bad = dir.path().join("bad.toml");
    std::fs::write(&good, format!("{HEAD}{POOL}")).unwrap();
    std::fs::write(&bad, format!("{HEAD}{POOL}").replace("16Gi", "lots")).unwrap();
    let out = podsim(&["validate", good.to_str().unwrap(), bad.to_str().unwrap()]);
    let stderr = assert_bad_input(&out, "two files");
    assert!(text(&out.stdout).contains(&format!("ok: {}", good.display())));
    assert!(
        stderr.contains(&format!("{}:8:", bad.display())),
        "{stderr}"
    );
}

#[test]
fn an_output_folder_that_cannot_be_written_is_exit_1() {
    // Not bad input but a failure to write: exit 1, never a panic.
    let dir = TempDir::new().unwrap();
    let file = dir.path().join("ok.toml");
    std::fs::write(&file, format!("{HEAD}{POOL}")).unwrap();
    let blocker = dir.path().join("a-file");
    std::fs::write(&blocker, "").unwrap();
    let out = podsim(&[
        "run",
        file.to_str().unwrap(),
        "--quiet",
        "--out",
        blocker.to_str().unwrap(),
    ]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.contains("cannot write"), "{stderr}");
}

// ---------------------------------------------------------------- known bugs
//
// Each states what the binary should do; see the report that came with this file.

#[test]
fn unknown_key_in_an_inline_table_is_named_itself() {
    let body = format!(
        "{HEAD}{POOL}{}",
        job(
            "{ process = \"poisson\", rate = \"2/m\", burst = 3 }",
            "{ dist = \"constant\", value = \"1m\" }"
        )
    );
    let line = line_of(&body, "burst");
    reject("inline-unknown", &body, at(line, "jobs[0].arrival.burst"));
}

#[test]
fn a_sub_table_of_an_array_entry_keeps_its_index() {
    let body = format!(
        "{HEAD}{POOL}\n[[jobs]]\nname = \"b\"\ncount = 1\ncpu = \"1\"\nmemory = \"1Gi\"\nduration = {{ dist = \"constant\", value = \"1m\" }}\n[jobs.arrival]\nprocess = \"poisson\"\nrate = \"2/x\"\n"
    );
    let line = line_of(&body, "2/x");
    reject("sub-table", &body, at(line, "jobs[0].arrival.rate"));
}

#[test]
fn a_dotted_key_keeps_its_prefix() {
    let body = format!(
        "{HEAD}{POOL}\n[[jobs]]\nname = \"b\"\ncount = 1\ncpu = \"1\"\nmemory = \"1Gi\"\nduration = {{ dist = \"constant\", value = \"1m\" }}\narrival.process = \"poisson\"\narrival.rate = \"2/x\"\n"
    );
    let line = line_of(&body, "2/x");
    reject("dotted", &body, at(line, "jobs[0].arrival.rate"));
}

#[test]
fn an_unknown_top_level_table_after_pools() {
    let body = format!("{HEAD}{POOL}\n[control]\nx = 1\n");
    let line = line_of(&body, "[control]");
    reject("unknown-table", &body, at(line, "control"));
}

#[test]
fn a_key_without_equals_is_named() {
    let body = format!("{HEAD}{POOL}").replace("count = 2", "count 2");
    let line = line_of(&body, "count 2");
    reject("no-equals", &body, at(line, "pools[0].count"));
}

#[test]
fn a_missing_key_in_the_second_pool_names_the_pool() {
    let body = format!("{HEAD}{POOL}\n[[pools]]\nname = \"v\"\ncount = 1\ncpu = \"2\"\n");
    let line = body
        .rfind("[[pools]]")
        .map(|i| body[..i].matches('\n').count() + 1);
    reject(
        "missing-in-second-pool",
        &body,
        Expect {
            line,
            field: Some("pools[1].memory"),
            says: &["missing"],
        },
    );
}

#[test]
fn a_negative_number_duration_says_negative() {
    let body = format!("name = \"bad\"\nhorizon = -5\n{POOL}");
    reject(
        "negative-number-duration",
        &body,
        Expect {
            line: Some(2),
            field: Some("horizon"),
            says: &["must not be negative"],
        },
    );
}

#[test]
fn the_nodes_then_list_leaves_out_removed_nodes() {
    let body = format!(
        "{HEAD}{POOL}{}{}",
        event("10m", "action = \"remove-node\"\nnode = \"w-0\"\n"),
        event("20m", "action = \"fail-node\"\nnode = \"w-9\"\n")
    );
    let line = line_of(&body, "w-9");
    let stderr = reject("nodes-then", &body, at(line, "events[1].node"));
    assert!(stderr.contains("nodes then: w-1;"), "{stderr}");
}

#[test]
fn a_scenario_name_may_not_escape_the_output_folder() {
    let body = "name = \"..\"\nhorizon = \"1h\"\n".to_string() + POOL;
    reject("dotdot", &body, at(1, "name"));
}

#[test]
fn a_profile_name_may_not_escape_the_output_folder() {
    let body = format!(
        "{HEAD}policies = [\"..\"]\n{POOL}\n[[profiles]]\nname = \"..\"\nselect = \"first-fit\"\n"
    );
    let line = line_of(&body, "name = \"..\"");
    reject("profile-dotdot", &body, at(line, "profiles[0].name"));
}

#[test]
fn a_key_missing_from_an_inline_table_names_the_table() {
    let body = format!(
        "{HEAD}{POOL}{}",
        job(
            "{ rate = \"2/m\" }",
            "{ dist = \"constant\", value = \"1m\" }"
        )
    );
    let line = line_of(&body, "arrival =");
    reject(
        "inline-missing",
        &body,
        Expect {
            line: Some(line),
            field: Some("jobs[0].arrival.process"),
            says: &["missing field `process`"],
        },
    );
}

// ------------------------------------------- arrival processes, sizes, traces

/// A job whose arrival is `arrival`, with constant durations.
fn job_arriving(arrival: &str) -> String {
    job(arrival, "{ dist = \"constant\", value = \"1m\" }")
}

/// Rejects a job arrival at the `arrival` line, naming `field` and saying `says`.
fn reject_arrival(case: &str, arrival: &str, field: &str, says: &[&str]) {
    let body = format!("{HEAD}{POOL}{}", job_arriving(arrival));
    let line = line_of(&body, "arrival =");
    reject(
        case,
        &body,
        Expect {
            line: Some(line),
            field: Some(field),
            says,
        },
    );
}

#[test]
fn diurnal_needs_a_curve_and_a_mean_rate() {
    reject_arrival(
        "diurnal-no-rate",
        "{ process = \"diurnal\", amplitude = 0.5, peak = \"14h\" }",
        "jobs[0].arrival.mean-rate",
        &["needs `mean-rate`"],
    );
    reject_arrival(
        "diurnal-no-curve",
        "{ process = \"diurnal\", mean-rate = \"2/m\" }",
        "jobs[0].arrival.amplitude",
        &["`amplitude` and `peak`", "`hourly`"],
    );
    reject_arrival(
        "diurnal-both-curves",
        "{ process = \"diurnal\", mean-rate = \"2/m\", amplitude = 0.5, peak = \"14h\", hourly = [1] }",
        "jobs[0].arrival.hourly",
        &["not both"],
    );
    reject_arrival(
        "diurnal-no-peak",
        "{ process = \"diurnal\", mean-rate = \"2/m\", amplitude = 0.5 }",
        "jobs[0].arrival.peak",
        &["needs `peak`"],
    );
    reject_arrival(
        "diurnal-peak-with-hourly",
        "{ process = \"diurnal\", mean-rate = \"2/m\", peak = \"3h\", hourly = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] }",
        "jobs[0].arrival.peak",
        &["only with `amplitude`"],
    );
    reject_arrival(
        "diurnal-bad-rate",
        "{ process = \"diurnal\", mean-rate = \"2\", amplitude = 0.5, peak = \"14h\" }",
        "jobs[0].arrival.mean-rate",
        &["\"2/m\""],
    );
}

#[test]
fn diurnal_values_out_of_range() {
    reject_arrival(
        "diurnal-amplitude",
        "{ process = \"diurnal\", mean-rate = \"2/m\", amplitude = 1.5, peak = \"14h\" }",
        "jobs[0].arrival.amplitude",
        &["from 0", "to 1"],
    );
    reject_arrival(
        "diurnal-peak-24h",
        "{ process = \"diurnal\", mean-rate = \"2/m\", amplitude = 0.5, peak = \"25h\" }",
        "jobs[0].arrival.peak",
        &["time of day", "under \"24h\""],
    );
    reject_arrival(
        "diurnal-time-of-day",
        "{ process = \"diurnal\", mean-rate = \"2/m\", amplitude = 0.5, peak = \"2h\", time-of-day = \"1d\" }",
        "jobs[0].arrival.time-of-day",
        &["time of day"],
    );
    reject_arrival(
        "diurnal-hourly-length",
        "{ process = \"diurnal\", mean-rate = \"2/m\", hourly = [1, 2, 3] }",
        "jobs[0].arrival.hourly",
        &["24 weights", "it has 3"],
    );
    let mut w = vec!["1"; 24];
    w[5] = "-1";
    reject_arrival(
        "diurnal-hourly-negative",
        &format!(
            "{{ process = \"diurnal\", mean-rate = \"2/m\", hourly = [{}] }}",
            w.join(", ")
        ),
        "jobs[0].arrival.hourly",
        &["weight 5", "0 or more"],
    );
    reject_arrival(
        "diurnal-hourly-zero",
        &format!(
            "{{ process = \"diurnal\", mean-rate = \"2/m\", hourly = [{}] }}",
            vec!["0"; 24].join(", ")
        ),
        "jobs[0].arrival.hourly",
        &["all zero"],
    );
    reject_arrival(
        "diurnal-hourly-text",
        "{ process = \"diurnal\", mean-rate = \"2/m\", hourly = [1, \"a\"] }",
        "jobs[0].arrival.hourly[1]",
        &[],
    );
}

#[test]
fn bursty_needs_its_rates_and_periods() {
    for (k, arrival) in [
        (
            "on-rate",
            "{ process = \"bursty\", mean-on = \"5m\", mean-off = \"20m\" }",
        ),
        (
            "mean-on",
            "{ process = \"bursty\", on-rate = \"10/m\", mean-off = \"20m\" }",
        ),
        (
            "mean-off",
            "{ process = \"bursty\", on-rate = \"10/m\", mean-on = \"5m\" }",
        ),
    ] {
        reject_arrival(
            &format!("bursty-no-{k}"),
            arrival,
            &format!("jobs[0].arrival.{k}"),
            &[&format!("needs `{k}`")],
        );
    }
    reject_arrival(
        "bursty-zero-period",
        "{ process = \"bursty\", on-rate = \"10/m\", mean-on = \"0s\", mean-off = \"20m\" }",
        "jobs[0].arrival.mean-on",
        &["longer than zero"],
    );
    reject_arrival(
        "bursty-zero-off-rate",
        "{ process = \"bursty\", on-rate = \"10/m\", off-rate = \"0/m\", mean-on = \"5m\", mean-off = \"20m\" }",
        "jobs[0].arrival.off-rate",
        &["must be positive"],
    );
    reject_arrival(
        "bursty-with-rate",
        "{ process = \"bursty\", rate = \"1/m\", on-rate = \"10/m\", mean-on = \"5m\", mean-off = \"20m\" }",
        "jobs[0].arrival.rate",
        &["does not apply to process \"bursty\""],
    );
    reject_arrival(
        "poisson-with-mean-rate",
        "{ process = \"poisson\", rate = \"1/m\", mean-rate = \"1/m\" }",
        "jobs[0].arrival.mean-rate",
        &["does not apply to process \"poisson\""],
    );
}

const TRACE: &str = "id,submit_s,duration_s,cpu,memory\na,0,60,1,1Gi\nb,30,,1,1Gi\n";

fn reject_trace_arrival(case: &str, arrival: &str, field: &str, says: &[&str]) {
    let body = format!("{HEAD}{POOL}{}", job_arriving(arrival));
    let line = line_of(&body, "arrival =");
    reject_with_files(
        case,
        &body,
        &[("pods.csv", TRACE), ("other.csv", "name,cpu_milli\nx,1\n")],
        Expect {
            line: Some(line),
            field: Some(field),
            says,
        },
    );
}

#[test]
fn trace_arrivals_check_their_file() {
    reject_trace_arrival(
        "trace-no-file",
        "{ process = \"trace\" }",
        "jobs[0].arrival.file",
        &["needs `file`"],
    );
    reject_trace_arrival(
        "trace-missing-file",
        "{ process = \"trace\", file = \"nowhere.csv\" }",
        "jobs[0].arrival.file",
        &[
            "no file",
            "nowhere.csv",
            "relative to the scenario's folder",
        ],
    );
    reject_trace_arrival(
        "trace-wrong-format",
        "{ process = \"trace\", file = \"other.csv\" }",
        "jobs[0].arrival.file",
        &["unknown column \"name\""],
    );
    reject_trace_arrival(
        "trace-unknown-format",
        "{ process = \"trace\", file = \"pods.csv\", format = \"borg\" }",
        "jobs[0].arrival.format",
        &["unknown trace format \"borg\"", "podsim"],
    );
    reject_trace_arrival(
        "trace-time-scale",
        "{ process = \"trace\", file = \"pods.csv\", time-scale = 0 }",
        "jobs[0].arrival.time-scale",
        &["positive"],
    );
    reject_trace_arrival(
        "trace-with-rate",
        "{ process = \"trace\", file = \"pods.csv\", rate = \"1/m\" }",
        "jobs[0].arrival.rate",
        &["does not apply"],
    );
}

#[test]
fn empirical_durations_check_their_file() {
    let reject_dist = |case: &str, dist: &str, field: &str, says: &[&str]| {
        let body = format!("{HEAD}{POOL}{}", job("{ process = \"at-once\" }", dist));
        let line = line_of(&body, "duration =");
        reject_with_files(
            case,
            &body,
            &[
                ("pods.csv", TRACE),
                ("forever.csv", "id,submit_s,cpu,memory\na,0,1,1Gi\n"),
            ],
            Expect {
                line: Some(line),
                field: Some(field),
                says,
            },
        );
    };
    reject_dist(
        "empirical-no-file",
        "{ dist = \"empirical\" }",
        "jobs[0].duration.file",
        &["needs `file`"],
    );
    reject_dist(
        "empirical-missing-file",
        "{ dist = \"empirical\", file = \"gone/*.csv\" }",
        "jobs[0].duration.file",
        &["cannot list", "gone"],
    );
    reject_dist(
        "empirical-no-values",
        "{ dist = \"empirical\", file = \"forever.csv\" }",
        "jobs[0].duration.file",
        &["no pod with a known run time", "run to the end: 1"],
    );
    reject_dist(
        "empirical-with-mean",
        "{ dist = \"empirical\", file = \"pods.csv\", mean = \"1m\" }",
        "jobs[0].duration.mean",
        &[
            "does not apply to dist \"empirical\"",
            "file, optional format",
        ],
    );
    reject_dist(
        "lognormal-with-file",
        "{ dist = \"lognormal\", median = \"1m\", sigma = 1, file = \"pods.csv\" }",
        "jobs[0].duration.file",
        &["does not apply to dist \"lognormal\""],
    );
    reject_dist(
        "empirical-unknown-format",
        "{ dist = \"empirical\", file = \"pods.csv\", format = \"csv\" }",
        "jobs[0].duration.format",
        &["unknown trace format"],
    );
}

/// A job with `extra` lines instead of cpu and memory.
fn job_with(extra: &str) -> String {
    format!(
        "\n[[jobs]]\nname = \"batch\"\ncount = 10\n{extra}\narrival = {{ process = \"at-once\" }}\nduration = {{ dist = \"constant\", value = \"1m\" }}\n"
    )
}

#[test]
fn sizes_replace_cpu_and_memory() {
    let body = format!("{HEAD}{POOL}{}", job_with("memory = \"1Gi\""));
    let line = line_of(&body, "name = \"batch\"");
    reject(
        "job-without-cpu",
        &body,
        Expect {
            line: Some(line),
            field: Some("jobs[0].cpu"),
            says: &["needs `cpu` and `memory`, or a `sizes` table"],
        },
    );
    let body = format!(
        "{HEAD}{POOL}{}",
        job_with("cpu = \"1\"\nsizes = [{ cpu = \"1\", memory = \"1Gi\" }]")
    );
    let line = line_of(&body, "cpu = \"1\"\n");
    reject(
        "cpu-and-sizes",
        &body,
        Expect {
            line: Some(line),
            field: Some("jobs[0].cpu"),
            says: &["one or the other"],
        },
    );
    let body = format!("{HEAD}{POOL}{}", job_with("sizes = []"));
    let line = line_of(&body, "sizes = []");
    reject(
        "empty-sizes",
        &body,
        Expect {
            line: Some(line),
            field: Some("jobs[0].sizes"),
            says: &["at least one"],
        },
    );
}

#[test]
fn a_size_needs_cpu_memory_and_a_positive_weight() {
    let body = format!(
        "{HEAD}{POOL}{}",
        job_with("sizes = [\n  { cpu = \"1\", memory = \"1Gi\" },\n  { cpu = \"2\", memory = \"2Gi\", weight = 0 },\n]")
    );
    let line = line_of(&body, "weight = 0");
    reject(
        "zero-weight",
        &body,
        Expect {
            line: Some(line),
            field: Some("jobs[0].sizes[1].weight"),
            says: &["greater than zero"],
        },
    );
    let body = format!(
        "{HEAD}{POOL}{}",
        job_with("sizes = [\n  { cpu = \"1\", memory = \"1Gi\" },\n  { cpu = \"2\", memory = \"lots\" },\n]")
    );
    let line = line_of(&body, "\"lots\"");
    reject(
        "bad-size-memory",
        &body,
        Expect {
            line: Some(line),
            field: Some("jobs[0].sizes[1].memory"),
            says: &["invalid memory quantity"],
        },
    );
    let body = format!(
        "{HEAD}{POOL}{}",
        job_with("sizes = [\n  { cpu = \"1\", memory = \"1Gi\", gpu = 1 },\n]")
    );
    let line = line_of(&body, "gpu = 1");
    reject("unknown-size-key", &body, at(line, "jobs[0].sizes[0].gpu"));
    let body = format!(
        "{HEAD}{POOL}{}",
        job_with("sizes = [\n  { cpu = \"1\", memory = \"1Gi\" },\n  { cpu = \"2\" },\n]")
    );
    let line = line_of(&body, "{ cpu = \"2\" }");
    reject(
        "size-without-memory",
        &body,
        Expect {
            line: Some(line),
            field: Some("jobs[0].sizes[1].memory"),
            says: &["missing"],
        },
    );
}

// ---------------------------------------------------------------- load and hpa

/// The scenario with a service `web` (500m) given extra `lines`.
fn web_with(lines: &str) -> String {
    format!("{HEAD}{POOL}\n[[services]]\nname = \"web\"\nreplicas = 2\ncpu = \"500m\"\nmemory = \"1Gi\"\n{lines}\n")
}

/// Rejects `web_with(lines)` at the line holding `needle`, naming `field`.
fn reject_web(case: &str, lines: &str, needle: &str, field: &str, says: &[&str]) {
    let body = web_with(lines);
    let line = line_of(&body, needle);
    reject(
        case,
        &body,
        Expect {
            line: Some(line),
            field: Some(field),
            says,
        },
    );
}

#[test]
fn load_curves_are_checked() {
    reject_web(
        "load-unknown-curve",
        "load = { curve = \"sine\", cores = 1 }",
        "load =",
        "services[0].load.curve",
        &[
            "unknown load curve \"sine\"",
            "constant, steps, diurnal, csv",
        ],
    );
    reject_web(
        "load-constant-no-cores",
        "load = { curve = \"constant\" }",
        "load =",
        "services[0].load.cores",
        &["needs `cores`"],
    );
    reject_web(
        "load-key-not-for-curve",
        "load = { curve = \"constant\", cores = 1, mean = 2 }",
        "load =",
        "services[0].load.mean",
        &["does not apply to curve \"constant\""],
    );
    reject_web(
        "load-negative-cores",
        "load = { curve = \"constant\", cores = -1 }",
        "load =",
        "services[0].load.cores",
        &["must not be negative"],
    );
    reject_web(
        "load-steps-out-of-order",
        "load = { curve = \"steps\", steps = [{ at = \"10m\", cores = 1 }, { at = \"5m\", cores = 2 }] }",
        "load =",
        "services[0].load.steps[1].at",
        &["increasing time"],
    );
    reject_web(
        "load-steps-empty",
        "load = { curve = \"steps\", steps = [] }",
        "load =",
        "services[0].load.steps",
        &["at least one"],
    );
    reject_web(
        "load-diurnal-amplitude",
        "load = { curve = \"diurnal\", mean = 2, amplitude = 1.5, peak = \"14h\" }",
        "load =",
        "services[0].load.amplitude",
        &["from 0"],
    );
    reject_web(
        "load-diurnal-no-shape",
        "load = { curve = \"diurnal\", mean = 2 }",
        "load =",
        "services[0].load.amplitude",
        &["needs `amplitude` and `peak`"],
    );
    reject_web(
        "load-diurnal-peak-over-a-day",
        "load = { curve = \"diurnal\", mean = 2, amplitude = 0.5, peak = \"25h\" }",
        "load =",
        "services[0].load.peak",
        &["time of day"],
    );
}

#[test]
fn a_csv_load_names_its_bad_rows_by_file_and_line() {
    let reject_csv = |case: &str, csv: &str, says: &[&str]| {
        let body = web_with("load = { curve = \"csv\", file = \"web.csv\" }");
        let line = line_of(&body, "load =");
        reject_with_files(
            case,
            &body,
            &[("web.csv", csv)],
            Expect {
                line: Some(line),
                field: Some("services[0].load.file"),
                says,
            },
        );
    };
    reject_csv(
        "csv-bad-cores",
        "t_s,cores\n0,1\n60,lots\n",
        &["web.csv:3:", "cores", "\"lots\""],
    );
    reject_csv(
        "csv-bad-time",
        "t_s,cores\n0,1\n-5,2\n",
        &["web.csv:3:", "t_s", "negative"],
    );
    reject_csv(
        "csv-out-of-order",
        "t_s,cores\n0,1\n60,2\n30,3\n",
        &["web.csv:4:", "increasing time"],
    );
    reject_csv(
        "csv-extra-field",
        "t_s,cores\n0,1,2\n",
        &["web.csv:2:", "2 fields"],
    );
    reject_csv(
        "csv-bad-header",
        "time,cpu\n0,1\n",
        &["web.csv:1:", "t_s,cores"],
    );
    reject_csv("csv-no-rows", "t_s,cores\n", &["web.csv", "no rows"]);
    let body = web_with("load = { curve = \"csv\", file = \"nowhere.csv\" }");
    let line = line_of(&body, "load =");
    reject(
        "csv-missing",
        &body,
        Expect {
            line: Some(line),
            field: Some("services[0].load.file"),
            says: &[
                "cannot read",
                "nowhere.csv",
                "relative to the scenario's folder",
            ],
        },
    );
}

#[test]
fn an_hpa_is_checked() {
    const LOAD: &str = "load = { curve = \"constant\", cores = 1 }\n";
    reject_web(
        "hpa-without-load",
        "hpa = { target-cpu-utilization = 60, max-replicas = 5 }",
        "hpa =",
        "services[0].load",
        &["give the service a `load` curve"],
    );
    reject_web(
        "hpa-zero-target",
        &format!("{LOAD}hpa = {{ target-cpu-utilization = 0, max-replicas = 5 }}"),
        "hpa =",
        "services[0].hpa.target-cpu-utilization",
        &["percent"],
    );
    reject_web(
        "hpa-max-below-min",
        &format!(
            "{LOAD}hpa = {{ target-cpu-utilization = 60, min-replicas = 4, max-replicas = 3 }}"
        ),
        "hpa =",
        "services[0].hpa.max-replicas",
        &["from min-replicas (4)"],
    );
    reject_web(
        "hpa-zero-min",
        &format!(
            "{LOAD}hpa = {{ target-cpu-utilization = 60, min-replicas = 0, max-replicas = 3 }}"
        ),
        "hpa =",
        "services[0].hpa.min-replicas",
        &["at least 1"],
    );
    reject_web(
        "hpa-pods-and-percent",
        &format!("{LOAD}[services.hpa]\ntarget-cpu-utilization = 60\nmax-replicas = 5\nscale-up = {{ policies = [{{ pods = 4, percent = 100, period = \"15s\" }}] }}"),
        "scale-up =",
        "services[0].hpa.scale-up.policies[0].percent",
        &["not both"],
    );
    reject_web(
        "hpa-long-period",
        &format!("{LOAD}[services.hpa]\ntarget-cpu-utilization = 60\nmax-replicas = 5\nscale-down = {{ policies = [{{ pods = 1, period = \"1h\" }}] }}"),
        "scale-down =",
        "services[0].hpa.scale-down.policies[0].period",
        &["at most \"30m\""],
    );
    reject_web(
        "hpa-unknown-select",
        &format!("{LOAD}[services.hpa]\ntarget-cpu-utilization = 60\nmax-replicas = 5\nscale-down = {{ select = \"fastest\" }}"),
        "scale-down =",
        "services[0].hpa.scale-down.select",
        &["unknown select \"fastest\"", "max, min, disabled"],
    );
    reject_web(
        "hpa-long-window",
        &format!("{LOAD}[services.hpa]\ntarget-cpu-utilization = 60\nmax-replicas = 5\nscale-down = {{ stabilization = \"2h\" }}"),
        "scale-down =",
        "services[0].hpa.scale-down.stabilization",
        &["at most \"1h\""],
    );
    reject_web(
        "hpa-unknown-key",
        &format!("{LOAD}[services.hpa]\ntarget-cpu-utilization = 60\nmax-replicas = 5\ncooldown = \"1m\""),
        "cooldown",
        "services[0].hpa.cooldown",
        &["unknown field `cooldown`"],
    );
    // A service without a CPU request cannot be measured in percent of it.
    let body = format!("{HEAD}{POOL}\n[[services]]\nname = \"web\"\nreplicas = 2\ncpu = \"0\"\nmemory = \"1Gi\"\n{LOAD}hpa = {{ target-cpu-utilization = 60, max-replicas = 5 }}\n");
    let line = line_of(&body, "hpa =");
    reject(
        "hpa-no-cpu-request",
        &body,
        Expect {
            line: Some(line),
            field: Some("services[0].cpu"),
            says: &["CPU request above zero"],
        },
    );
}

#[test]
fn the_control_plane_hpa_settings_are_checked() {
    for (case, key, value, says) in [
        ("hpa-tolerance", "hpa-tolerance", "1.5", "from 0 to under 1"),
        (
            "hpa-sync-period",
            "hpa-sync-period",
            "\"0s\"",
            "longer than zero",
        ),
    ] {
        let body = format!("{HEAD}\n[control-plane]\n{key} = {value}\n{POOL}");
        let line = line_of(&body, key);
        reject(
            case,
            &body,
            Expect {
                line: Some(line),
                field: Some(&format!("control-plane.{key}")),
                says: &[says],
            },
        );
    }
}

// ---------------------------------------------------------------- descheduler and budgets

fn with_descheduler(table: &str) -> String {
    format!("{HEAD}{POOL}{SERVICE}\n[descheduler]\n{table}")
}

const LNU_HEADER: &str = "[descheduler.low-node-utilization]\n";

#[test]
fn descheduler_thresholds_are_percentages() {
    let body = with_descheduler(&format!(
        "{LNU_HEADER}thresholds = {{ cpu = 120, memory = 20 }}\ntarget-thresholds = {{ cpu = 50, memory = 50 }}\n"
    ));
    let line = line_of(&body, "cpu = 120");
    reject(
        "threshold-over-100",
        &body,
        Expect {
            line: Some(line),
            field: Some("descheduler.low-node-utilization.thresholds.cpu"),
            says: &["from 0 to 100"],
        },
    );
    let body = with_descheduler(&format!(
        "{LNU_HEADER}thresholds = {{ cpu = -5 }}\ntarget-thresholds = {{ cpu = 50 }}\n"
    ));
    let line = line_of(&body, "cpu = -5");
    reject(
        "negative-threshold",
        &body,
        at(line, "descheduler.low-node-utilization.thresholds.cpu"),
    );
    let body = with_descheduler(&format!(
        "{LNU_HEADER}thresholds = {{}}\ntarget-thresholds = {{ cpu = 50 }}\n"
    ));
    let line = line_of(&body, "thresholds = {}");
    reject(
        "empty-thresholds",
        &body,
        Expect {
            line: Some(line),
            field: Some("descheduler.low-node-utilization.thresholds"),
            says: &["no resource threshold is configured", "cpu, memory, pods"],
        },
    );
    let body = with_descheduler(&format!(
        "{LNU_HEADER}thresholds = {{ cpu = 20, gpu = 1 }}\ntarget-thresholds = {{ cpu = 50 }}\n"
    ));
    let line = line_of(&body, "gpu = 1");
    reject(
        "unknown-threshold-resource",
        &body,
        Expect {
            line: Some(line),
            field: None,
            says: &["gpu", "cpu", "memory", "pods"],
        },
    );
}

#[test]
fn low_node_utilization_targets_match_their_thresholds() {
    let body = with_descheduler(&format!(
        "{LNU_HEADER}thresholds = {{ cpu = 60 }}\ntarget-thresholds = {{ cpu = 50 }}\n"
    ));
    let line = line_of(&body, "target-thresholds");
    reject(
        "threshold-above-target",
        &body,
        Expect {
            line: Some(line),
            field: Some("descheduler.low-node-utilization.target-thresholds.cpu"),
            says: &["above its target"],
        },
    );
    let body = with_descheduler(&format!(
        "{LNU_HEADER}thresholds = {{ cpu = 20 }}\ntarget-thresholds = {{ cpu = 50, memory = 50 }}\n"
    ));
    let line = line_of(&body, "target-thresholds");
    reject(
        "different-resources",
        &body,
        Expect {
            line: Some(line),
            field: Some("descheduler.low-node-utilization.target-thresholds"),
            says: &["same resources", "memory"],
        },
    );
    let body = with_descheduler(&format!("{LNU_HEADER}thresholds = {{ cpu = 20 }}\n"));
    let line = line_of(&body, "[descheduler.low-node-utilization]");
    reject(
        "missing-targets",
        &body,
        Expect {
            line: Some(line),
            field: Some("descheduler.low-node-utilization.target-thresholds"),
            says: &["missing field"],
        },
    );
}

#[test]
fn a_descheduler_needs_a_strategy_and_a_positive_interval() {
    let body = with_descheduler("interval = \"5m\"\n");
    reject(
        "no-strategy",
        &body,
        Expect {
            line: None,
            field: Some("descheduler"),
            says: &["no strategy", "[descheduler.low-node-utilization]"],
        },
    );
    let body = with_descheduler("interval = \"0s\"\n[descheduler.remove-duplicates]\n");
    let line = line_of(&body, "interval = \"0s\"");
    reject(
        "zero-interval",
        &body,
        Expect {
            line: Some(line),
            field: Some("descheduler.interval"),
            says: &["longer than zero"],
        },
    );
    let body = with_descheduler("[descheduler.low-utilization]\n");
    let line = line_of(&body, "[descheduler.low-utilization]");
    reject(
        "unknown-strategy",
        &body,
        Expect {
            line: Some(line),
            field: None,
            says: &[
                "low-utilization",
                "low-node-utilization",
                "remove-duplicates",
            ],
        },
    );
    let body = with_descheduler(
        "[descheduler.remove-duplicates]\nexclude-owner-kinds = [\"Deployment\"]\n",
    );
    let line = line_of(&body, "\"Deployment\"");
    reject(
        "unknown-owner-kind",
        &body,
        Expect {
            line: Some(line),
            field: Some("descheduler.remove-duplicates.exclude-owner-kinds[0]"),
            says: &["ReplicaSet, Job"],
        },
    );
}

#[test]
fn min_available_is_a_count_or_a_percentage() {
    for (case, value, says) in [
        ("pdb-over-100", "\"150%\"", "whole percentage"),
        ("pdb-words", "\"half\"", "whole percentage"),
        ("pdb-fraction", "\"12.5%\"", "whole percentage"),
        ("pdb-negative", "-1", "0 or more"),
    ] {
        let body = format!("{HEAD}{POOL}{SERVICE}min-available = {value}\n");
        let line = line_of(&body, "min-available");
        reject(
            case,
            &body,
            Expect {
                line: Some(line),
                field: Some("services[0].min-available"),
                says: &[says],
            },
        );
    }
    let body = format!("{HEAD}{POOL}{SERVICE}max-skew = 0\n");
    let line = line_of(&body, "max-skew");
    reject(
        "zero-max-skew",
        &body,
        Expect {
            line: Some(line),
            field: Some("services[0].max-skew"),
            says: &["at least 1"],
        },
    );
}

// ------------------------------------------- failure models, plans, disruption events

/// A `[[failures]]` table after the head and pool, with a failure plan
/// `plan.csv` beside the scenario.
fn reject_failure(case: &str, table: &str, plan: &str, needle: &str, field: &str, says: &[&str]) {
    let body = format!("{HEAD}{POOL}\n[[failures]]\n{table}\n");
    let line = line_of(&body, needle);
    reject_with_files(
        case,
        &body,
        &[("plan.csv", plan)],
        Expect {
            line: Some(line),
            field: Some(field),
            says,
        },
    );
}

const CLOCKS: &str = "time-between-failures = { dist = \"exponential\", mean = \"30d\" }\ntime-to-repair = { dist = \"constant\", value = \"1h\" }";

#[test]
fn failure_models_check_their_keys() {
    reject_failure(
        "failure-unknown-model",
        "model = \"meteor\"",
        "",
        "\"meteor\"",
        "failures[0].model",
        &["unknown failure model \"meteor\"", "nodes, zones, plan"],
    );
    reject_failure(
        "failure-missing-repair",
        "model = \"nodes\"\ntime-between-failures = { dist = \"exponential\", mean = \"30d\" }",
        "",
        "\"nodes\"",
        "failures[0].time-to-repair",
        &["model \"nodes\" needs `time-to-repair`"],
    );
    reject_failure(
        "failure-file-on-nodes",
        &format!("model = \"nodes\"\n{CLOCKS}\nfile = \"plan.csv\""),
        "",
        "file =",
        "failures[0].file",
        &["does not apply to model \"nodes\""],
    );
    reject_failure(
        "failure-unknown-pool",
        &format!("model = \"nodes\"\npools = [\"gpu\"]\n{CLOCKS}"),
        "",
        "\"gpu\"",
        "failures[0].pools[0]",
        &["no pool named \"gpu\"", "pools: w"],
    );
    reject_failure(
        "failure-unknown-zone",
        &format!("model = \"zones\"\nzones = [\"mars\"]\n{CLOCKS}"),
        "",
        "\"mars\"",
        "failures[0].zones[0]",
        &["no pool has zone \"mars\"", "zones: a, b"],
    );
    reject_failure(
        "failure-zero-up-time",
        "model = \"nodes\"\ntime-between-failures = { dist = \"constant\", value = \"0s\" }\ntime-to-repair = { dist = \"constant\", value = \"1h\" }",
        "",
        "time-between-failures =",
        "failures[0].time-between-failures.value",
        &["longer than zero"],
    );
    reject_failure(
        "failure-bad-dist",
        "model = \"zones\"\ntime-between-failures = { dist = \"gamma\", mean = \"1d\" }\ntime-to-repair = { dist = \"constant\", value = \"1h\" }",
        "",
        "time-between-failures =",
        "failures[0].time-between-failures.dist",
        &["unknown distribution \"gamma\""],
    );
}

#[test]
fn a_node_follows_one_nodes_model() {
    let table = format!(
        "model = \"nodes\"\n{CLOCKS}\n\n[[failures]]\nmodel = \"nodes\"\npools = [\"w\"]\n{CLOCKS}"
    );
    reject_failure(
        "failure-overlap",
        &table,
        "",
        "pools = [\"w\"]",
        "failures[1].pools",
        &["already fails under failures[0]"],
    );
}

#[test]
fn failure_plans_name_the_bad_row_by_file_and_line() {
    let cases: &[(&str, &str, &[&str])] = &[
        (
            "plan-bad-time",
            "at,node,zone,duration\n600,w-0,,5m\nsoon,w-1,,5m\n",
            &["plan.csv:3:", "column `at`", "\"soon\""],
        ),
        (
            "plan-both",
            "at,node,zone,duration\n600,w-0,a,5m\n",
            &["plan.csv:2:", "both a node and a zone"],
        ),
        (
            "plan-neither",
            "at,node,zone,duration\n\n600,,,5m\n",
            &["plan.csv:3:", "neither a node nor a zone"],
        ),
        (
            "plan-unknown-node",
            "at,node,duration\n600,w-7,5m\n",
            &["plan.csv:2:", "no node named \"w-7\" ever exists"],
        ),
        (
            "plan-unknown-zone",
            "at,zone,duration\n600,c,5m\n",
            &["plan.csv:2:", "no pool has zone \"c\""],
        ),
        (
            "plan-zero-duration",
            "at,node,duration\n600,w-0,0\n",
            &["plan.csv:2:", "longer than zero"],
        ),
        (
            "plan-bad-header",
            "time,node,duration\n600,w-0,5m\n",
            &[
                "plan.csv:1:",
                "must name `at`, `duration`",
                "found: time,node,duration",
            ],
        ),
        (
            "plan-header-after-a-comment",
            "# exported from the incident tracker\ntime,node,duration\n600,w-0,5m\n",
            &["plan.csv:2:", "must name `at`"],
        ),
        (
            "plan-short-row",
            "at,node,zone,duration\n600,w-0\n",
            &["plan.csv:2:", "the row has 2 fields but the header has 4"],
        ),
    ];
    for (case, plan, says) in cases {
        reject_failure(
            case,
            "model = \"plan\"\nfile = \"plan.csv\"",
            plan,
            "file =",
            "failures[0].file",
            says,
        );
    }
    reject_failure(
        "plan-missing-file",
        "model = \"plan\"\nfile = \"nowhere.csv\"",
        "",
        "file =",
        "failures[0].file",
        &["no file", "relative to the scenario's folder"],
    );
}

#[test]
fn a_planned_node_must_exist_at_its_time() {
    let body = format!(
        "{HEAD}{POOL}\n[[failures]]\nmodel = \"plan\"\nfile = \"plan.csv\"\n\n[[events]]\nat = \"20m\"\naction = \"add-nodes\"\npool = \"w\"\ncount = 1\n\n[[events]]\nat = \"40m\"\naction = \"remove-node\"\nnode = \"w-0\"\n"
    );
    let line = line_of(&body, "file =");
    for (case, plan, says) in [
        (
            "plan-node-not-yet",
            "at,node,duration\n10m,w-2,5m\n",
            "does not exist yet at 10m",
        ),
        (
            "plan-node-removed",
            "at,node,duration\n50m,w-0,5m\n",
            "was removed at 40m",
        ),
    ] {
        reject_with_files(
            case,
            &body,
            &[("plan.csv", plan)],
            Expect {
                line: Some(line),
                field: Some("failures[0].file"),
                says: &[says],
            },
        );
    }
}

/// An event after the head, pool and service.
fn reject_event(case: &str, event: &str, needle: &str, field: &str, says: &[&str]) {
    let body = format!("{HEAD}{POOL}{SERVICE}\n[[events]]\nat = \"10m\"\n{event}\n");
    let line = line_of(&body, needle);
    reject(
        case,
        &body,
        Expect {
            line: Some(line),
            field: Some(field),
            says,
        },
    );
}

#[test]
fn disruption_events_check_their_keys() {
    reject_event(
        "partition-without-duration",
        "action = \"partition-node\"\nnode = \"w-0\"",
        "\"partition-node\"",
        "events[0].duration",
        &["action \"partition-node\" needs `duration`"],
    );
    reject_event(
        "partition-unknown-zone",
        "action = \"partition-zone\"\nzone = \"q\"\nduration = \"5m\"",
        "\"q\"",
        "events[0].zone",
        &["no pool has zone \"q\""],
    );
    reject_event(
        "resize-smaller",
        "action = \"resize-node\"\nnode = \"w-1\"\ncpu = \"2\"\nmemory = \"32Gi\"\nduration = \"2m\"",
        "cpu = \"2\"",
        "events[0].cpu",
        &["makes nodes bigger", "2000m is less than pool \"w\"'s 4000m"],
    );
    reject_event(
        "resize-without-memory",
        "action = \"resize-pool\"\npool = \"w\"\ncpu = \"8\"\nduration = \"2m\"",
        "\"resize-pool\"",
        "events[0].memory",
        &["needs `memory`"],
    );
    reject_event(
        "resize-with-batch",
        "action = \"resize-pool\"\npool = \"w\"\ncpu = \"8\"\nmemory = \"16Gi\"\nduration = \"2m\"\nbatch = 1",
        "batch = 1",
        "events[0].batch",
        &["does not apply to action \"resize-pool\""],
    );
    reject_event(
        "drain-unknown-pool",
        "action = \"rolling-drain\"\npool = \"gpu\"",
        "\"gpu\"",
        "events[0].pool",
        &["no pool named \"gpu\""],
    );
    reject_event(
        "drain-zero-batch",
        "action = \"rolling-drain\"\npool = \"w\"\nbatch = 0",
        "batch = 0",
        "events[0].batch",
        &["at least 1 node"],
    );
    reject_event(
        "drain-bad-share",
        "action = \"rolling-drain\"\npool = \"w\"\nbatch = \"150%\"",
        "\"150%\"",
        "events[0].batch",
        &["from \"1%\" to \"100%\""],
    );
    reject_event(
        "drain-pause-unit",
        "action = \"rolling-drain\"\npool = \"w\"\npause = 5",
        "pause = 5",
        "events[0].pause",
        &["needs a unit"],
    );
}

// ---------------------------------------------------------------- cluster autoscaler

/// A pool that is a node group of the cluster autoscaler (`g-0` at start).
const GROUP: &str = r#"
[[pools]]
name = "g"
count = 1
min-count = 1
max-count = 4
cpu = "4"
memory = "16Gi"
"#;

#[test]
fn unknown_key_in_cluster_autoscaler() {
    let body = format!("{HEAD}{GROUP}\n[cluster-autoscaler]\nscan-every = \"10s\"\n");
    let line = line_of(&body, "scan-every");
    reject(
        "ca-unknown-key",
        &body,
        at(line, "cluster-autoscaler.scan-every"),
    );
}

#[test]
fn unknown_expander_lists_the_known_ones() {
    let body = format!("{HEAD}{GROUP}\n[cluster-autoscaler]\nexpander = \"cheapest\"\n");
    let line = line_of(&body, "cheapest");
    reject(
        "ca-expander",
        &body,
        Expect {
            line: Some(line),
            field: Some("cluster-autoscaler.expander"),
            says: &["random", "most-pods", "least-waste", "priority"],
        },
    );
}

#[test]
fn node_group_bounds() {
    let body = format!("{HEAD}{POOL}").replace("count = 2\n", "count = 2\nmin-count = 1\n");
    let line = line_of(&body, "min-count");
    reject(
        "ca-min-without-max",
        &body,
        Expect {
            line: Some(line),
            field: Some("pools[0].min-count"),
            says: &["max-count"],
        },
    );
    let body = format!("{HEAD}{GROUP}").replace("min-count = 1", "min-count = 5");
    let line = line_of(&body, "min-count");
    reject(
        "ca-min-above-max",
        &body,
        Expect {
            line: Some(line),
            field: Some("pools[0].min-count"),
            says: &["above max-count"],
        },
    );
    let body = format!("{HEAD}{GROUP}").replace("count = 1\nmin", "count = 7\nmin");
    let line = line_of(&body, "count = 7");
    reject(
        "ca-count-out-of-bounds",
        &body,
        Expect {
            line: Some(line),
            field: Some("pools[0].count"),
            says: &["outside", "min-count 1 to max-count 4"],
        },
    );
    let body = format!("{HEAD}{GROUP}")
        .replace("max-count = 4", "max-count = 0")
        .replace("count = 1\nmin-count = 1", "count = 0\nmin-count = 0");
    let line = line_of(&body, "max-count");
    reject("ca-max-zero", &body, at(line, "pools[0].max-count"));
}

#[test]
fn an_autoscaler_table_without_node_groups() {
    let body = format!("{HEAD}{POOL}\n[cluster-autoscaler]\nexpander = \"least-waste\"\n");
    let line = line_of(&body, "[cluster-autoscaler]");
    reject(
        "ca-no-groups",
        &body,
        Expect {
            line: Some(line),
            field: Some("cluster-autoscaler"),
            says: &["no pool is autoscaled", "max-count"],
        },
    );
}

#[test]
fn bad_autoscaler_values() {
    for (case, line_text, field, says) in [
        (
            "ca-threshold",
            "scale-down-utilization-threshold = 1.5",
            "cluster-autoscaler.scale-down-utilization-threshold",
            "at most 1",
        ),
        (
            "ca-scan",
            "scan-interval = \"0s\"",
            "cluster-autoscaler.scan-interval",
            "longer than zero",
        ),
        (
            "ca-drains",
            "max-drain-parallelism = 0",
            "cluster-autoscaler.max-drain-parallelism",
            "at least 1",
        ),
        (
            "ca-unneeded",
            "scale-down-unneeded-time = \"10\"",
            "cluster-autoscaler.scale-down-unneeded-time",
            "unit",
        ),
    ] {
        let body = format!("{HEAD}{GROUP}\n[cluster-autoscaler]\n{line_text}\n");
        let line = line_of(&body, line_text);
        reject(
            case,
            &body,
            Expect {
                line: Some(line),
                field: Some(field),
                says: &[says],
            },
        );
    }
}

#[test]
fn the_priority_expander_and_expander_priority_go_together() {
    let body = format!("{HEAD}{GROUP}\n[cluster-autoscaler]\nexpander = \"priority\"\n");
    let line = line_of(&body, "\"priority\"");
    reject(
        "ca-priority-without-priorities",
        &body,
        Expect {
            line: Some(line),
            field: Some("cluster-autoscaler.expander"),
            says: &["expander-priority"],
        },
    );
    let body =
        format!("{HEAD}{GROUP}").replace("max-count = 4", "max-count = 4\nexpander-priority = 3");
    let line = line_of(&body, "expander-priority");
    reject(
        "ca-priority-with-random",
        &body,
        Expect {
            line: Some(line),
            field: Some("pools[0].expander-priority"),
            says: &["applies only to expander = \"priority\"", "\"random\""],
        },
    );
}

// ---------------------------------------------------------------- placement constraints and preemption

/// The valid service with `line` added (a constraint key).
fn service_with(line: &str) -> String {
    format!("{HEAD}{POOL}{SERVICE}{line}\n")
}

#[test]
fn spread_with_max_skew_zero() {
    let body = service_with(
        r#"topology-spread = [{ max-skew = 0, topology-key = "zone", when-unsatisfiable = "DoNotSchedule" }]"#,
    );
    let line = line_of(&body, "topology-spread");
    let err = reject(
        "max-skew",
        &body,
        at(line, "services[0].topology-spread[0].max-skew"),
    );
    assert!(err.contains("at least 1"), "{err}");
}

#[test]
fn spread_with_an_unknown_topology_key_lists_the_known_ones() {
    let body = service_with(
        r#"topology-spread = [{ max-skew = 1, topology-key = "rack", when-unsatisfiable = "DoNotSchedule" }]"#,
    );
    let line = line_of(&body, "topology-spread");
    reject(
        "topology-key",
        &body,
        Expect {
            line: Some(line),
            field: Some("services[0].topology-spread[0].topology-key"),
            says: &["\"rack\"", "zone", "node", "kubernetes.io/hostname"],
        },
    );
}

#[test]
fn spread_with_an_unknown_when_unsatisfiable() {
    let body = format!(
        "{HEAD}{POOL}\n[[jobs]]\nname = \"j\"\ncount = 1\ncpu = \"1\"\nmemory = \"1Gi\"\narrival = {{ process = \"at-once\", at = \"0s\" }}\nduration = {{ dist = \"constant\", value = \"1m\" }}\ntopology-spread = [{{ max-skew = 1, topology-key = \"zone\", when-unsatisfiable = \"Maybe\" }}]\n"
    );
    let line = line_of(&body, "topology-spread");
    reject(
        "when",
        &body,
        Expect {
            line: Some(line),
            field: Some("jobs[0].topology-spread[0].when-unsatisfiable"),
            says: &["\"Maybe\"", "DoNotSchedule", "ScheduleAnyway"],
        },
    );
}

#[test]
fn spread_without_when_unsatisfiable() {
    let body = service_with(r#"topology-spread = [{ max-skew = 1, topology-key = "zone" }]"#);
    let err = reject(
        "when-missing",
        &body,
        Expect {
            line: Some(line_of(&body, "topology-spread")),
            field: Some("services[0].topology-spread[0].when-unsatisfiable"),
            says: &["when-unsatisfiable"],
        },
    );
    assert!(err.contains("missing"), "{err}");
}

#[test]
fn spread_min_domains_only_with_do_not_schedule() {
    let body = service_with(
        r#"topology-spread = [{ max-skew = 1, topology-key = "zone", when-unsatisfiable = "ScheduleAnyway", min-domains = 3 }]"#,
    );
    let line = line_of(&body, "topology-spread");
    let err = reject(
        "min-domains",
        &body,
        at(line, "services[0].topology-spread[0].min-domains"),
    );
    assert!(err.contains("DoNotSchedule"), "{err}");
    let body = service_with(
        r#"topology-spread = [{ max-skew = 1, topology-key = "zone", when-unsatisfiable = "DoNotSchedule", min-domains = 0 }]"#,
    );
    reject(
        "min-domains-0",
        &body,
        at(line, "services[0].topology-spread[0].min-domains"),
    );
}

#[test]
fn spread_with_an_unknown_node_taints_policy() {
    let body = service_with(
        r#"topology-spread = [{ max-skew = 1, topology-key = "zone", when-unsatisfiable = "DoNotSchedule", node-taints-policy = "Sometimes" }]"#,
    );
    let line = line_of(&body, "topology-spread");
    reject(
        "taints-policy",
        &body,
        Expect {
            line: Some(line),
            field: Some("services[0].topology-spread[0].node-taints-policy"),
            says: &["Honor", "Ignore"],
        },
    );
}

#[test]
fn two_spread_constraints_on_the_same_key_and_action() {
    let body = service_with(
        "topology-spread = [\n  { max-skew = 1, topology-key = \"zone\", when-unsatisfiable = \"DoNotSchedule\" },\n  { max-skew = 2, topology-key = \"topology.kubernetes.io/zone\", when-unsatisfiable = \"DoNotSchedule\" },\n]",
    );
    let line = line_of(&body, "max-skew = 2");
    reject(
        "duplicate-spread",
        &body,
        at(line, "services[0].topology-spread[1].topology-key"),
    );
}

#[test]
fn unknown_key_in_a_spread_constraint() {
    let body = service_with(
        r#"topology-spread = [{ max-skew = 1, topology-key = "zone", when-unsatisfiable = "DoNotSchedule", label-selector = "app=web" }]"#,
    );
    let err = reject(
        "spread-key",
        &body,
        Expect {
            line: Some(line_of(&body, "topology-spread")),
            field: None,
            says: &["label-selector"],
        },
    );
    assert!(err.contains("unknown field"), "{err}");
}

#[test]
fn anti_affinity_with_an_unknown_type() {
    let body = service_with(r#"anti-affinity = [{ topology-key = "node", type = "soft" }]"#);
    let line = line_of(&body, "anti-affinity");
    reject(
        "anti-type",
        &body,
        Expect {
            line: Some(line),
            field: Some("services[0].anti-affinity[0].type"),
            says: &["\"soft\"", "required", "preferred"],
        },
    );
}

#[test]
fn anti_affinity_weights() {
    let body = service_with(r#"anti-affinity = [{ topology-key = "node", type = "preferred" }]"#);
    let line = line_of(&body, "anti-affinity");
    let err = reject(
        "no-weight",
        &body,
        at(line, "services[0].anti-affinity[0].weight"),
    );
    assert!(err.contains("1 to 100"), "{err}");
    let body = service_with(
        r#"anti-affinity = [{ topology-key = "node", type = "preferred", weight = 101 }]"#,
    );
    reject(
        "weight-101",
        &body,
        at(line, "services[0].anti-affinity[0].weight"),
    );
    let body = service_with(
        r#"anti-affinity = [{ topology-key = "node", type = "required", weight = 5 }]"#,
    );
    let err = reject(
        "required-weight",
        &body,
        at(line, "services[0].anti-affinity[0].weight"),
    );
    assert!(err.contains("preferred"), "{err}");
}

#[test]
fn unknown_preemption_policy() {
    let body = service_with(r#"preemption-policy = "Always""#);
    let line = line_of(&body, "preemption-policy");
    reject(
        "preemption-policy",
        &body,
        Expect {
            line: Some(line),
            field: Some("services[0].preemption-policy"),
            says: &["\"Always\"", "PreemptLowerPriority", "Never"],
        },
    );
}

#[test]
fn zero_pod_max_in_unschedulable() {
    let body = format!("{HEAD}[control-plane]\npod-max-in-unschedulable = \"0s\"\n{POOL}");
    let line = line_of(&body, "pod-max-in-unschedulable");
    reject(
        "flush",
        &body,
        at(line, "control-plane.pod-max-in-unschedulable"),
    );
}

#[test]
fn profile_preemption_must_be_a_boolean() {
    let body = format!(
        "{HEAD}{POOL}\n[[profiles]]\nname = \"mine\"\npreemption = \"no\"\nscorers = [{{ plugin = \"least-allocated\" }}]\n"
    );
    let line = line_of(&body, "preemption");
    reject(
        "profile-preemption",
        &body,
        Expect {
            line: Some(line),
            field: Some("profiles[0].preemption"),
            says: &["bool"],
        },
    );
}
