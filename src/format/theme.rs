//! Colours and themes.
//!
//! A theme gives each widget a colour and each tone (warn, critical, …) an override. Colours
//! are written as 24-bit RGB and reduced to the terminal's depth when the frame is styled:
//! truecolor, the 256-colour palette (always inside tmux, where Claude Code's own
//! quantisation is poor), the 16 basic colours, or none.

use crate::engine::slots::Tone;
use crate::input::env::Environment;

/// An RGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Rgb(pub u8, pub u8, pub u8);

/// A colour as a user writes it: 24-bit, or an index of the terminal's 256-colour palette
/// (0–15 are the terminal's own named colours, which its colour scheme decides).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    Rgb(Rgb),
    Index(u8),
}

/// The names of the 16 basic colours, by palette index.
pub const COLOR_NAMES: [&str; 16] = [
    "black",
    "red",
    "green",
    "yellow",
    "blue",
    "magenta",
    "cyan",
    "white",
    "bright-black",
    "bright-red",
    "bright-green",
    "bright-yellow",
    "bright-blue",
    "bright-magenta",
    "bright-cyan",
    "bright-white",
];

impl Color {
    /// Parses `#rrggbb`, `#rgb`, a palette index `0`–`255`, or a name: `red`,
    /// `bright-blue` (`bright_blue` too), `grey`/`gray` (= `bright-black`). The one colour
    /// parser of config options and theme files.
    pub fn parse(text: &str) -> Result<Color, String> {
        let text = text.trim();
        if let Some(hex) = text.strip_prefix('#') {
            let digits = hex.bytes().all(|b| b.is_ascii_hexdigit());
            let nibble = |i: usize| u8::from_str_radix(&hex[i..=i], 16).unwrap_or(0);
            let byte = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0);
            return match hex.len() {
                6 if digits => Ok(Color::Rgb(Rgb(byte(0), byte(2), byte(4)))),
                3 if digits => Ok(Color::Rgb(Rgb(
                    nibble(0) * 17,
                    nibble(1) * 17,
                    nibble(2) * 17,
                ))),
                _ => Err(Self::expected(text)),
            };
        }
        if let Ok(index) = text.parse::<u8>() {
            return Ok(Color::Index(index));
        }
        let name = text.to_ascii_lowercase().replace('_', "-");
        let name = match name.as_str() {
            "grey" | "gray" => "bright-black",
            other => other,
        };
        COLOR_NAMES
            .iter()
            .position(|n| *n == name)
            .map(|i| Color::Index(i as u8))
            .ok_or_else(|| Self::expected(text))
    }

    fn expected(got: &str) -> String {
        let hint = crate::util::closest(got, COLOR_NAMES.iter().copied())
            .map(|n| format!(" (did you mean \"{n}\"?)"))
            .unwrap_or_default();
        format!(
            "must be a colour: \"#rrggbb\", a palette index 0-255 or a name like \"red\", \"bright-blue\"; got \"{got}\"{hint}"
        )
    }

    /// The colour as 24-bit RGB (a palette index as xterm's default palette shows it).
    pub fn rgb(self) -> Rgb {
        match self {
            Color::Rgb(rgb) => rgb,
            Color::Index(index) => palette_rgb(index),
        }
    }
}

/// xterm's default colour for palette index `index`.
pub fn palette_rgb(index: u8) -> Rgb {
    const BASIC: [Rgb; 16] = [
        Rgb(0, 0, 0),
        Rgb(205, 0, 0),
        Rgb(0, 205, 0),
        Rgb(205, 205, 0),
        Rgb(0, 0, 238),
        Rgb(205, 0, 205),
        Rgb(0, 205, 205),
        Rgb(229, 229, 229),
        Rgb(127, 127, 127),
        Rgb(255, 0, 0),
        Rgb(0, 255, 0),
        Rgb(255, 255, 0),
        Rgb(92, 92, 255),
        Rgb(255, 0, 255),
        Rgb(0, 255, 255),
        Rgb(255, 255, 255),
    ];
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    match index {
        0..=15 => BASIC[usize::from(index)],
        16..=231 => {
            let i = index - 16;
            Rgb(
                LEVELS[usize::from(i / 36)],
                LEVELS[usize::from(i / 6 % 6)],
                LEVELS[usize::from(i % 6)],
            )
        }
        _ => {
            let level = 8 + 10 * (index - 232);
            Rgb(level, level, level)
        }
    }
}

/// Writes the SGR sequence for `color` at `depth`, as foreground or background. A palette
/// index is written as the index (so the terminal's own scheme decides the basic 16) down
/// to 16 colours, where only 0–15 stay themselves.
pub fn write_color(out: &mut impl std::fmt::Write, color: Color, depth: ColorDepth, bg: bool) {
    let index = match color {
        Color::Index(index) if depth != ColorDepth::None => index,
        _ => {
            return if bg {
                write_bg(out, color.rgb(), depth)
            } else {
                write_fg(out, color.rgb(), depth)
            };
        }
    };
    let base = if bg { 40 } else { 30 };
    let _ = match index {
        0..=7 => write!(out, "\x1b[{}m", base + index),
        8..=15 => write!(out, "\x1b[{}m", base + 60 + index - 8),
        _ if depth == ColorDepth::Ansi16 => {
            write!(
                out,
                "\x1b[{}m",
                to_ansi16(palette_rgb(index)) + if bg { 10 } else { 0 }
            )
        }
        _ => write!(out, "\x1b[{};5;{index}m", base + 8),
    };
}

/// How many colours the output may use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorDepth {
    TrueColor,
    Ansi256,
    Ansi16,
    None,
}

impl ColorDepth {
    /// Decides the depth from the environment: `NO_COLOR` wins unless colour is forced;
    /// `COLORTERM=truecolor|24bit` gives 24-bit (256 inside tmux); a `TERM` with `256color`
    /// gives 256; `TERM=dumb` none; anything else 16. Output to a pipe still gets colour:
    /// Claude Code, tmux and bars all read from pipes.
    pub fn detect(env: &Environment) -> Self {
        if env.no_color && !env.force_color {
            return ColorDepth::None;
        }
        let term = env.term.as_deref().unwrap_or("");
        let truecolor = matches!(env.colorterm.as_deref(), Some("truecolor" | "24bit"));
        if truecolor {
            return if env.tmux {
                ColorDepth::Ansi256
            } else {
                ColorDepth::TrueColor
            };
        }
        if term == "dumb" && !env.force_color {
            return ColorDepth::None;
        }
        if term.contains("256color") || env.tmux {
            return ColorDepth::Ansi256;
        }
        if term.is_empty() {
            // Claude Code runs us without TERM on some setups; its renderer takes 256 colours.
            return ColorDepth::Ansi256;
        }
        ColorDepth::Ansi16
    }
}

/// How segments are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Style {
    /// Coloured text joined by thin separators.
    Classic,
    /// Segments on coloured backgrounds joined by arrows.
    Powerline,
    /// Rounded segments on coloured backgrounds.
    Capsule,
    /// No colour at all.
    Plain,
}

impl Style {
    pub const NAMES: &'static [&'static str] = &["classic", "powerline", "capsule", "plain"];

    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "classic" => Some(Style::Classic),
            "powerline" => Some(Style::Powerline),
            "capsule" => Some(Style::Capsule),
            "plain" => Some(Style::Plain),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Style::Classic => "classic",
            Style::Powerline => "powerline",
            Style::Capsule => "capsule",
            Style::Plain => "plain",
        }
    }
}

/// The palette of one theme, and its style. Built-in themes are data files
/// (`format/themes/*.toml`, loaded by `format/themes.rs`).
#[derive(Clone, Debug, PartialEq)]
pub struct Theme {
    pub name: &'static str,
    pub style: Style,
    /// Accent per widget name (the text colour in the classic style, the background in
    /// powerline and capsule); widgets not listed use `default`.
    pub widgets: &'static [(&'static str, Rgb)],
    /// Text colour on a coloured background.
    pub ink: Rgb,
    pub default: Rgb,
    pub good: Rgb,
    pub warn: Rgb,
    pub critical: Rgb,
    pub muted: Rgb,
    pub separator: Rgb,
}

/// The built-in default theme: soft colours that read well on dark and light backgrounds.
pub const DEFAULT_THEME: Theme = Theme {
    name: "classic",
    style: Style::Classic,
    ink: Rgb(0x1a, 0x1b, 0x26),
    widgets: &[
        ("model", Rgb(0xc6, 0x9c, 0xf2)),
        ("context", Rgb(0x7d, 0xcf, 0xff)),
        ("cost", Rgb(0x9e, 0xce, 0x6a)),
        ("duration", Rgb(0xa9, 0xb1, 0xd6)),
        ("lines", Rgb(0x73, 0xda, 0xca)),
        ("rate_limits", Rgb(0xe0, 0xaf, 0x68)),
        ("cwd", Rgb(0x7a, 0xa2, 0xf7)),
        ("time", Rgb(0x9a, 0xa5, 0xce)),
        ("tokens", Rgb(0x7d, 0xcf, 0xff)),
        ("context_1m", Rgb(0xbb, 0x9a, 0xf7)),
        ("exceeds_200k", Rgb(0xe0, 0xaf, 0x68)),
        ("burn_rate", Rgb(0x9e, 0xce, 0x6a)),
        ("rate_5h", Rgb(0xe0, 0xaf, 0x68)),
        ("rate_7d", Rgb(0xe0, 0xaf, 0x68)),
        ("effort", Rgb(0xbb, 0x9a, 0xf7)),
        ("thinking", Rgb(0xbb, 0x9a, 0xf7)),
        ("fast_mode", Rgb(0xff, 0x9e, 0x64)),
        ("output_style", Rgb(0xa9, 0xb1, 0xd6)),
        ("version", Rgb(0x73, 0x7a, 0xa2)),
        ("session", Rgb(0x9a, 0xa5, 0xce)),
        ("vim", Rgb(0x7a, 0xa2, 0xf7)),
        ("agent", Rgb(0xff, 0x9e, 0x64)),
        ("worktree", Rgb(0x73, 0xda, 0xca)),
        ("git_worktree", Rgb(0x73, 0xda, 0xca)),
        ("pr", Rgb(0x9e, 0xce, 0x6a)),
        ("repo", Rgb(0x7a, 0xa2, 0xf7)),
        ("added_dirs", Rgb(0xa9, 0xb1, 0xd6)),
        ("project_dir", Rgb(0x7a, 0xa2, 0xf7)),
        ("text", Rgb(0xc0, 0xca, 0xf5)),
        ("env", Rgb(0xa9, 0xb1, 0xd6)),
        ("link", Rgb(0x7d, 0xcf, 0xff)),
        ("command", Rgb(0xc0, 0xca, 0xf5)),
        ("session_tokens", Rgb(0x7d, 0xcf, 0xff)),
        ("messages", Rgb(0xa9, 0xb1, 0xd6)),
        ("compactions", Rgb(0xbb, 0x9a, 0xf7)),
        ("cache_timer", Rgb(0xe0, 0xaf, 0x68)),
        ("token_speed", Rgb(0x73, 0xda, 0xca)),
        ("block", Rgb(0xff, 0x9e, 0x64)),
        ("git_branch", Rgb(0xbb, 0x9a, 0xf7)),
        ("git_status", Rgb(0xe0, 0xaf, 0x68)),
        ("status", Rgb(0xf7, 0x76, 0x8e)),
        ("cmd_duration", Rgb(0xe0, 0xaf, 0x68)),
        ("jobs", Rgb(0x7d, 0xcf, 0xff)),
        ("user_host", Rgb(0x9e, 0xce, 0x6a)),
        ("shlvl", Rgb(0x73, 0x7a, 0xa2)),
        ("venv", Rgb(0x9e, 0xce, 0x6a)),
        ("char", Rgb(0x9e, 0xce, 0x6a)),
    ],
    default: Rgb(0xc0, 0xca, 0xf5),
    good: Rgb(0x9e, 0xce, 0x6a),
    warn: Rgb(0xe0, 0xaf, 0x68),
    critical: Rgb(0xf7, 0x76, 0x8e),
    muted: Rgb(0x73, 0x7a, 0xa2),
    separator: Rgb(0x56, 0x5f, 0x89),
};

impl Theme {
    /// The colour of a widget's text in a given tone.
    pub fn color(&self, widget: &str, tone: Tone) -> Rgb {
        match tone {
            Tone::Good => self.good,
            Tone::Warn => self.warn,
            Tone::Critical => self.critical,
            Tone::Muted => self.muted,
            Tone::Normal => self
                .widgets
                .iter()
                .find(|(name, _)| *name == widget)
                .map_or(self.default, |(_, rgb)| *rgb),
        }
    }
}

/// Writes the SGR sequence that sets the background to `rgb` at `depth` (nothing at `None`).
pub fn write_bg(out: &mut impl std::fmt::Write, rgb: Rgb, depth: ColorDepth) {
    let _ = match depth {
        ColorDepth::TrueColor => write!(out, "\x1b[48;2;{};{};{}m", rgb.0, rgb.1, rgb.2),
        ColorDepth::Ansi256 => write!(out, "\x1b[48;5;{}m", to_ansi256(rgb)),
        ColorDepth::Ansi16 => write!(out, "\x1b[{}m", to_ansi16(rgb) + 10),
        ColorDepth::None => Ok(()),
    };
}

/// Writes the SGR sequence that sets the foreground to `rgb` at `depth` (nothing at `None`).
pub fn write_fg(out: &mut impl std::fmt::Write, rgb: Rgb, depth: ColorDepth) {
    let _ = match depth {
        ColorDepth::TrueColor => write!(out, "\x1b[38;2;{};{};{}m", rgb.0, rgb.1, rgb.2),
        ColorDepth::Ansi256 => write!(out, "\x1b[38;5;{}m", to_ansi256(rgb)),
        ColorDepth::Ansi16 => write!(out, "\x1b[{}m", to_ansi16(rgb)),
        ColorDepth::None => Ok(()),
    };
}

/// Nearest colour of the xterm 256-colour palette (6×6×6 cube or the grey ramp).
pub fn to_ansi256(Rgb(r, g, b): Rgb) -> u8 {
    const LEVELS: [u8; 6] = [0, 95, 135, 175, 215, 255];
    let nearest = |v: u8| -> usize {
        LEVELS
            .iter()
            .enumerate()
            .min_by_key(|(_, l)| (i32::from(**l) - i32::from(v)).abs())
            .map_or(0, |(i, _)| i)
    };
    let (ri, gi, bi) = (nearest(r), nearest(g), nearest(b));
    let cube = (LEVELS[ri], LEVELS[gi], LEVELS[bi]);
    let dist = |a: (u8, u8, u8)| -> i32 {
        let d = |x: u8, y: u8| (i32::from(x) - i32::from(y)).pow(2);
        d(a.0, r) + d(a.1, g) + d(a.2, b)
    };
    let avg = (u16::from(r) + u16::from(g) + u16::from(b)) / 3;
    let grey_index = ((avg.saturating_sub(3)) / 10).min(23) as u8;
    let grey_level = 8 + 10 * grey_index;
    if dist((grey_level, grey_level, grey_level)) < dist(cube) {
        232 + grey_index
    } else {
        16 + 36 * ri as u8 + 6 * gi as u8 + bi as u8
    }
}

/// One of the 16 basic colours, as an SGR foreground code (30–37, 90–97), chosen by hue
/// (red below 20° and from 330°, yellow to 70° with orange, green to 160°, cyan to 200°,
/// blue to 260°, magenta after), so pastel accents keep their hue instead of all turning
/// grey or white; colours with little saturation become black, grey or white by
/// lightness. Bright variants (90–97) are used for light colours.
pub fn to_ansi16(Rgb(r, g, b): Rgb) -> u8 {
    let (r, g, b) = (i32::from(r), i32::from(g), i32::from(b));
    let max = r.max(g).max(b);
    let min = r.min(g).min(b);
    let chroma = max - min;
    if chroma < 56 {
        return match (r + g + b) / 3 {
            0..=63 => 30,
            64..=159 => 90,
            160..=223 => 37,
            _ => 97,
        };
    }
    let sector = |x: i32| 60 * x / chroma;
    let hue = if max == r {
        (sector(g - b) + 360) % 360
    } else if max == g {
        120 + sector(b - r)
    } else {
        240 + sector(r - g)
    };
    let code = match hue {
        20..=69 => 3,
        70..=159 => 2,
        160..=199 => 6,
        200..=259 => 4,
        260..=329 => 5,
        _ => 1,
    };
    if max > 200 { 90 + code } else { 30 + code }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Environment {
        Environment::from_lookup(|k| {
            pairs
                .iter()
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn depth_follows_the_environment() {
        assert_eq!(
            ColorDepth::detect(&env(&[("COLORTERM", "truecolor")])),
            ColorDepth::TrueColor
        );
        assert_eq!(
            ColorDepth::detect(&env(&[("COLORTERM", "truecolor"), ("TMUX", "/tmp/x")])),
            ColorDepth::Ansi256
        );
        assert_eq!(
            ColorDepth::detect(&env(&[("TERM", "xterm-256color")])),
            ColorDepth::Ansi256
        );
        assert_eq!(
            ColorDepth::detect(&env(&[("TERM", "xterm")])),
            ColorDepth::Ansi16
        );
        assert_eq!(
            ColorDepth::detect(&env(&[("TERM", "dumb")])),
            ColorDepth::None
        );
        assert_eq!(
            ColorDepth::detect(&env(&[("NO_COLOR", "1"), ("COLORTERM", "truecolor")])),
            ColorDepth::None
        );
        assert_eq!(
            ColorDepth::detect(&env(&[
                ("NO_COLOR", "1"),
                ("FORCE_COLOR", "1"),
                ("COLORTERM", "24bit")
            ])),
            ColorDepth::TrueColor
        );
    }

    #[test]
    fn palette_reduction_picks_the_nearest_colour() {
        assert_eq!(to_ansi256(Rgb(255, 0, 0)), 196);
        assert_eq!(to_ansi256(Rgb(0, 0, 0)), 16);
        assert_eq!(to_ansi256(Rgb(128, 128, 128)), 244);
        assert_eq!(to_ansi16(Rgb(250, 30, 30)), 91);
        assert_eq!(to_ansi16(Rgb(0, 120, 0)), 32);
        // A pastel blue accent stays blue.
        assert_eq!(to_ansi16(Rgb(0x7a, 0xa2, 0xf7)), 94);
        // The default theme's tones keep their meaning: good is green-yellow, warn yellow,
        // critical red; the muted grey stays grey.
        assert_eq!(to_ansi16(DEFAULT_THEME.good), 92);
        assert_eq!(to_ansi16(DEFAULT_THEME.warn), 93);
        assert_eq!(to_ansi16(DEFAULT_THEME.critical), 91);
        assert_eq!(to_ansi16(DEFAULT_THEME.muted), 90);
        assert_eq!(to_ansi16(Rgb(20, 20, 20)), 30);
        assert_eq!(to_ansi16(Rgb(250, 250, 250)), 97);
    }

    #[test]
    fn one_parser_reads_hex_palette_indexes_and_names() {
        assert_eq!(
            Color::parse("#7aa2f7"),
            Ok(Color::Rgb(Rgb(0x7a, 0xa2, 0xf7)))
        );
        assert_eq!(Color::parse("#fa0"), Ok(Color::Rgb(Rgb(0xff, 0xaa, 0))));
        assert_eq!(Color::parse("208"), Ok(Color::Index(208)));
        assert_eq!(Color::parse("red"), Ok(Color::Index(1)));
        assert_eq!(Color::parse("Bright_Blue"), Ok(Color::Index(12)));
        assert_eq!(Color::parse("grey"), Ok(Color::Index(8)));
        assert_eq!(
            Color::parse("gren").unwrap_err(),
            "must be a colour: \"#rrggbb\", a palette index 0-255 or a name like \"red\", \"bright-blue\"; got \"gren\" (did you mean \"green\"?)"
        );
        assert!(Color::parse("256").is_err() && Color::parse("#12345").is_err());
        assert!(Color::parse("#gg0000").is_err());
    }

    #[test]
    fn palette_colours_keep_their_index_down_to_sixteen_colours() {
        let sgr = |color, depth, bg| {
            let mut out = String::new();
            write_color(&mut out, color, depth, bg);
            out
        };
        assert_eq!(
            sgr(Color::Index(1), ColorDepth::TrueColor, false),
            "\x1b[31m"
        );
        assert_eq!(
            sgr(Color::Index(12), ColorDepth::Ansi256, true),
            "\x1b[104m"
        );
        assert_eq!(
            sgr(Color::Index(208), ColorDepth::Ansi256, false),
            "\x1b[38;5;208m"
        );
        assert_eq!(
            sgr(Color::Index(208), ColorDepth::Ansi16, false),
            "\x1b[93m"
        );
        assert_eq!(sgr(Color::Index(208), ColorDepth::None, false), "");
        assert_eq!(
            sgr(Color::Rgb(Rgb(1, 2, 3)), ColorDepth::TrueColor, true),
            "\x1b[48;2;1;2;3m"
        );
        assert_eq!(palette_rgb(196), Rgb(255, 0, 0));
        assert_eq!(palette_rgb(244), Rgb(128, 128, 128));
        assert_eq!(to_ansi256(palette_rgb(67)), 67);
    }

    #[test]
    fn tones_override_widget_colours() {
        let t = DEFAULT_THEME;
        assert_eq!(t.color("cost", Tone::Critical), t.critical);
        assert_eq!(t.color("cost", Tone::Normal), Rgb(0x9e, 0xce, 0x6a));
        assert_eq!(t.color("unknown", Tone::Normal), t.default);
    }
}
