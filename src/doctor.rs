//! `blinkline doctor`.
use std::process::ExitCode;

use clap::Args;

use crate::cli::RenderArgs;
use crate::error::Error;

#[derive(Debug, Args, Clone)]
pub struct DoctorArgs {
    /// Print the findings as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn doctor_command(_render: &RenderArgs, _args: &DoctorArgs) -> Result<ExitCode, Error> {
    Ok(ExitCode::SUCCESS)
}
