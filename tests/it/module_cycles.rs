//! The top-level modules of `src/` form no dependency cycle: every `crate::X` path in a
//! module's non-test code is an edge to `X`, and the graph's strongly connected
//! components must all be single modules, and no two modules may use each other.
//! `KNOWN_CYCLES` and `KNOWN_MUTUAL` list what is still to break (ARCHITECTURE.md names
//! it); a new cycle or pair fails, and so does a listed one once it is gone, so the lists
//! only shrink.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Cycles not broken yet, each as its modules in name order: one component may only
/// lose modules (then it is listed anew).
const KNOWN_CYCLES: &[&[&str]] = &[
    &["bench", "commands"],
    &[
        "cli",
        "config",
        "error",
        "format",
        "install",
        "layout",
        "render",
        "setup",
        "shell",
        "transcript",
        "usage",
        "widgets",
    ],
];

/// Pairs of modules that still use each other, in name order.
const KNOWN_MUTUAL: &[(&str, &str)] = &[
    ("bench", "commands"),
    ("config", "format"),
    ("error", "install"),
    ("error", "usage"),
    ("format", "widgets"),
    ("transcript", "widgets"),
    ("usage", "widgets"),
];

type Graph = BTreeMap<String, BTreeSet<String>>;

/// The first path segment of each item of a `{...}` group starting at `text[0] == '{'`.
fn group_heads(text: &str) -> Vec<String> {
    let (mut depth, mut heads, mut at_item) = (0, Vec::new(), true);
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' => {
                depth += 1;
                at_item = depth == 1;
            }
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            ',' if depth == 1 => at_item = true,
            c if at_item && depth == 1 && (c.is_ascii_alphabetic() || c == '_') => {
                let end = text[i..]
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .map_or(text.len(), |n| i + n);
                heads.push(text[i..end].to_owned());
                at_item = false;
                while chars.peek().is_some_and(|&(j, _)| j < end) {
                    chars.next();
                }
            }
            _ => {}
        }
    }
    heads
}

/// The top-level modules `code` names through `crate::`.
fn crate_paths(code: &str) -> Vec<String> {
    let mut found = Vec::new();
    for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            let before = rest[..at].chars().last();
            rest = &rest[at + "crate::".len()..];
            if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
                continue;
            }
            if rest.starts_with('{') {
                let group_end = code.find(rest).unwrap_or(0);
                found.extend(group_heads(&code[group_end..]));
            } else {
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .unwrap_or(rest.len());
                found.push(rest[..end].to_owned());
            }
        }
    }
    found
}

/// `text` without its inline test modules (`#[cfg(test)] mod name { ... }`, to the
/// matching brace; braces in test strings come in pairs).
fn product_code(text: &str) -> String {
    let mut code = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]\n") {
        let after = &rest[at + "#[cfg(test)]\n".len()..];
        let line = after.lines().next().unwrap_or("");
        let head = line.trim_start().trim_start_matches("pub ");
        code.push_str(&rest[..at]);
        if !(head.starts_with("mod ") && line.trim_end().ends_with('{')) {
            rest = after;
            continue;
        }
        let mut depth = 0usize;
        let mut end = after.len();
        for (i, c) in after.char_indices() {
            match c {
                '{' => depth += 1,
                '}' if depth == 1 => {
                    end = i + 1;
                    break;
                }
                '}' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        rest = &after[end..];
    }
    code.push_str(rest);
    code
}

/// Files declared `#[cfg(test)] mod name;` by `text` (in `dir`), skipped as test code.
fn test_only_files(dir: &Path, text: &str, into: &mut BTreeSet<PathBuf>) {
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        if line == "#[cfg(test)]"
            && let Some(next) = lines.next()
            && let Some(name) = next
                .trim_start_matches("pub ")
                .strip_prefix("mod ")
                .and_then(|n| n.strip_suffix(';'))
        {
            into.insert(dir.join(format!("{name}.rs")));
            into.insert(dir.join(name));
        }
    }
}

fn rust_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push(path);
        }
    }
}

fn graph(src: &Path) -> Graph {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    files.sort();
    let mut skipped = BTreeSet::new();
    for file in &files {
        let dir = match file.file_name().and_then(|n| n.to_str()) {
            Some("mod.rs" | "lib.rs" | "main.rs") => file.parent().unwrap().to_path_buf(),
            _ => file.with_extension(""),
        };
        test_only_files(&dir, &std::fs::read_to_string(file).unwrap(), &mut skipped);
    }
    let top = |file: &Path| {
        let rel = file.strip_prefix(src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_str()
            .unwrap();
        first.trim_end_matches(".rs").to_owned()
    };
    let modules: BTreeSet<String> = files.iter().map(|f| top(f)).collect();
    let mut graph = Graph::new();
    for file in &files {
        if skipped.iter().any(|s| file.starts_with(s)) {
            continue;
        }
        let from = top(file);
        let text = std::fs::read_to_string(file).unwrap();
        for to in crate_paths(&product_code(&text)) {
            if to != from && modules.contains(&to) {
                graph.entry(from.clone()).or_default().insert(to);
            }
        }
    }
    graph
}

/// The strongly connected components of more than one module (Tarjan's algorithm).
fn cycles(graph: &Graph) -> BTreeSet<Vec<String>> {
    struct State<'g> {
        graph: &'g Graph,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        found: BTreeSet<Vec<String>>,
    }
    fn visit<'g>(s: &mut State<'g>, v: &'g str) {
        let n = s.index.len();
        s.index.insert(v, n);
        s.low.insert(v, n);
        s.stack.push(v);
        for w in s.graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !s.index.contains_key(w) {
                visit(s, w);
                let low = s.low[v].min(s.low[w]);
                s.low.insert(v, low);
            } else if s.stack.contains(&w) {
                let low = s.low[v].min(s.index[w]);
                s.low.insert(v, low);
            }
        }
        if s.low[v] == s.index[v] {
            let mut component = Vec::new();
            while let Some(w) = s.stack.pop() {
                component.push(w.to_owned());
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                component.sort();
                s.found.insert(component);
            }
        }
    }
    let mut state = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: BTreeSet::new(),
    };
    for v in graph.keys() {
        if !state.index.contains_key(v.as_str()) {
            visit(&mut state, v);
        }
    }
    state.found
}

#[test]
fn the_parser_sees_plain_grouped_and_nested_paths() {
    let code = "use crate::a::B;\nuse crate::{b, c::{D, E}, d::F};\nlet x = crate::e::f();\n\
                // crate::comment\nmy_crate::no";
    assert_eq!(crate_paths(code), ["a", "b", "c", "d", "e"]);
}

#[test]
fn inline_test_modules_are_left_out() {
    let text = "use crate::a;\n#[cfg(test)]\nmod t {\n    fn f() { crate::b::g(\"{}\"); }\n}\n\
                fn h() { crate::c::i(); }\n#[cfg(test)]\nfn only_in_tests() {}\n";
    assert_eq!(crate_paths(&product_code(text)), ["a", "c"]);
}

#[test]
fn tarjan_finds_a_cycle_and_only_it() {
    let mut g = Graph::new();
    for (a, b) in [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")] {
        g.entry(a.into()).or_default().insert(b.into());
    }
    assert_eq!(
        cycles(&g),
        BTreeSet::from([vec!["a".to_owned(), "b".into(), "c".into()]])
    );
}

/// The pairs of modules that use each other, in name order.
fn mutual_pairs(graph: &Graph) -> BTreeSet<Vec<String>> {
    let mut pairs = BTreeSet::new();
    for (a, uses) in graph {
        for b in uses.iter().filter(|b| a < *b) {
            if graph.get(b).is_some_and(|back| back.contains(a)) {
                pairs.insert(vec![a.clone(), b.clone()]);
            }
        }
    }
    pairs
}

#[test]
fn no_two_top_level_modules_use_each_other_but_the_known_pairs() {
    let graph = graph(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    let found = mutual_pairs(&graph);
    let known: BTreeSet<Vec<String>> = KNOWN_MUTUAL
        .iter()
        .map(|(a, b)| vec![(*a).to_owned(), (*b).to_owned()])
        .collect();
    let new: Vec<_> = found.difference(&known).collect();
    assert!(new.is_empty(), "modules that use each other: {new:?}");
    let gone: Vec<_> = known.difference(&found).collect();
    assert!(
        gone.is_empty(),
        "broken now, remove from KNOWN_MUTUAL: {gone:?}"
    );
}

#[test]
fn the_top_level_modules_have_no_cycle_but_the_known_ones() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = graph(&src);
    let found = cycles(&graph);
    let known: BTreeSet<Vec<String>> = KNOWN_CYCLES
        .iter()
        .map(|c| c.iter().map(|&m| m.to_owned()).collect())
        .collect();
    let edges_of = |cycle: &Vec<String>| {
        let mut lines = Vec::new();
        for a in cycle {
            for b in graph[a].iter().filter(|b| cycle.contains(b)) {
                lines.push(format!("{a} -> {b}"));
            }
        }
        lines.join(", ")
    };
    let new: Vec<String> = found.difference(&known).map(edges_of).collect();
    assert!(new.is_empty(), "module cycles: {new:?}");
    let gone: Vec<_> = known.difference(&found).collect();
    assert!(
        gone.is_empty(),
        "broken now, remove from KNOWN_CYCLES: {gone:?}"
    );
}
