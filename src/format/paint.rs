//! Styling prepared once per layout, so a frame never formats a colour or searches a table.
//!
//! A [`Paint`] is one colour already reduced to the terminal's depth and written out as its
//! two SGR sequences (foreground and background). The ANSI sink keeps a paint per tone and
//! a [`WidgetLook`] per widget of the layout (its accent paint, icon and the columns the
//! sink adds to it), found by layout position. The bytes are exactly what
//! [`write_fg`]/[`write_bg`] write, so a prepared frame equals an unprepared one.
//!
//! Read next: `ansi.rs`, which draws with these.

use arrayvec::ArrayString;

use crate::format::theme::{Color, ColorDepth, Rgb, write_bg, write_color, write_fg};

/// The longest SGR colour sequence: `ESC[48;2;255;255;255m` is 19 bytes.
const SGR_CAPACITY: usize = 24;

/// One colour as ready-made SGR sequences (empty at depth none).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Paint {
    pub fg: ArrayString<SGR_CAPACITY>,
    pub bg: ArrayString<SGR_CAPACITY>,
}

impl Paint {
    pub fn new(rgb: Rgb, depth: ColorDepth) -> Self {
        let mut paint = Paint::default();
        write_fg(&mut paint.fg, rgb, depth);
        write_bg(&mut paint.bg, rgb, depth);
        paint
    }

    /// A user's colour (a palette index stays an index).
    pub fn of(color: Color, depth: ColorDepth) -> Self {
        let mut paint = Paint::default();
        write_color(&mut paint.fg, color, depth, false);
        write_color(&mut paint.bg, color, depth, true);
        paint
    }
}

/// What the sink draws around one widget of the layout.
#[derive(Clone, Debug)]
pub struct WidgetLook {
    pub name: &'static str,
    /// The accent in the normal tone.
    pub accent: Paint,
    pub icon: Option<&'static str>,
    /// Display columns the sink adds to the segment (icon, padding, caps).
    pub extra_width: usize,
    /// The user's text and background colours (`fg`, `bg`), if set.
    pub fg: Option<Paint>,
    pub bg: Option<Paint>,
    /// The SGR sequence of the user's attributes (`bold`, …); empty when none.
    pub attributes: ArrayString<SGR_CAPACITY>,
    /// The user's separator before this widget, if set.
    pub separator: Option<&'static str>,
}

/// The paints of the theme's tones, in [`crate::engine::slots::Tone`] order after normal.
#[derive(Clone, Debug, Default)]
pub struct TonePaints {
    pub good: Paint,
    pub warn: Paint,
    pub critical: Paint,
    pub muted: Paint,
    /// Text on a coloured background.
    pub ink: Paint,
    /// The thin separators of the classic style.
    pub separator: Paint,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::frame::FrameBuffer;

    #[test]
    fn a_paint_holds_the_bytes_write_fg_and_write_bg_write_at_every_depth() {
        let depths = [
            ColorDepth::TrueColor,
            ColorDepth::Ansi256,
            ColorDepth::Ansi16,
            ColorDepth::None,
        ];
        for rgb in [
            Rgb(255, 255, 255),
            Rgb(0, 0, 0),
            Rgb(0x88, 0xc0, 0xd0),
            Rgb(0x5e, 0x81, 0xac),
        ] {
            for depth in depths {
                let paint = Paint::new(rgb, depth);
                let (mut fg, mut bg) = (FrameBuffer::new(), FrameBuffer::new());
                write_fg(&mut fg, rgb, depth);
                write_bg(&mut bg, rgb, depth);
                assert_eq!(paint.fg.as_bytes(), fg.as_bytes(), "{rgb:?} {depth:?}");
                assert_eq!(paint.bg.as_bytes(), bg.as_bytes(), "{rgb:?} {depth:?}");
            }
        }
    }
}
