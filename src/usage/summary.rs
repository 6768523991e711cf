//! What the usage widgets read on a render: a record of a few hundred bytes, written by
//! whoever updates the index, with the last [`DAYS`] local days' totals and the latest
//! 5-hour block. A render reads it into fixed buffers (no directory scan, no allocation
//! once warm) and decides from it whether to start a refresher.
//!
//! Costs here are `auto` mode with the built-in price table (a line's own `costUSD`,
//! else computed).

use arrayvec::ArrayVec;

use crate::transcript::prices::Prices;
use crate::usage::index::Index;
use crate::usage::report::{self, Mode, Period, Query};

/// Local days kept: enough for a week that started 7 days ago, and some spare.
pub const DAYS: usize = 10;
const VERSION: u8 = 1;

/// Tokens, cost and calls of a period.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Figures {
    pub tokens: u64,
    pub cost: f64,
    pub calls: u64,
}

/// The latest 5-hour block.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct BlockFigures {
    pub start_ms: i64,
    pub first_ms: i64,
    pub last_ms: i64,
    pub figures: Figures,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// When it was computed, ms since the epoch.
    pub computed_ms: i64,
    /// The local time zone's offset then (a render in another zone refreshes it).
    pub utc_offset_s: i64,
    /// The newest transcript modification time it covers, ns since the epoch.
    pub newest_mtime_ns: i64,
    /// `(local day, figures)`, oldest first.
    pub days: ArrayVec<(i64, Figures), DAYS>,
    pub block: Option<BlockFigures>,
}

impl Summary {
    pub fn compute(index: &Index, now_ms: i64) -> Summary {
        let prices = Prices::builtin();
        let today = report::local_day(now_ms);
        let q = Query {
            period: Period::Daily,
            since: Some(today - DAYS as i64 + 1),
            until: Some(today),
            project: None,
            mode: Mode::Auto,
            prices: &prices,
            week_start: 0,
            now_ms,
        };
        let mut s = Summary {
            computed_ms: now_ms,
            utc_offset_s: crate::sys::time::utc_offset(now_ms / 1000),
            newest_mtime_ns: index.files.iter().map(|f| f.id.mtime_ns).max().unwrap_or(0),
            ..Summary::default()
        };
        for row in report::rows(index, &q) {
            let Some(day) = report::parse_date(&row.label) else {
                continue;
            };
            let _ = s.days.try_push((day, figures(&row)));
        }
        let q = Query {
            period: Period::Blocks,
            since: None,
            until: None,
            ..q
        };
        s.block = report::blocks(index, &q).last().map(|row| BlockFigures {
            start_ms: row.block.map_or(0, |b| b.start_ms),
            first_ms: row.total.first_ms,
            last_ms: row.total.last_ms,
            figures: figures(row),
        });
        s
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = vec![VERSION];
        let mut put = |v: i64| out.extend_from_slice(&v.to_le_bytes());
        put(self.computed_ms);
        put(self.utc_offset_s);
        put(self.newest_mtime_ns);
        put(self.days.len() as i64);
        for (day, f) in &self.days {
            put(*day);
            put(f.tokens as i64);
            put(f.cost.to_bits() as i64);
            put(f.calls as i64);
        }
        match &self.block {
            Some(b) => {
                put(1);
                for v in [b.start_ms, b.first_ms, b.last_ms, b.figures.tokens as i64] {
                    put(v);
                }
                put(b.figures.cost.to_bits() as i64);
                put(b.figures.calls as i64);
            }
            None => put(0),
        }
        out
    }
}

fn figures(row: &report::Row) -> Figures {
    Figures {
        tokens: row.total.tokens.total(),
        cost: row.cost,
        calls: row.total.calls,
    }
}
