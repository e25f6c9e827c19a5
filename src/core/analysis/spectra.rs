//! Sorted SVD and symmetric eigendecompositions (nalgebra), and the numerical-rank rule
//! of docs/DESIGN.md §2.

use nalgebra::{DMatrix, SVD, SymmetricEigen};

use crate::core::CoreError;

/// How the numerical rank's threshold is chosen: rank = #{σ_j > tol} (docs/DESIGN.md §2).
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub enum RankTolerance {
    /// numpy's `matrix_rank` rule: tol = σ_max · max(rows, cols) · ε_f64.
    #[default]
    NumpyDefault,
    /// tol = r · σ_max.
    Relative(f64),
}

impl RankTolerance {
    /// The threshold for a matrix of shape rows × cols whose largest singular value
    /// (or largest |eigenvalue|) is `largest`.
    pub fn threshold(self, largest: f64, rows: usize, cols: usize) -> f64 {
        match self {
            RankTolerance::NumpyDefault => largest * rows.max(cols) as f64 * f64::EPSILON,
            RankTolerance::Relative(r) => r * largest,
        }
    }

    /// `"numpy"` or `"relative"`, as the CLI reports it.
    pub fn rule_name(self) -> &'static str {
        match self {
            RankTolerance::NumpyDefault => "numpy",
            RankTolerance::Relative(_) => "relative",
        }
    }

    /// Rejects a relative tolerance that is not a positive finite number.
    pub fn validate(self) -> Result<(), CoreError> {
        match self {
            RankTolerance::Relative(r) if !(r.is_finite() && r > 0.0) => Err(CoreError::invalid(
                format!("the relative rank tolerance must be a positive finite number, not {r}"),
            )),
            _ => Ok(()),
        }
    }
}

/// Number of values above `tol`.
pub(super) fn count_above(values: &[f64], tol: f64) -> usize {
    values.iter().filter(|v| v.abs() > tol).count()
}

/// Convergence tolerance of nalgebra's SVD (its own default, 5ε).
const SVD_EPSILON: f64 = 5.0 * f64::EPSILON;

/// Iteration cap for nalgebra's implicit-shift QR: far beyond what a convergent
/// decomposition needs, so only a pathological (non-finite) matrix reaches it.
fn max_iterations(dim: usize) -> usize {
    10_000 + 1_000 * dim
}

/// Singular values of G (descending, min(N, k) of them) and a full orthogonal N×N
/// matrix of left singular vectors ordered to match (columns past min(N, k) span the
/// rest of the null space of Gᵀ).
///
/// A tall G (N > k) is padded with zero columns to N×N so that the SVD returns all N
/// left singular vectors; the padding adds only zero singular values.
pub(super) fn full_left_svd(g: &DMatrix<f64>) -> Result<(Vec<f64>, DMatrix<f64>), CoreError> {
    let (n, k) = g.shape();
    let padded = if k < n {
        g.clone().resize_horizontally(n, 0.0)
    } else {
        g.clone()
    };
    let svd = SVD::try_new(padded, true, false, SVD_EPSILON, max_iterations(n.max(k))).ok_or_else(
        || CoreError::invalid("the singular value decomposition of G did not converge"),
    )?;
    let u = svd
        .u
        .ok_or_else(|| CoreError::invalid("the SVD of G returned no left singular vectors"))?;
    let values: Vec<f64> = svd.singular_values.iter().take(n.min(k)).copied().collect();
    Ok((values, u))
}

/// Thin SVD G = U Σ Vᵀ, m = min(N, k) singular triplets.
pub(super) struct ThinSvd {
    /// N×m.
    pub u: DMatrix<f64>,
    /// Descending, m of them.
    pub singular_values: Vec<f64>,
    /// m×k.
    pub v_t: DMatrix<f64>,
}

/// The thin SVD of G, singular values descending.
pub(super) fn thin_svd(g: &DMatrix<f64>) -> Result<ThinSvd, CoreError> {
    let (n, k) = g.shape();
    let svd = SVD::try_new(g.clone(), true, true, SVD_EPSILON, max_iterations(n.max(k)))
        .ok_or_else(|| {
            CoreError::invalid("the singular value decomposition of G did not converge")
        })?;
    let singular_values = svd.singular_values.iter().copied().collect();
    match (svd.u, svd.v_t) {
        (Some(u), Some(v_t)) => Ok(ThinSvd {
            u,
            singular_values,
            v_t,
        }),
        _ => Err(CoreError::invalid(
            "the SVD of G returned no singular vectors",
        )),
    }
}

/// Eigenvalues (descending) and matching eigenvector columns of a symmetric matrix.
pub(super) fn symmetric_eigen_descending(
    m: DMatrix<f64>,
) -> Result<(Vec<f64>, DMatrix<f64>), CoreError> {
    let n = m.nrows();
    let eigen = SymmetricEigen::try_new(m, f64::EPSILON, max_iterations(n)).ok_or_else(|| {
        CoreError::invalid("the eigendecomposition of the Hessian did not converge")
    })?;
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| eigen.eigenvalues[b].total_cmp(&eigen.eigenvalues[a]));
    let values = order.iter().map(|&j| eigen.eigenvalues[j]).collect();
    let vectors = DMatrix::from_fn(n, n, |r, c| eigen.eigenvectors[(r, order[c])]);
    Ok((values, vectors))
}
