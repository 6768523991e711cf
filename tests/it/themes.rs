//! Whole-line snapshots: every theme × charset × colour depth on four payload shapes.
//! Escape bytes are shown as `␛` so the snapshots read as text.

use blinkline::testing::cli::Cli;
use blinkline::testing::format::themes::theme_names;
use blinkline::testing::input::env::Environment;
use blinkline::testing::setup::{build_renderer, sample_payload};
use clap::Parser;

const EARLY: &str = r#"{"model":{"id":"claude-sonnet-4-5","display_name":"Sonnet 4.5"},
  "workspace":{"current_dir":"/home/user/src/app"},"cost":{"total_cost_usd":0,"total_duration_ms":4000,
  "total_lines_added":0,"total_lines_removed":0},
  "context_window":{"used_percentage":null,"remaining_percentage":null,"current_usage":null,"context_window_size":200000}}"#;

const ONE_MILLION: &str = r#"{"model":{"id":"claude-opus-4-6[1m]","display_name":"Opus 4.6 (1M context)"},
  "workspace":{"current_dir":"/home/user/src/big"},"cost":{"total_cost_usd":23.5,"total_duration_ms":9000000,
  "total_lines_added":3100,"total_lines_removed":950},
  "context_window":{"used_percentage":93,"context_window_size":1000000}}"#;

const NO_LIMITS: &str = r#"{"model":{"display_name":"Opus 4.6"},"workspace":{"current_dir":"/home/user/notes"},
  "cost":{"total_cost_usd":6.2,"total_duration_ms":600000,"total_lines_added":12,"total_lines_removed":3},
  "context_window":{"used_percentage":74,"context_window_size":200000}}"#;

fn render(args: &[&str], payload: &str) -> String {
    let cli = Cli::try_parse_from(std::iter::once("blinkline").chain(args.iter().copied()))
        .expect("valid arguments");
    let env = Environment {
        home: Some("/home/user".into()),
        ..Environment::default()
    };
    let mut renderer = build_renderer(&cli.render, env).expect("renderer builds");
    let report = renderer.render(payload.as_bytes());
    assert!(report.problem.is_none());
    String::from_utf8(renderer.frame().as_bytes().to_vec())
        .expect("frames are UTF-8")
        .replace('\x1b', "␛")
}

#[test]
fn every_theme_charset_and_depth_renders_as_snapshotted() {
    let full = sample_payload(blinkline::testing::engine::clock::unix_now());
    let payloads = [
        ("full", full.as_str()),
        ("early", EARLY),
        ("1m", ONE_MILLION),
        ("no-limits", NO_LIMITS),
    ];
    for theme in theme_names() {
        let mut text = String::new();
        for (label, payload) in payloads {
            for charset in ["nerd-font", "unicode", "ascii"] {
                for depth in ["truecolor", "256", "16", "never"] {
                    let args = [
                        "--theme",
                        theme,
                        "--charset",
                        charset,
                        "--color",
                        depth,
                        "--width",
                        "130",
                        "--threads",
                        "0",
                        "--widgets",
                        "cwd,model,context,cost,duration,lines|rate_limits",
                    ];
                    text.push_str(&format!("{label} {charset} {depth}\n"));
                    text.push_str(&render(&args, payload));
                }
            }
        }
        insta::assert_snapshot!(format!("theme_{theme}"), text);
    }
}
