//! Keys and mouse: each event changes the [`App`] (and through it the document).

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind};

use super::model::{Group, Slot};
use super::state::{App, Mode, Pick, Row, WIDTHS};

/// Handles one key press.
pub fn key(app: &mut App, key: KeyEvent) {
    if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
        app.mode = Mode::ConfirmQuit;
        if !app.model.dirty {
            app.quit = true;
        }
        return;
    }
    match app.mode.clone() {
        Mode::Normal => normal(app, key),
        Mode::Help => app.mode = Mode::Normal,
        Mode::ConfirmQuit => match key.code {
            KeyCode::Char('y') | KeyCode::Char('s') => {
                save(app);
                if !app.model.dirty {
                    app.quit = true;
                } else {
                    app.mode = Mode::Normal;
                }
            }
            KeyCode::Char('n') | KeyCode::Char('d') => app.quit = true,
            _ => {
                app.mode = Mode::Normal;
                app.message = "not quitting".into();
            }
        },
        Mode::Picker {
            pick,
            mut filter,
            mut selected,
        } => match key.code {
            KeyCode::Esc => app.mode = Mode::Normal,
            KeyCode::Enter => {
                if let Some(choice) = App::choices(pick, &filter).get(selected).cloned() {
                    app.mode = Mode::Normal;
                    choose(app, pick, &choice);
                }
            }
            KeyCode::Up => {
                app.mode = Mode::Picker {
                    pick,
                    filter,
                    selected: selected.saturating_sub(1),
                }
            }
            KeyCode::Down => {
                let n = App::choices(pick, &filter).len();
                selected = (selected + 1).min(n.saturating_sub(1));
                app.mode = Mode::Picker {
                    pick,
                    filter,
                    selected,
                }
            }
            KeyCode::Backspace => {
                filter.pop();
                app.mode = Mode::Picker {
                    pick,
                    filter,
                    selected: 0,
                }
            }
            KeyCode::Char(c) => {
                filter.push(c);
                app.mode = Mode::Picker {
                    pick,
                    filter,
                    selected: 0,
                }
            }
            _ => {}
        },
        Mode::Edit { id, mut input, .. } => match key.code {
            KeyCode::Esc => app.mode = Mode::Normal,
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                app.mode = Mode::Edit {
                    id,
                    input: String::new(),
                    error: None,
                }
            }
            KeyCode::Enter => {
                let (k, v) = input.split_once('=').unwrap_or((input.as_str(), ""));
                match app.model.set_widget_option(&id, k.trim(), v.trim()) {
                    Ok(()) => {
                        app.message = format!("{id}: {} set", k.trim());
                        app.stale = true;
                        app.mode = Mode::Normal;
                    }
                    Err(err) => {
                        app.mode = Mode::Edit {
                            id,
                            input,
                            error: Some(err),
                        }
                    }
                }
            }
            KeyCode::Backspace => {
                input.pop();
                app.mode = Mode::Edit {
                    id,
                    input,
                    error: None,
                };
            }
            KeyCode::Char(c) => {
                input.push(c);
                app.mode = Mode::Edit {
                    id,
                    input,
                    error: None,
                };
            }
            _ => {}
        },
    }
}

fn normal(app: &mut App, key: KeyEvent) {
    let shift = key.modifiers.contains(KeyModifiers::SHIFT);
    let selected = app.selected();
    let slot = match &selected {
        Some(Row::Widget(slot, _)) => Some(*slot),
        _ => None,
    };
    match key.code {
        KeyCode::Char('?') | KeyCode::F(1) => app.mode = Mode::Help,
        KeyCode::Char('q') | KeyCode::Esc => {
            if app.model.dirty {
                app.mode = Mode::ConfirmQuit;
            } else {
                app.quit = true;
            }
        }
        KeyCode::Up if shift => move_selected(app, slot, -1),
        KeyCode::Down if shift => move_selected(app, slot, 1),
        KeyCode::Char('K') => move_selected(app, slot, -1),
        KeyCode::Char('J') => move_selected(app, slot, 1),
        KeyCode::Up | KeyCode::Char('k') => app.cursor = app.cursor.saturating_sub(1),
        KeyCode::Down | KeyCode::Char('j') => {
            app.cursor += 1;
            app.clamp_cursor();
        }
        KeyCode::Left | KeyCode::Right | KeyCode::Char('h') | KeyCode::Char('l') => {
            let want = if matches!(key.code, KeyCode::Left | KeyCode::Char('h')) {
                Group::Left
            } else {
                Group::Right
            };
            if let Some(slot) = slot.filter(|s| s.group != want) {
                let result = app.model.switch_group(slot);
                if let Ok(to) = result {
                    app.select_slot(to);
                }
                app.report(
                    result.map(drop),
                    &format!("moved to the {} group", want.key()),
                );
            }
        }
        KeyCode::Char('a') | KeyCode::Insert => {
            app.mode = Mode::Picker {
                pick: Pick::Widget,
                filter: String::new(),
                selected: 0,
            }
        }
        KeyCode::Char('d') | KeyCode::Delete => match selected {
            Some(Row::Widget(slot, id)) => {
                let result = app.model.remove_widget(slot);
                app.report(result, &format!("removed {id}"));
                app.clamp_cursor();
            }
            Some(Row::Line(line)) => {
                let result = app.model.remove_line(line);
                app.report(result, &format!("removed line {}", line + 1));
                app.clamp_cursor();
            }
            None => {}
        },
        KeyCode::Char('n') => {
            let after = match selected {
                Some(Row::Line(l)) => l,
                Some(Row::Widget(s, _)) => s.line,
                None => 0,
            };
            let result = app.model.add_line(after);
            if let Ok(line) = result {
                app.select_line(line);
            }
            app.report(result.map(drop), "added a line");
        }
        KeyCode::Char('e') | KeyCode::Enter => {
            if let Some(Row::Widget(_, id)) = selected {
                app.mode = Mode::Edit {
                    id,
                    input: String::new(),
                    error: None,
                };
            }
        }
        KeyCode::Char('t') => open_picker(app, Pick::Theme),
        KeyCode::Char('c') => open_picker(app, Pick::Charset),
        KeyCode::Char('o') => open_picker(app, Pick::Color),
        KeyCode::Char('w') => {
            app.width = (app.width + 1) % WIDTHS.len();
            app.stale = true;
            app.message = match app.preview_width() {
                Some(w) => format!("preview width {w}"),
                None => "preview width: full".into(),
            };
        }
        KeyCode::Char('s') => save(app),
        KeyCode::Char('i') => import(app),
        _ => {}
    }
}

/// Replaces the lines with those of the ccstatusline settings under `$HOME`.
fn import(app: &mut App) {
    let Some(home) = std::env::var_os("HOME") else {
        app.message = "cannot import: HOME is not set".into();
        return;
    };
    let path = super::import::default_path(std::path::Path::new(&home));
    let result = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: {e}", path.display()))
        .and_then(|json| super::import::ccstatusline(&mut app.model, &json));
    app.message = match result {
        Ok(skipped) if skipped.is_empty() => "imported ccstatusline: everything mapped".into(),
        Ok(skipped) => format!("imported ccstatusline; not mapped: {}", skipped.join("; ")),
        Err(err) => format!("cannot import: {err}"),
    };
    app.stale = true;
    app.cursor = 0;
}

fn open_picker(app: &mut App, pick: Pick) {
    app.mode = Mode::Picker {
        pick,
        filter: String::new(),
        selected: 0,
    };
}

fn move_selected(app: &mut App, slot: Option<Slot>, delta: isize) {
    if let Some(slot) = slot {
        let result = app.model.move_widget(slot, delta);
        if let Ok(to) = result {
            app.select_slot(to);
        }
        app.report(result.map(drop), "moved");
    }
}

/// Applies a picker's choice.
fn choose(app: &mut App, pick: Pick, choice: &str) {
    match pick {
        Pick::Widget => {
            let at = match app.selected() {
                Some(Row::Widget(slot, _)) => Slot {
                    index: slot.index + 1,
                    ..slot
                },
                Some(Row::Line(line)) => Slot {
                    line,
                    group: Group::Left,
                    index: usize::MAX,
                },
                None => Slot {
                    line: 0,
                    group: Group::Left,
                    index: usize::MAX,
                },
            };
            let result = app.model.add_widget(at, choice);
            if let Ok(to) = result {
                app.select_slot(to);
            }
            app.report(result.map(drop), &format!("added {choice}"));
        }
        Pick::Theme | Pick::Charset | Pick::Color => {
            let key = match pick {
                Pick::Theme => "theme",
                Pick::Charset => "charset",
                _ => "color",
            };
            let result = app.model.set_top(key, &format!("{choice:?}"));
            app.report(result, &format!("{key} = {choice}"));
        }
    }
}

fn save(app: &mut App) {
    app.message = match app.model.save() {
        Ok(()) => format!("saved {}", app.model.path.display()),
        Err(err) => format!("cannot save {}: {err}", app.model.path.display()),
    };
}

/// Handles a mouse event: a click selects a row (or a picker's choice), the wheel scrolls.
pub fn mouse(app: &mut App, event: MouseEvent) {
    let inside = |r: ratatui::layout::Rect| {
        event.column >= r.x
            && event.column < r.x + r.width
            && event.row >= r.y
            && event.row < r.y + r.height
    };
    match event.kind {
        MouseEventKind::ScrollUp => {
            key(app, KeyEvent::new(KeyCode::Up, KeyModifiers::NONE));
        }
        MouseEventKind::ScrollDown => {
            key(app, KeyEvent::new(KeyCode::Down, KeyModifiers::NONE));
        }
        MouseEventKind::Down(MouseButton::Left) => match app.mode.clone() {
            Mode::Normal if inside(app.list_area) => {
                app.cursor = app.list_scroll + (event.row - app.list_area.y) as usize;
                app.clamp_cursor();
            }
            Mode::Picker { pick, filter, .. } if inside(app.picker_area) => {
                let index = app.picker_scroll + (event.row - app.picker_area.y) as usize;
                if let Some(choice) = App::choices(pick, &filter).get(index).cloned() {
                    app.mode = Mode::Normal;
                    choose(app, pick, &choice);
                }
            }
            Mode::Help => app.mode = Mode::Normal,
            _ => {}
        },
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::configure::model::Model;
    use ratatui::layout::Rect;
    use std::path::Path;

    fn app() -> App {
        let source = "[[line]]\nleft = [\"model\", \"cost\"]\n";
        App::new(
            Model::from_source(source, Path::new("c.toml")).unwrap(),
            "sample".into(),
        )
    }

    fn press(app: &mut App, code: KeyCode) {
        key(app, KeyEvent::new(code, KeyModifiers::NONE));
    }

    #[test]
    fn quitting_with_unsaved_changes_asks_and_escape_stays() {
        let mut app = app();
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Char('d'));
        assert!(app.model.dirty);
        press(&mut app, KeyCode::Char('q'));
        assert_eq!(app.mode, Mode::ConfirmQuit);
        assert!(!app.quit);
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.mode, Mode::Normal);
        assert!(!app.quit);
        press(&mut app, KeyCode::Char('q'));
        press(&mut app, KeyCode::Char('n'));
        assert!(app.quit, "n quits without saving");
    }

    #[test]
    fn a_click_selects_the_row_under_it_and_a_picker_choice_applies() {
        let mut app = app();
        app.list_area = Rect::new(1, 5, 30, 10);
        let click = |column, row| MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column,
            row,
            modifiers: KeyModifiers::NONE,
        };
        mouse(&mut app, click(3, 7));
        assert_eq!(app.cursor, 2);
        assert!(matches!(app.selected(), Some(Row::Widget(_, id)) if id == "cost"));
        press(&mut app, KeyCode::Char('t'));
        app.picker_area = Rect::new(20, 4, 30, 10);
        let themes = App::choices(Pick::Theme, "");
        mouse(&mut app, click(22, 5));
        assert_eq!(app.mode, Mode::Normal);
        assert_eq!(app.model.top("theme"), Some(format!("{:?}", themes[1])));
    }

    #[test]
    fn the_width_control_cycles_full_40_60_80_120() {
        let mut app = app();
        let mut seen = vec![app.preview_width()];
        for _ in 0..WIDTHS.len() {
            press(&mut app, KeyCode::Char('w'));
            seen.push(app.preview_width());
        }
        assert_eq!(seen, [None, Some(40), Some(60), Some(80), Some(120), None]);
    }

    #[test]
    fn an_invalid_edit_stays_open_with_the_error_and_changes_nothing() {
        let mut app = app();
        press(&mut app, KeyCode::Down);
        press(&mut app, KeyCode::Char('e'));
        for c in "bold = maybe".chars() {
            press(&mut app, KeyCode::Char(c));
        }
        press(&mut app, KeyCode::Enter);
        let Mode::Edit { error, .. } = &app.mode else {
            panic!("the edit closed: {:?}", app.mode);
        };
        assert!(
            error.as_deref().is_some_and(|e| e.contains("bold")),
            "{error:?}"
        );
        assert!(!app.model.dirty);
        assert!(app.model.widget_table("model").is_empty());
    }
}
