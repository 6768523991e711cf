#!/usr/bin/env python3
"""Release artefacts: archives, npm packages, the Homebrew formula and the Scoop manifest.

    release.py dist          build each target in $DIST_TARGETS (all by default) and write
                             blinkline-<version>-<target>.{tar.gz,zip} plus SHA256SUMS into
                             $DIST_DIR (target/dist)
    release.py npm-pack      the npm packages, from the archives `dist` wrote, into target/npm
    release.py npm-check     install those tarballs offline into a temporary prefix and run
                             the launcher (skips, with a message, without node and npm)
    release.py packaging [--sums F] [--out DIR]
                             packaging/homebrew/blinkline.rb and packaging/scoop/blinkline.json
                             (or into DIR) from $DIST_DIR/SHA256SUMS (or F), which is copied
                             beside them as SHA256SUMS; URLs start with $RELEASE_URL_BASE
                             ({version} in it is the version); Scoop's checkver reads the
                             newest release's sums at $RELEASE_LATEST_URL
    release.py packaging --check
                             regenerate from packaging/SHA256SUMS and compare with packaging/

Each target is one entry of TARGETS: how it is built, its archive format, its npm package.
The shell completions and the man page come from the host's own build (never from a cross
binary, which may not run here). Archives are reproducible for a given commit: sorted
members, owner 0, fixed modes and one timestamp ($SOURCE_DATE_EPOCH, else the commit time).
"""

import argparse
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "blinkline"
NPM_SCOPE = "@blinkline"


@dataclass(frozen=True)
class Target:
    triple: str
    # "cargo" (rustc links it itself) or "zigbuild" (cargo-zigbuild links with zig cc).
    builder: str
    archive: str  # "tar.gz" or "zip"
    npm_os: str  # process.platform
    npm_cpu: str  # process.arch
    label: str  # for the npm package's description
    env: tuple = ()  # extra environment for the build: (name, value) pairs
    tools: tuple = ()  # programs the build needs on PATH, besides cargo

    @property
    def exe(self):
        return NAME + ".exe" if self.archive == "zip" else NAME

    @property
    def npm_name(self):
        return f"{NPM_SCOPE}/{self.npm_os}-{self.npm_cpu}"


TARGETS = [
    Target("x86_64-unknown-linux-musl", "cargo", "tar.gz", "linux", "x64", "Linux x64 (static)"),
    Target("aarch64-unknown-linux-musl", "zigbuild", "tar.gz", "linux", "arm64", "Linux arm64 (static)"),
    Target("x86_64-apple-darwin", "zigbuild", "tar.gz", "darwin", "x64", "macOS x64"),
    Target("aarch64-apple-darwin", "zigbuild", "tar.gz", "darwin", "arm64", "macOS arm64"),
    Target(
        "x86_64-pc-windows-gnu",
        "cargo",
        "zip",
        "win32",
        "x64",
        "Windows x64",
        env=(("CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER", "x86_64-w64-mingw32-gcc"),),
        tools=("x86_64-w64-mingw32-gcc",),
    ),
]
BY_TRIPLE = {t.triple: t for t in TARGETS}

# The shells `blinkline completions` serves that the archives carry, and their file names.
COMPLETIONS = [
    ("bash", "blinkline.bash"),
    ("zsh", "_blinkline"),
    ("fish", "blinkline.fish"),
    ("powershell", "_blinkline.ps1"),
]
DOCS = ["README.md", "LICENSE-MIT", "LICENSE-APACHE"]

DEFAULT_RELEASE_URL_BASE = "https://releases.example.invalid/blinkline/v{version}"
# The newest release's SHA256SUMS: Scoop's `checkver` reads the version from the names in it.
DEFAULT_RELEASE_LATEST_URL = "https://releases.example.invalid/blinkline/latest/SHA256SUMS"


class Failure(Exception):
    """A step that cannot go on; the message is what the user sees."""


def shown(path):
    """`path` relative to the repository when it is inside it."""
    path = Path(path).resolve()
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def say(msg):
    print(msg, file=sys.stderr, flush=True)


def cargo_package():
    with open(ROOT / "Cargo.toml", "rb") as f:
        return tomllib.load(f)["package"]


def version():
    return cargo_package()["version"]


def dist_dir():
    return Path(os.environ.get("DIST_DIR") or ROOT / "target" / "dist")


def archive_name(target, ver):
    return f"{NAME}-{ver}-{target.triple}.{target.archive}"


def source_date_epoch():
    value = os.environ.get("SOURCE_DATE_EPOCH")
    if value:
        return int(value)
    out = subprocess.run(
        ["git", "-C", str(ROOT), "log", "-1", "--format=%ct"], capture_output=True, text=True
    )
    if out.returncode == 0 and out.stdout.strip():
        return int(out.stdout.strip())
    return 315532800  # 1980-01-01, the earliest time a zip entry can hold


def selected_targets():
    wanted = os.environ.get("DIST_TARGETS", "").replace(",", " ").split()
    if not wanted:
        return list(TARGETS)
    unknown = [w for w in wanted if w not in BY_TRIPLE]
    if unknown:
        raise Failure(
            f"dist: unknown target {', '.join(unknown)} in DIST_TARGETS; known: "
            + " ".join(BY_TRIPLE)
        )
    return [BY_TRIPLE[w] for w in wanted]


# ---------------------------------------------------------------------------------------
# dist


def installed_rust_targets():
    """The targets whose standard library the active toolchain's sysroot holds."""
    out = subprocess.run(["rustc", "--print", "sysroot"], cwd=ROOT, capture_output=True, text=True)
    if out.returncode != 0:
        return None
    rustlib = Path(out.stdout.strip()) / "lib" / "rustlib"
    return {d.name for d in rustlib.iterdir() if (d / "lib").is_dir()}


def missing_prerequisite(target, rust_targets):
    """Why `target` cannot be built here, or None."""
    if rust_targets is not None and target.triple not in rust_targets:
        return f"its standard library is not installed (rustup target add {target.triple})"
    for tool in target.tools:
        if shutil.which(tool) is None:
            return f"needs {tool} on PATH"
    if target.builder == "zigbuild":
        if shutil.which("cargo-zigbuild") is None:
            return "needs cargo-zigbuild (cargo install cargo-zigbuild --locked)"
        has_zig = shutil.which("zig") is not None or (
            subprocess.run([sys.executable, "-m", "ziglang", "version"], capture_output=True).returncode
            == 0
        )
        if not has_zig:
            return "needs zig (pip install ziglang)"
    return None


def build(target):
    """Builds the release binary for `target`; returns its path."""
    sub = "zigbuild" if target.builder == "zigbuild" else "build"
    cmd = ["cargo", sub, "--release", "--locked", "--target", target.triple, "--bin", NAME]
    env = dict(os.environ, **dict(target.env))
    say(f"dist: {target.triple}: {' '.join(cmd)}")
    if subprocess.run(cmd, cwd=ROOT, env=env).returncode != 0:
        raise Failure(
            f"dist: {target.triple}: the build failed (see above); leave the target out with "
            f"DIST_TARGETS"
        )
    return ROOT / "target" / target.triple / "release" / target.exe


def host_triple():
    out = subprocess.run(["rustc", "-vV"], capture_output=True, text=True)
    for line in out.stdout.splitlines():
        if line.startswith("host: "):
            return line.removeprefix("host: ").strip()
    return ""


def host_binary(ready):
    """A build for this machine, which generates the completions and the man page: the
    static Linux binary just built when it is this machine's architecture (no second
    build), else a debug build for the host."""
    given = os.environ.get("DIST_HOST_BIN")
    if given:
        return Path(given)
    host = host_triple()
    arch = host.split("-")[0]
    for target, binary in ready:
        if "linux" in host and target.npm_os == "linux" and target.triple.startswith(arch + "-"):
            return binary
    if subprocess.run(["cargo", "build", "--locked", "--bin", NAME], cwd=ROOT).returncode != 0:
        raise Failure("dist: the host build (for completions and the man page) failed")
    return ROOT / "target" / "debug" / NAME


def generated_files(host_bin):
    """(path in the archive, bytes) of the completions and the man page."""
    files = []

    def run(*args):
        out = subprocess.run([str(host_bin), *args], capture_output=True)
        if out.returncode != 0 or not out.stdout:
            raise Failure(f"dist: `{NAME} {' '.join(args)}` failed: {out.stderr.decode()[:200]}")
        return out.stdout

    for shell, file in COMPLETIONS:
        files.append((f"complete/{file}", run("completions", shell)))
    files.append((f"doc/{NAME}.1", run("__man")))
    return files


def archive_members(target, binary, extra):
    """(path, bytes, mode) of every file of the archive, sorted, under one top directory."""
    members = [(target.exe, binary.read_bytes(), 0o755)]
    members += [(doc, (ROOT / doc).read_bytes(), 0o644) for doc in DOCS]
    members += [(path, data, 0o644) for path, data in extra]
    return sorted(members)


def write_tar_gz(path, top, members, mtime):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        dirs = sorted({top} | {f"{top}/{p.rsplit('/', 1)[0]}" for p, _, _ in members if "/" in p})
        entries = [(d, None, 0o755) for d in dirs]
        entries += [(f"{top}/{p}", data, mode) for p, data, mode in members]
        for name, data, mode in sorted(entries, key=lambda e: e[0]):
            info = tarfile.TarInfo(name)
            info.mtime, info.mode, info.uid, info.gid = mtime, mode, 0, 0
            info.uname = info.gname = ""
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    with open(path, "wb") as out:
        # An empty file name and a fixed mtime keep the gzip header the same on every run.
        with gzip.GzipFile(filename="", mode="wb", fileobj=out, mtime=mtime, compresslevel=9) as gz:
            gz.write(raw.getvalue())


def write_zip(path, top, members, mtime):
    stamp = max(mtime, 315532800)
    date_time = tuple(time.gmtime(stamp))[:6]
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for name, data, mode in members:
            info = zipfile.ZipInfo(f"{top}/{name}", date_time=date_time)
            info.create_system = 3  # unix, so the mode below is honoured by unzip
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def cmd_dist():
    targets = selected_targets()
    ver = version()
    out = dist_dir()
    out.mkdir(parents=True, exist_ok=True)
    # The directory holds exactly this run's archives, so SHA256SUMS lists them all.
    for old in out.glob(f"{NAME}-*"):
        old.unlink()
    (out / "SHA256SUMS").unlink(missing_ok=True)

    rust_targets = installed_rust_targets()
    failed = []
    ready = []
    for target in targets:
        why = missing_prerequisite(target, rust_targets)
        if why:
            say(f"dist: {target.triple}: cannot build: {why}")
            failed.append(target.triple)
            continue
        try:
            ready.append((target, build(target)))
        except Failure as e:
            say(str(e))
            failed.append(target.triple)

    if ready:
        extra = generated_files(host_binary(ready))
        mtime = source_date_epoch()
        for target, binary in ready:
            top = f"{NAME}-{ver}-{target.triple}"
            path = out / archive_name(target, ver)
            members = archive_members(target, binary, extra)
            (write_zip if target.archive == "zip" else write_tar_gz)(path, top, members, mtime)
        sums = "".join(
            f"{sha256(p)}  {p.name}\n" for p in sorted(out.glob(f"{NAME}-{ver}-*")) if p.is_file()
        )
        (out / "SHA256SUMS").write_text(sums)
        for p in sorted(out.iterdir()):
            say(f"dist: {p.stat().st_size:>10}  {shown(p)}")
    if failed:
        built = " ".join(t.triple for t, _ in ready)
        hint = f'; select the others with DIST_TARGETS="{built}"' if built else ""
        raise Failure(f"dist: not built: {' '.join(failed)}{hint}")


# ---------------------------------------------------------------------------------------
# npm


def npm_main_manifest(ver):
    """npm/blinkline/package.json with `ver` as its version and its platform packages'."""
    path = ROOT / "npm" / NAME / "package.json"
    manifest = json.loads(path.read_text())
    manifest["version"] = ver
    manifest["optionalDependencies"] = {t.npm_name: ver for t in TARGETS}
    return path, manifest


def write_json(path, value):
    Path(path).write_text(json.dumps(value, indent=2, ensure_ascii=False) + "\n")


def sync_npm_version():
    """Keeps npm/blinkline/package.json at Cargo.toml's version; returns the manifest."""
    path, manifest = npm_main_manifest(version())
    if json.loads(path.read_text()) != manifest:
        write_json(path, manifest)
        say(f"npm: {path.relative_to(ROOT)} now at version {manifest['version']}")
    return manifest


def platform_manifest(target, ver):
    pkg = cargo_package()
    return {
        "name": target.npm_name,
        "version": ver,
        "description": f"The {NAME} binary for {target.label}",
        "license": pkg["license"],
        # The Linux binaries are static (musl): they run on glibc and musl systems alike,
        # so no `libc` field narrows them.
        "os": [target.npm_os],
        "cpu": [target.npm_cpu],
        "files": [f"bin/{target.exe}", "LICENSE-MIT", "LICENSE-APACHE"],
        "preferUnplugged": True,
    }


def extract_binary(target, ver, archive):
    member = f"{NAME}-{ver}-{target.triple}/{target.exe}"
    if target.archive == "zip":
        with zipfile.ZipFile(archive) as z:
            return z.read(member)
    with tarfile.open(archive) as tar:
        return tar.extractfile(member).read()


def npm_pack(stage, dest):
    out = subprocess.run(
        ["npm", "pack", "--silent", "--pack-destination", str(dest)],
        cwd=stage,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise Failure(f"npm-pack: `npm pack` in {stage.name} failed: {out.stderr.strip()[:400]}")
    return dest / out.stdout.strip().splitlines()[-1]


def cmd_npm_pack():
    if shutil.which("npm") is None:
        raise Failure("npm-pack: npm is not installed")
    ver = version()
    manifest = sync_npm_version()
    src = dist_dir()
    dest = ROOT / "target" / "npm"
    stage_root = dest / "stage"
    shutil.rmtree(dest, ignore_errors=True)
    stage_root.mkdir(parents=True)

    packed = []
    for target in TARGETS:
        archive = src / archive_name(target, ver)
        if not archive.exists():
            say(f"npm-pack: {target.npm_name}: no {archive.name} (make dist); not packed")
            continue
        stage = stage_root / f"{target.npm_os}-{target.npm_cpu}"
        (stage / "bin").mkdir(parents=True)
        exe = stage / "bin" / target.exe
        exe.write_bytes(extract_binary(target, ver, archive))
        exe.chmod(0o755)
        write_json(stage / "package.json", platform_manifest(target, ver))
        for doc in ("LICENSE-MIT", "LICENSE-APACHE"):
            shutil.copy(ROOT / doc, stage / doc)
        (stage / "README.md").write_text(
            f"# {target.npm_name}\n\nThe `{NAME}` binary for {target.label}, installed by the "
            f"`{NAME}` package as an optional dependency. Install `{NAME}` instead.\n"
        )
        packed.append(npm_pack(stage, dest))

    stage = stage_root / NAME
    shutil.copytree(ROOT / "npm" / NAME, stage)
    write_json(stage / "package.json", manifest)
    for doc in DOCS:
        shutil.copy(ROOT / doc, stage / doc)
    packed.append(npm_pack(stage, dest))
    shutil.rmtree(stage_root)
    for p in packed:
        say(f"npm-pack: {p.stat().st_size:>10}  {p.relative_to(ROOT)}")


def host_npm_platform():
    out = subprocess.run(
        ["node", "-p", "process.platform + '-' + process.arch"], capture_output=True, text=True
    )
    return out.stdout.strip()


def npm_install(prefix, tarballs, *flags):
    cmd = [
        "npm", "install", "--offline", "--no-audit", "--no-fund", "--no-update-notifier",
        "--cache", str(prefix.parent / "npm-cache"), "--prefix", str(prefix), *flags,
        *map(str, tarballs),
    ]  # fmt: skip
    shown = (c.replace(str(prefix.parent), "$TMP").replace(str(ROOT) + "/", "") for c in cmd)
    say("npm-check: $ " + " ".join(shown))
    out = subprocess.run(cmd, capture_output=True, text=True)
    for line in (out.stdout + out.stderr).strip().splitlines():
        say("npm-check:   " + line.replace(str(prefix.parent), "$TMP"))
    if out.returncode != 0:
        raise Failure("npm-check: the offline install failed")


def check(cond, msg):
    if not cond:
        raise Failure("npm-check: " + msg)


def cmd_npm_check():
    if shutil.which("node") is None or shutil.which("npm") is None:
        say("npm-check: node and npm are not installed; skipping the npm install check")
        return
    ver = version()
    dest = ROOT / "target" / "npm"
    main = dest / f"{NAME}-{ver}.tgz"
    check(main.exists(), f"no {main.relative_to(ROOT)} (make npm-pack)")
    platform = host_npm_platform()
    native = dest / f"{NPM_SCOPE[1:]}-{platform}-{ver}.tgz"
    if not native.exists():
        say(f"npm-check: no package for this platform ({platform}) was packed; skipping")
        return
    with tempfile.TemporaryDirectory(prefix="blinkline-npm-") as tmp:
        prefix = Path(tmp) / "prefix"
        # The launcher package and this platform's (npm refuses to install another
        # platform's package named on its command line: EBADPLATFORM).
        npm_install(prefix, [main, native])
        launcher = prefix / "node_modules" / ".bin" / NAME
        out = subprocess.run([str(launcher), "--version"], capture_output=True, text=True, cwd=tmp)
        say(f"npm-check: $ node_modules/.bin/{NAME} --version -> {out.stdout.strip()!r}, exit {out.returncode}")
        check(out.returncode == 0 and out.stdout.strip() == f"{NAME} {ver}",
              f"the launcher printed {out.stdout.strip()!r} (exit {out.returncode}), not '{NAME} {ver}'")  # fmt: skip

        # stdin reaches the binary and its exit status comes back: a broken payload under
        # --strict still prints a line and exits 2.
        out = subprocess.run([str(launcher), "--strict", "--color", "never"], input="{",
                             capture_output=True, text=True, cwd=tmp)  # fmt: skip
        say(f"npm-check: $ printf '{{' | {NAME} --strict -> exit {out.returncode}, {out.stdout.strip()!r}")
        check(out.returncode == 2 and "input" in out.stdout,
              f"a broken payload under --strict gave exit {out.returncode}, output {out.stdout!r}")  # fmt: skip

        # Without the platform package, the launcher names the platform and the package.
        bare = Path(tmp) / "bare"
        npm_install(bare, [main], "--omit=optional")
        out = subprocess.run([str(bare / "node_modules" / ".bin" / NAME), "--version"],
                             capture_output=True, text=True, cwd=tmp)  # fmt: skip
        say(f"npm-check: without {NPM_SCOPE}/{platform}: exit {out.returncode}, {out.stderr.strip()!r}")
        check(out.returncode == 1 and platform in out.stderr and f"{NPM_SCOPE}/{platform}" in out.stderr,
              f"without the platform package the launcher said {out.stderr!r} (exit {out.returncode})")  # fmt: skip
    say("npm-check: ok")


# ---------------------------------------------------------------------------------------
# Homebrew and Scoop


def read_sums(path):
    sums = {}
    for line in Path(path).read_text().splitlines():
        digest, _, name = line.partition("  ")
        if len(digest) != 64 or not name:
            raise Failure(f"packaging: {path}: not a SHA256SUMS line: {line!r}")
        sums[name] = digest
    return sums


def release_url_base(ver):
    return os.environ.get("RELEASE_URL_BASE", DEFAULT_RELEASE_URL_BASE).format(version=ver).rstrip("/")


def brew_desc(description):
    """The description's first clause, without the leading article `brew audit` rejects."""
    text = description.split(":")[0].removeprefix("The ")
    return text[:1].upper() + text[1:]


def homebrew_formula(ver, sums):
    """The formula for the archives of `sums`, or None when there is none for it."""
    base = release_url_base(ver)
    pkg = cargo_package()

    def block(os_name, arch):
        target = next(t for t in TARGETS if t.npm_os == os_name and t.npm_cpu == arch)
        name = archive_name(target, ver)
        if name not in sums:
            return None
        arm = "on_arm" if arch == "arm64" else "on_intel"
        return f'    {arm} do\n      url "{base}/{name}"\n      sha256 "{sums[name]}"\n    end\n'

    sections = []
    for os_name, brew_os in (("darwin", "on_macos"), ("linux", "on_linux")):
        blocks = [b for b in (block(os_name, "arm64"), block(os_name, "x64")) if b]
        if blocks:
            sections.append(f"  {brew_os} do\n" + "".join(blocks) + "  end\n")
    if not sections:
        return None
    licences = ", ".join(f'"{x.strip()}"' for x in pkg["license"].split(" OR "))
    return (
        f"# Generated by scripts/release.py packaging from the release's SHA256SUMS; do not edit.\n"
        f"class Blinkline < Formula\n"
        f'  desc "{brew_desc(pkg["description"])}"\n'
        f'  version "{ver}"\n'
        f"  license any_of: [{licences}]\n\n"
        + "\n".join(sections)
        + "\n"
        "  def install\n"
        '    bin.install "blinkline"\n'
        '    man1.install "doc/blinkline.1"\n'
        '    bash_completion.install "complete/blinkline.bash" => "blinkline"\n'
        '    zsh_completion.install "complete/_blinkline"\n'
        '    fish_completion.install "complete/blinkline.fish"\n'
        "  end\n\n"
        "  test do\n"
        '    assert_equal "blinkline #{version}", shell_output("#{bin}/blinkline --version").strip\n'
        "  end\n"
        "end\n"
    )


def scoop_manifest(ver, sums):
    """The manifest for the Windows archive of `sums`, or None when it has none.

    `checkver` finds the newest version in the newest release's SHA256SUMS; `autoupdate`
    then fills in the URL, the directory inside the archive and the hash (read from that
    release's SHA256SUMS, next to the archive) for it, as Scoop's App Manifest Autoupdate
    page describes: `$version` and `$baseurl` are Scoop's variables."""
    target = BY_TRIPLE["x86_64-pc-windows-gnu"]
    name = archive_name(target, ver)
    if name not in sums:
        return None
    pkg = cargo_package()
    later = archive_name(target, "$version")
    latest_url = os.environ.get("RELEASE_LATEST_URL", DEFAULT_RELEASE_LATEST_URL)
    manifest = {
        "version": ver,
        "description": pkg["description"],
        "license": "|".join(x.strip() for x in pkg["license"].split(" OR ")),
        "architecture": {
            "64bit": {
                "url": f"{release_url_base(ver)}/{name}",
                "hash": sums[name],
                "extract_dir": f"{NAME}-{ver}-{target.triple}",
            }
        },
        "bin": target.exe,
        "checkver": {
            "url": latest_url,
            "regex": f"{NAME}-([\\w.+-]+)-{target.triple}\\.{target.archive}",
        },
        "autoupdate": {
            "architecture": {
                "64bit": {
                    "url": f"{release_url_base('$version')}/{later}",
                    "hash": {
                        "url": "$baseurl/SHA256SUMS",
                        "regex": f"([a-fA-F0-9]{{64}})\\s+{later.replace('.', chr(92) + '.')}",
                    },
                    "extract_dir": f"{NAME}-$version-{target.triple}",
                }
            }
        },
    }
    return json.dumps(manifest, indent=4) + "\n"


PACKAGING = ROOT / "packaging"
OUTPUTS = [("homebrew/blinkline.rb", homebrew_formula), ("scoop/blinkline.json", scoop_manifest)]


def cmd_packaging(args):
    """Writes the formula and the manifest, or with --check compares packaging/ with them."""
    parser = argparse.ArgumentParser(prog="release.py packaging")
    parser.add_argument("--check", action="store_true", help="compare packaging/, write nothing")
    parser.add_argument("--sums", type=Path, help="the SHA256SUMS to read")
    parser.add_argument("--out", type=Path, default=PACKAGING, help="where to write")
    opts = parser.parse_args(args)
    checking, sums_path, out_dir = opts.check, opts.sums, opts.out
    if sums_path is None:
        sums_path = PACKAGING / "SHA256SUMS" if checking else dist_dir() / "SHA256SUMS"
    if not sums_path.exists():
        raise Failure(f"packaging: no {shown(sums_path)} (make dist)")
    ver = version()
    sums = read_sums(sums_path)
    if checking:
        stale = []
        for rel, generate in OUTPUTS:
            path = out_dir / rel
            if (path.read_text() if path.exists() else None) != generate(ver, sums):
                stale.append(rel)
        if stale:
            raise Failure(
                f"packaging: {', '.join(stale)} differ from what {shown(sums_path)} and Cargo.toml "
                "give; run `make packaging` after `make dist`"
            )
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    if sums_path.resolve() != (out_dir / "SHA256SUMS").resolve():
        shutil.copy(sums_path, out_dir / "SHA256SUMS")
    for rel, generate in OUTPUTS:
        text = generate(ver, sums)
        path = out_dir / rel
        if text is None:
            path.unlink(missing_ok=True)
            say(f"packaging: {rel}: no archive for it in {sums_path.name}; not written")
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        say(f"packaging: wrote {shown(path)}")


def main(argv):
    commands = {
        "dist": lambda: cmd_dist(),
        "npm-pack": lambda: cmd_npm_pack(),
        "npm-check": lambda: cmd_npm_check(),
        "packaging": lambda: cmd_packaging(argv[2:]),
    }
    if len(argv) < 2 or argv[1] not in commands:
        say(f"usage: release.py {'|'.join(commands)}")
        return 2
    try:
        commands[argv[1]]()
    except Failure as e:
        say(str(e))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
