//! `basinscope train`: headless training with a progress bar on stderr.

use std::path::PathBuf;

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use crate::core::train::{StepOutcome, Trainer, downsample};

/// Arguments of `basinscope train`.
#[derive(clap::Args, Debug)]
pub struct TrainArgs {
    /// A scene file or the name of a built-in scene.
    pub scene: String,
    /// Number of optimizer steps (default: the scene's `training.steps`).
    #[arg(long)]
    pub steps: Option<usize>,
    /// Re-initializes θ from this seed (and uses it for mini-batches) before training.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Where to write the trained scene (default: NAME.trained.json).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Prints one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Most steps one `train` call accepts.
const MAX_STEPS: usize = 100_000_000;

pub fn run(args: &TrainArgs) -> anyhow::Result<()> {
    let mut scene = super::load_scene(&args.scene)?;
    if let Some(seed) = args.seed {
        scene.init_seed = seed;
        scene.parameters = scene.model.init_parameters(seed);
        scene.training.seed = seed;
    }
    let steps = args.steps.unwrap_or(scene.training.steps);
    anyhow::ensure!(
        steps <= MAX_STEPS,
        "--steps {steps} is more than the limit of {MAX_STEPS}"
    );
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| super::default_out_path(&scene));

    let mut trainer = Trainer::new(
        scene.model.clone(),
        scene.data.clone(),
        scene.training.clone(),
        scene.parameters.clone(),
    );
    let bar = ProgressBar::new(steps as u64).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} steps, loss {msg} ({elapsed})")
            .expect("the template is valid"),
    );
    let mut diverged_at = None;
    for step in 0..steps {
        match trainer.step()? {
            StepOutcome::Stepped { loss } => {
                if step % 50 == 0 {
                    bar.set_message(format!("{loss:.3e}"));
                }
            }
            StepOutcome::Diverged => {
                diverged_at = Some(step);
                break;
            }
        }
        bar.inc(1);
    }
    bar.finish_and_clear();
    let final_loss = trainer.loss();
    scene.parameters.clone_from(&trainer.theta);
    scene
        .save(&out)
        .with_context(|| format!("cannot save the trained scene to {}", out.display()))?;
    if let Some(step) = diverged_at {
        eprintln!(
            "warning: training diverged at step {step} (loss became NaN or infinite); kept the last finite parameters"
        );
    }
    if args.json {
        let doc = json!({
            "steps": trainer.steps_done,
            "requested_steps": steps,
            "diverged": diverged_at.is_some(),
            "final_loss": final_loss,
            "loss_history": downsample(&trainer.loss_history, 200),
            "loss_history_stride": (trainer.loss_history.len().max(1) as f64 / 200.0).max(1.0),
            "parameters": trainer.theta,
            "out": out.display().to_string(),
        });
        println!("{doc}");
    } else {
        eprintln!(
            "trained {} steps, final loss {final_loss:.6e}; wrote {}",
            trainer.steps_done,
            out.display()
        );
    }
    Ok(())
}
