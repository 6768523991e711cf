//! The status engine as a whole against git, over generated repository states: random
//! edits, additions, removals, renames (`mv`, `git mv`, intent-to-add), ignore files,
//! skip-worktree entries, stashes and commits, in repositories with and without
//! `core.ignoreCase`, sparse checkout and a linked worktree nested in the work tree,
//! counted with `-unormal` and `-uall`.
//!
//! For each state the counts the git widget shows (staged, modified, deleted, renamed,
//! untracked, conflicted, stash) come from the engine's parts (`status::tracked_status_with`,
//! `untracked::count_untracked`, `engine::stash_count`) and from
//! `git --no-optional-locks status --porcelain=v2 --branch --show-stash -z` parsed by
//! `porcelain::parse` (what the widget shows when git answers). Every state must agree,
//! or the engine must say it leaves the state to git ([`Unsupported`]); a read error is a
//! failure. The run prints how many states were tried, equal and deferred. The last state
//! of each repository also goes through the binary (refresher, record, `git_status`
//! widget), whose line must be the one git's output gives.
//!
//! The focused tests below it are the regressions the generator found, one per bug.

use crate::support::git as git_support;

use std::collections::BTreeMap;
use std::path::PathBuf;

use blinkline::testing::git::Oid;
use blinkline::testing::git::RawOid;
use blinkline::testing::git::discover::{GitEnv, discover};
use blinkline::testing::git::engine::{LazyStore, stash_count};
use blinkline::testing::git::porcelain::{self, Counts};
use blinkline::testing::git::status::{
    ConfigEnv, Options, StatusError, Unsupported, tracked_status_with,
};
use blinkline::testing::git::untracked::{TrackedPaths, UntrackedMode, count_untracked};
use git_support::{GitCli, Rng, Sandbox, write};

/// A repository in its own sandbox (empty home, `/dev/null` as the global config).
struct World {
    sandbox: Sandbox,
    dir: PathBuf,
}

impl World {
    /// A repository with one commit of `files`.
    fn new(tag: &str, files: &[(&str, &str)]) -> World {
        let sandbox = Sandbox::new(&format!("diff-{tag}"));
        let dir = sandbox.path("repo");
        let world = World { sandbox, dir };
        world.cli().repo_with(&world.dir, files);
        world
    }

    fn cli(&self) -> GitCli {
        self.sandbox.git_cli().global_config("/dev/null")
    }

    /// `git args`, asserting success.
    fn git(&self, args: &[&str]) -> Vec<u8> {
        self.cli().run(&self.dir, args)
    }

    /// `git args`, success or not (a random step may ask for something git refuses).
    fn try_git(&self, args: &[&str]) -> bool {
        self.cli().output(&self.dir, args).status.success()
    }

    fn write(&self, rel: &str, text: &str) {
        write(&self.dir, rel, text);
    }

    fn remove(&self, rel: &str) {
        let _ = std::fs::remove_file(self.dir.join(rel));
    }

    fn env(&self) -> ConfigEnv {
        ConfigEnv {
            home: Some(self.sandbox.path("home")),
            xdg_config_home: None,
            global_override: Some(PathBuf::from("/dev/null")),
            no_system: true,
        }
    }

    /// What the widget shows when git answers.
    fn git_counts(&self, mode: UntrackedMode) -> Counts {
        let flag = match mode {
            UntrackedMode::All => "-uall",
            UntrackedMode::Normal => "-unormal",
            UntrackedMode::No => "-uno",
        };
        let args = [
            "--no-optional-locks",
            "status",
            "--porcelain=v2",
            "--branch",
            "--show-stash",
            "-z",
            flag,
        ];
        porcelain::parse(&self.git(&args)).unwrap().counts
    }

    /// The engine's counts, or what it leaves to git.
    fn ours(&self, mode: UntrackedMode) -> Result<Counts, Unsupported> {
        let repo = discover(&self.dir, &GitEnv::default()).unwrap().unwrap();
        let store = LazyStore::new(&repo.common_dir);
        let head = self
            .cli()
            .output(&self.dir, &["rev-parse", "-q", "--verify", "HEAD"]);
        let head_tree = Oid::parse(String::from_utf8_lossy(&head.stdout).trim().as_bytes())
            .and_then(|oid| RawOid::from_hex(&oid))
            .map(|oid| store.commit_tree(&oid).unwrap());
        let options = Options {
            config_env: self.env(),
            threads: 1,
            index_file: None,
        };
        let tracked = match tracked_status_with(&repo, head_tree, &store, &options) {
            Ok(tracked) => tracked,
            Err(StatusError::Unsupported(why)) => return Err(why),
            Err(StatusError::Git(e)) => {
                panic!("the engine failed to read {}: {e}", self.dir.display())
            }
        };
        let paths: Vec<&[u8]> = tracked.paths().collect();
        let settings = &tracked.untracked_settings;
        let untracked = count_untracked(
            &repo,
            &TrackedPaths::new(&paths),
            Some(mode),
            settings,
            None,
        )
        .unwrap();
        Ok(Counts {
            untracked,
            stash: stash_count(&repo.common_dir).unwrap(),
            ..tracked.counts
        })
    }

    /// Compares the engine with git: `Ok(None)` equal, `Ok(Some(why))` deferred,
    /// `Err(text)` a difference.
    fn compare(&self, mode: UntrackedMode) -> Result<Option<Unsupported>, String> {
        let ours = self.ours(mode);
        let git = self.git_counts(mode);
        match ours {
            Ok(counts) if counts == git => Ok(None),
            Ok(counts) => Err(format!("{mode:?}: engine {counts:?}\n      git    {git:?}")),
            Err(why) => Ok(Some(why)),
        }
    }

    /// Asserts the engine computes the state (no deferral) and agrees with git.
    fn agrees(&self, mode: UntrackedMode) -> Counts {
        match self.compare(mode) {
            Ok(None) => self.git_counts(mode),
            Ok(Some(why)) => panic!("left to git ({why}), expected counts"),
            Err(diff) => panic!("differs from git: {diff}"),
        }
    }

    /// Asserts the engine leaves the state to git; returns why.
    fn deferred(&self, mode: UntrackedMode) -> Unsupported {
        match self.ours(mode) {
            Err(why) => why,
            Ok(counts) => panic!(
                "expected a deferral, got {counts:?} (git: {:?})",
                self.git_counts(mode)
            ),
        }
    }
}

/// What a generated repository has besides plain files.
#[derive(Clone, Copy, Debug, Default)]
struct Flavour {
    ignore_case: bool,
    sparse: bool,
    nested_worktree: bool,
    renames_off: bool,
}

const NAMES: [&str; 14] = [
    "a.txt",
    "b.txt",
    "README.md",
    "readme.md",
    "Readme.MD",
    "dir/c.txt",
    "dir/C.txt",
    "dir/sub/d.log",
    "dir/sub/e.txt",
    "out/f.txt",
    "out/g.log",
    "Out/h.txt",
    "x.log",
    "new/deep/i.txt",
];

const IGNORE_LINES: [&str; 8] = [
    "*.log", "*.LOG", "!x.log", "out/", "readme*", "sub", "/new/", "*.txt",
];

const IGNORE_FILES: [&str; 3] = [".gitignore", "dir/.gitignore", "out/.gitignore"];

const TEXTS: [&str; 5] = [
    "one\n",
    "two\n",
    "three lines\nof\ntext\n",
    "",
    "one\nplus\n",
];

fn pick<'a>(rng: &mut Rng, items: &[&'a str]) -> &'a str {
    items[rng.below(items.len() as u64) as usize]
}

/// The tracked paths (from `git ls-files`), for steps that act on one.
fn tracked_paths(world: &World) -> Vec<String> {
    let out = world.git(&["ls-files", "-z"]);
    out.split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8(p.to_vec()).unwrap())
        .collect()
}

/// One random change; returns what it did, for the report of a difference.
fn step(world: &World, rng: &mut Rng) -> String {
    let tracked = tracked_paths(world);
    let any_tracked = |rng: &mut Rng| -> String {
        match tracked.len() {
            0 => pick(rng, &NAMES).to_owned(),
            n => tracked[rng.below(n as u64) as usize].clone(),
        }
    };
    match rng.below(14) {
        0 | 1 => {
            let path = any_tracked(rng);
            world.write(&path, pick(rng, &TEXTS));
            format!("edit {path}")
        }
        2 | 3 => {
            let path = pick(rng, &NAMES);
            world.write(path, pick(rng, &TEXTS));
            format!("write {path}")
        }
        4 => {
            let path = any_tracked(rng);
            world.remove(&path);
            format!("rm {path}")
        }
        5 => {
            let (from, to) = (any_tracked(rng), pick(rng, &NAMES));
            if rng.below(2) == 0 {
                let ok = world.try_git(&["mv", "-f", &from, to]);
                format!("git mv {from} {to} ({ok})")
            } else {
                let _ = std::fs::create_dir_all(world.dir.join(to).parent().unwrap());
                let _ = std::fs::rename(world.dir.join(&from), world.dir.join(to));
                format!("mv {from} {to}")
            }
        }
        6 => {
            let (from, to) = (any_tracked(rng), pick(rng, &NAMES));
            let _ = std::fs::create_dir_all(world.dir.join(to).parent().unwrap());
            let _ = std::fs::rename(world.dir.join(&from), world.dir.join(to));
            let ok = world.try_git(&["add", "-N", to]);
            format!("mv {from} {to}; add -N ({ok})")
        }
        7 => {
            let path = pick(rng, &NAMES);
            world.write(path, pick(rng, &TEXTS));
            let ok = world.try_git(&["add", "-N", path]);
            format!("add -N {path} ({ok})")
        }
        8 => {
            let (file, n) = (pick(rng, &IGNORE_FILES), 1 + rng.below(3));
            let lines: Vec<&str> = (0..n).map(|_| pick(rng, &IGNORE_LINES)).collect();
            world.write(file, &(lines.join("\n") + "\n"));
            format!("{file}: {lines:?}")
        }
        9 => {
            let path = pick(rng, &NAMES);
            let ok = world.try_git(&["add", "-A", "--", path]);
            format!("add {path} ({ok})")
        }
        10 => {
            let path = any_tracked(rng);
            let ok = world.try_git(&["update-index", "--skip-worktree", &path]);
            if rng.below(2) == 0 {
                world.remove(&path);
            }
            format!("skip-worktree {path} ({ok})")
        }
        11 => {
            let ok = world.try_git(&["stash", "-q"]);
            format!("stash ({ok})")
        }
        12 => {
            let ok = world.try_git(&["commit", "-qam", "step"]);
            format!("commit -a ({ok})")
        }
        _ => {
            let path = any_tracked(rng);
            let ok = world.try_git(&["rm", "-q", "--cached", &path]);
            format!("rm --cached {path} ({ok})")
        }
    }
}

/// A generated repository of `flavour`.
fn world_of(tag: &str, flavour: Flavour) -> World {
    let world = World::new(
        tag,
        &[
            ("a.txt", "one\n"),
            ("README.md", "readme\n"),
            ("dir/c.txt", "three lines\nof\ntext\n"),
            ("dir/sub/e.txt", "two\n"),
            ("out/f.txt", "one\nplus\n"),
            ("out/.gitignore", "*.log\n"),
        ],
    );
    if flavour.ignore_case {
        world.git(&["config", "core.ignoreCase", "true"]);
    }
    if flavour.renames_off {
        world.git(&["config", "status.renames", "false"]);
    }
    if flavour.sparse {
        world.git(&["sparse-checkout", "set", "dir"]);
    }
    if flavour.nested_worktree {
        let inside = world.dir.join("wt/linked");
        let inside = inside.to_str().unwrap();
        world.git(&["worktree", "add", "-q", "-b", "linked", inside]);
    }
    world
}

#[derive(Default)]
struct Tally {
    tried: u32,
    equal: u32,
    lines: u32,
    deferred: BTreeMap<String, u32>,
    differences: Vec<String>,
}

#[test]
fn generated_states_agree_with_git_or_are_left_to_it() {
    let flavours = [
        ("plain", Flavour::default()),
        (
            "icase",
            Flavour {
                ignore_case: true,
                ..Flavour::default()
            },
        ),
        (
            "sparse",
            Flavour {
                sparse: true,
                ..Flavour::default()
            },
        ),
        (
            "nested",
            Flavour {
                nested_worktree: true,
                ..Flavour::default()
            },
        ),
        (
            "norenames",
            Flavour {
                renames_off: true,
                ..Flavour::default()
            },
        ),
        ("plain2", Flavour::default()),
        ("plain3", Flavour::default()),
        (
            "sparse-nested",
            Flavour {
                sparse: true,
                nested_worktree: true,
                ..Flavour::default()
            },
        ),
    ];
    let steps = 24;
    let mut tally = Tally::default();
    for (seed, (tag, flavour)) in flavours.iter().enumerate() {
        let world = world_of(tag, *flavour);
        let mut rng = Rng(0x5eed_0000 + seed as u64);
        let mut log = Vec::new();
        for i in 0..steps {
            log.push(step(&world, &mut rng));
            let mode = if (i + seed) % 2 == 0 {
                UntrackedMode::All
            } else {
                UntrackedMode::Normal
            };
            tally.tried += 1;
            match world.compare(mode) {
                Ok(None) => tally.equal += 1,
                Ok(Some(why)) => *tally.deferred.entry(why.to_string()).or_default() += 1,
                Err(diff) => tally.differences.push(format!(
                    "{tag} ({flavour:?}) after {log:#?}\n      {diff}\n{}",
                    String::from_utf8_lossy(&world.git(&[
                        "--no-optional-locks",
                        "status",
                        "--porcelain=v2",
                        "-uall"
                    ]))
                )),
            }
        }
        // The same state through the binary: the refresher's record, the widget's line.
        let (line, want) = (
            world.sandbox.line(&world.dir),
            world.sandbox.expected(&world.dir, "main"),
        );
        tally.lines += 1;
        if line != want {
            tally
                .differences
                .push(format!("{tag}: rendered {line:?}, git says {want:?}"));
        }
    }
    println!(
        "{} states tried: {} equal to git, {} left to git {:?}, {} different; {} rendered lines",
        tally.tried,
        tally.equal,
        tally.deferred.values().sum::<u32>(),
        tally.deferred,
        tally.differences.len(),
        tally.lines
    );
    assert!(
        tally.differences.is_empty(),
        "{}",
        tally.differences.join("\n\n")
    );
    // The generator must reach states the engine answers itself, or it proves nothing.
    assert!(tally.equal * 2 > tally.tried, "too few states computed");
}

#[test]
fn ignore_case_true_folds_index_names_and_ignore_patterns_as_git_does() {
    let world = World::new(
        "icase-readme",
        &[
            ("README.md", "readme\n"),
            ("a.txt", "a\n"),
            ("docs/guide.md", "g\n"),
            ("docs/more.md", "m\n"),
        ],
    );
    world.git(&["config", "core.ignoreCase", "true"]);
    // On disk `readme.md` and `Docs/`; the index has `README.md` and `docs/…`.
    std::fs::rename(world.dir.join("README.md"), world.dir.join("readme.md")).unwrap();
    std::fs::rename(world.dir.join("docs"), world.dir.join("Docs")).unwrap();
    world.write("Docs/NEW.md", "n\n");
    world.write("ignored.LOG", "x\n");
    world.write(".gitignore", "*.log\n");
    // git on a case-sensitive file system: the index's names are missing (deleted),
    // their other-case twins are tracked names (not untracked), `*.log` ignores `.LOG`.
    let counts = world.agrees(UntrackedMode::Normal);
    assert_eq!((counts.deleted, counts.untracked), (3, 2));
    assert_eq!(world.agrees(UntrackedMode::All).untracked, 2);
    // The same files with the setting off are counted case-sensitively, and agree.
    world.git(&["config", "core.ignoreCase", "false"]);
    let counts = world.agrees(UntrackedMode::Normal);
    assert_eq!((counts.deleted, counts.untracked), (3, 4));
}

#[test]
fn intent_to_add_rename_is_left_to_git() {
    let world = World::new(
        "ita-rename",
        &[("a.txt", "some content\n"), ("k.txt", "k\n")],
    );
    std::fs::rename(world.dir.join("a.txt"), world.dir.join("b.txt")).unwrap();
    world.git(&["add", "-N", "b.txt"]);
    assert_eq!(world.git_counts(UntrackedMode::Normal).renamed, 1);
    assert_eq!(
        world.deferred(UntrackedMode::Normal),
        Unsupported::IntentToAddRename
    );
    // Without rename detection git shows a deletion and a new file: counted here.
    world.git(&["config", "status.renames", "false"]);
    assert_eq!(world.agrees(UntrackedMode::Normal).deleted, 1);
}

#[test]
fn an_empty_deleted_file_pairs_only_with_an_empty_intent_to_add_file() {
    let world = World::new("ita-empty", &[("empty", ""), ("k.txt", "k\n")]);
    world.remove("empty");
    world.write("n.txt", "not empty\n");
    world.git(&["add", "-N", "n.txt"]);
    assert_eq!(world.agrees(UntrackedMode::Normal).deleted, 1);
    world.write("n2.txt", "");
    world.git(&["add", "-N", "n2.txt"]);
    assert_eq!(world.git_counts(UntrackedMode::Normal).renamed, 1);
    assert_eq!(
        world.deferred(UntrackedMode::Normal),
        Unsupported::IntentToAddRename
    );
}

#[test]
fn sparse_checkout_file_outside_the_cone_present_again_is_compared() {
    let world = World::new(
        "sparse-present",
        &[
            ("in/a.txt", "a\n"),
            ("out/b.txt", "b\n"),
            ("out/c.txt", "c\n"),
        ],
    );
    world.git(&["sparse-checkout", "set", "in"]);
    assert!(!world.dir.join("out").exists());
    world.write("out/b.txt", "changed\n");
    world.write("out/c.txt", "c\n");
    let counts = world.agrees(UntrackedMode::All);
    assert_eq!((counts.modified, counts.untracked), (1, 0));
}

#[test]
fn skip_worktree_gitignore_is_read_from_the_index_by_git() {
    let world = World::new(
        "skip-ignore",
        &[("a.txt", "a\n"), (".gitignore", "*.log\n")],
    );
    world.git(&["update-index", "--skip-worktree", ".gitignore"]);
    world.remove(".gitignore");
    world.write("x.log", "x\n");
    assert_eq!(world.git_counts(UntrackedMode::Normal).untracked, 0);
    assert_eq!(
        world.deferred(UntrackedMode::Normal),
        Unsupported::SkipWorktreeIgnoreFile
    );
    // Present again, the file on disk is the one git reads: counted here.
    world.write(".gitignore", "*.txt\n");
    assert_eq!(world.agrees(UntrackedMode::Normal).untracked, 1);
}

#[test]
fn linked_worktree_nested_in_the_work_tree_is_one_untracked_entry_with_uall() {
    let world = World::new("nested-wt", &[("a.txt", "a\n"), ("d/b.txt", "b\n")]);
    let inside = world.dir.join("wt/linked");
    world.git(&[
        "worktree",
        "add",
        "-q",
        "-b",
        "linked",
        inside.to_str().unwrap(),
    ]);
    for mode in [UntrackedMode::All, UntrackedMode::Normal] {
        assert_eq!(world.agrees(mode).untracked, 1, "{mode:?}");
    }
}
