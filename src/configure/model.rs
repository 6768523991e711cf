//! The configuration being edited: a format-preserving TOML document (`toml_edit`), so that
//! the user's comments and layout survive a save. Every change is tried on a copy first and
//! checked by `config check`'s own validation ([`crate::config::check::parse`]); a change
//! that adds a problem is refused with that problem's message and the document is left as
//! it was.

use std::path::{Path, PathBuf};

use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, TableLike, Value};

use crate::config::check;

/// The header a new file starts with.
pub const NEW_FILE_HEADER: &str = "\
# blinkline configuration, written by `blinkline configure`.
# `blinkline config check` validates it; `blinkline widgets NAME` lists a widget's options.
";

/// A line's two groups.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    Left,
    Right,
}

impl Group {
    pub fn key(self) -> &'static str {
        match self {
            Group::Left => "left",
            Group::Right => "right",
        }
    }

    pub fn other(self) -> Group {
        match self {
            Group::Left => Group::Right,
            Group::Right => Group::Left,
        }
    }
}

/// Where a widget sits: line, group and index in the group.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot {
    pub line: usize,
    pub group: Group,
    pub index: usize,
}

/// One line's widget ids.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Line {
    pub left: Vec<String>,
    pub right: Vec<String>,
}

impl Line {
    pub fn group(&self, group: Group) -> &Vec<String> {
        match group {
            Group::Left => &self.left,
            Group::Right => &self.right,
        }
    }

    fn group_mut(&mut self, group: Group) -> &mut Vec<String> {
        match group {
            Group::Left => &mut self.left,
            Group::Right => &mut self.right,
        }
    }
}

/// The document being edited and where it is saved.
pub struct Model {
    doc: DocumentMut,
    pub path: PathBuf,
    /// Changed since the last save (or the load).
    pub dirty: bool,
    /// The problems the text had when loaded or last changed (a change may not add any).
    baseline: Vec<String>,
    /// The comment a new file starts with.
    header: &'static str,
}

impl Model {
    /// Reads `path`; a missing file starts a new document.
    pub fn open(path: &Path) -> Result<Model, String> {
        match std::fs::read_to_string(path) {
            Ok(source) => Model::from_source(&source, path),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
                let mut model = Model::from_source("", path)?;
                model.header = NEW_FILE_HEADER;
                Ok(model)
            }
            Err(err) => Err(format!("{}: {err}", path.display())),
        }
    }

    /// A model of `source`, saved to `path`. Text that is not TOML is refused (`configure`
    /// would lose it); other problems are kept and listed, as `config check` lists them.
    pub fn from_source(source: &str, path: &Path) -> Result<Model, String> {
        let doc: DocumentMut = source
            .parse()
            .map_err(|e: toml_edit::TomlError| format!("{}: {}", path.display(), e.message()))?;
        let baseline = problems(source);
        Ok(Model {
            doc,
            path: path.to_path_buf(),
            dirty: false,
            baseline,
            header: "",
        })
    }

    /// The text as it would be saved.
    pub fn source(&self) -> String {
        format!("{}{}", self.header, self.doc)
    }

    /// The problems `config check` finds in the text (messages without places).
    pub fn problems(&self) -> &[String] {
        &self.baseline
    }

    /// The lines as the file sets them, else as the preset or the default line does.
    pub fn lines(&self) -> Vec<Line> {
        if let Some(lines) = self.doc.get("line").and_then(Item::as_array_of_tables) {
            return lines
                .iter()
                .map(|t| Line {
                    left: strings(t.get("left")),
                    right: strings(t.get("right")),
                })
                .collect();
        }
        let preset = self.doc.get("preset").and_then(Item::as_str);
        if let Some(lines) = preset
            .and_then(crate::config::preset_source)
            .and_then(|source| check::parse(source).0.lines)
        {
            return lines
                .into_iter()
                .map(|l| Line {
                    left: l.left,
                    right: l.right,
                })
                .collect();
        }
        vec![Line {
            left: crate::layout::DEFAULT_LINE
                .iter()
                .map(|(name, _)| (*name).to_owned())
                .collect(),
            right: Vec::new(),
        }]
    }

    /// The value of a top-level key as written (`None` when unset).
    pub fn top(&self, key: &str) -> Option<String> {
        let value = self.doc.get(key)?.as_value()?;
        Some(value_text(value))
    }

    /// The keys and values of `[widget.ID]`, as written.
    pub fn widget_table(&self, id: &str) -> Vec<(String, String)> {
        let table = self
            .doc
            .get("widget")
            .and_then(Item::as_table_like)
            .and_then(|w| w.get(id))
            .and_then(Item::as_table_like);
        table
            .map(|t| {
                t.iter()
                    .filter_map(|(k, v)| Some((k.to_owned(), value_text(v.as_value()?))))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Sets a top-level key (`theme`, `charset`, `color`, …) from its text; empty text
    /// removes it.
    pub fn set_top(&mut self, key: &str, text: &str) -> Result<(), String> {
        let value = parse_value(text);
        self.try_change(|doc| match value {
            Some(value) => put(doc.as_table_mut(), key, value),
            None => {
                doc.remove(key);
            }
        })
    }

    /// Sets option or style `key` of widget `id` (`[widget.ID]`) from its text; empty text
    /// removes it.
    pub fn set_widget_option(&mut self, id: &str, key: &str, text: &str) -> Result<(), String> {
        if key.is_empty() {
            return Err("write KEY = VALUE, e.g. fg = \"red\"".to_owned());
        }
        let value = parse_value(text);
        self.try_change(|doc| {
            let widgets = doc.entry("widget").or_insert_with(|| {
                let mut t = Table::new();
                t.set_implicit(true);
                Item::Table(t)
            });
            let Some(widgets) = widgets.as_table_like_mut() else {
                return;
            };
            let table = widgets.entry(id).or_insert(Item::Table(Table::new()));
            let Some(table) = table.as_table_like_mut() else {
                return;
            };
            match value {
                Some(value) => put(table, key, value),
                None => {
                    table.remove(key);
                }
            }
        })
    }

    /// Adds widget `name` after `at` (or at the start of `at.group` of `at.line` when
    /// `at.index` is past the end… it is clamped).
    pub fn add_widget(&mut self, at: Slot, name: &str) -> Result<Slot, String> {
        let mut lines = self.lines();
        let line = lines.get_mut(at.line).ok_or("no such line")?;
        let group = line.group_mut(at.group);
        let index = at.index.min(group.len());
        group.insert(index, name.to_owned());
        self.set_lines(&lines)?;
        Ok(Slot { index, ..at })
    }

    /// Removes the widget at `at`.
    pub fn remove_widget(&mut self, at: Slot) -> Result<(), String> {
        let mut lines = self.lines();
        let group = lines
            .get_mut(at.line)
            .map(|l| l.group_mut(at.group))
            .filter(|g| at.index < g.len())
            .ok_or("no widget there")?;
        group.remove(at.index);
        self.set_lines(&lines)
    }

    /// Moves the widget at `at` one place earlier (`delta` −1) or later (+1) in its group,
    /// into the line above or below past the group's end.
    pub fn move_widget(&mut self, at: Slot, delta: isize) -> Result<Slot, String> {
        let mut lines = self.lines();
        let len = lines
            .get(at.line)
            .map(|l| l.group(at.group).len())
            .filter(|&n| at.index < n)
            .ok_or("no widget there")?;
        let target = at.index as isize + delta;
        let to = if (0..len as isize).contains(&target) {
            let group = lines[at.line].group_mut(at.group);
            group.swap(at.index, target as usize);
            Slot {
                index: target as usize,
                ..at
            }
        } else {
            let line = at.line as isize + delta.signum();
            if !(0..lines.len() as isize).contains(&line) {
                return Ok(at);
            }
            let line = line as usize;
            let id = lines[at.line].group_mut(at.group).remove(at.index);
            let group = lines[line].group_mut(at.group);
            let index = if delta < 0 { group.len() } else { 0 };
            group.insert(index, id);
            Slot {
                line,
                group: at.group,
                index,
            }
        };
        self.set_lines(&lines)?;
        Ok(to)
    }

    /// Moves the widget at `at` to the end of the other group of its line.
    pub fn switch_group(&mut self, at: Slot) -> Result<Slot, String> {
        let mut lines = self.lines();
        let line = lines.get_mut(at.line).ok_or("no such line")?;
        if at.index >= line.group(at.group).len() {
            return Err("no widget there".into());
        }
        let id = line.group_mut(at.group).remove(at.index);
        let other = at.group.other();
        let index = match other {
            Group::Left => line.left.len(),
            Group::Right => 0,
        };
        line.group_mut(other).insert(index, id);
        self.set_lines(&lines)?;
        Ok(Slot {
            line: at.line,
            group: other,
            index,
        })
    }

    /// Adds an empty line after line `after`.
    pub fn add_line(&mut self, after: usize) -> Result<usize, String> {
        let mut lines = self.lines();
        let at = (after + 1).min(lines.len());
        lines.insert(at, Line::default());
        self.set_lines(&lines)?;
        Ok(at)
    }

    /// Removes line `index` (the last line stays).
    pub fn remove_line(&mut self, index: usize) -> Result<(), String> {
        let mut lines = self.lines();
        if lines.len() <= 1 {
            return Err("the last line cannot be removed".into());
        }
        if index >= lines.len() {
            return Err("no such line".into());
        }
        lines.remove(index);
        self.set_lines(&lines)
    }

    /// Writes the lines into the `[[line]]` tables, keeping each table's other keys and
    /// comments.
    fn set_lines(&mut self, lines: &[Line]) -> Result<(), String> {
        self.try_change(|doc| {
            let mut tables = match doc.remove("line") {
                Some(Item::ArrayOfTables(tables)) => tables,
                _ => ArrayOfTables::new(),
            };
            while tables.len() > lines.len() {
                tables.remove(tables.len() - 1);
            }
            while tables.len() < lines.len() {
                tables.push(Table::new());
            }
            for (table, line) in tables.iter_mut().zip(lines) {
                for group in [Group::Left, Group::Right] {
                    let ids = line.group(group);
                    if ids.is_empty() && group == Group::Right {
                        table.remove(group.key());
                        continue;
                    }
                    let same = strings(table.get(group.key())) == *ids;
                    if !same || !table.contains_key(group.key()) {
                        let array: Array = ids.iter().map(String::as_str).collect();
                        put(table, group.key(), Value::Array(array));
                    }
                }
            }
            doc.insert("line", Item::ArrayOfTables(tables));
        })
    }

    /// Applies `change` to a copy; keeps it only when `config check` finds no new problem.
    fn try_change(&mut self, change: impl FnOnce(&mut DocumentMut)) -> Result<(), String> {
        let mut candidate = self.doc.clone();
        change(&mut candidate);
        let text = format!("{}{candidate}", self.header);
        let found = problems(&text);
        if let Some(new) = found.iter().find(|p| !self.baseline.contains(p)) {
            return Err(new.clone());
        }
        self.doc = candidate;
        self.baseline = found;
        self.dirty = true;
        Ok(())
    }

    /// Writes the file (through a temporary file beside it, then a rename).
    pub fn save(&mut self) -> std::io::Result<()> {
        if let Some(dir) = self.path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut tmp = self.path.clone().into_os_string();
        tmp.push(".configure-tmp");
        let tmp = PathBuf::from(tmp);
        std::fs::write(&tmp, self.source())?;
        if let Ok(meta) = std::fs::metadata(&self.path) {
            let _ = std::fs::set_permissions(&tmp, meta.permissions());
        }
        std::fs::rename(&tmp, &self.path)?;
        self.dirty = false;
        Ok(())
    }
}

/// Sets `key` to `value`, keeping the comments around an existing key and value.
fn put(table: &mut dyn TableLike, key: &str, mut value: Value) {
    match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) => {
            *value.decor_mut() = old.decor().clone();
            *old = value;
        }
        None => {
            value.decor_mut().set_prefix(" ");
            table.insert(key, Item::Value(value));
        }
    }
}

/// `config check`'s problems in `source`, messages only (places move as the text changes).
fn problems(source: &str) -> Vec<String> {
    check::parse(source)
        .1
        .into_iter()
        .map(|p| p.message)
        .collect()
}

/// The strings of an array item.
fn strings(item: Option<&Item>) -> Vec<String> {
    item.and_then(Item::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// A value as the user typed it: TOML (`true`, `5`, `"red"`, `["a"]`), else a string;
/// empty text is `None` (remove the key).
pub fn parse_value(text: &str) -> Option<Value> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let mut value = text
        .parse::<Value>()
        .unwrap_or_else(|_| Value::from(text.to_owned()));
    value.decor_mut().clear();
    Some(value)
}

/// A value as written, without its comments and spacing.
pub fn value_text(value: &Value) -> String {
    let mut value = value.clone();
    value.decor_mut().clear();
    value.to_string().trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const COMMENTED: &str = "\
# my status line
theme = \"nord\" # the blue one

# the only line
[[line]]
left = [\"model\", \"cost\"]

[widget.cost]
# dollars
warn = \"$2\"
";

    fn model(source: &str) -> Model {
        Model::from_source(source, Path::new("config.toml")).unwrap()
    }

    fn slot(line: usize, group: Group, index: usize) -> Slot {
        Slot { line, group, index }
    }

    #[test]
    fn add_remove_and_reorder_widgets_change_the_line_tables() {
        let mut m = model(COMMENTED);
        let at = m.add_widget(slot(0, Group::Left, 2), "git_branch").unwrap();
        assert_eq!(at, slot(0, Group::Left, 2));
        assert_eq!(m.lines()[0].left, ["model", "cost", "git_branch"]);
        let at = m.move_widget(at, -1).unwrap();
        assert_eq!(m.lines()[0].left, ["model", "git_branch", "cost"]);
        let at = m.switch_group(at).unwrap();
        assert_eq!(at, slot(0, Group::Right, 0));
        assert_eq!(m.lines()[0].left, ["model", "cost"]);
        assert_eq!(m.lines()[0].right, ["git_branch"]);
        m.remove_widget(slot(0, Group::Left, 0)).unwrap();
        assert_eq!(m.lines()[0].left, ["cost"]);
        assert!(m.dirty);
        let (config, problems) = check::parse(&m.source());
        assert!(problems.is_empty(), "{problems:?}");
        let lines = config.lines.unwrap();
        assert_eq!(lines[0].left, ["cost"]);
        assert_eq!(lines[0].right, ["git_branch"]);
    }

    #[test]
    fn lines_are_added_removed_and_widgets_move_across_them() {
        let mut m = model(COMMENTED);
        assert_eq!(m.add_line(0).unwrap(), 1);
        assert_eq!(m.lines().len(), 2);
        let at = m.move_widget(slot(0, Group::Left, 1), 1).unwrap();
        assert_eq!(at, slot(1, Group::Left, 0));
        assert_eq!(m.lines()[0].left, ["model"]);
        assert_eq!(m.lines()[1].left, ["cost"]);
        m.remove_line(0).unwrap();
        assert_eq!(
            m.lines(),
            [Line {
                left: vec!["cost".into()],
                right: vec![]
            }]
        );
        assert!(m.remove_line(0).is_err(), "the last line stays");
    }

    #[test]
    fn a_file_without_lines_starts_from_the_default_line() {
        let mut m = model("theme = \"plain\"\n");
        let names: Vec<_> = crate::layout::DEFAULT_LINE
            .iter()
            .map(|(n, _)| *n)
            .collect();
        assert_eq!(m.lines()[0].left, names);
        m.remove_widget(slot(0, Group::Left, 0)).unwrap();
        assert_eq!(m.lines()[0].left, names[1..]);
        assert!(m.source().starts_with("theme = \"plain\"\n"));
    }

    #[test]
    fn an_invalid_value_is_refused_with_the_check_message_and_not_applied() {
        let mut m = model(COMMENTED);
        let before = m.source();
        let err = m
            .set_widget_option("cost", "fg", "not-a-colour")
            .unwrap_err();
        assert!(err.contains("fg"), "{err}");
        let err = m.set_widget_option("cost", "nonsense", "1").unwrap_err();
        assert!(err.contains("nonsense"), "{err}");
        let err = m.set_top("theme", "no-such-theme").unwrap_err();
        assert!(err.contains("no-such-theme"), "{err}");
        let err = m
            .add_widget(slot(0, Group::Left, 0), "no_such_widget")
            .unwrap_err();
        assert!(err.contains("no_such_widget"), "{err}");
        assert_eq!(m.source(), before);
        assert!(!m.dirty);
    }

    #[test]
    fn a_valid_edit_is_applied_and_empty_text_removes_the_key() {
        let mut m = model(COMMENTED);
        m.set_widget_option("cost", "fg", "red").unwrap();
        m.set_widget_option("text#left", "text", "hi").unwrap();
        m.set_top("charset", "ascii").unwrap();
        let (config, problems) = check::parse(&m.source());
        assert!(problems.is_empty(), "{problems:?}\n{}", m.source());
        assert_eq!(config.widget("text#left").unwrap().options.len(), 1);
        assert_eq!(m.widget_table("cost")[1], ("fg".into(), "\"red\"".into()));
        m.set_widget_option("cost", "fg", "").unwrap();
        assert_eq!(m.widget_table("cost").len(), 1);
        m.set_top("charset", "").unwrap();
        assert_eq!(m.top("charset"), None);
    }

    #[test]
    fn saving_keeps_the_comments_and_config_check_accepts_the_file() {
        let dir = crate::tempdir::TempDir::new("configure-save").unwrap();
        let path = dir.join("config.toml");
        std::fs::write(&path, COMMENTED).unwrap();
        let mut m = Model::open(&path).unwrap();
        m.add_widget(slot(0, Group::Left, 2), "duration").unwrap();
        m.set_widget_option("cost", "fg", "red").unwrap();
        m.set_top("theme", "gruvbox").unwrap();
        m.save().unwrap();
        assert!(!m.dirty);
        let written = std::fs::read_to_string(&path).unwrap();
        for comment in [
            "# my status line",
            "# the blue one",
            "# the only line",
            "# dollars",
        ] {
            assert!(written.contains(comment), "{comment} lost:\n{written}");
        }
        let (config, problems) = check::parse(&written);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(config.theme.as_deref(), Some("gruvbox"));
        assert_eq!(config.lines.unwrap()[0].left, ["model", "cost", "duration"]);
        let again = Model::open(&path).unwrap();
        assert_eq!(
            again.source(),
            written,
            "a reload reads back what was saved"
        );
    }

    #[test]
    fn a_new_file_gets_a_commented_header() {
        let dir = crate::tempdir::TempDir::new("configure-new").unwrap();
        let path = dir.join("sub/config.toml");
        let mut m = Model::open(&path).unwrap();
        m.set_top("theme", "nord").unwrap();
        m.save().unwrap();
        let written = std::fs::read_to_string(&path).unwrap();
        assert!(written.starts_with(NEW_FILE_HEADER), "{written}");
        assert!(check::parse(&written).1.is_empty());
    }
}
