//! `venv`: the active Python environment.
//!
//! Shows `(name)`: the last component of `VIRTUAL_ENV` (for a `.venv`/`venv`/`env` folder,
//! the project folder above it), else the conda environment from `CONDA_DEFAULT_ENV`. Hides
//! when neither is set, when conda's `base` is active and `conda_base` is off, and outside a
//! shell prompt.
//!
//! ```toml
//! [widget.venv]
//! conda = false
//! ```

use crate::engine::slots::{Outcome, SlotContent, Tone};
use crate::sanitize::push_clean;
use crate::widgets::options::widget_options;
use crate::widgets::{OptionError, Options, RenderContext, Widget, WidgetInfo};

pub const INFO: WidgetInfo = WidgetInfo {
    name: "venv",
    summary: "Python virtualenv or conda environment (prompts)",
    options: VenvOptions::SPECS,
    fields: &[],
    build,
};

struct Venv {
    conda: bool,
    conda_base: bool,
}

widget_options! {
    struct VenvOptions {
        /// Show conda environments.
        conda: bool = true,
        /// Show the conda `base` environment too.
        conda_base: bool = false,
    }
}

fn build(options: &Options) -> Result<Box<dyn Widget>, OptionError> {
    let o = VenvOptions::parse(options)?;
    Ok(Box::new(Venv {
        conda: o.conda,
        conda_base: o.conda_base,
    }))
}

/// The name to show for a virtualenv path.
fn venv_name(path: &str) -> &str {
    let mut parts = path
        .trim_end_matches('/')
        .rsplit('/')
        .filter(|p| !p.is_empty());
    match parts.next() {
        Some(generic @ (".venv" | "venv" | "env" | ".env")) => parts.next().unwrap_or(generic),
        Some(name) => name,
        None => "",
    }
}

impl Widget for Venv {
    fn render(&self, ctx: &RenderContext<'_>, out: &mut SlotContent) -> Outcome {
        let Some(shell) = ctx.shell else {
            return Outcome::Hidden;
        };
        let (name, source) = match (&shell.virtual_env, &shell.conda_env) {
            (Some(path), _) => (venv_name(path), "VIRTUAL_ENV"),
            (None, Some(env)) if self.conda && (self.conda_base || env != "base") => {
                (env.as_str(), "CONDA_DEFAULT_ENV")
            }
            _ => return Outcome::Hidden,
        };
        if name.is_empty() {
            return Outcome::Hidden;
        }
        out.source = source;
        out.tone = Tone::Normal;
        out.push('(');
        push_clean(out, name);
        out.push(')');
        Outcome::Shown
    }
}

#[cfg(test)]
mod tests {
    use crate::input::shell::ShellContext;
    use crate::widgets::options::OptionValue;
    use crate::widgets::testing::WidgetTester;

    fn envs(venv: Option<&str>, conda: Option<&str>) -> WidgetTester {
        let shell = ShellContext {
            virtual_env: venv.map(str::to_owned),
            conda_env: conda.map(str::to_owned),
            ..ShellContext::default()
        };
        WidgetTester::new("venv").shell(shell)
    }

    #[test]
    fn a_virtualenv_shows_its_name() {
        assert_eq!(envs(Some("/home/ada/.venvs/ml"), None).text("{}"), "(ml)");
    }

    #[test]
    fn a_project_dot_venv_shows_the_project() {
        assert_eq!(
            envs(Some("/home/ada/src/shop/.venv/"), None).text("{}"),
            "(shop)"
        );
    }

    #[test]
    fn conda_shows_unless_base_or_turned_off() {
        assert_eq!(envs(None, Some("torch")).text("{}"), "(torch)");
        envs(None, Some("base")).assert_hidden("{}");
        let base = envs(None, Some("base")).option("conda_base", OptionValue::Bool(true));
        assert_eq!(base.text("{}"), "(base)");
        envs(None, Some("torch"))
            .option("conda", OptionValue::Bool(false))
            .assert_hidden("{}");
    }

    #[test]
    fn no_environment_hides() {
        envs(None, None).assert_hidden("{}");
        WidgetTester::new("venv").assert_hidden("{}");
    }
}
