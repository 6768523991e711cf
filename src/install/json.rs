//! Edits one top-level member of a JSON document in its text, leaving every other byte
//! as it was: key order, indentation (spaces or tabs), blank lines, escapes and the line
//! ending style survive, which a parse-and-serialize round trip would lose.
//!
//! The text is validated by `serde_json` first (so an invalid file is refused with the
//! line and column of the problem); the span finder below then only has to walk a
//! document known to be valid. Only top-level members are found and edited.

use std::ops::Range;

/// A document whose top level is an object, with the spans of its members.
#[derive(Debug)]
pub struct Document<'t> {
    text: &'t str,
    /// Byte offset of the top-level `{` and of its `}`.
    open: usize,
    close: usize,
    members: Vec<Member>,
}

/// One top-level member: `key` (decoded), where its key starts and its value lies.
#[derive(Debug, Clone)]
struct Member {
    key: String,
    key_start: usize,
    value: Range<usize>,
}

/// Why a text cannot be edited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JsonError {
    /// Not valid JSON: `serde_json`'s message, with the line and column.
    Invalid {
        line: usize,
        column: usize,
        message: String,
    },
    /// Valid JSON whose top level is not an object.
    NotAnObject,
}

impl std::fmt::Display for JsonError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            JsonError::Invalid {
                line,
                column,
                message,
            } => write!(f, "line {line}, column {column}: {message}"),
            JsonError::NotAnObject => f.write_str("the top level is not a JSON object"),
        }
    }
}

impl<'t> Document<'t> {
    /// Validates `text` and finds its top-level members. An empty (or all-blank) text is
    /// an empty object.
    pub fn parse(text: &'t str) -> Result<Document<'t>, JsonError> {
        if text.trim().is_empty() {
            return Ok(Document {
                text,
                open: usize::MAX,
                close: usize::MAX,
                members: Vec::new(),
            });
        }
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
            let message = e.to_string();
            // serde_json appends " at line L column C"; the position is given separately.
            let message = message
                .rsplit_once(" at line ")
                .map_or(message.as_str(), |(m, _)| m)
                .to_owned();
            JsonError::Invalid {
                line: e.line(),
                column: e.column(),
                message,
            }
        })?;
        if !value.is_object() {
            return Err(JsonError::NotAnObject);
        }
        let mut scan = Scanner { text, at: 0 };
        scan.skip_ws();
        let open = scan.at;
        scan.at += 1;
        let mut members = Vec::new();
        loop {
            scan.skip_ws();
            match scan.peek() {
                b'}' => break,
                b',' => {
                    scan.at += 1;
                    continue;
                }
                _ => {}
            }
            let key_start = scan.at;
            scan.skip_string();
            let key: String = serde_json::from_str(&text[key_start..scan.at])
                .map_err(|_| JsonError::NotAnObject)?;
            scan.skip_ws();
            scan.at += 1; // ':'
            scan.skip_ws();
            let value_start = scan.at;
            scan.skip_value();
            members.push(Member {
                key,
                key_start,
                value: value_start..scan.at,
            });
        }
        Ok(Document {
            text,
            open,
            close: scan.at,
            members,
        })
    }

    fn find(&self, key: &str) -> Option<usize> {
        // The last one wins, as in every JSON reader.
        self.members.iter().rposition(|m| m.key == key)
    }

    /// The text of member `key`'s value.
    pub fn get(&self, key: &str) -> Option<&'t str> {
        self.find(key)
            .map(|i| &self.text[self.members[i].value.clone()])
    }

    /// The line ending the document uses.
    fn newline(&self) -> &'static str {
        if self.text.contains("\r\n") {
            "\r\n"
        } else {
            "\n"
        }
    }

    /// The whitespace before a member's key on its line, when the key starts a line.
    fn line_indent(&self, at: usize) -> Option<&'t str> {
        let line_start = self.text[..at].rfind('\n').map_or(0, |i| i + 1);
        let indent = &self.text[line_start..at];
        (indent.chars().all(|c| c == ' ' || c == '\t') && line_start > self.open.min(at))
            .then_some(indent)
    }

    /// How members are laid out: the indent of one level, or `None` for a one-line object.
    fn indent_unit(&self) -> Option<&'t str> {
        match self.members.last() {
            Some(m) => self.line_indent(m.key_start).filter(|i| !i.is_empty()),
            None => Some("  "),
        }
    }

    /// The text with member `key` set to an object of `entries` (in that order):
    /// replaced in place when present (indented as that member is), else added after the
    /// last member (indented as it is; on the same line in a one-line object).
    pub fn with_member(&self, key: &str, entries: &[(&str, serde_json::Value)]) -> String {
        let nl = self.newline();
        let text = self.text;
        if let Some(i) = self.find(key) {
            let m = &self.members[i];
            let unit = self.line_indent(m.key_start).filter(|i| !i.is_empty());
            let rendered = layout(entries, unit, 1, nl);
            return [&text[..m.value.start], &rendered, &text[m.value.end..]].concat();
        }
        let unit = self.indent_unit();
        let rendered = layout(entries, unit, 1, nl);
        let quoted_key = serde_json::Value::String(key.to_owned()).to_string();
        if self.open == usize::MAX {
            let indent = unit.unwrap_or("  ");
            return format!("{{{nl}{indent}{quoted_key}: {rendered}{nl}}}{nl}");
        }
        match (self.members.last(), unit) {
            (Some(last), Some(indent)) => {
                let end = last.value.end;
                format!(
                    "{},{nl}{indent}{quoted_key}: {rendered}{}",
                    &text[..end],
                    &text[end..]
                )
            }
            (Some(last), None) => {
                let end = last.value.end;
                format!("{}, {quoted_key}: {rendered}{}", &text[..end], &text[end..])
            }
            (None, _) => {
                let indent = unit.unwrap_or("  ");
                format!(
                    "{}{nl}{indent}{quoted_key}: {rendered}{nl}{}",
                    &text[..=self.open],
                    &text[self.close..]
                )
            }
        }
    }

    /// The text without member `key` (every occurrence), or `None` when it has none.
    pub fn without_member(&self, key: &str) -> Option<String> {
        let i = self.find(key)?;
        let text = self.text;
        let m = &self.members[i];
        let cut = if self.members.len() == 1 {
            self.open + 1..self.close
        } else if i == 0 {
            m.key_start..self.members[1].key_start
        } else {
            self.members[i - 1].value.end..m.value.end
        };
        let edited = [&text[..cut.start], &text[cut.end..]].concat();
        // A key given twice: remove the others too.
        match Document::parse(&edited) {
            Ok(doc) if doc.find(key).is_some() => doc.without_member(key),
            _ => Some(edited),
        }
    }
}

/// An object of `entries` as JSON text for a member at `depth`: one level of indent
/// per depth with `unit`, or on one line when `unit` is `None`. Values are written
/// compactly.
pub fn layout(
    entries: &[(&str, serde_json::Value)],
    unit: Option<&str>,
    depth: usize,
    nl: &str,
) -> String {
    let member = |(k, v): &(&str, serde_json::Value)| {
        format!("{}: {v}", serde_json::Value::String((*k).to_owned()))
    };
    match unit {
        _ if entries.is_empty() => "{}".to_owned(),
        Some(unit) => {
            let inner = unit.repeat(depth + 1);
            let parts: Vec<String> = entries
                .iter()
                .map(|e| format!("{inner}{}", member(e)))
                .collect();
            format!(
                "{{{nl}{}{nl}{}}}",
                parts.join(&format!(",{nl}")),
                unit.repeat(depth)
            )
        }
        None => {
            let parts: Vec<String> = entries.iter().map(member).collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

/// A cursor over a document already known to be valid JSON.
struct Scanner<'t> {
    text: &'t str,
    at: usize,
}

impl Scanner<'_> {
    fn peek(&self) -> u8 {
        self.text.as_bytes().get(self.at).copied().unwrap_or(b'}')
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), b' ' | b'\t' | b'\n' | b'\r') && self.at < self.text.len() {
            self.at += 1;
        }
    }

    /// From an opening `"` to just past its closing one.
    fn skip_string(&mut self) {
        let bytes = self.text.as_bytes();
        self.at += 1;
        while self.at < bytes.len() {
            match bytes[self.at] {
                b'\\' => self.at += 2,
                b'"' => {
                    self.at += 1;
                    return;
                }
                _ => self.at += 1,
            }
        }
    }

    /// Past one value: a string, an object or array (with everything nested), or a
    /// number or literal.
    fn skip_value(&mut self) {
        let bytes = self.text.as_bytes();
        match self.peek() {
            b'"' => self.skip_string(),
            b'{' | b'[' => {
                let mut depth = 0usize;
                while self.at < bytes.len() {
                    match bytes[self.at] {
                        b'"' => {
                            self.skip_string();
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.at += 1;
                                return;
                            }
                        }
                        _ => {}
                    }
                    self.at += 1;
                }
            }
            _ => {
                while self.at < bytes.len()
                    && !matches!(
                        bytes[self.at],
                        b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'
                    )
                {
                    self.at += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ours() -> Vec<(&'static str, serde_json::Value)> {
        vec![
            ("type", json!("command")),
            ("command", json!("/bin/blinkline")),
            ("padding", json!(0)),
        ]
    }

    #[test]
    fn a_member_is_added_after_the_last_with_the_files_indent() {
        let text = "{\n\t\"model\": \"opus\",\n\t\"env\": {\"A\": \"\u{e9}\"}\n}\n";
        let out = Document::parse(text)
            .unwrap()
            .with_member("statusLine", &ours());
        assert_eq!(
            out,
            "{\n\t\"model\": \"opus\",\n\t\"env\": {\"A\": \"\u{e9}\"},\n\t\"statusLine\": {\n\t\t\"type\": \"command\",\n\t\t\"command\": \"/bin/blinkline\",\n\t\t\"padding\": 0\n\t}\n}\n"
        );
    }

    #[test]
    fn a_member_is_replaced_in_place_and_the_rest_kept() {
        let text = "{ \"a\":1,\n    \"statusLine\" : {\"type\":\"command\",\"command\":\"ccline\"},\n  \"z\": [1, {\"}\": \"]\"}] }";
        let out = Document::parse(text)
            .unwrap()
            .with_member("statusLine", &ours());
        assert!(
            out.starts_with("{ \"a\":1,\n    \"statusLine\" : {\n"),
            "{out}"
        );
        assert!(out.ends_with("},\n  \"z\": [1, {\"}\": \"]\"}] }"), "{out}");
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            value["statusLine"],
            json!({"type": "command", "command": "/bin/blinkline", "padding": 0})
        );
    }

    #[test]
    fn a_one_line_object_stays_on_one_line() {
        let out = Document::parse("{\"a\": true}")
            .unwrap()
            .with_member("statusLine", &ours());
        assert_eq!(
            out,
            "{\"a\": true, \"statusLine\": {\"type\": \"command\", \"command\": \"/bin/blinkline\", \"padding\": 0}}"
        );
    }

    #[test]
    fn empty_text_and_empty_objects_get_a_first_member() {
        for text in ["", "  \n", "{}", "{\n}\n"] {
            let out = Document::parse(text)
                .unwrap()
                .with_member("a", &[("b", json!(1))]);
            let value: serde_json::Value = serde_json::from_str(&out).unwrap();
            assert_eq!(value, json!({"a": {"b": 1}}), "{text:?} -> {out:?}");
        }
    }

    #[test]
    fn removing_a_member_restores_the_text_before_it_was_added() {
        for text in [
            "{\n  \"a\": 1,\n  \"b\": [2]\n}\n",
            "{\"a\": 1}",
            "{\r\n    \"a\": 1\r\n}\r\n",
        ] {
            let doc = Document::parse(text).unwrap();
            let added = doc.with_member("statusLine", &ours());
            let removed = Document::parse(&added)
                .unwrap()
                .without_member("statusLine")
                .unwrap();
            assert_eq!(removed, text);
        }
    }

    #[test]
    fn removing_the_first_or_only_member_leaves_valid_json() {
        let doc = Document::parse("{\n  \"s\": 1,\n  \"b\": 2\n}").unwrap();
        assert_eq!(doc.without_member("s").unwrap(), "{\n  \"b\": 2\n}");
        let doc = Document::parse("{ \"s\": {\"x\": 1} }").unwrap();
        assert_eq!(doc.without_member("s").unwrap(), "{}");
        assert_eq!(doc.without_member("nope"), None);
    }

    #[test]
    fn escaped_keys_and_strings_with_braces_are_found() {
        let text = r#"{"a\"}": "{[", "st\u0061tusLine": 5}"#;
        let doc = Document::parse(text).unwrap();
        assert_eq!(doc.get("statusLine"), Some("5"));
        assert_eq!(doc.get("a\"}"), Some("\"{[\""));
    }

    #[test]
    fn invalid_json_is_refused_with_its_position() {
        let err = Document::parse("{\n  \"a\": 1,\n}\n").unwrap_err();
        assert!(
            matches!(
                err,
                JsonError::Invalid {
                    line: 3,
                    column: 1,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(Document::parse("[1]").unwrap_err(), JsonError::NotAnObject);
    }
}
