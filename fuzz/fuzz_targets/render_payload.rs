//! Arbitrary bytes as the Claude Code payload, rendered by the whole default line plus every
//! cheap widget, in plain and ANSI output at a width taken from the input. Checks: no panic,
//! a plain frame holds no control character but its line ends, and an ANSI frame holds no
//! escape sequence except our own SGR colours (and OSC 8 links we wrote).
#![no_main]

use blinkline::testing::cli::Cli;
use blinkline::testing::input::env::Environment;
use blinkline::testing::setup::build_renderer;
use clap::Parser;
use libfuzzer_sys::fuzz_target;

fn renderer(format: &str, width: usize) -> blinkline::testing::render::Renderer {
    let width = width.to_string();
    let args = [
        "blinkline",
        "--format",
        format,
        "--width",
        &width,
        "--widgets",
        "cwd,model,context,cost,duration,lines,rate_limits|time;tokens,effort,vim,agent,worktree,pr,repo,session,version,output_style,burn_rate,context_1m,exceeds_200k,added_dirs,project_dir",
    ];
    let cli = Cli::try_parse_from(args).expect("valid arguments");
    let env = Environment {
        home: Some("/home/u".into()),
        colorterm: Some("truecolor".into()),
        ..Environment::default()
    };
    build_renderer(&cli.render, env).expect("valid layout")
}

fuzz_target!(|data: &[u8]| {
    let width = usize::from(data.first().copied().unwrap_or(80)) + 1;
    let mut plain = renderer("plain", width);
    plain.render(data);
    let text = String::from_utf8(plain.frame().as_bytes().to_vec()).expect("frames are UTF-8");
    assert!(
        text.chars().all(|c| c == '\n' || !c.is_control()),
        "control character in {text:?}"
    );

    let mut ansi = renderer("ansi", width);
    ansi.render(data);
    let bytes = ansi.frame().as_bytes();
    let mut i = 0;
    while let Some(off) = memchr_esc(&bytes[i..]) {
        let seq = &bytes[i + off..];
        let ours =
            seq.starts_with(b"\x1b[") || seq.starts_with(b"\x1b]8;;") || seq.starts_with(b"\x1b\\");
        assert!(
            ours,
            "foreign escape {:?}",
            String::from_utf8_lossy(&seq[..seq.len().min(16)])
        );
        i += off + 1;
    }
});

fn memchr_esc(b: &[u8]) -> Option<usize> {
    b.iter().position(|&x| x == 0x1b)
}
