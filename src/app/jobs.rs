//! Work the app runs on background threads, and the one place those threads are made
//! ([`Jobs`]): the analysis behind the behavioral-gradients view, the manifold walk, the
//! slice axes, the slice field on the CPU path (with its picture when there is no GPU
//! renderer), the loss range of the slice's color map, and the 3D views' axes and fields.

use std::sync::Arc;

use super::background::LazyJob;
use super::{Action, BasinscopeApp, gradients_view};
use crate::core::MlpSpec;
use crate::core::analysis::{
    Analysis, InformationLoss, RankTolerance, analyze, information_loss, walk_manifold,
};
use crate::core::field::{Field, FieldEvaluator as _, OwnedFieldRequest, SliceGrid};
use crate::core::slice::{AxisChoice, SliceAxes, slice_axes};
use crate::core::slice3d::{Slice3Axes, ThirdAxis, slice3d_axes};
use crate::draw::figure::{FigureOptions, Layers, SliceFigure, render_slice_picture};
use crate::eval::CpuFieldEvaluator;

/// A manifold walk to run in the background.
pub struct WalkRequest {
    pub spec: MlpSpec,
    pub theta: Vec<f64>,
    pub data: crate::core::Dataset,
    pub direction_index: usize,
    pub distance: f64,
    /// The run it belongs to; a result for an older run is dropped.
    pub generation: u64,
}

pub type WalkResult = (
    WalkRequest,
    Result<crate::core::analysis::ManifoldWalk, String>,
);

#[allow(clippy::needless_pass_by_value)] // LatestJob hands requests over by value
pub fn run_walk(req: WalkRequest) -> WalkResult {
    let step = (req.distance / 50.0).clamp(1e-3, 0.05);
    let walk = walk_manifold(
        &req.spec,
        &req.theta,
        &req.data,
        req.direction_index,
        req.distance,
        step,
    )
    .map_err(|e| e.to_string());
    (req, walk)
}

/// What an analysis is computed for.
#[derive(Clone, Debug, PartialEq)]
pub struct AnalysisRequest {
    pub spec: MlpSpec,
    pub theta: Vec<f64>,
    pub data: crate::core::Dataset,
    pub rtol: Option<f64>,
}

pub type AnalysisResult = Result<(AnalysisRequest, Box<Analysis>, InformationLoss), String>;

pub fn run_analysis(req: AnalysisRequest) -> AnalysisResult {
    let tol = req
        .rtol
        .map_or(RankTolerance::NumpyDefault, RankTolerance::Relative);
    let analysis = analyze(&req.spec, &req.theta, &req.data, tol).map_err(|e| e.to_string())?;
    let info = information_loss(&req.spec, &req.theta, &req.data, 1e-9);
    Ok((req, Box::new(analysis), info))
}

/// Every background job of the app, made here and nowhere else; each starts its thread
/// on its first request.
pub struct Jobs {
    pub analysis: LazyJob<AnalysisRequest, AnalysisResult>,
    pub walk: LazyJob<WalkRequest, WalkResult>,
    pub slice_axes: LazyJob<AxesRequest, AxesResult>,
    pub slice_field: LazyJob<SliceFieldRequest, SliceFieldResult>,
    pub loss_range: LazyJob<LossRangeRequest, LossRangeResult>,
    /// The 3D slice view's volume (axes and field).
    pub volume_field: LazyJob<VolumeFieldRequest, VolumeFieldResult>,
    /// The terrain view's field over the 2D slice.
    pub terrain_field: LazyJob<VolumeFieldRequest, VolumeFieldResult>,
}

impl Jobs {
    /// The jobs, idle; results ask `ctx` for a repaint.
    pub fn new(ctx: &egui::Context) -> Self {
        Self {
            analysis: LazyJob::new("basinscope-analysis", run_analysis, ctx.clone()),
            walk: LazyJob::new("basinscope-manifold-walk", run_walk, ctx.clone()),
            slice_axes: LazyJob::new("basinscope-slice-axes", run_slice_axes, ctx.clone()),
            slice_field: LazyJob::new("basinscope-slice-field", run_slice_field, ctx.clone()),
            loss_range: LazyJob::new("basinscope-loss-range", run_loss_range, ctx.clone()),
            volume_field: LazyJob::new("basinscope-volume-field", run_volume_field, ctx.clone()),
            terrain_field: LazyJob::new("basinscope-terrain-field", run_volume_field, ctx.clone()),
        }
    }
}

/// Slice axes to build for an axis choice at θ (Hessian, G, PCA, … choices need work).
#[derive(Clone, Debug, PartialEq)]
pub struct AxesRequest {
    /// What the axes are for: the choice, N and the run; a result for an older key is dropped.
    pub key: AxesKey,
    pub spec: MlpSpec,
    pub theta: Vec<f64>,
    pub data: crate::core::Dataset,
    pub trajectory: Vec<Vec<f64>>,
    pub center: Option<Vec<f64>>,
}

/// The axis choice, the number of parameters and the run generation axes were built for.
pub type AxesKey = (AxisChoice, usize, u64);

pub type AxesResult = (AxesKey, Result<SliceAxes, String>);

#[allow(clippy::needless_pass_by_value)] // LatestJob hands requests over by value
pub fn run_slice_axes(req: AxesRequest) -> AxesResult {
    let axes = slice_axes(
        &req.key.0,
        &req.spec,
        &req.theta,
        &req.data,
        &req.trajectory,
        req.center.as_deref(),
    )
    .map_err(|e| format!("cannot build these slice axes: {e}"));
    (req.key, axes)
}

/// A slice field for the CPU path, and, without a GPU renderer, the picture to draw.
pub struct SliceFieldRequest {
    pub field: OwnedFieldRequest,
    pub picture: Option<PictureRequest>,
}

/// What the CPU-drawn slice picture shows besides the field.
#[derive(Clone, Debug, PartialEq)]
pub struct PictureRequest {
    pub current_outputs: Vec<f64>,
    pub trajectory_ab: Vec<(f64, f64)>,
    pub walk_ab: Vec<(f64, f64)>,
    /// The color bar's log₁₀ loss range, so the picture matches it.
    pub loss_log_range: [f32; 2],
    /// Which inputs' contours are drawn.
    pub inputs_shown: Vec<bool>,
    /// Which layers are drawn.
    pub layers: Layers,
    pub current_ab: (f64, f64),
    pub size_px: [u32; 2],
}

/// The request, and the field (shared with the paint callback) with the picture if one
/// was asked for.
pub type SliceFieldResult = (
    SliceFieldRequest,
    Result<(Arc<Field>, Option<egui::ColorImage>), String>,
);

#[allow(clippy::needless_pass_by_value)] // LatestJob hands requests over by value
pub fn run_slice_field(req: SliceFieldRequest) -> SliceFieldResult {
    let result = CpuFieldEvaluator
        .evaluate(&req.field.as_request())
        .map_err(|e| format!("cannot evaluate this slice: {e}"))
        .map(|field| {
            let image = req.picture.as_ref().map(|p| {
                let figure = SliceFigure {
                    field: &field,
                    ranges: req.field.grid.plane_ranges(),
                    targets: &req.field.data.targets,
                    current_outputs: &p.current_outputs,
                    trajectory_ab: &p.trajectory_ab,
                    walk_ab: &p.walk_ab,
                    current_ab: p.current_ab,
                };
                let options = FigureOptions {
                    loss_log_range: Some(p.loss_log_range.map(f64::from)),
                    inputs_shown: Some(p.inputs_shown.clone()),
                    max_inputs_drawn: p.inputs_shown.len(),
                    layers: p.layers,
                    ..FigureOptions::default()
                };
                let [w, h] = p.size_px.map(|s| s.clamp(16, 4096));
                let rgba = render_slice_picture(&figure, &options, w, h);
                egui::ColorImage::from_rgba_unmultiplied([w as usize, h as usize], rgba.as_raw())
            });
            (Arc::new(field), image)
        });
    (req, result)
}

/// The loss on a coarse grid of the slice, for the color map's range.
pub struct LossRangeRequest {
    pub field: OwnedFieldRequest,
}

/// log₁₀ of the loss at the ends of the color map, when the loss is finite somewhere.
pub type LossRangeResult = Option<[f32; 2]>;

/// Grid side of the coarse loss sampling behind the color map's range.
pub const LOSS_RANGE_GRID: usize = 12;

#[allow(clippy::needless_pass_by_value)] // LatestJob hands requests over by value
pub fn run_loss_range(req: LossRangeRequest) -> LossRangeResult {
    let field = CpuFieldEvaluator.evaluate(&req.field.as_request()).ok()?;
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for &l in field.loss() {
        let l = f64::from(l);
        if l.is_finite() && l > 0.0 {
            lo = lo.min(l.log10());
            hi = hi.max(l.log10());
        }
    }
    (lo.is_finite() && hi.is_finite()).then(|| {
        [
            (lo - 0.5).max(hi - 8.0) as f32,
            (hi + 0.1).max(lo + 0.5) as f32,
        ]
    })
}

impl BasinscopeApp {
    /// Keeps the analysis current while the gradients view is shown (in the background).
    pub(super) fn update_analysis(&mut self) {
        if let Some(result) = self.jobs.analysis.poll() {
            match result {
                Ok((req, analysis, info)) => {
                    self.analysis = Some((req, analysis, info));
                    self.analysis_error = None;
                }
                Err(e) => self.analysis_error = Some(e),
            }
        }
        let request = AnalysisRequest {
            spec: self.state.scene.model.clone(),
            theta: self.state.scene.parameters.clone(),
            data: self.state.scene.data.clone(),
            rtol: self.gradients.rtol,
        };
        let current = self
            .analysis
            .as_ref()
            .is_some_and(|(r, _, _)| *r == request);
        if current || self.jobs.analysis.busy() {
            return;
        }
        if let Err(e) = self.jobs.analysis.request(request) {
            self.analysis_error = Some(e);
        }
    }

    pub(super) fn gradients_ui(&mut self, ui: &mut egui::Ui) -> Option<Action> {
        self.update_analysis();
        if let Some(e) = &self.analysis_error {
            ui.colored_label(ui.visuals().error_fg_color, format!("analysis failed: {e}"));
        }
        // A result for another model (just changed) is not shown.
        let (analysis, info) = match &self.analysis {
            Some((r, a, i))
                if r.spec == self.state.scene.model
                    && r.data.n_inputs() == self.state.scene.data.n_inputs() =>
            {
                (Some(a.as_ref()), Some(i))
            }
            _ => (None, None),
        };
        let action = gradients_view::gradients_view_ui(
            ui,
            &self.state.scene.model,
            analysis,
            info,
            &mut self.gradients,
        )?;
        match action {
            gradients_view::GradientsAction::SetTolerance(rtol) => {
                self.gradients.rtol = rtol;
                None
            }
            gradients_view::GradientsAction::WalkManifold {
                direction_index,
                distance,
            } => Some(Action::WalkManifold {
                direction_index,
                distance,
            }),
        }
    }
}

/// The axes and field of a 3D view: the volume of a 3D slice, or the 2D slice under
/// the terrain.
#[derive(Clone, Debug, PartialEq)]
pub struct VolumeFieldRequest {
    /// The terrain's 2D slice (true) or the 3D slice (false).
    pub terrain: bool,
    pub spec: MlpSpec,
    pub theta: Vec<f64>,
    pub data: Arc<crate::core::Dataset>,
    pub trajectory: Vec<Vec<f64>>,
    pub slice: crate::core::slice::SliceSpec,
    pub third_axis: ThirdAxis,
    /// Grid points per axis (2 for the terrain, 3 for the volume).
    pub shape: Vec<usize>,
    /// What computes the field.
    pub evaluator: super::volume_eval::VolumeEvaluator,
}

/// A computed 3D view field: its axes and the field on their grid.
#[derive(Clone, Debug)]
pub struct VolumeField {
    /// The axes (w is unused for the terrain).
    pub axes: Slice3Axes,
    pub request: OwnedFieldRequest,
    pub field: Arc<Field>,
    /// The evaluator that computed it, in words (`VolumeEvaluator::describe`).
    pub made_by: String,
}

pub type VolumeFieldResult = (VolumeFieldRequest, Result<VolumeField, String>);

#[allow(clippy::needless_pass_by_value)] // LatestJob hands requests over by value
pub fn run_volume_field(req: VolumeFieldRequest) -> VolumeFieldResult {
    let result = volume_field(&req);
    (req, result)
}

fn volume_field(req: &VolumeFieldRequest) -> Result<VolumeField, String> {
    let s = &req.slice;
    let center = s.center.as_deref();
    let axes = if req.terrain {
        let plane = slice_axes(
            &s.axes,
            &req.spec,
            &req.theta,
            &req.data,
            &req.trajectory,
            center,
        )
        .map_err(|e| format!("cannot build these slice axes: {e}"))?;
        Slice3Axes {
            w: vec![0.0; plane.n_params()],
            w_name: String::new(),
            plane,
        }
    } else {
        slice3d_axes(
            &s.axes,
            &req.third_axis,
            &req.spec,
            &req.theta,
            &req.data,
            &req.trajectory,
            center,
        )
        .map_err(|e| format!("cannot build the 3D slice axes: {e}"))?
    };
    let dims = req.shape.len();
    let mut directions = axes.directions();
    directions.truncate(dims);
    let grid = SliceGrid {
        theta0: axes.plane.center.clone(),
        axes: directions,
        ranges: [s.a_range, s.b_range, s.c_range][..dims].to_vec(),
        shape: req.shape.clone(),
    };
    let request = OwnedFieldRequest {
        spec: req.spec.clone(),
        data: Arc::clone(&req.data),
        grid,
    };
    let field = req.evaluator.evaluate(&request.as_request())?;
    Ok(VolumeField {
        axes,
        request,
        field: Arc::new(field),
        made_by: req.evaluator.describe(),
    })
}
