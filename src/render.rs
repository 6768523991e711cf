//! The renderer: drives one frame from payload bytes to the finished line.
//!
//! A frame: open every slot for a new generation → decode the payload → submit the widgets
//! that run on the pool → render the others inline → wait for pool widgets until the frame
//! deadline (never longer) → assemble the slots into the frame buffer. Widgets that missed
//! the deadline are marked late (or stale, showing their last value) and the frame goes out
//! without them; a straggler can never write into a newer frame (see `engine/slots.rs`).
//!
//! Which widgets go to the pool is decided in `engine/pool.rs`'s module doc: only slow ones
//! by default, everything with `Offload::All` (used by `bench --compare threads`). A
//! renderer is put together by a [`RendererBuilder`], which decides that once per widget.
//!
//! Per-widget times cost a clock read per widget and a histogram record, so they are taken
//! only when someone looks ([`Renderer::set_widget_timing`]: JSON output, `explain`,
//! `bench`); inline widgets share one clock, the end of one widget being the start of the
//! next. Pool widgets are always timed (they are slow; two reads are noise to them).
//!
//! A warm frame allocates nothing: slots, frame buffer and payload buffers are reused, the
//! payload decodes into borrowed structs, and widgets write into fixed-capacity slots.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrayvec::ArrayVec;

use crate::cache::Refresher;
use crate::engine::clock::unix_now;
use crate::engine::frame::{
    FrameBuffer, FrameSpec, MAX_WIDGETS, Placement, SegmentSink, SegmentState, assemble_with_states,
};
use crate::engine::metrics::EngineMetrics;
use crate::engine::pool::{JobRunner, Pool};
use crate::engine::slots::{Outcome, SlotClaims, SlotContent, SlotTable, SlotView, Tone};
use crate::engine::sync::Handshake;
use crate::input::env::Environment;
use crate::input::shell::ShellContext;
use crate::input::{InputProblem, parse_session};
use crate::widgets::style::WidgetStyle;
use crate::widgets::{Charset, Cost, RenderContext, Widget};

/// One widget placed in the layout.
pub struct LayoutEntry {
    pub name: &'static str,
    /// The name the layout asked for it by (`text#left`); empty: `name`.
    pub id: String,
    pub widget: Box<dyn Widget>,
    pub placement: Placement,
    /// How long the frame waits for this widget when it runs on the pool.
    pub budget: Duration,
    /// The user's style for it (`fg`, `format`, …): the renderer applies its text part
    /// (`format`, `prefix`, `suffix`) to each render, the sink the rest.
    pub style: WidgetStyle,
    /// What `{icon}` stands for in its format.
    pub icon: String,
}

/// Which widgets run on the pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Offload {
    /// Slow widgets only (the default; see `engine/pool.rs`).
    SlowOnly,
    /// Every widget (for measuring the pool).
    All,
}

/// Frame-wide settings.
pub struct RenderSettings {
    pub deadline: Duration,
    /// Pool size; 0 renders everything inline.
    pub threads: usize,
    pub charset: Charset,
    /// Usable display columns; `None` = unlimited.
    pub width: Option<usize>,
    /// How wide font-dependent characters are.
    pub rules: crate::width::WidthRules,
    /// The config file had problems: show the `⚠ config` marker (what was wrong was
    /// skipped).
    pub config_flagged: bool,
}

/// State shared with pool workers.
struct Shared {
    names: Vec<&'static str>,
    /// Each widget's instance name (`text#left`); empty: its name.
    ids: Vec<String>,
    widgets: Vec<Box<dyn Widget>>,
    /// Each widget's text style and `{icon}`; `None` when it leaves the text as it is.
    text_styles: Vec<Option<(WidgetStyle, String)>>,
    /// The workers' (and inline rendering's) handle on the renderer's slots.
    slots: SlotClaims,
    metrics: EngineMetrics,
    env: Environment,
    charset: Charset,
    shell: Option<ShellContext>,
    /// A worker's signal to the frame owner waiting for its pool widgets.
    done: Handshake,
    /// The transcript state the widgets share.
    transcripts: crate::transcript::Transcripts,
    /// The git state the widgets share.
    git: crate::git::probe::GitState,
}

/// The payload of a frame, shared with the workers that render it.
struct FrameInput {
    bytes: Vec<u8>,
    now: i64,
}

struct WidgetJob {
    input: Arc<FrameInput>,
    generation: u64,
    index: usize,
    /// When the frame stops waiting for this widget.
    deadline: Instant,
}

struct Runner(Arc<Shared>);

impl JobRunner for Runner {
    type Job = WidgetJob;

    fn run(&self, job: WidgetJob) {
        let shared = &*self.0;
        shared.metrics.jobs_run.add(1);
        let (session, _) = parse_session(&job.input.bytes);
        let ctx = RenderContext {
            session: &session,
            payload: &job.input.bytes,
            env: &shared.env,
            now: job.input.now,
            deadline: job.deadline,
            charset: shared.charset,
            transcripts: &shared.transcripts,
            git: &shared.git,
            shell: shared.shell.as_ref(),
        };
        let mut clock = Instant::now();
        render_into_slot(shared, job.index, job.generation, &ctx, Some(&mut clock));
        if shared.done.published() {
            shared.metrics.worker_wakes.add(1);
        }
    }
}

/// Renders widget `index` into its slot for `generation`, containing panics. With a
/// `clock`, the widget is timed from `*clock` (the end of the previous widget, or the start)
/// and the clock moves on to the end of this one: one clock read per widget.
fn render_into_slot(
    shared: &Shared,
    index: usize,
    generation: u64,
    ctx: &RenderContext<'_>,
    clock: Option<&mut Instant>,
) {
    let Some(mut writer) = shared.slots.claim(index, generation) else {
        return;
    };
    let widget = &shared.widgets[index];
    let result = catch_unwind(AssertUnwindSafe(|| widget.render(ctx, writer.content())));
    let content = writer.content();
    content.outcome = match result {
        Ok(outcome) => outcome,
        Err(_) => {
            shared.metrics.widget_errors.add(1);
            mark_error(content, shared.names[index], ctx.charset);
            Outcome::Error
        }
    };
    if let (Outcome::Shown, Some((style, icon))) = (content.outcome, &shared.text_styles[index]) {
        style.apply(icon, content);
    }
    if let Some(mark) = clock {
        let now = Instant::now();
        let nanos = u64::try_from(now.duration_since(*mark).as_nanos()).unwrap_or(u64::MAX);
        *mark = now;
        writer.set_nanos(nanos);
        shared.metrics.widgets[index].record(nanos);
    }
}

/// Replaces a slot's content with the short error marker `⚠ name` (`! name` in ASCII).
fn mark_error(content: &mut SlotContent, name: &str, charset: Charset) {
    content.text.clear();
    content.short.clear();
    content.push_str(charset.warning());
    content.push_str(name);
    content.tone = Tone::Critical;
}

/// What happened in one frame.
#[derive(Debug, Default)]
pub struct FrameReport {
    pub nanos: u64,
    pub late: usize,
    pub problem: Option<InputProblem>,
}

/// The per-widget view of the last frame, for `explain`.
pub struct WidgetReport<'a> {
    pub name: &'static str,
    /// The name the layout asked for it by: `name`, or `NAME#INSTANCE` (`text#left`).
    pub id: &'a str,
    pub state: SegmentState,
    pub text: &'a str,
    pub source: &'static str,
    pub micros: u64,
    pub cost: Cost,
}

/// Renders frames for one layout.
pub struct Renderer {
    shared: Arc<Shared>,
    /// The slots; the workers write through `shared.slots`.
    slots: SlotTable,
    placements: Vec<Placement>,
    budgets: Vec<Duration>,
    /// Which widgets run on the pool (decided by the builder; all false once the pool
    /// could not start).
    on_pool: Vec<bool>,
    settings: RenderSettings,
    pool: Option<Pool<Runner>>,
    inputs: Vec<Arc<FrameInput>>,
    generation: u64,
    /// Time each inline widget (see the module doc).
    time_widgets: bool,
    sink: Box<dyn SegmentSink + Send>,
    frame: FrameBuffer,
    notice: SlotContent,
    states: ArrayVec<SegmentState, MAX_WIDGETS>,
    /// Per-widget refresh intervals are honoured (long-running modes only).
    interval_refresh: bool,
    /// When each widget last rendered (for `interval_refresh`).
    last_rendered: Vec<Option<Instant>>,
    /// Widgets whose last value is carried into the current frame.
    carried: Vec<bool>,
    /// Widgets whose slot a straggler of an older frame still holds: they cannot render in
    /// the current frame and show their last value (stale) or nothing (late).
    held: Vec<bool>,
    /// Hash of the previous frame's payload: a new payload refreshes every widget.
    last_payload: u64,
    /// How the refreshers widgets set off after a frame are started.
    refresher: Refresher,
    /// The command line had problems: show the `⚠ args` marker.
    args_flagged: bool,
}

/// Puts a [`Renderer`] together: the layout, the frame-wide settings, the environment the
/// widgets read and the sink that styles the frame, then what differs between commands.
pub struct RendererBuilder {
    layout: Vec<LayoutEntry>,
    settings: RenderSettings,
    env: Environment,
    sink: Box<dyn SegmentSink + Send>,
    offload: Offload,
    shell: Option<ShellContext>,
    time_widgets: bool,
    interval_refresh: bool,
    args_flagged: bool,
}

impl RendererBuilder {
    /// Shows the `⚠ args` marker: the command line had flags or values that were left out.
    pub fn args_flagged(mut self, on: bool) -> Self {
        self.args_flagged = on;
        self
    }

    /// Which widgets run on the pool (default: [`Offload::SlowOnly`]).
    pub fn offload(mut self, offload: Offload) -> Self {
        self.offload = offload;
        self
    }

    /// Gives prompt widgets the shell's state.
    pub fn shell(mut self, shell: ShellContext) -> Self {
        self.shell = Some(shell);
        self
    }

    /// Whether inline widgets are timed from the first frame (default: on); see
    /// [`Renderer::set_widget_timing`].
    pub fn widget_timing(mut self, on: bool) -> Self {
        self.time_widgets = on;
        self
    }

    /// Honours each widget's [`Widget::refresh_interval`]: a widget that is not due keeps
    /// its last value instead of rendering again (for `watch`). Default: off.
    pub fn refresh_by_interval(mut self, on: bool) -> Self {
        self.interval_refresh = on;
        self
    }

    /// The renderer; the pool starts lazily, the first time a frame needs it.
    pub fn build(self) -> Renderer {
        let RendererBuilder {
            layout,
            settings,
            env,
            mut sink,
            offload,
            shell,
            time_widgets,
            interval_refresh,
            args_flagged,
        } = self;
        let layout: Vec<LayoutEntry> = layout.into_iter().take(MAX_WIDGETS).collect();
        let count = layout.len();
        let mut names = Vec::with_capacity(count);
        let mut ids = Vec::with_capacity(count);
        let mut widgets = Vec::with_capacity(count);
        let mut placements = Vec::with_capacity(count);
        let mut budgets = Vec::with_capacity(count);
        let mut on_pool = Vec::with_capacity(count);
        let mut text_styles = Vec::with_capacity(count);
        for entry in layout {
            text_styles.push(
                entry
                    .style
                    .rewrites_text()
                    .then(|| (entry.style.clone(), entry.icon.clone())),
            );
            on_pool.push(
                settings.threads > 0
                    && (offload == Offload::All || entry.widget.cost() == Cost::Slow),
            );
            names.push(entry.name);
            ids.push(entry.id);
            widgets.push(entry.widget);
            placements.push(entry.placement);
            budgets.push(entry.budget);
        }
        sink.prepare(&names);
        let slots = SlotTable::new(count);
        let shared = Arc::new(Shared {
            names,
            ids,
            widgets,
            text_styles,
            slots: slots.claims(),
            metrics: EngineMetrics::new(count),
            env,
            charset: settings.charset,
            shell,
            done: Handshake::new(),
            transcripts: crate::transcript::Transcripts::default(),
            git: crate::git::probe::GitState::default(),
        });
        Renderer {
            shared,
            slots,
            placements,
            budgets,
            on_pool,
            settings,
            pool: None,
            inputs: Vec::new(),
            generation: 0,
            time_widgets,
            sink,
            frame: FrameBuffer::new(),
            notice: SlotContent::default(),
            states: ArrayVec::new(),
            interval_refresh,
            last_rendered: vec![None; count],
            carried: vec![false; count],
            held: vec![false; count],
            last_payload: 0,
            refresher: Refresher::Detached,
            args_flagged,
        }
    }
}

impl Renderer {
    /// A builder for a renderer of `layout`.
    pub fn builder(
        layout: Vec<LayoutEntry>,
        settings: RenderSettings,
        env: Environment,
        sink: Box<dyn SegmentSink + Send>,
    ) -> RendererBuilder {
        RendererBuilder {
            layout,
            settings,
            env,
            sink,
            offload: Offload::SlowOnly,
            shell: None,
            time_widgets: true,
            interval_refresh: false,
            args_flagged: false,
        }
    }

    /// Opens widget `index`'s slot for `generation`, or carries its last value when it is
    /// not due for a refresh. Returns true if carried. A slot a straggler still holds is
    /// neither: it is marked `held` and the widget does not render in this frame.
    fn open_slot(
        &mut self,
        index: usize,
        generation: u64,
        now: Instant,
        same_payload: bool,
    ) -> bool {
        let due = match (
            self.shared.widgets[index].refresh_interval(),
            self.last_rendered[index],
        ) {
            (Some(every), Some(last)) => !same_payload || now.duration_since(last) >= every,
            _ => true,
        };
        let carried = self.interval_refresh && !due && self.slots.carry(index, generation);
        let mut held = false;
        if !carried {
            held = !self.slots.begin(index, generation);
            if !held {
                self.last_rendered[index] = Some(now);
            }
        }
        self.carried[index] = carried;
        self.held[index] = held;
        carried
    }

    /// Changes the frame deadline (takes effect from the next frame).
    pub fn set_deadline(&mut self, deadline: Duration) {
        self.settings.deadline = deadline;
    }

    /// Whether inline widgets are timed (on by default; from the next frame). Untimed
    /// widgets report 0 µs and record nothing in [`EngineMetrics::widgets`].
    pub fn set_widget_timing(&mut self, on: bool) {
        self.time_widgets = on;
    }

    /// How the refreshers that widgets set off are started (detached by default; inline
    /// for `bench --cold`).
    pub fn set_refresher(&mut self, refresher: Refresher) {
        self.refresher = refresher;
    }

    /// Sets the usable width for the next frames (a terminal was resized).
    pub fn set_width(&mut self, width: Option<usize>) {
        self.settings.width = width;
    }

    pub fn metrics(&self) -> &EngineMetrics {
        &self.shared.metrics
    }

    pub fn frame(&self) -> &FrameBuffer {
        &self.frame
    }

    pub fn pool_threads(&self) -> usize {
        self.pool.as_ref().map_or(0, Pool::threads)
    }

    /// Queue operations (pushes + pops) done by the pool so far.
    pub fn pool_queue_ops(&self) -> u64 {
        self.pool
            .as_ref()
            .map_or(0, |p| p.stats().submitted.get() + p.stats().executed.get())
    }

    fn runs_on_pool(&self, index: usize) -> bool {
        self.on_pool[index]
    }

    /// Renders one frame from `payload` into the internal frame buffer.
    pub fn render(&mut self, payload: &[u8]) -> FrameReport {
        self.render_flagged(payload, false)
    }

    /// Like [`Renderer::render`]; `input_flagged` shows the `⚠ input` marker even when the
    /// payload decodes (e.g. it was repaired from invalid UTF-8 before).
    pub fn render_flagged(&mut self, payload: &[u8], input_flagged: bool) -> FrameReport {
        self.generation += 1;
        let generation = self.generation;
        let started = Instant::now();
        let count = self.shared.names.len();
        let same_payload = self.interval_refresh && {
            let hash = crate::cache::fnv1a(payload);
            std::mem::replace(&mut self.last_payload, hash) == hash
        };
        for index in 0..count {
            self.open_slot(index, generation, started, same_payload);
        }
        let (session, problem) = parse_session(payload);
        let now = unix_now();
        let offloaded = self.submit_pool_jobs(payload, now, generation, started);
        let ctx = RenderContext {
            session: &session,
            payload,
            env: &self.shared.env,
            now,
            deadline: started + self.settings.deadline,
            charset: self.settings.charset,
            transcripts: &self.shared.transcripts,
            git: &self.shared.git,
            shell: self.shared.shell.as_ref(),
        };
        let mut clock = self.time_widgets.then(Instant::now);
        for index in 0..count {
            if !self.runs_on_pool(index) && !self.carried[index] && !self.held[index] {
                render_into_slot(&self.shared, index, generation, &ctx, clock.as_mut());
            }
        }
        if offloaded > 0 {
            self.wait_for_pool(generation, started);
        }
        let late = self.assemble(generation, input_flagged || problem.is_some());
        let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
        let metrics = &self.shared.metrics;
        metrics.frame.record(nanos);
        metrics.frames.add(1);
        metrics.late_widgets.add(late as u64);
        FrameReport {
            nanos,
            late,
            problem,
        }
    }

    fn assemble(&mut self, generation: u64, flagged: bool) -> usize {
        self.notice.text.clear();
        let config = self.settings.config_flagged;
        let marks = [
            (flagged, "input"),
            (self.args_flagged, "args"),
            (config, "config"),
        ];
        for (_, name) in marks.iter().filter(|(on, _)| *on) {
            if !self.notice.text.is_empty() {
                self.notice.push(' ');
            }
            self.notice.push_str(self.settings.charset.warning());
            self.notice.push_str(name);
            self.notice.tone = Tone::Warn;
        }
        self.notice.source = match (flagged, self.args_flagged, config) {
            (true, false, false) => "stdin",
            (false, true, false) => "args",
            (false, false, true) => "config",
            (true, true, false) => "stdin, args",
            (true, false, true) => "stdin, config",
            (false, true, true) => "args, config",
            (true, true, true) => "stdin, args, config",
            (false, false, false) => self.notice.source,
        };
        let spec = FrameSpec {
            names: &self.shared.names,
            ids: &self.shared.ids,
            placements: &self.placements,
            generation,
            width: self.settings.width,
            notice: (!self.notice.text.is_empty()).then_some(&self.notice),
            rules: self.settings.rules,
        };
        assemble_with_states(
            &spec,
            &self.slots,
            self.sink.as_mut(),
            &mut self.frame,
            &mut self.states,
        )
    }

    /// Whether widget `index` renders on the pool in the current frame: a pool widget whose
    /// slot was opened (a straggler's slot cannot take this frame's value; nobody waits for
    /// it).
    fn submitted(&self, index: usize) -> bool {
        self.runs_on_pool(index) && !self.held[index]
    }

    /// Submits this frame's pool widgets; returns how many were submitted.
    fn submit_pool_jobs(
        &mut self,
        payload: &[u8],
        now: i64,
        generation: u64,
        started: Instant,
    ) -> usize {
        let held = (0..self.shared.names.len())
            .filter(|&i| self.runs_on_pool(i) && self.held[i])
            .count();
        self.shared.metrics.jobs_dropped.add(held as u64);
        let wanted = (0..self.shared.names.len())
            .filter(|&i| self.submitted(i))
            .count();
        if wanted == 0 {
            return 0;
        }
        if self.pool.is_none() {
            match Pool::start(self.settings.threads, Runner(Arc::clone(&self.shared))) {
                Ok(pool) => self.pool = Some(pool),
                Err(_) => {
                    // No threads to be had: render everything inline rather than nothing.
                    self.settings.threads = 0;
                    self.on_pool.fill(false);
                    return 0;
                }
            }
        }
        let input = self.take_input(payload, now);
        let Some(pool) = self.pool.as_ref() else {
            return 0;
        };
        for index in (0..self.shared.names.len()).filter(|&i| self.submitted(i)) {
            pool.submit(WidgetJob {
                input: Arc::clone(&input),
                generation,
                index,
                deadline: started + self.settings.deadline.min(self.budgets[index]),
            });
        }
        self.shared.metrics.jobs_submitted.add(wanted as u64);
        wanted
    }

    /// A payload buffer no straggler still reads, refilled with this frame's payload.
    fn take_input(&mut self, payload: &[u8], now: i64) -> Arc<FrameInput> {
        const RING: usize = 8;
        for input in &mut self.inputs {
            if let Some(free) = Arc::get_mut(input) {
                free.bytes.clear();
                free.bytes.extend_from_slice(payload);
                free.now = now;
                return Arc::clone(input);
            }
        }
        let fresh = Arc::new(FrameInput {
            bytes: payload.to_vec(),
            now,
        });
        if self.inputs.len() < RING {
            self.inputs.push(Arc::clone(&fresh));
        }
        fresh
    }

    /// Waits until every pool widget submitted for `generation` is published or the
    /// deadline passes.
    fn wait_for_pool(&self, generation: u64, started: Instant) {
        let max_budget = (0..self.shared.names.len())
            .filter(|&i| self.submitted(i))
            .map(|i| self.budgets[i])
            .max()
            .unwrap_or(Duration::ZERO);
        let deadline = started
            + self
                .settings
                .deadline
                .min(max_budget.max(Duration::from_micros(1)));
        let shared = &*self.shared;
        loop {
            let seen = shared.done.seen();
            let all_ready = (0..shared.names.len())
                .filter(|&i| self.submitted(i))
                .all(|i| self.slots.read(i, generation).1 == SlotView::Fresh);
            if all_ready {
                return;
            }
            let now = Instant::now();
            if now >= deadline {
                shared.metrics.pool_deadlines.add(1);
                return;
            }
            shared.done.wait(seen, deadline - now);
        }
    }

    /// Forgets what the widgets learned from caches, and the process-wide transcript state
    /// every transcript widget shares, so the next frame starts cold (`bench --cold`).
    pub fn forget_cached(&self) {
        for widget in &self.shared.widgets {
            widget.forget_cached();
        }
        self.shared.transcripts.forget();
        self.shared.git.forget();
    }

    /// Lets every widget do its deferred work (see [`Widget::after_frame`]).
    pub fn after_frame(&self) {
        let frame = crate::widgets::AfterFrame {
            refresher: &self.refresher,
            transcripts: &self.shared.transcripts,
            git: &self.shared.git,
        };
        for widget in &self.shared.widgets {
            widget.after_frame(&frame);
        }
    }

    /// Writes the last frame to stdout with one write.
    pub fn write_frame(&self) -> std::io::Result<()> {
        self.frame.write_to_fd(1)
    }

    /// The widgets of the last frame with their states, for `explain`.
    pub fn report(&self) -> impl Iterator<Item = WidgetReport<'_>> {
        let shared = &*self.shared;
        (0..shared.names.len()).map(move |i| {
            let (content, _) = self.slots.read(i, self.generation);
            WidgetReport {
                name: shared.names[i],
                id: shared
                    .ids
                    .get(i)
                    .filter(|id| !id.is_empty())
                    .map_or(shared.names[i], String::as_str),
                state: self.states.get(i).copied().unwrap_or(SegmentState::Late),
                text: &content.text,
                source: content.source,
                micros: self.slots.nanos(i) / 1000,
                cost: shared.widgets[i].cost(),
            }
        })
    }
}

#[cfg(all(test, not(crossbeam_loom)))]
mod tests {
    use super::*;
    use crate::format::json::JsonSink;
    use std::sync::Mutex;
    use std::sync::atomic::Ordering::SeqCst;
    use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

    #[test]
    fn error_marker_is_ascii_under_the_ascii_charset() {
        let mut content = SlotContent::default();
        content.push_str("half-written");
        mark_error(&mut content, "boom", Charset::Ascii);
        assert_eq!(
            (content.text.as_str(), content.tone),
            ("! boom", Tone::Critical)
        );
        mark_error(&mut content, "boom", Charset::Unicode);
        assert_eq!(content.text.as_str(), "\u{26a0} boom");
    }

    struct Fixed(&'static str);
    impl Widget for Fixed {
        fn render(&self, _: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
            out.push_str(self.0);
            Outcome::Shown
        }
    }

    struct Panics;
    impl Widget for Panics {
        fn render(&self, _: &RenderContext<'_>, _: &mut SlotContent) -> Outcome {
            panic!("deliberate widget failure");
        }
    }

    /// A slow widget that blocks until the test lets it go, then writes the next value.
    struct Gated {
        gate: Mutex<Receiver<&'static str>>,
        started: SyncSender<()>,
    }
    impl Widget for Gated {
        fn render(&self, _: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
            let _ = self.started.send(());
            let value = self
                .gate
                .lock()
                .map(|rx| rx.recv().unwrap_or("closed"))
                .unwrap_or("poisoned");
            out.push_str(value);
            Outcome::Shown
        }
        fn cost(&self) -> Cost {
            Cost::Slow
        }
    }

    fn entry(name: &'static str, widget: Box<dyn Widget>) -> LayoutEntry {
        LayoutEntry {
            name,
            id: String::new(),
            widget,
            style: WidgetStyle::default(),
            icon: String::new(),
            placement: Placement {
                line: 0,
                right: false,
                priority: 1,
                keep_stale: true,
            },
            budget: Duration::from_millis(5),
        }
    }

    fn renderer(layout: Vec<LayoutEntry>, threads: usize, deadline: Duration) -> Renderer {
        builder(layout, threads, deadline).build()
    }

    fn builder(layout: Vec<LayoutEntry>, threads: usize, deadline: Duration) -> RendererBuilder {
        let settings = RenderSettings {
            deadline,
            threads,
            charset: Charset::Unicode,
            width: None,
            rules: crate::width::WidthRules::default(),
            config_flagged: false,
        };
        Renderer::builder(layout, settings, Environment::default(), Box::new(JsonSink))
    }

    fn frame_json(r: &Renderer) -> serde_json::Value {
        serde_json::from_slice(r.frame().as_bytes()).expect("frame is JSON")
    }

    /// A cheap widget that takes a while (spins on the clock; no sleeping).
    struct Busy(Duration);
    impl Widget for Busy {
        fn render(&self, _: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
            let start = Instant::now();
            while start.elapsed() < self.0 {
                std::hint::spin_loop();
            }
            out.push_str("busy");
            Outcome::Shown
        }
    }

    #[test]
    fn widgets_are_timed_only_when_asked_and_each_gets_its_own_time() {
        let mut r = renderer(
            vec![
                entry("a", Box::new(Fixed("A"))),
                entry("busy", Box::new(Busy(Duration::from_millis(20)))),
                entry("c", Box::new(Fixed("C"))),
            ],
            0,
            Duration::from_millis(10),
        );
        r.set_widget_timing(false);
        r.render(b"{}");
        let counts = |r: &Renderer| {
            r.metrics()
                .widgets
                .iter()
                .map(|h| h.count())
                .collect::<Vec<_>>()
        };
        assert_eq!(counts(&r), [0, 0, 0]);
        assert!(r.report().all(|w| w.micros == 0));
        r.set_widget_timing(true);
        r.render(b"{}");
        r.render(b"{}");
        assert_eq!(counts(&r), [2, 2, 2]);
        assert_eq!(r.metrics().frame.count(), 3);
        let micros: Vec<u64> = r.report().map(|w| w.micros).collect();
        assert!(micros[1] >= 20_000, "busy widget timed at {micros:?}");
        assert!(
            micros[2] < 20_000,
            "the next widget does not inherit its time: {micros:?}"
        );
    }

    /// Counts its renders; refreshes at most once an hour.
    struct Hourly(std::sync::atomic::AtomicU32);
    impl Widget for Hourly {
        fn render(&self, _: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
            let n = self.0.fetch_add(1, SeqCst) + 1;
            let _ = std::fmt::Write::write_fmt(out, format_args!("render {n}"));
            Outcome::Shown
        }
        fn refresh_interval(&self) -> Option<Duration> {
            Some(Duration::from_secs(3600))
        }
    }

    #[test]
    #[cfg_attr(
        not(unix),
        ignore = "under wine the pool threads start later than the 10 ms frame deadline"
    )]
    fn the_builder_sends_slow_widgets_to_the_pool_or_every_widget_when_asked() {
        let cheap = || vec![entry("a", Box::new(Fixed("A")))];
        let mut inline = builder(cheap(), 2, Duration::from_millis(10)).build();
        inline.render(b"{}");
        assert_eq!(inline.pool_threads(), 0, "a cheap widget renders inline");
        let mut all = builder(cheap(), 2, Duration::from_millis(10))
            .offload(Offload::All)
            .build();
        all.render(b"{}");
        assert_eq!(all.pool_threads(), 2, "Offload::All sends it to the pool");
        assert_eq!(frame_json(&all)[0]["text"], "A");
        let mut no_threads = builder(cheap(), 0, Duration::from_millis(10))
            .offload(Offload::All)
            .build();
        no_threads.render(b"{}");
        assert_eq!(
            no_threads.pool_threads(),
            0,
            "no threads: everything inline"
        );
        assert_eq!(frame_json(&no_threads)[0]["text"], "A");
    }

    #[test]
    fn a_widget_not_due_keeps_its_value_in_long_running_modes_only() {
        let layout = || {
            vec![
                entry("hourly", Box::new(Hourly(0.into()))),
                entry("f", Box::new(Fixed("F"))),
            ]
        };
        let mut watch = builder(layout(), 0, Duration::from_millis(10))
            .refresh_by_interval(true)
            .build();
        for _ in 0..3 {
            watch.render(b"{}");
            let v = frame_json(&watch);
            assert_eq!(
                (v[0]["state"].as_str(), v[0]["text"].as_str()),
                (Some("ok"), Some("render 1"))
            );
        }
        watch.render(b"{\"cwd\":\"/new\"}");
        assert_eq!(
            frame_json(&watch)[0]["text"],
            "render 2",
            "a new payload refreshes every widget"
        );

        let mut one_shot = renderer(layout(), 0, Duration::from_millis(10));
        for _ in 0..3 {
            one_shot.render(b"{}");
        }
        assert_eq!(frame_json(&one_shot)[0]["text"], "render 3");
    }

    #[test]
    fn a_panicking_widget_shows_a_marker_and_the_rest_renders() {
        let mut r = renderer(
            vec![
                entry("a", Box::new(Fixed("A"))),
                entry("boom", Box::new(Panics)),
                entry("c", Box::new(Fixed("C"))),
            ],
            0,
            Duration::from_millis(10),
        );
        r.render(b"{}");
        let v = frame_json(&r);
        assert_eq!(v[0]["text"], "A");
        assert_eq!(v[1]["state"], "error");
        assert_eq!(v[1]["text"], "\u{26a0} boom");
        assert_eq!(v[2]["text"], "C");
        assert_eq!(r.metrics().widget_errors.get(), 1);
    }

    /// A slow widget that answers at once.
    struct QuickSlow(&'static str);
    impl Widget for QuickSlow {
        fn render(&self, _: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
            out.push_str(self.0);
            Outcome::Shown
        }
        fn cost(&self) -> Cost {
            Cost::Slow
        }
    }

    #[test]
    fn a_frame_does_not_wait_for_a_slot_a_straggler_still_holds() {
        let (release, gate) = sync_channel(4);
        let (started_tx, started) = sync_channel(4);
        let gated = Gated {
            gate: Mutex::new(gate),
            started: started_tx,
        };
        let mut layout = vec![
            entry("slow", Box::new(gated)),
            entry("quick", Box::new(QuickSlow("Q"))),
        ];
        for entry in &mut layout {
            entry.budget = Duration::from_secs(60);
        }
        let mut r = renderer(layout, 2, Duration::from_secs(60));
        let wait = Duration::from_secs(30);
        release.send("one").unwrap();
        r.render(b"{}");
        started.recv_timeout(wait).expect("frame 1 job ran");
        assert_eq!(frame_json(&r)[0]["text"], "one");

        // Frame 2 leaves a straggler: the gated widget blocks past the deadline.
        r.set_deadline(Duration::from_millis(20));
        r.render(b"{}");
        started.recv_timeout(wait).expect("frame 2 job started");
        let metrics = r.metrics();
        assert_eq!(
            metrics.pool_deadlines.get(),
            1,
            "frame 2 ran into its deadline"
        );

        // Frame 3, with a deadline far away: the held slot is not submitted and not waited
        // for; the frame ends as soon as the other pool widget has published.
        r.set_deadline(Duration::from_secs(2));
        let submitted = r.metrics().jobs_submitted.get();
        let report = r.render(b"{}");
        let metrics = r.metrics();
        assert_eq!(
            metrics.pool_deadlines.get(),
            1,
            "frame 3 waited out its deadline for a value that cannot come"
        );
        assert_eq!(
            metrics.jobs_dropped.get(),
            1,
            "the held slot was not submitted"
        );
        assert_eq!(
            metrics.jobs_submitted.get(),
            submitted + 1,
            "only `quick` ran"
        );
        assert_eq!(report.late, 1);
        let v = frame_json(&r);
        assert_eq!(
            (v[0]["state"].as_str(), v[0]["text"].as_str()),
            (Some("stale"), Some("one"))
        );
        assert_eq!(
            (v[1]["state"].as_str(), v[1]["text"].as_str()),
            (Some("ok"), Some("Q"))
        );
        release.send("two").unwrap();
    }

    #[test]
    fn a_slow_widget_misses_the_deadline_without_delaying_the_frame_then_shows_stale() {
        let (release, gate) = sync_channel(4);
        let (started_tx, started) = sync_channel(4);
        let gated = Gated {
            gate: Mutex::new(gate),
            started: started_tx,
        };
        let deadline = Duration::from_millis(30);
        let mut layout = vec![
            entry("fast", Box::new(Fixed("F"))),
            entry("slow", Box::new(gated)),
        ];
        layout[1].budget = Duration::from_secs(60);
        let mut r = renderer(layout, 1, Duration::from_secs(60));
        let wait = Duration::from_secs(30);

        // Frame 1: the slow widget is released at once; the frame waits for it (the
        // deadline is long here, so a loaded machine cannot make it late).
        release.send("one").unwrap();
        r.render(b"{}");
        started.recv_timeout(wait).expect("frame 1 job ran");
        let v = frame_json(&r);
        assert_eq!(
            (v[1]["state"].as_str(), v[1]["text"].as_str()),
            (Some("ok"), Some("one"))
        );
        r.set_deadline(deadline);

        // Frame 2: the slow widget blocks; the frame ends at the deadline and shows the
        // previous value marked stale.
        let t = Instant::now();
        let report = r.render(b"{}");
        let took = t.elapsed();
        started.recv_timeout(wait).expect("frame 2 job started");
        assert!(took < deadline * 10, "frame waited {took:?}");
        assert_eq!(report.late, 1);
        let v = frame_json(&r);
        assert_eq!(v[0]["state"], "ok");
        assert_eq!(
            (v[1]["state"].as_str(), v[1]["text"].as_str()),
            (Some("stale"), Some("one"))
        );

        // Frame 3 begins while the straggler of frame 2 still holds its slot: still stale.
        r.render(b"{}");
        assert_eq!(frame_json(&r)[1]["state"], "stale");

        // The straggler finishes with "two"; its late value may show as the last known one
        // but can never be taken as fresh for a newer frame.
        release.send("two").unwrap();
        release.send("three").unwrap();
        // A frame that finds the slot still held returns at once (nothing to wait for), so
        // the frames go on until the straggler has published, within a generous bound.
        let until = Instant::now() + wait;
        while Instant::now() < until {
            r.render(b"{}");
            let v = frame_json(&r);
            if v[1]["state"] == "ok" {
                assert_eq!(
                    v[1]["text"], "three",
                    "a fresh value comes from its own frame's job"
                );
                return;
            }
            let _ = release.try_send("three");
            std::thread::yield_now();
        }
        panic!("slow widget never became fresh again");
    }
}
