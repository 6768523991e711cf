//! Drawing: the preview on top, the layout list and the selected widget's settings below,
//! the message line at the bottom, and the dialog in front. Fits 80×24.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, List, ListItem, ListState, Paragraph, Wrap};

use super::state::{App, Mode, Pick, Row};

/// The help text (`?`).
pub const HELP: &[(&str, &str)] = &[
    ("↑ ↓  j k", "select a line or widget"),
    ("a", "add a widget after the selected one"),
    ("d  Del", "remove the selected widget (or empty line)"),
    (
        "K J  Shift+↑↓",
        "move the widget earlier / later (across lines)",
    ),
    ("← →  h l", "move the widget to the left / right group"),
    ("n", "add a line"),
    (
        "e  Enter",
        "edit an option or style: KEY = VALUE (empty value removes)",
    ),
    ("t  c  o", "pick the theme, charset, colour depth"),
    ("w", "preview width: full, 40, 60, 80, 120"),
    (
        "i",
        "import ~/.config/ccstatusline/settings.json (lists what did not map)",
    ),
    ("s", "save"),
    ("q  Esc", "quit (asks when there are unsaved changes)"),
    ("mouse", "click a row or a choice, wheel scrolls"),
];

/// Draws the whole screen.
pub fn draw(frame: &mut Frame, app: &mut App) {
    let area = frame.area();
    let preview_rows = app.preview.len().clamp(1, 4) as u16;
    let [title, preview, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(preview_rows + 2),
        Constraint::Min(5),
        Constraint::Length(2),
    ])
    .areas(area);

    let dirty = if app.model.dirty { " [modified]" } else { "" };
    let title_text = format!(
        " blinkline configure{dirty} — {}",
        clean(&app.model.path.display().to_string())
    );
    frame.render_widget(
        Paragraph::new(title_text).style(Style::default().add_modifier(Modifier::BOLD)),
        title,
    );

    let width_label = match app.preview_width() {
        Some(w) => format!("{w} cols"),
        None => "full".to_owned(),
    };
    let block = Block::default().borders(Borders::ALL).title(format!(
        " preview · {} · {width_label} (w) ",
        app.source_label
    ));
    let inner = block.inner(preview);
    frame.render_widget(block, preview);
    frame.render_widget(Paragraph::new(app.preview.clone()), inner);

    let [list_area, detail_area] =
        Layout::horizontal([Constraint::Percentage(42), Constraint::Percentage(58)]).areas(body);
    draw_list(frame, app, list_area);
    draw_detail(frame, app, detail_area);

    let theme = top(app, "theme", "default");
    let charset = top(app, "charset", "default");
    let color = top(app, "color", "auto");
    let settings = format!(" theme {theme} (t) · charset {charset} (c) · colour {color} (o)");
    let message = Line::from(vec![Span::styled(
        format!(" {}", clean(&app.message)),
        if app.message.starts_with("refused") || app.message.starts_with("cannot") {
            Style::default().fg(Color::Red)
        } else {
            Style::default().fg(Color::Cyan)
        },
    )]);
    frame.render_widget(
        Paragraph::new(vec![Line::from(clean(&settings)), message]),
        status,
    );

    match app.mode.clone() {
        Mode::Normal => {}
        Mode::Help => draw_help(frame, area),
        Mode::ConfirmQuit => {
            let r = centered(area, 56, 5);
            frame.render_widget(Clear, r);
            frame.render_widget(
                Paragraph::new(vec![
                    Line::from("There are unsaved changes."),
                    Line::from("y: save and quit   n: quit without saving   Esc: stay"),
                ])
                .block(Block::default().borders(Borders::ALL).title(" Quit? ")),
                r,
            );
        }
        Mode::Picker {
            pick,
            filter,
            selected,
        } => draw_picker(frame, app, pick, &filter, selected, area),
        Mode::Edit { id, input, error } => {
            let r = centered(area, 70, 7);
            frame.render_widget(Clear, r);
            let mut lines = vec![
                Line::from(format!(
                    "[widget.{}]  KEY = VALUE  (Enter applies, Ctrl-U clears, Esc cancels)",
                    clean(&id)
                )),
                Line::from(format!("> {}_", clean(&input))),
            ];
            if let Some(error) = error {
                lines.push(Line::from(Span::styled(
                    format!("✗ {}", clean(&error)),
                    Style::default().fg(Color::Red),
                )));
            }
            frame.render_widget(
                Paragraph::new(lines)
                    .wrap(Wrap { trim: false })
                    .block(Block::default().borders(Borders::ALL).title(" Edit ")),
                r,
            );
        }
    }
}

fn draw_list(frame: &mut Frame, app: &mut App, area: Rect) {
    let rows = app.rows();
    let items: Vec<ListItem> = rows
        .iter()
        .map(|row| match row {
            Row::Line(i) => ListItem::new(format!("Line {}", i + 1))
                .style(Style::default().add_modifier(Modifier::BOLD)),
            Row::Widget(slot, id) => ListItem::new(format!(
                "  {} {}",
                if slot.group == super::model::Group::Left {
                    "L"
                } else {
                    "R"
                },
                clean(id)
            )),
        })
        .collect();
    let block = Block::default().borders(Borders::ALL).title(" layout ");
    let inner = block.inner(area);
    let mut state = ListState::default().with_selected(Some(app.cursor));
    let list = List::new(items)
        .block(block)
        .highlight_style(Style::default().add_modifier(Modifier::REVERSED))
        .highlight_symbol("▶");
    frame.render_stateful_widget(list, area, &mut state);
    app.list_area = inner;
    app.list_scroll = state.offset();
}

fn draw_detail(frame: &mut Frame, app: &App, area: Rect) {
    let mut lines = Vec::new();
    match app.selected() {
        Some(Row::Widget(_, id)) => {
            let name = id.split('#').next().unwrap_or(&id);
            let info = crate::widgets::REGISTRY.iter().find(|w| w.name == name);
            lines.push(Line::styled(
                format!("[widget.{}]", clean(&id)),
                Style::default().add_modifier(Modifier::BOLD),
            ));
            if let Some(info) = info {
                lines.push(Line::from(clean(info.summary)));
            }
            let mut set = app.model.widget_table(&id);
            if id != name {
                for (k, v) in app.model.widget_table(name) {
                    if !set.iter().any(|(key, _)| *key == k) {
                        set.push((k, format!("{v}  (from [widget.{name}])")));
                    }
                }
            }
            for (k, v) in &set {
                lines.push(Line::styled(
                    format!("  {} = {}", clean(k), clean(v)),
                    Style::default().fg(Color::Green),
                ));
            }
            if let Some(info) = info {
                let keys: Vec<&str> = info.options.iter().map(|o| o.key).collect();
                lines.push(Line::from(format!(
                    "options: {}",
                    if keys.is_empty() {
                        "none".to_owned()
                    } else {
                        keys.join(" ")
                    }
                )));
            }
            lines.push(Line::from(
                "style: fg bg bold italic dim underline format separator",
            ));
            lines.push(Line::styled(
                "e edit · d remove · K/J move · ←/→ group",
                Style::default().fg(Color::DarkGray),
            ));
        }
        Some(Row::Line(i)) => {
            lines.push(Line::from(format!("Line {}", i + 1)));
            lines.push(Line::from("a add a widget · n add a line · d remove"));
        }
        None => {}
    }
    for problem in app.model.problems().iter().take(2) {
        lines.push(Line::styled(
            format!("⚠ {}", clean(problem)),
            Style::default().fg(Color::Yellow),
        ));
    }
    frame.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(Block::default().borders(Borders::ALL).title(" settings ")),
        area,
    );
}

fn draw_picker(
    frame: &mut Frame,
    app: &mut App,
    pick: Pick,
    filter: &str,
    selected: usize,
    area: Rect,
) {
    let title = match pick {
        Pick::Widget => " add widget (type to filter) ",
        Pick::Theme => " theme ",
        Pick::Charset => " charset ",
        Pick::Color => " colour depth ",
    };
    let choices = App::choices(pick, filter);
    let r = centered(area, 40, 16);
    frame.render_widget(Clear, r);
    let block = Block::default()
        .borders(Borders::ALL)
        .title(title)
        .title_bottom(format!(" filter: {}_ ", clean(filter)));
    let inner = block.inner(r);
    let items: Vec<ListItem> = choices.iter().map(|c| ListItem::new(clean(c))).collect();
    let mut state = ListState::default().with_selected(Some(selected));
    frame.render_stateful_widget(
        List::new(items)
            .block(block)
            .highlight_style(Style::default().add_modifier(Modifier::REVERSED)),
        r,
        &mut state,
    );
    app.picker_area = inner;
    app.picker_scroll = state.offset();
}

fn draw_help(frame: &mut Frame, area: Rect) {
    let r = centered(area, 76, HELP.len() as u16 + 3);
    frame.render_widget(Clear, r);
    let lines: Vec<Line> = HELP
        .iter()
        .map(|(keys, what)| Line::from(format!("{keys:<16}{what}")))
        .chain(std::iter::once(Line::from("any key closes this help")))
        .collect();
    frame.render_widget(
        Paragraph::new(lines).block(Block::default().borders(Borders::ALL).title(" Help ")),
        r,
    );
}

/// A top-level setting for the status bar, unquoted (`default` when unset).
fn top(app: &App, key: &str, default: &str) -> String {
    let text = app.model.top(key).unwrap_or_else(|| default.to_owned());
    text.trim_matches('"').to_owned()
}

fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let width = width.min(area.width);
    let height = height.min(area.height);
    Rect {
        x: area.x + (area.width - width) / 2,
        y: area.y + (area.height - height) / 2,
        width,
        height,
    }
}

/// Text from the file, a widget or the payload, made safe for the terminal.
fn clean(text: &str) -> String {
    crate::sanitize::clean(text).collect()
}
