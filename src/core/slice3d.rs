//! 3D slices θ(a, b, c) = θ₀ + a·u + b·v + c·w (docs/DESIGN.md §1 "Slices") and what the
//! scene keeps for the two 3D views: the volume's third axis, size, surfaces, clipping
//! planes and camera (`view.slice3d`), and the terrain's camera and height scale
//! (`view.terrain`).
//!
//! The plane u, v is the 2D slice's ([`slice_axes`]); this file adds the third direction
//! w that each axis choice implies, and refuses one that spans no volume.

use nalgebra::{Matrix3, Vector3};
use serde::{Deserialize, Serialize};

use super::analysis::{RankTolerance, analyze, analyze_gradients};
use super::camera::OrbitCamera;
use super::data::Dataset;
use super::error::CoreError;
use super::mlp::MlpSpec;
use super::slice::{
    AxisChoice, BiasTreatment, NamedAxis, SliceAxes, coordinate_axis, dot, gradient_singular_axis,
    hessian_axis, manifold_normal, norm, random_axis, slice_axes, trajectory_pca, unit,
};

/// Largest volume side a 3D slice accepts: 512³ points is already 134 million per channel.
pub const MAX_VOLUME_SIDE: usize = 512;
/// Most selected surfaces the 3D view draws at once (inputs × levels).
pub const MAX_SURFACES: usize = 8;

/// Where the third axis w of a 3D slice comes from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum ThirdAxis {
    /// The next direction of the plane's own choice: the next coordinate, random seed,
    /// principal component, Hessian eigenvector or singular vector of G, the second
    /// normal direction of the behavior manifold (tangent × normal × normal), or for three
    /// models the coordinate direction most orthogonal to their plane.
    #[default]
    Auto,
    /// The unit vector of parameter θ[index].
    Coordinate { index: usize },
    /// A filter-normalized random direction.
    Random {
        seed: u64,
        #[serde(default)]
        bias: BiasTreatment,
    },
    /// An explicit vector w.
    Explicit { w: Vec<f64> },
}

/// One axis-aligned clipping plane: the part of the volume beyond `at` along `axis`
/// (0 = a, 1 = b, 2 = c) is cut away, on the side `keep` does not name.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClipPlane {
    pub axis: usize,
    /// Slice coordinate of the plane.
    pub at: f64,
    /// Keep the side below the plane (true) or above it (false).
    #[serde(default = "yes")]
    pub keep_below: bool,
}

fn yes() -> bool {
    true
}

/// The `view.slice3d` section: the volume and how it is drawn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Slice3dSpec {
    /// Where w comes from (the plane is `view.slice.axes`, the range of c `c_range`).
    pub third_axis: ThirdAxis,
    /// Grid points along a, b and c.
    pub resolution: [usize; 3],
    /// The inputs whose surfaces are drawn; absent means every input (at most
    /// [`MAX_SURFACES`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inputs: Option<Vec<usize>>,
    /// Offsets m of the drawn levels f(x_i) = base_i + m; `[0]` draws the one surface.
    pub levels: Vec<f64>,
    /// The base of the levels: the targets y_i (the solution surfaces, meeting in the
    /// solution set) or the current outputs f(x_i; θ) (meeting in the behavior manifold
    /// through θ).
    pub through_theta: bool,
    /// Up to three axis-aligned clipping planes.
    pub clip: Vec<ClipPlane>,
    pub camera: OrbitCamera,
}

impl Default for Slice3dSpec {
    fn default() -> Self {
        Self {
            third_axis: ThirdAxis::Auto,
            resolution: [64, 64, 64],
            inputs: None,
            levels: vec![0.0],
            through_theta: false,
            clip: Vec::new(),
            camera: OrbitCamera::default(),
        }
    }
}

impl Slice3dSpec {
    /// Checks the resolution, the inputs and levels, the clipping planes and the camera
    /// for a model with `n_params` parameters and `n_inputs` data points.
    pub fn validate(&self, n_params: usize, n_inputs: usize) -> Result<(), CoreError> {
        for r in self.resolution {
            if !(2..=MAX_VOLUME_SIDE).contains(&r) {
                return Err(CoreError::invalid(format!(
                    "view.slice3d.resolution entries must be between 2 and {MAX_VOLUME_SIDE}, not {r}"
                )));
            }
        }
        if let Some(inputs) = &self.inputs
            && let Some(i) = inputs.iter().find(|&&i| i >= n_inputs)
        {
            return Err(CoreError::invalid(format!(
                "view.slice3d.inputs names input {i}, but the data has {n_inputs} inputs"
            )));
        }
        if self.levels.is_empty() || self.levels.iter().any(|l| !l.is_finite()) {
            return Err(CoreError::invalid(
                "view.slice3d.levels must be a non-empty list of finite numbers",
            ));
        }
        if self.clip.len() > 3 {
            return Err(CoreError::invalid(format!(
                "view.slice3d.clip holds at most 3 planes, not {}",
                self.clip.len()
            )));
        }
        if let Some(p) = self.clip.iter().find(|p| p.axis > 2 || !p.at.is_finite()) {
            return Err(CoreError::invalid(format!(
                "view.slice3d.clip planes need axis 0, 1 or 2 and a finite position, not axis {} at {}",
                p.axis, p.at
            )));
        }
        match &self.third_axis {
            ThirdAxis::Coordinate { index } if *index >= n_params => {
                Err(CoreError::invalid(format!(
                    "view.slice3d.third_axis coordinate must be an index below {n_params}, not {index}"
                )))
            }
            ThirdAxis::Explicit { w }
                if w.len() != n_params || w.iter().any(|x| !x.is_finite()) =>
            {
                Err(CoreError::invalid(format!(
                    "view.slice3d.third_axis explicit w needs {n_params} finite entries"
                )))
            }
            _ => Ok(()),
        }?;
        self.camera.validate("view.slice3d")
    }

    /// The selected inputs: those listed, else every input, at most [`MAX_SURFACES`].
    pub fn selected_inputs(&self, n_inputs: usize) -> Vec<usize> {
        match &self.inputs {
            Some(list) => list
                .iter()
                .copied()
                .filter(|&i| i < n_inputs)
                .collect::<Vec<_>>(),
            None => (0..n_inputs).collect(),
        }
        .into_iter()
        .take(MAX_SURFACES)
        .collect()
    }
}

/// The `view.terrain` section: the loss over the 2D slice as a height field.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TerrainSpec {
    /// Height is log₁₀ of the loss (true) or the loss itself.
    pub log_height: bool,
    pub camera: OrbitCamera,
}

impl Default for TerrainSpec {
    fn default() -> Self {
        Self {
            log_height: true,
            camera: OrbitCamera {
                pitch_deg: 35.0,
                ..OrbitCamera::default()
            },
        }
    }
}

/// A concrete 3D slice: the plane of [`SliceAxes`] and the third direction w.
#[derive(Clone, Debug, PartialEq)]
pub struct Slice3Axes {
    pub plane: SliceAxes,
    /// Direction of the c axis.
    pub w: Vec<f64>,
    /// The c axis in words.
    pub w_name: String,
}

impl Slice3Axes {
    /// The three directions u, v, w.
    pub fn directions(&self) -> Vec<Vec<f64>> {
        vec![self.plane.u.clone(), self.plane.v.clone(), self.w.clone()]
    }

    /// The three axes in words.
    pub fn names(&self) -> Vec<String> {
        vec![
            self.plane.u_name.clone(),
            self.plane.v_name.clone(),
            self.w_name.clone(),
        ]
    }
}

/// Builds the 3D slice that `choice` and `third` describe at the current θ: the plane of
/// [`slice_axes`], then w. A third axis that cannot be built is one sentence: a model
/// with fewer than 3 parameters, a PCA or an analysis with fewer than 3 directions, or a
/// w in the plane of u and v.
pub fn slice3d_axes(
    choice: &AxisChoice,
    third: &ThirdAxis,
    spec: &MlpSpec,
    theta: &[f64],
    data: &Dataset,
    trajectory: &[Vec<f64>],
    center: Option<&[f64]>,
) -> Result<Slice3Axes, CoreError> {
    let n = theta.len();
    if n < 3 {
        return Err(CoreError::invalid(format!(
            "a 3D slice needs a model with at least 3 parameters, and this one has {n}"
        )));
    }
    let plane = slice_axes(choice, spec, theta, data, trajectory, center)?;
    let (w, w_name) = match third {
        ThirdAxis::Auto => auto_third_axis(choice, &plane, spec, theta, data, trajectory)?,
        ThirdAxis::Coordinate { index } => {
            if *index >= n {
                return Err(CoreError::invalid(format!(
                    "the third axis θ[{index}] does not exist in a model with {n} parameters"
                )));
            }
            coordinate_axis(spec, n, *index)
        }
        ThirdAxis::Random { seed, bias } => random_axis(spec, theta, *seed, *bias)?,
        ThirdAxis::Explicit { w } => {
            if w.len() != n {
                return Err(CoreError::invalid(format!(
                    "the explicit third axis w needs {n} entries, not {}",
                    w.len()
                )));
            }
            (w.clone(), "w".into())
        }
    };
    check_spans_volume(&plane.u, &plane.v, &w)?;
    Ok(Slice3Axes { plane, w, w_name })
}

/// The third axis each plane choice implies.
fn auto_third_axis(
    choice: &AxisChoice,
    plane: &SliceAxes,
    spec: &MlpSpec,
    theta: &[f64],
    data: &Dataset,
    trajectory: &[Vec<f64>],
) -> Result<NamedAxis, CoreError> {
    let n = theta.len();
    let center = &plane.center;
    Ok(match choice {
        AxisChoice::Coordinates { a, b } => {
            let c = (0..n).find(|i| i != a && i != b).expect("n ≥ 3");
            coordinate_axis(spec, n, c)
        }
        AxisChoice::Random { seed, bias } => random_axis(spec, theta, seed.wrapping_add(2), *bias)?,
        AxisChoice::Pca => {
            let pca = trajectory_pca(trajectory, n)?;
            match pca.third {
                Some((w, share)) if share > 1e-12 * pca.explained[0] => {
                    (w, "principal component 3".into())
                }
                _ => {
                    return Err(CoreError::invalid(
                        "the training trajectory spans fewer than 3 directions, so PCA has no third axis; choose another third axis",
                    ));
                }
            }
        }
        AxisChoice::Hessian => {
            let analysis = analyze(spec, center, data, RankTolerance::NumpyDefault)?;
            hessian_axis(&analysis, 2)
        }
        AxisChoice::GradientSingular => {
            let split = analyze_gradients(spec, center, data, RankTolerance::NumpyDefault)?;
            // The plane took axes 0 and 1 of the same sequence.
            let Some(w) = gradient_singular_axis(&split, 2) else {
                return Err(CoreError::invalid(format!(
                    "G has rank {} and the behavior manifold has too few tangent directions for a third axis; choose another third axis",
                    split.g_rank
                )));
            };
            w
        }
        AxisChoice::Manifold => {
            let split = analyze_gradients(spec, center, data, RankTolerance::NumpyDefault)?;
            if split.normal_basis.ncols() < 2 {
                return Err(CoreError::invalid(format!(
                    "the behavior manifold has {} normal direction here (G has rank {}), so tangent × normal × normal cannot be built; choose another third axis",
                    split.normal_basis.ncols(),
                    split.g_rank
                )));
            }
            manifold_normal(&split, 1)
        }
        AxisChoice::ThreePoints { .. } | AxisChoice::Explicit { .. } => {
            most_orthogonal_coordinate(plane, spec)
        }
    })
}

/// The coordinate direction e_i with the largest part orthogonal to the plane, made
/// orthogonal to it and as long as u: for planes (three models, explicit vectors) that
/// imply no third direction.
fn most_orthogonal_coordinate(plane: &SliceAxes, spec: &MlpSpec) -> (Vec<f64>, String) {
    let n = plane.n_params();
    let (e1, e2) = orthonormal_pair(&plane.u, &plane.v);
    let residual = |i: usize| -> Vec<f64> {
        let mut r = unit(n, i);
        for e in [&e1, &e2] {
            let d = e[i];
            for (x, y) in r.iter_mut().zip(e) {
                *x -= d * y;
            }
        }
        r
    };
    let best = (0..n)
        .max_by(|&i, &j| norm(&residual(i)).total_cmp(&norm(&residual(j))))
        .expect("n ≥ 3");
    let r = residual(best);
    let scale = norm(&plane.u) / norm(&r);
    (
        r.iter().map(|x| x * scale).collect(),
        format!("θ[{best}] = {}, orthogonalized", spec.param_name(best)),
    )
}

/// An orthonormal basis of span(u, v) (u, v independent).
fn orthonormal_pair(u: &[f64], v: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let nu = norm(u);
    let e1: Vec<f64> = u.iter().map(|x| x / nu).collect();
    let d = dot(v, &e1);
    let r: Vec<f64> = v.iter().zip(&e1).map(|(x, e)| x - d * e).collect();
    let nr = norm(&r);
    (e1, r.iter().map(|x| x / nr).collect())
}

/// w must be finite, nonzero and not in span(u, v): the Gram determinant of u, v, w must
/// exceed 1e-12·‖u‖²‖v‖²‖w‖².
fn check_spans_volume(u: &[f64], v: &[f64], w: &[f64]) -> Result<(), CoreError> {
    if w.iter().any(|x| !x.is_finite()) {
        return Err(CoreError::invalid(
            "the third axis w has entries that are not finite numbers; choose another third axis",
        ));
    }
    let ww = dot(w, w);
    if ww == 0.0 {
        return Err(CoreError::invalid(
            "the third axis w is zero, so u, v and w span no volume; choose another third axis",
        ));
    }
    let gram = Matrix3::from_fn(|i, j| {
        let x = [u, v, w];
        dot(x[i], x[j])
    });
    let scale = dot(u, u) * dot(v, v) * ww;
    if !(scale.is_finite() && gram.determinant() > 1e-12 * scale) {
        return Err(CoreError::invalid(
            "the third axis w lies in the plane of u and v (it is parallel to them), so the three span no volume; choose another third axis",
        ));
    }
    Ok(())
}

/// Multiply-adds the CPU path may spend on one field of a 3D view (volume or terrain):
/// about a second on two cores, so a view that follows θ stays live.
pub const CPU_VIEW_BUDGET: f64 = 1.5e8;

/// The grid the 3D views evaluate on the CPU path: `shape`, scaled down evenly (to no less
/// than 8 per axis) so that one field of `spec` with `k` inputs costs at most `budget`
/// multiply-adds.
pub fn budgeted_shape(shape: &[usize], spec: &MlpSpec, k: usize, budget: f64) -> Vec<usize> {
    let per_point = (k.max(1) * spec.layers.windows(2).map(|w| w[0] * w[1]).sum::<usize>()) as f64;
    let points: f64 = shape.iter().map(|&s| s as f64).product();
    if points * per_point <= budget {
        return shape.to_vec();
    }
    let scale = (budget / (points * per_point)).powf(1.0 / shape.len() as f64);
    shape
        .iter()
        .map(|&s| ((s as f64 * scale) as usize).clamp(8.min(s), s))
        .collect()
}

/// Least-squares slice coordinates (a, b, c) of θ: the minimizer of
/// ‖θ − center − a·u − b·v − c·w‖ from the 3×3 normal equations.
pub fn project_onto_slice3(axes: &Slice3Axes, theta: &[f64]) -> [f64; 3] {
    let d: Vec<f64> = theta
        .iter()
        .zip(&axes.plane.center)
        .map(|(t, c)| t - c)
        .collect();
    let x = [&axes.plane.u, &axes.plane.v, &axes.w];
    let gram = Matrix3::from_fn(|i, j| dot(x[i], x[j]));
    let rhs = Vector3::from_fn(|i, _| dot(x[i], &d));
    gram.lu()
        .solve(&rhs)
        .map_or([0.0; 3], |s| [s[0], s[1], s[2]])
}

/// Reads a comma-separated list of level offsets ("0, 0.25, -0.1"), as the 3D view's
/// levels field takes them: one to [`MAX_SURFACES`] finite numbers, or one sentence
/// saying what is wrong.
pub fn parse_levels(text: &str) -> Result<Vec<f64>, String> {
    let mut levels = Vec::new();
    for part in text.split(',') {
        let part = part.trim();
        let value: f64 = part
            .parse()
            .map_err(|_| format!("“{part}” is not a number; write offsets like 0, 0.25, -0.1"))?;
        if !value.is_finite() {
            return Err(format!("“{part}” is not a finite number"));
        }
        levels.push(value);
    }
    if levels.len() > MAX_SURFACES {
        return Err(format!("at most {MAX_SURFACES} levels are drawn"));
    }
    Ok(levels)
}

/// The levels as the view's field shows them ("0, 0.25").
pub fn format_levels(levels: &[f64]) -> String {
    levels
        .iter()
        .map(f64::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Activation;
    use crate::core::slice::column;
    use crate::core::slice::tests::tiny;

    #[test]
    fn levels_field_reads_comma_separated_offsets_and_refuses_the_rest() {
        assert_eq!(parse_levels("0"), Ok(vec![0.0]));
        assert_eq!(parse_levels(" 0, 0.25 ,-1e-1"), Ok(vec![0.0, 0.25, -0.1]));
        let written = [0.5, -0.125, 3.0];
        assert_eq!(parse_levels(&format_levels(&written)), Ok(written.to_vec()));
        for bad in ["", "a", "0,,1", "0, nan", "inf", "1,2,3,4,5,6,7,8,9"] {
            assert!(parse_levels(bad).is_err(), "{bad:?} was accepted");
        }
    }

    fn trajectory(n: usize) -> Vec<Vec<f64>> {
        (0..12)
            .map(|t| {
                let t = f64::from(t);
                (0..n)
                    .map(|i| (t * (i as f64 + 1.0) * 0.37).sin() + 0.1 * t)
                    .collect()
            })
            .collect()
    }

    fn one_sentence(e: &CoreError) -> String {
        let text = e.to_string();
        assert!(
            !text.contains('\n') && !text.trim_end_matches('.').contains(". "),
            "{text}"
        );
        text
    }

    /// Every axis choice gets a third axis that, with u and v, spans a volume, and the
    /// analysis-based ones are orthonormal triples as their definitions promise.
    #[test]
    fn every_axis_choice_has_a_third_axis_spanning_a_volume() {
        let (spec, theta, data) = tiny();
        let n = theta.len();
        let trajectory = trajectory(n);
        let choices = [
            AxisChoice::Coordinates { a: 0, b: 1 },
            AxisChoice::Random {
                seed: 3,
                bias: BiasTreatment::Zero,
            },
            AxisChoice::Pca,
            AxisChoice::Hessian,
            AxisChoice::GradientSingular,
            AxisChoice::Manifold,
            AxisChoice::ThreePoints {
                points: vec![vec![0.0; n], unit(n, 0), unit(n, 1)],
            },
            AxisChoice::Explicit {
                u: unit(n, 2),
                v: unit(n, 3),
            },
        ];
        for choice in choices {
            let axes = slice3d_axes(
                &choice,
                &ThirdAxis::Auto,
                &spec,
                &theta,
                &data,
                &trajectory,
                None,
            )
            .unwrap_or_else(|e| panic!("{}: {e}", choice.kind()));
            let [u, v, w] = [&axes.plane.u, &axes.plane.v, &axes.w];
            let gram = Matrix3::from_fn(|i, j| dot([u, v, w][i], [u, v, w][j]));
            assert!(
                gram.determinant() > 1e-6 * gram.trace().powi(3),
                "{}",
                choice.kind()
            );
            if matches!(
                choice,
                AxisChoice::Pca
                    | AxisChoice::Hessian
                    | AxisChoice::GradientSingular
                    | AxisChoice::Manifold
            ) {
                assert!(
                    (gram - Matrix3::identity()).abs().max() < 1e-9,
                    "{}: {gram}",
                    choice.kind()
                );
            }
        }
        // tangent × normal × normal: u is tangent (∇f(x_i)·u = 0), w is normal.
        let axes = auto_axes(&AxisChoice::Manifold, &spec, &theta, &data).unwrap();
        let grads = gradients(&spec, &theta, &data);
        assert!(grads.iter().all(|g| dot(g, &axes.plane.u).abs() < 1e-9));
        assert!(grads.iter().any(|g| dot(g, &axes.w).abs() > 1e-6));
        // The Hessian's third eigenvector is the third column of the full analysis.
        let full = analyze(&spec, &theta, &data, RankTolerance::NumpyDefault).unwrap();
        let h = auto_axes(&AxisChoice::Hessian, &spec, &theta, &data).unwrap();
        assert_eq!(h.w, column(&full.hessian_eigenvectors, 2));
    }

    /// The 3D slice of `choice` with the third axis it implies, at θ, with no trajectory.
    fn auto_axes(
        choice: &AxisChoice,
        spec: &MlpSpec,
        theta: &[f64],
        data: &Dataset,
    ) -> Result<Slice3Axes, CoreError> {
        slice3d_axes(choice, &ThirdAxis::Auto, spec, theta, data, &[], None)
    }

    /// ∇f(x_i) for every input: the columns of G.
    fn gradients(spec: &MlpSpec, theta: &[f64], data: &Dataset) -> Vec<Vec<f64>> {
        data.inputs
            .iter()
            .map(|x| spec.gradient(theta, x))
            .collect()
    }

    /// What is left of `x` after removing its parts along the orthonormal `basis`.
    fn residual(x: &[f64], basis: &[Vec<f64>]) -> Vec<f64> {
        let mut r = x.to_vec();
        for e in basis {
            let d = dot(&r, e);
            r.iter_mut().zip(e).for_each(|(x, y)| *x -= d * y);
        }
        r
    }

    /// The gradient choice takes G's left singular vectors up to its rank, then tangent
    /// directions of the behavior manifold: with k = 1, 2, 3 data points (rank G = k),
    /// the first k of u, v, w lie in the span of the gradients ∇f(x_i) (checked by
    /// Gram–Schmidt on the gradients) and the others are orthogonal to every gradient.
    #[test]
    fn gradient_axes_are_singular_vectors_up_to_the_rank_then_tangents() {
        let (spec, theta, full) = tiny();
        for k in 1..=3 {
            let data = Dataset {
                inputs: full.inputs[..k].to_vec(),
                targets: full.targets[..k].to_vec(),
            };
            let axes = auto_axes(&AxisChoice::GradientSingular, &spec, &theta, &data)
                .unwrap_or_else(|e| panic!("k = {k}: {e}"));
            let grads = gradients(&spec, &theta, &data);
            // Gram–Schmidt: an orthonormal basis of span{∇f(x_i)}.
            let mut basis: Vec<Vec<f64>> = Vec::new();
            for g in &grads {
                let r = residual(g, &basis);
                let nr = norm(&r);
                basis.push(r.iter().map(|x| x / nr).collect());
            }
            for (i, x) in axes.directions().iter().enumerate() {
                if i < k {
                    let outside = norm(&residual(x, &basis));
                    assert!(
                        outside < 1e-9,
                        "k = {k}, axis {i}: not in span G ({outside:e})"
                    );
                } else {
                    let most = grads.iter().map(|g| dot(g, x).abs()).fold(0.0, f64::max);
                    assert!(most < 1e-9, "k = {k}, axis {i}: not a tangent ({most:e})");
                }
            }
        }
    }

    #[test]
    fn third_axes_that_span_no_volume_are_one_sentence_errors() {
        let (spec, theta, data) = tiny();
        let n = theta.len();
        let coords = AxisChoice::Coordinates { a: 0, b: 1 };
        // w in the plane of u and v.
        let mut in_plane = unit(n, 0);
        in_plane[1] = 2.0;
        for third in [
            ThirdAxis::Coordinate { index: 1 },
            ThirdAxis::Explicit { w: in_plane },
            ThirdAxis::Explicit { w: vec![0.0; n] },
        ] {
            let e = slice3d_axes(&coords, &third, &spec, &theta, &data, &[], None).unwrap_err();
            let text = one_sentence(&e);
            assert!(text.contains("span no volume"), "{text}");
        }
        // A model with 2 parameters.
        let small = MlpSpec::new(vec![2, 1], Activation::Identity, false).unwrap();
        let data2 = Dataset {
            inputs: vec![vec![1.0, 0.0]],
            targets: vec![1.0],
        };
        let e = slice3d_axes(
            &coords,
            &ThirdAxis::Auto,
            &small,
            &[0.1, 0.2],
            &data2,
            &[],
            None,
        )
        .unwrap_err();
        assert!(one_sentence(&e).contains("at least 3 parameters"), "{e}");
        // A trajectory in a plane: PCA has two directions only.
        let planar: Vec<Vec<f64>> = (0..10)
            .map(|t| {
                let t = f64::from(t);
                let mut p = theta.clone();
                p[0] += t;
                p[3] += (t * 0.7).sin();
                p
            })
            .collect();
        let e = slice3d_axes(
            &AxisChoice::Pca,
            &ThirdAxis::Auto,
            &spec,
            &theta,
            &data,
            &planar,
            None,
        )
        .unwrap_err();
        assert!(one_sentence(&e).contains("fewer than 3 directions"), "{e}");
        // Parallel inputs: G has rank 1, one normal direction.
        let linear = MlpSpec::new(vec![3, 1], Activation::Identity, false).unwrap();
        let parallel = Dataset {
            inputs: vec![vec![1.0, 0.5, 0.0], vec![2.0, 1.0, 0.0]],
            targets: vec![1.0, 2.0],
        };
        let e = slice3d_axes(
            &AxisChoice::Manifold,
            &ThirdAxis::Auto,
            &linear,
            &[0.1, 0.2, 0.3],
            &parallel,
            &[],
            None,
        )
        .unwrap_err();
        assert!(
            one_sentence(&e).contains("tangent × normal × normal"),
            "{e}"
        );
    }

    #[test]
    fn projection_onto_a_3d_slice_recovers_slice_coordinates() {
        let (spec, theta, data) = tiny();
        let axes = slice3d_axes(
            &AxisChoice::Random {
                seed: 1,
                bias: BiasTreatment::Copy,
            },
            &ThirdAxis::Auto,
            &spec,
            &theta,
            &data,
            &[],
            None,
        )
        .unwrap();
        let (a, b, c) = (0.3, -1.2, 0.75);
        let point: Vec<f64> = (0..theta.len())
            .map(|i| {
                axes.plane.center[i] + a * axes.plane.u[i] + b * axes.plane.v[i] + c * axes.w[i]
            })
            .collect();
        let [pa, pb, pc] = project_onto_slice3(&axes, &point);
        assert!((pa - a).abs() < 1e-9 && (pb - b).abs() < 1e-9 && (pc - c).abs() < 1e-9);
    }

    /// A scene's 3D settings (camera, clipping planes, selected inputs, levels, third
    /// axis) survive saving and loading; a scene without them loads with the defaults.
    #[test]
    fn scenes_keep_their_3d_settings_and_old_scenes_get_the_defaults() {
        let mut scene = crate::core::Scene::resolve("perpendicular").unwrap();
        assert_eq!(scene.view.slice3d, Slice3dSpec::default());
        assert_eq!(scene.view.terrain, TerrainSpec::default());
        scene.view.slice3d = Slice3dSpec {
            third_axis: ThirdAxis::Explicit {
                w: vec![0.0, 0.5, 1.0],
            },
            resolution: [20, 30, 40],
            inputs: Some(vec![1]),
            levels: vec![0.0, 0.25],
            through_theta: true,
            clip: vec![ClipPlane {
                axis: 2,
                at: 0.5,
                keep_below: false,
            }],
            camera: OrbitCamera {
                yaw_deg: 12.5,
                pitch_deg: -40.0,
                distance: 3.0,
                target: [0.1, -0.2, 0.3],
                fov_y_deg: 50.0,
            },
        };
        scene.view.terrain.log_height = false;
        scene.view.terrain.camera.yaw_deg = 80.0;
        let back = crate::core::Scene::from_json(&scene.to_json(), "saved").unwrap();
        assert_eq!(back.view, scene.view);
    }

    #[test]
    fn volume_specs_out_of_range_are_refused_before_anything_is_allocated() {
        let bad = [
            Slice3dSpec {
                resolution: [64, 100_000, 64],
                ..Slice3dSpec::default()
            },
            Slice3dSpec {
                inputs: Some(vec![0, 7]),
                ..Slice3dSpec::default()
            },
            Slice3dSpec {
                levels: vec![f64::NAN],
                ..Slice3dSpec::default()
            },
            Slice3dSpec {
                clip: vec![
                    ClipPlane {
                        axis: 0,
                        at: 0.0,
                        keep_below: true
                    };
                    4
                ],
                ..Slice3dSpec::default()
            },
            Slice3dSpec {
                third_axis: ThirdAxis::Coordinate { index: 99 },
                ..Slice3dSpec::default()
            },
        ];
        for spec in bad {
            let e = spec.validate(9, 3).unwrap_err();
            assert!(one_sentence(&e).starts_with("view.slice3d"), "{e}");
        }
        assert!(Slice3dSpec::default().validate(9, 3).is_ok());
    }
}
