//! The release packaging: the Homebrew formula and Scoop manifest that
//! `scripts/release.py packaging` writes from a release's SHA256SUMS, the npm package's
//! version, and the npm launcher (`npm/blinkline/bin/blinkline.js`) run by node against a
//! node_modules laid out as npm lays it out. The offline install of the packed tarballs
//! themselves is `make npm-check` (it needs `make dist`'s release builds).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use blinkline::testing::tempdir::TempDir;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The five release targets and their npm packages.
const TARGETS: [(&str, &str); 5] = [
    ("x86_64-unknown-linux-musl", "@blinkline/linux-x64"),
    ("aarch64-unknown-linux-musl", "@blinkline/linux-arm64"),
    ("x86_64-apple-darwin", "@blinkline/darwin-x64"),
    ("aarch64-apple-darwin", "@blinkline/darwin-arm64"),
    ("x86_64-pc-windows-gnu", "@blinkline/win32-x64"),
];

fn has(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn release_py(args: &[&str]) -> Output {
    Command::new("python3")
        .arg(format!("{ROOT}/scripts/release.py"))
        .args(args)
        .env_remove("RELEASE_URL_BASE")
        .env_remove("RELEASE_LATEST_URL")
        .output()
        .unwrap()
}

fn archive(target: &str) -> String {
    let ext = if target.contains("windows") {
        "zip"
    } else {
        "tar.gz"
    };
    format!("blinkline-{VERSION}-{target}.{ext}")
}

/// A distinct, well-formed digest per archive name.
fn digest(name: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in name.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    format!("{h:016x}").repeat(4)
}

#[test]
fn committed_formula_and_manifest_match_their_sha256sums() {
    if !has("python3") {
        eprintln!("skipped: python3 is not installed");
        return;
    }
    let out = release_py(&["packaging", "--check"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The committed release covers every target, and each channel names its archives.
    let sums = std::fs::read_to_string(format!("{ROOT}/packaging/SHA256SUMS")).unwrap();
    let hash_of = |name: &str| {
        sums.lines()
            .find_map(|l| l.strip_suffix(name)?.strip_suffix("  "))
            .unwrap_or_else(|| panic!("{name} is not in packaging/SHA256SUMS"))
            .to_owned()
    };
    let formula =
        std::fs::read_to_string(format!("{ROOT}/packaging/homebrew/blinkline.rb")).unwrap();
    for (target, _) in TARGETS.iter().filter(|(t, _)| !t.contains("windows")) {
        assert!(formula.contains(&hash_of(&archive(target))), "{target}");
    }
    let manifest =
        std::fs::read_to_string(format!("{ROOT}/packaging/scoop/blinkline.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(
        manifest["architecture"]["64bit"]["hash"],
        hash_of(&archive("x86_64-pc-windows-gnu"))
    );
}

#[test]
fn packaging_covers_every_target_of_the_sums_with_its_url_and_hash() {
    if !has("python3") {
        eprintln!("skipped: python3 is not installed");
        return;
    }
    let dir = TempDir::new("packaging").unwrap();
    let sums: String = TARGETS
        .iter()
        .map(|(t, _)| format!("{}  {}\n", digest(&archive(t)), archive(t)))
        .collect();
    std::fs::write(dir.join("SHA256SUMS"), &sums).unwrap();
    let out = Command::new("python3")
        .arg(format!("{ROOT}/scripts/release.py"))
        .args(["packaging", "--sums"])
        .arg(dir.join("SHA256SUMS"))
        .arg("--out")
        .arg(dir.join("out"))
        .env("RELEASE_URL_BASE", "https://dl.example.org/v{version}/")
        .env_remove("RELEASE_LATEST_URL")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let formula = std::fs::read_to_string(dir.join("out/homebrew/blinkline.rb")).unwrap();
    for (target, _) in &TARGETS[..4] {
        let url = format!(
            "url \"https://dl.example.org/v{VERSION}/{}\"",
            archive(target)
        );
        let line = formula.lines().position(|l| l.trim() == url);
        let line = line.unwrap_or_else(|| panic!("no {url} in\n{formula}"));
        let sha = format!("sha256 \"{}\"", digest(&archive(target)));
        assert_eq!(formula.lines().nth(line + 1).map(str::trim), Some(&*sha));
    }
    assert!(!formula.contains("windows"), "{formula}");
    assert!(formula.contains(&format!("version \"{VERSION}\"")));
    if has("ruby") {
        let check = Command::new("ruby")
            .arg("-c")
            .arg(dir.join("out/homebrew/blinkline.rb"))
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stderr)
        );
    } else {
        eprintln!("ruby is not installed: the formula's syntax is not checked");
    }

    let manifest = std::fs::read_to_string(dir.join("out/scoop/blinkline.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    let windows = archive("x86_64-pc-windows-gnu");
    assert_eq!(manifest["version"], VERSION);
    assert_eq!(manifest["bin"], "blinkline.exe");
    let arch = &manifest["architecture"]["64bit"];
    assert_eq!(
        arch["url"],
        format!("https://dl.example.org/v{VERSION}/{windows}")
    );
    assert_eq!(arch["hash"], digest(&windows));
    assert_eq!(
        arch["extract_dir"],
        format!("blinkline-{VERSION}-x86_64-pc-windows-gnu")
    );
    // checkver reads the newest version from the newest release's sums; autoupdate builds
    // the next release's URL, directory and hash from it (Scoop's `$version`, `$baseurl`).
    let checkver = &manifest["checkver"];
    assert_eq!(
        checkver["url"],
        "https://releases.example.invalid/blinkline/latest/SHA256SUMS"
    );
    assert_eq!(
        checkver["regex"],
        r"blinkline-([\w.+-]+)-x86_64-pc-windows-gnu\.zip"
    );
    let next = &manifest["autoupdate"]["architecture"]["64bit"];
    assert_eq!(
        next["url"],
        "https://dl.example.org/v$version/blinkline-$version-x86_64-pc-windows-gnu.zip"
    );
    assert_eq!(next["hash"]["url"], "$baseurl/SHA256SUMS");
    assert_eq!(
        next["hash"]["regex"],
        r"([a-fA-F0-9]{64})\s+blinkline-$version-x86_64-pc-windows-gnu\.zip"
    );
    assert_eq!(
        next["extract_dir"],
        "blinkline-$version-x86_64-pc-windows-gnu"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("out/SHA256SUMS")).unwrap(),
        sums
    );
}

#[test]
fn packaging_without_the_windows_archive_writes_no_scoop_manifest() {
    if !has("python3") {
        eprintln!("skipped: python3 is not installed");
        return;
    }
    let dir = TempDir::new("packaging").unwrap();
    let linux = archive(TARGETS[0].0);
    std::fs::write(
        dir.join("SHA256SUMS"),
        format!("{}  {linux}\n", digest(&linux)),
    )
    .unwrap();
    let out = release_py(&[
        "packaging",
        "--sums",
        dir.join("SHA256SUMS").to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let formula = std::fs::read_to_string(dir.join("out/homebrew/blinkline.rb")).unwrap();
    assert!(
        formula.contains(&linux) && !formula.contains("on_macos"),
        "{formula}"
    );
    assert!(!dir.join("out/scoop/blinkline.json").exists());
}

#[test]
fn npm_package_is_at_the_crate_version_with_one_optional_package_per_target() {
    let text = std::fs::read_to_string(format!("{ROOT}/npm/blinkline/package.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(manifest["version"], VERSION);
    assert_eq!(manifest["bin"]["blinkline"], "bin/blinkline.js");
    let optional = manifest["optionalDependencies"].as_object().unwrap();
    assert_eq!(optional.len(), TARGETS.len());
    let launcher =
        std::fs::read_to_string(format!("{ROOT}/npm/blinkline/bin/blinkline.js")).unwrap();
    for (_, package) in TARGETS {
        assert_eq!(optional[package], VERSION, "{package}");
        assert!(launcher.contains(&format!("\"{package}\"")), "{package}");
    }
}

/// A prefix where npm installed `blinkline` and, when `with_binary`, this platform's
/// package holding the binary under test.
fn npm_layout(dir: &Path, platform: &str, with_binary: bool) -> PathBuf {
    let modules = dir.join("node_modules");
    let bin = modules.join("blinkline/bin");
    std::fs::create_dir_all(&bin).unwrap();
    let launcher = bin.join("blinkline.js");
    std::fs::copy(format!("{ROOT}/npm/blinkline/bin/blinkline.js"), &launcher).unwrap();
    if with_binary {
        let native = modules.join(format!("@blinkline/{platform}/bin"));
        std::fs::create_dir_all(&native).unwrap();
        let exe = if cfg!(windows) {
            "blinkline.exe"
        } else {
            "blinkline"
        };
        std::fs::copy(env!("CARGO_BIN_EXE_blinkline"), native.join(exe)).unwrap();
    }
    launcher
}

fn node_platform() -> Option<String> {
    let out = Command::new("node")
        .args(["-p", "process.platform + '-' + process.arch"])
        .output()
        .ok()?;
    Some(String::from_utf8(out.stdout).ok()?.trim().to_owned())
}

fn run_launcher(launcher: &Path, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new("node")
        .arg(launcher)
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", launcher.parent().unwrap())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn npm_launcher_runs_the_platform_binary_with_stdin_and_its_exit_status() {
    let Some(platform) = node_platform() else {
        eprintln!("skipped: node is not installed");
        return;
    };
    let dir = TempDir::new("npm-launcher").unwrap();
    let launcher = npm_layout(&dir, &platform, true);

    let out = run_launcher(&launcher, &["--version"], "");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("blinkline {VERSION}\n")
    );
    assert_eq!(out.status.code(), Some(0));

    // A broken payload under --strict: the line (from stdin) and exit 2 come through.
    let out = run_launcher(&launcher, &["--strict", "--widgets", "model"], "{");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stdout).contains("input"));
    let out = run_launcher(
        &launcher,
        &["--widgets", "model"],
        r#"{"model":{"display_name":"Opus"}}"#,
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "Opus");
}

#[test]
fn npm_launcher_without_the_platform_package_names_the_platform() {
    let Some(platform) = node_platform() else {
        eprintln!("skipped: node is not installed");
        return;
    };
    let dir = TempDir::new("npm-launcher").unwrap();
    let launcher = npm_layout(&dir, &platform, false);
    let out = run_launcher(&launcher, &["--version"], "");
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "blinkline: the binary for {platform} (package @blinkline/{platform}) is not \
             installed; reinstall blinkline with optional dependencies (not --omit=optional \
             or --no-optional)\n"
        )
    );
}

#[cfg(unix)]
#[test]
fn npm_launcher_forwards_sigterm_so_watch_exits_cleanly_with_it() {
    use std::io::{BufRead, BufReader};
    let Some(platform) = node_platform() else {
        eprintln!("skipped: node is not installed");
        return;
    };
    let dir = TempDir::new("npm-launcher").unwrap();
    let launcher = npm_layout(&dir, &platform, true);
    let payload = dir.join("payload.json");
    std::fs::write(&payload, r#"{"model":{"display_name":"Opus"}}"#).unwrap();
    let mut child = Command::new("node")
        .arg(&launcher)
        .args([
            "watch",
            "--widgets",
            "model",
            "--interval",
            "50ms",
            "--input",
        ])
        .arg(&payload)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &*dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert_eq!(lines.next().unwrap().unwrap(), "Opus");
    let sent = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    // The binary got the signal (watch exits 0 on SIGTERM) and the launcher passed its
    // status on; the pipe closes only when the binary itself is gone. Without forwarding,
    // node dies of the signal and the binary keeps writing: the wait below times out.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let drained = lines.all(|l| l.is_ok());
        let _ = tx.send((drained, child.wait().unwrap()));
    });
    let (drained, status) = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("the binary did not exit after the launcher got SIGTERM");
    assert!(drained);
    assert_eq!(status.code(), Some(0), "{status:?}");
}

#[test]
fn install_claude_through_the_npm_launcher_writes_the_native_binarys_path() {
    let Some(platform) = node_platform() else {
        eprintln!("skipped: node is not installed");
        return;
    };
    let dir = TempDir::new("npm-launcher").unwrap();
    let launcher = npm_layout(&dir, &platform, true);
    std::fs::create_dir_all(dir.join("home")).unwrap();
    let out = Command::new("node")
        .arg(&launcher)
        .args(["install", "claude", "--yes", "--no-subagents"])
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.join("home"))
        .env("XDG_CACHE_HOME", dir.join("cache"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let settings = std::fs::read_to_string(dir.join("home/.claude/settings.json")).unwrap();
    let settings: serde_json::Value = serde_json::from_str(&settings).unwrap();
    let exe = if cfg!(windows) {
        "blinkline.exe"
    } else {
        "blinkline"
    };
    let native = dir.join(format!("node_modules/@blinkline/{platform}/bin/{exe}"));
    let native = std::fs::canonicalize(native).unwrap();
    let command = settings["statusLine"]["command"].as_str().unwrap();
    assert_eq!(
        std::fs::canonicalize(command.trim_matches('\'')).ok(),
        Some(native),
        "statusLine runs {command}, not the native binary"
    );
}
