//! `command`: the first line of output of a command you name in your config.
//!
//! Runs `command` (a list is the argv; a string runs with `sh -c`), gives it the Claude
//! Code payload on stdin, and shows the first line of its stdout with control characters
//! and escape sequences removed, cut to `max_chars`. Only the config names the command:
//! nothing from the payload is ever run. It runs in the session's current directory when
//! that exists.
//!
//! Deadlines: the command is killed (its whole process group, SIGKILL) when it runs past
//! `timeout`. The frame waits at most `wait` for it; a command that is slower than that, or
//! fails, or times out, shows its last output instead, marked stale. The last output is
//! kept per session and command in the cross-process cache (`$XDG_CACHE_HOME/blinkline`),
//! so a new blinkline process shows it too. A command still running when the line has been
//! written finishes (or is killed at `timeout`) before the process exits, so its output is
//! cached for the next render; the line itself never waits for it. Keep `wait` below the
//! frame budget (`--budget`, 5 ms by default).
//!
//! Trust: a command runs only when its config is trusted (`trusted = true`). The config
//! loader sets `trusted` itself, overriding any value written in the file: true only when
//! the config file is owned by the user running blinkline and is not writable by group or
//! others. Widgets given on the command line (`--widgets`, `--set`) are trusted. An
//! untrusted command widget runs nothing and shows `⚠ untrusted`.
//!
//! ```toml
//! [widget.command]
//! command = ["git", "describe", "--tags", "--always"]
//! timeout = "200ms"
//! ```
//!
//! Nothing outlives blinkline: the command runs under the process's one child supervisor
//! (`engine/children.rs`), which on Linux ties it to the process (it gets SIGKILL when
//! blinkline dies, even of SIGKILL), and a render cancelled by SIGTERM, SIGINT or SIGHUP
//! kills the command's process group before it exits.
//!
//! Hides when the command printed nothing and has no cached output. Unlike the other
//! widgets it allocates while rendering: it runs on the worker pool (`Cost::Slow`), and
//! hands the command to the supervisor, which serves every running command from one
//! thread.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use crate::cache::{Cache, record_name};
use crate::engine::children::{self, Ended, Run, Spec};
use crate::engine::slots::{Outcome, SlotContent, Tone};
use crate::sanitize::{clean, push_clean};
use crate::widgets::options::{Int, OptionKind, show_millis, widget_options};
use crate::widgets::{Cost, OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "command",
    summary: "first line of a configured command's output (payload on stdin, timeout, cached)",
    options: CommandOptions::SPECS,
    fields: &[],
    build,
};

/// Stdout read past this is ignored (the pipe is closed).
const MAX_OUTPUT: usize = 64 * 1024;

struct CommandWidget {
    argv: Vec<String>,
    /// The argv joined with NUL bytes: the command's part of the cache key.
    key: Vec<u8>,
    timeout: Duration,
    wait: Duration,
    max_chars: usize,
    trusted: bool,
    cache: OnceLock<Option<Cache>>,
    in_flight: Mutex<Vec<Run>>,
}

/// The line a run shows: the first line of a successful run's output.
fn output(ended: &Ended, max_chars: usize) -> Option<String> {
    match ended {
        Ended::Exited {
            success: true,
            stdout,
        } => Some(first_line(stdout, max_chars)),
        _ => None,
    }
}

/// A duration option: `"100ms"`, `"2s"`, or a number of milliseconds; 1 ms to 10 s.
fn duration(options: &Options, key: &str, default: Duration) -> Result<Duration, OptionError> {
    let error = |got: String| OptionError {
        widget: options.widget.clone(),
        key: key.into(),
        message: format!("must be a duration from 1ms to 10s like \"100ms\" or \"2s\", got {got}"),
    };
    let default_ms = default.as_secs_f64() * 1000.0;
    let millis = match options.string(key, "") {
        Ok(text) if text.is_empty() => options
            .number(key, default_ms)
            .map_err(|_| error("\"\"".into()))?,
        Ok(text) => {
            let t = text.trim();
            let parsed = match t.strip_suffix("ms") {
                Some(ms) => ms.trim().parse::<f64>().ok(),
                None => t
                    .strip_suffix('s')
                    .and_then(|s| s.trim().parse::<f64>().ok())
                    .map(|s| s * 1000.0),
            };
            parsed.ok_or_else(|| error(format!("\"{text}\"")))?
        }
        Err(_) => options
            .number(key, default_ms)
            .map_err(|e| error(e.message))?,
    };
    if (1.0..=10_000.0).contains(&millis) {
        Ok(Duration::from_secs_f64(millis / 1000.0))
    } else {
        Err(error(format!("{millis}ms")))
    }
}

/// A required command line: a list is the argv; a string runs with `sh -c`.
struct Argv;

impl OptionKind for Argv {
    type Value = Vec<String>;
    fn describe() -> String {
        "list or string".into()
    }
    fn read(options: &Options, key: &str, _: Vec<String>) -> Result<Vec<String>, OptionError> {
        options.argv(key)?.ok_or_else(|| {
            options.invalid(
                key,
                format!("is required, e.g. {key} = [\"git\", \"describe\", \"--always\"]"),
            )
        })
    }
    fn show(_: &Vec<String>) -> String {
        String::new()
    }
}

/// A duration from 1 ms to 10 s: `"100ms"`, `"2s"`, or a number of milliseconds.
struct Deadline;

impl OptionKind for Deadline {
    type Value = Duration;
    fn describe() -> String {
        "duration 1ms–10s".into()
    }
    fn read(options: &Options, key: &str, default: Duration) -> Result<Duration, OptionError> {
        duration(options, key, default)
    }
    fn show(value: &Duration) -> String {
        show_millis(value.as_millis() as u64)
    }
}

widget_options! {
    struct CommandOptions {
        /// The command to run.
        command: Argv = Vec::new(),
        /// The command is killed when it runs longer; a number is milliseconds.
        timeout: Deadline = Duration::from_millis(100),
        /// How long the frame waits for the command's output.
        wait: Deadline = Duration::from_millis(3),
        /// Characters of the first line shown.
        max_chars: Int<1, 300> = 80,
        /// Whether the command may run; set by the config loader, overriding the file (see above).
        trusted: bool = false,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = CommandOptions::parse(options)?;
    Ok(Box::new(CommandWidget {
        key: o.command.join("\0").into_bytes(),
        argv: o.command,
        timeout: o.timeout,
        wait: o.wait,
        max_chars: o.max_chars as usize,
        trusted: o.trusted,
        cache: OnceLock::new(),
        in_flight: Mutex::new(Vec::new()),
    }))
}

/// The first line of `bytes`, cleaned, trimmed and cut to `max_chars` characters.
fn first_line(bytes: &[u8], max_chars: usize) -> String {
    let text = String::from_utf8_lossy(bytes);
    let line = text.lines().next().unwrap_or("");
    let cleaned: String = clean(line).collect();
    cleaned.trim().chars().take(max_chars).collect()
}

impl CommandWidget {
    fn cache(&self, ctx: &RenderContext<'_>) -> Option<&Cache> {
        self.cache
            .get_or_init(|| Cache::open(ctx.env).ok())
            .as_ref()
    }

    /// Hands the command to the process's child supervisor, which enforces the timeout
    /// and caches a good output, even one that comes after the frame.
    fn start(&self, ctx: &RenderContext<'_>, record: Option<(Cache, String)>) -> Run {
        let spec = Spec {
            argv: self.argv.clone(),
            dir: ctx
                .session
                .current_dir()
                .filter(|d| Path::new(d).is_dir())
                .map(PathBuf::from),
            stdin: ctx.payload.to_vec(),
            timeout: self.timeout,
            max_output: MAX_OUTPUT,
        };
        let max_chars = self.max_chars;
        children::start(
            spec,
            Box::new(move |ended| {
                if let (Some(line), Some((cache, name))) = (output(ended, max_chars), &record)
                    && cache.read(name).as_deref() != Some(line.as_bytes())
                {
                    let _ = cache.write(name, line.as_bytes());
                }
            }),
        )
    }

    /// Shows the cached output, marked stale; `reason` goes to `explain`.
    fn last_output(
        &self,
        out: &mut SlotContent,
        record: Option<&(Cache, String)>,
        reason: &'static str,
    ) -> Outcome {
        out.source = reason;
        let Some(bytes) = record.and_then(|(cache, name)| cache.read(name)) else {
            return Outcome::Hidden;
        };
        push_clean(out, &first_line(&bytes, self.max_chars));
        out.stale = true;
        if out.text.is_empty() {
            Outcome::Hidden
        } else {
            Outcome::Shown
        }
    }
}

impl Widget for CommandWidget {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        if !self.trusted {
            out.push_str(ctx.charset.warning());
            out.push_str("untrusted");
            out.tone = Tone::Critical;
            out.source = "config not trusted: commands are off (see `command` docs)";
            return Outcome::Error;
        }
        let session = ctx.session.session_id.as_deref().unwrap_or("");
        let record = self.cache(ctx).map(|cache| {
            (
                cache.clone(),
                record_name("command", &[session.as_bytes(), &self.key]),
            )
        });
        let run = self.start(ctx, record.clone());
        let Some(ended) = run.wait_for(self.wait) else {
            if let Ok(mut in_flight) = self.in_flight.lock() {
                in_flight.push(run);
            }
            return self.last_output(
                out,
                record.as_ref(),
                "command still running: last output shown",
            );
        };
        if let Some(line) = output(&ended, self.max_chars) {
            push_clean(out, &line);
            out.source = "command";
            return if out.text.is_empty() {
                Outcome::Hidden
            } else {
                Outcome::Shown
            };
        }
        let reason = match ended {
            Ended::NotStarted => "command could not be started",
            Ended::TimedOut => "command timed out",
            Ended::Exited { .. } => "command failed",
        };
        let shown = self.last_output(out, record.as_ref(), reason);
        if ended == Ended::NotStarted && shown == Outcome::Hidden {
            out.push_str(ctx.charset.warning());
            out.push_str("command");
            out.tone = Tone::Critical;
            return Outcome::Error;
        }
        shown
    }

    fn cost(&self) -> Cost {
        Cost::Slow
    }

    /// Waits for runs still in flight (each ends by its `timeout`), so a late output is
    /// cached and no command outlives the process unsupervised.
    fn after_frame(&self, _frame: &crate::widgets::AfterFrame<'_>) {
        let runs = match self.in_flight.lock() {
            Ok(mut in_flight) => std::mem::take(&mut *in_flight),
            Err(_) => return,
        };
        for run in runs {
            run.wait();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::OnceLock;
    use std::time::{Duration, Instant};

    use super::{CommandWidget, INFO, Mutex};
    use crate::cache::Cache;
    use crate::engine::slots::{Outcome, SlotContent};
    use crate::tempdir::TempDir;
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;
    use crate::widgets::{Options, Widget};

    fn temp_dir(tag: &str) -> TempDir {
        TempDir::new(&format!("command-{tag}")).unwrap()
    }

    /// A trusted widget running `sh -c script`, caching under `dir`.
    fn widget(dir: &Path, script: &str, timeout_ms: u64, wait_ms: u64) -> CommandWidget {
        let argv = vec!["sh".to_owned(), "-c".to_owned(), script.to_owned()];
        CommandWidget {
            key: argv.join("\0").into_bytes(),
            argv,
            timeout: Duration::from_millis(timeout_ms),
            wait: Duration::from_millis(wait_ms),
            max_chars: 80,
            trusted: true,
            cache: OnceLock::from(Cache::at(dir.join("cache")).ok()),
            in_flight: Mutex::new(Vec::new()),
        }
    }

    fn render(widget: &CommandWidget, payload: &str) -> (Outcome, SlotContent) {
        crate::widgets::testing::with_plain_context(payload, |ctx| {
            let mut out = SlotContent::default();
            let outcome = widget.render(ctx, &mut out);
            (outcome, out)
        })
    }

    const PAYLOAD: &str = r#"{"session_id":"s1","model":{"id":"opus"}}"#;

    #[test]
    #[cfg_attr(not(unix), ignore = "runs sh")]
    fn the_command_reads_the_payload_on_stdin() {
        let dir = temp_dir("stdin");
        let w = widget(
            &dir,
            r#"sed -n 's/.*"id":"\([a-z]*\)".*/model=\1/p'"#,
            2000,
            2000,
        );
        let (outcome, out) = render(&w, PAYLOAD);
        assert_eq!(
            (outcome, out.text.as_str(), out.stale),
            (Outcome::Shown, "model=opus", false)
        );
    }

    #[test]
    #[cfg_attr(not(unix), ignore = "runs sh")]
    fn only_the_first_line_is_shown_cleaned_and_capped() {
        let dir = temp_dir("line");
        let w = widget(
            &dir,
            r"printf ' a\033[31mb\033]0;t\007c \nsecond\n'",
            2000,
            2000,
        );
        assert_eq!(render(&w, PAYLOAD).1.text.as_str(), "abc");
        let mut short = widget(&dir.join("cap"), "echo abcdefgh", 2000, 2000);
        short.max_chars = 3;
        assert_eq!(render(&short, PAYLOAD).1.text.as_str(), "abc");
    }

    #[test]
    #[cfg_attr(not(unix), ignore = "runs sh")]
    fn a_slow_command_shows_its_last_output_stale_and_is_killed_at_its_timeout() {
        let dir = temp_dir("slow");
        let flag = dir.join("slow-now");
        let script = format!("if [ -e '{}' ]; then sleep 30; fi; echo v1", flag.display());
        let w = widget(&dir, &script, 300, 1000);
        let (outcome, out) = render(&w, PAYLOAD);
        assert_eq!(
            (outcome, out.text.as_str(), out.stale),
            (Outcome::Shown, "v1", false)
        );
        w.after_frame(&crate::widgets::AfterFrame {
            refresher: &crate::cache::Refresher::Detached,
            transcripts: &crate::transcript::Transcripts::default(),
            git: &crate::git::probe::GitState::default(),
        });
        std::fs::write(&flag, b"").unwrap();
        let started = Instant::now();
        let (outcome, out) = render(&w, PAYLOAD);
        assert_eq!(
            (outcome, out.text.as_str(), out.stale),
            (Outcome::Shown, "v1", true)
        );
        assert_eq!(out.source, "command timed out");
        w.after_frame(&crate::widgets::AfterFrame {
            refresher: &crate::cache::Refresher::Detached,
            transcripts: &crate::transcript::Transcripts::default(),
            git: &crate::git::probe::GitState::default(),
        });
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "sleep 30 was killed at the timeout"
        );
    }

    #[test]
    #[cfg_attr(not(unix), ignore = "runs sh")]
    fn a_command_slower_than_wait_shows_the_cached_value_and_caches_the_new_one() {
        let dir = temp_dir("wait");
        let counter = dir.join("n");
        let script = format!(
            "n=$(cat '{0}' 2>/dev/null || echo 0); echo $((n+1)) > '{0}'; sleep 0.2; echo run$n",
            counter.display()
        );
        let w = widget(&dir, &script, 5000, 1);
        let (outcome, _) = render(&w, PAYLOAD);
        assert_eq!(outcome, Outcome::Hidden, "nothing cached yet");
        w.after_frame(&crate::widgets::AfterFrame {
            refresher: &crate::cache::Refresher::Detached,
            transcripts: &crate::transcript::Transcripts::default(),
            git: &crate::git::probe::GitState::default(),
        });
        let (outcome, out) = render(&w, PAYLOAD);
        assert_eq!(
            (outcome, out.text.as_str(), out.stale),
            (Outcome::Shown, "run0", true)
        );
        w.after_frame(&crate::widgets::AfterFrame {
            refresher: &crate::cache::Refresher::Detached,
            transcripts: &crate::transcript::Transcripts::default(),
            git: &crate::git::probe::GitState::default(),
        });
    }

    #[test]
    #[cfg_attr(not(unix), ignore = "runs sh")]
    fn a_timeout_with_nothing_cached_hides() {
        let dir = temp_dir("timeout");
        let w = widget(&dir, "sleep 30", 100, 5000);
        let started = Instant::now();
        let (outcome, out) = render(&w, PAYLOAD);
        assert_eq!(
            (outcome, out.source),
            (Outcome::Hidden, "command timed out")
        );
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    #[test]
    #[cfg_attr(not(unix), ignore = "runs sh")]
    fn a_failing_command_falls_back_and_a_missing_one_is_an_error() {
        let dir = temp_dir("fail");
        let w = widget(&dir, "echo partial; exit 3", 2000, 2000);
        assert_eq!(render(&w, PAYLOAD).0, Outcome::Hidden);
        let mut missing = widget(&dir.join("missing"), "", 2000, 2000);
        missing.argv = vec!["/nonexistent/blinkline-test-command".into()];
        let (outcome, out) = render(&missing, PAYLOAD);
        assert_eq!(
            (outcome, out.text.as_str()),
            (Outcome::Error, "\u{26a0} command")
        );
    }

    #[test]
    fn an_untrusted_config_runs_nothing() {
        let dir = temp_dir("untrusted");
        let marker = dir.join("ran");
        let t = WidgetTester::new("command").option(
            "command",
            OptionValue::Str(format!("touch '{}'", marker.display())),
        );
        let r = t.render(PAYLOAD);
        assert_eq!(
            (r.outcome, r.text.as_str()),
            (Outcome::Error, "\u{26a0} untrusted")
        );
        assert!(!marker.exists());
    }

    #[test]
    fn bad_options_are_errors_naming_the_fix() {
        let err = |options: Options| (INFO.build)(&options).err().map(|e| e.to_string());
        assert_eq!(
            err(Options::new("command")).as_deref(),
            Some(
                "widget `command` option `command`: is required, e.g. command = [\"git\", \"describe\", \"--always\"]"
            )
        );
        let with = |key: &str, value: OptionValue| {
            Options::new("command")
                .with("command", OptionValue::Str("true".into()))
                .with(key, value)
        };
        assert_eq!(
            err(with("timeout", OptionValue::Str("fast".into()))).as_deref(),
            Some(
                "widget `command` option `timeout`: must be a duration from 1ms to 10s like \"100ms\" or \"2s\", got \"fast\""
            )
        );
        assert!(err(with("timeout", OptionValue::Int(60_000))).is_some());
        assert!(err(with("timeout", OptionValue::Str("2s".into()))).is_none());
        assert!(err(Options::new("command").with("command", OptionValue::List(vec![]))).is_some());
    }
}
