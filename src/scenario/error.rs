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

/// An inline table or array that is open at some point of the text.
struct Open {
    /// The key it is the value of; `None` for an element of an array.
    key: Option<String>,
    array: bool,
    /// For an array: the element being read, from 0.
    index: usize,
}

/// The path of the inline tables and arrays that enclose byte `offset`
/// (`arrival`, `sizes[1]`, `arrival.hourly[3]`), or `None` outside any. With
/// `opened_here`, a `{` at `offset` itself counts as enclosing it (the TOML
/// reader reports a key missing from an inline table at its brace).
///
/// A small forward scan that knows strings, comments and table headers;
/// enough for naming a field, not a TOML parser.
pub fn inline_path_at(text: &str, offset: usize, opened_here: bool) -> Option<String> {
    inline_containers(text, offset, opened_here).map(|(path, _)| path)
}

/// As [`inline_path_at`], and whether the innermost container is an array
/// (the offset is then at one of its elements, which the path names).
fn inline_containers(text: &str, offset: usize, opened_here: bool) -> Option<(String, bool)> {
    let b = text.as_bytes();
    let end = offset.min(b.len());
    let mut stack: Vec<Open> = Vec::new();
    let mut key = String::new();
    let mut after_eq = false;
    let mut line_start = true;
    let mut i = 0;
    while i < end || (opened_here && i == end && b.get(i) == Some(&b'{')) {
        let c = b[i];
        if line_start && stack.is_empty() && c == b'[' {
            // A table header: skip the line.
            while i < end && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if !c.is_ascii_whitespace() {
            line_start = false;
        }
        match c {
            b'\n' => {
                line_start = true;
                if stack.is_empty() {
                    key.clear();
                    after_eq = false;
                }
            }
            b'#' => {
                while i < end && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' | b'\'' => {
                let triple = b.len() >= i + 3 && b[i + 1] == c && b[i + 2] == c;
                let start = i;
                i += if triple { 3 } else { 1 };
                while i < b.len() {
                    if c == b'"' && b[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if b[i] == c
                        && (!triple || (b.len() >= i + 3 && b[i + 1] == c && b[i + 2] == c))
                    {
                        i += if triple { 3 } else { 1 };
                        break;
                    }
                    if b[i] == b'\n' && !triple {
                        break;
                    }
                    i += 1;
                }
                if !after_eq && !stack.last().is_some_and(|o| o.array) {
                    key.push_str(text[start..i.min(b.len())].trim_matches(c as char));
                }
                continue;
            }
            b'=' if !stack.last().is_some_and(|o| o.array) => after_eq = true,
            b'{' | b'[' if after_eq || stack.last().is_some_and(|o| o.array) => {
                let in_array = stack.last().is_some_and(|o| o.array);
                stack.push(Open {
                    key: (!in_array).then(|| key.trim().to_string()),
                    array: c == b'[',
                    index: 0,
                });
                key.clear();
                after_eq = false;
            }
            b'}' | b']' => {
                stack.pop();
                key.clear();
                after_eq = !stack.is_empty();
            }
            b',' => {
                if let Some(top) = stack.last_mut() {
                    if top.array {
                        top.index += 1;
                    }
                }
                key.clear();
                after_eq = false;
            }
            _ if !after_eq
                && !stack.last().is_some_and(|o| o.array)
                && (!c.is_ascii_whitespace() || !key.is_empty()) =>
            {
                key.push(c as char);
            }
            _ => {}
        }
        i += 1;
    }
    let mut parts: Vec<String> = Vec::new();
    for o in &stack {
        if let Some(k) = &o.key {
            parts.push(k.clone());
        }
        if o.array {
            if let Some(last) = parts.last_mut() {
                last.push_str(&format!("[{}]", o.index));
            }
        }
    }
    let in_array = stack.last().is_some_and(|o| o.array);
    (!parts.is_empty()).then(|| (parts.join("."), in_array))
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
    match inline_containers(text, offset, false) {
        // At an element of an array: the path names it.
        Some((prefix, true)) => key = prefix,
        Some((prefix, false)) => key = format!("{prefix}.{key}"),
        None => {}
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
    fn field_paths_inside_arrays_of_inline_tables() {
        let t = "[[jobs]]\nname = \"a,{[\" # { [\nsizes = [\n  { cpu = \"1\", memory = \"1Gi\" },\n  { cpu = \"2\", memory = \"lots\" },\n]\narrival = { process = \"diurnal\", hourly = [1, \"x\"] }\n";
        let at = |needle: &str| field_path_at(t, t.find(needle).unwrap());
        assert_eq!(at("\"lots"), Some("jobs[0].sizes[1].memory".into()));
        assert_eq!(at("\"x\""), Some("jobs[0].arrival.hourly[1]".into()));
        let brace = t.find("{ cpu = \"2").unwrap();
        assert_eq!(inline_path_at(t, brace, true), Some("sizes[1]".into()));
        assert_eq!(inline_path_at(t, brace, false), Some("sizes[1]".into()));
        let brace = t.find("{ process").unwrap();
        assert_eq!(inline_path_at(t, brace, true), Some("arrival".into()));
        assert_eq!(inline_path_at(t, brace, false), None);
        assert_eq!(inline_path_at(t, t.find("name").unwrap(), true), None);
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
