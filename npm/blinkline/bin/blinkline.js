#!/usr/bin/env node
// Runs the native blinkline binary that this platform's package (an optional dependency
// with `os`/`cpu` fields, so npm installs only the matching one) carries: stdio inherited,
// the exit status passed through, signals forwarded. Claude Code runs its status line on
// every update: point it at the native binary, which this launcher starts, not at this file.
"use strict";

const { spawn } = require("child_process");

const PACKAGES = {
  "linux-x64": "@blinkline/linux-x64",
  "linux-arm64": "@blinkline/linux-arm64",
  "darwin-x64": "@blinkline/darwin-x64",
  "darwin-arm64": "@blinkline/darwin-arm64",
  "win32-x64": "@blinkline/win32-x64",
};

function fail(message) {
  process.stderr.write(`blinkline: ${message}\n`);
  process.exit(1);
}

function nativeBinary() {
  const platform = `${process.platform}-${process.arch}`;
  const pkg = PACKAGES[platform];
  if (!pkg) {
    fail(`no prebuilt binary for ${platform}; build it from source: cargo install blinkline`);
  }
  const exe = process.platform === "win32" ? "blinkline.exe" : "blinkline";
  try {
    return require.resolve(`${pkg}/bin/${exe}`);
  } catch (_) {
    fail(
      `the binary for ${platform} (package ${pkg}) is not installed; ` +
        `reinstall blinkline with optional dependencies (not --omit=optional or --no-optional)`,
    );
  }
}

const binary = nativeBinary();
const child = spawn(binary, process.argv.slice(2), { stdio: "inherit", windowsHide: true });
const forwarded =
  process.platform === "win32"
    ? ["SIGINT", "SIGBREAK"]
    : ["SIGINT", "SIGTERM", "SIGHUP", "SIGUSR1", "SIGUSR2", "SIGCONT"];
for (const signal of forwarded) {
  process.on(signal, () => child.kill(signal));
}
child.on("error", (err) => fail(`cannot run ${binary}: ${err.message}`));
child.on("exit", (code, signal) => {
  if (signal) {
    // Die of the same signal, so the caller sees what the binary saw.
    for (const s of forwarded) process.removeAllListeners(s);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code);
});
