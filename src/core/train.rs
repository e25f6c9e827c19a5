//! Training with candle-core's autograd: forward, MSE loss, backward; SGD, momentum and
//! Adam on the flat θ (docs/DESIGN.md §2). Seeded and reproducible bit for bit.

use candle_core::{Device, Tensor, Var};
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::data::{Dataset, seeded_rng};
use super::error::CoreError;
use super::{Activation, MlpSpec};

/// Which update rule to use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OptimizerKind {
    /// θ ← θ − η g.
    Sgd,
    /// PyTorch's heavy ball: v ← μ v + g; θ ← θ − η v.
    Momentum,
    /// Adam (Kingma & Ba) with bias correction, as PyTorch's `torch.optim.Adam`.
    Adam,
}

impl OptimizerKind {
    pub const ALL: [OptimizerKind; 3] = [
        OptimizerKind::Sgd,
        OptimizerKind::Momentum,
        OptimizerKind::Adam,
    ];

    pub fn name(self) -> &'static str {
        match self {
            OptimizerKind::Sgd => "sgd",
            OptimizerKind::Momentum => "momentum",
            OptimizerKind::Adam => "adam",
        }
    }
}

/// Training settings stored in the scene (`training`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainingConfig {
    pub optimizer: OptimizerKind,
    pub learning_rate: f64,
    /// μ for momentum.
    pub momentum: f64,
    /// Adam's β₁, β₂ and ε.
    pub beta1: f64,
    pub beta2: f64,
    pub epsilon: f64,
    /// Mini-batch size; `None` (or ≥ k) is full batch.
    pub batch_size: Option<usize>,
    /// Seed of the mini-batch sampler.
    pub seed: u64,
    /// Steps that `basinscope train` runs by default.
    pub steps: usize,
}

impl Default for TrainingConfig {
    fn default() -> Self {
        Self {
            optimizer: OptimizerKind::Adam,
            learning_rate: 0.01,
            momentum: 0.9,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            batch_size: None,
            seed: 0,
            steps: 1000,
        }
    }
}

impl TrainingConfig {
    pub fn validate(&self) -> Result<(), CoreError> {
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return Err(CoreError::invalid(
                "training.learning_rate must be a positive number",
            ));
        }
        for (name, v) in [
            ("momentum", self.momentum),
            ("beta1", self.beta1),
            ("beta2", self.beta2),
        ] {
            if !(0.0..1.0).contains(&v) {
                return Err(CoreError::invalid(format!(
                    "training.{name} must be in [0, 1)"
                )));
            }
        }
        if !(self.epsilon.is_finite() && self.epsilon > 0.0) {
            return Err(CoreError::invalid(
                "training.epsilon must be a positive number",
            ));
        }
        if self.batch_size == Some(0) {
            return Err(CoreError::invalid("training.batch_size must be at least 1"));
        }
        Ok(())
    }
}

/// L(θ) = (1/k) Σ (f(x_i; θ) − y_i)², evaluated in f64 without autograd.
pub fn mse_loss(spec: &MlpSpec, theta: &[f64], data: &Dataset) -> f64 {
    let k = data.n_inputs().max(1) as f64;
    data.inputs
        .iter()
        .zip(&data.targets)
        .map(|(x, y)| {
            let r = spec.forward(theta, x) - y;
            r * r
        })
        .sum::<f64>()
        / k
}

/// Fraction of inputs on the wrong side of the label midpoint (binary targets only).
pub fn classification_error(spec: &MlpSpec, theta: &[f64], data: &Dataset) -> Option<f64> {
    let (lo, hi) = data.binary_labels()?;
    let mid = 0.5 * (lo + hi);
    let wrong = data
        .inputs
        .iter()
        .zip(&data.targets)
        .filter(|(x, y)| (spec.forward(theta, x) > mid) != (**y > mid))
        .count();
    Some(wrong as f64 / data.n_inputs().max(1) as f64)
}

/// MSE loss on the given rows and its gradient ∇_θ L in the flat layout, by candle's
/// reverse-mode autograd in f64.
pub fn loss_and_gradient(
    spec: &MlpSpec,
    theta: &[f64],
    data: &Dataset,
    rows: &[usize],
) -> Result<(f64, Vec<f64>), CoreError> {
    let device = Device::Cpu;
    let d = spec.input_dim();
    let k = rows.len();
    let xs: Vec<f64> = rows
        .iter()
        .flat_map(|&i| data.inputs[i].iter().copied())
        .collect();
    let ys: Vec<f64> = rows.iter().map(|&i| data.targets[i]).collect();
    let x = Tensor::from_vec(xs, (k, d), &device)?;
    let y = Tensor::from_vec(ys, (k, 1), &device)?;

    let layouts = spec.layouts();
    let mut vars = Vec::with_capacity(2 * layouts.len());
    let mut h = x;
    for (l, layout) in layouts.iter().enumerate() {
        let w_len = layout.fan_in * layout.fan_out;
        let w = Var::from_vec(
            theta[layout.weight_offset..layout.weight_offset + w_len].to_vec(),
            (layout.fan_out, layout.fan_in),
            &device,
        )?;
        let mut z = h.matmul(&w.as_tensor().t()?)?;
        vars.push(w);
        if let Some(b_off) = layout.bias_offset {
            let b = Var::from_vec(
                theta[b_off..b_off + layout.fan_out].to_vec(),
                (1, layout.fan_out),
                &device,
            )?;
            z = z.broadcast_add(b.as_tensor())?;
            vars.push(b);
        }
        h = if l + 1 < layouts.len() {
            activate(spec.activation, &z)?
        } else {
            z
        };
    }
    let loss = (h - y)?.sqr()?.mean_all()?;
    let grads = loss.backward()?;
    let mut gradient = Vec::with_capacity(theta.len());
    for var in &vars {
        match grads.get(var.as_tensor()) {
            Some(g) => gradient.extend(g.flatten_all()?.to_vec1::<f64>()?),
            None => gradient.extend(std::iter::repeat_n(0.0, var.as_tensor().elem_count())),
        }
    }
    Ok((loss.to_scalar::<f64>()?, gradient))
}

/// σ(z) as candle ops that autograd differentiates.
fn activate(act: Activation, z: &Tensor) -> candle_core::Result<Tensor> {
    match act {
        Activation::Identity => Ok(z.clone()),
        Activation::Relu => z.relu(),
        // max(z,0) − 0.01·max(−z,0)
        Activation::LeakyRelu => {
            z.relu()?
                - z.neg()?
                    .relu()?
                    .affine(crate::core::activation::LEAKY_RELU_SLOPE, 0.0)?
        }
        Activation::Tanh => z.tanh(),
        // 1 / (1 + e^−z)
        Activation::Sigmoid => (z.neg()?.exp()? + 1.0)?.recip(),
        Activation::Gelu => z.gelu_erf(),
        // max(z,0) + ln(1 + e^−|z|)
        Activation::Softplus => z.relu()? + (z.abs()?.neg()?.exp()? + 1.0)?.log()?,
    }
}

/// Per-parameter optimizer memory.
#[derive(Clone, Debug, PartialEq)]
pub struct OptimizerState {
    /// Momentum buffer, or Adam's first moment m.
    pub first: Vec<f64>,
    /// Adam's second moment v.
    pub second: Vec<f64>,
    /// Number of updates applied.
    pub t: u64,
}

impl OptimizerState {
    pub fn new(n_params: usize) -> Self {
        Self {
            first: vec![0.0; n_params],
            second: vec![0.0; n_params],
            t: 0,
        }
    }

    /// Applies one update of `config.optimizer` to θ in place.
    pub fn apply(&mut self, config: &TrainingConfig, theta: &mut [f64], gradient: &[f64]) {
        self.t += 1;
        let lr = config.learning_rate;
        match config.optimizer {
            OptimizerKind::Sgd => {
                for (p, g) in theta.iter_mut().zip(gradient) {
                    *p -= lr * g;
                }
            }
            OptimizerKind::Momentum => {
                for ((p, g), v) in theta.iter_mut().zip(gradient).zip(&mut self.first) {
                    *v = config.momentum * *v + g;
                    *p -= lr * *v;
                }
            }
            OptimizerKind::Adam => {
                let (b1, b2) = (config.beta1, config.beta2);
                let t = self.t as i32;
                let c1 = 1.0 - b1.powi(t);
                let c2 = 1.0 - b2.powi(t);
                for (((p, g), m), v) in theta
                    .iter_mut()
                    .zip(gradient)
                    .zip(&mut self.first)
                    .zip(&mut self.second)
                {
                    *m = b1 * *m + (1.0 - b1) * g;
                    *v = b2 * *v + (1.0 - b2) * g * g;
                    let m_hat = *m / c1;
                    let v_hat = *v / c2;
                    *p -= lr * m_hat / (v_hat.sqrt() + config.epsilon);
                }
            }
        }
    }
}

/// What one training step did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum StepOutcome {
    /// θ was updated; `loss` is the full-batch loss before the update.
    Stepped { loss: f64 },
    /// The update produced a NaN/inf loss or parameter; θ is kept at its last finite value.
    Diverged,
}

/// A training run in progress: θ, optimizer memory, batch sampler, history.
#[derive(Clone, Debug)]
pub struct Trainer {
    pub spec: MlpSpec,
    pub data: Dataset,
    pub config: TrainingConfig,
    pub theta: Vec<f64>,
    pub state: OptimizerState,
    /// Full-batch loss before each step.
    pub loss_history: Vec<f64>,
    /// θ after every `trajectory_stride` steps (θ₀ first); not recorded when the stride is 0.
    pub trajectory: Vec<Vec<f64>>,
    pub trajectory_stride: usize,
    pub steps_done: usize,
    rng: ChaCha8Rng,
    order: Vec<usize>,
    cursor: usize,
}

impl Trainer {
    pub fn new(spec: MlpSpec, data: Dataset, config: TrainingConfig, theta: Vec<f64>) -> Self {
        let n = theta.len();
        let k = data.n_inputs();
        let rng = seeded_rng(config.seed);
        Self {
            spec,
            data,
            state: OptimizerState::new(n),
            trajectory: vec![theta.clone()],
            theta,
            config,
            loss_history: Vec::new(),
            trajectory_stride: 0,
            steps_done: 0,
            rng,
            order: (0..k).collect(),
            cursor: usize::MAX,
        }
    }

    /// The rows of the next batch: all rows for full batch, else the next slice of a
    /// seeded shuffle (reshuffled each epoch).
    fn next_batch(&mut self) -> Vec<usize> {
        let k = self.data.n_inputs();
        let b = self.config.batch_size.unwrap_or(k).min(k).max(1);
        if b >= k {
            return (0..k).collect();
        }
        if self.cursor >= k || self.order.len() != k {
            self.order = (0..k).collect();
            self.order.shuffle(&mut self.rng);
            self.cursor = 0;
        }
        let end = (self.cursor + b).min(k);
        let rows = self.order[self.cursor..end].to_vec();
        self.cursor = end;
        rows
    }

    /// One optimizer step.
    pub fn step(&mut self) -> Result<StepOutcome, CoreError> {
        let full_loss = mse_loss(&self.spec, &self.theta, &self.data);
        if !full_loss.is_finite() {
            return Ok(StepOutcome::Diverged);
        }
        let rows = self.next_batch();
        let (_, gradient) = loss_and_gradient(&self.spec, &self.theta, &self.data, &rows)?;
        if gradient.iter().any(|g| !g.is_finite()) {
            return Ok(StepOutcome::Diverged);
        }
        let before = self.theta.clone();
        let before_state = self.state.clone();
        self.state.apply(&self.config, &mut self.theta, &gradient);
        let after_loss = mse_loss(&self.spec, &self.theta, &self.data);
        if self.theta.iter().any(|p| !p.is_finite()) || !after_loss.is_finite() {
            self.theta = before;
            self.state = before_state;
            return Ok(StepOutcome::Diverged);
        }
        self.loss_history.push(full_loss);
        self.steps_done += 1;
        if self.trajectory_stride > 0 && self.steps_done.is_multiple_of(self.trajectory_stride) {
            self.trajectory.push(self.theta.clone());
        }
        Ok(StepOutcome::Stepped { loss: full_loss })
    }

    /// Current full-batch loss.
    pub fn loss(&self) -> f64 {
        mse_loss(&self.spec, &self.theta, &self.data)
    }
}

/// Picks at most `n` evenly spaced samples (first and last included) of a history.
pub fn downsample(history: &[f64], n: usize) -> Vec<f64> {
    if history.len() <= n || n < 2 {
        return history.to_vec();
    }
    (0..n)
        .map(|i| history[i * (history.len() - 1) / (n - 1)])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::data::Preset;

    fn spec(act: Activation, bias: bool) -> MlpSpec {
        MlpSpec::new(vec![2, 5, 3, 1], act, bias).unwrap()
    }

    /// candle's autograd gradient of the MSE equals central finite differences of an
    /// independent f64 forward pass, for every activation.
    #[test]
    fn autograd_loss_gradient_matches_finite_differences_for_every_activation() {
        let data = Preset::Moons.generate(12, 0.1, 1);
        let rows: Vec<usize> = (0..data.n_inputs()).collect();
        for act in Activation::ALL {
            for bias in [true, false] {
                let spec = spec(act, bias);
                let theta = spec.init_parameters(11);
                let (loss, g) = loss_and_gradient(&spec, &theta, &data, &rows).unwrap();
                assert!((loss - mse_loss(&spec, &theta, &data)).abs() < 1e-12);
                let h = 1e-6;
                for j in 0..theta.len() {
                    let mut tp = theta.clone();
                    let mut tm = theta.clone();
                    tp[j] += h;
                    tm[j] -= h;
                    let fd =
                        (mse_loss(&spec, &tp, &data) - mse_loss(&spec, &tm, &data)) / (2.0 * h);
                    assert!(
                        (fd - g[j]).abs() < 1e-7 * (1.0 + fd.abs()),
                        "{act} bias={bias} θ[{j}]: fd {fd} vs {}",
                        g[j]
                    );
                }
            }
        }
    }

    #[test]
    #[allow(clippy::float_cmp)] // these steps are exact in binary floating point
    fn sgd_step_matches_hand_computation() {
        let cfg = TrainingConfig {
            optimizer: OptimizerKind::Sgd,
            learning_rate: 0.1,
            ..Default::default()
        };
        let mut s = OptimizerState::new(2);
        let mut theta = [1.0, -2.0];
        s.apply(&cfg, &mut theta, &[0.5, -1.0]);
        assert_eq!(theta, [0.95, -1.9]);
    }

    #[test]
    fn momentum_steps_match_hand_computation() {
        let cfg = TrainingConfig {
            optimizer: OptimizerKind::Momentum,
            learning_rate: 0.1,
            momentum: 0.9,
            ..Default::default()
        };
        let mut s = OptimizerState::new(1);
        let mut theta = [1.0];
        s.apply(&cfg, &mut theta, &[2.0]); // v = 2, θ = 1 − 0.2
        assert!((theta[0] - 0.8).abs() < 1e-15);
        s.apply(&cfg, &mut theta, &[1.0]); // v = 0.9·2 + 1 = 2.8, θ = 0.8 − 0.28
        assert!((theta[0] - 0.52).abs() < 1e-15);
    }

    #[test]
    fn adam_steps_match_hand_computation() {
        let cfg = TrainingConfig {
            optimizer: OptimizerKind::Adam,
            learning_rate: 0.01,
            ..Default::default()
        };
        let mut s = OptimizerState::new(1);
        let mut theta = [0.5];
        // Step 1: m̂ = g, v̂ = g², so the step is lr·g/(|g| + ε) ≈ lr·sign(g).
        s.apply(&cfg, &mut theta, &[3.0]);
        assert!((theta[0] - (0.5 - 0.01 * 3.0 / (3.0 + 1e-8))).abs() < 1e-15);
        // Step 2 by hand: m = 0.9·0.3 + 0.1·(−1) = 0.17, v = 0.999·0.009 + 0.001·1 = 0.009991
        let before = theta[0];
        s.apply(&cfg, &mut theta, &[-1.0]);
        let m_hat = 0.17 / (1.0 - 0.81);
        let v_hat: f64 = 0.009_991 / (1.0 - 0.998_001);
        let expected = before - 0.01 * m_hat / (v_hat.sqrt() + 1e-8);
        assert!(
            (theta[0] - expected).abs() < 1e-14,
            "{} vs {expected}",
            theta[0]
        );
    }

    #[test]
    fn training_is_reproducible_bit_for_bit() {
        let spec = MlpSpec::new(vec![2, 6, 1], Activation::Tanh, true).unwrap();
        let data = Preset::Moons.generate(32, 0.1, 2);
        let cfg = TrainingConfig {
            batch_size: Some(8),
            seed: 3,
            ..Default::default()
        };
        let run = || {
            let mut t = Trainer::new(
                spec.clone(),
                data.clone(),
                cfg.clone(),
                spec.init_parameters(1),
            );
            for _ in 0..50 {
                t.step().unwrap();
            }
            t.theta
        };
        assert_eq!(run(), run());
    }

    #[test]
    fn divergence_keeps_last_finite_parameters() {
        let spec = MlpSpec::new(vec![1, 1], Activation::Identity, false).unwrap();
        let data = Dataset {
            inputs: vec![vec![1e150]],
            targets: vec![0.0],
        };
        let cfg = TrainingConfig {
            optimizer: OptimizerKind::Sgd,
            learning_rate: 1.0,
            ..Default::default()
        };
        let mut t = Trainer::new(spec, data, cfg, vec![1e-150]);
        let mut diverged = false;
        for _ in 0..10 {
            if t.step().unwrap() == StepOutcome::Diverged {
                diverged = true;
                break;
            }
        }
        assert!(diverged);
        assert!(t.theta.iter().all(|p| p.is_finite()));
    }

    #[test]
    fn adam_fits_xor_with_tanh() {
        let spec = MlpSpec::new(vec![2, 8, 1], Activation::Tanh, true).unwrap();
        let data = Preset::Xor.generate(4, 0.0, 0);
        let mut t = Trainer::new(
            spec.clone(),
            data,
            TrainingConfig::default(),
            spec.init_parameters(0),
        );
        for _ in 0..3000 {
            t.step().unwrap();
        }
        assert!(t.loss() < 1e-2, "loss {}", t.loss());
    }
}
