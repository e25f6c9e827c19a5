//! Slices of parameter space (DESIGN.md §1 "Slices"): θ(a, b) = θ₀ + a·u + b·v, and the
//! scene's description of which plane to show.

use serde::{Deserialize, Serialize};

use super::error::CoreError;

/// Largest grid side we accept for a slice (a typo like 1e6 would exhaust memory).
pub const MAX_RESOLUTION: usize = 4096;

/// How random directions treat bias entries (Li et al. 2018 filter normalization).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum BiasTreatment {
    /// Bias entries of the direction are zero.
    #[default]
    Zero,
    /// Bias entries of the direction are copied from θ.
    Copy,
}

/// Which two directions span the slice.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum AxisChoice {
    /// Two single parameters θ[a] and θ[b] (unit coordinate vectors).
    Coordinates { a: usize, b: usize },
    /// Random Gaussian directions, filter-normalized per output neuron.
    Random {
        seed: u64,
        #[serde(default)]
        bias: BiasTreatment,
    },
    /// First two principal components of the recorded training trajectory.
    Pca,
    /// Eigenvectors of the two largest Hessian eigenvalues.
    Hessian,
    /// First two left singular vectors of G.
    GradientSingular,
    /// One tangent direction of the behavior manifold and one normal direction.
    Manifold,
    /// The plane through three parameter vectors, centered at the first.
    ThreePoints { points: Vec<Vec<f64>> },
    /// Explicit vectors u and v.
    Explicit { u: Vec<f64>, v: Vec<f64> },
}

impl Default for AxisChoice {
    fn default() -> Self {
        AxisChoice::Coordinates { a: 0, b: 1 }
    }
}

/// The slice part of a scene's `view`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SliceSpec {
    pub axes: AxisChoice,
    /// Range of a, [lo, hi].
    pub a_range: [f64; 2],
    /// Range of b, [lo, hi].
    pub b_range: [f64; 2],
    /// Range of c for 3D slices.
    pub c_range: [f64; 2],
    /// Grid points along a and b (width, height).
    pub resolution: [usize; 2],
    /// A pinned center θ₀; absent means the current θ.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub center: Option<Vec<f64>>,
}

impl Default for SliceSpec {
    fn default() -> Self {
        Self {
            axes: AxisChoice::default(),
            a_range: [-2.0, 2.0],
            b_range: [-2.0, 2.0],
            c_range: [-2.0, 2.0],
            resolution: [256, 256],
            center: None,
        }
    }
}

impl SliceSpec {
    pub fn validate(&self, n_params: usize) -> Result<(), CoreError> {
        for (name, r) in [("a_range", self.a_range), ("b_range", self.b_range), ("c_range", self.c_range)] {
            if !(r[0].is_finite() && r[1].is_finite() && r[0] < r[1]) {
                return Err(CoreError::invalid(format!(
                    "view.slice.{name} must be two finite numbers [lo, hi] with lo < hi"
                )));
            }
        }
        for r in self.resolution {
            if !(2..=MAX_RESOLUTION).contains(&r) {
                return Err(CoreError::invalid(format!(
                    "view.slice.resolution entries must be between 2 and {MAX_RESOLUTION}, not {r}"
                )));
            }
        }
        if let Some(c) = &self.center
            && c.len() != n_params
        {
            return Err(CoreError::invalid(format!(
                "view.slice.center has {} entries but the model has {n_params} parameters",
                c.len()
            )));
        }
        match &self.axes {
            AxisChoice::Coordinates { a, b } => {
                if *a >= n_params || *b >= n_params || a == b {
                    return Err(CoreError::invalid(format!(
                        "view.slice.axes coordinates must be two different indices below {n_params}"
                    )));
                }
            }
            AxisChoice::ThreePoints { points } => {
                if points.len() != 3 || points.iter().any(|p| p.len() != n_params) {
                    return Err(CoreError::invalid(format!(
                        "view.slice.axes three_points needs 3 vectors of {n_params} entries"
                    )));
                }
            }
            AxisChoice::Explicit { u, v } => {
                if u.len() != n_params || v.len() != n_params {
                    return Err(CoreError::invalid(format!(
                        "view.slice.axes explicit u and v need {n_params} entries each"
                    )));
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Grid coordinate j of n on [lo, hi]: lo + (hi − lo)·j/(n − 1), both ends included.
pub fn grid_coordinate(range: [f64; 2], j: usize, n: usize) -> f64 {
    if n < 2 {
        return range[0];
    }
    range[0] + (range[1] - range[0]) * j as f64 / (n - 1) as f64
}
