//! The 2-D slice view: θ(a, b) = θ₀ + a·u + b·v with the loss heatmap, every input's
//! contour lines (solution contours emphasized), the behavior manifold through θ, the
//! solution set, the trajectory and the current θ. Pan (drag), zoom (scroll), hover
//! readout, click to move θ. The picture comes from the GPU through [`SliceCallback`];
//! without a wgpu renderer the view draws the CPU figure instead.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::{Color32, Pos2, Rect, Stroke, Vec2};

use super::background::LatestJob;
use super::slice_callback::{SliceCallback, SliceFrame, SliceStatus};
use super::state::{Action, AppState};
use crate::core::slice::{
    AxisChoice, SliceAxes, SliceSpec, project_onto_slice, slice_axes, slice_point,
};
use crate::gpu::slice_render::{InputStyle, SliceStyle};

/// Categorical colors of the inputs (Tableau 10), cycled.
pub const INPUT_COLORS: [[u8; 3]; 10] = [
    [31, 119, 180],
    [255, 127, 14],
    [44, 160, 44],
    [214, 39, 40],
    [148, 103, 189],
    [140, 86, 75],
    [227, 119, 194],
    [127, 127, 127],
    [188, 189, 34],
    [23, 190, 207],
];

/// Color of input `i`.
pub fn input_color(i: usize) -> Color32 {
    let c = INPUT_COLORS[i % INPUT_COLORS.len()];
    Color32::from_rgb(c[0], c[1], c[2])
}

/// Grid side used while θ moves or the user pans (a software adapter stays responsive).
const MOVING_RESOLUTION: usize = 128;

/// CPU fallback: a figure image for a request.
type CpuJob = LatestJob<CpuRequest, Result<egui::ColorImage, String>>;

/// What the CPU fallback draws.
pub struct CpuRequest {
    frame: SliceFrame,
    trajectory_ab: Vec<(f64, f64)>,
    current_ab: (f64, f64),
}

/// Above this many inputs only a few contours are shown at first.
const MANY_INPUTS: usize = 8;

/// Multiply-adds a software adapter may spend on one slice while θ moves, and when still.
const SOFTWARE_BUDGET_MOVING: f64 = 2e7;
const SOFTWARE_BUDGET_STILL: f64 = 4e8;

/// The grid to evaluate: the requested resolution, capped while moving, and on a
/// software adapter (llvmpipe) capped by a work budget so frames stay short.
fn grid_shape(
    resolution: [usize; 2],
    moving: bool,
    software: bool,
    spec: &crate::core::MlpSpec,
    k: usize,
) -> [usize; 2] {
    let mut shape = if moving {
        [
            resolution[0].min(MOVING_RESOLUTION),
            resolution[1].min(MOVING_RESOLUTION),
        ]
    } else {
        resolution
    };
    if software {
        let madds_per_point =
            (k.max(1) * spec.layers.windows(2).map(|w| w[0] * w[1]).sum::<usize>()) as f64;
        let budget = if moving {
            SOFTWARE_BUDGET_MOVING
        } else {
            SOFTWARE_BUDGET_STILL
        };
        let points = (shape[0] * shape[1]) as f64;
        if points * madds_per_point > budget {
            let scale = (budget / (points * madds_per_point)).sqrt();
            shape = [
                ((shape[0] as f64 * scale) as usize).max(32),
                ((shape[1] as f64 * scale) as usize).max(32),
            ];
        }
    }
    shape
}

/// Slice-view state kept across frames.
pub struct SliceViewState {
    pub style: SliceStyle,
    pub show_trajectory: bool,
    /// Computed axes (u, v; the center is replaced by θ when following).
    pub axes: Option<SliceAxes>,
    pub(super) axes_for: Option<(AxisChoice, usize, u64)>,
    pub axes_error: Option<String>,
    /// Which inputs' contours are drawn.
    pub visible_inputs: Vec<bool>,
    /// A θ the user saved, for the three-point plane.
    pub saved_theta: Option<Vec<f64>>,
    loss_range_updated: Option<Instant>,
    /// Screen rectangle of the picture in the last frame (for tests and hover).
    pub picture_rect: Option<Rect>,
    /// The slice of the last frame: center, u, v, ranges.
    pub last_frame: Option<SliceFrame>,
    cpu_job: Option<CpuJob>,
    cpu_texture: Option<egui::TextureHandle>,
    interacting_until: Option<Instant>,
    /// Whether the wgpu adapter is a software rasterizer (llvmpipe): grids are budgeted.
    pub software_adapter: bool,
    /// Problems the GPU path reported in its last `prepare`.
    pub gpu_status: SliceStatus,
}

impl Default for SliceViewState {
    fn default() -> Self {
        Self {
            style: SliceStyle::default(),
            show_trajectory: true,
            axes: None,
            axes_for: None,
            axes_error: None,
            visible_inputs: Vec::new(),
            saved_theta: None,
            loss_range_updated: None,
            picture_rect: None,
            last_frame: None,
            cpu_job: None,
            cpu_texture: None,
            interacting_until: None,
            software_adapter: false,
            gpu_status: SliceStatus::default(),
        }
    }
}

impl SliceViewState {
    /// State for an app whose wgpu adapter is (`software_adapter`) or is not a software rasterizer.
    pub fn new(software_adapter: bool) -> Self {
        Self {
            software_adapter,
            ..Self::default()
        }
    }

    /// θ at slice coordinates (a, b) of the last frame.
    pub fn theta_at(&self, a: f64, b: f64) -> Option<Vec<f64>> {
        let f = self.last_frame.as_ref()?;
        Some(
            f.center
                .iter()
                .zip(f.axes[0].iter().zip(&f.axes[1]))
                .map(|(c, (u, v))| c + a * u + b * v)
                .collect(),
        )
    }

    /// Screen position of slice coordinates (a, b) in the last frame.
    pub fn screen_pos(&self, a: f64, b: f64) -> Option<Pos2> {
        let (rect, f) = (self.picture_rect?, self.last_frame.as_ref()?);
        Some(to_screen(rect, f.ranges, a, b))
    }
}

pub(super) fn to_screen(rect: Rect, ranges: [[f64; 2]; 2], a: f64, b: f64) -> Pos2 {
    let x = (a - ranges[0][0]) / (ranges[0][1] - ranges[0][0]);
    let y = (b - ranges[1][0]) / (ranges[1][1] - ranges[1][0]);
    Pos2::new(
        rect.left() + x as f32 * rect.width(),
        rect.bottom() - y as f32 * rect.height(),
    )
}

fn from_screen(rect: Rect, ranges: [[f64; 2]; 2], p: Pos2) -> (f64, f64) {
    let x = f64::from((p.x - rect.left()) / rect.width());
    let y = f64::from((rect.bottom() - p.y) / rect.height());
    (
        ranges[0][0] + x * (ranges[0][1] - ranges[0][0]),
        ranges[1][0] + y * (ranges[1][1] - ranges[1][0]),
    )
}

/// Shows the slice view. `target_format` is egui's wgpu target format, or `None` when
/// the app runs without a wgpu renderer (then the CPU path draws).
pub fn slice_view_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    view: &mut SliceViewState,
    target_format: Option<wgpu::TextureFormat>,
    actions: &mut Vec<Action>,
) {
    let spec = &state.scene.view.slice.clone();
    super::slice_controls::controls_ui(ui, state, view, spec, actions);
    ensure_axes(state, view, spec);
    let Some(axes) = view.axes.clone() else {
        ui.colored_label(
            ui.visuals().error_fg_color,
            view.axes_error.as_deref().unwrap_or("no slice axes"),
        );
        return;
    };
    let k = state.scene.data.n_inputs();
    if view.visible_inputs.len() != k {
        // Many inputs' contours hide each other: start with the first few.
        view.visible_inputs = (0..k).map(|i| k <= MANY_INPUTS || i < 4).collect();
    }

    // θ₀: the pinned center of the scene, the first of three points, or the current θ.
    let center = match (&spec.center, &spec.axes) {
        (Some(c), _) => c.clone(),
        (None, AxisChoice::ThreePoints { .. }) => axes.center.clone(),
        (None, _) => state.theta().to_vec(),
    };
    let ranges = [spec.a_range, spec.b_range];
    let moving = state.playing || view.interacting_until.is_some_and(|t| Instant::now() < t);
    let shape = grid_shape(
        spec.resolution,
        moving,
        view.software_adapter,
        &state.scene.model,
        k,
    );

    // The slice as drawn this frame: the computed directions through this frame's center.
    let slice = SliceAxes {
        center: center.clone(),
        ..axes.clone()
    };
    update_loss_range(state, view, &slice, ranges);

    let inputs: Vec<InputStyle> = (0..k)
        .map(|i| {
            let c = input_color(i);
            InputStyle {
                color: [
                    f32::from(c.r()) / 255.0,
                    f32::from(c.g()) / 255.0,
                    f32::from(c.b()) / 255.0,
                ],
                visible: view.visible_inputs[i],
                target: state.scene.data.targets[i] as f32,
                current_output: state
                    .scene
                    .model
                    .forward(state.theta(), &state.scene.data.inputs[i])
                    as f32,
            }
        })
        .collect();

    // Layout: picture with axes on the left, color bar on the right, legend below.
    let avail = ui.available_size();
    let legend_h = 56.0;
    let side = (avail.x - 140.0).min(avail.y - legend_h - 30.0).max(64.0);
    let (outer, _) =
        ui.allocate_exact_size(Vec2::new(side + 130.0, side + 44.0), egui::Sense::hover());
    let rect = Rect::from_min_size(outer.min + Vec2::new(56.0, 18.0), Vec2::splat(side - 10.0));
    let response = ui.interact(
        rect,
        ui.scope_id().with("slice_picture"),
        egui::Sense::click_and_drag(),
    );
    let ppp = ui.ctx().pixels_per_point();
    // A software rasterizer shades every pixel on the CPU: draw at half resolution while
    // θ moves (the blit scales it up) and at full resolution when still.
    let picture_scale = if view.software_adapter && moving {
        0.5 * ppp
    } else {
        ppp
    };
    let frame = SliceFrame {
        spec: state.scene.model.clone(),
        data: Arc::new(state.scene.data.clone()),
        center: center.clone(),
        axes: [axes.u.clone(), axes.v.clone()],
        ranges,
        shape,
        inputs,
        style: view.style,
        size_px: [
            (rect.width() * picture_scale).round() as u32,
            (rect.height() * picture_scale).round() as u32,
        ],
    };
    let trajectory_ab: Vec<(f64, f64)> = if view.show_trajectory {
        state
            .trajectory
            .iter()
            .map(|t| project_onto_slice(&slice, t))
            .collect()
    } else {
        Vec::new()
    };
    let current_ab = project_onto_slice(&slice, state.theta());

    match target_format {
        Some(format) => {
            ui.painter().add(egui_wgpu::Callback::new_paint_callback(
                rect,
                SliceCallback {
                    frame: frame.clone(),
                    target_format: format,
                    status: view.gpu_status.clone(),
                },
            ));
        }
        None => cpu_picture_ui(ui, view, rect, &frame, &trajectory_ab, current_ab),
    }
    if view.last_frame.as_ref() != Some(&frame) {
        // `prepare` reports GPU problems while painting; look at them next frame.
        ui.ctx().request_repaint();
    }
    view.picture_rect = Some(rect);
    view.last_frame = Some(frame);

    let painter = ui.painter_at(outer);
    super::slice_decor::draw_axes(&painter, rect, ranges, &axes, ui.visuals().text_color());
    super::slice_decor::draw_colorbar(
        &painter,
        Rect::from_min_size(
            Pos2::new(rect.right() + 14.0, rect.top()),
            Vec2::new(16.0, rect.height()),
        ),
        view.style.loss_log_range,
        ui.visuals().text_color(),
    );
    if target_format.is_some() {
        let clip = painter.with_clip_rect(rect);
        if trajectory_ab.len() > 1 {
            let pts: Vec<Pos2> = trajectory_ab
                .iter()
                .map(|&(a, b)| to_screen(rect, ranges, a, b))
                .collect();
            clip.add(egui::Shape::line(
                pts.clone(),
                Stroke::new(3.0, Color32::from_black_alpha(160)),
            ));
            clip.add(egui::Shape::line(
                pts,
                Stroke::new(1.5, Color32::from_rgb(255, 90, 60)),
            ));
        }
        if state.manifold_walk.len() > 1 {
            let pts: Vec<Pos2> = state
                .manifold_walk
                .iter()
                .map(|t| {
                    let (a, b) = project_onto_slice(&slice, t);
                    to_screen(rect, ranges, a, b)
                })
                .collect();
            clip.add(egui::Shape::dashed_line(
                &pts,
                Stroke::new(2.0, Color32::WHITE),
                6.0,
                4.0,
            ));
        }
        let p = to_screen(rect, ranges, current_ab.0, current_ab.1);
        clip.circle(
            p,
            5.0,
            Color32::from_rgb(255, 60, 40),
            Stroke::new(1.5, Color32::WHITE),
        );
    }

    if let Some(problem) = view.gpu_status.get() {
        ui.colored_label(ui.visuals().warn_fg_color, problem);
    }
    interact(ui, state, view, &response, rect, ranges, spec, actions);
    super::slice_decor::legend_ui(ui, view, k);
}

fn cpu_picture_ui(
    ui: &mut egui::Ui,
    view: &mut SliceViewState,
    rect: Rect,
    frame: &SliceFrame,
    trajectory_ab: &[(f64, f64)],
    current_ab: (f64, f64),
) {
    if view.cpu_job.is_none() {
        let ctx = ui.ctx().clone();
        view.cpu_job = LatestJob::spawn("basinscope-slice-cpu", cpu_figure, move || {
            ctx.request_repaint();
        })
        .ok();
    }
    let Some(job) = &mut view.cpu_job else { return };
    if view.last_frame.as_ref() != Some(frame) || view.cpu_texture.is_none() {
        job.request(CpuRequest {
            frame: frame.clone(),
            trajectory_ab: trajectory_ab.to_vec(),
            current_ab,
        });
    }
    if let Some(result) = job.poll() {
        match result {
            Ok(image) => match &mut view.cpu_texture {
                Some(t) => t.set(image, egui::TextureOptions::LINEAR),
                None => {
                    view.cpu_texture = Some(ui.ctx().load_texture(
                        "slice_cpu",
                        image,
                        egui::TextureOptions::LINEAR,
                    ));
                }
            },
            Err(e) => view.axes_error = Some(e),
        }
    }
    if let Some(t) = &view.cpu_texture {
        ui.painter().image(
            t.id(),
            rect,
            Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0)),
            Color32::WHITE,
        );
    }
    ui.painter().text(
        rect.left_top() + Vec2::new(6.0, 6.0),
        egui::Align2::LEFT_TOP,
        "CPU path (no GPU renderer)",
        egui::FontId::proportional(12.0),
        Color32::WHITE,
    );
}

/// CPU fallback: evaluates the field with the CPU reference and draws the figure's plot area.
#[allow(clippy::needless_pass_by_value)] // LatestJob hands requests over by value
fn cpu_figure(req: CpuRequest) -> Result<egui::ColorImage, String> {
    use crate::gpu::field::{CpuFieldEvaluator, FieldEvaluator as _};
    let f = &req.frame;
    let field = CpuFieldEvaluator
        .evaluate(&f.field_request())
        .map_err(|e| e.to_string())?;
    // The loss heatmap only: contour lines need the GPU render pass.
    let k = f.data.n_inputs();
    let [na, nb] = f.shape;
    let loss = &field.values[k * na * nb..(k + 1) * na * nb];
    let [lo, hi] = f.style.loss_log_range;
    let mut rgba = Vec::with_capacity(4 * na * nb);
    for row in (0..nb).rev() {
        for col in 0..na {
            let l = f64::from(loss[row * na + col]).max(1e-30).log10();
            let t = ((l - f64::from(lo)) / f64::from((hi - lo).max(1e-6))).clamp(0.0, 1.0);
            let c = colorous::VIRIDIS.eval_continuous(t);
            rgba.extend_from_slice(&[c.r, c.g, c.b, 255]);
        }
    }
    let _ = (&req.trajectory_ab, req.current_ab);
    Ok(egui::ColorImage::from_rgba_unmultiplied([na, nb], &rgba))
}

fn ensure_axes(state: &AppState, view: &mut SliceViewState, spec: &SliceSpec) {
    let key = (spec.axes.clone(), state.theta().len(), state.generation);
    if view.axes_for.as_ref() == Some(&key) {
        return;
    }
    view.axes_for = Some(key);
    match slice_axes(
        &spec.axes,
        &state.scene.model,
        state.theta(),
        &state.scene.data,
        &state.trajectory,
        spec.center.as_deref(),
    ) {
        Ok(axes) => {
            view.axes = Some(axes);
            view.axes_error = None;
            view.loss_range_updated = None;
        }
        Err(e) => {
            view.axes = None;
            view.axes_error = Some(format!("cannot build these slice axes: {e}"));
        }
    }
}

/// Sets the colormap range from the loss on a coarse grid (at most twice a second).
fn update_loss_range(
    state: &AppState,
    view: &mut SliceViewState,
    slice: &SliceAxes,
    ranges: [[f64; 2]; 2],
) {
    if view
        .loss_range_updated
        .is_some_and(|t| t.elapsed() < Duration::from_millis(500))
    {
        return;
    }
    view.loss_range_updated = Some(Instant::now());
    let n: u32 = 12;
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for j in 0..n {
        for i in 0..n {
            let a = ranges[0][0] + (ranges[0][1] - ranges[0][0]) * f64::from(i) / f64::from(n - 1);
            let b = ranges[1][0] + (ranges[1][1] - ranges[1][0]) * f64::from(j) / f64::from(n - 1);
            let l = crate::core::train::mse_loss(
                &state.scene.model,
                &slice_point(slice, a, b),
                &state.scene.data,
            );
            if l.is_finite() && l > 0.0 {
                lo = lo.min(l.log10());
                hi = hi.max(l.log10());
            }
        }
    }
    if lo.is_finite() && hi.is_finite() {
        view.style.loss_log_range = [
            (lo - 0.5).max(hi - 8.0) as f32,
            (hi + 0.1).max(lo + 0.5) as f32,
        ];
    }
}

#[allow(clippy::too_many_arguments)]
fn interact(
    ui: &egui::Ui,
    state: &AppState,
    view: &mut SliceViewState,
    response: &egui::Response,
    rect: Rect,
    ranges: [[f64; 2]; 2],
    spec: &SliceSpec,
    actions: &mut Vec<Action>,
) {
    if response.dragged() {
        let d = response.drag_delta();
        let da = -f64::from(d.x / rect.width()) * (ranges[0][1] - ranges[0][0]);
        let db = f64::from(d.y / rect.height()) * (ranges[1][1] - ranges[1][0]);
        let mut s = spec.clone();
        s.a_range = [ranges[0][0] + da, ranges[0][1] + da];
        s.b_range = [ranges[1][0] + db, ranges[1][1] + db];
        actions.push(Action::SetSliceSpec(s));
        view.interacting_until = Some(Instant::now() + Duration::from_millis(300));
    }
    if let Some(hover) = response.hover_pos() {
        let scroll = ui.input(|i| i.smooth_scroll_delta.y);
        if scroll.abs() > 0.0 {
            let factor = (-f64::from(scroll) * 0.002).exp();
            let (a, b) = from_screen(rect, ranges, hover);
            let mut s = spec.clone();
            s.a_range = [
                a + (ranges[0][0] - a) * factor,
                a + (ranges[0][1] - a) * factor,
            ];
            s.b_range = [
                b + (ranges[1][0] - b) * factor,
                b + (ranges[1][1] - b) * factor,
            ];
            actions.push(Action::SetSliceSpec(s));
            view.interacting_until = Some(Instant::now() + Duration::from_millis(300));
        }
        let (a, b) = from_screen(rect, ranges, hover);
        if let Some(theta) = view.theta_at(a, b) {
            let model = &state.scene.model;
            let data = &state.scene.data;
            let loss = crate::core::train::mse_loss(model, &theta, data);
            let mut text = format!("a = {a:.4}\nb = {b:.4}\nloss = {loss:.4e}");
            for (i, x) in data.inputs.iter().enumerate().take(8) {
                let _ = write!(
                    text,
                    "\nf(x{i}) = {:.4}  (y = {:.3})",
                    model.forward(&theta, x),
                    data.targets[i]
                );
            }
            if data.n_inputs() > 8 {
                let _ = write!(text, "\n… {} more inputs", data.n_inputs() - 8);
            }
            response.clone().on_hover_text_at_pointer(text);
        }
    }
    if response.clicked()
        && let Some(pos) = response.interact_pointer_pos()
    {
        let (a, b) = from_screen(rect, ranges, pos);
        if let Some(theta) = view.theta_at(a, b) {
            actions.push(Action::SetTheta(theta));
        }
    }
}
