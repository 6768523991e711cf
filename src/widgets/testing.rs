//! A widget tester: payload JSON and options in, rendered text out. No host state is read:
//! the environment and the clock are fixed.

use crate::engine::slots::{Outcome, SlotContent, Tone};
use crate::input::env::Environment;
use crate::input::parse_session;
use crate::input::shell::ShellContext;
use crate::widgets::options::OptionValue;
use crate::widgets::{Charset, Options, RenderContext};

/// The fixed "now" of every widget test: 2027-01-15T08:00:00Z.
pub const NOW: i64 = 1_799_999_999 + 1;

/// Runs `f` with the context of a render of `payload` with nothing else set: the default
/// environment, the Unicode charset, now 0, a 10 ms deadline, no shell, fresh transcript
/// state. For tests that call a widget or a probe directly.
pub fn with_plain_context<R>(payload: &str, f: impl FnOnce(&RenderContext<'_>) -> R) -> R {
    let git = crate::git::probe::GitState::default();
    with_env_context(payload, Environment::default(), 0, &git, f)
}

/// Like [`with_plain_context`], with `env` as the environment (a cache directory, say)
/// and `now` as the frame's time, sharing `git` with other renders.
pub fn with_env_context<R>(
    payload: &str,
    env: Environment,
    now: i64,
    git: &crate::git::probe::GitState,
    f: impl FnOnce(&RenderContext<'_>) -> R,
) -> R {
    let (session, _) = parse_session(payload.as_bytes());
    let transcripts = crate::transcript::Transcripts::default();
    let ctx = RenderContext {
        session: &session,
        payload: payload.as_bytes(),
        env: &env,
        now,
        deadline: std::time::Instant::now() + std::time::Duration::from_millis(10),
        charset: Charset::Unicode,
        transcripts: &transcripts,
        git,
        shell: None,
    };
    f(&ctx)
}

/// What a widget rendered.
#[derive(Debug, PartialEq)]
pub struct Rendered {
    pub outcome: Outcome,
    pub text: String,
    pub short: String,
    pub tone: Tone,
}

/// Builds a tester for the widget called `name`.
pub struct WidgetTester {
    name: &'static str,
    options: Options,
    env: Environment,
    charset: Charset,
    shell: Option<ShellContext>,
    /// The transcript state its renders share, as one renderer's widgets do.
    transcripts: crate::transcript::Transcripts,
    git: crate::git::probe::GitState,
}

impl WidgetTester {
    pub fn new(name: &'static str) -> Self {
        WidgetTester {
            name,
            options: Options::new(name),
            env: Environment {
                home: Some("/home/user".into()),
                ..Environment::default()
            },
            charset: Charset::Unicode,
            shell: None,
            transcripts: crate::transcript::Transcripts::default(),
            git: crate::git::probe::GitState::default(),
        }
    }

    pub fn option(mut self, key: &str, value: OptionValue) -> Self {
        self.options.set(key, value);
        self
    }

    pub fn charset(mut self, charset: Charset) -> Self {
        self.charset = charset;
        self
    }

    pub fn env(mut self, env: Environment) -> Self {
        self.env = env;
        self
    }

    /// Renders as a shell prompt with this shell state.
    pub fn shell(mut self, shell: ShellContext) -> Self {
        self.shell = Some(shell);
        self
    }

    /// Renders with `payload` as stdin.
    pub fn render(&self, payload: &str) -> Rendered {
        let info = crate::widgets::find(self.name).expect("widget is registered");
        let widget = (info.build)(&self.options).expect("options are valid");
        let (session, problem) = parse_session(payload.as_bytes());
        assert_eq!(problem, None, "test payload must be valid JSON");
        let ctx = RenderContext {
            session: &session,
            payload: payload.as_bytes(),
            env: &self.env,
            now: NOW,
            deadline: std::time::Instant::now() + std::time::Duration::from_millis(10),
            charset: self.charset,
            transcripts: &self.transcripts,
            git: &self.git,
            shell: self.shell.as_ref(),
        };
        let mut out = SlotContent::default();
        let outcome = widget.render(&ctx, &mut out);
        let style =
            crate::widgets::style::WidgetStyle::parse(info, &self.options).expect("style is valid");
        if outcome == Outcome::Shown {
            style.apply(style.icon.as_deref().unwrap_or(""), &mut out);
        }
        Rendered {
            outcome,
            text: out.text.to_string(),
            short: out.short.to_string(),
            tone: out.tone,
        }
    }

    /// Renders and returns the text, asserting the widget showed something.
    pub fn text(&self, payload: &str) -> String {
        let r = self.render(payload);
        assert_eq!(r.outcome, Outcome::Shown, "expected text, got {r:?}");
        r.text
    }

    /// Asserts the widget hides for this payload.
    pub fn assert_hidden(&self, payload: &str) {
        let r = self.render(payload);
        assert_eq!(r.outcome, Outcome::Hidden, "expected hidden, got {r:?}");
    }
}
