//! The analysis engine (docs/DESIGN.md §1–§2): the behavioral gradient matrix G, its
//! singular values, numerical rank and the behavior manifold's tangent and normal
//! spaces; the exact loss Hessian H beside its Gauss–Newton part (2/k)GGᵀ; why G lost
//! rank ([`information_loss`]); and walking the behavior manifold ([`walk_manifold`]).
//! Everything is f64.

// The docs here are formulas (h_l, σ_max, f(x_i; θ)) written as docs/DESIGN.md writes them,
// not code identifiers, so backticks would only obscure them.
#![allow(clippy::doc_markdown)]

mod hessian;
mod info_loss;
mod manifold;
mod spectra;

use nalgebra::DMatrix;

pub use hessian::{behavioral_gradients, loss_hessian, output_hessian};
pub use info_loss::{InformationLoss, LayerCollapse, information_loss};
pub use manifold::{ManifoldWalk, walk_manifold};
pub use spectra::RankTolerance;

use crate::core::{CoreError, Dataset, MlpSpec};

pub use crate::core::limits::{MAX_ANALYSIS_ENTRIES, MAX_ANALYSIS_PARAMS};

/// Everything the behavioral-gradients view and `basinscope analyze` show, at one θ.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// N, the length of θ.
    pub n_params: usize,
    /// k, the number of training inputs.
    pub n_inputs: usize,
    /// f(x_i; θ).
    pub outputs: Vec<f64>,
    /// y_i.
    pub targets: Vec<f64>,
    /// r_i = f(x_i; θ) − y_i.
    pub residuals: Vec<f64>,
    /// L(θ) = (1/k) Σ r_i².
    pub loss: f64,
    /// G, N×k: column i is ∇_θ f(x_i; θ).
    pub behavioral_gradients: DMatrix<f64>,
    /// Singular values of G, descending, min(N, k) of them.
    pub g_singular_values: Vec<f64>,
    /// Left singular vectors of G, N×min(N, k), columns ordered as the singular values.
    pub g_left_singular_vectors: DMatrix<f64>,
    /// The rank threshold used for G.
    pub rank_tol: f64,
    /// #{σ_j > rank_tol}.
    pub g_rank: usize,
    /// N − g_rank: the dimension of the behavior manifold through θ.
    pub manifold_dim: usize,
    /// The exact Hessian ∇²L of the MSE, residual term included, N×N.
    pub hessian: DMatrix<f64>,
    /// Eigenvalues of H, descending, all N.
    pub hessian_eigenvalues: Vec<f64>,
    /// Eigenvectors of H, columns matching `hessian_eigenvalues`.
    pub hessian_eigenvectors: DMatrix<f64>,
    /// #{|λ_j| > hessian_rank_tol}.
    pub hessian_rank: usize,
    /// The rank rule applied to |eigenvalues| of H (shape N×N).
    pub hessian_rank_tol: f64,
    /// Eigenvalues of the Gauss–Newton matrix (2/k)·G·Gᵀ, descending, all N: (2/k)σ_j²
    /// for j < min(N, k), then zeros.
    pub gauss_newton_eigenvalues: Vec<f64>,
    /// ‖H − (2/k)GGᵀ‖_F / max(‖H‖_F, tiny): zero at a zero-residual point.
    pub hessian_gauss_newton_distance: f64,
    /// N×g_rank orthonormal basis of col(G): normal to the behavior manifold.
    pub normal_basis: DMatrix<f64>,
    /// N×(N − g_rank) orthonormal basis of the null space of Gᵀ: tangent to the manifold.
    pub tangent_basis: DMatrix<f64>,
}

/// G at one θ and its SVD split of R^N (docs/DESIGN.md §2): everything that needs only first
/// derivatives, without the Hessian. [`analyze`] builds its fields of the same names
/// from the same G with the same code, so they are equal bit for bit.
#[derive(Clone, Debug)]
pub struct GradientSplit {
    /// G, N×k: column i is ∇_θ f(x_i; θ).
    pub behavioral_gradients: DMatrix<f64>,
    /// Singular values of G, descending, min(N, k) of them.
    pub g_singular_values: Vec<f64>,
    /// Left singular vectors of G, N×min(N, k), columns ordered as the singular values.
    pub g_left_singular_vectors: DMatrix<f64>,
    /// The rank threshold used for G.
    pub rank_tol: f64,
    /// #{σ_j > rank_tol}.
    pub g_rank: usize,
    /// N×g_rank orthonormal basis of col(G): normal to the behavior manifold.
    pub normal_basis: DMatrix<f64>,
    /// N×(N − g_rank) orthonormal basis of the null space of Gᵀ: tangent to the manifold.
    pub tangent_basis: DMatrix<f64>,
}

impl GradientSplit {
    /// The SVD of G, its numerical rank by `tol`, and the normal space (left singular
    /// vectors with σ above the threshold) and tangent space (the rest of a full
    /// orthogonal set of left singular vectors).
    fn new(g: DMatrix<f64>, tol: RankTolerance) -> Result<Self, CoreError> {
        let (n, k) = g.shape();
        let (g_singular_values, left) = spectra::full_left_svd(&g)?;
        let rank_tol = tol.threshold(g_singular_values.first().copied().unwrap_or(0.0), n, k);
        let g_rank = spectra::count_above(&g_singular_values, rank_tol);
        let g_left_singular_vectors = left.columns(0, n.min(k)).into_owned();
        let normal_basis = left.columns(0, g_rank).into_owned();
        let tangent_basis = left.columns(g_rank, n - g_rank).into_owned();
        Ok(Self {
            behavioral_gradients: g,
            g_singular_values,
            g_left_singular_vectors,
            rank_tol,
            g_rank,
            normal_basis,
            tangent_basis,
        })
    }
}

/// G at θ and its SVD split ([`GradientSplit`]), without the Hessian: one backward pass
/// per input and one SVD, where [`analyze`] adds the exact Hessian (O(k·N²)) and its
/// O(N³) eigendecomposition. Accepts what [`analyze`] accepts.
pub fn analyze_gradients(
    spec: &MlpSpec,
    theta: &[f64],
    data: &Dataset,
    tol: RankTolerance,
) -> Result<GradientSplit, CoreError> {
    check_inputs(spec, theta, data)?;
    tol.validate()?;
    check_size(theta.len(), data.n_inputs())?;
    let g = behavioral_gradients(spec, theta, data);
    if g.iter().any(|v| !v.is_finite()) {
        return Err(CoreError::invalid(
            "the network's derivatives are not finite at these parameters, so there is nothing to analyze",
        ));
    }
    GradientSplit::new(g, tol)
}

/// Rejects a network too large for the analysis (N×N matrices, O(N³) decompositions).
fn check_size(n: usize, k: usize) -> Result<(), CoreError> {
    if n > MAX_ANALYSIS_PARAMS || n.saturating_mul(k) > MAX_ANALYSIS_ENTRIES {
        return Err(CoreError::invalid(format!(
            "the network has {n} parameters and {k} inputs, more than the analysis handles \
             (at most {MAX_ANALYSIS_PARAMS} parameters and {MAX_ANALYSIS_ENTRIES} parameter-input pairs)"
        )));
    }
    Ok(())
}

/// Checks the inputs every analysis function needs: a valid spec, θ of length N with
/// finite entries, data matching the input width.
fn check_inputs(spec: &MlpSpec, theta: &[f64], data: &Dataset) -> Result<(), CoreError> {
    spec.validate()?;
    spec.check_parameters(theta)?;
    data.validate(spec.input_dim())
}

/// Analyzes the network at θ: G and its SVD, numerical rank by `tol` (docs/DESIGN.md §2),
/// the manifold's tangent and normal bases, the exact Hessian and its spectrum beside
/// the Gauss–Newton spectrum (2/k)σ².
pub fn analyze(
    spec: &MlpSpec,
    theta: &[f64],
    data: &Dataset,
    tol: RankTolerance,
) -> Result<Analysis, CoreError> {
    check_inputs(spec, theta, data)?;
    tol.validate()?;
    let n = theta.len();
    let k = data.n_inputs();
    check_size(n, k)?;

    let derivatives = hessian::derivatives(spec, theta, data);
    if derivatives.outputs.iter().any(|f| !f.is_finite())
        || derivatives.gradients.iter().any(|g| !g.is_finite())
        || derivatives.hessian.iter().any(|h| !h.is_finite())
    {
        return Err(CoreError::invalid(
            "the network's outputs or derivatives are not finite at these parameters, so there is nothing to analyze",
        ));
    }
    let outputs = derivatives.outputs;
    let residuals: Vec<f64> = outputs
        .iter()
        .zip(&data.targets)
        .map(|(f, y)| f - y)
        .collect();
    let loss = residuals.iter().map(|r| r * r).sum::<f64>() / k as f64;
    let hessian = derivatives.hessian;

    // G: singular values, rank, and the split of R^N into normal and tangent spaces.
    let GradientSplit {
        behavioral_gradients: g,
        g_singular_values,
        g_left_singular_vectors,
        rank_tol,
        g_rank,
        normal_basis,
        tangent_basis,
    } = GradientSplit::new(derivatives.gradients, tol)?;

    // H and its Gauss–Newton part.
    let scale = 2.0 / k as f64;
    let gauss_newton = (&g * g.transpose()) * scale;
    let hessian_norm = hessian.norm();
    let hessian_gauss_newton_distance =
        (&hessian - &gauss_newton).norm() / hessian_norm.max(f64::MIN_POSITIVE);
    // The eigenvalues of (2/k)GGᵀ are (2/k)σ_j² exactly; squaring the SVD's σ keeps
    // them non-negative and more accurate than an eigensolver's values near zero.
    let mut gauss_newton_eigenvalues: Vec<f64> =
        g_singular_values.iter().map(|s| scale * s * s).collect();
    gauss_newton_eigenvalues.resize(n, 0.0);

    let (hessian_eigenvalues, hessian_eigenvectors) =
        spectra::symmetric_eigen_descending(hessian.clone())?;
    let largest_abs = hessian_eigenvalues
        .iter()
        .fold(0.0_f64, |m, l| m.max(l.abs()));
    let hessian_rank_tol = tol.threshold(largest_abs, n, n);
    let hessian_rank = spectra::count_above(&hessian_eigenvalues, hessian_rank_tol);

    Ok(Analysis {
        n_params: n,
        n_inputs: k,
        outputs,
        targets: data.targets.clone(),
        residuals,
        loss,
        behavioral_gradients: g,
        g_singular_values,
        g_left_singular_vectors,
        rank_tol,
        g_rank,
        manifold_dim: n - g_rank,
        hessian,
        hessian_eigenvalues,
        hessian_eigenvectors,
        hessian_rank,
        hessian_rank_tol,
        gauss_newton_eigenvalues,
        hessian_gauss_newton_distance,
        normal_basis,
        tangent_basis,
    })
}

#[cfg(test)]
#[allow(
    clippy::float_cmp,
    reason = "exact equalities are the claims: G of a linear model is the inputs"
)]
mod tests;
