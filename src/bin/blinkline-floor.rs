//! The floor: the least a status line command can do (read stdin, print one fixed line).
//! `blinkline bench --processes N` times it beside blinkline in the same run, so every
//! whole-process figure comes with its ratio to what this machine needs just to start a
//! process. Built with the same release profile as blinkline.

use std::io::{Read, Write};

fn main() {
    let mut buf = Vec::with_capacity(8192);
    let _ = std::io::stdin().lock().read_to_end(&mut buf);
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(b"Opus 4.6 | ctx 28% | main +1 -1 | $0.58\n");
}
