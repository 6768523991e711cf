//! The commands that do not render: `config init|check|print`, `completions` and the
//! hidden `__man` (used by `make man`). Each returns its exit code; messages name the file
//! and the fix.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::cli::{Cli, ConfigCommand, RenderArgs};
use crate::config;
use crate::input::env::Environment;

/// The file `config` commands work on: `--config FILE` or the default location.
fn config_path(args: &RenderArgs, env: &Environment) -> Result<PathBuf, String> {
    args.config.clone().or_else(|| config::default_path(env)).ok_or_else(|| {
        "cannot tell where the config file goes: set HOME or XDG_CONFIG_HOME, or pass --config FILE"
            .to_owned()
    })
}

/// `blinkline config init|check|print`.
pub fn config_command(args: &RenderArgs, action: &ConfigCommand) -> Result<ExitCode, String> {
    let env = Environment::capture();
    match action {
        ConfigCommand::Init { force } => init(&config_path(args, &env)?, *force),
        ConfigCommand::Check => check(&config_path(args, &env)?),
        ConfigCommand::Print => {
            let (resolved, problems) = crate::app::resolve_settings(args, &env)?;
            for problem in &problems {
                let _ = writeln!(std::io::stderr(), "blinkline: config: {problem}");
            }
            let _ = std::io::stdout().write_all(config::print::to_toml(&resolved).as_bytes());
            Ok(ExitCode::from(u8::from(!problems.is_empty())))
        }
    }
}

fn init(path: &PathBuf, force: bool) -> Result<ExitCode, String> {
    if path.exists() && !force {
        return Err(format!(
            "{} already exists; use --force to overwrite it",
            path.display()
        ));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(path, config::INIT_TEMPLATE)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let _ = writeln!(std::io::stdout(), "wrote {}", path.display());
    Ok(ExitCode::SUCCESS)
}

fn check(path: &PathBuf) -> Result<ExitCode, String> {
    let source = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "cannot read {}: {e}; `blinkline config init` writes one",
            path.display()
        )
    })?;
    let (_, problems) = config::parse(&source);
    let name = path.display().to_string();
    let mut out = String::new();
    for problem in &problems {
        out.push_str(&problem.render(&name, &source));
        out.push('\n');
    }
    if problems.is_empty() {
        let _ = writeln!(std::io::stdout(), "{name}: no problems");
        return Ok(ExitCode::SUCCESS);
    }
    out.push_str(&format!(
        "{} problem{} in {name}\n",
        problems.len(),
        if problems.len() == 1 { "" } else { "s" }
    ));
    let _ = std::io::stderr().write_all(out.as_bytes());
    Ok(ExitCode::from(1))
}

/// `blinkline completions SHELL`. The script is generated into memory first:
/// `clap_complete::generate` panics on a write error, and a closed pipe (`| head`) is not
/// one for us.
pub fn completions(shell: clap_complete::Shell) -> ExitCode {
    use clap::CommandFactory;
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "blinkline", &mut script);
    let _ = std::io::stdout().write_all(&script);
    ExitCode::SUCCESS
}

/// `blinkline __man`: the man page, generated from the clap definition.
pub fn man_page() -> Result<ExitCode, String> {
    use clap::CommandFactory;
    let mut out = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut out)
        .map_err(|e| format!("cannot render the man page: {e}"))?;
    let _ = std::io::stdout().write_all(&out);
    Ok(ExitCode::SUCCESS)
}
