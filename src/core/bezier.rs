//! Training the control point of a quadratic Bézier path (Garipov et al. 2018): minimize
//! E_{t ~ U(0,1)} L(θ(t)) over θ_C, where θ(t) = (1 − t)²θ_A + 2t(1 − t)θ_C + t²θ_B, by
//! drawing one t per step and following ∇_{θ_C} L(θ(t)) = 2t(1 − t)·∇L(θ(t)) with Adam.

use std::sync::atomic::{AtomicBool, Ordering};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::MlpSpec;
use super::data::Dataset;
use super::error::CoreError;
use super::paths::Path;
use super::train::{OptimizerKind, OptimizerState, TrainingConfig, loss_and_gradient};

/// Settings of a Bézier fit.
#[derive(Clone, Debug, PartialEq)]
pub struct BezierConfig {
    /// Adam steps (one t per step).
    pub steps: usize,
    /// Adam's learning rate.
    pub learning_rate: f64,
    /// Seed of the t draws.
    pub seed: u64,
}

impl Default for BezierConfig {
    fn default() -> Self {
        Self {
            steps: 2000,
            learning_rate: 0.01,
            seed: 0,
        }
    }
}

/// How a fit ended.
#[derive(Clone, Debug, PartialEq)]
pub enum BezierEnd {
    /// All steps ran.
    Finished,
    /// The stop flag was raised.
    Cancelled,
    /// A step produced a NaN/inf; the control point is the last finite one.
    Diverged(String),
}

/// The result of a fit.
#[derive(Clone, Debug, PartialEq)]
pub struct BezierFit {
    /// θ_C, always finite.
    pub control: Vec<f64>,
    pub steps_done: usize,
    pub end: BezierEnd,
}

/// Trains θ_C from the midpoint ½(θ_A + θ_B) (so the fit starts on the linear path).
/// `progress(step, loss)` is called after every step with L(θ(t)) at that step's t;
/// `stop` is checked before every step.
pub fn fit_bezier(
    spec: &MlpSpec,
    data: &Dataset,
    theta_a: &[f64],
    theta_b: &[f64],
    config: &BezierConfig,
    stop: &AtomicBool,
    mut progress: impl FnMut(usize, f64),
) -> Result<BezierFit, CoreError> {
    spec.check_parameters(theta_a)?;
    spec.check_parameters(theta_b)?;
    if !(config.learning_rate.is_finite() && config.learning_rate > 0.0) {
        return Err(CoreError::invalid(
            "the Bézier fit's learning rate must be a positive number",
        ));
    }
    let adam = TrainingConfig {
        optimizer: OptimizerKind::Adam,
        learning_rate: config.learning_rate,
        ..TrainingConfig::default()
    };
    let mut control: Vec<f64> = theta_a
        .iter()
        .zip(theta_b)
        .map(|(a, b)| 0.5 * (a + b))
        .collect();
    let mut state = OptimizerState::new(control.len());
    let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
    let rows: Vec<usize> = (0..data.n_inputs()).collect();
    for step in 0..config.steps {
        if stop.load(Ordering::Relaxed) {
            return Ok(BezierFit {
                control,
                steps_done: step,
                end: BezierEnd::Cancelled,
            });
        }
        let t: f64 = rng.random_range(0.0..1.0);
        let theta = Path::Bezier {
            a: theta_a,
            control: &control,
            b: theta_b,
        }
        .point(t);
        let (loss, gradient) = loss_and_gradient(spec, &theta, data, &rows)?;
        let weight = 2.0 * t * (1.0 - t);
        let gradient: Vec<f64> = gradient.iter().map(|g| weight * g).collect();
        let finite_step = loss.is_finite() && gradient.iter().all(|g| g.is_finite()) && {
            let before = (control.clone(), state.clone());
            state.apply(&adam, &mut control, &gradient);
            let finite = control.iter().all(|c| c.is_finite());
            if !finite {
                (control, state) = before;
            }
            finite
        };
        if !finite_step {
            return Ok(BezierFit {
                control,
                steps_done: step,
                end: BezierEnd::Diverged(format!(
                    "the Bézier fit diverged at step {step} (t = {t:.3}); the last finite control point is kept"
                )),
            });
        }
        progress(step + 1, loss);
    }
    Ok(BezierFit {
        control,
        steps_done: config.steps,
        end: BezierEnd::Finished,
    })
}
