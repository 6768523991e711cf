//! The one way the tests run the git CLI: a clean environment (only `PATH`
//! kept), a home of their own, no system config, `main` as the initial branch, local
//! clones allowed, a fixed author and committer, fixed dates (unless asked otherwise) and
//! no editor.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The author and committer date of every commit unless [`GitCli::date`] says otherwise.
pub const FIXED_DATE: &str = "2026-01-01T00:00:00Z";

/// How git is run: the home it sees, the commit date and an optional global config file.
#[derive(Clone, Debug)]
pub struct GitCli {
    home: PathBuf,
    date: Option<String>,
    global_config: Option<PathBuf>,
}

impl GitCli {
    /// git with `home` as `HOME` and [`FIXED_DATE`] as every commit's date.
    pub fn new(home: impl Into<PathBuf>) -> GitCli {
        GitCli {
            home: home.into(),
            date: Some(FIXED_DATE.to_owned()),
            global_config: None,
        }
    }

    /// Commits get `date` (any format git accepts), or the clock when `None`.
    pub fn date(mut self, date: Option<String>) -> GitCli {
        self.date = date;
        self
    }

    /// git reads `path` as its global config instead of the one in the home.
    pub fn global_config(mut self, path: impl Into<PathBuf>) -> GitCli {
        self.global_config = Some(path.into());
        self
    }

    /// `git args` in `dir`, not yet started.
    pub fn command(&self, dir: &Path, args: &[&str]) -> Command {
        let mut cmd = Command::new("git");
        cmd.args(["-c", "init.defaultBranch=main"])
            .args(["-c", "protocol.file.allow=always"])
            .args(args)
            .current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Test")
            .env("GIT_AUTHOR_EMAIL", "test@example.com")
            .env("GIT_COMMITTER_NAME", "Test")
            .env("GIT_COMMITTER_EMAIL", "test@example.com")
            .env("GIT_EDITOR", "true");
        if let Some(date) = &self.date {
            cmd.env("GIT_AUTHOR_DATE", date)
                .env("GIT_COMMITTER_DATE", date);
        }
        if let Some(global) = &self.global_config {
            cmd.env("GIT_CONFIG_GLOBAL", global);
        }
        cmd
    }

    /// Runs `git args` in `dir` and returns what it did, success or not.
    pub fn output(&self, dir: &Path, args: &[&str]) -> Output {
        self.command(dir, args).output().expect("git runs")
    }

    /// Runs `git args` in `dir`, asserting success; returns stdout.
    pub fn run(&self, dir: &Path, args: &[&str]) -> Vec<u8> {
        succeeded(args, self.output(dir, args))
    }

    /// [`GitCli::run`] with `input` on stdin.
    pub fn run_with_input(&self, dir: &Path, args: &[&str], input: &[u8]) -> Vec<u8> {
        let mut child = self
            .command(dir, args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("git runs");
        let mut stdin = child.stdin.take().unwrap();
        let input = input.to_vec();
        let feeder = std::thread::spawn(move || stdin.write_all(&input));
        let out = child.wait_with_output().unwrap();
        let _ = feeder.join();
        succeeded(args, out)
    }

    /// [`GitCli::run`] as text.
    pub fn text(&self, dir: &Path, args: &[&str]) -> String {
        String::from_utf8(self.run(dir, args)).expect("git output is UTF-8")
    }

    /// A repository at `dir` with one commit of `files` (path, content).
    pub fn repo_with(&self, dir: &Path, files: &[(&str, &str)]) {
        std::fs::create_dir_all(dir).unwrap();
        self.run(dir, &["init", "-q"]);
        for (rel, content) in files {
            write_file(dir, rel, content);
        }
        self.run(dir, &["add", "."]);
        self.run(dir, &["commit", "-qm", "first"]);
    }
}

/// Writes `content` to `dir/rel`, creating the parent directories.
pub fn write_file(dir: &Path, rel: &str, content: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, content).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
}

fn succeeded(args: &[&str], out: Output) -> Vec<u8> {
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `PATH` as this process has it (what [`GitCli::command`] passes on).
pub fn inherited_path() -> OsString {
    std::env::var_os("PATH").unwrap_or_default()
}
