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

/// Guesses the dotted path of the key whose value sits at byte `offset`, from
/// the nearest table header above it and the key before it on its line:
/// `jobs[0].arrival.rate`. Used for errors that the TOML reader reports by
/// position only.
pub fn field_path_at(text: &str, offset: usize) -> Option<String> {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[line_start..offset];
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = &text[line_start..line_end];

    let ident_before = |s: &str| -> Option<String> {
        let s = s.trim_end();
        let s = s.strip_suffix('=')?.trim_end();
        let start = s
            .rfind(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_' || c == '"'))
            .map_or(0, |i| i + 1);
        let k = s[start..].trim_matches('"');
        (!k.is_empty()).then(|| k.to_string())
    };
    // The key this value belongs to: the identifier before the last '=' before it,
    // or, for an unknown-key error, the word at the offset itself.
    let inner = match before.rfind('=') {
        Some(eq) => ident_before(&before[..=eq]),
        None => {
            let word: String = line[before.len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            (!word.is_empty()).then_some(word)
        }
    };
    let mut key = inner?;
    if let Some(brace) = before.find('{') {
        if let Some(outer) = ident_before(&before[..brace]) {
            if outer != key {
                key = format!("{outer}.{key}");
            }
        }
    }
    // The enclosing table header.
    let head_text = &text[..line_start];
    for l in head_text.lines().rev() {
        let t = l.trim();
        if let Some(name) = t.strip_prefix("[[").and_then(|r| r.split(']').next()) {
            let name = name.trim();
            let header = format!("[[{name}]]");
            let idx = head_text
                .lines()
                .filter(|x| x.trim().starts_with(&header))
                .count()
                .saturating_sub(1);
            return Some(format!("{name}[{idx}].{key}"));
        }
        if let Some(name) = t.strip_prefix('[').and_then(|r| r.split(']').next()) {
            return Some(format!("{}.{key}", name.trim()));
        }
    }
    Some(key)
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
