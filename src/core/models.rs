//! The scene's models list (docs/DESIGN.md §5, the paths view): named snapshots of θ for
//! the scene's architecture, and training a new one from its own init seed.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

use super::MlpSpec;
use super::data::Dataset;
use super::error::CoreError;
use super::train::{StepOutcome, Trainer, TrainingConfig};

/// Longest model name accepted.
pub const MAX_NAME_LEN: usize = 200;
/// Most models a scene may hold.
pub const MAX_MODELS: usize = 256;

/// One entry of the models list: a name and a flat θ for the scene's model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedModel {
    pub name: String,
    /// Flat θ in the layout of docs/DESIGN.md §2.
    pub parameters: Vec<f64>,
}

/// Checks every model against the scene's architecture; errors name the model.
pub fn check_models(spec: &MlpSpec, models: &[NamedModel]) -> Result<(), CoreError> {
    if models.len() > MAX_MODELS {
        return Err(CoreError::invalid(format!(
            "models has {} entries, more than the limit of {MAX_MODELS}",
            models.len()
        )));
    }
    for (i, m) in models.iter().enumerate() {
        if m.name.chars().count() > MAX_NAME_LEN {
            return Err(CoreError::invalid(format!(
                "models[{i}].name is longer than {MAX_NAME_LEN} characters"
            )));
        }
        spec.check_parameters(&m.parameters)
            .map_err(|e| CoreError::invalid(format!("models[{i}] ({:?}): {e}", m.name)))?;
    }
    Ok(())
}

/// How training one model ended.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainedModel {
    /// The last finite θ.
    pub parameters: Vec<f64>,
    pub steps_done: usize,
    /// Full-batch loss at the returned θ.
    pub loss: f64,
    /// Set when training stopped early: cancelled or diverged, in words.
    pub stopped: Option<String>,
}

/// Trains the scene's architecture from PyTorch's default init drawn with `init_seed`
/// (mini-batches seeded with `init_seed` too), for `steps` steps of `config`.
/// `progress(step)` is called every step; `stop` ends training early.
pub fn train_model(
    spec: &MlpSpec,
    data: &Dataset,
    config: &TrainingConfig,
    init_seed: u64,
    steps: usize,
    stop: &AtomicBool,
    mut progress: impl FnMut(usize),
) -> Result<TrainedModel, CoreError> {
    let config = TrainingConfig {
        seed: init_seed,
        ..config.clone()
    };
    let mut trainer = Trainer::new(
        spec.clone(),
        data.clone(),
        config,
        spec.init_parameters(init_seed),
    );
    let mut stopped = None;
    for step in 0..steps {
        if stop.load(Ordering::Relaxed) {
            stopped = Some(format!("cancelled after {step} steps"));
            break;
        }
        if trainer.step()? == StepOutcome::Diverged {
            stopped = Some(format!(
                "training diverged at step {step}; the last finite θ is kept"
            ));
            break;
        }
        progress(step + 1);
    }
    Ok(TrainedModel {
        loss: trainer.loss(),
        steps_done: trainer.steps_done,
        parameters: trainer.theta,
        stopped,
    })
}
