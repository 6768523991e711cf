//! `link`: a fixed hyperlink from the config (a dashboard, the team's runbook).
//!
//! Shows `text` (default: the URL itself), linked to `url` with an OSC 8 hyperlink where
//! the output is styled; plain output shows the text only, JSON adds a `link` field. The
//! URL must be `http://` or `https://` with no spaces or control characters; the text is
//! sanitized. Never hides.
//!
//! ```toml
//! [widget.link]
//! url = "https://status.example.com"
//! text = "status"
//! ```

use crate::engine::slots::{Outcome, SlotContent};
use crate::sanitize::{clean, is_safe_url};
use crate::widgets::options::{OptionKind, widget_options};
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "link",
    summary: "fixed text linked to a URL (OSC 8 hyperlink)",
    options: LinkOptions::SPECS,
    fields: &[],
    build,
};

struct Link {
    url: String,
    text: String,
}

/// A required `http://` or `https://` URL without spaces or control characters.
struct Url;

impl OptionKind for Url {
    type Value = String;
    fn describe() -> String {
        "URL".into()
    }
    fn read(options: &Options, key: &str, _: String) -> Result<String, OptionError> {
        let url = options.string(key, "")?;
        if !is_safe_url(&url) || url.len() > crate::engine::slots::LINK_CAPACITY {
            return Err(options.invalid(
                key,
                format!(
                    "must be an http:// or https:// URL without spaces or control characters \
                     (at most {} bytes), e.g. {key} = \"https://example.com\"; got \"{}\"",
                    crate::engine::slots::LINK_CAPACITY,
                    clean(&url).collect::<String>()
                ),
            ));
        }
        Ok(url)
    }
    fn show(_: &String) -> String {
        String::new()
    }
}

/// A string whose default is another option's value.
struct TextOrUrl;

impl OptionKind for TextOrUrl {
    type Value = Option<String>;
    fn describe() -> String {
        "string".into()
    }
    fn read(options: &Options, key: &str, _: Option<String>) -> Result<Self::Value, OptionError> {
        match options.contains(key) {
            true => options.string(key, "").map(Some),
            false => Ok(None),
        }
    }
    fn show(_: &Option<String>) -> String {
        "the URL".into()
    }
}

widget_options! {
    struct LinkOptions {
        /// The link's target.
        url: Url = String::new(),
        /// The text shown; blank: the URL.
        text: TextOrUrl = None,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = LinkOptions::parse(options)?;
    let url = o.url;
    let text: String = clean(o.text.as_deref().unwrap_or(&url)).collect();
    let text = if text.trim().is_empty() {
        url.clone()
    } else {
        text
    };
    Ok(Box::new(Link { url, text }))
}

impl Widget for Link {
    fn render(&self, _ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        out.push_str(&self.text);
        out.set_link(&self.url);
        out.source = "config";
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::widgets::Options;
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    #[test]
    fn shows_the_text_or_the_url() {
        let t = WidgetTester::new("link")
            .option("url", OptionValue::Str("https://status.example.com".into()));
        assert_eq!(t.text("{}"), "https://status.example.com");
        let named = t.option("text", OptionValue::Str("sta\u{1b}[1mtus".into()));
        assert_eq!(named.text("{}"), "status");
    }

    #[test]
    fn unsafe_or_missing_urls_are_refused_with_the_rule() {
        for url in [
            "javascript:alert(1)",
            "https://a.example/\u{1b}]8;;x",
            "https://a b",
        ] {
            let options = Options::new("link").with("url", OptionValue::Str(url.into()));
            let err = (super::INFO.build)(&options)
                .err()
                .expect("refused")
                .to_string();
            assert!(
                err.starts_with("widget `link` option `url`: must be an http:// or https:// URL"),
                "{err}"
            );
            assert!(
                !err.contains('\u{1b}'),
                "the error echoes no escape: {err:?}"
            );
        }
        assert!((super::INFO.build)(&Options::new("link")).is_err());
    }
}
