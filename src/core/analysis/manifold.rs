//! Walking the behavior manifold {θ : f(x_i; θ) = f(x_i; θ*) ∀i} (docs/DESIGN.md §1):
//! step along a tangent direction (null space of Gᵀ), then project back by
//! Gauss–Newton on the behavior with the minimum-norm correction δ = −(Gᵀ)⁺ r.

use nalgebra::{DMatrix, DVector};

use super::{RankTolerance, behavioral_gradients, check_inputs, spectra};
use crate::core::{CoreError, Dataset, MlpSpec};

pub use crate::core::limits::MAX_WALK_STEPS;
/// Most Gauss–Newton iterations per projection; convergence is quadratic, so a
/// projection that needs more has left the region where the manifold is regular.
const MAX_PROJECTION_ITERATIONS: usize = 50;
/// Behavior residual (max_i |f(x_i; θ) − f(x_i; θ*)|, relative to max(1, max|f*|))
/// below which a point counts as on the manifold.
const PROJECTION_TOLERANCE: f64 = 1e-12;

/// A walk along the behavior manifold.
#[derive(Clone, Debug, PartialEq)]
pub struct ManifoldWalk {
    /// θ after each step, starting with θ* (each point projected onto the manifold).
    pub path: Vec<Vec<f64>>,
    /// Length of the path actually travelled: Σ ‖θ_{j+1} − θ_j‖.
    pub distance: f64,
    /// max_i |f(x_i; θ_end) − f(x_i; θ*)|.
    pub max_output_drift: f64,
}

/// Walks `distance` (in tangent steps of at most `step`) from θ* along column
/// `direction_index` of the tangent basis at θ* (as [`super::analyze`] orders it with
/// numpy's rank rule), projecting back onto the behavior manifold after every step.
/// At each later point the direction is the unit tangent closest to the previous one:
/// the previous direction with its component in col(G) removed.
pub fn walk_manifold(
    spec: &MlpSpec,
    theta: &[f64],
    data: &Dataset,
    direction_index: usize,
    distance: f64,
    step: f64,
) -> Result<ManifoldWalk, CoreError> {
    check_inputs(spec, theta, data)?;
    if !(distance.is_finite() && distance >= 0.0) {
        return Err(CoreError::invalid(format!(
            "the walking distance must be a non-negative finite number, not {distance}"
        )));
    }
    if !(step.is_finite() && step > 0.0) {
        return Err(CoreError::invalid(format!(
            "the walking step must be a positive finite number, not {step}"
        )));
    }
    let n_steps = (distance / step).ceil();
    if n_steps > MAX_WALK_STEPS as f64 {
        return Err(CoreError::invalid(format!(
            "walking {distance} in steps of {step} takes more than {MAX_WALK_STEPS} steps; use a larger step"
        )));
    }
    let n_steps = n_steps as usize;
    let target = outputs(spec, theta, data);
    if target.iter().any(|f| !f.is_finite()) {
        return Err(CoreError::invalid(
            "the network's outputs are not finite at these parameters, so there is no manifold to walk",
        ));
    }

    let g = behavioral_gradients(spec, theta, data);
    let (singular_values, left) = spectra::full_left_svd(&g)?;
    let (n, k) = g.shape();
    let tol = RankTolerance::NumpyDefault.threshold(
        singular_values.first().copied().unwrap_or(0.0),
        n,
        k,
    );
    let rank = spectra::count_above(&singular_values, tol);
    let dim = n - rank;
    if direction_index >= dim {
        return Err(CoreError::invalid(if dim == 0 {
            "the behavior manifold through these parameters is a point (rank G = N), so there is no direction to walk"
                .to_string()
        } else {
            format!(
                "direction index {direction_index} is out of range: the behavior manifold has dimension {dim} (indices 0 to {})",
                dim - 1
            )
        }));
    }
    let mut direction: DVector<f64> = left.column(rank + direction_index).into_owned();
    let mut current = DVector::from_column_slice(theta);
    let mut path = vec![theta.to_vec()];
    let mut travelled = 0.0;
    let step_length = if n_steps == 0 {
        0.0
    } else {
        distance / n_steps as f64
    };

    for s in 0..n_steps {
        if s > 0 {
            direction = continue_tangent(spec, current.as_slice(), data, &direction)
                .ok_or_else(|| {
                    CoreError::invalid(format!(
                        "the manifold walk stopped at step {s}: the tangent space turned away from the walking direction"
                    ))
                })?;
        }
        let candidate = &current + &direction * step_length;
        let projected = project_onto_behavior(spec, data, candidate, &target).map_err(|residual| {
            CoreError::invalid(format!(
                "the manifold walk stopped at step {s}: projecting back onto the behavior manifold did not converge \
                 (output residual {residual:.1e}); try a smaller step"
            ))
        })?;
        travelled += (&projected - &current).norm();
        current = projected;
        path.push(current.as_slice().to_vec());
    }

    let end = outputs(spec, current.as_slice(), data);
    let max_output_drift = end
        .iter()
        .zip(&target)
        .fold(0.0_f64, |m, (a, b)| m.max((a - b).abs()));
    Ok(ManifoldWalk {
        path,
        distance: travelled,
        max_output_drift,
    })
}

fn outputs(spec: &MlpSpec, theta: &[f64], data: &Dataset) -> Vec<f64> {
    data.inputs.iter().map(|x| spec.forward(theta, x)).collect()
}

/// The unit tangent at θ closest to `previous`: `previous` minus its projection onto
/// col(G), normalized. None if that is (nearly) nothing or the SVD fails.
fn continue_tangent(
    spec: &MlpSpec,
    theta: &[f64],
    data: &Dataset,
    previous: &DVector<f64>,
) -> Option<DVector<f64>> {
    let g = behavioral_gradients(spec, theta, data);
    let svd = spectra::thin_svd(&g).ok()?;
    let (n, k) = g.shape();
    let tol = RankTolerance::NumpyDefault.threshold(
        svd.singular_values.first().copied().unwrap_or(0.0),
        n,
        k,
    );
    let rank = spectra::count_above(&svd.singular_values, tol);
    let normal: DMatrix<f64> = svd.u.columns(0, rank).into_owned();
    let tangent = previous - &normal * (normal.transpose() * previous);
    let norm = tangent.norm();
    (norm > 1e-3).then(|| tangent / norm)
}

/// Gauss–Newton on the behavior: θ ← θ − (Gᵀ)⁺ (f(θ) − f*), with the pseudo-inverse from
/// the SVD of G (σ below numpy's threshold dropped), until max |f − f*| is below the
/// tolerance. On failure returns the last residual.
fn project_onto_behavior(
    spec: &MlpSpec,
    data: &Dataset,
    mut theta: DVector<f64>,
    target: &[f64],
) -> Result<DVector<f64>, f64> {
    let scale = target.iter().fold(1.0_f64, |m, f| m.max(f.abs()));
    let threshold = PROJECTION_TOLERANCE * scale;
    let mut worst = f64::INFINITY;
    for _ in 0..=MAX_PROJECTION_ITERATIONS {
        let residual = DVector::from_iterator(
            target.len(),
            outputs(spec, theta.as_slice(), data)
                .iter()
                .zip(target)
                .map(|(f, t)| f - t),
        );
        worst = residual.iter().fold(0.0_f64, |m, r| m.max(r.abs()));
        if !worst.is_finite() {
            return Err(worst);
        }
        if worst < threshold {
            return Ok(theta);
        }
        let g = behavioral_gradients(spec, theta.as_slice(), data);
        let svd = spectra::thin_svd(&g).map_err(|_| worst)?;
        let (n, k) = g.shape();
        let tol = RankTolerance::NumpyDefault.threshold(
            svd.singular_values.first().copied().unwrap_or(0.0),
            n,
            k,
        );
        // δ = −U Σ⁺ Vᵀ r: the minimum-norm solution of Gᵀ δ = −r.
        let mut coefficients = &svd.v_t * &residual;
        for (c, s) in coefficients.iter_mut().zip(&svd.singular_values) {
            *c = if *s > tol { -*c / s } else { 0.0 };
        }
        theta += &svd.u * coefficients;
    }
    Err(worst)
}
