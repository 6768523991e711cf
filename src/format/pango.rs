//! Pango markup, which waybar (`text` of a custom module) and i3bar/swaybar (a block with
//! `"markup":"pango"`) render: a user's style (`fg`, `bg`, `bold`, `italic`, `dim`,
//! `underline`) as one `<span …>` around the segment's text.
//!
//! Every piece of text goes through [`push_escaped`]: `&`, `<`, `>`, `"` and `'` become
//! entities and control characters are dropped, so a branch named
//! `<span foreground="red">x</span>` or `&amp;` shows as those very characters. Writers
//! are fixed-capacity strings: nothing here allocates.

use std::fmt::Write;

use crate::format::style::SegmentStyle;
use crate::format::theme::Rgb;

/// Appends `text` escaped for Pango markup (and for an XML attribute), control characters
/// left out. What does not fit is cut, as the writer cuts it.
pub fn push_escaped(out: &mut impl Write, text: &str) {
    let mut start = 0;
    for (i, c) in text.char_indices() {
        let entity = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&#39;",
            c if c.is_control() => "",
            _ => continue,
        };
        let _ = out.write_str(&text[start..i]);
        let _ = out.write_str(entity);
        start = i + c.len_utf8();
    }
    let _ = out.write_str(&text[start..]);
}

/// A writer into a fixed-capacity string that keeps what fits of each piece
/// (`ArrayString`'s own writer refuses a piece that does not fit whole).
pub struct Cut<'a, const N: usize>(pub &'a mut arrayvec::ArrayString<N>);

impl<const N: usize> Write for Cut<'_, N> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let room = self.0.capacity() - self.0.len();
        self.0
            .push_str(crate::engine::slots::cut_at_char_boundary(s, room));
        Ok(())
    }
}

/// Whether `style` asks for anything a span draws (with `fg` the caller's colour).
pub fn wants_span(style: &SegmentStyle) -> bool {
    style.fg.is_some() || style.bg.is_some() || style.has_attributes()
}

/// Opens the span of `style`: `foreground` is `fg` (the caller resolves the user's colour
/// against the tone), `background` the user's `bg`.
pub fn open_span(out: &mut impl Write, style: &SegmentStyle, fg: Option<Rgb>) {
    let _ = out.write_str("<span");
    if let Some(Rgb(r, g, b)) = fg {
        let _ = write!(out, " foreground=\"#{r:02x}{g:02x}{b:02x}\"");
    }
    if let Some(Rgb(r, g, b)) = style.bg.map(|bg| bg.rgb()) {
        let _ = write!(out, " background=\"#{r:02x}{g:02x}{b:02x}\"");
    }
    let attributes = [
        (style.bold, " weight=\"bold\""),
        (style.italic, " style=\"italic\""),
        (style.underline, " underline=\"single\""),
        (style.dim, " alpha=\"50%\""),
    ];
    for (_, attribute) in attributes.iter().filter(|(on, _)| *on) {
        let _ = out.write_str(attribute);
    }
    let _ = out.write_char('>');
}

/// Closes what [`open_span`] opened.
pub const CLOSE_SPAN: &str = "</span>";

/// Appends `text` escaped, in the span of `style` when it asks for one.
pub fn push_styled(
    out: &mut impl Write,
    text: &str,
    style: Option<&SegmentStyle>,
    fg: Option<Rgb>,
) {
    match style.filter(|s| wants_span(s)) {
        Some(style) => {
            open_span(out, style, fg);
            push_escaped(out, text);
            let _ = out.write_str(CLOSE_SPAN);
        }
        None => push_escaped(out, text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::theme::Color;

    fn escaped(text: &str) -> String {
        let mut out = String::new();
        push_escaped(&mut out, text);
        out
    }

    #[test]
    fn markup_in_untrusted_text_stays_literal() {
        assert_eq!(
            escaped("<span foreground=\"red\">x</span>"),
            "&lt;span foreground=&quot;red&quot;&gt;x&lt;/span&gt;"
        );
        assert_eq!(escaped("&amp; it's"), "&amp;amp; it&#39;s");
        assert_eq!(escaped("a\u{7}b\u{1b}c"), "abc");
        assert_eq!(escaped("plain ✓"), "plain ✓");
    }

    #[test]
    fn a_span_carries_colours_and_attributes_in_a_fixed_order() {
        let style = SegmentStyle {
            fg: Some(Color::Index(1)),
            bg: Some(Color::parse("#101010").unwrap()),
            bold: true,
            italic: true,
            underline: true,
            dim: true,
            ..SegmentStyle::default()
        };
        let mut out = String::new();
        push_styled(&mut out, "a<b", Some(&style), Some(Rgb(0xff, 0x87, 0)));
        assert_eq!(
            out,
            "<span foreground=\"#ff8700\" background=\"#101010\" weight=\"bold\" \
             style=\"italic\" underline=\"single\" alpha=\"50%\">a&lt;b</span>"
        );
    }

    #[test]
    fn a_segment_without_a_style_gets_no_span() {
        let mut out = String::new();
        push_styled(&mut out, "x&y", Some(&SegmentStyle::default()), None);
        push_styled(&mut out, "!", None, None);
        assert_eq!(out, "x&amp;y!");
    }
}
