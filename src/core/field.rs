//! Fields on slice grids (docs/DESIGN.md §1 "Slices"): where a field is sampled
//! ([`SliceGrid`]), what is asked of an evaluator ([`FieldRequest`]), what comes back
//! ([`Field`]), the error, and the [`FieldEvaluator`] trait that the CPU and GPU
//! evaluators (`crate::eval`) implement and every consumer (figures, export, the app,
//! the bench) uses.
//!
//! A grid names θ₀, two or three directions u, v[, w], a range and a point count per
//! axis. Grid point j of n on [lo, hi] sits at lo + (hi − lo)·j/(n − 1)
//! ([`grid_coordinate`]), and the field at grid point (a, b[, c]) is evaluated exactly at
//! θ(a, b, c) = θ₀ + a·u + b·v (+ c·w): channel i < k holds f(x_i; θ), channel k the MSE
//! loss (1/k) Σ_i (f(x_i; θ) − y_i)².

use std::sync::Arc;

use crate::core::data::Dataset;
use crate::core::mlp::MlpSpec;

pub use crate::core::limits::{MAX_FIELD_VALUES, MAX_FIRST_LAYER_TERMS};

/// Grid coordinate j of n on [lo, hi]: lo + (hi − lo)·j/(n − 1), both ends included.
pub fn grid_coordinate(range: [f64; 2], j: usize, n: usize) -> f64 {
    if n < 2 {
        return range[0];
    }
    range[0] + (range[1] - range[0]) * j as f64 / (n - 1) as f64
}

/// Where a field is sampled: θ(a, b[, c]) = θ₀ + a·u + b·v (+ c·w) on a regular grid.
#[derive(Clone, Debug, PartialEq)]
pub struct SliceGrid {
    /// θ₀, the point at grid coordinates (0, 0[, 0]), in the flat layout.
    pub theta0: Vec<f64>,
    /// The directions u, v (and w for a 3D slice), each N long.
    pub axes: Vec<Vec<f64>>,
    /// [lo, hi] of a, b (and c), in axis order.
    pub ranges: Vec<[f64; 2]>,
    /// Grid points per axis in axis order: [na, nb] or [na, nb, nc].
    pub shape: Vec<usize>,
}

impl SliceGrid {
    /// Number of grid points na·nb(·nc).
    pub fn n_points(&self) -> usize {
        self.shape.iter().product()
    }

    /// The coordinate of grid point `j` along `axis`.
    pub fn coordinate(&self, axis: usize, j: usize) -> f64 {
        grid_coordinate(self.ranges[axis], j, self.shape[axis])
    }

    /// θ at slice coordinates `coords` (one per axis, missing ones 0): θ₀ + Σ t_i·axis_i.
    pub fn theta_at(&self, coords: &[f64]) -> Vec<f64> {
        let mut theta = self.theta0.clone();
        for (t, axis) in coords.iter().zip(&self.axes) {
            for (p, d) in theta.iter_mut().zip(axis) {
                *p += t * d;
            }
        }
        theta
    }

    /// θ at grid point `index` (one index per axis).
    pub fn theta_at_index(&self, index: &[usize]) -> Vec<f64> {
        let coords: Vec<f64> = index
            .iter()
            .enumerate()
            .map(|(axis, &j)| self.coordinate(axis, j))
            .collect();
        self.theta_at(&coords)
    }

    /// [lo, hi] of a and b, the plane every 2D picture of this grid shows.
    pub fn plane_ranges(&self) -> [[f64; 2]; 2] {
        [self.ranges[0], self.ranges[1]]
    }
}

/// One field evaluation: the network, its training data and the grid to sample.
#[derive(Clone, Copy, Debug)]
pub struct FieldRequest<'a> {
    pub spec: &'a MlpSpec,
    pub data: &'a Dataset,
    pub grid: &'a SliceGrid,
}

/// A field request that owns its parts, for work handed to another thread and for
/// telling whether a computed field is still the one to show.
#[derive(Clone, Debug, PartialEq)]
pub struct OwnedFieldRequest {
    pub spec: MlpSpec,
    pub data: Arc<Dataset>,
    pub grid: SliceGrid,
}

impl OwnedFieldRequest {
    /// The request as evaluators take it.
    pub fn as_request(&self) -> FieldRequest<'_> {
        FieldRequest {
            spec: &self.spec,
            data: &self.data,
            grid: &self.grid,
        }
    }
}

/// Field values on a grid: k per-input output channels, then the loss.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// k, the number of output channels before the loss channel.
    pub n_inputs: usize,
    /// Grid points per axis: [na, nb] or [na, nb, nc].
    pub shape: Vec<usize>,
    /// [channel][c][b][a], row-major with a fastest; k + 1 channels.
    pub values: Vec<f32>,
}

impl Field {
    /// Number of grid points na·nb(·nc).
    pub fn n_points(&self) -> usize {
        self.shape.iter().product()
    }

    /// One channel, [c][b][a] with a fastest: f(x_i; θ) for i < k, the loss for i = k.
    pub fn channel(&self, i: usize) -> &[f32] {
        let n = self.n_points();
        &self.values[i * n..(i + 1) * n]
    }

    /// [na, nb], the points along a and b (the plane every 2D picture shows).
    pub fn plane_shape(&self) -> [usize; 2] {
        [self.shape[0], self.shape.get(1).copied().unwrap_or(1)]
    }

    /// The loss channel (channel k).
    pub fn loss(&self) -> &[f32] {
        self.channel(self.n_inputs)
    }

    /// The value of `channel` at grid point (ia, ib, ic); ic is 0 for a 2D field.
    pub fn at(&self, channel: usize, ia: usize, ib: usize, ic: usize) -> f32 {
        let na = self.shape[0];
        let nb = self.shape.get(1).copied().unwrap_or(1);
        debug_assert!(ia < na && ib < nb && ic < self.shape.get(2).copied().unwrap_or(1));
        self.channel(channel)[(ic * nb + ib) * na + ia]
    }
}

/// Why a field could not be evaluated; each message is one sentence a user can act on.
#[derive(Debug, thiserror::Error)]
pub enum FieldError {
    /// The request's shapes or numbers do not fit together.
    #[error("invalid field request: {0}")]
    Invalid(String),
    /// The grid has more values than any evaluator accepts.
    #[error(
        "the field grid needs {values} values ({channels} channels × {points} points), more than the limit of {limit}; lower the resolution"
    )]
    GridTooLarge {
        values: u128,
        channels: usize,
        points: u128,
        limit: usize,
    },
    /// A GPU buffer would exceed the adapter's limits.
    #[error(
        "the field needs a {what} of {bytes} bytes, more than this GPU's limit of {limit} bytes; lower the resolution or use the CPU backend"
    )]
    BufferTooLarge {
        what: &'static str,
        bytes: u64,
        limit: u64,
    },
    /// The network is wider than the GPU shader supports.
    #[error(
        "a layer of width {width} is wider than the GPU field shader's limit of {limit} units; use the CPU backend"
    )]
    WidthTooLarge { width: usize, limit: usize },
    /// No GPU adapter could be found.
    #[error("no GPU adapter is available: {0}")]
    NoAdapter(String),
    /// The adapter refused to create a device.
    #[error("the GPU adapter could not create a device: {0}")]
    RequestDevice(String),
    /// The device was lost (driver reset, GPU removed, or destroyed).
    #[error("the GPU device was lost: {0}")]
    DeviceLost(String),
    /// The GPU rejected the work (out of memory or a validation error).
    #[error("the GPU could not evaluate the field: {0}")]
    Gpu(String),
}

/// Something that evaluates fields on slice grids.
pub trait FieldEvaluator {
    /// Evaluates every channel at every grid point of `req`.
    fn evaluate(&self, req: &FieldRequest) -> Result<Field, FieldError>;
    /// A short description of the evaluator (backend and device).
    fn name(&self) -> String;
}

/// A validated request, with everything both evaluators precompute in f64.
#[derive(Clone, Debug)]
pub(crate) struct GridPlan {
    /// [na, nb, nc] (nc = 1 for a 2D field).
    pub shape3: [usize; 3],
    pub n_points: usize,
    /// k.
    pub n_inputs: usize,
    /// Grid coordinates of each axis (c = [0] for a 2D field).
    pub coords: [Vec<f64>; 3],
    /// Width of the first layer, h₁ (1 for a linear model).
    pub h1: usize,
    /// First-layer pre-activation z₁(a, b, c) = z0 + a·zu + b·zv + c·zw of input i and
    /// unit r at [i·h₁ + r], as [z0, zu, zv, zw]: the first layer is affine in the grid
    /// coordinates, so it never needs per-point weights.
    pub first_layer: Vec<[f64; 4]>,
}

impl GridPlan {
    /// The [`Field`] these values belong to.
    pub fn field(&self, values: Vec<f32>, shape: &[usize]) -> Field {
        Field {
            n_inputs: self.n_inputs,
            shape: shape.to_vec(),
            values,
        }
    }
}

impl FieldRequest<'_> {
    /// Checks shapes, finiteness and size, and precomputes the grid and the first layer.
    pub(crate) fn plan(&self) -> Result<GridPlan, FieldError> {
        self.check_shapes()?;
        self.plan_checked()
    }

    /// Checks the network, θ₀, the axes, ranges and grid sizes, and the data.
    fn check_shapes(&self) -> Result<(), FieldError> {
        let invalid = |m: String| FieldError::Invalid(m);
        self.spec.validate().map_err(|e| invalid(e.to_string()))?;
        self.spec
            .check_parameters(&self.grid.theta0)
            .map_err(|e| invalid(format!("θ₀: {e}")))?;
        let n = self.spec.n_params();
        let dims = self.grid.axes.len();
        if !(2..=3).contains(&dims) {
            return Err(invalid(format!("a slice has 2 or 3 axes, not {dims}")));
        }
        if self.grid.ranges.len() != dims || self.grid.shape.len() != dims {
            return Err(invalid(format!(
                "{dims} axes need {dims} ranges and {dims} grid sizes, not {} and {}",
                self.grid.ranges.len(),
                self.grid.shape.len()
            )));
        }
        for (i, axis) in self.grid.axes.iter().enumerate() {
            if axis.len() != n {
                return Err(invalid(format!(
                    "axis {i} has {} entries but the model has {n} parameters",
                    axis.len()
                )));
            }
            if axis.iter().any(|x| !x.is_finite()) {
                return Err(invalid(format!("axis {i} has a non-finite entry")));
            }
        }
        if let Some(i) = self
            .grid
            .ranges
            .iter()
            .position(|r| !(r[0].is_finite() && r[1].is_finite()))
        {
            return Err(invalid(format!("the range of axis {i} is not finite")));
        }
        if let Some(i) = self.grid.shape.iter().position(|&s| s == 0) {
            return Err(invalid(format!(
                "axis {i} has 0 grid points; it needs at least 1"
            )));
        }
        self.data
            .validate(self.spec.input_dim())
            .map_err(|e| invalid(e.to_string()))?;
        Ok(())
    }

    /// The plan of a request whose shapes are checked: its size limits, grid
    /// coordinates and first-layer terms.
    fn plan_checked(&self) -> Result<GridPlan, FieldError> {
        let invalid = |m: String| FieldError::Invalid(m);
        let dims = self.grid.axes.len();
        let k = self.data.n_inputs();
        let points = self
            .grid
            .shape
            .iter()
            .try_fold(1u128, |acc, &s| acc.checked_mul(s as u128))
            .unwrap_or(u128::MAX);
        let values = points.saturating_mul(k as u128 + 1);
        if values > MAX_FIELD_VALUES as u128 {
            return Err(FieldError::GridTooLarge {
                values,
                channels: k + 1,
                points,
                limit: MAX_FIELD_VALUES,
            });
        }
        let shape3 = [
            self.grid.shape[0],
            self.grid.shape[1],
            self.grid.shape.get(2).copied().unwrap_or(1),
        ];
        let coords = std::array::from_fn(|axis| {
            if axis < dims {
                (0..shape3[axis])
                    .map(|j| grid_coordinate(self.grid.ranges[axis], j, shape3[axis]))
                    .collect()
            } else {
                vec![0.0]
            }
        });
        let first = self.spec.layouts()[0];
        let h1 = first.fan_out;
        if h1.saturating_mul(k) > MAX_FIRST_LAYER_TERMS {
            return Err(invalid(format!(
                "the first layer's {h1} units × {k} inputs exceed the limit of {MAX_FIRST_LAYER_TERMS}; use fewer points or a narrower first layer"
            )));
        }
        let vectors: [&[f64]; 4] = [
            &self.grid.theta0,
            &self.grid.axes[0],
            &self.grid.axes[1],
            self.grid.axes.get(2).map_or(&[][..], Vec::as_slice),
        ];
        let mut first_layer = Vec::with_capacity(k * h1);
        for x in &self.data.inputs {
            for r in 0..h1 {
                let w = first.weight_index(r, 0);
                first_layer.push(std::array::from_fn(|t| {
                    let vec = vectors[t];
                    if vec.is_empty() {
                        return 0.0;
                    }
                    let dot: f64 = vec[w..w + first.fan_in]
                        .iter()
                        .zip(x)
                        .map(|(p, xi)| p * xi)
                        .sum();
                    dot + first.bias_offset.map_or(0.0, |b| vec[b + r])
                }));
            }
        }
        Ok(GridPlan {
            shape3,
            n_points: points as usize,
            n_inputs: k,
            coords,
            h1,
            first_layer,
        })
    }
}

/// Fixtures shared by the CPU and GPU field tests.
#[cfg(test)]
pub(crate) mod test_support {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use std::sync::Arc;

    use super::{OwnedFieldRequest, SliceGrid};
    use crate::core::{Activation, Dataset, MlpSpec};

    /// A seeded network, data and grid: an owned field request.
    pub type Case = OwnedFieldRequest;

    impl OwnedFieldRequest {
        /// A random network, k random inputs with targets, and random axes, all seeded.
        pub fn new(
            layers: &[usize],
            activation: Activation,
            bias: bool,
            k: usize,
            shape: &[usize],
            seed: u64,
        ) -> Self {
            let spec = MlpSpec::new(layers.to_vec(), activation, bias).unwrap();
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let theta0 = spec.init_parameters(seed);
            let n = spec.n_params();
            let axes = (0..shape.len())
                .map(|_| (0..n).map(|_| rng.random_range(-0.4..0.4)).collect())
                .collect();
            let data = Dataset {
                inputs: (0..k)
                    .map(|_| {
                        (0..layers[0])
                            .map(|_| rng.random_range(-1.5..1.5))
                            .collect()
                    })
                    .collect(),
                targets: (0..k).map(|_| rng.random_range(-1.0..1.0)).collect(),
            };
            let ranges = [[-1.5, 2.0], [-0.75, 1.25], [-2.0, 0.5]][..shape.len()].to_vec();
            Self {
                spec,
                data: Arc::new(data),
                grid: SliceGrid {
                    theta0,
                    axes,
                    ranges,
                    shape: shape.to_vec(),
                },
            }
        }

        /// The field computed independently: per grid point, θ in f64, then
        /// [`MlpSpec::forward`] per input and the MSE; laid out as `Field::values`.
        pub fn reference(&self) -> Vec<f64> {
            let k = self.data.n_inputs();
            let na = self.grid.shape[0];
            let nb = self.grid.shape[1];
            let nc = self.grid.shape.get(2).copied().unwrap_or(1);
            let n_points = na * nb * nc;
            let mut values = vec![0.0; (k + 1) * n_points];
            for ic in 0..nc {
                for ib in 0..nb {
                    for ia in 0..na {
                        let index = [ia, ib, ic];
                        let theta = self.grid.theta_at_index(&index[..self.grid.shape.len()]);
                        let p = (ic * nb + ib) * na + ia;
                        let mut loss = 0.0;
                        for (i, (x, y)) in
                            self.data.inputs.iter().zip(&self.data.targets).enumerate()
                        {
                            let f = self.spec.forward(&theta, x);
                            values[i * n_points + p] = f;
                            loss += (f - y) * (f - y);
                        }
                        values[k * n_points + p] = loss / k as f64;
                    }
                }
            }
            values
        }
    }

    /// max |x − r| / (1 + |r|) over all values.
    pub fn max_error(values: &[f32], reference: &[f64]) -> f64 {
        assert_eq!(values.len(), reference.len());
        values
            .iter()
            .zip(reference)
            .map(|(&x, &r)| (f64::from(x) - r).abs() / (1.0 + r.abs()))
            .fold(0.0, f64::max)
    }

    /// Depth 0 (linear) to 3 hidden layers, with widths not multiples of the SIMD blocks.
    pub const ARCHITECTURES: [&[usize]; 4] = [&[3, 1], &[2, 5, 1], &[2, 6, 3, 1], &[3, 7, 5, 9, 1]];
}
