//! Shared by the integration tests: a temporary sandbox (git run through [`git_cli`]), a transcript whose
//! running token total is known after every line, the binary run as a render or a
//! refresher, and a wait for detached refreshers.
//!
//! On Windows only the platform-free test modules are built, and they use a part of this.
#![cfg_attr(not(unix), allow(dead_code, unused_imports))]

pub mod git;
pub mod git_cli;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use blinkline::testing::tempdir::TempDir;

pub use git_cli::{GitCli, write_file};

/// A small deterministic PRNG (PCG-style LCG), so a failing run can be replayed by seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

/// A temporary directory (with `home/` and the cache under `cache/`), removed on drop.
pub struct Sandbox {
    pub root: PathBuf,
    _dir: TempDir,
}

impl Sandbox {
    pub fn new(tag: &str) -> Sandbox {
        let dir = TempDir::new(tag).unwrap();
        std::fs::create_dir_all(dir.join("home")).unwrap();
        Sandbox {
            root: dir.to_path_buf(),
            _dir: dir,
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    /// What `XDG_CACHE_HOME` is set to; records live in its `blinkline/`.
    pub fn cache_home(&self) -> PathBuf {
        self.root.join("cache")
    }

    pub fn cache_dir(&self) -> PathBuf {
        self.cache_home().join("blinkline")
    }

    /// The binary with a clean environment pointing at this sandbox. Refreshers do not
    /// stay on as git watchers (tests wait for refreshers to finish); the watcher's own
    /// tests set `BLINKLINE_GIT_WATCH=1`.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_blinkline"));
        cmd.args(args)
            .env_clear()
            .env("PATH", git_cli::inherited_path())
            .env("HOME", self.path("home"))
            .env("XDG_CACHE_HOME", self.cache_home())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("BLINKLINE_GIT_WATCH", "0")
            .env("BLINKLINE_TTY_WIDTH", "0");
        cmd
    }

    /// Starts a plain render of `widgets` with `payload` on stdin.
    pub fn render(&self, widgets: &str, payload: &str) -> Child {
        self.render_with_env(widgets, payload, &[])
    }

    /// [`Sandbox::render`] with extra environment variables.
    pub fn render_with_env(&self, widgets: &str, payload: &str, env: &[(&str, &Path)]) -> Child {
        let mut cmd = self.command(&["--format", "plain", "--widgets", widgets]);
        cmd.envs(env.iter().copied());
        if widgets.contains("session_tokens") {
            cmd.args(["--set", "session_tokens.style=exact"]);
        }
        spawn_with_input(cmd, payload)
    }

    /// How git runs here: the sandbox's home, the settings of [`GitCli`].
    pub fn git_cli(&self) -> GitCli {
        GitCli::new(self.path("home"))
    }

    /// Runs git in `dir`, asserting success; returns stdout.
    pub fn git(&self, dir: &Path, args: &[&str]) -> String {
        self.git_cli().text(dir, args)
    }

    /// Runs git in `dir` and returns what it did, success or not.
    pub fn git_output(&self, dir: &Path, args: &[&str]) -> Output {
        self.git_cli().output(dir, args)
    }

    /// A repository at `rel` with one commit of `a.txt`.
    pub fn repo(&self, rel: &str) -> PathBuf {
        let dir = self.path(rel);
        self.git_cli().repo_with(&dir, &[("a.txt", "a\n")]);
        dir
    }

    /// Waits, at most `limit`, until no process holds a refresher lock in the cache;
    /// false if one is still held then.
    pub fn refreshers_done_within(&self, limit: Duration) -> bool {
        let Ok(cache) = blinkline::testing::cache::Cache::at(self.cache_dir()) else {
            return true;
        };
        let deadline = Instant::now() + limit;
        loop {
            let Ok(entries) = std::fs::read_dir(self.cache_dir()) else {
                return true;
            };
            let held = entries
                .flatten()
                .filter_map(|e| {
                    let name = e.file_name().into_string().ok()?;
                    name.strip_suffix(".lock").map(str::to_owned)
                })
                .any(|record| cache.is_locked(&record));
            if !held {
                return true;
            }
            if Instant::now() > deadline {
                return false;
            }
            // Polls other processes (detached refreshers), not threads of this test.
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

impl Drop for Sandbox {
    /// A detached git refresher holds its record's lock until it exits, and a cache write
    /// would create the removed directories again: it is let finish (10 s at most) before
    /// the directory goes.
    fn drop(&mut self) {
        if self.cache_dir().is_dir() {
            let _ = self.refreshers_done_within(Duration::from_secs(10));
        }
    }
}

/// A transcript in Claude Code's line shapes whose token total is known after each line.
pub struct Transcript {
    pub lines: Vec<String>,
    /// `totals[i]`: the session token total of the first `i` lines.
    pub totals: Vec<u64>,
}

impl Transcript {
    /// `calls` API calls, each a prompt of about `pad` bytes and an assistant reply whose
    /// usage repeats over two rows (the last row counts, as in real transcripts).
    pub fn generate(seed: u64, calls: usize, pad: usize) -> Transcript {
        let mut rng = Rng(seed);
        let mut t = Transcript {
            lines: Vec::new(),
            totals: vec![0],
        };
        let filler: String = "lorem ipsum é ✓ ".repeat(pad / 18 + 1);
        let mut total = 0;
        for call in 0..calls {
            t.push(
                format!(
                    r#"{{"isSidechain":false,"type":"user","timestamp":"2026-11-20T09:00:00.000Z","message":{{"role":"user","content":"{filler} \"usage\" {call}"}}}}"#
                ),
                total,
            );
            let usage = [
                rng.below(50),
                rng.below(3000),
                rng.below(200_000),
                rng.below(20_000),
            ];
            let base: u64 = usage.iter().sum();
            for row in 0..2u64 {
                // The second row of a call replaces the first: only its extra output counts.
                total += if row == 0 { base } else { 7 };
                t.push(
                    format!(
                        r#"{{"isSidechain":false,"type":"assistant","timestamp":"2026-11-20T09:00:01.000Z","message":{{"model":"claude-opus-4-6","id":"msg_{seed}_{call}","type":"message","role":"assistant","content":[{{"type":"text","text":"ok"}}],"usage":{{"input_tokens":{},"cache_creation_input_tokens":{},"cache_read_input_tokens":{},"output_tokens":{}}}}},"requestId":"req_{call}"}}"#,
                        usage[0],
                        usage[3],
                        usage[2],
                        usage[1] + row * 7
                    ),
                    total,
                );
            }
        }
        t
    }

    fn push(&mut self, line: String, total: u64) {
        self.lines.push(line + "\n");
        self.totals.push(total);
    }

    /// The first `n` lines as one text.
    pub fn text(&self, n: usize) -> String {
        self.lines[..n].concat()
    }

    pub fn total(&self) -> u64 {
        self.totals.last().copied().unwrap_or(0)
    }
}

/// Starts `cmd` with `input` on stdin and stdout and stderr captured.
pub fn spawn_with_input(mut cmd: Command, input: &str) -> Child {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let _ = child.stdin.take().unwrap().write_all(input.as_bytes());
    child
}

/// The payload a Claude Code session in `cwd` with transcript `transcript` sends.
pub fn payload(transcript: &Path, cwd: Option<&Path>) -> String {
    let mut v = serde_json::json!({ "transcript_path": transcript });
    if let Some(cwd) = cwd {
        v["workspace"] = serde_json::json!({ "current_dir": cwd });
    }
    v.to_string()
}

/// The total in a rendered `session_tokens` segment (`"12345 tok"`).
pub fn tokens_of(segment: &str) -> Option<u64> {
    segment.trim().strip_suffix(" tok")?.parse().ok()
}
