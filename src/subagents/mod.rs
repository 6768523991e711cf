//! `blinkline subagents`: the rows of Claude Code's `subagentStatusLine`.
//!
//! Claude Code (2.1.205 and later) runs this command on each refresh with the base
//! status-line fields plus `columns` and `tasks` on stdin, and reads one JSON line per row
//! from stdout: `{"id":"…","content":"…"}`, the id echoed exactly (JSON-escaped) and the
//! content a styled row (ANSI colours, like the main line). An empty `content` hides the
//! task's row. A task without a string `id` cannot be matched and gets no row.
//!
//! The row is drawn by the same sink as the main line: `--theme`, `--charset`, `--color`
//! and the config file's `theme`/`charset`/`icons`/`color` apply, and `--format plain`
//! drops the colours. The width is `--width`, else the payload's `columns`, else
//! `$COLUMNS`; every row fits it (see `row.rs` for what goes first).
//!
//! A broken payload gives no rows, a message on stderr and exit 0 (`--strict`: exit 2),
//! the main line's rule.
//!
//! Read next: `task.rs` (the payload), `row.rs` (one row).

pub mod row;
pub mod task;

use std::io::Write as _;
use std::process::ExitCode;

use crate::cli::RenderArgs;
use crate::config::resolve::Settings;
use crate::error::Error;
use crate::format::OutputFormat;
use crate::format::ansi::{AnsiSink, Look};
use crate::format::json::write_json_string;
use crate::format::theme::ColorDepth;
use crate::input::InputProblem;
use crate::input::env::Environment;
use row::{PART_NAMES, RowBuilder, RowStyle};
use task::SubagentPayload;

/// `blinkline subagents`.
pub fn command(args: &RenderArgs) -> Result<ExitCode, Error> {
    let env = Environment::capture();
    let settings = Settings::resolve(args, &env)?;
    if !matches!(settings.format, OutputFormat::Ansi | OutputFormat::Plain) {
        return Err(Error::SubagentsFormat);
    }
    for problem in &settings.problems {
        let _ = writeln!(std::io::stderr(), "blinkline: config: {problem}");
    }
    let mut payload = Vec::with_capacity(16 * 1024);
    let mut problem = crate::setup::read_input(settings.input.as_deref(), false, &mut payload);
    let mut out = String::new();
    if problem.is_none() && payload.iter().all(u8::is_ascii_whitespace) {
        problem = Some(InputProblem::Empty);
    }
    if problem.is_none() {
        match task::decode(&payload) {
            Ok(decoded) => write_rows(&decoded, &settings, &env, &mut out),
            Err(err) => problem = Some(InputProblem::from_json_error(&err)),
        }
    }
    if let Err(err) = std::io::stdout().write_all(out.as_bytes())
        && err.kind() != std::io::ErrorKind::BrokenPipe
    {
        let _ = writeln!(std::io::stderr(), "blinkline: cannot write the rows: {err}");
        return Ok(ExitCode::from(2));
    }
    if let Some(problem) = &problem {
        let _ = writeln!(std::io::stderr(), "blinkline: {problem}");
    }
    let failed = problem.is_some() || !settings.problems.is_empty();
    Ok(if settings.strict && failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// Writes one `{"id","content"}` line per task with an id into `out`.
pub fn write_rows(
    payload: &SubagentPayload<'_>,
    settings: &Settings,
    env: &Environment,
    out: &mut String,
) {
    let Some(tasks) = payload.tasks.as_ref() else {
        return;
    };
    let depth = match settings.format {
        OutputFormat::Plain => ColorDepth::None,
        _ => crate::setup::color_depth(settings.color, env),
    };
    let icons = if settings.icons {
        crate::setup::icon_table(settings).unwrap_or(&[])
    } else {
        &[]
    };
    let mut sink = AnsiSink::with_look(Look {
        theme: settings.theme.clone(),
        depth,
        charset: settings.charset,
        icons,
        rules: settings.rules,
        styles: Vec::new(),
    });
    crate::engine::frame::SegmentSink::prepare(&mut sink, &PART_NAMES);
    let width = settings
        .width
        .or_else(|| {
            payload
                .columns
                .filter(|c| *c >= 1.0)
                .map(|c| c.min(crate::cli::MAX_WIDTH as f64) as usize)
        })
        .or(env.columns.map(|c| c.clamp(1, crate::cli::MAX_WIDTH)));
    let style = RowStyle {
        charset: settings.charset,
        rules: settings.rules,
        now: crate::engine::clock::unix_now() as f64,
    };
    let mut rows = RowBuilder::default();
    for task in &tasks.0 {
        let Some(id) = task.id.as_deref() else {
            continue;
        };
        out.push_str("{\"id\":");
        write_json_string(out, id);
        out.push_str(",\"content\":");
        write_json_string(out, rows.row(task, &style, &mut sink, width));
        out.push_str("}\n");
    }
}
