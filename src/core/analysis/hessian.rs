//! Exact first and second θ-derivatives of the network output, in f64: the behavioral
//! gradient matrix G (column i = ∇_θ f(x_i; θ)) and the MSE loss Hessian
//! H = (2/k) Σ_i [∇f_i ∇f_iᵀ + r_i ∇²f_i] of docs/DESIGN.md §1.
//!
//! G is assembled from the shared backpropagation of [`crate::core::mlp::Backprop`]
//! (the same code as [`MlpSpec::gradient`]). ∇²f_i is computed by forward-over-reverse
//! differentiation: that backpropagation is differentiated once more along a parameter
//! direction v (dual numbers with one tangent), giving the Hessian-vector product
//! ∇²f_i·v exactly. The value part of those dual numbers does not depend on v, so each
//! input's forward and backward pass is computed once ([`Pass`]) and only the tangents
//! are recomputed per direction.

use nalgebra::DMatrix;

use crate::core::mlp::{Backprop, LayerLayout, backprop};
use crate::core::{Activation, Dataset, MlpSpec};

/// G ∈ R^{N×k}: column i is ∇_θ f(x_i; θ), by backpropagation in f64.
///
/// θ and the inputs must match `spec` (as [`super::analyze`] checks).
pub fn behavioral_gradients(spec: &MlpSpec, theta: &[f64], data: &Dataset) -> DMatrix<f64> {
    let layouts = spec.layouts();
    let n = theta.len();
    let mut g = DMatrix::zeros(n, data.n_inputs());
    for (i, x) in data.inputs.iter().enumerate() {
        backprop(spec.activation, &layouts, theta, x)
            .gradient_into(&layouts, &mut g.as_mut_slice()[i * n..(i + 1) * n]);
    }
    g
}

/// The exact Hessian of the MSE loss, H = (2/k) Σ_i [∇f_i ∇f_iᵀ + r_i ∇²f_i]
/// with r_i = f(x_i; θ) − y_i, residual term included (N×N, symmetric).
///
/// θ and the data must match `spec` (as [`super::analyze`] checks).
pub fn loss_hessian(spec: &MlpSpec, theta: &[f64], data: &Dataset) -> DMatrix<f64> {
    derivatives(spec, theta, data).hessian
}

/// ∇²_θ f(x; θ), the exact Hessian of one output in θ (N×N, symmetric).
pub fn output_hessian(spec: &MlpSpec, theta: &[f64], x: &[f64]) -> DMatrix<f64> {
    let layouts = spec.layouts();
    let pass = Pass::new(spec.activation, &layouts, theta, x);
    let n = theta.len();
    let mut hessian = DMatrix::zeros(n, n);
    let mut tangents = Tangents::new(&layouts);
    let mut direction = vec![0.0; n];
    for j in 0..n {
        direction[j] = 1.0;
        let column = &mut hessian.as_mut_slice()[j * n..(j + 1) * n];
        pass.add_hessian_vector_product(&layouts, theta, &direction, 1.0, column, &mut tangents);
        direction[j] = 0.0;
    }
    symmetrize(&mut hessian);
    hessian
}

/// Outputs, G and H at one θ, sharing one forward/backward pass per input.
pub(super) struct Derivatives {
    /// f(x_i; θ).
    pub outputs: Vec<f64>,
    /// G, N×k.
    pub gradients: DMatrix<f64>,
    /// H, N×N.
    pub hessian: DMatrix<f64>,
}

/// Computes f, G and the exact loss Hessian at θ.
pub(super) fn derivatives(spec: &MlpSpec, theta: &[f64], data: &Dataset) -> Derivatives {
    let layouts = spec.layouts();
    let n = theta.len();
    let k = data.n_inputs();
    let passes: Vec<Pass> = data
        .inputs
        .iter()
        .map(|x| Pass::new(spec.activation, &layouts, theta, x))
        .collect();
    let outputs: Vec<f64> = passes.iter().map(|p| p.values.output()).collect();
    let mut gradients = DMatrix::zeros(n, k);
    for (i, pass) in passes.iter().enumerate() {
        pass.values
            .gradient_into(&layouts, &mut gradients.as_mut_slice()[i * n..(i + 1) * n]);
    }

    // Σ_i r_i ∇²f_i, one column (direction e_j) at a time. Inputs fitted exactly add nothing.
    let mut residual_term = DMatrix::zeros(n, n);
    let mut tangents = Tangents::new(&layouts);
    let mut direction = vec![0.0; n];
    for (pass, y) in passes.iter().zip(&data.targets) {
        let residual = pass.values.output() - y;
        if residual == 0.0 {
            continue;
        }
        for j in 0..n {
            direction[j] = 1.0;
            let column = &mut residual_term.as_mut_slice()[j * n..(j + 1) * n];
            pass.add_hessian_vector_product(
                &layouts,
                theta,
                &direction,
                residual,
                column,
                &mut tangents,
            );
            direction[j] = 0.0;
        }
    }
    let scale = 2.0 / k.max(1) as f64;
    let mut hessian = &gradients * gradients.transpose() + residual_term;
    hessian *= scale;
    symmetrize(&mut hessian);
    Derivatives {
        outputs,
        gradients,
        hessian,
    }
}

/// Replaces m by (m + mᵀ)/2, removing the rounding asymmetry of column-wise products.
fn symmetrize(m: &mut DMatrix<f64>) {
    let n = m.nrows();
    for c in 0..n {
        for r in (c + 1)..n {
            let mean = 0.5 * (m[(r, c)] + m[(c, r)]);
            m[(r, c)] = mean;
            m[(c, r)] = mean;
        }
    }
}

/// The values of one input's forward and backward pass that every Hessian-vector
/// product reuses: the shared backpropagation plus σ''. Layers are indexed from 0 here:
/// layer l maps h_l to z_l.
struct Pass {
    /// h_l, σ'(z_l), δ_l and s_l = W_{l+1}ᵀ δ_{l+1} (see [`Backprop`]).
    values: Backprop,
    /// σ''(z_l) of each hidden layer l = 0..L−2.
    curvatures: Vec<Vec<f64>>,
}

/// The tangent parts of the dual numbers along one direction v, buffers allocated once.
struct Tangents {
    /// ż_l for hidden layers.
    z: Vec<Vec<f64>>,
    /// ḣ_l for l = 0..L−1 (ḣ_0 = 0: the input does not depend on θ).
    h: Vec<Vec<f64>>,
    /// δ̇_l for l = 0..L−1.
    delta: Vec<Vec<f64>>,
}

impl Tangents {
    fn new(layouts: &[LayerLayout]) -> Self {
        Self {
            z: layouts[..layouts.len() - 1]
                .iter()
                .map(|l| vec![0.0; l.fan_out])
                .collect(),
            h: layouts.iter().map(|l| vec![0.0; l.fan_in]).collect(),
            delta: layouts.iter().map(|l| vec![0.0; l.fan_out]).collect(),
        }
    }
}

impl Pass {
    fn new(activation: Activation, layouts: &[LayerLayout], theta: &[f64], x: &[f64]) -> Self {
        let values = backprop(activation, layouts, theta, x);
        let n_hidden = layouts.len() - 1;
        let curvatures = values.trace.pre_activations[..n_hidden]
            .iter()
            .map(|z| z.iter().map(|&v| activation.second_derivative(v)).collect())
            .collect();
        Self { values, curvatures }
    }

    /// Adds weight·∇²f·v to `out`: the tangent along v of the backpropagated gradient.
    fn add_hessian_vector_product(
        &self,
        layouts: &[LayerLayout],
        theta: &[f64],
        v: &[f64],
        weight: f64,
        out: &mut [f64],
        tangents: &mut Tangents,
    ) {
        let n_layers = layouts.len();
        // Forward tangents of the hidden layers: ż_l = V_l h_l + W_l ḣ_l + v_b, ḣ_{l+1} = σ'(z_l) ż_l.
        tangents.h[0].fill(0.0);
        for l in 0..n_layers - 1 {
            let layout = &layouts[l];
            let (before, after) = tangents.h.split_at_mut(l + 1);
            let h_dot = &before[l];
            let h = &self.values.trace.activations[l];
            let z_dot = &mut tangents.z[l];
            for (r, zd) in z_dot.iter_mut().enumerate() {
                let start = layout.weight_index(r, 0);
                let w_row = &theta[start..start + layout.fan_in];
                let v_row = &v[start..start + layout.fan_in];
                let mut s = layout.bias_offset.map_or(0.0, |b| v[b + r]);
                for c in 0..layout.fan_in {
                    s += v_row[c] * h[c] + w_row[c] * h_dot[c];
                }
                *zd = s;
            }
            for ((hd, zd), slope) in after[0]
                .iter_mut()
                .zip(z_dot.iter())
                .zip(&self.values.slopes[l])
            {
                *hd = slope * zd;
            }
        }
        // Backward tangents: δ̇_{L−1} = 0; δ̇_{l−1} = ṡ ⊙ σ'(z_{l−1}) + s ⊙ σ''(z_{l−1}) ⊙ ż_{l−1},
        // with ṡ = W_lᵀ δ̇_l + V_lᵀ δ_l.
        tangents.delta[n_layers - 1].fill(0.0);
        for l in (0..n_layers).rev() {
            let layout = &layouts[l];
            let h = &self.values.trace.activations[l];
            let h_dot = &tangents.h[l];
            let delta = &self.values.deltas[l];
            let (lower, upper) = tangents.delta.split_at_mut(l);
            let delta_dot = &upper[0];
            for r in 0..layout.fan_out {
                let (d, dd) = (delta[r], delta_dot[r]);
                let start = layout.weight_index(r, 0);
                for ((o, &hv), &hdv) in out[start..start + layout.fan_in]
                    .iter_mut()
                    .zip(h)
                    .zip(h_dot)
                {
                    *o += weight * (dd * hv + d * hdv);
                }
                if let Some(b) = layout.bias_offset {
                    out[b + r] += weight * dd;
                }
            }
            if l > 0 {
                let previous = &mut lower[l - 1];
                previous.fill(0.0);
                for r in 0..layout.fan_out {
                    let (d, dd) = (delta[r], delta_dot[r]);
                    let start = layout.weight_index(r, 0);
                    let w_row = &theta[start..start + layout.fan_in];
                    let v_row = &v[start..start + layout.fan_in];
                    for c in 0..layout.fan_in {
                        previous[c] += dd * w_row[c] + d * v_row[c];
                    }
                }
                let s = &self.values.back_sums[l - 1];
                let z_dot = &tangents.z[l - 1];
                for c in 0..layout.fan_in {
                    previous[c] = previous[c] * self.values.slopes[l - 1][c]
                        + s[c] * self.curvatures[l - 1][c] * z_dot[c];
                }
            }
        }
    }
}
