//! `tokens`: the token counts of the latest response, from `context_window.current_usage`.
//!
//! Shows the chosen parts with compact numbers: `in 4 out 812 read 73.8k write 2.2k`, and
//! with `total = true` their sum after `Σ` (`total` in ASCII). Short form: the sum alone.
//! Hides when `current_usage` is absent or null, or none of the chosen parts is present.
//!
//! ```toml
//! [widget.tokens]
//! parts = "input,output"
//! total = true
//! ```

use arrayvec::ArrayVec;

use crate::engine::slots::{Outcome, SlotContent};
use crate::input::payload::Usage;
use crate::widgets::options::{OptionKind, widget_options};
use crate::widgets::units::write_compact;
use crate::widgets::{FieldSpec, OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "tokens",
    summary: "input/output/cache token counts of the latest response (39.4k)",
    options: TokensOptions::SPECS,
    fields: &[
        FieldSpec {
            name: "input",
            doc: "input tokens, compact (`4`; empty when the payload leaves it out)",
        },
        FieldSpec {
            name: "output",
            doc: "output tokens (`812`)",
        },
        FieldSpec {
            name: "cache_read",
            doc: "tokens read from the cache (`73.8k`)",
        },
        FieldSpec {
            name: "cache_write",
            doc: "tokens written to the cache (`2.2k`)",
        },
        FieldSpec {
            name: "total",
            doc: "the four together, whatever `parts` shows (`76.8k`)",
        },
    ],
    build,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Part {
    Input,
    Output,
    CacheRead,
    CacheWrite,
}

const PARTS: &[(&str, Part, &str)] = &[
    ("input", Part::Input, "in"),
    ("output", Part::Output, "out"),
    ("cache_read", Part::CacheRead, "read"),
    ("cache_write", Part::CacheWrite, "write"),
];

impl Part {
    fn value(self, usage: &Usage<'_>) -> Option<f64> {
        match self {
            Part::Input => usage.input_tokens,
            Part::Output => usage.output_tokens,
            Part::CacheRead => usage.cache_read_input_tokens,
            Part::CacheWrite => usage.cache_creation_input_tokens,
        }
    }

    fn label(self) -> &'static str {
        PARTS.iter().find(|p| p.1 == self).map_or("", |p| p.2)
    }
}

struct Tokens {
    parts: ArrayVec<Part, 4>,
    total: bool,
}

/// A comma-separated list of parts, each once, in the order given.
struct PartList;

impl OptionKind for PartList {
    type Value = ArrayVec<Part, 4>;
    fn describe() -> String {
        let names: Vec<&str> = PARTS.iter().map(|p| p.0).collect();
        format!("list of {}", names.join(", "))
    }
    fn read(
        options: &Options,
        key: &str,
        default: Self::Value,
    ) -> Result<Self::Value, OptionError> {
        if !options.contains(key) {
            return Ok(default);
        }
        let list = options.string(key, "")?;
        let mut parts = ArrayVec::new();
        for name in list.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let Some(&(_, part, _)) = PARTS.iter().find(|p| p.0 == name) else {
                let choices = PARTS.iter().map(|p| p.0).collect::<Vec<_>>().join(", ");
                return Err(options.invalid(
                    key,
                    format!("unknown part \"{name}\"; write a list of {choices}"),
                ));
            };
            if !parts.contains(&part) {
                parts.push(part);
            }
        }
        if parts.is_empty() {
            return Err(options.invalid(
                key,
                "must name at least one part, e.g. \"input,output\"".into(),
            ));
        }
        Ok(parts)
    }
    fn show(parts: &Self::Value) -> String {
        let names: Vec<&str> = parts
            .iter()
            .filter_map(|part| PARTS.iter().find(|p| p.1 == *part).map(|p| p.0))
            .collect();
        format!("{:?}", names.join(","))
    }
}

widget_options! {
    struct TokensOptions {
        /// Which counts to show, comma-separated, in that order.
        parts: PartList = [Part::Input, Part::Output, Part::CacheRead, Part::CacheWrite],
        /// Append the sum of the chosen parts.
        total: bool = false,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = TokensOptions::parse(options)?;
    Ok(Box::new(Tokens {
        parts: o.parts,
        total: o.total,
    }))
}

impl Widget for Tokens {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let Some(usage) = ctx
            .session
            .context_window
            .as_ref()
            .and_then(|w| w.current_usage.as_ref())
        else {
            return Outcome::Hidden;
        };
        let mut all = 0.0;
        for (index, (_, part, _)) in PARTS.iter().enumerate() {
            if let Some(value) = part.value(usage) {
                write_compact(&mut out.fields.writer(index), value);
                all += value.max(0.0);
            }
        }
        write_compact(&mut out.fields.writer(PARTS.len()), all);
        let mut sum = 0.0;
        let mut any = false;
        for part in &self.parts {
            let Some(value) = part.value(usage) else {
                continue;
            };
            if any {
                out.push(' ');
            }
            out.push_str(part.label());
            out.push(' ');
            write_compact(out, value);
            sum += value.max(0.0);
            any = true;
        }
        if !any {
            return Outcome::Hidden;
        }
        if self.total {
            out.push_str(ctx.charset.pick(" \u{3a3} ", " \u{3a3} ", " total "));
            write_compact(out, sum);
        }
        write_compact(&mut out.short, sum);
        out.source = "context_window.current_usage";
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::widgets::Charset;
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    const USAGE: &str = r#"{"context_window":{"current_usage":{"input_tokens":4,"output_tokens":812,
        "cache_creation_input_tokens":2211,"cache_read_input_tokens":73785}}}"#;

    #[test]
    fn shows_every_part_compactly() {
        let r = WidgetTester::new("tokens").render(USAGE);
        assert_eq!(r.text, "in 4 out 812 read 73.8k write 2.2k");
        assert_eq!(r.short, "76.8k");
    }

    #[test]
    fn fields_hold_every_count_whatever_the_parts() {
        let t = WidgetTester::new("tokens")
            .option("parts", OptionValue::Str("input".into()))
            .option(
                "format",
                OptionValue::Str(
                    "{input}/{output}/{cache_read}/{cache_write}={total} ({value})".into(),
                ),
            );
        assert_eq!(t.text(USAGE), "4/812/73.8k/2.2k=76.8k (in 4)");
    }

    #[test]
    fn parts_choose_and_order_the_counts_and_total_sums_them() {
        let t = WidgetTester::new("tokens")
            .option("parts", OptionValue::Str("cache_read, input".into()))
            .option("total", OptionValue::Bool(true));
        assert_eq!(t.text(USAGE), "read 73.8k in 4 \u{3a3} 73.8k");
        let ascii = t.charset(Charset::Ascii);
        assert_eq!(ascii.text(USAGE), "read 73.8k in 4 total 73.8k");
    }

    #[test]
    fn missing_parts_are_skipped_and_wrong_types_are_absent() {
        let t = WidgetTester::new("tokens");
        let text = t.text(
            r#"{"context_window":{"current_usage":{"input_tokens":"1500","output_tokens":[1]}}}"#,
        );
        assert_eq!(text, "in 1.5k");
    }

    #[test]
    fn hides_without_usage() {
        let t = WidgetTester::new("tokens");
        t.assert_hidden("{}");
        t.assert_hidden(r#"{"context_window":{"current_usage":null}}"#);
        t.assert_hidden(r#"{"context_window":{"current_usage":{"input_tokens":null}}}"#);
    }

    #[test]
    fn an_unknown_part_is_an_error_naming_the_choices() {
        let options = crate::widgets::Options::new("tokens")
            .with("parts", OptionValue::Str("input,cache".into()));
        let err = (super::INFO.build)(&options).err().map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some(
                "widget `tokens` option `parts`: unknown part \"cache\"; write a list of input, output, cache_read, cache_write"
            )
        );
    }
}
