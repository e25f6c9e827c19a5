//! `basinscope train`: headless training with a progress bar on stderr.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use super::json::{number, numbers};
use crate::core::files::{check_distinct_outputs, check_output_target};
use crate::core::limits::{MAX_STEPS, MAX_TRAJECTORY_POINTS};
use crate::core::recording::Recording;
use crate::core::train::{StepOutcome, Trainer, downsample};

/// Arguments of `basinscope train`.
#[derive(clap::Args, Debug)]
pub struct TrainArgs {
    /// A scene file or the name of a built-in scene.
    pub scene: String,
    /// Number of optimizer steps (default: the scene's `training.steps`).
    #[arg(long, allow_hyphen_values = true)]
    pub steps: Option<String>,
    /// Re-initializes θ from this seed (and uses it for mini-batches) before training.
    #[arg(long, allow_hyphen_values = true)]
    pub seed: Option<String>,
    /// Where to write the trained scene (default: STEM.trained.json beside the scene
    /// file, or NAME.trained.json in the working directory for a built-in scene).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Prints one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `--steps` and `--seed` as numbers, each refused with a sentence quoting it.
fn parse_steps_and_seed(args: &TrainArgs) -> anyhow::Result<(Option<usize>, Option<u64>)> {
    let steps: Option<usize> = args
        .steps
        .as_deref()
        .map(|s| {
            super::parse_number(
                "--steps",
                s,
                &format!("a whole number from 0 to {MAX_STEPS}"),
            )
        })
        .transpose()?;
    let seed: Option<u64> = args
        .seed
        .as_deref()
        .map(|s| {
            super::parse_number(
                "--seed",
                s,
                &format!("a whole number from 0 to {}", u64::MAX),
            )
        })
        .transpose()?;
    if let Some(steps) = steps {
        anyhow::ensure!(
            steps <= MAX_STEPS,
            "--steps {steps} is more than the limit of {MAX_STEPS}"
        );
    }
    Ok((steps, seed))
}

pub fn run(args: &TrainArgs) -> anyhow::Result<()> {
    let (steps_arg, seed) = parse_steps_and_seed(args)?;
    let mut scene = super::load_scene(&args.scene)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| super::default_out_path(&args.scene));
    // Refuse a bad output before training, not after.
    check_output_target("--out", &out)?;
    let inputs: Vec<(&str, &Path)> = super::input_file(&args.scene)
        .map(|p| ("the input scene", p))
        .into_iter()
        .collect();
    check_distinct_outputs(&inputs, &[("--out", out.as_path())])?;

    if let Some(seed) = seed {
        scene.init_seed = seed;
        scene.parameters = scene.model.init_parameters(seed);
        scene.training.seed = seed;
    }
    let steps = steps_arg.unwrap_or(scene.training.steps);
    anyhow::ensure!(
        steps <= MAX_STEPS,
        "the scene's training.steps is {steps}, more than the limit of {MAX_STEPS} steps per run; give --steps N to train fewer"
    );

    // A re-seeded run starts afresh; otherwise the run continues the scene's record.
    let previous = if seed.is_some() {
        Recording::default()
    } else {
        std::mem::take(&mut scene.recording)
    };
    let mut trainer = Trainer::new(
        scene.model.clone(),
        scene.data.clone(),
        scene.training.clone(),
        scene.parameters.clone(),
    );
    // About as many snapshots as a scene keeps; the record is thinned evenly after.
    trainer.trajectory_stride = (steps / MAX_TRAJECTORY_POINTS).max(1);
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
    scene.recording = record_of(previous, &trainer);
    scene
        .save(&out)
        .with_context(|| format!("cannot save the trained scene to {}", out.display()))?;
    if let Some(step) = diverged_at {
        eprintln!(
            "warning: training diverged at step {step} (loss became NaN or infinite); kept the last finite parameters"
        );
    }
    if let Some(w) = loss_warning(&trainer.loss_history, final_loss) {
        eprintln!("warning: {w}");
    }
    if args.json {
        let doc = json!({
            "steps": trainer.steps_done,
            "requested_steps": steps,
            "diverged": diverged_at.is_some(),
            "final_loss": number(final_loss),
            "loss_history": numbers(&downsample(&trainer.loss_history, 200)),
            "loss_history_stride": (trainer.loss_history.len().max(1) as f64 / 200.0).max(1.0),
            "parameters": numbers(&trainer.theta),
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

/// The scene's record after this run: the previous record, then this run's trajectory
/// (θ₀, every `trajectory_stride` steps, and the final θ) and losses, with steps counted
/// on from where the previous record ended; thinned to the limits.
fn record_of(previous: Recording, trainer: &Trainer) -> Recording {
    let base = previous.last_step();
    let stride = trainer.trajectory_stride.max(1) as u64;
    let mut trajectory: Vec<(u64, Vec<f64>)> = previous
        .trajectory
        .into_iter()
        .map(|p| (p.step, p.theta))
        .collect();
    for (i, theta) in trainer.trajectory.iter().enumerate() {
        let step = base + i as u64 * stride;
        // θ₀ of this run is where the previous record ended.
        if i > 0 || trajectory.last().is_none_or(|(_, t)| t != theta) {
            trajectory.push((step, theta.clone()));
        }
    }
    let end = base + trainer.steps_done as u64;
    if trajectory.last().is_none_or(|(s, _)| *s != end) {
        trajectory.push((end, trainer.theta.clone()));
    }
    let losses = previous.loss_history.into_iter().chain(
        trainer
            .loss_history
            .iter()
            .enumerate()
            .map(|(i, &l)| (base + i as u64, l)),
    );
    Recording::from_run(trajectory, losses)
}

/// What is wrong with a run's losses, if anything: a final loss that is not finite, one
/// beyond float32 (every field drawn from it would be infinite), or a run whose loss
/// never went below where it started. `history` holds the loss before each step.
pub fn loss_warning(history: &[f64], final_loss: f64) -> Option<String> {
    if !final_loss.is_finite() {
        return Some(format!(
            "the final loss is {final_loss}, not a finite number; lower training.learning_rate or rescale the data"
        ));
    }
    if final_loss > f64::from(f32::MAX) {
        return Some(format!(
            "the final loss {final_loss:.3e} is beyond float32, so the slice's fields will be infinite; rescale the targets and inputs (values near 1 work best)"
        ));
    }
    let first = *history.first()?;
    // A loss of exactly zero has nothing left to decrease.
    if history.len() >= 2 && first.is_finite() && first > 0.0 && final_loss >= first {
        return Some(format!(
            "the loss did not decrease over {} steps (from {first:.3e} to {final_loss:.3e}); check training.learning_rate and the scale of the data",
            history.len()
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn losses_that_are_infinite_beyond_float32_or_flat_are_flagged() {
        assert!(loss_warning(&[1.0, 0.5], 0.25).is_none());
        assert!(loss_warning(&[], 0.25).is_none());
        let w = loss_warning(&[1.0], f64::INFINITY).unwrap();
        assert!(w.contains("not a finite number"), "{w}");
        let w = loss_warning(&[7.5e59, 7.5e59], 7.4e59).unwrap();
        assert!(w.contains("beyond float32"), "{w}");
        let w = loss_warning(&[2.0, 2.0, 2.0], 2.0).unwrap();
        assert!(w.contains("did not decrease over 3 steps"), "{w}");
        assert!(loss_warning(&[0.0, 0.0], 0.0).is_none());
    }
}
