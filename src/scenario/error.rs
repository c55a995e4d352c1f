//! Errors in a scenario file, located by file, line, column and field.

use std::fmt;
use std::ops::Range;

/// A problem with a scenario, precise enough for a person to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScenarioError {
    pub file: String,
    /// 1-based line and column, when the problem has a place in the file.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// The field, as a path such as `events[2].node`.
    pub field: Option<String>,
    pub message: String,
    /// The offending line of the file, for the caret display.
    pub source_line: Option<String>,
}

impl std::error::Error for ScenarioError {}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, ":{l}:{c}")?;
        }
        write!(f, ": ")?;
        if let Some(field) = &self.field {
            write!(f, "field `{field}`: ")?;
        }
        write!(f, "{}", self.message)?;
        if let (Some(l), Some(c), Some(src)) = (self.line, self.column, &self.source_line) {
            let gutter = l.to_string().len();
            write!(
                f,
                "\n{:gutter$} |\n{l} | {src}\n{:gutter$} | {:>c$}",
                "",
                "",
                "^",
                gutter = gutter,
                c = c
            )?;
        }
        Ok(())
    }
}

impl ScenarioError {
    /// An error with no place in the file (for example, the file is missing).
    pub fn whole_file(file: &str, message: impl Into<String>) -> Self {
        ScenarioError {
            file: file.to_string(),
            line: None,
            column: None,
            field: None,
            message: message.into(),
            source_line: None,
        }
    }

    /// An error at a byte span of `text`. An empty span (a value with no
    /// place, such as a default) reports no line.
    pub fn at(
        file: &str,
        text: &str,
        span: Option<Range<usize>>,
        field: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        let mut e = Self::whole_file(file, message);
        if let Some(span) = span.filter(|s| s.end > 0 || s.start > 0) {
            let start = span.start.min(text.len());
            let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
            let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
            e.line = Some(text[..start].matches('\n').count() + 1);
            e.column = Some(text[line_start..start].chars().count() + 1);
            e.source_line = Some(
                text[line_start..line_end]
                    .trim_end_matches('\r')
                    .to_string(),
            );
            if e.field.is_none() {
                e.field = field.or_else(|| field_path_at(text, start));
            }
        } else {
            e.field = field;
        }
        e
    }
}

/// A table header on a line: `[name]` or `[[name]]` (`true` for an array of tables).
fn header(line: &str) -> Option<(String, bool)> {
    let t = line.trim();
    if let Some(r) = t.strip_prefix("[[") {
        return r.split("]]").next().map(|n| (n.trim().to_string(), true));
    }
    if let Some(r) = t.strip_prefix('[') {
        return r.split(']').next().map(|n| (n.trim().to_string(), false));
    }
    None
}

/// The path of the table that holds byte `offset` (`pools[1]`,
/// `control-plane`, `jobs[0].arrival`), or `None` at the top level. A header
/// line counts as inside its own table. Lines inside multi-line strings are
/// skipped.
pub fn table_path_at(text: &str, offset: usize) -> Option<String> {
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    let mut current: Option<String> = None;
    let mut in_string = false;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        if pos > offset {
            break;
        }
        pos += line.len();
        let quotes = line.matches("\"\"\"").count() + line.matches("\'\'\'").count();
        let was_in_string = in_string;
        if quotes % 2 == 1 {
            in_string = !in_string;
        }
        if was_in_string {
            continue;
        }
        if let Some((name, array)) = header(line) {
            if array {
                let n = counts.entry(name.clone()).or_insert(0);
                *n += 1;
                current = Some(format!("{name}[{}]", *n - 1));
            } else {
                // `[jobs.arrival]` after `[[jobs]]` belongs to the latest job.
                let (first, rest) = name.split_once('.').unwrap_or((&name, ""));
                current = Some(match counts.get(first) {
                    Some(n) if !rest.is_empty() => format!("{first}[{}].{rest}", n - 1),
                    _ => name.clone(),
                });
            }
        }
    }
    current
}

fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_'
}

/// The dotted key that ends just before `s`'s last `=`, e.g. `arrival.rate`.
fn key_before_eq(s: &str) -> Option<String> {
    let s = s.trim_end().strip_suffix('=')?.trim_end();
    let start = s
        .rfind(|c: char| !(is_key_char(c) || c == '"' || c == '.'))
        .map_or(0, |i| i + 1);
    let k: String = s[start..].chars().filter(|c| *c != '"').collect();
    (!k.is_empty()).then_some(k)
}

/// Guesses the dotted path of the key at, or whose value sits at, byte
/// `offset`: `jobs[0].arrival.rate`. Used for errors that the TOML reader
/// reports by position only.
pub fn field_path_at(text: &str, offset: usize) -> Option<String> {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = &text[line_start..line_end];
    let before = &text[line_start..offset];
    if header(line).is_some() {
        return table_path_at(text, offset);
    }
    let at: String = text[offset..line_end]
        .chars()
        .take_while(|c| is_key_char(*c) || *c == '.')
        .collect();
    let after_word = text[offset + at.len()..line_end].trim_start();
    let key = if !at.is_empty() && (after_word.starts_with('=') || before.trim().is_empty()) {
        // The offset is at a key (an unknown key, or a key with no value).
        at
    } else if before.contains('=') {
        let eq = before.rfind('=')?;
        key_before_eq(&before[..=eq])?
    } else {
        line.trim_start()
            .chars()
            .take_while(|c| is_key_char(*c) || *c == '.')
            .collect()
    };
    if key.is_empty() {
        return table_path_at(text, line_start);
    }
    let mut key = key;
    if let Some(brace) = before.find('{') {
        if let Some(outer) = key_before_eq(&before[..brace]) {
            key = format!("{outer}.{key}");
        }
    }
    // The table is the one in force on the line before this one.
    let table = if line_start == 0 {
        None
    } else {
        table_path_at(text, line_start - 1)
    };
    Some(match table {
        Some(t) => format!("{t}.{key}"),
        None => key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guesses_field_paths() {
        let text = "name = \"x\"\n[[pools]]\ncpu = \"4\"\n[[pools]]\ncpu = \"bad\"\n[[jobs]]\narrival = { process = \"poisson\", rate = \"2/x\" }\n";
        let at = |needle: &str| field_path_at(text, text.find(needle).unwrap());
        assert_eq!(at("\"bad\""), Some("pools[1].cpu".into()));
        assert_eq!(at("\"2/x\""), Some("jobs[0].arrival.rate".into()));
        assert_eq!(at("\"x\""), Some("name".into()));
    }

    #[test]
    fn field_paths_in_awkward_places() {
        let t = "name = \"x\"\n[[jobs]]\narrival = { process = \"poisson\", rate = \"2/m\", burst = 3 }\n";
        assert_eq!(
            field_path_at(t, t.find("burst").unwrap()),
            Some("jobs[0].arrival.burst".into())
        );
        let t = "[[jobs]]\nname = \"a\"\n[[jobs]]\nname = \"b\"\n[jobs.arrival]\nrate = \"2/x\"\n";
        assert_eq!(
            field_path_at(t, t.find("\"2/x").unwrap()),
            Some("jobs[1].arrival.rate".into())
        );
        let t = "[[jobs]]\narrival.rate = \"2/x\"\n";
        assert_eq!(
            field_path_at(t, t.find("\"2/x").unwrap()),
            Some("jobs[0].arrival.rate".into())
        );
        let t = "[[pools]]\nname = \"a\"\n[control]\nx = 1\n";
        assert_eq!(
            field_path_at(t, t.find("[control]").unwrap()),
            Some("control".into())
        );
        let t = "[[pools]]\ncount 2\n";
        assert_eq!(
            field_path_at(t, t.find('2').unwrap()),
            Some("pools[0].count".into())
        );
        let t = "description = \"\"\"\n[[pools]]\n\"\"\"\nsample-every = \"x\"\n";
        assert_eq!(
            field_path_at(t, t.find("\"x").unwrap()),
            Some("sample-every".into())
        );
        assert_eq!(
            table_path_at("[[pools]]\nname = 1\n", 12),
            Some("pools[0]".into())
        );
    }

    #[test]
    fn displays_place_and_caret() {
        let text = "a = 1\nhorizon = \"2 weeks\"\n";
        let at = text.find("\"2 weeks").unwrap();
        let e = ScenarioError::at("s.toml", text, Some(at..at + 9), None, "bad duration");
        let shown = e.to_string();
        assert!(
            shown.starts_with("s.toml:2:11: field `horizon`: bad duration"),
            "{shown}"
        );
        assert!(shown.contains("2 | horizon = \"2 weeks\""), "{shown}");
    }
}
