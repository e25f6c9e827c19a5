//! The behavioral gradients view (docs/DESIGN.md §4): G as a heatmap, its singular values
//! with the rank threshold, rank and manifold dimension, the Hessian spectrum beside
//! the Gauss–Newton spectrum (2/k)σ², the per-layer information loss, and a control to
//! walk the behavior manifold. It reads an [`Analysis`] and returns a
//! [`GradientsAction`]; it never runs the analysis itself.

use std::hash::{Hash as _, Hasher as _};

use egui::{Color32, Rect, Sense, TextureHandle, TextureOptions, Vec2, pos2, vec2};
use egui_plot::{
    Corner, GridMark, HLine, HoverPosition, Legend, LineStyle, MarkerShape, Plot, PlotPoints,
    Points,
};

use crate::core::MlpSpec;
use crate::core::analysis::{Analysis, InformationLoss, LayerCollapse};

/// Largest texture side of the G heatmap; larger G are block-reduced (largest |entry|).
const MAX_HEATMAP_SIDE: usize = 1024;
/// Most inputs drawn in one activation-pattern grid.
const MAX_PATTERN_ROWS: usize = 256;
/// Range of the relative-tolerance slider, as log₁₀ r.
const LOG_RTOL_RANGE: std::ops::RangeInclusive<f64> = -16.0..=-0.5;

/// Settings of the view that persist between frames.
#[derive(Debug)]
pub struct GradientsViewSettings {
    /// Relative rank tolerance; None means numpy's rule.
    pub rtol: Option<f64>,
    /// Whether the Hessian-vs-Gauss–Newton spectrum plot is shown.
    pub show_hessian: bool,
    /// Whether the information-loss panel is shown.
    pub show_information_loss: bool,
    /// Column of the tangent basis to walk along.
    pub walk_direction: usize,
    /// Length of the walk in parameter space.
    pub walk_distance: f64,
    /// Slider position of the relative tolerance (kept while numpy's rule is selected).
    pub log10_rtol: f64,
    heatmap: Option<HeatmapTexture>,
}

impl Default for GradientsViewSettings {
    fn default() -> Self {
        Self {
            rtol: None,
            show_hessian: true,
            show_information_loss: true,
            walk_direction: 0,
            walk_distance: 1.0,
            log10_rtol: -8.0,
            heatmap: None,
        }
    }
}

/// The G heatmap uploaded once per analysis.
struct HeatmapTexture {
    key: u64,
    texture: TextureHandle,
    /// The largest |entry| of G, the end of the color scale.
    scale: f64,
}

impl std::fmt::Debug for HeatmapTexture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HeatmapTexture")
            .field("key", &self.key)
            .field("scale", &self.scale)
            .finish_non_exhaustive()
    }
}

/// What the user asked for in this view.
#[derive(Clone, Debug, PartialEq)]
pub enum GradientsAction {
    /// Re-analyze with this relative tolerance (None: numpy's rule).
    SetTolerance(Option<f64>),
    /// Walk the behavior manifold along a tangent-basis column.
    WalkManifold {
        direction_index: usize,
        distance: f64,
    },
}

/// The behavioral gradients view. `analysis` is None while an analysis is running.
pub fn gradients_view_ui(
    ui: &mut egui::Ui,
    spec: &MlpSpec,
    analysis: Option<&Analysis>,
    info: Option<&InformationLoss>,
    settings: &mut GradientsViewSettings,
) -> Option<GradientsAction> {
    let Some(a) = analysis else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label("analyzing…");
        });
        return None;
    };
    let mut action = None;
    // Heights follow the tile, so the summary, G and both spectra fit in an ordinary
    // tile; only what lies below them (the walk, the information loss) needs a scroll.
    let tile_height = ui.available_height();
    let plot_height = (0.35 * tile_height).clamp(120.0, 220.0);
    let heatmap_height = (0.3 * tile_height).max(120.0);
    egui::ScrollArea::vertical()
        .auto_shrink([false, false])
        .show(ui, |ui| {
            summary_ui(ui, a);
            if let Some(t) = tolerance_ui(ui, a, settings) {
                action = Some(t);
            }
            ui.separator();
            ui.strong("Behavioral gradients G (parameters × inputs)");
            heatmap_ui(ui, spec, a, settings, heatmap_height);
            ui.separator();
            ui.columns(2, |columns| {
                singular_values_plot_ui(&mut columns[0], a, plot_height);
                if settings.show_hessian {
                    hessian_plot_ui(&mut columns[1], a, plot_height);
                } else {
                    columns[1].weak("Hessian spectrum hidden");
                }
            });
            ui.checkbox(&mut settings.show_hessian, "show the Hessian spectrum");
            ui.separator();
            if let Some(w) = walk_ui(ui, a, settings) {
                action = Some(w);
            }
            ui.separator();
            ui.checkbox(&mut settings.show_information_loss, "show information loss");
            if settings.show_information_loss {
                information_loss_ui(ui, a, info);
            }
        });
    action
}

fn summary_ui(ui: &mut egui::Ui, a: &Analysis) {
    ui.horizontal_wrapped(|ui| {
        ui.strong(format!("rank G = {}", a.g_rank));
        ui.separator();
        ui.strong(format!("manifold dimension = {}", a.manifold_dim));
        ui.weak(format!("(N − rank G = {} − {})", a.n_params, a.g_rank));
        ui.separator();
        ui.label(format!("N = {}, k = {}", a.n_params, a.n_inputs));
        ui.separator();
        ui.label(format!("loss = {:.4e}", a.loss));
    });
    ui.horizontal_wrapped(|ui| {
        ui.label(format!("rank H = {}", a.hessian_rank));
        ui.separator();
        ui.label(format!(
            "|H − (2/k)GG^T|_F / |H|_F = {:.3e}",
            a.hessian_gauss_newton_distance
        ))
        .on_hover_text("zero at a zero-residual point, where H = (2/k)GG^T and rank H = rank G");
    });
}

/// The rank rule: numpy's default or a relative tolerance on a log slider.
fn tolerance_ui(
    ui: &mut egui::Ui,
    a: &Analysis,
    settings: &mut GradientsViewSettings,
) -> Option<GradientsAction> {
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        ui.label("rank rule:");
        let mut relative = settings.rtol.is_some();
        let numpy_clicked = ui
            .radio_value(&mut relative, false, "numpy (σ_max·max(N,k)·ε)")
            .clicked();
        let relative_clicked = ui.radio_value(&mut relative, true, "relative").clicked();
        // The slider with its value and name is one piece that cannot wrap; in a narrow
        // tile it starts a line of its own instead of widening the view.
        if ui.available_size_before_wrap().x < 220.0 {
            ui.end_row();
        }
        let slider = ui.add_enabled(
            relative,
            egui::Slider::new(&mut settings.log10_rtol, LOG_RTOL_RANGE)
                .text("log₁₀ r")
                .custom_formatter(|v, _| format!("{v:.1}")),
        );
        ui.weak(format!("tol = {:.3e}", a.rank_tol));
        let wanted = relative.then(|| 10f64.powf(settings.log10_rtol));
        // While the slider is dragged only the label moves; the analysis is re-run on release.
        let slider_done = slider.drag_stopped() || (slider.changed() && !slider.dragged());
        if (numpy_clicked || relative_clicked || slider_done) && wanted != settings.rtol {
            settings.rtol = wanted;
            action = Some(GradientsAction::SetTolerance(wanted));
        }
    });
    action
}

/// Diverging color of v in [−scale, scale]: red positive, blue negative, white zero.
fn diverging_color(v: f64, scale: f64) -> Color32 {
    let t = if scale > 0.0 {
        (0.5 - 0.5 * v / scale).clamp(0.0, 1.0)
    } else {
        0.5
    };
    let c = colorous::RED_BLUE.eval_continuous(t);
    Color32::from_rgb(c.r, c.g, c.b)
}

/// A cheap fingerprint of the analysis, so the heatmap texture is rebuilt only when G changes.
fn heatmap_key(a: &Analysis) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    a.behavioral_gradients.shape().hash(&mut h);
    a.g_singular_values
        .iter()
        .chain(&a.outputs)
        .for_each(|v| v.to_bits().hash(&mut h));
    let data = a.behavioral_gradients.as_slice();
    let stride = (data.len() / 256).max(1);
    data.iter()
        .step_by(stride)
        .for_each(|v| v.to_bits().hash(&mut h));
    h.finish()
}

/// G as a texture: rows are parameters, columns inputs, block-reduced to at most
/// [`MAX_HEATMAP_SIDE`] per side by the entry of largest magnitude.
fn heatmap_texture(ctx: &egui::Context, a: &Analysis, key: u64) -> HeatmapTexture {
    let g = &a.behavioral_gradients;
    let (n, k) = g.shape();
    let scale = g.iter().fold(0.0_f64, |m, v| m.max(v.abs()));
    let (height, width) = (n.min(MAX_HEATMAP_SIDE), k.min(MAX_HEATMAP_SIDE));
    let mut pixels = Vec::with_capacity(width * height);
    for row in 0..height {
        let rows = row * n / height..((row + 1) * n / height).max(row * n / height + 1);
        for col in 0..width {
            let cols = col * k / width..((col + 1) * k / width).max(col * k / width + 1);
            let mut v = 0.0_f64;
            for r in rows.clone() {
                for c in cols.clone() {
                    if g[(r, c)].abs() > v.abs() {
                        v = g[(r, c)];
                    }
                }
            }
            pixels.push(diverging_color(v, scale));
        }
    }
    let image = egui::ColorImage::new([width, height], pixels);
    HeatmapTexture {
        key,
        texture: ctx.load_texture("behavioral_gradients", image, TextureOptions::NEAREST),
        scale,
    }
}

fn heatmap_ui(
    ui: &mut egui::Ui,
    spec: &MlpSpec,
    a: &Analysis,
    settings: &mut GradientsViewSettings,
    max_height: f32,
) {
    let (n, k) = a.behavioral_gradients.shape();
    if n == 0 || k == 0 {
        ui.weak("G is empty");
        return;
    }
    let key = heatmap_key(a);
    if settings.heatmap.as_ref().is_none_or(|h| h.key != key) {
        settings.heatmap = Some(heatmap_texture(ui.ctx(), a, key));
    }
    let Some(heatmap) = settings.heatmap.as_ref() else {
        return;
    };
    let width = ui.available_width().clamp(120.0, 900.0);
    let cell_height = (200.0 / n as f32).clamp(1.0, 10.0);
    // Up to 10 points a row, but no taller than `max_height` (then rows share pixels;
    // hovering still names each one).
    let size = vec2(width, (cell_height * n as f32).min(max_height));
    let (rect, response) = ui.allocate_exact_size(size, Sense::hover());
    let uv = Rect::from_min_max(pos2(0.0, 0.0), pos2(1.0, 1.0));
    ui.painter()
        .image(heatmap.texture.id(), rect, uv, Color32::WHITE);
    let stroke = ui.visuals().widgets.noninteractive.bg_stroke;
    ui.painter()
        .rect_stroke(rect, 0.0, stroke, egui::StrokeKind::Outside);
    // Layer boundaries, so the rows read as W1, b1, W2, ….
    for layout in spec.layouts().iter().skip(1) {
        let y = rect.min.y + rect.height() * layout.weight_offset as f32 / n as f32;
        ui.painter()
            .line_segment([pos2(rect.min.x, y), pos2(rect.max.x, y)], stroke);
    }
    if let Some(pointer) = response.hover_pos() {
        let u = ((pointer - rect.min) / rect.size()).clamp(Vec2::ZERO, Vec2::splat(0.999_999));
        let (j, i) = ((u.y * n as f32) as usize, (u.x * k as f32) as usize);
        let value = a.behavioral_gradients[(j.min(n - 1), i.min(k - 1))];
        let name = spec.param_name(j);
        response.on_hover_text_at_pointer(format!(
            "∂f(x_{i})/∂{name} = {value:.4e}\nparameter {j}, input {i}"
        ));
    }
    ui.horizontal(|ui| {
        let swatch = |ui: &mut egui::Ui, v: f64| {
            let (r, _) = ui.allocate_exact_size(vec2(12.0, 12.0), Sense::hover());
            ui.painter()
                .rect_filled(r, 2.0, diverging_color(v, heatmap.scale));
        };
        swatch(ui, -heatmap.scale);
        ui.weak(format!("−{:.2e}", heatmap.scale));
        swatch(ui, 0.0);
        ui.weak("0");
        swatch(ui, heatmap.scale);
        ui.weak(format!("+{:.2e}", heatmap.scale));
        ui.weak("(hover for the parameter name)");
    });
}

/// Axis labels for log₁₀ values: "1e-3" on integer marks, nothing between them.
fn log10_tick(mark: GridMark, _range: &std::ops::RangeInclusive<f64>) -> String {
    if (mark.value - mark.value.round()).abs() < 1e-9 {
        format!("1e{}", mark.value.round())
    } else {
        String::new()
    }
}

/// log₁₀ of the singular values with the rank threshold as a dashed line.
fn singular_values_plot_ui(ui: &mut egui::Ui, a: &Analysis, height: f32) {
    ui.label("singular values of G (log scale)");
    let points: Vec<[f64; 2]> = a
        .g_singular_values
        .iter()
        .enumerate()
        .filter(|(_, s)| **s > 0.0)
        .map(|(j, s)| [j as f64, s.log10()])
        .collect();
    let zeros = a.g_singular_values.len() - points.len();
    let (kept, dropped): (Vec<[f64; 2]>, Vec<[f64; 2]>) =
        points.into_iter().partition(|p| (p[0] as usize) < a.g_rank);
    Plot::new("g_singular_values")
        .height(height)
        .x_axis_label("j")
        .y_axis_label("σ_j")
        .y_axis_formatter(log10_tick)
        .allow_scroll(false)
        .legend(Legend::default().position(Corner::LeftBottom))
        .label_formatter(|pos| match pos {
            HoverPosition::NearDataPoint { position, .. } => Some(format!(
                "j = {:.0}\nσ = {:.3e}",
                position.x,
                10f64.powf(position.y)
            )),
            HoverPosition::Elsewhere { .. } => None,
        })
        .show(ui, |plot_ui| {
            plot_ui.points(
                Points::new("σ_j > tol", PlotPoints::from(kept))
                    .radius(3.5)
                    .color(Color32::from_rgb(50, 110, 200)),
            );
            plot_ui.points(
                Points::new("σ_j ≤ tol", PlotPoints::from(dropped))
                    .radius(3.5)
                    .filled(false)
                    .color(Color32::from_rgb(150, 150, 150)),
            );
            if a.rank_tol > 0.0 {
                plot_ui.hline(
                    HLine::new(format!("tol = {:.2e}", a.rank_tol), a.rank_tol.log10())
                        .color(Color32::from_rgb(210, 70, 50))
                        .style(LineStyle::dashed_dense()),
                );
            }
        });
    if zeros > 0 {
        ui.weak(format!("{zeros} singular values are exactly 0 (not drawn)"));
    }
}

/// log₁₀|λ| of the Hessian's eigenvalues (negative ones marked) beside (2/k)σ².
fn hessian_plot_ui(ui: &mut egui::Ui, a: &Analysis, height: f32) {
    ui.label("eigenvalues: H and (2/k)GG^T (log₁₀|λ|)");
    let log_abs = |values: &[f64], keep: fn(f64) -> bool| -> Vec<[f64; 2]> {
        values
            .iter()
            .enumerate()
            .filter(|(_, v)| keep(**v) && v.abs() > 0.0)
            .map(|(j, v)| [j as f64, v.abs().log10()])
            .collect()
    };
    // Order H's eigenvalues by magnitude so they line up with the non-negative GN spectrum.
    let mut by_magnitude = a.hessian_eigenvalues.clone();
    by_magnitude.sort_by(|x, y| y.abs().total_cmp(&x.abs()));
    let positive = log_abs(&by_magnitude, |v| v > 0.0);
    let negative = log_abs(&by_magnitude, |v| v < 0.0);
    let gauss_newton = log_abs(&a.gauss_newton_eigenvalues, |v| v > 0.0);
    Plot::new("hessian_spectrum")
        .height(height)
        .x_axis_label("j (by |λ|)")
        .y_axis_label("|λ_j|")
        .y_axis_formatter(log10_tick)
        .allow_scroll(false)
        .legend(Legend::default().position(Corner::LeftBottom))
        .label_formatter(|pos| match pos {
            HoverPosition::NearDataPoint {
                plot_name,
                position,
                ..
            } => Some(format!(
                "{plot_name}\nj = {:.0}\n|λ| = {:.3e}",
                position.x,
                10f64.powf(position.y)
            )),
            HoverPosition::Elsewhere { .. } => None,
        })
        .show(ui, |plot_ui| {
            plot_ui.points(
                Points::new("H, λ > 0", PlotPoints::from(positive))
                    .radius(3.5)
                    .color(Color32::from_rgb(50, 110, 200)),
            );
            plot_ui.points(
                Points::new("H, λ < 0", PlotPoints::from(negative))
                    .radius(3.5)
                    .shape(MarkerShape::Diamond)
                    .color(Color32::from_rgb(210, 70, 50)),
            );
            plot_ui.points(
                Points::new("(2/k)GG^T", PlotPoints::from(gauss_newton))
                    .radius(4.0)
                    .shape(MarkerShape::Cross)
                    .color(Color32::from_rgb(230, 150, 30)),
            );
            if a.hessian_rank_tol > 0.0 {
                plot_ui.hline(
                    HLine::new("H rank tol", a.hessian_rank_tol.log10())
                        .color(Color32::from_rgb(120, 120, 120))
                        .style(LineStyle::dashed_dense()),
                );
            }
        });
    ui.weak(format!(
        "relative distance |H − (2/k)GG^T|_F / |H|_F = {:.3e}",
        a.hessian_gauss_newton_distance
    ));
}

fn walk_ui(
    ui: &mut egui::Ui,
    a: &Analysis,
    settings: &mut GradientsViewSettings,
) -> Option<GradientsAction> {
    let mut action = None;
    ui.horizontal_wrapped(|ui| {
        if a.manifold_dim == 0 {
            ui.weak("the behavior manifold is a point here (rank G = N): no direction to walk");
            return;
        }
        settings.walk_direction = settings.walk_direction.min(a.manifold_dim - 1);
        let label = ui.label("tangent direction");
        ui.add(egui::DragValue::new(&mut settings.walk_direction).range(0..=a.manifold_dim - 1))
            .labelled_by(label.id);
        let label = ui.label("distance");
        ui.add(
            egui::DragValue::new(&mut settings.walk_distance)
                .range(0.0..=100.0)
                .speed(0.01),
        )
        .labelled_by(label.id);
        if ui
            .button("Walk the manifold")
            .on_hover_text(
                "step along a tangent direction and project back: the training outputs stay fixed",
            )
            .clicked()
        {
            action = Some(GradientsAction::WalkManifold {
                direction_index: settings.walk_direction,
                distance: settings.walk_distance,
            });
        }
    });
    action
}

fn information_loss_ui(ui: &mut egui::Ui, a: &Analysis, info: Option<&InformationLoss>) {
    let Some(info) = info else {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.weak("finding collapsed inputs…");
        });
        return;
    };
    if info.layers.is_empty() {
        ui.weak("no hidden layers: nothing can collapse");
        return;
    }
    for layer in &info.layers {
        egui::CollapsingHeader::new(format!("hidden layer {}", layer.layer))
            .id_salt(("information_loss", layer.layer))
            .default_open(true)
            .show(ui, |ui| layer_collapse_ui(ui, a, layer));
    }
}

fn layer_collapse_ui(ui: &mut egui::Ui, a: &Analysis, layer: &LayerCollapse) {
    if layer.groups.is_empty() {
        ui.label("no inputs collapse here");
    } else {
        let groups: Vec<String> = layer
            .groups
            .iter()
            .map(|g| {
                format!(
                    "{{{}}}",
                    g.iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
            .collect();
        ui.label(format!("collapsed inputs: {}", groups.join("  ")));
    }
    let fully_dead: Vec<String> = layer
        .dead_units
        .iter()
        .filter(|(_, inputs)| inputs.len() == a.n_inputs)
        .map(|(u, _)| u.to_string())
        .collect();
    if !fully_dead.is_empty() {
        ui.colored_label(
            Color32::from_rgb(210, 70, 50),
            format!(
                "dead units (σ'(z) = 0 on every input): {}",
                fully_dead.join(", ")
            ),
        );
    }
    let partly: usize = layer
        .dead_units
        .iter()
        .filter(|(_, inputs)| inputs.len() < a.n_inputs)
        .count();
    if partly > 0 {
        ui.weak(format!("{partly} more units are inactive on some inputs"));
    }
    pattern_grid_ui(ui, layer);
}

/// [input][unit] activity as a grid of cells: filled = active, pale = σ'(z) = 0.
fn pattern_grid_ui(ui: &mut egui::Ui, layer: &LayerCollapse) {
    let rows = layer.pattern.len().min(MAX_PATTERN_ROWS);
    let units = layer.pattern.first().map_or(0, Vec::len);
    if rows == 0 || units == 0 {
        return;
    }
    ui.weak(
        "activation pattern: rows are inputs, columns are units; blue = active, blank = σ'(z) = 0",
    );
    let cell = ((ui.available_width() - 4.0) / units as f32).clamp(2.0, 12.0);
    let cell_height = (240.0 / rows as f32).clamp(1.0, 12.0);
    let (rect, response) = ui.allocate_exact_size(
        vec2(cell * units as f32, cell_height * rows as f32),
        Sense::hover(),
    );
    let painter = ui.painter_at(rect);
    let active = Color32::from_rgb(50, 110, 200);
    let inactive = ui.visuals().faint_bg_color;
    painter.rect_filled(rect, 0.0, inactive);
    for (i, row) in layer.pattern.iter().take(rows).enumerate() {
        for (u, &on) in row.iter().enumerate() {
            if on {
                let min = rect.min + vec2(u as f32 * cell, i as f32 * cell_height);
                painter.rect_filled(
                    Rect::from_min_size(min, vec2(cell, cell_height)).shrink(0.25),
                    0.0,
                    active,
                );
            }
        }
    }
    if let Some(pointer) = response.hover_pos() {
        let u = ((pointer.x - rect.min.x) / cell) as usize;
        let i = ((pointer.y - rect.min.y) / cell_height) as usize;
        if let Some(&on) = layer.pattern.get(i).and_then(|r| r.get(u)) {
            let state = if on {
                "active"
            } else {
                "inactive (σ'(z) = 0)"
            };
            response.on_hover_text_at_pointer(format!("input {i}, unit {u}: {state}"));
        }
    }
    if layer.pattern.len() > rows {
        ui.weak(format!(
            "first {rows} of {} inputs shown",
            layer.pattern.len()
        ));
    }
}

#[cfg(test)]
mod tests {
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable as _;

    use super::*;
    use crate::core::Scene;
    use crate::core::analysis::{RankTolerance, analyze, information_loss};

    /// The rank and manifold-dimension labels show the analysis' numbers, and the
    /// walk button emits a `WalkManifold` action with the chosen settings.
    #[test]
    fn labels_show_rank_and_walk_button_emits_action() {
        let scene = Scene::resolve("parallel").unwrap();
        let a = analyze(
            &scene.model,
            &scene.parameters,
            &scene.data,
            RankTolerance::NumpyDefault,
        )
        .unwrap();
        let info = information_loss(&scene.model, &scene.parameters, &scene.data, 1e-12);
        let state = (GradientsViewSettings::default(), None::<GradientsAction>);
        let mut harness = Harness::new_ui_state(
            |ui, (settings, action): &mut (GradientsViewSettings, Option<GradientsAction>)| {
                if let Some(a2) =
                    gradients_view_ui(ui, &scene.model, Some(&a), Some(&info), settings)
                {
                    *action = Some(a2);
                }
            },
            state,
        );
        harness.run();
        harness.get_by_label("rank G = 1");
        harness.get_by_label("manifold dimension = 2");
        harness.get_by_label("Walk the manifold").click();
        harness.run();
        assert_eq!(
            harness.state().1,
            Some(GradientsAction::WalkManifold {
                direction_index: 0,
                distance: 1.0
            })
        );
        harness.get_by_label("relative").click();
        harness.run();
        assert_eq!(
            harness.state().1,
            Some(GradientsAction::SetTolerance(Some(1e-8)))
        );
        assert_eq!(harness.state().0.rtol, Some(1e-8));
    }

    #[test]
    fn missing_analysis_shows_progress() {
        let scene = Scene::resolve("xor").unwrap();
        let mut settings = GradientsViewSettings::default();
        let mut harness = Harness::new_ui(|ui| {
            gradients_view_ui(ui, &scene.model, None, None, &mut settings);
        });
        harness.run_steps(2);
        harness.get_by_label("analyzing…");
    }
}
