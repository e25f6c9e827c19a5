//! Fully connected scalar-output MLPs and the flat parameter layout of docs/DESIGN.md §2:
//! layer by layer from the input, W_l as [out, in] row-major, then b_l (if biases are on).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::Activation;
use super::error::CoreError;

pub use super::limits::{MAX_LAYERS, MAX_PARAMS, MAX_WIDTH};

/// Architecture of a scalar-output MLP: widths [d_in, h_1, …, h_m, 1].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MlpSpec {
    /// Layer widths from input to output; the last one is 1.
    pub layers: Vec<usize>,
    /// Hidden activation (the output layer is the identity).
    pub activation: Activation,
    /// Whether every layer has a bias.
    pub bias: bool,
}

/// Where one layer's weights and bias live in flat θ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LayerLayout {
    pub fan_in: usize,
    pub fan_out: usize,
    /// Offset of W_l[0, 0].
    pub weight_offset: usize,
    /// Offset of b_l[0], if biases are on.
    pub bias_offset: Option<usize>,
}

impl LayerLayout {
    /// Offset of W_l[row, col].
    pub fn weight_index(&self, row: usize, col: usize) -> usize {
        self.weight_offset + row * self.fan_in + col
    }
}

impl MlpSpec {
    pub fn new(layers: Vec<usize>, activation: Activation, bias: bool) -> Result<Self, CoreError> {
        let spec = Self {
            layers,
            activation,
            bias,
        };
        spec.validate()?;
        Ok(spec)
    }

    /// Checks widths: at least input and output, all positive, scalar output, sane sizes.
    pub fn validate(&self) -> Result<(), CoreError> {
        if self.layers.len() < 2 {
            return Err(CoreError::invalid(
                "model.layers needs at least an input and an output width, for example [2, 1]",
            ));
        }
        if self.layers.len() - 1 > MAX_LAYERS {
            return Err(CoreError::invalid(format!(
                "model.layers has {} layers (after the input), more than the limit of {MAX_LAYERS}",
                self.layers.len() - 1
            )));
        }
        if let Some(pos) = self.layers.iter().position(|&w| w == 0) {
            return Err(CoreError::invalid(format!(
                "model.layers[{pos}] is 0; every layer needs at least one unit"
            )));
        }
        if *self.layers.last().unwrap_or(&0) != 1 {
            return Err(CoreError::invalid(format!(
                "the last entry of model.layers must be 1 (scalar output), not {}",
                self.layers.last().unwrap_or(&0)
            )));
        }
        if let Some(&w) = self.layers.iter().find(|&&w| w > MAX_WIDTH) {
            return Err(CoreError::invalid(format!(
                "a layer of width {w} is larger than the limit of {MAX_WIDTH}"
            )));
        }
        let n = self.layers.windows(2).try_fold(0usize, |acc, w| {
            w[0].checked_mul(w[1])
                .and_then(|x| x.checked_add(if self.bias { w[1] } else { 0 }))
                .and_then(|x| acc.checked_add(x))
        });
        match n {
            Some(n) if n <= MAX_PARAMS => Ok(()),
            _ => Err(CoreError::invalid(format!(
                "model.layers describes more than {MAX_PARAMS} parameters, the limit"
            ))),
        }
    }

    /// Input dimension d_in.
    pub fn input_dim(&self) -> usize {
        self.layers[0]
    }

    /// Number of affine layers (hidden layers + output).
    pub fn n_layers(&self) -> usize {
        self.layers.len() - 1
    }

    /// N, the length of flat θ.
    pub fn n_params(&self) -> usize {
        self.layouts()
            .iter()
            .map(|l| {
                l.fan_in * l.fan_out
                    + if l.bias_offset.is_some() {
                        l.fan_out
                    } else {
                        0
                    }
            })
            .sum()
    }

    /// Offsets of every layer in flat θ.
    pub fn layouts(&self) -> Vec<LayerLayout> {
        let mut offset = 0;
        self.layers
            .windows(2)
            .map(|w| {
                let (fan_in, fan_out) = (w[0], w[1]);
                let weight_offset = offset;
                offset += fan_in * fan_out;
                let bias_offset = self.bias.then(|| {
                    let b = offset;
                    offset += fan_out;
                    b
                });
                LayerLayout {
                    fan_in,
                    fan_out,
                    weight_offset,
                    bias_offset,
                }
            })
            .collect()
    }

    /// Human-readable name of parameter `index`, e.g. `W1[0,1]` or `b2[0]` (layers from 1).
    pub fn param_name(&self, index: usize) -> String {
        for (l, layout) in self.layouts().iter().enumerate() {
            let w_end = layout.weight_offset + layout.fan_in * layout.fan_out;
            if index >= layout.weight_offset && index < w_end {
                let r = (index - layout.weight_offset) / layout.fan_in;
                let c = (index - layout.weight_offset) % layout.fan_in;
                return format!("W{}[{r},{c}]", l + 1);
            }
            if let Some(b) = layout.bias_offset
                && index >= b
                && index < b + layout.fan_out
            {
                return format!("b{}[{}]", l + 1, index - b);
            }
        }
        format!("θ[{index}]")
    }

    /// PyTorch's default `nn.Linear` initialization: weights and biases uniform in
    /// ±1/√fan_in, drawn in layout order from a ChaCha8 stream seeded with `seed`.
    pub fn init_parameters(&self, seed: u64) -> Vec<f64> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut theta = vec![0.0; self.n_params()];
        for layout in self.layouts() {
            let bound = 1.0 / (layout.fan_in as f64).sqrt();
            let w_len = layout.fan_in * layout.fan_out;
            for t in &mut theta[layout.weight_offset..layout.weight_offset + w_len] {
                *t = rng.random_range(-bound..bound);
            }
            if let Some(b) = layout.bias_offset {
                for t in &mut theta[b..b + layout.fan_out] {
                    *t = rng.random_range(-bound..bound);
                }
            }
        }
        theta
    }

    /// f(x; θ) in f64.
    pub fn forward(&self, theta: &[f64], x: &[f64]) -> f64 {
        let layouts = self.layouts();
        let mut h = x.to_vec();
        for (l, layout) in layouts.iter().enumerate() {
            let mut z = affine(theta, layout, &h);
            if l + 1 < layouts.len() {
                for v in &mut z {
                    *v = self.activation.value(*v);
                }
            }
            h = z;
        }
        h[0]
    }

    /// f(x; θ) for many inputs at once, `inputs` flat row-major [n, d_in]; layer by layer
    /// over the whole batch (much faster than calling [`Self::forward`] per point).
    pub fn forward_many(&self, theta: &[f64], inputs: &[f64]) -> Vec<f64> {
        let layouts = self.layouts();
        let n = inputs.len() / self.input_dim().max(1);
        let mut h = inputs.to_vec();
        for (l, layout) in layouts.iter().enumerate() {
            let mut z = vec![0.0; n * layout.fan_out];
            for (p, zrow) in z.chunks_exact_mut(layout.fan_out).enumerate() {
                affine_into(
                    theta,
                    layout,
                    &h[p * layout.fan_in..(p + 1) * layout.fan_in],
                    zrow,
                );
            }
            if l + 1 < layouts.len() {
                for v in &mut z {
                    *v = self.activation.value(*v);
                }
            }
            h = z;
        }
        h
    }

    /// Pre-activations z_l and activations h_l of every layer for input x (h_0 = x;
    /// the last z is the output).
    pub fn trace(&self, theta: &[f64], x: &[f64]) -> Trace {
        forward_trace(self.activation, &self.layouts(), theta, x)
    }

    /// One input's forward and backward pass ([`Backprop`]), from which ∇_θ f and (in
    /// the analysis) the exact ∇²_θ f are assembled.
    pub fn backprop(&self, theta: &[f64], x: &[f64]) -> Backprop {
        backprop(self.activation, &self.layouts(), theta, x)
    }

    /// ∇_θ f(x; θ) by backpropagation in f64, in the flat layout.
    pub fn gradient(&self, theta: &[f64], x: &[f64]) -> Vec<f64> {
        let layouts = self.layouts();
        let mut grad = vec![0.0; theta.len()];
        backprop(self.activation, &layouts, theta, x).gradient_into(&layouts, &mut grad);
        grad
    }

    /// Checks that θ has N entries, all finite.
    pub fn check_parameters(&self, theta: &[f64]) -> Result<(), CoreError> {
        let n = self.n_params();
        if theta.len() != n {
            return Err(CoreError::invalid(format!(
                "parameters has {} entries but model.layers {:?} (bias: {}) needs {n}",
                theta.len(),
                self.layers,
                self.bias
            )));
        }
        if let Some(i) = theta.iter().position(|v| !v.is_finite()) {
            return Err(CoreError::invalid(format!(
                "parameters[{i}] is not a finite number"
            )));
        }
        Ok(())
    }
}

/// Intermediate values of one forward pass.
#[derive(Clone, Debug)]
pub struct Trace {
    /// z_l = W_l h_{l−1} + b_l for l = 1..=L.
    pub pre_activations: Vec<Vec<f64>>,
    /// h_0 = x, h_l = σ(z_l) for hidden layers, h_L = z_L.
    pub activations: Vec<Vec<f64>>,
}

impl Trace {
    /// f(x; θ), the single entry of h_L.
    pub fn output(&self) -> f64 {
        self.activations.last().map_or(0.0, |h| h[0])
    }
}

/// One input's forward pass and the backpropagation of ∂f through it. Layers are
/// indexed from 0 here: layer l maps h_l (`trace.activations[l]`) to z_l
/// (`trace.pre_activations[l]`).
#[derive(Clone, Debug)]
pub struct Backprop {
    /// The forward pass.
    pub trace: Trace,
    /// σ'(z_l) of each hidden layer l = 0..L−2.
    pub slopes: Vec<Vec<f64>>,
    /// δ_l = ∂f/∂z_l for l = 0..L−1 (δ_{L−1} = [1], the output layer is the identity).
    pub deltas: Vec<Vec<f64>>,
    /// s_l = W_{l+1}ᵀ δ_{l+1} = ∂f/∂h_{l+1} for hidden layers l = 0..L−2, so that
    /// δ_l = s_l ⊙ σ'(z_l).
    pub back_sums: Vec<Vec<f64>>,
}

impl Backprop {
    /// f(x; θ).
    pub fn output(&self) -> f64 {
        self.trace.output()
    }

    /// Writes ∇_θ f into `out` (length N, the layout of `layouts`):
    /// ∂f/∂W_l[r,c] = δ_l[r]·h_l[c], ∂f/∂b_l[r] = δ_l[r].
    pub fn gradient_into(&self, layouts: &[LayerLayout], out: &mut [f64]) {
        for (l, layout) in layouts.iter().enumerate() {
            let h = &self.trace.activations[l];
            for (r, &d) in self.deltas[l].iter().enumerate() {
                let start = layout.weight_index(r, 0);
                for (o, &hv) in out[start..start + layout.fan_in].iter_mut().zip(h) {
                    *o = d * hv;
                }
                if let Some(b) = layout.bias_offset {
                    out[b + r] = d;
                }
            }
        }
    }
}

/// The forward pass of the network with these layouts and hidden activation.
pub(crate) fn forward_trace(
    activation: Activation,
    layouts: &[LayerLayout],
    theta: &[f64],
    x: &[f64],
) -> Trace {
    let mut activations = Vec::with_capacity(layouts.len() + 1);
    activations.push(x.to_vec());
    let mut pre_activations = Vec::with_capacity(layouts.len());
    for (l, layout) in layouts.iter().enumerate() {
        let z = affine(theta, layout, &activations[l]);
        let h = if l + 1 < layouts.len() {
            z.iter().map(|&v| activation.value(v)).collect()
        } else {
            z.clone()
        };
        pre_activations.push(z);
        activations.push(h);
    }
    Trace {
        pre_activations,
        activations,
    }
}

/// The forward pass and backpropagation of the network with these layouts and hidden
/// activation: δ_{L−1} = [1], s_{l−1} = W_lᵀ δ_l, δ_{l−1} = s_{l−1} ⊙ σ'(z_{l−1}).
pub(crate) fn backprop(
    activation: Activation,
    layouts: &[LayerLayout],
    theta: &[f64],
    x: &[f64],
) -> Backprop {
    let trace = forward_trace(activation, layouts, theta, x);
    let n_layers = layouts.len();
    let slopes: Vec<Vec<f64>> = trace.pre_activations[..n_layers - 1]
        .iter()
        .map(|z| z.iter().map(|&v| activation.derivative(v)).collect())
        .collect();
    let mut deltas = vec![Vec::new(); n_layers];
    let mut back_sums = vec![Vec::new(); n_layers - 1];
    deltas[n_layers - 1] = vec![1.0];
    for l in (1..n_layers).rev() {
        let s = transpose_times(theta, &layouts[l], &deltas[l]);
        deltas[l - 1] = s.iter().zip(&slopes[l - 1]).map(|(a, b)| a * b).collect();
        back_sums[l - 1] = s;
    }
    Backprop {
        trace,
        slopes,
        deltas,
        back_sums,
    }
}

/// z = W h + b of one layer.
pub(crate) fn affine(theta: &[f64], layout: &LayerLayout, h: &[f64]) -> Vec<f64> {
    let mut z = vec![0.0; layout.fan_out];
    affine_into(theta, layout, h, &mut z);
    z
}

/// z = W h + b of one layer, written into `z` (length fan_out).
fn affine_into(theta: &[f64], layout: &LayerLayout, h: &[f64], z: &mut [f64]) {
    for (r, zr) in z.iter_mut().enumerate() {
        let start = layout.weight_index(r, 0);
        let s: f64 = theta[start..start + layout.fan_in]
            .iter()
            .zip(h)
            .map(|(w, x)| w * x)
            .sum();
        *zr = s + layout.bias_offset.map_or(0.0, |b| theta[b + r]);
    }
}

/// Wᵀ d of one layer.
fn transpose_times(theta: &[f64], layout: &LayerLayout, d: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; layout.fan_in];
    for (r, &dr) in d.iter().enumerate() {
        let start = layout.weight_index(r, 0);
        for (o, &w) in out.iter_mut().zip(&theta[start..start + layout.fan_in]) {
            *o += dr * w;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_follows_pytorch_state_dict_order() {
        let spec = MlpSpec::new(vec![2, 3, 1], Activation::Tanh, true).unwrap();
        let l = spec.layouts();
        assert_eq!(l[0].weight_offset, 0);
        assert_eq!(l[0].bias_offset, Some(6));
        assert_eq!(l[1].weight_offset, 9);
        assert_eq!(l[1].bias_offset, Some(12));
        assert_eq!(spec.n_params(), 13);
        assert_eq!(spec.param_name(3), "W1[1,1]");
        assert_eq!(spec.param_name(12), "b2[0]");
    }

    #[test]
    fn forward_matches_hand_computation() {
        // [2, 2, 1] tanh: W1 = [[1, 2], [3, 4]], b1 = [0.5, -0.5], W2 = [[2, -1]], b2 = [0.25]
        let spec = MlpSpec::new(vec![2, 2, 1], Activation::Tanh, true).unwrap();
        let theta = [1.0, 2.0, 3.0, 4.0, 0.5, -0.5, 2.0, -1.0, 0.25];
        let x = [0.1, -0.2];
        let h1 = (0.1f64 - 0.4 + 0.5).tanh();
        let h2 = (0.3f64 - 0.8 - 0.5).tanh();
        let expected = 2.0 * h1 - h2 + 0.25;
        assert!((spec.forward(&theta, &x) - expected).abs() < 1e-15);
    }

    /// ∇_θ f by backprop equals central finite differences, for every activation.
    #[test]
    fn gradient_matches_finite_differences_for_every_activation() {
        for act in Activation::ALL {
            for bias in [true, false] {
                let spec = MlpSpec::new(vec![3, 4, 3, 1], act, bias).unwrap();
                let theta = spec.init_parameters(7);
                let x = [0.3, -1.2, 0.7];
                let g = spec.gradient(&theta, &x);
                let h = 1e-6;
                for j in 0..theta.len() {
                    let mut tp = theta.clone();
                    let mut tm = theta.clone();
                    tp[j] += h;
                    tm[j] -= h;
                    let fd = (spec.forward(&tp, &x) - spec.forward(&tm, &x)) / (2.0 * h);
                    assert!(
                        (fd - g[j]).abs() < 1e-7,
                        "{act} bias={bias} θ[{j}]: {fd} vs {}",
                        g[j]
                    );
                }
            }
        }
    }

    #[test]
    fn batched_forward_matches_single_forward() {
        let spec = MlpSpec::new(vec![2, 5, 4, 1], Activation::Gelu, true).unwrap();
        let theta = spec.init_parameters(2);
        let xs = [0.1, 0.2, -1.0, 0.5, 3.0, -2.0];
        let many = spec.forward_many(&theta, &xs);
        for (p, f) in many.iter().enumerate() {
            assert!((f - spec.forward(&theta, &xs[2 * p..2 * p + 2])).abs() < 1e-14);
        }
    }

    #[test]
    fn zero_width_and_wrong_output_are_rejected() {
        assert!(MlpSpec::new(vec![2, 0, 1], Activation::Relu, true).is_err());
        assert!(MlpSpec::new(vec![2, 2], Activation::Relu, true).is_err());
        assert!(MlpSpec::new(vec![2], Activation::Relu, true).is_err());
        assert!(MlpSpec::new(vec![2, 100_000, 1], Activation::Relu, true).is_err());
    }

    #[test]
    fn init_is_seeded_and_bounded() {
        let spec = MlpSpec::new(vec![4, 8, 1], Activation::Relu, true).unwrap();
        let a = spec.init_parameters(3);
        assert_eq!(a, spec.init_parameters(3));
        assert_ne!(a, spec.init_parameters(4));
        assert!(a[..32].iter().all(|w| w.abs() <= 0.5));
    }
}
