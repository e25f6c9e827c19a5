//! The figure of one view of a scene, drawn offscreen: what `basinscope render` writes and
//! what the app's Export writes, from the same code, so the two agree. No egui here.
//!
//! slice2d: the scene's slice axes (PCA from its recorded trajectory), the fields on the
//! slice grid from the given evaluator, the CPU-drawn slice figure. data: the network's
//! function over input space. gradients: G, its singular values with the rank threshold
//! and the Hessian spectrum beside (2/k)σ², at the scene's θ. loss: the recorded loss
//! history. Each as PNG or SVG ([`Surface`]), in the light or dark theme. slice3d and
//! terrain: the ray-marched pictures of [`super::scene_picture`], PNG only. path: the
//! paths figure of [`super::scene_path`].

use anyhow::{Context as _, bail};

use crate::core::Scene;
use crate::core::analysis::{RankTolerance, analyze};
use crate::core::field::{Field, FieldEvaluator as _, FieldRequest, SliceGrid};
use crate::core::limits::{MAX_TITLE_CHARS, shown};
use crate::core::slice::{AxisChoice, project_onto_slice};
use crate::draw::figure::charts::{loss_csv, spectra_csv};
use crate::draw::figure::{
    DataFigure, FigureOptions, Format, GradientsFigure, LossFigure, Rendered, SliceFigure, Surface,
    data_figure, gradients_figure, loss_figure, slice_figure, title_volume_picture,
};
use crate::draw::style::Theme;
use crate::eval::FieldBackend;

/// The views a figure can be made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FigureView {
    Slice2d,
    Slice3d,
    Terrain,
    Data,
    Gradients,
    Loss,
    Path,
}

impl FigureView {
    pub const ALL: [Self; 7] = [
        Self::Slice2d,
        Self::Slice3d,
        Self::Terrain,
        Self::Data,
        Self::Gradients,
        Self::Loss,
        Self::Path,
    ];

    /// The name `render --view` takes.
    pub fn name(self) -> &'static str {
        match self {
            Self::Slice2d => "slice2d",
            Self::Slice3d => "slice3d",
            Self::Terrain => "terrain",
            Self::Data => "data",
            Self::Gradients => "gradients",
            Self::Loss => "loss",
            Self::Path => "path",
        }
    }

    /// Whether the view is ray marched into pixels (PNG only, drawn as on screen: no
    /// theme, title or transparency).
    pub fn is_picture(self) -> bool {
        matches!(self, Self::Slice3d | Self::Terrain)
    }

    /// Whether the view has fields to export (.npy and sidecar).
    pub fn has_fields(self) -> bool {
        matches!(self, Self::Slice2d | Self::Slice3d | Self::Terrain)
    }

    /// Whether the view's plot has data to export as CSV.
    pub fn has_csv(self) -> bool {
        matches!(self, Self::Gradients | Self::Loss | Self::Path)
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|v| v.name() == name)
    }
}

/// What to draw and how.
#[derive(Clone, Debug)]
pub struct FigureSpec {
    pub view: FigureView,
    pub width: u32,
    pub height: u32,
    pub surface: Surface,
    /// The title (the scene's name and description unless the user gave one; for the
    /// 3D pictures, which show none by default, only the user's).
    pub title: String,
    /// A caption in place of the view's own subtitle (empty: the view's).
    pub caption: String,
}

/// The slice's field as `render --field-out` and the app's export write it.
pub struct SliceFields {
    pub field: Field,
    pub grid: SliceGrid,
    /// Each axis in words (two for a 2D slice, three for a 3D one).
    pub axis_names: Vec<String>,
}

/// A drawn figure with its data.
pub struct SceneFigure {
    pub rendered: Rendered,
    /// The slice's fields (slice2d, slice3d and terrain).
    pub fields: Option<SliceFields>,
    /// The plot's data as CSV (loss, gradients and path).
    pub csv: Option<String>,
    /// Things the user should know (non-finite fields, an empty history), one sentence each.
    pub warnings: Vec<String>,
}

/// The default title: the scene's name and description, escaped and cut to
/// [`MAX_TITLE_CHARS`]; `fallback` names an unnamed scene.
pub fn scene_title(scene: &Scene, fallback: &str) -> String {
    let name = if scene.name.is_empty() {
        fallback
    } else {
        &scene.name
    };
    let text = if scene.description.is_empty() {
        name.to_string()
    } else {
        format!("{name}: {}", scene.description)
    };
    shown(&text, MAX_TITLE_CHARS)
}

/// Draws `spec.view` of `scene`. Slice fields come from the evaluator `evaluator` makes,
/// once the slice's axes are built (a slice that cannot be built fails before any device
/// is opened); `progress` hears what the slice is computed on.
pub fn scene_figure(
    scene: &Scene,
    spec: &FigureSpec,
    evaluator: impl FnOnce() -> FieldBackend,
    progress: impl FnOnce(String),
) -> anyhow::Result<SceneFigure> {
    let mut options = FigureOptions {
        title: spec.title.clone(),
        ..FigureOptions::default()
    };
    let caption = |options: &mut FigureOptions, own: String| {
        options.subtitle = if spec.caption.is_empty() {
            own
        } else {
            shown(&spec.caption, MAX_TITLE_CHARS * 2)
        };
    };
    let (w, h, surface) = (spec.width, spec.height, spec.surface);
    let mut warnings = Vec::new();
    Ok(match spec.view {
        FigureView::Slice2d => {
            return slice2d(scene, spec, (evaluator, progress), options, &caption);
        }
        FigureView::Slice3d | FigureView::Terrain => {
            return picture(scene, spec, evaluator, progress);
        }
        FigureView::Path => {
            if !spec.caption.is_empty() {
                caption(&mut options, String::new());
            }
            let (rendered, csv) =
                super::scene_path::render_path_view(scene, options, (w, h), surface, progress)?;
            SceneFigure {
                rendered,
                fields: None,
                csv: Some(csv),
                warnings,
            }
        }
        FigureView::Data => {
            caption(
                &mut options,
                "the network's function over input space, with the training points".into(),
            );
            let figure = DataFigure {
                spec: &scene.model,
                theta: &scene.parameters,
                data: &scene.data,
            };
            SceneFigure {
                rendered: data_figure(&figure, &options, w, h, surface)?,
                fields: None,
                csv: None,
                warnings,
            }
        }
        FigureView::Loss => {
            let history = &scene.recording.loss_history;
            if history.is_empty() {
                warnings.push("the scene has no recorded loss history; train it first".to_string());
            }
            caption(
                &mut options,
                format!(
                    "full-batch loss before each step, {} recorded samples",
                    history.len()
                ),
            );
            SceneFigure {
                rendered: loss_figure(&LossFigure { history }, &options, w, h, surface),
                fields: None,
                csv: Some(loss_csv(history)),
                warnings,
            }
        }
        FigureView::Gradients => return gradients(scene, spec, options, &caption),
    })
}

/// G, its singular values and the Hessian spectrum at the scene's θ, with their CSV.
fn gradients(
    scene: &Scene,
    spec: &FigureSpec,
    mut options: FigureOptions,
    caption: &dyn Fn(&mut FigureOptions, String),
) -> anyhow::Result<SceneFigure> {
    let a = analyze(
        &scene.model,
        &scene.parameters,
        &scene.data,
        RankTolerance::NumpyDefault,
    )
    .context("cannot analyze the scene")?;
    caption(
        &mut options,
        format!(
            "N = {} parameters, k = {} inputs: rank G = {}, behavior manifold dimension {}",
            a.n_params, a.n_inputs, a.g_rank, a.manifold_dim
        ),
    );
    let figure = GradientsFigure {
        g: a.behavioral_gradients.as_slice(),
        n_params: a.n_params,
        n_inputs: a.n_inputs,
        singular_values: &a.g_singular_values,
        rank_tol: a.rank_tol,
        g_rank: a.g_rank,
        hessian_eigenvalues: &a.hessian_eigenvalues,
        gauss_newton_eigenvalues: &a.gauss_newton_eigenvalues,
    };
    Ok(SceneFigure {
        rendered: gradients_figure(&figure, &options, spec.width, spec.height, spec.surface),
        fields: None,
        csv: Some(spectra_csv(
            &a.g_singular_values,
            &a.hessian_eigenvalues,
            &a.gauss_newton_eigenvalues,
        )),
        warnings: Vec::new(),
    })
}

/// The 3D slice or the terrain, ray marched as the app's view draws it.
fn picture(
    scene: &Scene,
    spec: &FigureSpec,
    evaluator: impl FnOnce() -> FieldBackend,
    progress: impl FnOnce(String),
) -> anyhow::Result<SceneFigure> {
    let view = spec.view.name();
    if spec.surface.format == Format::Svg {
        bail!("the {view} view is ray marched into pixels, so it is written as PNG, not SVG");
    }
    let mut warnings = Vec::new();
    if spec.surface.transparent || spec.surface.theme != Theme::Light {
        warnings.push(format!(
            "the {view} view is drawn as on screen; the theme and a transparent background apply to figures, not to it"
        ));
    }
    let caption = shown(&spec.caption, MAX_TITLE_CHARS * 2);
    let size = (spec.width, spec.height);
    let (image, fields) = if spec.view == FigureView::Slice3d {
        super::scene_picture::render_slice3d(scene, evaluator, progress, size)?
    } else {
        super::scene_picture::render_terrain(scene, evaluator, progress, size)?
    };
    Ok(SceneFigure {
        rendered: Rendered::Png(title_volume_picture(&image, &spec.title, &caption)),
        fields: Some(fields),
        csv: None,
        warnings,
    })
}

fn slice2d(
    scene: &Scene,
    spec: &FigureSpec,
    (evaluator, progress): (impl FnOnce() -> FieldBackend, impl FnOnce(String)),
    mut options: FigureOptions,
    caption: &dyn Fn(&mut FigureOptions, String),
) -> anyhow::Result<SceneFigure> {
    let slice = &scene.view.slice;
    let theta = &scene.parameters;
    let trajectory = scene.trajectory_to_theta();
    let (axes, grid) = scene
        .slice_plane(&trajectory)
        .context("cannot build the slice axes")?;
    let evaluator = evaluator();
    progress(format!(
        "{}×{} grid, {} inputs, fields on {} ({})",
        grid.shape[0],
        grid.shape[1],
        scene.data.n_inputs(),
        evaluator.name(),
        evaluator.reason()
    ));
    let field = evaluator.evaluate(&FieldRequest {
        spec: &scene.model,
        data: &scene.data,
        grid: &grid,
    })?;
    let expected = (scene.data.n_inputs() + 1) * grid.n_points();
    if field.values.len() != expected || field.shape != grid.shape {
        bail!(
            "the field evaluator returned {} values on a {:?} grid instead of {expected} on {:?}",
            field.values.len(),
            field.shape,
            grid.shape
        );
    }
    let mut warnings = Vec::new();
    if !field.loss().iter().any(|v| v.is_finite()) {
        let any = field.values.iter().any(|v| v.is_finite());
        warnings.push(format!(
            "the loss is not finite anywhere on this slice{} (values overflow float32); move or shrink the slice (view.slice center and ranges), or rescale the parameters and data",
            if any { "" } else { ", nor is any output" }
        ));
    }
    let outputs = scene.outputs();
    let trajectory_ab: Vec<(f64, f64)> = trajectory
        .iter()
        .map(|t| project_onto_slice(&axes, t))
        .collect();
    let figure = SliceFigure {
        field: &field,
        ranges: grid.plane_ranges(),
        targets: &scene.data.targets,
        current_outputs: &outputs,
        trajectory_ab: &trajectory_ab,
        walk_ab: &[],
        current_ab: project_onto_slice(&axes, theta),
    };
    caption(
        &mut options,
        format!(
            "θ(a, b) = θ_{{0}} + a·u + b·v, θ_{{0}} = {}; {}",
            center_words(slice.center.is_some(), &slice.axes),
            axes.description
        ),
    );
    options.a_label = format!("a (u: {})", axes.u_name);
    options.b_label = format!("b (v: {})", axes.v_name);
    let rendered = slice_figure(&figure, &options, spec.width, spec.height, spec.surface);
    Ok(SceneFigure {
        rendered,
        fields: Some(SliceFields {
            axis_names: vec![axes.u_name.clone(), axes.v_name.clone()],
            field,
            grid,
        }),
        csv: None,
        warnings,
    })
}

/// What θ₀ is, in words.
fn center_words(pinned: bool, choice: &AxisChoice) -> &'static str {
    if matches!(choice, AxisChoice::ThreePoints { .. }) {
        "the first point"
    } else if pinned {
        "the pinned center"
    } else {
        "the current θ"
    }
}
