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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Scene;

    fn scene_with_models(models: &str) -> String {
        format!(
            r#"{{"format": "basinscope-scene", "version": 1,
                "model": {{"layers": [2, 1], "activation": "identity", "bias": false}},
                "parameters": [1.0, 2.0],
                "data": {{"inputs": [[1, 0], [0, 1]], "targets": [1, 2]}}{models}}}"#
        )
    }

    #[test]
    fn a_scene_keeps_its_models_through_save_and_load() {
        let text = scene_with_models(
            r#", "models": [{"name": "a", "parameters": [0.5, -1.0]}, {"name": "b", "parameters": [3.0, 4.0]}]"#,
        );
        let scene = Scene::from_json(&text, "test").unwrap();
        assert_eq!(scene.models.len(), 2);
        assert_eq!(scene.models[1].parameters, vec![3.0, 4.0]);
        let again = Scene::from_json(&scene.to_json(), "again").unwrap();
        assert_eq!(again.models, scene.models);
        // No models: the field is optional and not written.
        let plain = Scene::from_json(&scene_with_models(""), "plain").unwrap();
        assert!(plain.models.is_empty());
        assert!(!plain.to_json().contains("models"));
    }

    #[test]
    fn models_of_the_wrong_shape_are_rejected_naming_the_model() {
        let text = scene_with_models(r#", "models": [{"name": "short", "parameters": [1.0]}]"#);
        let err = Scene::from_json(&text, "test").unwrap_err().to_string();
        assert!(err.contains("models[0]") && err.contains("short"), "{err}");
        let text = scene_with_models(
            r#", "models": [{"name": "x", "parameters": [1.0, 2.0], "seed": 3}]"#,
        );
        let err = Scene::from_json(&text, "test").unwrap_err().to_string();
        assert!(err.contains("seed"), "{err}");
    }

    #[test]
    fn training_a_model_is_seeded_and_stops_when_asked() {
        let spec = MlpSpec::new(vec![2, 4, 1], crate::core::Activation::Tanh, true).unwrap();
        let data = crate::core::Preset::Xor.generate(4, 0.0, 0);
        let config = TrainingConfig::default();
        let run = |seed, stop: bool| {
            train_model(
                &spec,
                &data,
                &config,
                seed,
                50,
                &AtomicBool::new(stop),
                |_| {},
            )
            .unwrap()
        };
        assert_eq!(run(3, false).parameters, run(3, false).parameters);
        assert_ne!(run(3, false).parameters, run(4, false).parameters);
        let stopped = run(3, true);
        assert_eq!(stopped.steps_done, 0);
        assert_eq!(stopped.parameters, spec.init_parameters(3));
        assert!(stopped.stopped.is_some());
    }
}
