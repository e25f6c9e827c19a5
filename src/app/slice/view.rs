//! The 2-D slice view: θ(a, b) = θ₀ + a·u + b·v with the loss heatmap, every input's
//! contour lines (solution contours emphasized), the behavior manifold through θ, the
//! solution set, the trajectory and the current θ. Pan (drag), zoom (scroll), hover
//! readout, click to move θ.
//!
//! Nothing heavy runs in a frame: the axes, the CPU field and the loss range of the color
//! map come from background jobs ([`Jobs`]), and the view keeps drawing the previous
//! result until the new one arrives. The picture is drawn by the GPU render pass
//! ([`SliceCallback`]) from a field the GPU evaluates while painting (hardware adapters)
//! or the CPU path computed; without a wgpu renderer the CPU figure renderer draws it.

use std::fmt::Write as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::{Color32, Pos2, Rect, Stroke, Vec2};

use super::callback::{FieldSource, SliceCallback, SliceFrame};
use super::{FieldsOn, SliceViewState, from_screen, grid_shape, to_screen};
use crate::app::jobs::{
    AxesRequest, Jobs, LOSS_RANGE_GRID, LossRangeRequest, PictureRequest, SliceFieldRequest,
};
use crate::app::state::{Action, AppState};
use crate::core::field::{OwnedFieldRequest, SliceGrid};
use crate::core::slice::{AxisChoice, SliceAxes, SliceSpec, project_onto_slice};
use crate::draw::figure::Layers;
use crate::draw::slice_pass::InputStyle;

/// Above this many inputs only a few contours are shown at first.
const MANY_INPUTS: usize = 8;

/// The status message when the slice's loss is not finite anywhere.
pub const NO_FINITE_LOSS: &str = "the loss is not finite anywhere on this slice (values overflow float32), so the picture is grey; move or shrink the slice, or rescale the parameters and data";

/// The legend's height before it has been laid out once: the control row and one row
/// of labels.
pub(super) const FIRST_LEGEND_HEIGHT: f32 = 46.0;

/// How often the color map's loss range is resampled.
const LOSS_RANGE_PERIOD: Duration = Duration::from_millis(500);

/// Shows the slice view. `target_format` is egui's wgpu target format, or `None` when
/// the app runs without a wgpu renderer (then the CPU figure renderer draws).
pub fn slice_view_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    view: &mut SliceViewState,
    jobs: &mut Jobs,
    target_format: Option<wgpu::TextureFormat>,
    actions: &mut Vec<Action>,
) {
    let spec = &state.scene.view.slice.clone();
    super::controls::controls_ui(ui, state, view, spec, actions);
    update_axes(state, view, jobs, spec);
    let Some(axes) = view.axes.clone() else {
        match &view.axes_error {
            Some(e) => ui.colored_label(ui.visuals().error_fg_color, e),
            None => {
                ui.horizontal(|ui| {
                    ui.spinner();
                    ui.label("building the slice axes…");
                })
                .response
            }
        };
        return;
    };
    if let Some(e) = &view.axes_error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
    let k = state.scene.data.n_inputs();
    if view.visible_inputs.len() != k {
        // Many inputs' contours hide each other: start with the first few.
        view.visible_inputs = (0..k).map(|i| k <= MANY_INPUTS || i < 4).collect();
    }
    let fields_on = fields_on_ui(ui, state, view, spec, target_format.is_some());
    let slice = SliceAxes {
        center: slice_center(state, spec, &axes),
        ..axes.clone()
    };
    let interacting = view
        .interacting_until
        .and_then(|t| t.checked_duration_since(Instant::now()));
    if let Some(left) = interacting {
        // Redraw at full resolution once the interaction is over.
        ui.ctx().request_repaint_after(left);
    }
    let moving = state.playing || interacting.is_some();
    let field = OwnedFieldRequest {
        spec: state.scene.model.clone(),
        data: view.shared_data(&state.scene.data),
        grid: SliceGrid {
            theta0: slice.center.clone(),
            axes: vec![slice.u.clone(), slice.v.clone()],
            ranges: vec![spec.a_range, spec.b_range],
            shape: grid_shape(
                spec.resolution,
                moving,
                fields_on != FieldsOn::Gpu,
                &state.scene.model,
                k,
            )
            .to_vec(),
        },
    };
    update_loss_range(state, view, jobs, &field, actions);
    let (outer, rect) = layout(ui, view.legend_height);
    let overlays = Overlays::new(state, view, &slice);
    picture_ui(
        ui,
        state,
        view,
        jobs,
        (rect, moving),
        field,
        &fields_on,
        &overlays,
        target_format,
    );
    view.fields_on = Some(fields_on);

    let painter = ui.painter_at(outer);
    let ranges = [spec.a_range, spec.b_range];
    super::decor::draw_axes(&painter, rect, ranges, &axes, ui.visuals().text_color());
    super::decor::draw_colorbar(
        &painter,
        Rect::from_min_size(
            Pos2::new(rect.right() + 14.0, rect.top()),
            Vec2::new(16.0, rect.height()),
        ),
        view.style.loss_log_range,
        ui.visuals().text_color(),
    );
    if target_format.is_some() {
        overlays.draw(&painter.with_clip_rect(rect), rect, ranges);
    }
    overlays.draw_paths(&painter.with_clip_rect(rect), rect, ranges);
    let response = ui.interact(
        rect,
        ui.scope_id().with("slice_picture"),
        egui::Sense::click_and_drag(),
    );
    interact(ui, state, view, &response, rect, spec, actions);
    let legend = ui.scope(|ui| super::decor::legend_ui(ui, view, k));
    let height = legend.response.rect.height();
    if (height - view.legend_height).abs() > 0.5 {
        // Laid out again in this frame, so the picture never covers or pushes out the
        // legend's last row.
        view.legend_height = height;
        ui.ctx()
            .request_discard("the slice legend's height changed");
    }
}

/// Which evaluator computes this frame's field (taking in what the GPU reported while
/// painting the last one), with the GPU's refusal or the CPU path's error shown.
fn fields_on_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    view: &mut SliceViewState,
    spec: &SliceSpec,
    has_renderer: bool,
) -> FieldsOn {
    view.has_renderer = has_renderer;
    view.take_gpu_status(&state.scene.model, spec.resolution);
    if let Some(problem) = view.refusal(&state.scene.model, spec.resolution) {
        ui.colored_label(ui.visuals().warn_fg_color, problem);
    }
    if let Some(e) = &view.field_error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
    FieldsOn::choose(view, has_renderer, &state.scene.model, spec.resolution)
}

/// θ₀: the pinned center of the scene, the first of three points, or the current θ.
fn slice_center(state: &AppState, spec: &SliceSpec, axes: &SliceAxes) -> Vec<f64> {
    match (&spec.center, &spec.axes) {
        (Some(c), _) => c.clone(),
        (None, AxisChoice::ThreePoints { .. }) => axes.center.clone(),
        (None, _) => state.theta().to_vec(),
    }
}

/// The view's outer rectangle and the square picture inside it: axes on the left, color
/// bar on the right, and `legend_height` left below for the legend.
fn layout(ui: &mut egui::Ui, legend_height: f32) -> (Rect, Rect) {
    let avail = ui.available_size();
    let below = legend_height + ui.spacing().item_spacing.y;
    let side = (avail.x - 140.0).min(avail.y - below - 44.0).max(64.0);
    let (outer, _) =
        ui.allocate_exact_size(Vec2::new(side + 130.0, side + 44.0), egui::Sense::hover());
    let rect = Rect::from_min_size(outer.min + Vec2::new(56.0, 18.0), Vec2::splat(side - 10.0));
    (outer, rect)
}

/// Asks for new axes when the choice, N or the run changed, and takes results that
/// arrive; meanwhile the previous axes stay drawn if they fit the model.
fn update_axes(state: &AppState, view: &mut SliceViewState, jobs: &mut Jobs, spec: &SliceSpec) {
    if let Some((key, result)) = jobs.slice_axes.poll()
        && view.axes_for.as_ref() == Some(&key)
    {
        match result {
            Ok(axes) => {
                view.axes = Some(axes);
                view.axes_error = None;
                view.loss_range_asked = None;
            }
            Err(e) => {
                view.axes = None;
                view.axes_error = Some(e);
            }
        }
    }
    let n = state.theta().len();
    let key = (spec.axes.clone(), n, state.generation);
    if view.axes_for.as_ref() == Some(&key) {
        return;
    }
    view.axes_for = Some(key.clone());
    view.axes_error = None;
    if view.axes.as_ref().is_some_and(|a| a.n_params() != n) {
        view.axes = None;
    }
    let request = AxesRequest {
        key,
        spec: state.scene.model.clone(),
        theta: state.theta().to_vec(),
        data: state.scene.data.clone(),
        trajectory: state.trajectory.clone(),
        center: spec.center.clone(),
    };
    if let Err(e) = jobs.slice_axes.request(request) {
        view.axes_error = Some(e);
    }
}

/// Samples the loss on a coarse grid of the slice in the background (at most twice a
/// second) and sets the color map's range from it.
fn update_loss_range(
    state: &AppState,
    view: &mut SliceViewState,
    jobs: &mut Jobs,
    field: &OwnedFieldRequest,
    actions: &mut Vec<Action>,
) {
    match jobs.loss_range.poll() {
        Some(Some(range)) => {
            view.style.loss_log_range = range;
            view.loss_range_pending = None;
        }
        // The sampled loss has no finite positive value: the picture would be all grey.
        // While the status line says why the loss is unusable (beyond float32, or
        // diverged), this note, repeated every resample, would hide that reason.
        Some(None) => {
            if !state.loss_is_explained() {
                actions.push(Action::Warn(NO_FINITE_LOSS.to_string()));
            }
            view.loss_range_pending = None;
        }
        None => {}
    }
    let same_slice = |asked: &OwnedFieldRequest| {
        asked.spec == field.spec
            && asked.data == field.data
            && asked.grid.theta0 == field.grid.theta0
            && asked.grid.axes == field.grid.axes
            && asked.grid.ranges == field.grid.ranges
    };
    if view
        .loss_range_asked
        .as_ref()
        .is_some_and(|(t, asked)| t.elapsed() < LOSS_RANGE_PERIOD || same_slice(asked))
    {
        return;
    }
    let coarse = OwnedFieldRequest {
        grid: SliceGrid {
            shape: vec![LOSS_RANGE_GRID; 2],
            ..field.grid.clone()
        },
        ..field.clone()
    };
    if jobs
        .loss_range
        .request(LossRangeRequest {
            field: coarse.clone(),
        })
        .is_ok()
    {
        view.loss_range_asked = Some((Instant::now(), coarse));
        view.loss_range_pending = Some(Instant::now());
    }
}

/// Per-input drawing data for the GPU picture; `current_outputs` are f(x_i; θ).
fn input_styles(
    state: &AppState,
    view: &SliceViewState,
    current_outputs: &[f64],
) -> Vec<InputStyle> {
    let targets = &state.scene.data.targets;
    (0..targets.len())
        .map(|i| InputStyle {
            color: crate::draw::style::input_rgb_f32(i),
            visible: view.visible_inputs[i],
            target: targets[i] as f32,
            current_output: current_outputs[i] as f32,
        })
        .collect()
}

/// Draws the picture: posts the CPU field (and picture) job when its request changed,
/// takes its results, and hands the GPU callback what to draw.
#[allow(clippy::too_many_arguments)]
fn picture_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    view: &mut SliceViewState,
    jobs: &mut Jobs,
    (rect, moving): (Rect, bool),
    field: OwnedFieldRequest,
    fields_on: &FieldsOn,
    overlays: &Overlays,
    target_format: Option<wgpu::TextureFormat>,
) {
    let ppp = ui.ctx().pixels_per_point();
    // A software rasterizer shades every pixel on the CPU: draw at half resolution while
    // θ moves (the blit scales it up) and at full resolution when still.
    let scale = if view.software_adapter && moving {
        0.5 * ppp
    } else {
        ppp
    };
    let size_px = [
        (rect.width() * scale).round() as u32,
        (rect.height() * scale).round() as u32,
    ];
    let source = match fields_on {
        FieldsOn::Gpu => Some(FieldSource::Gpu),
        FieldsOn::Cpu(_) => {
            let picture = target_format
                .is_none()
                .then(|| overlays.picture_request(view, size_px));
            cpu_field(ui, view, jobs, &field, picture)
        }
    };
    let frame = SliceFrame {
        field,
        source: source.clone().unwrap_or(FieldSource::Gpu),
        inputs: input_styles(state, view, &overlays.current_outputs),
        style: view.style,
        size_px,
        volume: None,
        time_picture: false,
    };
    // A CPU field for an earlier pan or zoom of the same plane is drawn where its own
    // ranges lie, so it stays in register with the axes and overlays until the new one
    // arrives.
    let shown = match &source {
        Some(FieldSource::Cpu(_)) => view.cpu_field.as_ref().map_or(rect, |(req, _)| {
            drawn_rect(rect, &frame.field.grid, &req.grid)
        }),
        _ => rect,
    };
    let painter = ui.painter().with_clip_rect(rect);
    match (target_format, source) {
        (Some(format), Some(source)) => {
            painter.add(egui_wgpu::Callback::new_paint_callback(
                shown,
                SliceCallback {
                    frame: SliceFrame {
                        source,
                        ..frame.clone()
                    },
                    target_format: format,
                    status: view.gpu_status.clone(),
                },
            ));
        }
        (None, _) => {
            if let Some(t) = &view.cpu_texture {
                let uv = Rect::from_min_max(Pos2::ZERO, Pos2::new(1.0, 1.0));
                painter.image(t.id(), shown, uv, Color32::WHITE);
            }
        }
        (Some(_), None) => {}
    }
    if view.last_frame.as_ref() != Some(&frame) && *fields_on == FieldsOn::Gpu {
        // `prepare` reports GPU problems while painting; look at them next frame.
        ui.ctx().request_repaint();
    }
    view.picture_rect = Some(rect);
    view.last_frame = Some(frame);
}

/// Where a picture of `drawn` goes on a screen `rect` showing `current`: the rectangle of
/// its own ranges when it lies in the same plane (same θ₀ and axes), else `rect`.
fn drawn_rect(rect: Rect, current: &SliceGrid, drawn: &SliceGrid) -> Rect {
    if drawn.theta0 != current.theta0 || drawn.axes != current.axes {
        return rect;
    }
    let ranges = current.plane_ranges();
    let [[a0, a1], [b0, b1]] = drawn.plane_ranges();
    Rect::from_two_pos(
        to_screen(rect, ranges, a0, b0),
        to_screen(rect, ranges, a1, b1),
    )
}

/// The newest CPU field for this view (posting `field` when it is not the one asked for
/// last), if one fits the current data; the picture's texture is updated with it.
fn cpu_field(
    ui: &egui::Ui,
    view: &mut SliceViewState,
    jobs: &mut Jobs,
    field: &OwnedFieldRequest,
    picture: Option<PictureRequest>,
) -> Option<FieldSource> {
    if let Some((req, result)) = jobs.slice_field.poll() {
        match result {
            Ok((values, image)) => {
                if let Some(image) = image {
                    match &mut view.cpu_texture {
                        Some(t) => t.set(image, egui::TextureOptions::LINEAR),
                        None => {
                            view.cpu_texture = Some(ui.ctx().load_texture(
                                "slice_cpu",
                                image,
                                egui::TextureOptions::LINEAR,
                            ));
                        }
                    }
                }
                view.cpu_field = Some((req.field, values));
                view.cpu_picture_for = req.picture;
                view.field_error = None;
            }
            Err(e) => view.field_error = Some(e),
        }
    }
    let asked = (field.clone(), picture);
    if view.cpu_field_asked.as_ref() != Some(&asked) {
        let request = SliceFieldRequest {
            field: asked.0.clone(),
            picture: asked.1.clone(),
        };
        if jobs.slice_field.request(request).is_ok() {
            view.cpu_field_asked = Some(asked);
        }
    }
    let k = field.data.n_inputs();
    view.cpu_field
        .as_ref()
        .filter(|(_, f)| f.n_inputs == k)
        .map(|(_, f)| FieldSource::Cpu(Arc::clone(f)))
}

/// The trajectory, the manifold walk and θ in slice coordinates.
struct Overlays {
    trajectory_ab: Vec<(f64, f64)>,
    walk_ab: Vec<(f64, f64)>,
    current_ab: (f64, f64),
    current_outputs: Vec<f64>,
    /// The paths view's interpolation paths (linear, aligned, Bézier).
    paths_ab: Vec<Vec<(f64, f64)>>,
}

impl Overlays {
    fn new(state: &AppState, view: &SliceViewState, slice: &SliceAxes) -> Self {
        let project = |thetas: &[Vec<f64>]| -> Vec<(f64, f64)> {
            thetas
                .iter()
                .map(|t| project_onto_slice(slice, t))
                .collect()
        };
        let data = &state.scene.data;
        Self {
            trajectory_ab: if view.show_trajectory {
                project(&state.trajectory)
            } else {
                Vec::new()
            },
            walk_ab: project(&state.manifold_walk),
            paths_ab: state
                .slice_paths
                .iter()
                .filter(|p| p.iter().all(|t| t.len() == state.theta().len()))
                .map(|p| project(p))
                .collect(),
            current_ab: project_onto_slice(slice, state.theta()),
            current_outputs: data
                .inputs
                .iter()
                .map(|x| state.scene.model.forward(state.theta(), x))
                .collect(),
        }
    }

    /// What the CPU-drawn picture needs besides the field.
    fn picture_request(&self, view: &SliceViewState, size_px: [u32; 2]) -> PictureRequest {
        PictureRequest {
            current_outputs: self.current_outputs.clone(),
            trajectory_ab: self.trajectory_ab.clone(),
            walk_ab: self.walk_ab.clone(),
            loss_log_range: view.style.loss_log_range,
            inputs_shown: view.visible_inputs.clone(),
            layers: Layers {
                loss: view.style.show_loss,
                contours: view.style.show_contours,
                solution_contours: view.style.show_solution_contours,
                behavior_manifold: view.style.show_behavior_manifold,
                solution_set: view.style.show_solution_set,
            },
            current_ab: self.current_ab,
            size_px,
        }
    }

    /// Draws them over the GPU picture, styled as the figures draw them: the trajectory
    /// white on a dark outline, the walk dashed, θ a white disc with a black ring.
    fn draw(&self, clip: &egui::Painter, rect: Rect, ranges: [[f64; 2]; 2]) {
        let screen = |ab: &[(f64, f64)]| -> Vec<Pos2> {
            ab.iter()
                .map(|&(a, b)| to_screen(rect, ranges, a, b))
                .collect()
        };
        if self.trajectory_ab.len() > 1 {
            let pts = screen(&self.trajectory_ab);
            clip.add(egui::Shape::line(
                pts.clone(),
                Stroke::new(3.2, Color32::from_black_alpha(190)),
            ));
            clip.add(egui::Shape::line(pts, Stroke::new(1.6, Color32::WHITE)));
        }
        if self.walk_ab.len() > 1 {
            clip.add(egui::Shape::dashed_line(
                &screen(&self.walk_ab),
                Stroke::new(2.0, Color32::WHITE),
                6.0,
                4.0,
            ));
        }
        let p = to_screen(rect, ranges, self.current_ab.0, self.current_ab.1);
        clip.circle(p, 5.0, Color32::WHITE, Stroke::new(1.5, Color32::BLACK));
        clip.circle_filled(p, 1.6, Color32::BLACK);
    }

    /// The paths view's paths, in the paths figure's colors on a dark outline, with
    /// their ends marked.
    fn draw_paths(&self, clip: &egui::Painter, rect: Rect, ranges: [[f64; 2]; 2]) {
        for (i, path) in self.paths_ab.iter().enumerate() {
            let c = crate::draw::figure::path_color(i);
            let pts: Vec<Pos2> = path
                .iter()
                .map(|&(a, b)| to_screen(rect, ranges, a, b))
                .collect();
            clip.add(egui::Shape::line(
                pts.clone(),
                Stroke::new(3.6, Color32::from_black_alpha(160)),
            ));
            clip.add(egui::Shape::line(
                pts.clone(),
                Stroke::new(2.0, Color32::from_rgb(c.r, c.g, c.b)),
            ));
            for p in [pts.first(), pts.last()].into_iter().flatten() {
                clip.circle(
                    *p,
                    4.0,
                    Color32::from_rgb(c.r, c.g, c.b),
                    Stroke::new(1.2, Color32::BLACK),
                );
            }
        }
    }
}

fn interact(
    ui: &egui::Ui,
    state: &AppState,
    view: &mut SliceViewState,
    response: &egui::Response,
    rect: Rect,
    spec: &SliceSpec,
    actions: &mut Vec<Action>,
) {
    let ranges = [spec.a_range, spec.b_range];
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
        let (a, b) = from_screen(rect, ranges, hover);
        if scroll.abs() > 0.0 {
            let factor = (-f64::from(scroll) * 0.002).exp();
            let mut s = spec.clone();
            s.a_range = ranges[0].map(|r| a + (r - a) * factor);
            s.b_range = ranges[1].map(|r| b + (r - b) * factor);
            actions.push(Action::SetSliceSpec(s));
            view.interacting_until = Some(Instant::now() + Duration::from_millis(300));
        }
        if let Some(theta) = view.theta_at(a, b) {
            response
                .clone()
                .on_hover_text_at_pointer(hover_text(state, &theta, a, b));
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

/// The hover readout at (a, b): the coordinates, the loss and the first inputs' outputs.
fn hover_text(state: &AppState, theta: &[f64], a: f64, b: f64) -> String {
    let model = &state.scene.model;
    let data = &state.scene.data;
    let loss = crate::core::train::mse_loss(model, theta, data);
    let mut text = format!("a = {a:.4}\nb = {b:.4}\nloss = {loss:.4e}");
    for (i, x) in data.inputs.iter().enumerate().take(8) {
        let _ = write!(
            text,
            "\nf(x{i}) = {:.4}  (y = {:.3})",
            model.forward(theta, x),
            data.targets[i]
        );
    }
    if data.n_inputs() > 8 {
        let _ = write!(text, "\n… {} more inputs", data.n_inputs() - 8);
    }
    text
}
