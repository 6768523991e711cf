//! The sandbox the git widget tests share: a temporary home and cache, repositories built
//! with the git CLI, the binary run as a render or a refresher, and the line `git status`
//! says it must show.

use std::ffi::OsStr;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support as base;

pub use base::{GitCli, Rng, spawn_with_input, write_file as write};

/// The shared sandbox (a home for git's config, a cache, git run through one helper), with
/// the git widget's repositories and renders; removed on drop.
pub struct Sandbox(base::Sandbox);

impl Deref for Sandbox {
    type Target = base::Sandbox;

    fn deref(&self) -> &base::Sandbox {
        &self.0
    }
}

impl Sandbox {
    pub fn new(tag: &str) -> Sandbox {
        Sandbox(base::Sandbox::new(&format!("git-{tag}")))
    }

    /// What `XDG_CACHE_HOME` is set to.
    pub fn cache(&self) -> PathBuf {
        self.cache_home()
    }

    /// A repository at `rel` with one commit of `a.txt` and `b.txt`.
    pub fn repo(&self, rel: &str) -> PathBuf {
        let dir = self.path(rel);
        self.git_cli()
            .repo_with(&dir, &[("a.txt", "a\n"), ("b.txt", "b\n")]);
        dir
    }

    /// A repository whose index is larger than renders compute inline (2,000 files in
    /// 20 directories, one commit): its status comes from the refresher.
    pub fn large_repo(&self, rel: &str) -> PathBuf {
        let dir = self.path(rel);
        for i in 0..2000 {
            write(&dir, &format!("dir{:02}/file-{i:04}.txt", i % 20), "x\n");
        }
        self.git(&dir, &["init", "-q"]);
        self.git(&dir, &["add", "."]);
        self.git(&dir, &["commit", "-qm", "first"]);
        let index = std::fs::metadata(dir.join(".git/index")).unwrap().len();
        assert!(index > 32 << 10, "index of {index} bytes is small");
        dir
    }

    /// A linked worktree of `repo` at `rel`, on a new branch `branch`.
    pub fn worktree(&self, repo: &Path, rel: &str, branch: &str) -> PathBuf {
        let dir = self.path(rel);
        let args = ["worktree", "add", "-q", "-b", branch, dir.to_str().unwrap()];
        self.git(repo, &args);
        dir
    }

    /// Recomputes the cached status of the repository at `dir` (what a render's detached
    /// refresher does), waiting for it.
    pub fn refresh(&self, dir: &Path) {
        self.refresh_with_env(dir, &[] as &[(&str, &str)]);
    }

    /// [`Sandbox::refresh`] with extra environment variables; asserts success.
    pub fn refresh_with_env<V: AsRef<OsStr>>(&self, dir: &Path, env: &[(&str, V)]) {
        let out = self
            .command(&["__refresh-git", dir.to_str().unwrap()])
            .envs(env.iter().map(|(k, v)| (k, v.as_ref())))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Renders `widgets` with `cwd` as the session's directory (plain format).
    pub fn render_in(&self, cwd: &Path, widgets: &str, env: &[(&str, &Path)]) -> Output {
        let mut cmd = self.command(&["--format", "plain", "--widgets", widgets]);
        cmd.envs(env.iter().copied());
        self.run_in(cwd, cmd)
    }

    /// Runs `cmd` (the binary) with the payload of a session in `cwd`, waiting for it.
    pub fn run_in(&self, cwd: &Path, cmd: Command) -> Output {
        let payload = serde_json::json!({"workspace": {"current_dir": cwd}}).to_string();
        let child = base::spawn_with_input(cmd, &payload);
        child.wait_with_output().unwrap()
    }

    pub fn render(&self, cwd: &Path, widgets: &str) -> String {
        let out = self.render_in(cwd, widgets, &[]);
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap().trim_end().to_owned()
    }

    /// Refreshes, then renders both widgets.
    pub fn line(&self, cwd: &Path) -> String {
        self.refresh(cwd);
        self.render(cwd, "git_branch,git_status")
    }

    /// What the line must be, from git's own porcelain output (counted independently).
    pub fn expected(&self, dir: &Path, branch: &str) -> String {
        let porcelain = self.git(
            dir,
            &["status", "--porcelain=v2", "--branch", "--show-stash"],
        );
        let mut n = [0u32; 7];
        let mut ab = String::new();
        for line in porcelain.lines() {
            let xy = line.get(2..4).unwrap_or("");
            match line.as_bytes().first() {
                Some(b'1') => {
                    n[0] += u32::from(!xy.starts_with('.'));
                    n[1] += u32::from(xy.ends_with('M') || xy.ends_with('T'));
                    n[2] += u32::from(xy.ends_with('D'));
                }
                Some(b'2') => {
                    n[3] += 1;
                    n[1] += u32::from(xy.ends_with('M'));
                    n[2] += u32::from(xy.ends_with('D'));
                }
                Some(b'?') => n[4] += 1,
                Some(b'u') => n[5] += 1,
                _ => {}
            }
            if let Some(stash) = line.strip_prefix("# stash ") {
                n[6] = stash.parse().unwrap();
            }
            if let Some(counts) = line.strip_prefix("# branch.ab ") {
                ab = ab_arrows(counts);
            }
        }
        let mut parts: Vec<String> = ["+", "!", "✘", "»", "?", "="]
            .iter()
            .zip(n)
            .filter(|(_, count)| *count > 0)
            .map(|(sym, count)| format!("{sym}{count}"))
            .collect();
        if parts.is_empty() {
            parts.push("✔".into());
        }
        if n[6] > 0 {
            parts.push(format!("${}", n[6]));
        }
        format!("{branch}{ab} │ {}", parts.join(" "))
    }
}

/// Waits until no refresher holds a lock (each holds its record's lock while it works).
pub fn wait_for_refreshers(cache: &Path) {
    let dir = cache.join("blinkline");
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        if entry.path().extension().is_some_and(|e| e == "lock") {
            let file = std::fs::File::open(entry.path()).unwrap();
            file.lock().unwrap();
        }
    }
}

/// The arrows `git_branch` shows for git's `# branch.ab +A -B` line: ` ↑A ↓B`, each
/// left out when zero.
pub fn ab_arrows(counts: &str) -> String {
    let (a, b) = counts.split_once(' ').unwrap();
    let (a, b) = (&a[1..], &b[1..]);
    let mut arrows = String::new();
    if a != "0" {
        arrows.push_str(&format!(" ↑{a}"));
    }
    if b != "0" {
        arrows.push_str(&format!(" ↓{b}"));
    }
    arrows
}
