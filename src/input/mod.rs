//! Everything blinkline reads to render: the Claude Code payload (stdin) and the process
//! environment. Start with `payload.rs` for the payload's shape and `lenient.rs` for the
//! decoding rules; `stdin.rs` reads the bounded input; `env.rs` captures the environment once.

pub mod env;
pub mod lenient;
pub mod payload;
pub mod repo_root;
pub mod schema;
pub mod shell;
pub mod stdin;

pub use payload::Session;

use std::fmt;

/// What was wrong with the input. The line still renders; this goes to stderr (and makes
/// `--strict` exit 2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InputProblem {
    Empty,
    TooLarge {
        limit: usize,
    },
    InvalidUtf8,
    InvalidJson {
        line: usize,
        column: usize,
        reason: String,
    },
    NotAnObject,
    Unreadable {
        reason: String,
    },
}

impl fmt::Display for InputProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InputProblem::Empty => write!(f, "stdin was empty; expected Claude Code's status JSON"),
            InputProblem::TooLarge { limit } => write!(
                f,
                "stdin is larger than {} KiB; the payload was ignored",
                limit / 1024
            ),
            InputProblem::InvalidUtf8 => {
                write!(f, "stdin is not valid UTF-8; invalid bytes were replaced")
            }
            InputProblem::InvalidJson {
                line,
                column,
                reason,
            } => {
                write!(
                    f,
                    "stdin is not valid JSON (line {line}, column {column}): {reason}"
                )
            }
            InputProblem::NotAnObject => write!(f, "stdin JSON is not an object"),
            InputProblem::Unreadable { reason } => write!(f, "cannot read stdin: {reason}"),
        }
    }
}

/// Decodes a payload. Never fails: a broken payload yields an empty session and a problem.
/// Allocation-free when the input has no escaped strings.
pub fn parse_session(bytes: &[u8]) -> (Session<'_>, Option<InputProblem>) {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return (Session::default(), Some(InputProblem::Empty));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let decoded = <Session<'_> as lenient::Lenient<'_>>::decode(&mut de).and_then(|s| {
        de.end()?;
        Ok(s)
    });
    match decoded {
        Ok(Some(session)) => (session, None),
        Ok(None) => (Session::default(), Some(InputProblem::NotAnObject)),
        Err(err) => {
            let reason = json_reason(&err);
            let problem = InputProblem::InvalidJson {
                line: err.line(),
                column: err.column(),
                reason,
            };
            (Session::default(), Some(problem))
        }
    }
}

impl InputProblem {
    /// The problem of a payload serde_json could not read.
    pub fn from_json_error(err: &serde_json::Error) -> InputProblem {
        InputProblem::InvalidJson {
            line: err.line(),
            column: err.column(),
            reason: json_reason(err),
        }
    }
}

/// serde_json's message without its " at line L column C" suffix (we print our own).
fn json_reason(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.find(" at line ") {
        Some(cut) => text[..cut].to_owned(),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_payload_decodes_every_documented_field() {
        let json = br#"{"cwd":"/w","session_id":"abc","model":{"id":"claude-opus-4-6","display_name":"Opus 4.6"},
            "workspace":{"current_dir":"/w/sub","project_dir":"/w","added_dirs":["/a","/b"]},
            "cost":{"total_cost_usd":1.5,"total_duration_ms":60000,"total_lines_added":10,"total_lines_removed":"3"},
            "context_window":{"context_window_size":200000,"used_percentage":42.5,"current_usage":{"input_tokens":5}},
            "rate_limits":{"five_hour":{"used_percentage":20,"resets_at":1700000000}},"exceeds_200k_tokens":false}"#;
        let (s, problem) = parse_session(json);
        assert_eq!(problem, None);
        assert_eq!(
            s.model.as_ref().unwrap().display_name.as_deref(),
            Some("Opus 4.6")
        );
        assert_eq!(s.current_dir(), Some("/w/sub"));
        assert_eq!(s.workspace.as_ref().unwrap().added_dirs, Some(Count(2)));
        let cost = s.cost.as_ref().unwrap();
        assert_eq!(
            cost.total_lines_removed,
            Some(3.0),
            "number sent as a string"
        );
        let ctx = s.context_window.as_ref().unwrap();
        assert_eq!(ctx.used_percentage, Some(42.5));
        assert_eq!(ctx.current_usage.as_ref().unwrap().input_tokens, Some(5.0));
        assert_eq!(s.exceeds_200k_tokens, Some(false));
    }

    use lenient::Count;

    #[test]
    fn nulls_and_wrong_types_are_absent_not_errors() {
        let json = br#"{"model":null,"cost":"free","context_window":{"used_percentage":null,"context_window_size":[1]},"cwd":7}"#;
        let (s, problem) = parse_session(json);
        assert_eq!(problem, None);
        assert!(s.model.is_none());
        assert!(s.cost.is_none());
        assert!(s.cwd.is_none());
        let ctx = s.context_window.unwrap();
        assert!(ctx.used_percentage.is_none() && ctx.context_window_size.is_none());
    }

    #[test]
    fn model_as_plain_string_is_accepted() {
        let (s, _) = parse_session(br#"{"model":"claude-sonnet-4"}"#);
        assert_eq!(
            s.model.unwrap().display_name.as_deref(),
            Some("claude-sonnet-4")
        );
    }

    #[test]
    fn duplicate_keys_keep_the_last_value() {
        let (s, problem) = parse_session(br#"{"cwd":"/a","cwd":"/b"}"#);
        assert_eq!(problem, None);
        assert_eq!(s.cwd.as_deref(), Some("/b"));
    }

    #[test]
    fn unknown_keys_are_counted_for_explain() {
        let (s, _) = parse_session(br#"{"cwd":"/a","brand_new_field":{"x":1},"other":2}"#);
        assert_eq!(s.unknown_keys, 2);
    }

    #[test]
    fn broken_json_reports_line_and_column() {
        let (s, problem) = parse_session(b"{\"cwd\": \"/a\",\n  oops}");
        assert_eq!(s, Session::default());
        match problem {
            Some(InputProblem::InvalidJson { line, column, .. }) => {
                assert_eq!((line, column), (2, 3));
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn empty_and_non_object_inputs_are_named() {
        assert_eq!(parse_session(b"  \n").1, Some(InputProblem::Empty));
        assert_eq!(parse_session(b"[1,2]").1, Some(InputProblem::NotAnObject));
        assert_eq!(parse_session(b"\"x\"").1, Some(InputProblem::NotAnObject));
    }

    #[test]
    fn escaped_strings_are_decoded() {
        let (s, _) = parse_session(br#"{"cwd":"/tmp/a\"b\u00e9"}"#);
        assert_eq!(s.cwd.as_deref(), Some("/tmp/a\"b\u{e9}"));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let mut deep = Vec::new();
        deep.extend(std::iter::repeat_n(b'[', 100_000));
        let wrapped = [b"{\"x\":".as_slice(), &deep].concat();
        let (_, problem) = parse_session(&wrapped);
        assert!(matches!(problem, Some(InputProblem::InvalidJson { .. })));
    }
}
