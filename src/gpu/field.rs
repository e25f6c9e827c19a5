//! Fields on slice grids (DESIGN.md §1 "Slices"): the request, the result, the error,
//! and the two evaluators behind one trait — the GPU compute pass and its CPU reference.
//!
//! A request names θ₀, two or three directions u, v[, w], a range and a point count per
//! axis. Grid point j of n on [lo, hi] sits at lo + (hi − lo)·j/(n − 1)
//! ([`grid_coordinate`]), and the field at grid point (a, b[, c]) is evaluated exactly at
//! θ(a, b, c) = θ₀ + a·u + b·v (+ c·w): channel i < k holds f(x_i; θ), channel k the MSE
//! loss (1/k) Σ_i (f(x_i; θ) − y_i)².

use crate::core::data::Dataset;
use crate::core::mlp::MlpSpec;
use crate::core::slice::grid_coordinate;

pub use super::cpu_field::CpuFieldEvaluator;
pub use super::gpu_field::{GpuField, GpuFieldEvaluator};

/// Most values (channels × grid points) one field may hold: 2²⁸ f32, 1 GiB.
pub const MAX_FIELD_VALUES: usize = 1 << 28;
/// Most first-layer pre-activation terms (h₁ units × k inputs) a field precomputes.
pub const MAX_FIRST_LAYER_TERMS: usize = 1 << 22;

/// One field evaluation: where the slice lies and how finely to sample it.
#[derive(Clone, Copy, Debug)]
pub struct FieldRequest<'a> {
    pub spec: &'a MlpSpec,
    pub data: &'a Dataset,
    /// θ₀, the point at grid coordinates (0, 0[, 0]), in the flat layout.
    pub theta0: &'a [f64],
    /// The directions u, v (and w for a 3D slice), each N long.
    pub axes: &'a [Vec<f64>],
    /// [lo, hi] of a, b (and c), in axis order.
    pub ranges: &'a [[f64; 2]],
    /// Grid points per axis in axis order: [na, nb] or [na, nb, nc].
    pub shape: &'a [usize],
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

/// The evaluator in use: the GPU when an adapter exists, else the CPU reference.
pub enum FieldBackend {
    Gpu(GpuFieldEvaluator),
    Cpu(CpuFieldEvaluator),
}

impl FieldBackend {
    /// A headless GPU evaluator if an adapter exists, else the CPU reference (with a warning).
    pub fn auto() -> Self {
        match GpuFieldEvaluator::headless() {
            Ok(gpu) => FieldBackend::Gpu(gpu),
            Err(e) => {
                log::warn!("{e}; evaluating fields on the CPU instead");
                FieldBackend::Cpu(CpuFieldEvaluator)
            }
        }
    }

    /// Whether fields are computed on a GPU adapter (llvmpipe counts).
    pub fn is_gpu(&self) -> bool {
        matches!(self, FieldBackend::Gpu(_))
    }

    /// The adapter in words, e.g. "llvmpipe (LLVM 15.0.6, 256 bits) (Vulkan, Cpu)", or
    /// "CPU reference (2 threads)" without one.
    pub fn adapter_info(&self) -> String {
        match self {
            FieldBackend::Gpu(g) => g.adapter().to_string(),
            FieldBackend::Cpu(c) => c.name(),
        }
    }
}

impl FieldEvaluator for FieldBackend {
    fn evaluate(&self, req: &FieldRequest) -> Result<Field, FieldError> {
        match self {
            FieldBackend::Gpu(g) => g.evaluate(req),
            FieldBackend::Cpu(c) => c.evaluate(req),
        }
    }

    fn name(&self) -> String {
        match self {
            FieldBackend::Gpu(g) => g.name(),
            FieldBackend::Cpu(c) => c.name(),
        }
    }
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
        let invalid = |m: String| FieldError::Invalid(m);
        self.spec.validate().map_err(|e| invalid(e.to_string()))?;
        self.spec
            .check_parameters(self.theta0)
            .map_err(|e| invalid(format!("θ₀: {e}")))?;
        let n = self.spec.n_params();
        let dims = self.axes.len();
        if !(2..=3).contains(&dims) {
            return Err(invalid(format!("a slice has 2 or 3 axes, not {dims}")));
        }
        if self.ranges.len() != dims || self.shape.len() != dims {
            return Err(invalid(format!(
                "{dims} axes need {dims} ranges and {dims} grid sizes, not {} and {}",
                self.ranges.len(),
                self.shape.len()
            )));
        }
        for (i, axis) in self.axes.iter().enumerate() {
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
            .ranges
            .iter()
            .position(|r| !(r[0].is_finite() && r[1].is_finite()))
        {
            return Err(invalid(format!("the range of axis {i} is not finite")));
        }
        if let Some(i) = self.shape.iter().position(|&s| s == 0) {
            return Err(invalid(format!(
                "axis {i} has 0 grid points; it needs at least 1"
            )));
        }
        self.data
            .validate(self.spec.input_dim())
            .map_err(|e| invalid(e.to_string()))?;

        let k = self.data.n_inputs();
        let points = self
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
            self.shape[0],
            self.shape[1],
            self.shape.get(2).copied().unwrap_or(1),
        ];
        let coords = std::array::from_fn(|axis| {
            if axis < dims {
                (0..shape3[axis])
                    .map(|j| grid_coordinate(self.ranges[axis], j, shape3[axis]))
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
            self.theta0,
            &self.axes[0],
            &self.axes[1],
            self.axes.get(2).map_or(&[][..], Vec::as_slice),
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

    use super::{FieldRequest, grid_coordinate};
    use crate::core::{Activation, Dataset, MlpSpec};

    /// An owned field request.
    pub struct Case {
        pub spec: MlpSpec,
        pub data: Dataset,
        pub theta0: Vec<f64>,
        pub axes: Vec<Vec<f64>>,
        pub ranges: Vec<[f64; 2]>,
        pub shape: Vec<usize>,
    }

    impl Case {
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
                data,
                theta0,
                axes,
                ranges,
                shape: shape.to_vec(),
            }
        }

        pub fn request(&self) -> FieldRequest<'_> {
            FieldRequest {
                spec: &self.spec,
                data: &self.data,
                theta0: &self.theta0,
                axes: &self.axes,
                ranges: &self.ranges,
                shape: &self.shape,
            }
        }

        /// θ at grid point `index` (per axis).
        pub fn theta_at(&self, index: &[usize]) -> Vec<f64> {
            let mut theta = self.theta0.clone();
            for (axis, &j) in index.iter().enumerate() {
                let t = grid_coordinate(self.ranges[axis], j, self.shape[axis]);
                for (p, d) in theta.iter_mut().zip(&self.axes[axis]) {
                    *p += t * d;
                }
            }
            theta
        }

        /// The field computed independently: per grid point, θ in f64, then
        /// [`MlpSpec::forward`] per input and the MSE; laid out as `Field::values`.
        pub fn reference(&self) -> Vec<f64> {
            let k = self.data.n_inputs();
            let na = self.shape[0];
            let nb = self.shape[1];
            let nc = self.shape.get(2).copied().unwrap_or(1);
            let n_points = na * nb * nc;
            let mut values = vec![0.0; (k + 1) * n_points];
            for ic in 0..nc {
                for ib in 0..nb {
                    for ia in 0..na {
                        let index = [ia, ib, ic];
                        let theta = self.theta_at(&index[..self.shape.len()]);
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
