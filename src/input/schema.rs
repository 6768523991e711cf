//! The payload fields blinkline knows, for `explain`'s schema-drift report.
//!
//! `explain` parses the payload a second time into a `serde_json::Value` (explain is not
//! the hot path) and lists every field whose JSON path is not below, and every field that
//! was `null`. Paths are dotted; a known object's children are checked, a known leaf's
//! value is not looked into.

use serde_json::Value;

/// Every documented field of Claude Code's statusLine payload.
pub const KNOWN_FIELDS: &[&str] = &[
    "hook_event_name",
    "session_id",
    "session_name",
    "prompt_id",
    "transcript_path",
    "cwd",
    "model",
    "model.id",
    "model.display_name",
    "workspace",
    "workspace.current_dir",
    "workspace.project_dir",
    "workspace.added_dirs",
    "workspace.git_worktree",
    "workspace.repo",
    "workspace.repo.host",
    "workspace.repo.owner",
    "workspace.repo.name",
    "version",
    "output_style",
    "output_style.name",
    "cost",
    "cost.total_cost_usd",
    "cost.total_duration_ms",
    "cost.total_api_duration_ms",
    "cost.total_lines_added",
    "cost.total_lines_removed",
    "context_window",
    "context_window.total_input_tokens",
    "context_window.total_output_tokens",
    "context_window.context_window_size",
    "context_window.used_percentage",
    "context_window.remaining_percentage",
    "context_window.current_usage",
    "context_window.current_usage.input_tokens",
    "context_window.current_usage.output_tokens",
    "context_window.current_usage.cache_creation_input_tokens",
    "context_window.current_usage.cache_read_input_tokens",
    "exceeds_200k_tokens",
    "fast_mode",
    "effort",
    "effort.level",
    "thinking",
    "thinking.enabled",
    "rate_limits",
    "rate_limits.five_hour",
    "rate_limits.five_hour.used_percentage",
    "rate_limits.five_hour.resets_at",
    "rate_limits.seven_day",
    "rate_limits.seven_day.used_percentage",
    "rate_limits.seven_day.resets_at",
    "rate_limits.seven_day_opus",
    "rate_limits.seven_day_sonnet",
    "vim",
    "vim.mode",
    "agent",
    "agent.name",
    "pr",
    "pr.number",
    "pr.url",
    "pr.review_state",
    "pr.kind",
    "worktree",
    "worktree.name",
    "worktree.path",
    "worktree.branch",
    "worktree.original_cwd",
    "worktree.original_branch",
];

/// What the payload holds beyond and short of the known schema.
#[derive(Debug, Default, PartialEq)]
pub struct Drift {
    /// Paths of fields blinkline does not know.
    pub unknown: Vec<String>,
    /// Paths of known fields sent as `null`.
    pub nulls: Vec<String>,
}

/// Compares a payload with [`KNOWN_FIELDS`]; `None` when it is not a JSON object.
pub fn drift(payload: &[u8]) -> Option<Drift> {
    let value: Value = serde_json::from_slice(payload).ok()?;
    let mut drift = Drift::default();
    walk(&value, "", &mut drift);
    Some(drift)
}

fn walk(value: &Value, prefix: &str, drift: &mut Drift) {
    let Value::Object(map) = value else {
        return;
    };
    for (key, child) in map {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        if !KNOWN_FIELDS.contains(&path.as_str()) {
            drift.unknown.push(path);
            continue;
        }
        if child.is_null() {
            drift.nulls.push(path);
        } else {
            walk(child, &path, drift);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_fields_are_listed_with_their_paths() {
        let d = drift(br#"{"model":{"id":"x","family":"opus"},"new_thing":{"a":1},"cost":null}"#)
            .unwrap();
        assert_eq!(d.unknown, ["model.family", "new_thing"]);
        assert_eq!(d.nulls, ["cost"]);
    }

    #[test]
    fn the_sample_payload_has_no_drift() {
        let d = drift(crate::setup::SAMPLE_PAYLOAD.as_bytes()).unwrap();
        assert_eq!(d, Drift::default());
    }

    #[test]
    fn nested_nulls_are_found() {
        let d =
            drift(br#"{"context_window":{"used_percentage":null,"current_usage":null}}"#).unwrap();
        assert_eq!(
            d.nulls,
            [
                "context_window.current_usage",
                "context_window.used_percentage"
            ]
        );
    }

    #[test]
    fn broken_json_gives_no_report() {
        assert_eq!(drift(b"{"), None);
    }
}
