//! Where transcripts are: the Claude config directories and the `.jsonl` files under their
//! `projects/`, as ccusage finds them.
//!
//! The directories are those of `CLAUDE_CONFIG_DIR` when it is set (several may be given,
//! separated by commas; each is used when it has a `projects/` directory), else both
//! `$XDG_CONFIG_HOME/claude` (`~/.config/claude`) and `~/.claude`. The same directory
//! reached twice (a symbolic link, a repeated entry) is read once.
//!
//! Under `projects/`, each directory is a project; every `.jsonl` file below it, at any
//! depth, is a transcript. A file directly in the project directory is a session named
//! after the file; a file deeper down (`<session>/subagents/agent-….jsonl`, a sub-agent's
//! transcript) belongs to the session named by the first directory below the project.
//! Paths that are not UTF-8 are skipped.

use std::path::{Path, PathBuf};

use crate::input::env::Environment;

/// A transcript and whose it is.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Found {
    pub path: String,
    pub project: String,
    pub session: String,
}

/// The config directories to read, existing ones only, each once.
pub fn roots(env: &Environment) -> Vec<PathBuf> {
    let candidates: Vec<PathBuf> = match env.claude_config_dir.as_deref() {
        Some(list) => list
            .split(',')
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .collect(),
        None => {
            let mut dirs = Vec::new();
            match (&env.config_home, &env.home) {
                (Some(config), _) => dirs.push(Path::new(config).join("claude")),
                (None, Some(home)) => dirs.push(Path::new(home).join(".config/claude")),
                _ => {}
            }
            if let Some(home) = &env.home {
                dirs.push(Path::new(home).join(".claude"));
            }
            dirs
        }
    };
    let mut seen = Vec::new();
    let mut roots = Vec::new();
    for dir in candidates {
        let Ok(real) = dir.join("projects").canonicalize() else {
            continue;
        };
        if real.is_dir() && !seen.contains(&real) {
            seen.push(real);
            roots.push(dir);
        }
    }
    roots
}

/// Every transcript under the roots' `projects/`, sorted by path.
pub fn find(roots: &[PathBuf]) -> Vec<Found> {
    let mut found = Vec::new();
    for root in roots {
        let Ok(projects) = std::fs::read_dir(root.join("projects")) else {
            continue;
        };
        for project in projects.flatten() {
            let Ok(name) = project.file_name().into_string() else {
                continue;
            };
            if project.path().is_dir() {
                walk(&project.path(), &name, None, 0, &mut found);
            }
        }
    }
    found.sort();
    found.dedup_by(|a, b| a.path == b.path);
    found
}

/// Directories deeper than this below a project are not read (a link loop stops here).
const MAX_DEPTH: usize = 6;

fn walk(dir: &Path, project: &str, session: Option<&str>, depth: usize, out: &mut Vec<Found>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let Ok(name) = entry.file_name().into_string() else {
            continue;
        };
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            if depth < MAX_DEPTH {
                walk(
                    &path,
                    project,
                    Some(session.unwrap_or(&name)),
                    depth + 1,
                    out,
                );
            }
        } else if meta.is_file()
            && let Some(stem) = name.strip_suffix(".jsonl")
            && let Some(path) = path.to_str()
        {
            out.push(Found {
                path: path.to_owned(),
                project: project.to_owned(),
                session: session.unwrap_or(stem).to_owned(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tempdir::TempDir;

    fn touch(path: &Path) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, b"").unwrap();
    }

    #[test]
    fn sub_agent_transcripts_belong_to_their_session() {
        let dir = TempDir::new("usage-dirs").unwrap();
        let p = dir.path().join("c/projects/-home-me-app");
        touch(&p.join("s1.jsonl"));
        touch(&p.join("s1/subagents/agent-a.jsonl"));
        touch(&p.join("notes.txt"));
        let found = find(&[dir.path().join("c")]);
        let got: Vec<(&str, &str)> = found
            .iter()
            .map(|f| (f.project.as_str(), f.session.as_str()))
            .collect();
        assert_eq!(got, [("-home-me-app", "s1"), ("-home-me-app", "s1")]);
        let agent = |f: &Found| {
            f.path
                .replace('\\', "/")
                .ends_with("subagents/agent-a.jsonl")
        };
        assert!(found.iter().any(agent), "{found:?}");
    }

    #[test]
    fn claude_config_dir_takes_several_directories_once_each() {
        let dir = TempDir::new("usage-roots").unwrap();
        for d in ["a", "b"] {
            std::fs::create_dir_all(dir.path().join(d).join("projects")).unwrap();
        }
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        let list = format!(
            "{}, {},{},{}",
            a.display(),
            b.display(),
            a.display(),
            dir.path().join("missing").display()
        );
        let env = Environment {
            claude_config_dir: Some(list),
            home: Some(dir.path().display().to_string()),
            ..Environment::default()
        };
        assert_eq!(roots(&env), [a, b]);
    }
}
