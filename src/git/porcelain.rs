//! Parsing `git status --porcelain=v2 --branch --show-stash -z`.
//!
//! How entries are counted (the rules `git_status` documents):
//! - `1 XY …`: staged when `X` is not `.`; modified when `Y` is `M` or `T`; deleted when
//!   `Y` is `D`;
//! - `2 XY …` (a rename or copy git detected in the index): renamed (not also staged);
//!   its `Y` counts as for `1`; with `-z` the original path follows in its own field;
//! - `u …`: conflicted; `? path`: untracked; `! path` (ignored) is not counted;
//! - headers: `# branch.ab +A -B` gives ahead/behind, `# stash N` the stash count.
//!
//! Read next: `record.rs`.

/// Counts of the working tree's state.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub staged: u32,
    pub modified: u32,
    pub deleted: u32,
    pub renamed: u32,
    pub untracked: u32,
    pub conflicted: u32,
    pub stash: u32,
}

impl Counts {
    /// True when nothing is staged, changed, untracked or conflicted (stashes don't count).
    pub fn is_clean(&self) -> bool {
        self.staged + self.modified + self.deleted + self.renamed + self.untracked + self.conflicted
            == 0
    }
}

/// What one `git status` run reported.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Porcelain {
    pub counts: Counts,
    pub ahead_behind: Option<(u32, u32)>,
}

const BAD: &str = "git status printed a line this version does not understand";

/// Parses `-z` output.
pub fn parse(output: &[u8]) -> Result<Porcelain, &'static str> {
    let mut result = Porcelain::default();
    let mut fields = output.split(|&b| b == 0);
    while let Some(field) = fields.next() {
        if field.is_empty() {
            continue;
        }
        let c = &mut result.counts;
        match field[0] {
            b'#' => header(field, &mut result)?,
            b'1' => {
                let (x, y) = xy(field)?;
                c.staged += u32::from(x != b'.');
                worktree_side(c, y);
            }
            b'2' => {
                let (_, y) = xy(field)?;
                c.renamed += 1;
                worktree_side(c, y);
                fields.next().filter(|f| !f.is_empty()).ok_or(BAD)?;
            }
            b'u' => c.conflicted += 1,
            b'?' => c.untracked += 1,
            b'!' => {}
            _ => return Err(BAD),
        }
    }
    Ok(result)
}

/// The `# branch.head` and `# branch.oid` values of `-z` output (`(detached)`,
/// `(initial)` as git writes them).
pub fn branch_fields(output: &[u8]) -> (Option<&[u8]>, Option<&[u8]>) {
    let mut head = None;
    let mut oid = None;
    for field in output.split(|&b| b == 0) {
        if let Some(h) = field.strip_prefix(b"# branch.head ") {
            head = Some(h);
        } else if let Some(o) = field.strip_prefix(b"# branch.oid ") {
            oid = Some(o);
        } else if !field.starts_with(b"#") && !field.is_empty() {
            break;
        }
    }
    (head, oid)
}

fn worktree_side(c: &mut Counts, y: u8) {
    c.modified += u32::from(matches!(y, b'M' | b'T'));
    c.deleted += u32::from(y == b'D');
}

fn xy(field: &[u8]) -> Result<(u8, u8), &'static str> {
    match field {
        [_, b' ', x, y, b' ', ..] => Ok((*x, *y)),
        _ => Err(BAD),
    }
}

fn number(text: &[u8]) -> Result<u32, &'static str> {
    std::str::from_utf8(text)
        .ok()
        .and_then(|t| t.parse().ok())
        .ok_or(BAD)
}

fn header(field: &[u8], result: &mut Porcelain) -> Result<(), &'static str> {
    if let Some(ab) = field.strip_prefix(b"# branch.ab ") {
        let mut parts = ab.split(|&b| b == b' ');
        let ahead = parts.next().and_then(|p| p.strip_prefix(b"+")).ok_or(BAD)?;
        let behind = parts.next().and_then(|p| p.strip_prefix(b"-")).ok_or(BAD)?;
        result.ahead_behind = Some((number(ahead)?, number(behind)?));
    } else if let Some(n) = field.strip_prefix(b"# stash ") {
        result.counts.stash = number(n)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_kind_is_counted() {
        let out = b"# branch.oid 1111\0# branch.head main\0# branch.upstream origin/main\0# branch.ab +2 -1\0# stash 3\0\
1 M. N... 100644 100644 100644 a b staged.txt\0\
1 .M N... 100644 100644 100644 a b modified.txt\0\
1 AM N... 000000 100644 100644 a b both.txt\0\
1 .D N... 100644 100644 000000 a b gone.txt\0\
2 R. N... 100644 100644 100644 a b R100 new.txt\0old.txt\0\
u UU N... 100644 100644 100644 100644 a b c conflict.txt\0\
? new dir/file.txt\0! ignored.log\0";
        let p = parse(out).unwrap();
        assert_eq!(branch_fields(out), (Some(&b"main"[..]), Some(&b"1111"[..])));
        assert_eq!(p.ahead_behind, Some((2, 1)));
        assert_eq!(
            p.counts,
            Counts {
                staged: 2,
                modified: 2,
                deleted: 1,
                renamed: 1,
                untracked: 1,
                conflicted: 1,
                stash: 3
            }
        );
    }

    #[test]
    fn a_clean_repository_without_upstream_has_no_ahead_behind() {
        let p = parse(b"# branch.oid (initial)\0# branch.head main\0").unwrap();
        assert_eq!(p.ahead_behind, None);
        assert!(p.counts.is_clean());
    }

    #[test]
    fn unknown_lines_are_an_error_not_a_panic() {
        for bad in [
            &b"Z what\0"[..],
            b"1\0",
            b"# branch.ab 2 1\0",
            b"2 R. N... a b c d e R100 x\0",
        ] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
