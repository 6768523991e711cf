//! The configurator's state beside the document: the selected row, the open dialog, the
//! preview width and the message line. Nothing here touches the terminal.

use super::model::{Group, Model, Slot};

/// The preview widths the width control cycles through (`None`: the full terminal).
pub const WIDTHS: &[Option<usize>] = &[None, Some(40), Some(60), Some(80), Some(120)];

/// The colour depths and charsets offered (as the config file spells them).
pub const COLORS: &[&str] = &["auto", "truecolor", "256", "16", "never"];
pub const CHARSETS: &[&str] = &["unicode", "nerd-font", "ascii"];

/// One row of the layout list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Row {
    Line(usize),
    Widget(Slot, String),
}

/// What a picker picks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    Widget,
    Theme,
    Charset,
    Color,
}

/// The dialog in front, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    Normal,
    /// A list to choose from, narrowed by what was typed.
    Picker {
        pick: Pick,
        filter: String,
        selected: usize,
    },
    /// `KEY = VALUE` for the selected widget; `error` is the last refusal.
    Edit {
        id: String,
        input: String,
        error: Option<String>,
    },
    ConfirmQuit,
    Help,
}

/// The whole UI state.
pub struct App {
    pub model: Model,
    pub cursor: usize,
    pub mode: Mode,
    pub width: usize,
    pub message: String,
    pub quit: bool,
    /// Where the payload shown came from, in words.
    pub source_label: String,
    /// The rendered preview, redone when `stale`.
    pub preview: Vec<ratatui::text::Line<'static>>,
    pub stale: bool,
    /// Where the last frame drew the layout list (first row, scroll) and the picker, for
    /// the mouse.
    pub list_area: ratatui::layout::Rect,
    pub list_scroll: usize,
    pub picker_area: ratatui::layout::Rect,
    pub picker_scroll: usize,
}

impl App {
    pub fn new(model: Model, source_label: String) -> App {
        App {
            model,
            cursor: 0,
            mode: Mode::Normal,
            width: 0,
            message: "? help  a add  d delete  e edit  t theme  s save  q quit".into(),
            quit: false,
            source_label,
            preview: Vec::new(),
            stale: true,
            list_area: Default::default(),
            list_scroll: 0,
            picker_area: Default::default(),
            picker_scroll: 0,
        }
    }

    /// The rows of the layout list: each line, then its left and right widgets.
    pub fn rows(&self) -> Vec<Row> {
        let mut rows = Vec::new();
        for (i, line) in self.model.lines().into_iter().enumerate() {
            rows.push(Row::Line(i));
            for group in [Group::Left, Group::Right] {
                for (index, id) in line.group(group).iter().enumerate() {
                    let slot = Slot {
                        line: i,
                        group,
                        index,
                    };
                    rows.push(Row::Widget(slot, id.clone()));
                }
            }
        }
        rows
    }

    pub fn selected(&self) -> Option<Row> {
        self.rows().get(self.cursor).cloned()
    }

    /// Puts the cursor on `slot`'s row.
    pub fn select_slot(&mut self, slot: Slot) {
        if let Some(i) = self
            .rows()
            .iter()
            .position(|r| matches!(r, Row::Widget(s, _) if *s == slot))
        {
            self.cursor = i;
        }
    }

    pub fn select_line(&mut self, line: usize) {
        if let Some(i) = self.rows().iter().position(|r| *r == Row::Line(line)) {
            self.cursor = i;
        }
    }

    pub fn clamp_cursor(&mut self) {
        self.cursor = self.cursor.min(self.rows().len().saturating_sub(1));
    }

    /// The preview width chosen (`None`: full).
    pub fn preview_width(&self) -> Option<usize> {
        WIDTHS[self.width % WIDTHS.len()]
    }

    /// The choices of a picker, narrowed by `filter`.
    pub fn choices(pick: Pick, filter: &str) -> Vec<String> {
        let all: Vec<String> = match pick {
            Pick::Widget => crate::widgets::REGISTRY
                .iter()
                .map(|w| w.name.to_owned())
                .collect(),
            Pick::Theme => crate::format::themes::theme_names()
                .map(str::to_owned)
                .collect(),
            Pick::Charset => CHARSETS.iter().map(|s| (*s).to_owned()).collect(),
            Pick::Color => COLORS.iter().map(|s| (*s).to_owned()).collect(),
        };
        let filter = filter.to_lowercase();
        all.into_iter().filter(|c| c.contains(&filter)).collect()
    }

    /// Reports the result of a change on the message line.
    pub fn report(&mut self, result: Result<(), String>, done: &str) {
        self.message = match result {
            Ok(()) => {
                self.stale = true;
                done.to_owned()
            }
            Err(err) => format!("refused: {err}"),
        };
    }
}
