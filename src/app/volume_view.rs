//! The two 3D views: the 3D slice θ₀ + a·u + b·v + c·w with each selected input's
//! surface f_i = level and where they meet, and the loss terrain over the 2D slice.
//! Orbit camera: drag to rotate, right-drag or shift-drag to pan, scroll to zoom,
//! double-click to reset. The camera, clipping planes, selected inputs and levels live in
//! the scene's `view.slice3d` / `view.terrain` and change only through [`Action`]s.
//!
//! The axes and the field come from a background job ([`Jobs`]); the view keeps drawing
//! the previous result until the new one arrives. The picture is ray marched by
//! `draw::volume_pass` through the one egui → GPU bridge ([`SliceCallback`]). On a
//! software rasterizer it is drawn at a fraction of the resolution (and with longer ray
//! steps) while the camera moves, and at full resolution once still.

use std::sync::Arc;
use std::time::{Duration, Instant};

use egui::{Align2, Color32, FontId, Rect, Sense, Vec2};

use super::jobs::{Jobs, VolumeField, VolumeFieldRequest};
use super::slice::callback::{FieldSource, SliceCallback, SliceFrame, SliceStatus};
use super::slice::input_color;
use super::state::{Action, AppState};
use super::volume_eval::VolumeEvaluator;
use crate::core::camera::OrbitCamera;
use crate::core::slice::project_onto_slice;
use crate::core::slice3d::{
    ClipPlane, MAX_SURFACES, format_levels, parse_levels, project_onto_slice3,
};
use crate::draw::frame_pace::{FramePace, TARGET_FRAME_MS};
use crate::draw::slice_pass::SliceStyle;
use crate::draw::volume_memory::{MAX_VOLUME_GPU_BYTES, bytes_in_words, fit_volume};
use crate::draw::volume_pass::{MOVING_SCALE, MOVING_STEP_CELLS, VolumeScene};
use crate::draw::volume_paths::{default_model_paths, path_lines, terrain_path_lines};
use crate::draw::volume_scene::{
    Outputs, TerrainSurface, axis_marks, slice3d_scene, terrain_scene,
};

/// How long after the last camera move the picture stays at the moving resolution.
const SETTLE: Duration = Duration::from_millis(250);
/// How many of a rotation's latest frames its shown frame rate is the median of.
const MOTION_FRAMES: usize = 30;

/// Degrees of rotation per point dragged.
const DEGREES_PER_POINT: f32 = 0.4;

/// State of one 3D view kept across frames.
pub struct VolumeViewState {
    /// The terrain (true) or the 3D slice (false).
    pub terrain: bool,
    /// Whether the wgpu adapter is a software rasterizer (llvmpipe).
    pub software_adapter: bool,
    /// What computes the fields ([`VolumeEvaluator::choose`]); the CPU path until the app
    /// sets it from its renderer.
    pub evaluator: VolumeEvaluator,
    /// The newest computed axes and field.
    pub current: Option<VolumeField>,
    /// The request behind `current`, and the one last posted.
    current_for: Option<VolumeFieldRequest>,
    asked: Option<VolumeFieldRequest>,
    pub error: Option<String>,
    /// The renderer's largest 3D texture side (`max_texture_dimension_3d`): the volume's
    /// packed surface textures must fit it. Unbounded until the app sets it from its
    /// renderer.
    pub max_texture_side: u32,
    /// Why the volume is coarser than the scene asks: lowered to fit the GPU.
    size_note: Option<String>,
    /// Screen rectangle of the picture in the last frame.
    pub picture_rect: Option<Rect>,
    /// The last frame handed to the bridge (tests re-render it headless).
    pub last_frame: Option<SliceFrame>,
    moving_until: Option<Instant>,
    /// The picture scale while the camera moves on a software adapter, adapted to the
    /// time between moving frames, and when the last moving frame was shown.
    pace: FramePace,
    last_moving_frame: Option<Instant>,
    /// The last rotation's frame intervals (ms, newest last, at most [`MOTION_FRAMES`])
    /// and the picture size it was drawn at: the frame rate the user saw, shown below the
    /// picture.
    moving_frames_ms: std::collections::VecDeque<f64>,
    moving_size_px: [u32; 2],
    /// The levels field's text while it is being edited, and why it does not parse.
    levels_text: Option<String>,
    levels_error: Option<String>,
    status: SliceStatus,
    data: Option<Arc<crate::core::Dataset>>,
}

impl VolumeViewState {
    pub fn new(terrain: bool, software_adapter: bool) -> Self {
        Self {
            terrain,
            software_adapter,
            evaluator: VolumeEvaluator::Cpu {
                reason: "no GPU evaluator was set up".into(),
            },
            current: None,
            current_for: None,
            asked: None,
            error: None,
            max_texture_side: u32::MAX,
            size_note: None,
            picture_rect: None,
            last_frame: None,
            moving_until: None,
            pace: FramePace::new(MOVING_SCALE),
            last_moving_frame: None,
            moving_frames_ms: std::collections::VecDeque::new(),
            moving_size_px: [0, 0],
            levels_text: None,
            levels_error: None,
            status: SliceStatus::default(),
            data: None,
        }
    }

    /// Whether the last frame shows the field of the newest request at full resolution.
    /// Tests wait for this.
    pub fn picture_is_current(&self) -> bool {
        self.last_frame.is_some()
            && self.current_for.is_some()
            && self.current_for == self.asked
            && self.moving_until.is_none_or(|t| t <= Instant::now())
    }

    fn shared_data(&mut self, data: &crate::core::Dataset) -> Arc<crate::core::Dataset> {
        match &self.data {
            Some(shared) if **shared == *data => Arc::clone(shared),
            _ => {
                let shared = Arc::new(data.clone());
                self.data = Some(Arc::clone(&shared));
                shared
            }
        }
    }
}

/// The last rotation's frame rate (the median frame interval of its latest frames) and
/// the picture size it was drawn at, as a clause of the hint line; empty before any.
fn motion_text(view: &VolumeViewState) -> String {
    let Some(ms) = median(view.moving_frames_ms.iter().copied()) else {
        return String::new();
    };
    let [w, h] = view.moving_size_px;
    format!(
        " · last rotation {:.1} frames/s at {w}×{h} px (median of {} frames)",
        1e3 / ms.max(1e-3),
        view.moving_frames_ms.len()
    )
}

/// The median of `values`, `None` for none.
fn median(values: impl Iterator<Item = f64>) -> Option<f64> {
    let mut v: Vec<f64> = values.filter(|x| x.is_finite()).collect();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let m = v.len() / 2;
    Some(if v.len().is_multiple_of(2) {
        0.5 * (v[m - 1] + v[m])
    } else {
        v[m]
    })
}

/// The picture's size in pixels and its scene: on a software adapter, while the camera
/// moves, at the scale the frame pacer chose (lines and θ kept their size on screen) and
/// with coarser ray steps; otherwise at the display's full resolution.
fn paced_picture(
    ui: &egui::Ui,
    state: &AppState,
    view: &mut VolumeViewState,
    current: &VolumeField,
    camera: OrbitCamera,
    rect: egui::Rect,
    moving: bool,
) -> ([u32; 2], VolumeScene) {
    let ppp = ui.ctx().pixels_per_point();
    let paced = view.software_adapter && moving;
    if moving {
        // The time since the last moving frame is what the user sees: the frame rate.
        let now = Instant::now();
        if let Some(last) = view.last_moving_frame {
            let ms = (now - last).as_secs_f64() * 1e3;
            // The picture's own time, measured by the callback for the last frame.
            if paced && let Some(picture_ms) = view.status.take_picture_ms() {
                log::debug!(
                    "moving frame {ms:.1} ms, picture {picture_ms:.1} ms at {:?} px",
                    view.moving_size_px
                );
                view.pace.observe(ms, picture_ms, TARGET_FRAME_MS);
            }
            if view.moving_frames_ms.len() == MOTION_FRAMES {
                view.moving_frames_ms.pop_front();
            }
            view.moving_frames_ms.push_back(ms);
        } else {
            // A new rotation: its own frame rate.
            view.moving_frames_ms.clear();
        }
        view.last_moving_frame = Some(now);
    } else {
        view.last_moving_frame = None;
    }
    let scale = if paced { view.pace.scale() * ppp } else { ppp };
    let size_px = [
        ((rect.width() * scale).round() as u32).max(1),
        ((rect.height() * scale).round() as u32).max(1),
    ];
    if moving {
        view.moving_size_px = size_px;
    }
    let mut scene = picture_scene(state, view.terrain, current, camera);
    if view.software_adapter && moving {
        scene.style.step_cells = MOVING_STEP_CELLS;
    }
    if paced {
        // Sizes in picture pixels shrink with the picture, so θ and the lines keep their
        // size on screen (but stay visible: lines one picture pixel wide at least, θ 1.5).
        let shrink = view.pace.scale();
        scene.style.marker_px = (scene.style.marker_px * shrink).max(1.5);
        scene.style.line_width_px = (scene.style.line_width_px * shrink).max(1.0);
        scene.style.manifold_width_px = (scene.style.manifold_width_px * shrink).max(1.0);
    }
    (size_px, scene)
}

/// Shows the 3D slice or terrain view.
pub fn volume_view_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    view: &mut VolumeViewState,
    jobs: &mut Jobs,
    target_format: Option<wgpu::TextureFormat>,
    actions: &mut Vec<Action>,
) {
    controls_ui(ui, state, view, actions);
    let Some(format) = target_format else {
        ui.colored_label(
            ui.visuals().error_fg_color,
            "the 3D views are ray marched with wgpu, and this app runs without a GPU renderer",
        );
        return;
    };
    if update_field(state, view, jobs) {
        // The rows above were drawn before the new field arrived (its size and evaluator).
        ui.ctx().request_repaint();
    }
    if let Some(e) = &view.error {
        ui.colored_label(ui.visuals().error_fg_color, e);
    }
    let Some(current) = view.current.clone() else {
        if view.error.is_none() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("computing the field…");
            });
        }
        return;
    };
    ui.label(
        egui::RichText::new(format!(
            "drag to rotate, right-drag or shift-drag to pan, scroll to zoom, double-click to reset{}",
            motion_text(view)
        ))
        .small()
        .color(Color32::GRAY),
    );
    // Within the tile, even when a row of controls above ran wider than it.
    let rect = ui
        .available_rect_before_wrap()
        .intersect(ui.clip_rect())
        .shrink(8.0);
    if rect.width() < 32.0 || rect.height() < 32.0 {
        return;
    }
    let response = ui.allocate_rect(rect, Sense::click_and_drag());
    let mut camera = camera_of(state, view.terrain);
    let default = if view.terrain {
        crate::core::slice3d::TerrainSpec::default().camera
    } else {
        OrbitCamera::default()
    };
    if interact(ui, &response, rect, &mut camera, default) {
        view.moving_until = Some(Instant::now() + SETTLE);
        push_camera(state, view.terrain, camera, actions);
    }
    let moving = view.moving_until.is_some_and(|t| t > Instant::now());
    if moving {
        ui.ctx().request_repaint_after(SETTLE);
    }
    let (size_px, scene) = paced_picture(ui, state, view, &current, camera, rect, moving);
    if let Some(problem) = view.status.take() {
        view.error = Some(problem);
    }
    let frame = SliceFrame {
        field: current.request.clone(),
        source: FieldSource::Cpu(Arc::clone(&current.field)),
        inputs: Vec::new(),
        style: SliceStyle::default(),
        size_px,
        volume: Some(scene.clone()),
        // The pacing needs the moving picture's own time.
        time_picture: view.software_adapter && moving,
    };
    ui.painter()
        .with_clip_rect(rect)
        .add(egui_wgpu::Callback::new_paint_callback(
            rect,
            SliceCallback {
                frame: frame.clone(),
                target_format: format,
                status: view.status.clone(),
            },
        ));
    axes_labels(ui, rect, state, view.terrain, &current, &scene);
    view.picture_rect = Some(rect);
    view.last_frame = Some(frame);
}

/// The scene's camera of this view.
fn camera_of(state: &AppState, terrain: bool) -> OrbitCamera {
    if terrain {
        state.scene.view.terrain.camera
    } else {
        state.scene.view.slice3d.camera
    }
}

fn push_camera(state: &AppState, terrain: bool, camera: OrbitCamera, actions: &mut Vec<Action>) {
    if terrain {
        let mut spec = state.scene.view.terrain.clone();
        spec.camera = camera;
        actions.push(Action::SetTerrainSpec(spec));
    } else {
        let mut spec = state.scene.view.slice3d.clone();
        spec.camera = camera;
        actions.push(Action::SetSlice3dSpec(spec));
    }
}

/// Orbit, pan, zoom and reset; returns whether the camera changed.
fn interact(
    ui: &egui::Ui,
    response: &egui::Response,
    rect: Rect,
    camera: &mut OrbitCamera,
    default: OrbitCamera,
) -> bool {
    let before = *camera;
    if response.double_clicked() {
        *camera = default;
        return *camera != before;
    }
    let delta = response.drag_delta();
    let shift = ui.input(|i| i.modifiers.shift);
    if response.dragged_by(egui::PointerButton::Secondary)
        || (response.dragged_by(egui::PointerButton::Primary) && shift)
    {
        camera.pan(delta.x / rect.height(), -delta.y / rect.height());
    } else if response.dragged_by(egui::PointerButton::Primary) {
        camera.orbit(-delta.x * DEGREES_PER_POINT, delta.y * DEGREES_PER_POINT);
    }
    if response.hovered() {
        let scroll = ui.input(|i| i.smooth_scroll_delta.y);
        if scroll != 0.0 {
            camera.zoom((-scroll * 0.003).exp());
        }
    }
    *camera != before
}

/// Posts the field request for the current θ and settings, and takes finished results.
/// Returns whether a result arrived.
fn update_field(state: &AppState, view: &mut VolumeViewState, jobs: &mut Jobs) -> bool {
    let job = if view.terrain {
        &mut jobs.terrain_field
    } else {
        &mut jobs.volume_field
    };
    let polled = job.poll();
    let arrived = polled.is_some();
    if let Some((req, result)) = polled {
        match result {
            Ok(field) => {
                view.current = Some(field);
                view.current_for = Some(req);
                view.error = None;
            }
            Err(e) if view.evaluator.is_gpu() && req.evaluator == view.evaluator => {
                // The GPU refused or failed: the CPU path computes it from now on.
                view.evaluator = VolumeEvaluator::Cpu {
                    reason: format!("the GPU compute pass failed ({e})"),
                };
            }
            Err(e) => {
                view.error = Some(e);
                view.current_for = Some(req);
            }
        }
    }
    let scene = &state.scene;
    let slice = &scene.view.slice;
    let wanted = if view.terrain {
        slice.resolution.to_vec()
    } else {
        scene.view.slice3d.resolution.to_vec()
    };
    let mut shape = view
        .evaluator
        .shape(&wanted, &scene.model, scene.data.n_inputs());
    view.size_note = None;
    if let Ok(asked) = <[usize; 3]>::try_from(shape.as_slice()) {
        // The field and its packed surface textures must fit the GPU before they exist.
        let fitted = fit_volume(asked, scene.data.n_inputs(), view.max_texture_side);
        if fitted != asked {
            let bound = if asked
                .iter()
                .any(|&s| s as u64 > u64::from(view.max_texture_side))
            {
                format!(
                    "this GPU's 3D textures, at most {} points a side",
                    view.max_texture_side
                )
            } else {
                format!(
                    "the limit of {} of GPU memory for the field and its surface textures",
                    bytes_in_words(u128::from(MAX_VOLUME_GPU_BYTES))
                )
            };
            view.size_note = Some(format!(
                "lowered from {}×{}×{} to fit {bound}",
                asked[0], asked[1], asked[2],
            ));
            shape = fitted.to_vec();
        }
    }
    let request = VolumeFieldRequest {
        terrain: view.terrain,
        spec: scene.model.clone(),
        theta: scene.parameters.clone(),
        data: view.shared_data(&scene.data),
        // Only PCA axes read the trajectory; copying it every frame would cost megabytes.
        trajectory: if matches!(slice.axes, crate::core::slice::AxisChoice::Pca) {
            state.trajectory.clone()
        } else {
            Vec::new()
        },
        slice: slice.clone(),
        third_axis: scene.view.slice3d.third_axis.clone(),
        shape,
        evaluator: view.evaluator.clone(),
    };
    if view.asked.as_ref() != Some(&request) {
        match job.request(request.clone()) {
            Ok(()) => view.asked = Some(request),
            Err(e) => view.error = Some(e),
        }
    }
    arrived
}

/// The picture for `current` seen through `camera`: θ, the trajectory, the manifold walk
/// and the paths between models projected onto the slice (draped on the terrain).
pub fn picture_scene(
    state: &AppState,
    terrain: bool,
    current: &VolumeField,
    camera: OrbitCamera,
) -> VolumeScene {
    let scene = &state.scene;
    let slice = &scene.view.slice;
    let theta = &scene.parameters;
    let shape = &current.field.shape;
    // The paths the paths view sent to the slice (aligned, linear, Bézier in its colors),
    // else the linear path between the first two models.
    let model_paths = if state.slice_paths.is_empty() {
        default_model_paths(&scene.models, theta.len())
    } else {
        state
            .slice_paths
            .iter()
            .enumerate()
            .map(|(i, p)| (p.clone(), i))
            .collect()
    };
    if terrain {
        let plane = &current.axes.plane;
        let (a, b) = project_onto_slice(plane, theta);
        let path: Vec<([f64; 2], bool)> = state
            .trajectory
            .iter()
            .map(|t| (project_onto_slice(plane, t), false))
            .chain(
                state
                    .manifold_walk
                    .iter()
                    .map(|t| (project_onto_slice(plane, t), true)),
            )
            .map(|((a, b), walk)| ([a, b], walk))
            .collect();
        let log = scene.view.terrain.log_height;
        let loss = current.field.loss();
        let ranges = [slice.a_range, slice.b_range];
        let shape = [shape[0], shape[1]];
        let mut picture = terrain_scene(
            camera,
            log,
            loss,
            &current.request.data.targets,
            ranges,
            shape,
            [a, b],
            &path,
        );
        picture.lines = terrain_path_lines(
            &model_paths,
            plane,
            &TerrainSurface::new(loss, shape, ranges, log),
        );
        picture
    } else {
        let outputs = scene.outputs();
        let path: Vec<([f64; 3], bool)> = state
            .trajectory
            .iter()
            .map(|t| (project_onto_slice3(&current.axes, t), false))
            .chain(
                state
                    .manifold_walk
                    .iter()
                    .map(|t| (project_onto_slice3(&current.axes, t), true)),
            )
            .collect();
        let ranges = [slice.a_range, slice.b_range, slice.c_range];
        let mut picture = slice3d_scene(
            &scene.view.slice3d,
            camera,
            Outputs {
                targets: &scene.data.targets,
                current: &outputs,
            },
            ranges,
            &current.field,
            project_onto_slice3(&current.axes, theta),
            &path,
        );
        picture.lines = path_lines(&model_paths, &current.axes, ranges);
        picture
    }
}

/// Labels and ticks of the three axes along the box edges through the corner
/// (−1, −1, −1), projected with the picture's camera.
fn axes_labels(
    ui: &egui::Ui,
    rect: Rect,
    state: &AppState,
    terrain: bool,
    current: &VolumeField,
    scene: &VolumeScene,
) {
    let slice = &state.scene.view.slice;
    let painter = ui.painter().with_clip_rect(rect);
    let size = [rect.width().max(1.0) as u32, rect.height().max(1.0) as u32];
    let text_color = ui.visuals().text_color();
    let font = FontId::proportional(11.0);
    let names = [
        format!("a: {}", current.axes.plane.u_name),
        format!("b: {}", current.axes.plane.v_name),
        if terrain {
            if state.scene.view.terrain.log_height {
                "height: log₁₀ loss".to_string()
            } else {
                "height: loss".to_string()
            }
        } else {
            format!("c: {}", current.axes.w_name)
        },
    ];
    let ranges = [slice.a_range, slice.b_range, slice.c_range];
    for mark in axis_marks(&scene.camera, size, ranges, &names, terrain) {
        let pos = rect.min + Vec2::new(mark.pos[0], mark.pos[1]);
        if mark.is_tick {
            painter.circle_filled(pos, 1.5, text_color);
            painter.text(
                pos + Vec2::new(0.0, 3.0),
                Align2::CENTER_TOP,
                mark.text,
                font.clone(),
                text_color,
            );
        } else {
            painter.text(
                pos,
                Align2::CENTER_CENTER,
                mark.text,
                FontId::proportional(13.0),
                text_color,
            );
        }
    }
}

/// The levels field: several levels per input, as offsets m of f = base + m,
/// comma-separated; returns whether `levels` changed. While the text does not parse, the
/// last good levels stay and one sentence says why.
fn levels_field(ui: &mut egui::Ui, view: &mut VolumeViewState, levels: &mut Vec<f64>) -> bool {
    let mut changed = false;
    let mut text = view
        .levels_text
        .clone()
        .unwrap_or_else(|| format_levels(levels));
    let label = ui.label("level offsets").id;
    let response = ui
        .add(egui::TextEdit::singleline(&mut text).desired_width(120.0))
        .labelled_by(label);
    if response.changed() {
        match parse_levels(&text) {
            Ok(parsed) => {
                view.levels_error = None;
                if parsed != *levels {
                    *levels = parsed;
                    changed = true;
                }
            }
            Err(problem) => view.levels_error = Some(problem),
        }
        view.levels_text = Some(text);
    }
    if response.lost_focus() {
        view.levels_text = None;
        view.levels_error = None;
    }
    if let Some(problem) = &view.levels_error {
        ui.colored_label(Color32::from_rgb(230, 120, 90), problem);
    }
    changed
}

/// The rows above the picture: inputs and levels (3D slice) or the height scale
/// (terrain), the clipping planes, the volume size, and what is drawn.
fn controls_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    view: &mut VolumeViewState,
    actions: &mut Vec<Action>,
) {
    let scene = &state.scene;
    if view.terrain {
        terrain_controls_ui(ui, state, actions);
        return;
    }
    let mut spec = scene.view.slice3d.clone();
    let k = scene.data.n_inputs();
    let mut changed = false;
    ui.horizontal_wrapped(|ui| {
        ui.label("surfaces:");
        let mut selected = spec.selected_inputs(k);
        for i in 0..k.min(16) {
            let mut on = selected.contains(&i);
            let text = egui::RichText::new(format!("x{i}")).color(input_color(i));
            if ui.checkbox(&mut on, text).changed() {
                if on {
                    selected.push(i);
                    selected.sort_unstable();
                } else {
                    selected.retain(|&j| j != i);
                }
                selected.truncate(MAX_SURFACES);
                spec.inputs = Some(selected.clone());
                changed = true;
            }
        }
        ui.separator();
        changed |= ui
            .checkbox(&mut spec.through_theta, "through θ (f = f(θ), else f = y)")
            .changed();
        changed |= levels_field(ui, view, &mut spec.levels);
    });
    ui.horizontal_wrapped(|ui| {
        let slice = &scene.view.slice;
        let ranges = [slice.a_range, slice.b_range, slice.c_range];
        for (axis, name) in ["a", "b", "c"].iter().enumerate() {
            let [lo, hi] = ranges[axis];
            let mut at = spec
                .clip
                .iter()
                .find(|p| p.axis == axis)
                .map_or(hi, |p| p.at);
            wrap_before_slider(ui);
            let label = ui.label(format!("clip {name} ≤")).id;
            if ui
                .add(egui::Slider::new(&mut at, lo..=hi).max_decimals(2))
                .labelled_by(label)
                .changed()
            {
                spec.clip.retain(|p| p.axis != axis);
                if at < hi {
                    spec.clip.push(ClipPlane {
                        axis,
                        at,
                        keep_below: true,
                    });
                }
                changed = true;
            }
        }
        let mut side = spec.resolution[0];
        wrap_before_slider(ui);
        let label = ui.label("volume").id;
        if ui
            .add(egui::Slider::new(&mut side, 16..=128).suffix("³"))
            .labelled_by(label)
            .changed()
        {
            spec.resolution = [side; 3];
            changed = true;
        }
        if ui.button("Reset camera").clicked() {
            spec.camera = OrbitCamera::default();
            changed = true;
        }
    });
    if let Some(current) = &view.current {
        let s = &current.field.shape;
        ui.label(
            egui::RichText::new(format!(
                "volume {}×{}×{}{} · {}, in the background; {}",
                s[0],
                s[1],
                s.get(2).copied().unwrap_or(1),
                view.size_note
                    .as_ref()
                    .map(|n| format!(" ({n})"))
                    .unwrap_or_default(),
                current.made_by,
                current.axes.plane.description
            ))
            .small()
            .color(Color32::GRAY),
        )
        .on_hover_text(view.evaluator.reason());
    }
    if changed {
        actions.push(Action::SetSlice3dSpec(spec));
    }
}

/// Starts a new row of a wrapping layout when a labelled slider would not fit in what is
/// left of this one: egui lays a slider and its value box out as one group that does not
/// wrap, so at the row's end the value box was cut off. A row with nothing on it yet is
/// kept (a new one would only leave it empty).
fn wrap_before_slider(ui: &mut egui::Ui) {
    let spacing = ui.spacing();
    // The label (about 60 points), the slider, and its value box.
    let needed = 60.0 + spacing.slider_width + 2.0 * spacing.interact_size.x;
    let row_started = ui.cursor().min.x > ui.max_rect().min.x + 1.0;
    if row_started && ui.available_size_before_wrap().x < needed {
        ui.end_row();
    }
}

/// The terrain's row: log or linear height, a camera reset, and what the height is.
fn terrain_controls_ui(ui: &mut egui::Ui, state: &AppState, actions: &mut Vec<Action>) {
    let mut spec = state.scene.view.terrain.clone();
    ui.horizontal_wrapped(|ui| {
        let mut changed = ui.checkbox(&mut spec.log_height, "log₁₀ height").changed();
        if ui.button("Reset camera").clicked() {
            spec.camera = crate::core::slice3d::TerrainSpec::default().camera;
            changed = true;
        }
        ui.label("the loss over the 2D slice");
        if changed {
            actions.push(Action::SetTerrainSpec(spec.clone()));
        }
    });
}

#[cfg(test)]
mod tests {
    use super::median;

    /// The shown frame rate is the middle frame interval: odd counts take the middle
    /// one, even counts the mean of the two middle ones, non-finite intervals are skipped.
    #[test]
    fn the_frame_rate_shown_is_the_median_interval() {
        assert_eq!(median([30.0, 10.0, 20.0].into_iter()), Some(20.0));
        assert_eq!(median([40.0, 10.0, 30.0, 20.0].into_iter()), Some(25.0));
        assert_eq!(median([f64::NAN, 5.0].into_iter()), Some(5.0));
        assert_eq!(median(std::iter::empty()), None);
    }
}
