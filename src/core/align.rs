//! Permutation alignment of two MLPs with the same architecture (docs/DESIGN.md §1):
//! hidden units can be relabeled without changing the function, so model B is permuted
//! to sit as close to model A as possible before the two are interpolated.
//!
//! Two methods of Ainsworth et al. (2023, "Git Re-Basin"):
//! - **weight matching**: per-layer permutations P_l of B's hidden units that maximize
//!   Σ_l ⟨W_l^A, P_l W_l^B P_{l−1}ᵀ⟩ + ⟨b_l^A, P_l b_l^B⟩ (P_0 and the output's P are the
//!   identity), by coordinate descent over hidden layers in a seeded random order, each
//!   step a linear assignment problem, until a whole sweep improves no layer;
//! - **activation matching**: per hidden layer, the permutation that maximizes the summed
//!   Pearson correlation of A's and B's unit activations on the training inputs.
//!
//! A permutation `perm` of hidden layer l says that unit i of the aligned B is unit
//! `perm[i]` of B: W'_l[i, c] = W_l^B[perm_l[i], perm_{l−1}[c]], b'_l[i] = b_l^B[perm_l[i]].

use pathfinding::kuhn_munkres::kuhn_munkres;
use pathfinding::matrix::Matrix;
use rand::SeedableRng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use super::MlpSpec;
use super::data::Dataset;
use super::error::CoreError;

/// The two alignment methods (and none).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlignMethod {
    /// No alignment: B as it is.
    None,
    /// Weight matching by coordinate descent over layers.
    Weights,
    /// Activation matching by correlation on the training inputs.
    Activations,
}

impl AlignMethod {
    /// The name used on the command line and in JSON (`none`, `weights`, `activations`).
    pub fn name(self) -> &'static str {
        match self {
            AlignMethod::None => "none",
            AlignMethod::Weights => "weights",
            AlignMethod::Activations => "activations",
        }
    }

    /// The method in words: "no alignment", "weight matching", "activation matching".
    pub fn words(self) -> &'static str {
        match self {
            AlignMethod::None => "no alignment",
            AlignMethod::Weights => "weight matching",
            AlignMethod::Activations => "activation matching",
        }
    }

    /// Parses [`Self::name`].
    pub fn parse(name: &str) -> Option<Self> {
        [Self::None, Self::Weights, Self::Activations]
            .into_iter()
            .find(|m| m.name() == name)
    }
}

/// The result of aligning B to A.
#[derive(Clone, Debug, PartialEq)]
pub struct Alignment {
    pub method: AlignMethod,
    /// One permutation per hidden layer (from the input side): unit i of the aligned B is
    /// unit `permutations[l][i]` of B.
    pub permutations: Vec<Vec<usize>>,
    /// Sweeps over all hidden layers that weight matching ran (the last one improved
    /// nothing); 0 for the other methods.
    pub sweeps: usize,
    /// B relabeled by `permutations` (the same function as B).
    pub theta_aligned: Vec<f64>,
    /// Σ_l ⟨W_l^A, W_l^B⟩ + ⟨b_l^A, b_l^B⟩ before and after alignment.
    pub inner_product_before: f64,
    pub inner_product_after: f64,
}

/// Checks that two models are the same architecture; the error is one sentence naming
/// the difference.
pub fn check_same_architecture(a: &MlpSpec, b: &MlpSpec) -> Result<(), CoreError> {
    if a.layers != b.layers {
        return Err(CoreError::invalid(format!(
            "the two models have different layers: {:?} and {:?}",
            a.layers, b.layers
        )));
    }
    if a.activation != b.activation {
        return Err(CoreError::invalid(format!(
            "the two models have different activations: {} and {}",
            a.activation.name(),
            b.activation.name()
        )));
    }
    if a.bias != b.bias {
        return Err(CoreError::invalid(format!(
            "the two models differ in biases: one has them ({}) and the other not ({})",
            if a.bias { "A" } else { "B" },
            if a.bias { "B" } else { "A" }
        )));
    }
    Ok(())
}

/// The identity permutation of every hidden layer of `spec`.
pub fn identity_permutations(spec: &MlpSpec) -> Vec<Vec<usize>> {
    hidden_widths(spec)
        .iter()
        .map(|&h| (0..h).collect())
        .collect()
}

fn hidden_widths(spec: &MlpSpec) -> &[usize] {
    &spec.layers[1..spec.layers.len() - 1]
}

/// θ with hidden units relabeled: unit i of hidden layer l of the result is unit
/// `permutations[l][i]` of θ. Rows of W_l and entries of b_l move with their unit, and so
/// do the matching columns of W_{l+1}, so the function is unchanged.
pub fn apply_permutations(spec: &MlpSpec, theta: &[f64], permutations: &[Vec<usize>]) -> Vec<f64> {
    let layouts = spec.layouts();
    let identity_in: Vec<usize> = (0..spec.input_dim()).collect();
    let identity_out = vec![0usize];
    let mut out = vec![0.0; theta.len()];
    for (l, layout) in layouts.iter().enumerate() {
        let rows = permutations.get(l).unwrap_or(&identity_out);
        let cols = if l == 0 {
            &identity_in
        } else {
            &permutations[l - 1]
        };
        for (r, &src_r) in rows.iter().enumerate() {
            for (c, &src_c) in cols.iter().enumerate() {
                out[layout.weight_index(r, c)] = theta[layout.weight_index(src_r, src_c)];
            }
            if let Some(b) = layout.bias_offset {
                out[b + r] = theta[b + src_r];
            }
        }
    }
    out
}

/// Σ_l ⟨W_l^A, W_l^B⟩ + ⟨b_l^A, b_l^B⟩, the weight-matching objective at the identity
/// permutations (θ_A · θ_B).
fn inner_product(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Weight matching (Ainsworth et al. 2023, Algorithm 1): coordinate descent over hidden
/// layers in an order shuffled by `seed` every sweep; each step solves the linear
/// assignment problem of one layer with the others fixed (Kuhn–Munkres from the
/// `pathfinding` crate), and keeps the new permutation only if it raises the objective.
/// Stops after the first sweep in which no layer improves (or after `max_sweeps`).
pub fn weight_matching(
    spec: &MlpSpec,
    theta_a: &[f64],
    theta_b: &[f64],
    seed: u64,
    max_sweeps: usize,
) -> Result<Alignment, CoreError> {
    spec.check_parameters(theta_a)?;
    spec.check_parameters(theta_b)?;
    let layouts = spec.layouts();
    let n_hidden = hidden_widths(spec).len();
    let mut perms = identity_permutations(spec);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut order: Vec<usize> = (0..n_hidden).collect();
    let mut sweeps = 0;
    while sweeps < max_sweeps.max(1) {
        sweeps += 1;
        order.shuffle(&mut rng);
        let mut improved = false;
        for &l in &order {
            let h = spec.layers[l + 1];
            // S[i, j]: what A's unit i gains from taking B's unit j.
            let this = &layouts[l];
            // B's rows of W_l with their columns in the order of the previous layer's
            // permutation, gathered once so every S entry is a contiguous dot product.
            let cols: Vec<usize> = if l > 0 {
                perms[l - 1].clone()
            } else {
                (0..this.fan_in).collect()
            };
            let b_rows: Vec<f64> = (0..h)
                .flat_map(|j| {
                    cols.iter()
                        .map(move |&cb| theta_b[this.weight_index(j, cb)])
                })
                .collect();
            let mut s = vec![0.0; h * h];
            for i in 0..h {
                let a_row =
                    &theta_a[this.weight_index(i, 0)..this.weight_index(i, 0) + this.fan_in];
                for j in 0..h {
                    let mut v =
                        inner_product(a_row, &b_rows[j * this.fan_in..(j + 1) * this.fan_in]);
                    if let Some(b) = this.bias_offset {
                        v += theta_a[b + i] * theta_b[b + j];
                    }
                    s[i * h + j] = v;
                }
            }
            let next = &layouts[l + 1];
            let next_perm: Option<&Vec<usize>> = perms.get(l + 1);
            for r in 0..next.fan_out {
                let rb = next_perm.map_or(r, |p| p[r]);
                for i in 0..h {
                    let wa = theta_a[next.weight_index(r, i)];
                    for j in 0..h {
                        s[i * h + j] += wa * theta_b[next.weight_index(rb, j)];
                    }
                }
            }
            let old: f64 = (0..h).map(|i| s[i * h + perms[l][i]]).sum();
            let candidate = solve_assignment(h, &s)?;
            let new: f64 = (0..h).map(|i| s[i * h + candidate[i]]).sum();
            // The solver works on rounded integers; accept only a real improvement, so
            // rounding can never make the descent cycle.
            if new > old + 1e-12 * old.abs().max(1e-300) && candidate != perms[l] {
                perms[l] = candidate;
                improved = true;
            }
        }
        if !improved {
            break;
        }
    }
    let theta_aligned = apply_permutations(spec, theta_b, &perms);
    Ok(Alignment {
        method: AlignMethod::Weights,
        inner_product_before: inner_product(theta_a, theta_b),
        inner_product_after: inner_product(theta_a, &theta_aligned),
        permutations: perms,
        sweeps,
        theta_aligned,
    })
}

/// Activation matching (Ainsworth et al. 2023, §3.1): for each hidden layer, the
/// permutation of B's units maximizing Σ_i corr(h_i^A, h_{perm[i]}^B), the Pearson
/// correlation of post-activations over the training inputs (a unit that is constant on
/// the data correlates 0 with everything). Layers are independent: a unit's activations
/// do not depend on how the other layers are labeled.
pub fn activation_matching(
    spec: &MlpSpec,
    theta_a: &[f64],
    theta_b: &[f64],
    data: &Dataset,
) -> Result<Alignment, CoreError> {
    spec.check_parameters(theta_a)?;
    spec.check_parameters(theta_b)?;
    if data.n_inputs() < 2 {
        return Err(CoreError::invalid(
            "activation matching needs at least 2 training inputs to correlate units",
        ));
    }
    let traces = |theta: &[f64]| -> Vec<_> {
        data.inputs
            .iter()
            .map(|x| spec.trace(theta, x).activations)
            .collect()
    };
    let (ta, tb) = (traces(theta_a), traces(theta_b));
    let mut perms = Vec::new();
    for (l, &h) in hidden_widths(spec).iter().enumerate() {
        // Column-standardized activations of each model on hidden layer l (index l + 1).
        let standardized = |t: &Vec<Vec<Vec<f64>>>| -> Vec<Vec<f64>> {
            (0..h)
                .map(|u| {
                    let v: Vec<f64> = t.iter().map(|acts| acts[l + 1][u]).collect();
                    let mean = v.iter().sum::<f64>() / v.len() as f64;
                    let centered: Vec<f64> = v.iter().map(|x| x - mean).collect();
                    let norm = centered.iter().map(|x| x * x).sum::<f64>().sqrt();
                    if norm > 1e-12 * (1.0 + mean.abs()) * (v.len() as f64).sqrt() {
                        centered.iter().map(|x| x / norm).collect()
                    } else {
                        vec![0.0; v.len()]
                    }
                })
                .collect()
        };
        let (za, zb) = (standardized(&ta), standardized(&tb));
        let mut s = vec![0.0; h * h];
        for i in 0..h {
            for j in 0..h {
                s[i * h + j] = inner_product(&za[i], &zb[j]);
            }
        }
        perms.push(solve_assignment(h, &s)?);
    }
    let theta_aligned = apply_permutations(spec, theta_b, &perms);
    Ok(Alignment {
        method: AlignMethod::Activations,
        inner_product_before: inner_product(theta_a, theta_b),
        inner_product_after: inner_product(theta_a, &theta_aligned),
        permutations: perms,
        sweeps: 0,
        theta_aligned,
    })
}

/// Aligns B to A by `method` (with `seed` for the layer order of weight matching).
pub fn align(
    method: AlignMethod,
    spec: &MlpSpec,
    theta_a: &[f64],
    theta_b: &[f64],
    data: &Dataset,
    seed: u64,
) -> Result<Alignment, CoreError> {
    match method {
        AlignMethod::None => {
            spec.check_parameters(theta_b)?;
            let ip = inner_product(theta_a, theta_b);
            Ok(Alignment {
                method,
                permutations: identity_permutations(spec),
                sweeps: 0,
                theta_aligned: theta_b.to_vec(),
                inner_product_before: ip,
                inner_product_after: ip,
            })
        }
        AlignMethod::Weights => weight_matching(spec, theta_a, theta_b, seed, MAX_SWEEPS),
        AlignMethod::Activations => activation_matching(spec, theta_a, theta_b, data),
    }
}

/// Weight matching stops after this many sweeps even if a layer still improves.
pub const MAX_SWEEPS: usize = 100;

/// The permutation maximizing Σ_i s[i, perm[i]] for an h × h similarity (row-major).
/// Kuhn–Munkres needs exact (integer) weights, so s is scaled to ±2^40 and rounded:
/// ties closer than 2^−40 of the largest entry may break either way.
fn solve_assignment(h: usize, s: &[f64]) -> Result<Vec<usize>, CoreError> {
    let max = s.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    if !max.is_finite() {
        return Err(CoreError::invalid(
            "alignment needs finite weights and activations",
        ));
    }
    let scale = if max > 0.0 { 2f64.powi(40) / max } else { 0.0 };
    let weights: Vec<i64> = s.iter().map(|v| (v * scale).round() as i64).collect();
    let matrix = Matrix::from_vec(h, h, weights)
        .map_err(|e| CoreError::invalid(format!("internal: assignment matrix: {e}")))?;
    Ok(kuhn_munkres(&matrix).1)
}

#[cfg(test)]
mod tests;
