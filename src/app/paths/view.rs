//! The paths view: the models list, loss and error along the linear path between two
//! models before and after alignment (and the fitted Bézier path) on the stated t grid
//! with both barriers printed, the function θ(t) under the pointer, the barrier matrix
//! over all pairs, and the plane through A, B and the aligned B as a slice.

use egui::{Color32, RichText};
use egui_plot::{Corner, Legend, Line, LineStyle, Plot, PlotPoint, PlotPoints, Points, Text};

use super::{BezierCurve, Comparison, PathsViewState, models};
use crate::app::state::{Action, AppState};
use crate::core::align::AlignMethod;
use crate::core::paths::{MAX_POINTS, Path, PathProfile};
use crate::core::slice::{AxisChoice, SliceSpec, project_onto_slice, three_point_axes};
use crate::draw::figure::path_color;

/// Colors of the curves, as in the CLI's paths figure.
fn color(i: usize) -> Color32 {
    let c = path_color(i);
    Color32::from_rgb(c.r, c.g, c.b)
}

/// Label of the printed barriers of the linear path (tests look for it).
pub const BARRIERS_LABEL: &str = "barriers on the t grid";

/// The whole view.
pub fn paths_view_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    view: &mut PathsViewState,
    actions: &mut Vec<Action>,
) {
    view.update(ui.ctx(), &state.scene);
    // Beside the curves in a wide tile, above them in a narrow one (where a side panel
    // would leave the curves a sliver).
    let panel = if ui.available_width() >= 720.0 {
        egui::Panel::left("paths_models").default_size(240.0)
    } else {
        egui::Panel::top("paths_models_above").default_size(170.0)
    };
    panel.resizable(true).show(ui, |ui| {
        egui::ScrollArea::vertical().show(ui, |ui| {
            models::models_list_ui(ui, state, view, actions);
        });
    });
    egui::CentralPanel::default().show(ui, |ui| {
        if state.scene.models.len() < 2 {
            ui.label(
                "Add at least two models (train them from different seeds, or snapshot θ) to see the paths between them.",
            );
            return;
        }
        controls_ui(ui, state, view, actions);
        ui.separator();
        egui::ScrollArea::vertical().show(ui, |ui| {
            curves_ui(ui, state, view);
            ui.separator();
            matrix_ui(ui, state, view);
        });
    });
}

fn model_combo(ui: &mut egui::Ui, label: &str, index: &mut usize, state: &AppState) {
    let names = &state.scene.models;
    egui::ComboBox::from_label(label)
        .selected_text(names.get(*index).map_or("—", |m| m.name.as_str()))
        .show_ui(ui, |ui| {
            for (i, m) in names.iter().enumerate() {
                ui.selectable_value(index, i, &m.name);
            }
        });
}

fn controls_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    view: &mut PathsViewState,
    actions: &mut Vec<Action>,
) {
    ui.horizontal_wrapped(|ui| {
        model_combo(ui, "A", &mut view.a, state);
        model_combo(ui, "B", &mut view.b, state);
        ui.label("t grid:");
        ui.add(egui::DragValue::new(&mut view.points).range(2..=MAX_POINTS.min(1001)))
            .on_hover_text("points of the t grid, both ends included; losses are exact there");
        egui::ComboBox::from_label("alignment")
            .selected_text(view.method.name())
            .show_ui(ui, |ui| {
                for m in [
                    AlignMethod::None,
                    AlignMethod::Weights,
                    AlignMethod::Activations,
                ] {
                    ui.selectable_value(&mut view.method, m, m.name());
                }
            });
    });
    ui.horizontal_wrapped(|ui| {
        let fitting = view.bezier_task.as_ref();
        if let Some(task) = fitting {
            let (fraction, text) = task.progress();
            ui.add(
                egui::ProgressBar::new(fraction)
                    .desired_width(180.0)
                    .text(text),
            );
            if ui.button("Cancel fit").clicked() {
                task.cancel();
            }
        } else {
            ui.add(
                egui::DragValue::new(&mut view.bezier_steps)
                    .range(1..=1_000_000)
                    .suffix(" steps"),
            );
            let ready = matches!(view.comparison, Some(Ok(_)));
            if ui
                .add_enabled(ready, egui::Button::new("Fit Bézier path"))
                .on_hover_text(
                    "train the control point of a quadratic Bézier from A to the aligned B, minimizing the expected loss over t ~ U(0, 1) (Garipov et al. 2018)",
                )
                .clicked()
            {
                view.start_bezier(ui.ctx());
            }
        }
        if let Some(Ok(c)) = &view.comparison
            && ui
                .button("Slice through A, B, aligned B")
                .on_hover_text("the 2D slice's plane through the three models, with the paths drawn in it")
                .clicked()
        {
            let third = view
                .current_bezier()
                .filter(|_| c.key.method == AlignMethod::None)
                .map_or(&c.alignment.theta_aligned, |b| &b.control);
            if let Some(spec) = plane_spec(&state.scene.view.slice, &c.key.a, &c.key.b, third) {
                let along = |path: Path<'_>| -> Vec<Vec<f64>> {
                    c.before.t.iter().map(|&t| path.point(t)).collect()
                };
                let b_aligned = &c.alignment.theta_aligned;
                let mut paths = vec![
                    along(Path::Linear {
                        a: &c.key.a,
                        b: b_aligned,
                    }),
                    along(Path::Linear {
                        a: &c.key.a,
                        b: &c.key.b,
                    }),
                ];
                if let Some(curve) = view.current_bezier() {
                    paths.push(along(Path::Bezier {
                        a: &c.key.a,
                        control: &curve.control,
                        b: b_aligned,
                    }));
                }
                actions.push(Action::Models(super::ModelsAction::ShowInSlice { spec, paths }));
            } else {
                view.message = Some(
                    "the three models lie on one line (B is already aligned?), so they span no plane".into(),
                );
            }
        }
        if view.comparing() {
            ui.spinner();
        }
    });
    if let Some(m) = &view.message {
        ui.label(m);
    }
}

/// A slice spec through three models, its ranges fitted around them.
fn plane_spec(current: &SliceSpec, a: &[f64], b: &[f64], c: &[f64]) -> Option<SliceSpec> {
    let axes = three_point_axes(a, b, c).ok()?;
    let pts: Vec<(f64, f64)> = [a, b, c]
        .iter()
        .map(|p| project_onto_slice(&axes, p))
        .collect();
    let range = |f: fn(&(f64, f64)) -> f64| {
        let lo = pts.iter().map(f).fold(f64::INFINITY, f64::min);
        let hi = pts.iter().map(f).fold(f64::NEG_INFINITY, f64::max);
        let pad = 0.35 * (hi - lo).max(1e-6);
        [lo - pad, hi + pad]
    };
    Some(SliceSpec {
        axes: AxisChoice::ThreePoints {
            points: vec![a.to_vec(), b.to_vec(), c.to_vec()],
        },
        a_range: range(|p| p.0),
        b_range: range(|p| p.1),
        center: None,
        ..current.clone()
    })
}

fn barrier_text(p: &PathProfile) -> String {
    format!(
        "mean {:.4e}, chord {:.4e}",
        p.loss_barriers.mean, p.loss_barriers.chord
    )
}

fn series(t: &[f64], v: &[f64]) -> Vec<[f64; 2]> {
    t.iter()
        .zip(v)
        .filter(|(_, v)| v.is_finite())
        .map(|(&t, &v)| [t, v])
        .collect()
}

fn curves_ui(ui: &mut egui::Ui, state: &AppState, view: &mut PathsViewState) {
    let comparison = match &view.comparison {
        Some(Ok(c)) => c.clone(),
        Some(Err(e)) => {
            ui.colored_label(ui.visuals().error_fg_color, e);
            return;
        }
        None => {
            ui.label("computing the paths…");
            return;
        }
    };
    let bezier = view.current_bezier().cloned();
    let lines = barrier_lines(&comparison, bezier.as_ref());
    for l in &lines {
        ui.label(RichText::new(l).monospace());
    }
    let available = ui.available_width();
    ui.horizontal(|ui| {
        let plot_width = (available - 240.0).max(320.0);
        view.hover_t = loss_plot_ui(ui, plot_width, &comparison, bezier.as_ref(), &lines);
        function_preview_ui(ui, state, view, &comparison);
    });
    error_plot_ui(ui, &comparison, bezier.as_ref());
}

/// The barriers of each path, one line each (printed above and on the plot).
fn barrier_lines(comparison: &Comparison, bezier: Option<&BezierCurve>) -> Vec<String> {
    let n = comparison.before.t.len();
    let mut lines = vec![format!(
        "{BARRIERS_LABEL} ({n} points): linear A to B: {}",
        barrier_text(&comparison.before)
    )];
    if comparison.key.method != AlignMethod::None {
        lines.push(format!(
            "A to B aligned by {}{}: {}",
            comparison.key.method.words(),
            if comparison.key.method == AlignMethod::Weights {
                format!(" ({} sweeps)", comparison.alignment.sweeps)
            } else {
                String::new()
            },
            barrier_text(&comparison.after)
        ));
    }
    if let Some(b) = bezier {
        lines.push(format!(
            "Bézier path ({} steps): {}, max loss {:.4e} vs linear {:.4e}",
            b.steps_done,
            barrier_text(&b.profile),
            b.profile.max_loss(),
            comparison.after.max_loss()
        ));
    }
    lines
}

/// The loss along the paths with the barriers printed on the plot; returns the t under
/// the pointer.
fn loss_plot_ui(
    ui: &mut egui::Ui,
    width: f32,
    comparison: &Comparison,
    bezier: Option<&BezierCurve>,
    lines: &[String],
) -> Option<f64> {
    let top = [&comparison.before, &comparison.after]
        .into_iter()
        .chain(bezier.map(|b| &b.profile))
        .map(PathProfile::max_loss)
        .fold(0.0, f64::max);
    let response = Plot::new("paths_loss")
        .width(width)
        .height(300.0)
        .x_axis_label("t")
        .y_axis_label("loss L(θ(t))")
        .include_x(0.0)
        .include_x(1.0)
        .include_y(0.0)
        .include_y(top * 1.25)
        .allow_scroll(false)
        .legend(Legend::default().position(Corner::RightBottom))
        .show(ui, |p| {
            let before = &comparison.before;
            p.line(
                Line::new("linear A to B", series(&before.t, &before.loss))
                    .color(color(1))
                    .style(LineStyle::dashed_loose())
                    .width(2.0),
            );
            p.points(
                Points::new("linear A to B", series(&before.t, &before.loss))
                    .color(color(1))
                    .radius(2.5),
            );
            if comparison.key.method != AlignMethod::None {
                let after = &comparison.after;
                let name = format!("A to aligned B ({})", comparison.key.method.name());
                p.line(
                    Line::new(name.clone(), series(&after.t, &after.loss))
                        .color(color(0))
                        .width(2.0),
                );
                p.points(
                    Points::new(name, series(&after.t, &after.loss))
                        .color(color(0))
                        .radius(2.5),
                );
            }
            if let Some(b) = bezier {
                p.line(
                    Line::new("Bézier", series(&b.profile.t, &b.profile.loss))
                        .color(color(2))
                        .width(2.0),
                );
            }
            // The barriers, printed on the plot.
            let mut y = top * 1.2;
            for l in lines {
                p.text(
                    Text::new("", PlotPoint::new(0.02, y), RichText::new(l).small())
                        .anchor(egui::Align2::LEFT_TOP),
                );
                y -= top * 0.07;
            }
            p.pointer_coordinate().map(|c| c.x)
        });
    response
        .inner
        .filter(|t| (0.0..=1.0).contains(t) && response.response.hovered())
}

/// The error along the paths (binary targets only) and its mean barriers.
fn error_plot_ui(ui: &mut egui::Ui, comparison: &Comparison, bezier: Option<&BezierCurve>) {
    let Some(error) = &comparison.before.error else {
        return;
    };
    Plot::new("paths_error")
        .height(150.0)
        .x_axis_label("t")
        .y_axis_label("error")
        .include_x(0.0)
        .include_x(1.0)
        .include_y(0.0)
        .include_y(1.0)
        .allow_scroll(false)
        .show(ui, |p| {
            p.line(
                Line::new("linear A to B", series(&comparison.before.t, error))
                    .color(color(1))
                    .style(LineStyle::dashed_loose()),
            );
            if comparison.key.method != AlignMethod::None
                && let Some(e) = &comparison.after.error
            {
                p.line(Line::new("A to aligned B", series(&comparison.after.t, e)).color(color(0)));
            }
            if let Some(b) = bezier
                && let Some(e) = &b.profile.error
            {
                p.line(Line::new("Bézier", series(&b.profile.t, e)).color(color(2)));
            }
        });
    if let (Some(before), Some(after)) = (
        comparison.before.error_barriers,
        comparison.after.error_barriers,
    ) {
        ui.label(format!(
            "error barrier (mean) {:.3} before, {:.3} after alignment",
            before.mean, after.mean
        ));
    }
}

/// The function θ(t) at the hovered t (of the aligned path, or the linear one), as a
/// small plot of f over input space (1-D inputs: the curve; else the outputs per input).
fn function_preview_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    view: &PathsViewState,
    comparison: &super::Comparison,
) {
    ui.vertical(|ui| {
        let Some(t) = view.hover_t else {
            ui.label("hover the plot to see θ(t)'s function");
            return;
        };
        let b = &comparison.alignment.theta_aligned;
        let theta = match view.current_bezier() {
            Some(curve) => Path::Bezier {
                a: &comparison.key.a,
                control: &curve.control,
                b,
            }
            .point(t),
            None => Path::Linear {
                a: &comparison.key.a,
                b,
            }
            .point(t),
        };
        ui.label(format!("f(x; θ(t)) at t = {t:.3}"));
        let spec = &state.scene.model;
        let data = &state.scene.data;
        Plot::new("paths_function")
            .width(220.0)
            .height(220.0)
            .allow_scroll(false)
            .allow_drag(false)
            .allow_zoom(false)
            .show(ui, |p| {
                if spec.input_dim() == 1 {
                    let (lo, hi) = data
                        .inputs
                        .iter()
                        .map(|x| x[0])
                        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
                            (l.min(v), h.max(v))
                        });
                    let xs: Vec<f64> = (0..200)
                        .map(|j| lo + (hi - lo) * f64::from(j) / 199.0)
                        .collect();
                    let fs = spec.forward_many(&theta, &xs);
                    p.line(Line::new(
                        "f",
                        xs.iter()
                            .zip(&fs)
                            .map(|(&x, &f)| [x, f])
                            .collect::<PlotPoints<'_>>(),
                    ));
                    p.points(Points::new(
                        "data",
                        data.inputs
                            .iter()
                            .zip(&data.targets)
                            .map(|(x, &y)| [x[0], y])
                            .collect::<PlotPoints<'_>>(),
                    ));
                } else {
                    function_grid(p, spec, &theta, data);
                }
            });
    });
}

/// f over a coarse grid of the first two input coordinates (red below the label
/// midpoint, blue above, paler near it), with the training points on top.
fn function_grid(
    p: &mut egui_plot::PlotUi<'_>,
    spec: &crate::core::MlpSpec,
    theta: &[f64],
    data: &crate::core::Dataset,
) {
    const N: usize = 28;
    let mid = data.binary_labels().map_or(0.0, |(lo, hi)| 0.5 * (lo + hi));
    let range = |d: usize| {
        let (lo, hi) = data
            .inputs
            .iter()
            .map(|x| x[d])
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), v| {
                (l.min(v), h.max(v))
            });
        let pad = 0.1 * (hi - lo).max(1e-3);
        (lo - pad, hi + pad)
    };
    let ((x0, x1), (y0, y1)) = (range(0), range(1));
    let shade = |f: f64| {
        let c = colorous::RED_BLUE.eval_continuous((0.5 + 0.5 * (f - mid).tanh()).clamp(0.0, 1.0));
        Color32::from_rgb(c.r, c.g, c.b)
    };
    for j in 0..N {
        for i in 0..N {
            let x = x0 + (x1 - x0) * i as f64 / (N - 1) as f64;
            let y = y0 + (y1 - y0) * j as f64 / (N - 1) as f64;
            let mut input = vec![0.0; spec.input_dim()];
            input[0] = x;
            input[1] = y;
            p.points(
                Points::new("", vec![[x, y]])
                    .color(shade(spec.forward(theta, &input)))
                    .radius(3.5),
            );
        }
    }
    for (x, &target) in data.inputs.iter().zip(&data.targets) {
        p.points(
            Points::new("", vec![[x[0], x[1]]])
                .color(shade(target))
                .radius(2.5),
        );
    }
}

/// The barrier matrix: mean barriers of every pair before and after weight matching.
fn matrix_ui(ui: &mut egui::Ui, state: &AppState, view: &PathsViewState) {
    ui.heading("Barrier matrix (mean loss barrier of the linear path, every pair)");
    if let Some((fraction, text)) = view.matrix_progress() {
        ui.horizontal(|ui| {
            ui.add(
                egui::ProgressBar::new(fraction)
                    .desired_width(240.0)
                    .text(format!("computing: {text}")),
            );
            if ui.button("Cancel matrix").clicked() {
                view.cancel_matrix();
            }
        });
    }
    let matrix = match &view.matrix {
        Some(Ok(m)) => m,
        Some(Err(e)) => {
            ui.colored_label(ui.visuals().error_fg_color, e);
            return;
        }
        None => return,
    };
    let hi = matrix
        .before
        .iter()
        .chain(&matrix.after)
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
        .max(1e-300);
    // Names as they are now (a rename does not recompute the barriers).
    let names: Vec<String> = if state.scene.models.len() == matrix.names.len() {
        state.scene.models.iter().map(|m| m.name.clone()).collect()
    } else {
        matrix.names.clone()
    };
    ui.horizontal(|ui| {
        for (title, values) in [
            ("before alignment", &matrix.before),
            ("after weight matching", &matrix.after),
        ] {
            ui.vertical(|ui| {
                ui.label(title);
                heatmap_ui(ui, &names, values, hi);
            });
        }
    });
    ui.label("color: barrier from 0 (dark) to the largest of both matrices (bright); hover a cell for its value");
}

fn heatmap_ui(ui: &mut egui::Ui, names: &[String], values: &[Vec<f64>], hi: f64) {
    let m = values.len();
    let cell = (240.0 / m as f32).clamp(8.0, 40.0);
    let (rect, response) = ui.allocate_exact_size(
        egui::vec2(cell * m as f32, cell * m as f32),
        egui::Sense::hover(),
    );
    let painter = ui.painter_at(rect);
    for (i, row) in values.iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            let c = colorous::VIRIDIS.eval_continuous((v / hi).clamp(0.0, 1.0));
            let r = egui::Rect::from_min_size(
                rect.min + egui::vec2(j as f32 * cell, i as f32 * cell),
                egui::vec2(cell, cell),
            );
            painter.rect_filled(r.shrink(0.5), 0.0, Color32::from_rgb(c.r, c.g, c.b));
        }
    }
    if let Some(pos) = response.hover_pos() {
        let j = ((pos.x - rect.min.x) / cell) as usize;
        let i = ((pos.y - rect.min.y) / cell) as usize;
        if i < m && j < m {
            response.on_hover_text(format!(
                "{} and {}: mean barrier {:.4e}",
                names[i], names[j], values[i][j]
            ));
        }
    }
}
