//! Interpolation paths between two models and their barriers (docs/DESIGN.md §1).
//!
//! - linear: θ(t) = (1 − t)·θ_A + t·θ_B;
//! - quadratic Bézier: θ(t) = (1 − t)²·θ_A + 2t(1 − t)·θ_C + t²·θ_B, with a control point
//!   θ_C trained by [`crate::core::bezier`].
//!
//! Loss and error are evaluated exactly (full batch, f64) at every t of a stated grid;
//! barriers are read off those exact values, never off an interpolated curve:
//! - mean barrier (Ainsworth et al. 2023): max_t L(θ(t)) − ½(L(θ_A) + L(θ_B));
//! - chord barrier (Entezari et al. 2021): max_t [L(θ(t)) − ((1 − t)·L(θ_A) + t·L(θ_B))].

use super::MlpSpec;
use super::data::Dataset;
use super::error::CoreError;
use super::train::{classification_error, mse_loss};

/// Default number of points of the t grid.
pub const DEFAULT_POINTS: usize = 25;
/// Largest t grid accepted.
pub const MAX_POINTS: usize = 10_001;

/// A path in parameter space from θ_A (t = 0) to θ_B (t = 1).
#[derive(Clone, Copy, Debug)]
pub enum Path<'a> {
    Linear {
        a: &'a [f64],
        b: &'a [f64],
    },
    Bezier {
        a: &'a [f64],
        control: &'a [f64],
        b: &'a [f64],
    },
}

impl Path<'_> {
    /// θ(t). The endpoints are returned exactly (t = 0 gives θ_A bit for bit, t = 1 θ_B),
    /// and a path from θ to itself stays at θ, so barriers of a model with itself are 0.
    #[allow(clippy::float_cmp)] // t = 1 is the grid's exact last point
    pub fn point(&self, t: f64) -> Vec<f64> {
        match *self {
            Path::Linear { a, b } => {
                if t == 1.0 {
                    return b.to_vec();
                }
                a.iter().zip(b).map(|(&x, &y)| x + t * (y - x)).collect()
            }
            Path::Bezier { a, control, b } => {
                if t == 1.0 {
                    return b.to_vec();
                }
                // (1−t)²A + 2t(1−t)C + t²B = A + 2t(1−t)(C − A) + t²(B − A)
                let (wc, wb) = (2.0 * t * (1.0 - t), t * t);
                a.iter()
                    .zip(control)
                    .zip(b)
                    .map(|((&x, &c), &y)| x + wc * (c - x) + wb * (y - x))
                    .collect()
            }
        }
    }

    /// θ_A and θ_B.
    pub fn endpoints(&self) -> (&[f64], &[f64]) {
        match *self {
            Path::Linear { a, b } | Path::Bezier { a, b, .. } => (a, b),
        }
    }
}

/// The t grid of `points` evenly spaced values t_j = j/(points − 1), both ends included.
pub fn t_grid(points: usize) -> Result<Vec<f64>, CoreError> {
    if !(2..=MAX_POINTS).contains(&points) {
        return Err(CoreError::invalid(format!(
            "a path needs between 2 and {MAX_POINTS} points on its t grid, not {points}"
        )));
    }
    Ok((0..points)
        .map(|j| {
            if j + 1 == points {
                1.0
            } else {
                j as f64 / (points - 1) as f64
            }
        })
        .collect())
}

/// Both barriers of one quantity along a path.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Barriers {
    /// max_t v(t) − ½(v(0) + v(1)).
    pub mean: f64,
    /// max_t [v(t) − ((1 − t)·v(0) + t·v(1))].
    pub chord: f64,
    /// The t of the mean barrier's maximum (the highest point of the path).
    pub t_max: f64,
}

/// Barriers of values `v` on the grid `t`, which must start at 0 and end at 1 (so
/// v[0] = v(θ_A) and v[last] = v(θ_B)). Both are ≥ 0, since the grid holds the endpoints.
pub fn barriers(t: &[f64], v: &[f64]) -> Barriers {
    assert!(
        t.len() >= 2 && t.len() == v.len(),
        "a t grid and its values"
    );
    let (v0, v1) = (v[0], v[v.len() - 1]);
    let (mut peak, mut t_max) = (f64::NEG_INFINITY, 0.0);
    let mut chord = f64::NEG_INFINITY;
    for (&tj, &vj) in t.iter().zip(v) {
        if vj > peak {
            (peak, t_max) = (vj, tj);
        }
        // v_j − ((1 − t_j)v_0 + t_j v_1), written so that it is exactly 0 when v_j = v_0 = v_1.
        chord = chord.max(vj - v0 - tj * (v1 - v0));
    }
    Barriers {
        mean: peak - 0.5 * (v0 + v1),
        chord,
        t_max,
    }
}

/// Loss and error along a path on a t grid, with their barriers.
#[derive(Clone, Debug, PartialEq)]
pub struct PathProfile {
    /// The t grid (0 first, 1 last).
    pub t: Vec<f64>,
    /// L(θ(t_j)), the full-batch MSE in f64.
    pub loss: Vec<f64>,
    /// The classification error at θ(t_j), when the targets are binary labels.
    pub error: Option<Vec<f64>>,
    /// Barriers of the loss.
    pub loss_barriers: Barriers,
    /// Barriers of the error (binary targets only).
    pub error_barriers: Option<Barriers>,
}

impl PathProfile {
    /// The largest loss on the grid.
    pub fn max_loss(&self) -> f64 {
        self.loss.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    }
}

/// Evaluates L and the error exactly at every t of `t` (see [`t_grid`]).
#[allow(clippy::float_cmp)] // the grid must hold the exact ends 0 and 1
pub fn evaluate_path(
    spec: &MlpSpec,
    data: &Dataset,
    path: &Path<'_>,
    t: &[f64],
) -> Result<PathProfile, CoreError> {
    let (a, b) = path.endpoints();
    spec.check_parameters(a)?;
    spec.check_parameters(b)?;
    if let Path::Bezier { control, .. } = path {
        spec.check_parameters(control)?;
    }
    if t.len() < 2 || t[0] != 0.0 || t[t.len() - 1] != 1.0 {
        return Err(CoreError::invalid(
            "a path's t grid must have at least 2 points and run from 0 to 1",
        ));
    }
    let binary = data.binary_labels().is_some();
    let mut loss = Vec::with_capacity(t.len());
    let mut error = binary.then(|| Vec::with_capacity(t.len()));
    for &tj in t {
        let theta = path.point(tj);
        loss.push(mse_loss(spec, &theta, data));
        if let Some(e) = error.as_mut() {
            e.push(classification_error(spec, &theta, data).unwrap_or(f64::NAN));
        }
    }
    let loss_barriers = barriers(t, &loss);
    let error_barriers = error.as_ref().map(|e| barriers(t, e));
    Ok(PathProfile {
        t: t.to_vec(),
        loss,
        error,
        loss_barriers,
        error_barriers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Activation;

    #[test]
    fn both_barrier_formulas_match_a_hand_made_path() {
        // v = 1, 3, 2, 0 on t = 0, 1/3, 2/3, 1: endpoints 1 and 0.
        let t = t_grid(4).unwrap();
        let v = [1.0, 3.0, 2.0, 0.0];
        let b = barriers(&t, &v);
        // mean: 3 − ½(1 + 0) = 2.5, at t = 1/3.
        assert!((b.mean - 2.5).abs() < 1e-15);
        assert!((b.t_max - 1.0 / 3.0).abs() < 1e-15);
        // chord: at t=1/3 the chord is 2/3, 3 − 2/3 = 7/3; at t=2/3 it is 1/3, 2 − 1/3 = 5/3.
        assert!((b.chord - 7.0 / 3.0).abs() < 1e-15);

        // A path that rises above the chord only where the mean barrier does not peak.
        let v = [0.0, 0.9, 1.5, 2.0];
        let b = barriers(&t, &v);
        assert!((b.mean - 1.0).abs() < 1e-15); // 2 − ½(0 + 2)
        // chord values 0, 0.9 − 2/3, 1.5 − 4/3, 0 → max 0.2333…
        assert!((b.chord - (0.9 - 2.0 / 3.0)).abs() < 1e-15);
    }

    #[test]
    #[allow(clippy::float_cmp)] // the ends are exact
    fn t_grid_holds_both_ends_and_is_evenly_spaced() {
        let t = t_grid(25).unwrap();
        assert_eq!(t.len(), 25);
        assert_eq!((t[0], t[24]), (0.0, 1.0));
        assert!((t[6] - 0.25).abs() < 1e-15);
        assert!(t_grid(1).is_err() && t_grid(MAX_POINTS + 1).is_err());
    }

    #[test]
    #[allow(clippy::float_cmp)] // exact zeros are the claim
    fn the_barrier_of_a_model_with_itself_is_zero() {
        let spec = MlpSpec::new(vec![2, 8, 1], Activation::Tanh, true).unwrap();
        let theta = spec.init_parameters(3);
        let data = crate::core::Preset::Xor.generate(4, 0.0, 0);
        for path in [
            Path::Linear {
                a: &theta,
                b: &theta,
            },
            Path::Bezier {
                a: &theta,
                control: &theta,
                b: &theta,
            },
        ] {
            let p = evaluate_path(&spec, &data, &path, &t_grid(25).unwrap()).unwrap();
            assert_eq!(p.loss_barriers.mean, 0.0);
            assert_eq!(p.loss_barriers.chord, 0.0);
            assert_eq!(p.error_barriers.unwrap().mean, 0.0);
        }
    }

    #[test]
    fn path_points_match_the_closed_forms() {
        let (a, c, b) = ([1.0, -2.0], [3.0, 0.5], [-1.0, 4.0]);
        let lin = Path::Linear { a: &a, b: &b };
        let bez = Path::Bezier {
            a: &a,
            control: &c,
            b: &b,
        };
        for t in [0.0, 0.3, 0.5, 1.0] {
            let l = lin.point(t);
            let q = bez.point(t);
            for i in 0..2 {
                assert!((l[i] - ((1.0 - t) * a[i] + t * b[i])).abs() < 1e-14);
                let expect =
                    (1.0 - t) * (1.0 - t) * a[i] + 2.0 * t * (1.0 - t) * c[i] + t * t * b[i];
                assert!((q[i] - expect).abs() < 1e-14);
            }
        }
        assert_eq!(bez.point(0.0), a.to_vec());
        assert_eq!(bez.point(1.0), b.to_vec());
    }
}
