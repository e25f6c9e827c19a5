//! `basinscope analyze` (placeholder until the analysis engine lands).

use crate::core::Scene;

/// Arguments of `basinscope analyze`.
#[derive(clap::Args, Debug)]
pub struct AnalyzeArgs {
    /// A scene file or the name of a built-in scene.
    pub scene: String,
    /// Relative rank tolerance (σ > rtol·σ_max); default is numpy's rule.
    #[arg(long)]
    pub rtol: Option<f64>,
    /// Prints one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(_scene: &Scene, _rtol: Option<f64>, _json: bool) -> anyhow::Result<()> {
    anyhow::bail!("analyze is not available in this build yet")
}
