//! Where the figures of parsed lines go: straight into a [`State`] (one thread), or into a
//! compact [`Batch`] that a worker fills from one chunk of the file and the main thread
//! later replays into the state (the parallel first scan, `parallel.rs`).
//!
//! # Why a batch replays exactly
//! The counters a line bumps (`lines`, `bad_lines`, `prompts`, `tool_results`,
//! `compactions`, `tool_uses`) are sums that nothing else reads while scanning, so a batch
//! adds them once. Everything whose effect depends on what came before — the time of the
//! last user line (a call's start), and usage rows (dedupe by call, model slots in order of
//! first use, 5-hour blocks, the recent-call ring) — is kept as an ordered list of
//! [`Event`]s and replayed through the same [`State`] methods, in file order.
//!
//! Read next: `parallel.rs`, which fills and applies batches; `state.rs`.

use crate::transcript::state::{Call, State};

/// What one line of the transcript contributes.
pub trait Sink {
    /// A non-empty line.
    fn line(&mut self);
    /// A line that looked like usage but could not be parsed.
    fn bad_line(&mut self);
    fn prompt(&mut self);
    fn tool_result(&mut self);
    fn compaction(&mut self);
    /// `tool_use` blocks of a main-chain assistant line.
    fn tool_uses(&mut self, n: u64);
    /// The timestamp of a user line, ms since the epoch.
    fn user_time(&mut self, ms: i64);
    /// One usage row of an API call (`call.model` is set from `model` here).
    fn row(&mut self, model: &str, call: Call);
}

impl Sink for State {
    fn line(&mut self) {
        self.lines += 1;
    }
    fn bad_line(&mut self) {
        self.bad_lines += 1;
    }
    fn prompt(&mut self) {
        self.prompts += 1;
    }
    fn tool_result(&mut self) {
        self.tool_results += 1;
    }
    fn compaction(&mut self) {
        self.compactions += 1;
    }
    fn tool_uses(&mut self, n: u64) {
        self.tool_uses += n;
    }
    fn user_time(&mut self, ms: i64) {
        self.last_user_ms = self.last_user_ms.max(ms);
    }
    fn row(&mut self, model: &str, mut call: Call) {
        call.model = self.model_slot(model);
        self.record_row(call);
    }
}

/// An order-dependent effect of a line, kept for replay.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    UserTime(i64),
    /// A usage row; its model name is `names[name.0..name.0 + name.1]` of the batch.
    Row {
        name: (u32, u8),
        call: Call,
    },
}

/// The order-free sums of a batch.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct BatchCounts {
    lines: u64,
    bad_lines: u64,
    prompts: u64,
    tool_results: u64,
    compactions: u64,
    tool_uses: u64,
}

/// The figures of the lines of one chunk, in a few bytes per assistant row.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Batch {
    /// The byte range of the complete lines consumed (`None`: no line starts in the chunk).
    pub span: Option<(u64, u64)>,
    counts: BatchCounts,
    events: Vec<Event>,
    /// Model names of the rows, each stored once per run of rows with the same model.
    names: String,
    last_name: (u32, u8),
}

impl Batch {
    /// Replays the batch into `state`, as if its lines had been scanned there.
    pub fn apply_to(&self, state: &mut State) {
        let c = &self.counts;
        state.lines += c.lines;
        state.bad_lines += c.bad_lines;
        state.prompts += c.prompts;
        state.tool_results += c.tool_results;
        state.compactions += c.compactions;
        state.tool_uses += c.tool_uses;
        for event in &self.events {
            match *event {
                Event::UserTime(ms) => state.user_time(ms),
                Event::Row { name, call } => {
                    let (at, len) = (name.0 as usize, usize::from(name.1));
                    state.row(&self.names[at..at + len], call);
                }
            }
        }
    }

    /// The order-dependent effects, in file order.
    #[cfg(test)]
    pub fn events(&self) -> &[Event] {
        &self.events
    }
}

impl Sink for Batch {
    fn line(&mut self) {
        self.counts.lines += 1;
    }
    fn bad_line(&mut self) {
        self.counts.bad_lines += 1;
    }
    fn prompt(&mut self) {
        self.counts.prompts += 1;
    }
    fn tool_result(&mut self) {
        self.counts.tool_results += 1;
    }
    fn compaction(&mut self) {
        self.counts.compactions += 1;
    }
    fn tool_uses(&mut self, n: u64) {
        self.counts.tool_uses += n;
    }
    fn user_time(&mut self, ms: i64) {
        self.events.push(Event::UserTime(ms));
    }
    fn row(&mut self, model: &str, call: Call) {
        // The state keeps at most this much of a name (`State::model_slot`).
        let model = crate::engine::slots::cut_at_char_boundary(model, 48);
        let (at, len) = (self.last_name.0 as usize, usize::from(self.last_name.1));
        if self.names.get(at..at + len) != Some(model) {
            self.last_name = (self.names.len() as u32, model.len() as u8);
            self.names.push_str(model);
        }
        self.events.push(Event::Row {
            name: self.last_name,
            call,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::state::Tokens;

    fn call(key: u64, output: u64, ms: i64) -> Call {
        Call {
            key,
            tokens: Tokens {
                output,
                ..Tokens::default()
            },
            end_ms: ms,
            ..Call::default()
        }
    }

    fn feed(sink: &mut dyn Sink) {
        sink.line();
        sink.user_time(5_000);
        sink.prompt();
        sink.row("claude-opus-4-6", call(1, 10, 6_000));
        sink.row("claude-opus-4-6", call(1, 12, 6_001));
        sink.row("claude-haiku-4-5", call(2, 3, 7_000));
        sink.tool_uses(2);
        sink.user_time(8_000);
        sink.tool_result();
        sink.row(&"é".repeat(40), call(3, 1, 9_000));
        sink.bad_line();
        sink.compaction();
    }

    #[test]
    fn a_replayed_batch_equals_feeding_the_state_directly() {
        let mut direct = State::default();
        direct.row("claude-sonnet-4-5", call(9, 1, 1_000));
        let mut replayed = direct.clone();
        feed(&mut direct);
        let mut batch = Batch::default();
        feed(&mut batch);
        batch.apply_to(&mut replayed);
        assert_eq!(replayed, direct);
        assert_eq!(direct.model_name(3), "é".repeat(24));
    }

    #[test]
    fn a_batch_stores_a_model_name_once_per_run_of_rows() {
        let mut batch = Batch::default();
        feed(&mut batch);
        assert_eq!(
            batch.names,
            format!("claude-opus-4-6claude-haiku-4-5{}", "é".repeat(24))
        );
        assert_eq!(batch.events().len(), 6);
    }
}
