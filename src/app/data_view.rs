//! The data view: the network's function over input space with the training points —
//! a heatmap for 2-D inputs, a curve for 1-D inputs, a table otherwise. Points can be
//! dragged; right-click adds a point, shift+right-click removes the nearest one.

use crate::core::limits::MAX_AXIS_MAGNITUDE;
use crate::draw::ticks::{AXIS_CLAMPED_NOTE, axis_range, beyond_axis_limit};
use egui::{Color32, ColorImage, TextureHandle, TextureOptions};
use egui_plot::{Line, Plot, PlotImage, PlotPoint, PlotPoints, Points};

use super::state::{Action, AppState};

/// Heatmap resolution (per side) of the 2-D function image.
const HEATMAP_SIDE: usize = 160;
/// How close (in points) the pointer must be to grab a training point.
const GRAB_RADIUS: f32 = 10.0;

/// What the data view keeps between frames.
#[derive(Default)]
pub struct DataViewCache {
    texture: Option<TextureHandle>,
    /// θ, data generation and bounds the texture was drawn for.
    drawn_for: Option<(Vec<f64>, [f64; 4], u64)>,
    /// Input-space bounds [x_lo, x_hi, y_lo, y_hi], fixed per run so drags don't rescale.
    bounds: Option<([f64; 4], u64)>,
    dragging: Option<usize>,
    /// Plot-to-screen transform of the last frame (for tests and tooltips).
    pub last_transform: Option<egui_plot::PlotTransform>,
}

/// Shows the data view for the current state.
pub fn data_view_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    cache: &mut DataViewCache,
    actions: &mut Vec<Action>,
) {
    match state.scene.model.input_dim() {
        1 => curve_ui(ui, state, cache, actions),
        2 => heatmap_ui(ui, state, cache, actions),
        _ => table_ui(ui, state),
    }
}

/// Range of the target values, used to color outputs (a unit range around a constant).
fn target_range(targets: &[f64]) -> (f64, f64) {
    let lo = targets.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = targets.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !(lo.is_finite() && hi.is_finite()) || hi - lo < 1e-9 {
        let c = if lo.is_finite() { lo } else { 0.0 };
        (c - 1.0, c + 1.0)
    } else {
        // Clamped so that hi − lo stays finite for targets near ±f64::MAX.
        let [lo, hi] = axis_range(lo, hi, 0.0, 1.0);
        (lo, hi)
    }
}

/// Diverging color of an output, blue at the lowest target and red at the highest.
pub fn output_color(value: f64, (lo, hi): (f64, f64)) -> Color32 {
    let t = ((value - lo) / (hi - lo)).clamp(0.0, 1.0);
    // colorous' RED_BLUE runs red → blue; flip so high targets are red.
    let c = colorous::RED_BLUE.eval_continuous(1.0 - t);
    Color32::from_rgb(c.r, c.g, c.b)
}

fn padded_bounds(state: &AppState) -> [f64; 4] {
    let d = &state.scene.data;
    let mut b = [
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    for x in &d.inputs {
        b[0] = b[0].min(x[0]);
        b[1] = b[1].max(x[0]);
        if x.len() > 1 {
            b[2] = b[2].min(x[1]);
            b[3] = b[3].max(x[1]);
        }
    }
    let pad = |lo: f64, hi: f64| {
        if !(lo.is_finite() && hi.is_finite()) {
            return (-1.0, 1.0);
        }
        // axis_range keeps the span finite for inputs near ±f64::MAX.
        let [lo, hi] = axis_range(lo, hi, 0.0, 0.0);
        let span = (hi - lo).max(1.0);
        (lo - 0.25 * span, hi + 0.25 * span)
    };
    let (x0, x1) = pad(b[0], b[1]);
    let (y0, y1) = pad(b[2], b[3]);
    [x0, x1, y0, y1]
}

fn bounds(state: &AppState, cache: &mut DataViewCache) -> [f64; 4] {
    match cache.bounds {
        Some((b, generation)) if generation == state.generation => b,
        _ => {
            let b = padded_bounds(state);
            cache.bounds = Some((b, state.generation));
            b
        }
    }
}

fn heatmap_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    cache: &mut DataViewCache,
    actions: &mut Vec<Action>,
) {
    let b = bounds(state, cache);
    if beyond_axis_limit(state.scene.data.inputs.iter().flatten().copied()) {
        ui.label(egui::RichText::new(AXIS_CLAMPED_NOTE).weak());
    }
    let range = target_range(&state.scene.data.targets);
    let key = (state.theta().to_vec(), b, state.generation);
    if cache.drawn_for.as_ref() != Some(&key) || cache.texture.is_none() {
        let image = function_image(state, b, range);
        match &mut cache.texture {
            Some(t) => t.set(image, TextureOptions::LINEAR),
            None => {
                cache.texture = Some(ui.ctx().load_texture(
                    "data_view_function",
                    image,
                    TextureOptions::LINEAR,
                ));
            }
        }
        cache.drawn_for = Some(key);
    }
    let Some(texture) = &cache.texture else {
        return;
    };
    let texture_id = texture.id();
    let data = &state.scene.data;
    ui.label(
        egui::RichText::new("f(x) over input space (blue: low target, red: high target)").weak(),
    );
    let response = Plot::new("data_view_2d")
        .data_aspect(1.0)
        .allow_drag(false)
        .allow_double_click_reset(false)
        .show_grid(false)
        .x_axis_label("x₀")
        .y_axis_label("x₁")
        .show(ui, |plot_ui| {
            let center = PlotPoint::new(0.5 * (b[0] + b[1]), 0.5 * (b[2] + b[3]));
            let size = egui::vec2((b[1] - b[0]) as f32, (b[3] - b[2]) as f32);
            plot_ui.image(PlotImage::new("f(x)", texture_id, center, size));
            for (i, (x, &y)) in data.inputs.iter().zip(&data.targets).enumerate() {
                let ring = if cache.dragging == Some(i) {
                    Color32::YELLOW
                } else {
                    Color32::WHITE
                };
                // Black and white rings keep a point visible on any background color.
                for (radius, color) in [
                    (7.0, Color32::BLACK),
                    (6.0, ring),
                    (4.5, output_color(y, range)),
                ] {
                    plot_ui.points(
                        Points::new("", vec![[x[0], x[1]]])
                            .radius(radius)
                            .color(color),
                    );
                }
            }
            interact(
                plot_ui,
                state,
                cache,
                actions,
                |x| [x[0], x[1]],
                |p| vec![p.x, p.y],
            );
        });
    cache.last_transform = Some(response.transform);
}

/// Pointer handling of the 2-D plot: drag a point, right-click to add,
/// shift+right-click to remove.
fn interact(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    state: &AppState,
    cache: &mut DataViewCache,
    actions: &mut Vec<Action>,
    to_plot: impl Fn(&[f64]) -> [f64; 2],
    from_plot: impl Fn(PlotPoint) -> Vec<f64>,
) {
    let data = &state.scene.data;
    let response = plot_ui.response().clone();
    let Some(pointer) = plot_ui.pointer_coordinate() else {
        if response.drag_stopped() {
            cache.dragging = None;
        }
        return;
    };
    let pointer_screen = plot_ui.screen_from_plot(pointer);
    let nearest = data
        .inputs
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let p = to_plot(x);
            let s = plot_ui.screen_from_plot(PlotPoint::new(p[0], p[1]));
            (i, s.distance(pointer_screen))
        })
        .min_by(|a, b| a.1.total_cmp(&b.1));
    if response.drag_started() {
        cache.dragging = nearest.filter(|(_, d)| *d <= GRAB_RADIUS).map(|(i, _)| i);
    }
    if let Some(i) = cache.dragging {
        if response.dragged() {
            actions.push(Action::MovePoint(i, from_plot(pointer)));
        }
        if response.drag_stopped() {
            cache.dragging = None;
        }
    }
    if response.secondary_clicked() {
        let shift = plot_ui.ctx().input(|inp| inp.modifiers.shift);
        if shift {
            if let Some((i, d)) = nearest
                && d <= GRAB_RADIUS
            {
                actions.push(Action::RemovePoint(i));
            }
        } else {
            actions.push(Action::AddPoint(from_plot(pointer), state.new_point_target));
        }
    }
}

/// f over a HEATMAP_SIDE² grid of the input box, colored by target range; row 0 is the top.
fn function_image(state: &AppState, b: [f64; 4], range: (f64, f64)) -> ColorImage {
    let n = HEATMAP_SIDE;
    let mut xs = Vec::with_capacity(2 * n * n);
    for row in 0..n {
        let y = b[3] - (b[3] - b[2]) * (row as f64 + 0.5) / n as f64;
        for col in 0..n {
            let x = b[0] + (b[1] - b[0]) * (col as f64 + 0.5) / n as f64;
            xs.push(x);
            xs.push(y);
        }
    }
    let f = state.scene.model.forward_many(state.theta(), &xs);
    let pixels = f.iter().map(|&v| output_color(v, range)).collect();
    ColorImage::new([n, n], pixels)
}

fn curve_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    cache: &mut DataViewCache,
    actions: &mut Vec<Action>,
) {
    let b = bounds(state, cache);
    let data = &state.scene.data;
    let n: u32 = 400;
    let xs: Vec<f64> = (0..n)
        .map(|i| b[0] + (b[1] - b[0]) * f64::from(i) / f64::from(n - 1))
        .collect();
    let f = state.scene.model.forward_many(state.theta(), &xs);
    if beyond_axis_limit(
        f.iter()
            .chain(&data.targets)
            .chain(data.inputs.iter().flatten())
            .copied(),
    ) {
        ui.label(egui::RichText::new(AXIS_CLAMPED_NOTE).weak());
    }
    // Outputs near ±f64::MAX would overflow the plot's auto bounds; they are drawn at
    // ±MAX_AXIS_MAGNITUDE, non-finite ones not at all.
    let curve: PlotPoints = xs
        .iter()
        .zip(&f)
        .filter(|(_, y)| y.is_finite())
        .map(|(&x, &y)| [x, y.clamp(-MAX_AXIS_MAGNITUDE, MAX_AXIS_MAGNITUDE)])
        .collect();
    ui.label(
        egui::RichText::new("f(x) and the training points (drag to move; right-click adds)").weak(),
    );
    let response = Plot::new("data_view_1d")
        .allow_drag(false)
        .allow_double_click_reset(false)
        .x_axis_label("x")
        .y_axis_label("f(x)")
        .show(ui, |plot_ui| {
            plot_ui.line(
                Line::new("f(x)", curve)
                    .color(Color32::from_rgb(60, 120, 220))
                    .width(2.0),
            );
            let pts: PlotPoints = data
                .inputs
                .iter()
                .zip(&data.targets)
                .map(|(x, &y)| [x[0], y])
                .collect();
            plot_ui.points(
                Points::new("training points", pts)
                    .radius(5.0)
                    .color(Color32::from_rgb(220, 80, 40)),
            );
            // 1-D points sit at (x, y): a drag moves the input and the target.
            interact_1d(plot_ui, state, cache, actions, &data.targets);
        });
    cache.last_transform = Some(response.transform);
}

/// 1-D drags move both the input (x) and the target (y).
fn interact_1d(
    plot_ui: &mut egui_plot::PlotUi<'_>,
    state: &AppState,
    cache: &mut DataViewCache,
    actions: &mut Vec<Action>,
    targets: &[f64],
) {
    let data = &state.scene.data;
    let response = plot_ui.response().clone();
    let Some(pointer) = plot_ui.pointer_coordinate() else {
        return;
    };
    let pointer_screen = plot_ui.screen_from_plot(pointer);
    let nearest = data
        .inputs
        .iter()
        .zip(targets)
        .enumerate()
        .map(|(i, (x, &y))| {
            (
                i,
                plot_ui
                    .screen_from_plot(PlotPoint::new(x[0], y))
                    .distance(pointer_screen),
            )
        })
        .min_by(|a, b| a.1.total_cmp(&b.1));
    if response.drag_started() {
        cache.dragging = nearest.filter(|(_, d)| *d <= GRAB_RADIUS).map(|(i, _)| i);
    }
    if let Some(i) = cache.dragging
        && response.dragged()
    {
        actions.push(Action::MovePoint(i, vec![pointer.x]));
        actions.push(Action::SetTarget(i, pointer.y));
    }
    if response.secondary_clicked() {
        if plot_ui.ctx().input(|inp| inp.modifiers.shift) {
            if let Some((i, d)) = nearest
                && d <= GRAB_RADIUS
            {
                actions.push(Action::RemovePoint(i));
            }
        } else {
            actions.push(Action::AddPoint(vec![pointer.x], pointer.y));
        }
    }
}

fn table_ui(ui: &mut egui::Ui, state: &AppState) {
    let data = &state.scene.data;
    ui.label(format!(
        "{}-dimensional inputs: inputs, targets and outputs",
        state.scene.model.input_dim()
    ));
    egui::ScrollArea::both().show(ui, |ui| {
        egui::Grid::new("data_table").striped(true).show(ui, |ui| {
            ui.strong("#");
            for j in 0..data.input_dim() {
                ui.strong(format!("x{j}"));
            }
            ui.strong("target y");
            ui.strong("output f(x)");
            ui.strong("residual");
            ui.end_row();
            for (i, (x, &y)) in data.inputs.iter().zip(&data.targets).enumerate() {
                ui.label(i.to_string());
                for v in x {
                    ui.label(format!("{v:.3}"));
                }
                let f = state.scene.model.forward(state.theta(), x);
                ui.label(format!("{y:.4}"));
                ui.label(format!("{f:.4}"));
                ui.label(format!("{:+.2e}", f - y));
                ui.end_row();
            }
        });
    });
}
