//! Slices of parameter space (docs/DESIGN.md §1 "Slices"): θ(a, b) = θ₀ + a·u + b·v, and the
//! scene's description of which plane to show.

use nalgebra::{DMatrix, DVector, SymmetricEigen};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

use super::analysis::{Analysis, GradientSplit, RankTolerance, analyze, analyze_gradients};
use super::data::Dataset;
use super::error::CoreError;
use super::mlp::MlpSpec;

pub use super::limits::MAX_RESOLUTION;

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

impl AxisChoice {
    /// The `kind` this choice has in a scene file, e.g. `"gradient_singular"`.
    pub fn kind(&self) -> &'static str {
        match self {
            AxisChoice::Coordinates { .. } => "coordinates",
            AxisChoice::Random { .. } => "random",
            AxisChoice::Pca => "pca",
            AxisChoice::Hessian => "hessian",
            AxisChoice::GradientSingular => "gradient_singular",
            AxisChoice::Manifold => "manifold",
            AxisChoice::ThreePoints { .. } => "three_points",
            AxisChoice::Explicit { .. } => "explicit",
        }
    }

    /// Every choice spans a plane, which needs two independent directions in R^N:
    /// none can be built for a model with fewer than 2 parameters.
    fn check_plane_fits(&self, n_params: usize) -> Result<(), CoreError> {
        if n_params < 2 {
            return Err(CoreError::invalid(format!(
                "view.slice.axes {} needs a model with at least 2 parameters to span a plane, and this one has {n_params}",
                self.kind()
            )));
        }
        Ok(())
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
    /// Checks the ranges, resolution and pinned center, and that the axes can be built
    /// for a model with `n_params` parameters as far as that is known without θ, the
    /// data and the trajectory (which [`slice_axes`] checks): every choice needs
    /// `n_params` ≥ 2, and coordinate indices, three points and explicit vectors must
    /// span a plane.
    pub fn validate(&self, n_params: usize) -> Result<(), CoreError> {
        self.validate_extent(n_params)?;
        self.axes.check_plane_fits(n_params)?;
        self.validate_axes(n_params)
    }

    /// What a scene's slice must satisfy: everything [`Self::validate`] checks when the
    /// model has a 2D slice at all (N ≥ 2); for N < 2 only the extent, since no axis
    /// choice spans a plane there and the slice view says so while the rest of the scene
    /// (training, data, gradients) works.
    pub fn validate_in_scene(&self, n_params: usize) -> Result<(), CoreError> {
        if n_params < 2 {
            self.validate_extent(n_params)
        } else {
            self.validate(n_params)
        }
    }

    /// Checks the ranges, the resolution and the pinned center: what a scene must get
    /// right even when its model is too small for any 2D slice (N < 2), whose slice view
    /// then says why instead of the scene failing to load.
    pub fn validate_extent(&self, n_params: usize) -> Result<(), CoreError> {
        for (name, r) in [
            ("a_range", self.a_range),
            ("b_range", self.b_range),
            ("c_range", self.c_range),
        ] {
            super::limits::check_slice_range(&format!("view.slice.{name}"), r)?;
        }
        for r in self.resolution {
            if !(2..=MAX_RESOLUTION).contains(&r) {
                return Err(CoreError::invalid(format!(
                    "view.slice.resolution entries must be between 2 and {MAX_RESOLUTION}, not {r}"
                )));
            }
        }
        if let Some(c) = &self.center {
            if c.len() != n_params {
                return Err(CoreError::invalid(format!(
                    "view.slice.center has {} entries but the model has {n_params} parameters",
                    c.len()
                )));
            }
            if let Some(i) = c.iter().position(|x| !x.is_finite()) {
                return Err(CoreError::invalid(format!(
                    "view.slice.center[{i}] is not a finite number"
                )));
            }
        }
        Ok(())
    }

    /// Checks the axis choice for a model with `n_params` ≥ 2 parameters.
    fn validate_axes(&self, n_params: usize) -> Result<(), CoreError> {
        // What else can be known without θ, the data or the trajectory: the indices and
        // vectors the scene gives. PCA needs the trajectory, and the Hessian, G-singular
        // and manifold axes need θ and the data (see `slice_axes`).
        match &self.axes {
            AxisChoice::Coordinates { a, b } if *a >= n_params || *b >= n_params || a == b => {
                Err(CoreError::invalid(format!(
                    "view.slice.axes coordinates must be two different indices below {n_params}"
                )))
            }
            AxisChoice::ThreePoints { points }
                if points.len() != 3 || points.iter().any(|p| p.len() != n_params) =>
            {
                Err(CoreError::invalid(format!(
                    "view.slice.axes three_points needs 3 vectors of {n_params} entries"
                )))
            }
            AxisChoice::ThreePoints { points } => {
                three_point_axes(&points[0], &points[1], &points[2])
                    .map(|_| ())
                    .map_err(|e| CoreError::invalid(format!("view.slice.axes {e}")))
            }
            AxisChoice::Explicit { u, v } if u.len() != n_params || v.len() != n_params => {
                Err(CoreError::invalid(format!(
                    "view.slice.axes explicit u and v need {n_params} entries each"
                )))
            }
            AxisChoice::Explicit { u, v } => check_explicit_axes(u, v)
                .map_err(|e| CoreError::invalid(format!("view.slice.axes {e}"))),
            AxisChoice::Coordinates { .. }
            | AxisChoice::Random { .. }
            | AxisChoice::Pca
            | AxisChoice::Hessian
            | AxisChoice::GradientSingular
            | AxisChoice::Manifold => Ok(()),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Slice axes: the vectors u and v (and the center θ₀) that an `AxisChoice` stands for.

/// A concrete 2D slice θ(a, b) = center + a·u + b·v, with words for each axis.
#[derive(Clone, Debug, PartialEq)]
pub struct SliceAxes {
    /// θ₀, the point at (a, b) = (0, 0).
    pub center: Vec<f64>,
    /// Direction of the a axis.
    pub u: Vec<f64>,
    /// Direction of the b axis.
    pub v: Vec<f64>,
    /// The plane in words, e.g. "Hessian eigenvectors 1 and 2".
    pub description: String,
    /// The a axis in words, e.g. "Hessian eigenvector 1" (for axis titles).
    pub u_name: String,
    /// The b axis in words.
    pub v_name: String,
}

impl SliceAxes {
    /// Number of parameters N.
    pub fn n_params(&self) -> usize {
        self.center.len()
    }
}

/// θ(a, b) = center + a·u + b·v.
pub fn slice_point(axes: &SliceAxes, a: f64, b: f64) -> Vec<f64> {
    axes.center
        .iter()
        .zip(axes.u.iter().zip(&axes.v))
        .map(|(c, (u, v))| c + a * u + b * v)
        .collect()
}

/// Least-squares slice coordinates (a, b) of θ: the (a, b) minimizing
/// ‖θ − center − a·u − b·v‖, from the 2×2 normal equations
/// [u·u u·v; u·v v·v]·[a; b] = [u·d; v·d] with d = θ − center. Points off the plane land on
/// their orthogonal projection; used to draw a trajectory in a slice.
pub fn project_onto_slice(axes: &SliceAxes, theta: &[f64]) -> (f64, f64) {
    let d: Vec<f64> = theta.iter().zip(&axes.center).map(|(t, c)| t - c).collect();
    let uu = dot(&axes.u, &axes.u);
    let vv = dot(&axes.v, &axes.v);
    let uv = dot(&axes.u, &axes.v);
    let ud = dot(&axes.u, &d);
    let vd = dot(&axes.v, &d);
    let det = uu * vv - uv * uv;
    if det.abs() <= f64::EPSILON * uu * vv || det == 0.0 {
        // Degenerate plane (u ∥ v): project onto u alone.
        return (if uu > 0.0 { ud / uu } else { 0.0 }, 0.0);
    }
    ((vv * ud - uv * vd) / det, (uu * vd - uv * ud) / det)
}

/// A random direction, filter-normalized as in Li et al. 2018 ("Visualizing the Loss
/// Landscape of Neural Nets"): every entry is drawn from N(0, 1) (`ChaCha8` seeded with
/// `seed`, in layout order), then each output neuron's weight row of `W_l` is rescaled to
/// the Euclidean norm of the matching row of θ (a row of θ that is all zero gives a zero
/// row). Bias entries are zeroed ([`BiasTreatment::Zero`], their "ignore biases" setting)
/// or copied from θ ([`BiasTreatment::Copy`]). θ must have the model's N finite entries.
pub fn filter_normalized_direction(
    spec: &MlpSpec,
    theta: &[f64],
    seed: u64,
    bias: BiasTreatment,
) -> Result<Vec<f64>, CoreError> {
    spec.check_parameters(theta)?;
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut direction: Vec<f64> = (0..theta.len())
        .map(|_| StandardNormal.sample(&mut rng))
        .collect();
    for layout in spec.layouts() {
        for r in 0..layout.fan_out {
            let row = layout.weight_index(r, 0)..layout.weight_index(r, 0) + layout.fan_in;
            let theta_norm = norm(&theta[row.clone()]);
            let d_norm = norm(&direction[row.clone()]);
            let scale = if d_norm > 0.0 {
                theta_norm / d_norm
            } else {
                0.0
            };
            for d in &mut direction[row] {
                *d *= scale;
            }
        }
        if let Some(b) = layout.bias_offset {
            for i in b..b + layout.fan_out {
                direction[i] = match bias {
                    BiasTreatment::Zero => 0.0,
                    BiasTreatment::Copy => theta[i],
                };
            }
        }
    }
    Ok(direction)
}

/// Builds the slice that `choice` describes at the current θ.
///
/// The center is `center` (the scene's pinned center) if given, else θ; for
/// [`AxisChoice::ThreePoints`] it is always the first point. Axes:
/// - `Coordinates { a, b }`: the unit vectors `e_a` and `e_b`.
/// - `Random { seed, bias }`: [`filter_normalized_direction`] with seeds `seed` and
///   `seed + 1` (not orthogonalized, as in Li et al. 2018; they must not be zero or
///   parallel, as they are for a model whose only weight is one scalar).
/// - `Pca`: the top two principal directions (unit, orthogonal) of the trajectory's
///   points after subtracting their mean; needs three distinct points not on one line.
///   Signs are chosen so the trajectory's last point lies at positive a and b relative to
///   its first.
/// - `Hessian`: unit eigenvectors of the two largest Hessian eigenvalues at the center.
/// - `GradientSingular`: the first two left singular vectors of G at the center; if
///   rank G < 2 the second axis is a tangent direction of the behavior manifold instead
///   (the description says so).
/// - `Manifold`: u = the first tangent direction (null space of Gᵀ), v = the first
///   normal direction (column space of G), at the center.
/// - `ThreePoints [p0, p1, p2]`: see [`three_point_axes`].
/// - `Explicit { u, v }`: as given (they must be finite and linearly independent).
///
/// A choice that cannot be built here is a one-sentence [`CoreError`], never a panic:
/// every choice needs N ≥ 2 (a plane), the center must be finite, and the axes that
/// come out must be finite. [`SliceSpec::validate`] rejects the same choices where it
/// can tell without θ, the data or the trajectory.
pub fn slice_axes(
    choice: &AxisChoice,
    spec: &MlpSpec,
    theta: &[f64],
    data: &Dataset,
    trajectory: &[Vec<f64>],
    center: Option<&[f64]>,
) -> Result<SliceAxes, CoreError> {
    let n = theta.len();
    spec.check_parameters(theta)?;
    let center = center.unwrap_or(theta).to_vec();
    if center.len() != n {
        return Err(CoreError::invalid(format!(
            "the slice center has {} entries but the model has {n} parameters",
            center.len()
        )));
    }
    if let Some(i) = center.iter().position(|x| !x.is_finite()) {
        return Err(CoreError::invalid(format!(
            "entry {i} of the slice center is not a finite number"
        )));
    }
    choice.check_plane_fits(n)?;
    let named = |(u, v, u_name, v_name, description): NamedAxes| SliceAxes {
        center: center.clone(),
        u,
        v,
        description,
        u_name,
        v_name,
    };
    let axes = match choice {
        AxisChoice::Coordinates { a, b } => {
            if *a >= n || *b >= n || a == b {
                return Err(CoreError::invalid(format!(
                    "coordinate axes must be two different parameter indices below {n}, not {a} and {b}"
                )));
            }
            let ((u, u_name), (v, v_name)) =
                (coordinate_axis(spec, n, *a), coordinate_axis(spec, n, *b));
            let description = format!("coordinate axes {u_name} and {v_name}");
            Ok(named((u, v, u_name, v_name, description)))
        }
        AxisChoice::Random { seed, bias } => random_axes(spec, theta, *seed, *bias).map(named),
        AxisChoice::Pca => pca_axes(trajectory, n).map(named),
        AxisChoice::Hessian | AxisChoice::GradientSingular | AxisChoice::Manifold => {
            analysis_axes(choice, spec, &center, data).map(named)
        }
        AxisChoice::ThreePoints { points } => {
            let [p0, p1, p2] = points.as_slice() else {
                return Err(CoreError::invalid(
                    "three_points axes need exactly 3 parameter vectors",
                ));
            };
            if [p0, p1, p2].iter().any(|p| p.len() != n) {
                return Err(CoreError::invalid(format!(
                    "three_points axes need 3 vectors of {n} entries each"
                )));
            }
            three_point_axes(p0, p1, p2)
        }
        AxisChoice::Explicit { u, v } => {
            if u.len() != n || v.len() != n {
                return Err(CoreError::invalid(format!(
                    "explicit axes u and v need {n} entries each"
                )));
            }
            check_explicit_axes(u, v)?;
            Ok(named((
                u.clone(),
                v.clone(),
                "u".into(),
                "v".into(),
                "explicit directions u and v".into(),
            )))
        }
    }?;
    check_finite_axes(axes)
}

/// Two random filter-normalized directions (seeds `seed` and `seed + 1`), named.
fn random_axes(
    spec: &MlpSpec,
    theta: &[f64],
    seed: u64,
    bias: BiasTreatment,
) -> Result<NamedAxes, CoreError> {
    let (u, u_name) = random_axis(spec, theta, seed, bias)?;
    let (v, v_name) = random_axis(spec, theta, seed.wrapping_add(1), bias)?;
    if norm(&u) == 0.0 || norm(&v) == 0.0 {
        return Err(CoreError::invalid(
            "random filter-normalized directions are zero because every weight of θ is zero",
        ));
    }
    if parallel(&u, &v) {
        return Err(CoreError::invalid(
            "random filter-normalized directions are parallel for this model, so they span no plane; choose other axes",
        ));
    }
    let biases = match bias {
        BiasTreatment::Zero => "biases zeroed",
        BiasTreatment::Copy => "biases copied from θ",
    };
    Ok((
        u,
        v,
        u_name,
        v_name,
        format!(
            "random filter-normalized directions (seeds {seed} and {}, {biases})",
            seed.wrapping_add(1)
        ),
    ))
}

/// The first two principal components of the trajectory, named with their variance.
fn pca_axes(trajectory: &[Vec<f64>], n: usize) -> Result<NamedAxes, CoreError> {
    let pca = trajectory_pca(trajectory, n)?;
    let description = format!(
        "PCA of the trajectory: components 1 and 2 ({:.1}% and {:.1}% of its variance)",
        100.0 * pca.explained[0],
        100.0 * pca.explained[1]
    );
    Ok((
        pca.u,
        pca.v,
        "principal component 1".into(),
        "principal component 2".into(),
        description,
    ))
}

/// Rejects axes with a non-finite entry (θ so large that a norm overflows).
fn check_finite_axes(axes: SliceAxes) -> Result<SliceAxes, CoreError> {
    if [&axes.center, &axes.u, &axes.v]
        .iter()
        .any(|x| x.iter().any(|v| !v.is_finite()))
    {
        return Err(CoreError::invalid(format!(
            "the slice axes ({}) have entries that are not finite numbers; choose other axes",
            axes.description
        )));
    }
    Ok(axes)
}

/// Explicit u and v must be finite, nonzero and not parallel.
fn check_explicit_axes(u: &[f64], v: &[f64]) -> Result<(), CoreError> {
    if u.iter().chain(v).any(|x| !x.is_finite()) {
        return Err(CoreError::invalid(
            "explicit axes u and v must have finite entries",
        ));
    }
    let (uu, vv) = (dot(u, u), dot(v, v));
    if !(uu.is_finite() && vv.is_finite()) {
        return Err(CoreError::invalid(
            "explicit axes u and v are too long to compute with (their squared lengths overflow)",
        ));
    }
    if uu == 0.0 || vv == 0.0 || parallel(u, v) {
        return Err(CoreError::invalid(
            "explicit axes u and v must be nonzero and not parallel",
        ));
    }
    Ok(())
}

/// Whether u and v are (numerically) parallel: the Gram determinant
/// ‖u‖²‖v‖² − (u·v)² is at most 1e-12·‖u‖²‖v‖².
fn parallel(u: &[f64], v: &[f64]) -> bool {
    let (uu, vv, uv) = (dot(u, u), dot(v, v), dot(u, v));
    uu * vv - uv * uv <= 1e-12 * uu * vv
}

/// The plane through p0, p1 and p2, centered at p0.
///
/// u = p1 − p0, so p1 sits at (1, 0). v is the Gram–Schmidt residual of w = p2 − p0
/// against u, rescaled to the length of u: both axes then have the same length in θ, so
/// the figure is undistorted (a unit step along a or b is ‖p1 − p0‖ in θ) and p2 sits at
/// (a2, b2) = (⟨w, u⟩/‖u‖², ‖w − ⟨w, u⟩u/‖u‖²‖/‖u‖), with b2 > 0.
pub fn three_point_axes(p0: &[f64], p1: &[f64], p2: &[f64]) -> Result<SliceAxes, CoreError> {
    if p1.len() != p0.len() || p2.len() != p0.len() {
        return Err(CoreError::invalid(format!(
            "three_points: the points have {}, {} and {} entries, not the same number",
            p0.len(),
            p1.len(),
            p2.len()
        )));
    }
    if let Some(i) = [p0, p1, p2]
        .iter()
        .position(|p| p.iter().any(|x| !x.is_finite()))
    {
        return Err(CoreError::invalid(format!(
            "three_points: point {i} has an entry that is not a finite number"
        )));
    }
    let u: Vec<f64> = p1.iter().zip(p0).map(|(x, y)| x - y).collect();
    let w: Vec<f64> = p2.iter().zip(p0).map(|(x, y)| x - y).collect();
    let uu = dot(&u, &u);
    if uu == 0.0 {
        return Err(CoreError::invalid(
            "three_points: the first two points are equal, so they span no plane",
        ));
    }
    if !(uu.is_finite() && dot(&w, &w).is_finite()) {
        return Err(CoreError::invalid(
            "three_points: the points are too far apart to compute with (their squared distances overflow)",
        ));
    }
    let a2 = dot(&w, &u) / uu;
    let residual: Vec<f64> = w.iter().zip(&u).map(|(wi, ui)| wi - a2 * ui).collect();
    let r = norm(&residual);
    if r <= 1e-12 * uu.sqrt().max(norm(&w)) {
        return Err(CoreError::invalid(
            "three_points: the three points lie on one line, so they span no plane",
        ));
    }
    let scale = uu.sqrt() / r;
    let v = residual.iter().map(|x| x * scale).collect();
    check_finite_axes(SliceAxes {
        center: p0.to_vec(),
        u,
        v,
        description: format!(
            "plane through three models: p0 at (0, 0), p1 at (1, 0), p2 at ({a2:.3}, {:.3})",
            r / uu.sqrt()
        ),
        u_name: "p1 − p0".into(),
        v_name: "p2 − p0, orthogonalized".into(),
    })
}

pub(crate) struct Pca {
    pub u: Vec<f64>,
    pub v: Vec<f64>,
    /// Fraction of the variance along u and v.
    pub explained: [f64; 2],
    /// The third principal direction and its fraction of the variance, when the
    /// trajectory has one (a 3D slice's third axis).
    pub third: Option<(Vec<f64>, f64)>,
}

/// Top-2 principal directions of trajectory points (centered at their mean), and the
/// third when there is one.
pub(crate) fn trajectory_pca(trajectory: &[Vec<f64>], n: usize) -> Result<Pca, CoreError> {
    if n < 2 {
        return Err(CoreError::invalid(format!(
            "PCA axes need a model with at least 2 parameters, and this one has {n}"
        )));
    }
    if let Some(i) = trajectory.iter().position(|p| p.len() != n) {
        return Err(CoreError::invalid(format!(
            "trajectory point {i} has {} entries but the model has {n} parameters",
            trajectory[i].len()
        )));
    }
    if let Some(i) = trajectory
        .iter()
        .position(|p| p.iter().any(|x| !x.is_finite()))
    {
        return Err(CoreError::invalid(format!(
            "trajectory point {i} has an entry that is not a finite number, so PCA axes cannot be built; choose other axes"
        )));
    }
    let mut distinct: Vec<&Vec<f64>> = Vec::new();
    for p in trajectory {
        if !distinct.contains(&p) {
            distinct.push(p);
        }
    }
    if distinct.len() < 3 {
        return Err(CoreError::invalid(format!(
            "PCA axes need a training trajectory with at least 3 distinct points, and this one has {}; train first or choose other axes",
            distinct.len()
        )));
    }
    let t = trajectory.len();
    let mut mean = vec![0.0; n];
    for p in trajectory {
        for (m, x) in mean.iter_mut().zip(p) {
            *m += x / t as f64;
        }
    }
    let centered = DMatrix::from_fn(t, n, |i, j| trajectory[i][j] - mean[j]);
    // Principal directions are the top eigenvectors of XᵀX; when there are fewer points
    // than parameters, go through the smaller Gram matrix XXᵀ (e = Xᵀe_T / σ).
    let (directions, eigenvalues) = if n <= t {
        let eig = pca_eigen(centered.transpose() * &centered)?;
        let order = descending(&eig.eigenvalues);
        let dirs: Vec<Vec<f64>> = order[..order.len().min(3)]
            .iter()
            .map(|&j| eig.eigenvectors.column(j).iter().copied().collect())
            .collect();
        (
            dirs,
            order
                .iter()
                .map(|&j| eig.eigenvalues[j].max(0.0))
                .collect::<Vec<_>>(),
        )
    } else {
        let eig = pca_eigen(&centered * centered.transpose())?;
        let order = descending(&eig.eigenvalues);
        let dirs = order[..order.len().min(3)]
            .iter()
            .map(|&j| {
                let d = centered.transpose() * eig.eigenvectors.column(j);
                let len = d.norm();
                d.iter().map(|x| x / len.max(f64::MIN_POSITIVE)).collect()
            })
            .collect();
        (
            dirs,
            order
                .iter()
                .map(|&j| eig.eigenvalues[j].max(0.0))
                .collect::<Vec<_>>(),
        )
    };
    let total: f64 = eigenvalues.iter().sum();
    // n ≥ 2 and t ≥ 3, so both matrices have at least two eigenvalues.
    if eigenvalues[1] <= 1e-12 * eigenvalues[0] {
        return Err(CoreError::invalid(
            "PCA axes need a trajectory that is not a straight line, and this one has only one direction of variance; choose other axes",
        ));
    }
    let first = &trajectory[0];
    let last = &trajectory[t - 1];
    let travel: Vec<f64> = last.iter().zip(first).map(|(l, f)| l - f).collect();
    let orient = |mut d: Vec<f64>| {
        if dot(&d, &travel) < 0.0 {
            for x in &mut d {
                *x = -*x;
            }
        }
        d
    };
    let mut dirs = directions.into_iter();
    let u = orient(dirs.next().expect("two directions"));
    let v = orient(dirs.next().expect("two directions"));
    let third = dirs.next().map(|w| (orient(w), eigenvalues[2] / total));
    Ok(Pca {
        u,
        v,
        explained: [eigenvalues[0] / total, eigenvalues[1] / total],
        third,
    })
}

/// The eigendecomposition of a trajectory's covariance or Gram matrix, refusing a
/// matrix that overflowed and capping the iterations (nalgebra's `new` loops without a
/// cap, which a non-finite matrix would never leave).
fn pca_eigen(m: DMatrix<f64>) -> Result<SymmetricEigen<f64, nalgebra::Dyn>, CoreError> {
    let refused = || {
        CoreError::invalid(
            "the trajectory's points are too far apart for PCA in f64 (its covariance overflows); choose other axes",
        )
    };
    if m.iter().any(|x| !x.is_finite()) {
        return Err(refused());
    }
    let n = m.nrows();
    SymmetricEigen::try_new(m, f64::EPSILON, 10_000 + 1_000 * n).ok_or_else(|| {
        CoreError::invalid("the eigendecomposition for the PCA axes did not converge")
    })
}

/// Indices of `values` sorted by value, largest first.
fn descending(values: &DVector<f64>) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&i, &j| values[j].total_cmp(&values[i]));
    order
}

type NamedAxes = (Vec<f64>, Vec<f64>, String, String, String);

/// Axes from the analysis at θ: Hessian eigenvectors (the full [`analyze`], exact
/// Hessian and its eigendecomposition), or left singular vectors of G and
/// tangent/normal directions of the behavior manifold (only G and its SVD,
/// [`analyze_gradients`], whose bases equal those of [`analyze`] bit for bit).
fn analysis_axes(
    choice: &AxisChoice,
    spec: &MlpSpec,
    theta: &[f64],
    data: &Dataset,
) -> Result<NamedAxes, CoreError> {
    match choice {
        AxisChoice::Hessian => hessian_axes(spec, theta, data),
        AxisChoice::GradientSingular => gradient_singular_axes(spec, theta, data),
        _ => manifold_axes(spec, theta, data),
    }
}

pub(crate) fn column(m: &DMatrix<f64>, j: usize) -> Vec<f64> {
    m.column(j).iter().copied().collect()
}

/// Eigenvectors of the two largest eigenvalues of the exact loss Hessian.
fn hessian_axes(spec: &MlpSpec, theta: &[f64], data: &Dataset) -> Result<NamedAxes, CoreError> {
    if theta.len() < 2 {
        return Err(CoreError::invalid(
            "Hessian axes need a model with at least 2 parameters",
        ));
    }
    let analysis = analyze(spec, theta, data, RankTolerance::NumpyDefault)?;
    let ((u, u_name), (v, v_name)) = (hessian_axis(&analysis, 0), hessian_axis(&analysis, 1));
    Ok((
        u,
        v,
        u_name,
        v_name,
        format!(
            "Hessian eigenvectors 1 and 2 (λ = {:.3e} and {:.3e})",
            analysis.hessian_eigenvalues[0], analysis.hessian_eigenvalues[1]
        ),
    ))
}

/// The first two left singular vectors of G, or the first and a tangent direction if
/// rank G = 1.
fn gradient_singular_axes(
    spec: &MlpSpec,
    theta: &[f64],
    data: &Dataset,
) -> Result<NamedAxes, CoreError> {
    let split = analyze_gradients(spec, theta, data, RankTolerance::NumpyDefault)?;
    // Rank 0 has no singular vector; the plane does not start on a tangent.
    let first = (split.g_rank > 0).then(|| gradient_singular_axis(&split, 0));
    let Some((u, u_name)) = first.flatten() else {
        return Err(CoreError::invalid(
            "G is zero at this θ (rank 0), so it has no singular directions; choose other axes",
        ));
    };
    let Some((v, v_name)) = gradient_singular_axis(&split, 1) else {
        return Err(CoreError::invalid(
            "G has rank 1 and the behavior manifold has no tangent direction to complete the plane; choose other axes",
        ));
    };
    let description = if singular_count(&split) >= 2 {
        "left singular vectors 1 and 2 of G"
    } else {
        "left singular vector 1 of G and a manifold tangent direction (G has rank 1)"
    };
    Ok((u, v, u_name, v_name, description.into()))
}

/// The first tangent and the first normal direction of the behavior manifold.
fn manifold_axes(spec: &MlpSpec, theta: &[f64], data: &Dataset) -> Result<NamedAxes, CoreError> {
    let split = analyze_gradients(spec, theta, data, RankTolerance::NumpyDefault)?;
    if split.tangent_basis.ncols() == 0 {
        return Err(CoreError::invalid(
            "the behavior manifold is a point here (G has full rank N), so it has no tangent direction; choose other axes",
        ));
    }
    if split.normal_basis.ncols() == 0 {
        return Err(CoreError::invalid(
            "G is zero at this θ, so the behavior manifold has no normal direction; choose other axes",
        ));
    }
    let ((u, u_name), (v, v_name)) = (manifold_tangent(&split, 0), manifold_normal(&split, 0));
    Ok((
        u,
        v,
        u_name,
        v_name,
        "behavior manifold: tangent direction 1 and normal direction 1".into(),
    ))
}

/// One axis of a slice: a direction in parameter space and its name in words. Each kind
/// of axis is built (and named) once, here, for the plane's two axes and a 3D slice's
/// third ([`crate::core::slice3d`]).
pub(crate) type NamedAxis = (Vec<f64>, String);

/// The coordinate direction e_i, named by its parameter.
pub(crate) fn coordinate_axis(spec: &MlpSpec, n: usize, i: usize) -> NamedAxis {
    (unit(n, i), format!("θ[{i}] = {}", spec.param_name(i)))
}

/// The random filter-normalized direction of `seed` ([`filter_normalized_direction`]).
pub(crate) fn random_axis(
    spec: &MlpSpec,
    theta: &[f64],
    seed: u64,
    bias: BiasTreatment,
) -> Result<NamedAxis, CoreError> {
    Ok((
        filter_normalized_direction(spec, theta, seed, bias)?,
        format!("random direction (seed {seed})"),
    ))
}

/// Eigenvector `k` (from 0, eigenvalues descending) of the exact loss Hessian.
pub(crate) fn hessian_axis(analysis: &Analysis, k: usize) -> NamedAxis {
    (
        column(&analysis.hessian_eigenvectors, k),
        format!("Hessian eigenvector {}", k + 1),
    )
}

/// How many left singular vectors of G the gradient axes use: one per unit of rank.
fn singular_count(split: &GradientSplit) -> usize {
    split.g_rank.min(split.g_left_singular_vectors.ncols())
}

/// Axis `k` (from 0) of the gradient choice: the left singular vectors of G up to its
/// rank, then the tangent directions of the behavior manifold; `None` past both.
pub(crate) fn gradient_singular_axis(split: &GradientSplit, k: usize) -> Option<NamedAxis> {
    let singular = singular_count(split);
    if k < singular {
        return Some((
            column(&split.g_left_singular_vectors, k),
            format!("left singular vector {} of G", k + 1),
        ));
    }
    let t = k - singular;
    (t < split.tangent_basis.ncols()).then(|| manifold_tangent(split, t))
}

/// Tangent direction `k` (from 0) of the behavior manifold (null space of Gᵀ).
pub(crate) fn manifold_tangent(split: &GradientSplit, k: usize) -> NamedAxis {
    (
        column(&split.tangent_basis, k),
        format!("manifold tangent {}", k + 1),
    )
}

/// Normal direction `k` (from 0) of the behavior manifold (column space of G).
pub(crate) fn manifold_normal(split: &GradientSplit, k: usize) -> NamedAxis {
    (
        column(&split.normal_basis, k),
        format!("manifold normal {}", k + 1),
    )
}

pub(crate) fn unit(n: usize, i: usize) -> Vec<f64> {
    let mut e = vec![0.0; n];
    e[i] = 1.0;
    e
}

pub(crate) fn dot(x: &[f64], y: &[f64]) -> f64 {
    x.iter().zip(y).map(|(a, b)| a * b).sum()
}

pub(crate) fn norm(x: &[f64]) -> f64 {
    dot(x, x).sqrt()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::core::Activation;

    /// A 2-3-1 tanh network at a seeded θ with three data points (N = 13): the slice
    /// tests' model, shared with the 3D slice's.
    pub(crate) fn tiny() -> (MlpSpec, Vec<f64>, Dataset) {
        let spec = MlpSpec::new(vec![2, 3, 1], Activation::Tanh, true).unwrap();
        let theta = spec.init_parameters(5);
        let data = Dataset {
            inputs: vec![vec![0.5, -1.0], vec![1.0, 0.3], vec![-0.7, 0.2]],
            targets: vec![1.0, -0.5, 0.25],
        };
        (spec, theta, data)
    }

    fn assert_orthonormal(u: &[f64], v: &[f64]) {
        assert!((norm(u) - 1.0).abs() < 1e-9, "‖u‖ = {}", norm(u));
        assert!((norm(v) - 1.0).abs() < 1e-9, "‖v‖ = {}", norm(v));
        assert!(dot(u, v).abs() < 1e-9, "u·v = {}", dot(u, v));
    }

    #[test]
    fn coordinate_axes_are_unit_vectors_centered_at_theta() {
        let (spec, theta, data) = tiny();
        let axes = slice_axes(
            &AxisChoice::Coordinates { a: 2, b: 7 },
            &spec,
            &theta,
            &data,
            &[],
            None,
        )
        .unwrap();
        assert_eq!(axes.center, theta);
        assert_eq!(axes.u, unit(theta.len(), 2));
        assert_eq!(axes.v, unit(theta.len(), 7));
        assert!(axes.u_name.contains("W1[1,0]"), "{}", axes.u_name);
        let pinned = vec![0.5; theta.len()];
        let axes = slice_axes(
            &AxisChoice::Coordinates { a: 0, b: 1 },
            &spec,
            &theta,
            &data,
            &[],
            Some(&pinned),
        )
        .unwrap();
        assert_eq!(axes.center, pinned);
    }

    #[test]
    fn filter_normalized_rows_have_the_norms_of_theta_rows() {
        let (spec, theta, _) = tiny();
        for bias in [BiasTreatment::Zero, BiasTreatment::Copy] {
            let d = filter_normalized_direction(&spec, &theta, 11, bias).unwrap();
            assert_eq!(
                d,
                filter_normalized_direction(&spec, &theta, 11, bias).unwrap(),
                "seeded"
            );
            for layout in spec.layouts() {
                for r in 0..layout.fan_out {
                    let row = layout.weight_index(r, 0)..layout.weight_index(r, 0) + layout.fan_in;
                    assert!((norm(&d[row.clone()]) - norm(&theta[row])).abs() < 1e-12);
                }
                let b = layout.bias_offset.unwrap();
                for i in b..b + layout.fan_out {
                    let expected = if bias == BiasTreatment::Zero {
                        0.0
                    } else {
                        theta[i]
                    };
                    assert!((d[i] - expected).abs() < 1e-15);
                }
            }
        }
        let (spec, theta, data) = tiny();
        let axes = slice_axes(
            &AxisChoice::Random {
                seed: 3,
                bias: BiasTreatment::Zero,
            },
            &spec,
            &theta,
            &data,
            &[],
            None,
        )
        .unwrap();
        assert_eq!(
            axes.v,
            filter_normalized_direction(&spec, &theta, 4, BiasTreatment::Zero).unwrap()
        );
        assert!(axes.description.contains("biases zeroed"));
    }

    /// A trajectory lying in the plane θ* + span(e1, e2) (e1, e2 orthonormal, not
    /// coordinate axes): PCA recovers that plane.
    #[test]
    fn pca_of_a_planar_trajectory_recovers_the_plane() {
        let (spec, theta, data) = tiny();
        let n = theta.len();
        let mut e1: Vec<f64> = (0..n).map(|i| ((i * 7 + 3) % 5) as f64 - 2.0).collect();
        let s = norm(&e1);
        for x in &mut e1 {
            *x /= s;
        }
        let raw: Vec<f64> = (0..n).map(|i| ((i * 3 + 1) % 4) as f64 - 1.5).collect();
        let mut e2: Vec<f64> = raw
            .iter()
            .zip(&e1)
            .map(|(r, e)| r - dot(&raw, &e1) * e)
            .collect();
        let s = norm(&e2);
        for x in &mut e2 {
            *x /= s;
        }
        let trajectory: Vec<Vec<f64>> = (0..20)
            .map(|t| {
                let t = f64::from(t);
                let (alpha, beta) = (3.0 * t / 19.0, (t / 3.0).sin());
                (0..n)
                    .map(|i| theta[i] + alpha * e1[i] + beta * e2[i])
                    .collect()
            })
            .collect();
        let axes = slice_axes(&AxisChoice::Pca, &spec, &theta, &data, &trajectory, None).unwrap();
        assert_orthonormal(&axes.u, &axes.v);
        for e in [&e1, &e2] {
            let in_plane = dot(e, &axes.u).powi(2) + dot(e, &axes.v).powi(2);
            assert!(
                (in_plane - 1.0).abs() < 1e-9,
                "e leaves the PCA plane: {in_plane}"
            );
        }
        // The trajectory moves toward +a.
        let (a0, _) = project_onto_slice(&axes, &trajectory[0]);
        let (a1, _) = project_onto_slice(&axes, &trajectory[19]);
        assert!(a1 > a0);
        // More points than parameters (the covariance path): points in the plane
        // spanned by (1, 1, 0) and (0, 0, 1), whose normal is (1, −1, 0).
        let points: Vec<Vec<f64>> = (0..12)
            .map(|t| {
                let t = f64::from(t);
                vec![1.0 + t, 1.0 + t, (0.7 * t).cos()]
            })
            .collect();
        let pca = trajectory_pca(&points, 3).unwrap();
        assert_orthonormal(&pca.u, &pca.v);
        let normal = [1.0, -1.0, 0.0];
        assert!(dot(&pca.u, &normal).abs() < 1e-9 && dot(&pca.v, &normal).abs() < 1e-9);
    }

    #[test]
    fn pca_needs_three_distinct_points() {
        let (spec, theta, data) = tiny();
        let e = slice_axes(
            &AxisChoice::Pca,
            &spec,
            &theta,
            &data,
            &[theta.clone(), theta.clone(), theta.clone()],
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("at least 3 distinct points") && e.contains("has 1"),
            "{e}"
        );
        let line: Vec<Vec<f64>> = (0..5)
            .map(|t| theta.iter().map(|x| x + f64::from(t)).collect())
            .collect();
        let e = slice_axes(&AxisChoice::Pca, &spec, &theta, &data, &line, None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("straight line"), "{e}");
    }

    #[test]
    fn three_point_plane_contains_all_three_points() {
        let p0 = vec![1.0, 2.0, 3.0, 4.0];
        let p1 = vec![2.0, 2.0, 3.5, 4.0];
        let p2 = vec![0.0, 5.0, 3.0, 1.0];
        let choice = AxisChoice::ThreePoints {
            points: vec![p0.clone(), p1.clone(), p2.clone()],
        };
        let spec = MlpSpec::new(vec![3, 1], Activation::Identity, true).unwrap();
        let data = Dataset {
            inputs: vec![vec![1.0, 0.0, 0.0]],
            targets: vec![1.0],
        };
        let axes = slice_axes(&choice, &spec, &[0.0; 4], &data, &[], None).unwrap();
        assert_eq!(axes.center, p0);
        assert_eq!(slice_point(&axes, 0.0, 0.0), p0);
        assert_eq!(slice_point(&axes, 1.0, 0.0), p1);
        assert!(dot(&axes.u, &axes.v).abs() < 1e-12);
        assert!(
            (norm(&axes.u) - norm(&axes.v)).abs() < 1e-12,
            "equal scales"
        );
        let (a2, b2) = project_onto_slice(&axes, &p2);
        assert!(b2 > 0.0);
        let back = slice_point(&axes, a2, b2);
        for (x, y) in back.iter().zip(&p2) {
            assert!((x - y).abs() < 1e-12, "p2 is off the plane");
        }
        let collinear = AxisChoice::ThreePoints {
            points: vec![
                p0.clone(),
                p1.clone(),
                p1.iter()
                    .map(|x| 2.0 * x)
                    .zip(&p0)
                    .map(|(x, y)| x - y)
                    .collect(),
            ],
        };
        let e = slice_axes(&collinear, &spec, &[0.0; 4], &data, &[], None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("one line"), "{e}");
    }

    #[test]
    fn projection_round_trips_slice_point() {
        let axes = SliceAxes {
            center: vec![0.5, -1.0, 2.0],
            u: vec![1.0, 2.0, 0.0],
            v: vec![0.5, -0.3, 1.5],
            description: String::new(),
            u_name: String::new(),
            v_name: String::new(),
        };
        for (a, b) in [(0.0, 0.0), (1.5, -2.25), (-3.0, 0.125)] {
            let (pa, pb) = project_onto_slice(&axes, &slice_point(&axes, a, b));
            assert!(
                (pa - a).abs() < 1e-12 && (pb - b).abs() < 1e-12,
                "({a}, {b}) → ({pa}, {pb})"
            );
        }
        // A point off the plane projects orthogonally: its residual is ⊥ u and v.
        let theta = [3.0, 1.0, -4.0];
        let (a, b) = project_onto_slice(&axes, &theta);
        let p = slice_point(&axes, a, b);
        let residual: Vec<f64> = theta.iter().zip(&p).map(|(x, y)| x - y).collect();
        assert!(dot(&residual, &axes.u).abs() < 1e-12 && dot(&residual, &axes.v).abs() < 1e-12);
    }

    #[test]
    fn analysis_axes_are_orthonormal_and_where_promised() {
        let (spec, theta, data) = tiny();
        let h = slice_axes(&AxisChoice::Hessian, &spec, &theta, &data, &[], None).unwrap();
        assert_orthonormal(&h.u, &h.v);
        let g = slice_axes(
            &AxisChoice::GradientSingular,
            &spec,
            &theta,
            &data,
            &[],
            None,
        )
        .unwrap();
        assert_orthonormal(&g.u, &g.v);
        let m = slice_axes(&AxisChoice::Manifold, &spec, &theta, &data, &[], None).unwrap();
        assert_orthonormal(&m.u, &m.v);
        // u is tangent to the behavior manifold: ∇f(x_i)·u = 0 for every input; v is not.
        let grads: Vec<Vec<f64>> = data
            .inputs
            .iter()
            .map(|x| spec.gradient(&theta, x))
            .collect();
        assert!(grads.iter().all(|gi| dot(gi, &m.u).abs() < 1e-9));
        assert!(grads.iter().any(|gi| dot(gi, &m.v).abs() > 1e-6));
    }

    /// Parallel inputs: G has rank 1, so the singular-vector plane is completed with a
    /// tangent direction and says so; a model whose manifold is a point has no tangent.
    #[test]
    fn rank_deficient_and_full_rank_cases_are_explained() {
        let spec = MlpSpec::new(vec![3, 1], Activation::Identity, false).unwrap();
        let data = Dataset {
            inputs: vec![vec![1.0, 0.5, 0.0], vec![2.0, 1.0, 0.0]],
            targets: vec![1.0, 2.0],
        };
        let theta = [0.1, 0.2, 0.3];
        let g = slice_axes(
            &AxisChoice::GradientSingular,
            &spec,
            &theta,
            &data,
            &[],
            None,
        )
        .unwrap();
        assert_orthonormal(&g.u, &g.v);
        assert!(g.description.contains("rank 1"), "{}", g.description);
        let full = MlpSpec::new(vec![2, 1], Activation::Identity, false).unwrap();
        let data = Dataset {
            inputs: vec![vec![1.0, 0.0], vec![0.0, 1.0]],
            targets: vec![1.0, 2.0],
        };
        let e = slice_axes(&AxisChoice::Manifold, &full, &[0.0, 0.0], &data, &[], None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("no tangent direction"), "{e}");
    }

    /// Singular-vector and manifold axes come from G alone ([`analyze_gradients`]), and
    /// equal the columns of the full analysis bit for bit: at full rank 3 (tiny), and at
    /// rank 1 where the singular-vector plane is completed with a tangent.
    #[test]
    fn g_only_axes_equal_the_full_analysis_bit_for_bit() {
        let (spec, theta, data) = tiny();
        let parallel = Dataset {
            inputs: vec![vec![0.5, -1.0], vec![1.0, -2.0], vec![-0.25, 0.5]],
            targets: vec![1.0, 0.0, 0.5],
        };
        let linear = MlpSpec::new(vec![2, 1], Activation::Identity, false).unwrap();
        let cases = [
            (&spec, theta.clone(), &data),
            (&linear, vec![0.3, -0.2], &parallel),
        ];
        for (spec, theta, data) in cases {
            let full = analyze(spec, &theta, data, RankTolerance::NumpyDefault).unwrap();
            let col = |m: &DMatrix<f64>, j: usize| column(m, j);
            let g =
                slice_axes(&AxisChoice::GradientSingular, spec, &theta, data, &[], None).unwrap();
            assert_eq!(g.u, col(&full.g_left_singular_vectors, 0));
            if full.g_rank >= 2 {
                assert_eq!(g.v, col(&full.g_left_singular_vectors, 1));
            } else {
                assert_eq!(g.v, col(&full.tangent_basis, 0));
            }
            let m = slice_axes(&AxisChoice::Manifold, spec, &theta, data, &[], None).unwrap();
            assert_eq!(m.u, col(&full.tangent_basis, 0));
            assert_eq!(m.v, col(&full.normal_basis, 0));
        }
        let linear_rank = analyze(
            &linear,
            &[0.3, -0.2],
            &parallel,
            RankTolerance::NumpyDefault,
        )
        .unwrap()
        .g_rank;
        assert_eq!(linear_rank, 1, "the second case has G of rank 1");
    }

    /// One choice of every `AxisChoice` variant for a model with n parameters, valid
    /// when n ≥ 2, checked by an exhaustive match so that a new variant must be added here.
    fn every_axis_choice(n: usize) -> Vec<AxisChoice> {
        let (first, last) = (unit(n, 0), unit(n, n - 1));
        let all = vec![
            AxisChoice::Coordinates { a: 0, b: 1 },
            AxisChoice::Random {
                seed: 0,
                bias: BiasTreatment::Zero,
            },
            AxisChoice::Random {
                seed: 0,
                bias: BiasTreatment::Copy,
            },
            AxisChoice::Pca,
            AxisChoice::Hessian,
            AxisChoice::GradientSingular,
            AxisChoice::Manifold,
            AxisChoice::ThreePoints {
                points: vec![vec![0.0; n], first.clone(), last.clone()],
            },
            AxisChoice::Explicit { u: first, v: last },
        ];
        let mut seen = std::collections::BTreeSet::new();
        for choice in &all {
            seen.insert(match choice {
                AxisChoice::Coordinates { .. } => 0,
                AxisChoice::Random { .. } => 1,
                AxisChoice::Pca => 2,
                AxisChoice::Hessian => 3,
                AxisChoice::GradientSingular => 4,
                AxisChoice::Manifold => 5,
                AxisChoice::ThreePoints { .. } => 6,
                AxisChoice::Explicit { .. } => 7,
            });
        }
        assert_eq!(seen.len(), 8, "every variant is listed");
        all
    }

    /// An error a user can read: one sentence on one line.
    fn assert_one_sentence(e: &CoreError, context: &str) {
        let text = e.to_string();
        assert!(!text.trim().is_empty(), "{context}: empty message");
        assert!(!text.contains('\n'), "{context}: {text}");
        assert!(
            !text.trim_end_matches('.').contains(". "),
            "{context}: more than one sentence: {text}"
        );
    }

    /// f(x) = w·x with the single parameter w: no plane of parameter space exists, and
    /// every axis choice says so instead of panicking (PCA used to index `order[..2]`).
    #[test]
    fn every_axis_choice_on_a_one_parameter_model_is_an_error_not_a_panic() {
        let spec = MlpSpec::new(vec![1, 1], Activation::Identity, false).unwrap();
        assert_eq!(spec.n_params(), 1);
        let theta = [0.5];
        let data = Dataset {
            inputs: vec![vec![1.0]],
            targets: vec![2.0],
        };
        let trajectory: Vec<Vec<f64>> = (0..5).map(|t| vec![0.5 + f64::from(t)]).collect();
        for choice in every_axis_choice(1) {
            let kind = choice.kind();
            let spec_error = SliceSpec {
                axes: choice.clone(),
                ..SliceSpec::default()
            }
            .validate(1)
            .expect_err(kind);
            assert_one_sentence(&spec_error, kind);
            let text = spec_error.to_string();
            assert!(
                text.contains("view.slice.axes") && text.contains("at least 2 parameters"),
                "{kind}: {text}"
            );
            for center in [None, Some(&theta[..])] {
                let e =
                    slice_axes(&choice, &spec, &theta, &data, &trajectory, center).expect_err(kind);
                assert_one_sentence(&e, kind);
                assert!(
                    e.to_string().contains("at least 2 parameters"),
                    "{kind}: {e}"
                );
            }
        }
        // The PCA itself, reached without slice_axes's check.
        let e = trajectory_pca(&trajectory, 1).err().expect("PCA on N = 1");
        assert!(e.to_string().contains("at least 2 parameters"), "{e}");
    }

    /// Every choice is a readable error, not a panic, at a non-finite θ or pinned center,
    /// and at θ = 0 of a bias-free network, where G = 0 (rank 0) and random directions
    /// are zero.
    #[test]
    fn every_axis_choice_at_non_finite_or_zero_parameters_is_an_error_or_finite_axes() {
        let (spec, theta, data) = tiny();
        let n = theta.len();
        let trajectory: Vec<Vec<f64>> = (0..5)
            .map(|t| {
                let t = f64::from(t);
                (0..n).map(|i| (t * (i + 1) as f64).sin()).collect()
            })
            .collect();
        let mut nan = theta.clone();
        nan[3] = f64::NAN;
        for choice in every_axis_choice(n) {
            let kind = choice.kind();
            let e = slice_axes(&choice, &spec, &nan, &data, &trajectory, None).expect_err(kind);
            assert_one_sentence(&e, kind);
            let e =
                slice_axes(&choice, &spec, &theta, &data, &trajectory, Some(&nan)).expect_err(kind);
            assert_one_sentence(&e, kind);
            let pinned = SliceSpec {
                axes: choice.clone(),
                center: Some(nan.clone()),
                ..SliceSpec::default()
            };
            assert_one_sentence(&pinned.validate(n).expect_err(kind), kind);
        }
        let bias_free = MlpSpec::new(vec![2, 3, 1], Activation::Tanh, false).unwrap();
        let zero = vec![0.0; bias_free.n_params()];
        let trajectory: Vec<Vec<f64>> = (0..4)
            .map(|t| {
                let t = f64::from(t);
                (0..zero.len())
                    .map(|i| (t * (i + 2) as f64).cos())
                    .collect()
            })
            .collect();
        for choice in every_axis_choice(zero.len()) {
            let kind = choice.kind();
            match slice_axes(&choice, &bias_free, &zero, &data, &trajectory, None) {
                Ok(axes) => assert!(
                    axes.u.iter().chain(&axes.v).all(|x| x.is_finite()),
                    "{kind}"
                ),
                Err(e) => assert_one_sentence(&e, kind),
            }
        }
        for choice in [
            AxisChoice::GradientSingular,
            AxisChoice::Manifold,
            AxisChoice::Random {
                seed: 1,
                bias: BiasTreatment::Copy,
            },
        ] {
            let e = slice_axes(&choice, &bias_free, &zero, &data, &[], None)
                .expect_err(choice.kind())
                .to_string();
            assert!(e.contains("zero"), "{}: {e}", choice.kind());
        }
    }

    /// Filter-normalized directions of [1, 1] with a zeroed bias are (±|w|, 0): parallel,
    /// so no plane; and a θ of the wrong length is an error, not an index panic.
    #[test]
    fn parallel_random_directions_and_wrong_length_theta_are_errors() {
        let spec = MlpSpec::new(vec![1, 1], Activation::Identity, true).unwrap();
        let data = Dataset {
            inputs: vec![vec![1.0]],
            targets: vec![2.0],
        };
        let choice = AxisChoice::Random {
            seed: 0,
            bias: BiasTreatment::Zero,
        };
        let e = slice_axes(&choice, &spec, &[0.5, 0.1], &data, &[], None).unwrap_err();
        assert_one_sentence(&e, "random");
        assert!(e.to_string().contains("parallel"), "{e}");
        let (tiny_spec, theta, _) = tiny();
        assert!(
            filter_normalized_direction(&tiny_spec, &theta[..4], 0, BiasTreatment::Copy).is_err()
        );
    }

    /// `validate` rejects what can be seen to be unbuildable without θ: explicit vectors
    /// that are parallel, zero or not finite, and three points on a line or not finite;
    /// `slice_axes` says the same. Non-finite trajectory points are refused by PCA.
    #[test]
    fn validate_rejects_explicit_and_three_point_axes_that_span_no_plane() {
        let (spec, theta, data) = tiny();
        let n = theta.len();
        let along = |s: f64| -> Vec<f64> { (0..n).map(|i| s * (i as f64 + 1.0)).collect() };
        let mut with_nan = along(1.0);
        with_nan[2] = f64::NAN;
        let bad = [
            AxisChoice::Explicit {
                u: along(1.0),
                v: along(-3.0),
            },
            AxisChoice::Explicit {
                u: vec![0.0; n],
                v: along(1.0),
            },
            AxisChoice::Explicit {
                u: with_nan.clone(),
                v: along(1.0),
            },
            AxisChoice::Explicit {
                u: along(1e200),
                v: unit(n, 0),
            },
            AxisChoice::ThreePoints {
                points: vec![along(1.0), along(2.0), along(5.0)],
            },
            AxisChoice::ThreePoints {
                points: vec![along(1.0), along(1.0), unit(n, 0)],
            },
            AxisChoice::ThreePoints {
                points: vec![along(1.0), with_nan, unit(n, 0)],
            },
        ];
        for choice in bad {
            let kind = choice.kind();
            let e = SliceSpec {
                axes: choice.clone(),
                ..SliceSpec::default()
            }
            .validate(n)
            .expect_err(kind);
            assert_one_sentence(&e, kind);
            assert!(e.to_string().starts_with("view.slice.axes"), "{e}");
            let e = slice_axes(&choice, &spec, &theta, &data, &[], None).expect_err(kind);
            assert_one_sentence(&e, kind);
        }
        for choice in every_axis_choice(n) {
            let spec = SliceSpec {
                axes: choice,
                ..SliceSpec::default()
            };
            assert!(spec.validate(n).is_ok(), "{:?}", spec.axes);
        }
        let mut trajectory: Vec<Vec<f64>> = (0..4).map(|t| along(f64::from(t).sin())).collect();
        trajectory.push(unit(n, 1));
        trajectory[1][0] = f64::INFINITY;
        let e = slice_axes(&AxisChoice::Pca, &spec, &theta, &data, &trajectory, None).unwrap_err();
        assert!(e.to_string().contains("not a finite number"), "{e}");
        trajectory[1][0] = 1e200;
        let e = slice_axes(&AxisChoice::Pca, &spec, &theta, &data, &trajectory, None).unwrap_err();
        assert_one_sentence(&e, "pca overflow");
    }
}
