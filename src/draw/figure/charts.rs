//! The plot figures of the loss view and the gradients view (docs/DESIGN.md §4): the loss
//! curve on a log axis, and G as a heatmap beside its singular values (with the rank
//! threshold) and the Hessian spectrum beside (2/k)σ², both on log axes. Drawn with the
//! axes, tick and title code of the slice figure, on either canvas backend.

use std::fmt::Write as _;

use vello_cpu::kurbo::Rect;

use super::axes::Plot;
use super::canvas::{Canvas, Color, HAlign, LineStyle, VAlign};
use super::output::{Rendered, Surface, render_on};
use super::{FigureOptions, Metrics, draw_titles, plot_area};
use crate::draw::ticks::{axis_range, log_ticks, nice_ticks};

/// The loss curve: (step, loss before that step) pairs, as a scene records them.
pub struct LossFigure<'a> {
    pub history: &'a [(u64, f64)],
}

/// What the gradients figure shows (the numbers of `core::analysis::Analysis`).
pub struct GradientsFigure<'a> {
    /// G, N×k, column-major (column i is ∇θ f(x_i)), as nalgebra stores it.
    pub g: &'a [f64],
    pub n_params: usize,
    pub n_inputs: usize,
    /// σ_j of G, descending.
    pub singular_values: &'a [f64],
    /// The rank threshold on σ.
    pub rank_tol: f64,
    pub g_rank: usize,
    /// Eigenvalues of the Hessian, descending.
    pub hessian_eigenvalues: &'a [f64],
    /// Eigenvalues of (2/k)GGᵀ, descending.
    pub gauss_newton_eigenvalues: &'a [f64],
}

const CURVE: Color = Color::rgb(0xd5, 0x5e, 0x00);
const KEPT: Color = Color::rgb(0x00, 0x72, 0xb2);
const DROPPED: Color = Color::rgb(0x99, 0x99, 0x99);
const GAUSS_NEWTON: Color = Color::rgb(0xe6, 0x9f, 0x00);

/// The loss curve figure: log₁₀ loss against the step.
pub fn loss_figure(
    figure: &LossFigure<'_>,
    options: &FigureOptions,
    width: u32,
    height: u32,
    surface: Surface,
) -> Rendered {
    render_on(surface, width, height, |canvas| {
        draw_loss(canvas, figure, options);
    })
}

/// Points (step, log₁₀ loss) of the positive, finite losses.
fn loss_points(history: &[(u64, f64)]) -> Vec<(f64, f64)> {
    history
        .iter()
        .filter(|(_, l)| l.is_finite() && *l > 0.0)
        .map(|&(s, l)| (s as f64, l.log10()))
        .collect()
}

fn draw_loss(canvas: &mut Canvas, figure: &LossFigure<'_>, options: &FigureOptions) {
    let m = Metrics::new(canvas.width(), canvas.height());
    let points = loss_points(figure.history);
    let (x_lo, x_hi, y_lo, y_hi) = bounds(&points);
    let ranges = [
        axis_range(x_lo, x_hi, 0.02, 0.5),
        axis_range(y_lo, y_hi, 0.05, 0.25),
    ];
    let b_ticks: Vec<(f64, String)> = log_ticks(ranges[1][0], ranges[1][1])
        .into_iter()
        .map(|t| (t.log_value, t.label))
        .collect();
    let b_width = label_width(canvas, &b_ticks, &m);
    let plot = Plot::fit(plot_area(canvas, options, b_width, 0.0, &m), ranges, false);
    canvas.push_clip(plot.rect);
    canvas.begin_group("loss-curve");
    let px: Vec<(f64, f64)> = points.iter().map(|&(x, y)| plot.to_px(x, y)).collect();
    canvas.polyline(&px, &LineStyle::solid(CURVE, 2.0 * m.s));
    if px.len() == 1 {
        canvas.circle(px[0], 3.0 * m.s, CURVE, None);
    }
    canvas.end_group();
    canvas.pop_clip();
    let a_ticks = nice_ticks(ranges[0], 6);
    let a_labelled: Vec<(f64, String)> = a_ticks
        .values
        .iter()
        .map(|&v| (v, a_ticks.format(v)))
        .collect();
    plot.draw_frame_labelled(
        canvas,
        &a_labelled,
        &b_ticks,
        m.tick_font(),
        m.weight(),
        m.s,
    );
    plot.draw_axis_titles(
        canvas,
        "step",
        "loss (MSE)",
        m.label_font(),
        m.weight(),
        m.s,
        b_width,
    );
    if points.is_empty() {
        canvas.text(
            "no loss recorded yet: train the scene first",
            (
                f64::midpoint(plot.rect.x0, plot.rect.x1),
                f64::midpoint(plot.rect.y0, plot.rect.y1),
            ),
            m.label_font(),
            canvas.ink(),
            (HAlign::Center, VAlign::Middle),
            0.0,
            m.weight(),
        );
    }
    draw_titles(canvas, options, &plot, &m);
}

/// (x_lo, x_hi, y_lo, y_hi) of finite points, or a unit box when there are none.
fn bounds(points: &[(f64, f64)]) -> (f64, f64, f64, f64) {
    let mut b = (
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
    );
    for &(x, y) in points {
        b = (b.0.min(x), b.1.max(x), b.2.min(y), b.3.max(y));
    }
    if b.0.is_finite() {
        b
    } else {
        (0.0, 1.0, -1.0, 0.0)
    }
}

fn label_width(canvas: &Canvas, ticks: &[(f64, String)], m: &Metrics) -> f64 {
    ticks
        .iter()
        .map(|(_, l)| canvas.text_width(l, m.tick_font()))
        .fold(0.0, f64::max)
}

/// The gradients figure: three panels side by side.
pub fn gradients_figure(
    figure: &GradientsFigure<'_>,
    options: &FigureOptions,
    width: u32,
    height: u32,
    surface: Surface,
) -> Rendered {
    render_on(surface, width, height, |canvas| {
        draw_gradients(canvas, figure, options);
    })
}

/// log₁₀|v| of the values passing `keep`, at their index.
fn log_abs(values: &[f64], keep: impl Fn(f64) -> bool) -> Vec<(f64, f64)> {
    values
        .iter()
        .enumerate()
        .filter(|&(_, &v)| v.is_finite() && v != 0.0 && keep(v))
        .map(|(j, &v)| (j as f64, v.abs().log10()))
        .collect()
}

fn draw_gradients(canvas: &mut Canvas, figure: &GradientsFigure<'_>, options: &FigureOptions) {
    let m = Metrics::new(canvas.width(), canvas.height());
    // The title spans the figure; the panels share the area below it.
    let whole = plot_area(canvas, options, 0.0, 0.0, &m);
    let gap = 30.0 * m.s;
    let left_margin = 14.0 * m.s + m.label_font() * 1.4 + 10.0 * m.s + 8.0 * m.s;
    let panel_w = (f64::from(canvas.width()) - 8.0 * m.s) / 3.0;
    let panel = |i: f64, label_w: f64| {
        Rect::new(
            i * panel_w + left_margin + label_w,
            // Room for the panel's own title above it.
            whole.y0 + m.tick_font() * 1.8,
            (i + 1.0) * panel_w - gap,
            whole.y1,
        )
    };

    draw_g_panel(canvas, figure, &m, |w| panel(0.0, w));

    // Panel 2: singular values with the rank threshold.
    let sv = log_abs(figure.singular_values, |v| v > 0.0);
    let tol_log = (figure.rank_tol > 0.0).then(|| figure.rank_tol.log10());
    let sv_plot = log_panel(
        canvas,
        &m,
        |w| panel(1.0, w),
        &sv,
        tol_log.into_iter().collect(),
        figure.singular_values.len(),
        "σ_{j} of G",
    );
    if let (Some(plot), Some(t)) = (sv_plot, tol_log) {
        let (xa, y) = plot.to_px(plot.ranges[0][0], t);
        let (xb, _) = plot.to_px(plot.ranges[0][1], t);
        canvas.polyline(
            &[(xa, y), (xb, y)],
            &LineStyle::dashed(canvas.ink(), 1.2 * m.s, &[6.0 * m.s, 4.0 * m.s]),
        );
        canvas.begin_group("singular-values");
        for (j, &(x, y)) in sv.iter().enumerate() {
            let c = if j < figure.g_rank { KEPT } else { DROPPED };
            canvas.circle(plot.to_px(x, y), 3.5 * m.s, c, None);
        }
        canvas.end_group();
        panel_title(
            canvas,
            &plot,
            &format!(
                "singular values, rank {} (tol {:.1e})",
                figure.g_rank, figure.rank_tol
            ),
            &m,
        );
    }

    // Panel 3: Hessian eigenvalues (|λ|; hollow when negative) beside (2/k)σ².
    let positive = log_abs(figure.hessian_eigenvalues, |v| v > 0.0);
    let negative = log_abs(figure.hessian_eigenvalues, |v| v < 0.0);
    let gn = log_abs(figure.gauss_newton_eigenvalues, |v| v > 0.0);
    let all: Vec<(f64, f64)> = positive
        .iter()
        .chain(&negative)
        .chain(&gn)
        .copied()
        .collect();
    if let Some(plot) = log_panel(
        canvas,
        &m,
        |w| panel(2.0, w),
        &all,
        Vec::new(),
        figure.hessian_eigenvalues.len(),
        "|λ_{j}|",
    ) {
        canvas.begin_group("hessian-spectrum");
        for &(x, y) in &gn {
            let (px, py) = plot.to_px(x, y);
            let r = 4.5 * m.s;
            let style = LineStyle::solid(GAUSS_NEWTON, 1.6 * m.s);
            canvas.polyline(&[(px - r, py), (px + r, py)], &style);
            canvas.polyline(&[(px, py - r), (px, py + r)], &style);
        }
        for &(x, y) in &positive {
            canvas.circle(plot.to_px(x, y), 3.2 * m.s, KEPT, None);
        }
        for &(x, y) in &negative {
            canvas.circle(
                plot.to_px(x, y),
                3.2 * m.s,
                Color::WHITE,
                Some((CURVE, 1.4 * m.s)),
            );
        }
        canvas.end_group();
        panel_title(
            canvas,
            &plot,
            "H: filled λ > 0, hollow |λ| for λ < 0; + (2/k)σ^{2}",
            &m,
        );
    }
    let title_plot = Plot::fit(whole, [[0.0, 1.0], [0.0, 1.0]], false);
    draw_titles(canvas, options, &title_plot, &m);
}

/// G as a heatmap, parameters down, inputs across, diverging colors symmetric about 0.
fn draw_g_panel(
    canvas: &mut Canvas,
    figure: &GradientsFigure<'_>,
    m: &Metrics,
    rect_for: impl Fn(f64) -> Rect,
) {
    let (n, k) = (figure.n_params, figure.n_inputs);
    let g_ranges = [[-0.5, k as f64 - 0.5], [-0.5, n as f64 - 0.5]];
    let j_ticks = index_ticks(n);
    let i_ticks = index_ticks(k);
    let j_width = label_width(canvas, &j_ticks, m);
    let g_plot = Plot::fit(rect_for(j_width), g_ranges, false);
    let scale = figure
        .g
        .iter()
        .filter(|v| v.is_finite())
        .fold(0.0f64, |a, v| a.max(v.abs()))
        .max(1e-300);
    let (x0, y0, x1, y1) = g_plot.pixel_bounds();
    for py in y0..y1 {
        for px in x0..x1 {
            // b (the parameter index) increases downward here: parameter 0 on top.
            let fi = (f64::from(px) + 0.5 - g_plot.rect.x0) / g_plot.rect.width() * k as f64;
            let fj = (f64::from(py) + 0.5 - g_plot.rect.y0) / g_plot.rect.height() * n as f64;
            let (i, j) = ((fi as usize).min(k - 1), (fj as usize).min(n - 1));
            let v = figure.g[i * n + j];
            let c = if v.is_finite() {
                Color::from_colorous(
                    colorous::RED_BLUE.eval_continuous((0.5 - 0.5 * v / scale).clamp(0.0, 1.0)),
                )
            } else {
                Color::rgb(0x80, 0x80, 0x80)
            };
            canvas.blend_pixel(px, py, c, 1.0);
        }
    }
    canvas.flush();
    // Parameter 0 at the top: flip the tick positions.
    let flipped: Vec<(f64, String)> = j_ticks
        .iter()
        .map(|(v, l)| (n as f64 - 1.0 - v, l.clone()))
        .collect();
    g_plot.draw_frame_labelled(canvas, &i_ticks, &flipped, m.tick_font(), m.weight(), m.s);
    g_plot.draw_axis_titles(
        canvas,
        "input i",
        "parameter j",
        m.label_font(),
        m.weight(),
        m.s,
        j_width,
    );
    panel_title(
        canvas,
        &g_plot,
        &format!("G = ∂f(x_{{i}})/∂θ_{{j}}, |G| ≤ {scale:.2e}"),
        m,
    );
}

/// Ticks at about 6 whole indices of 0..n.
fn index_ticks(n: usize) -> Vec<(f64, String)> {
    let t = nice_ticks([0.0, (n.max(1) - 1) as f64], 6);
    t.values
        .iter()
        .filter(|v| v.fract() == 0.0 && **v >= 0.0)
        .map(|&v| (v, format!("{v:.0}")))
        .collect()
}

/// A panel with index along a and log₁₀ values along b; `extra` log values (a threshold)
/// are kept inside the range. `None` when there is nothing to plot.
fn log_panel(
    canvas: &mut Canvas,
    m: &Metrics,
    rect_for: impl Fn(f64) -> Rect,
    points: &[(f64, f64)],
    extra: Vec<f64>,
    count: usize,
    b_label: &str,
) -> Option<Plot> {
    if count == 0 {
        return None;
    }
    let ys = points.iter().map(|p| p.1).chain(extra);
    let (lo, hi) = ys.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), y| {
        (lo.min(y), hi.max(y))
    });
    let (lo, hi) = if lo.is_finite() {
        (lo, hi)
    } else {
        (-1.0, 0.0)
    };
    let ranges = [[-0.5, count as f64 - 0.5], axis_range(lo, hi, 0.08, 0.5)];
    let b_ticks: Vec<(f64, String)> = log_ticks(ranges[1][0], ranges[1][1])
        .into_iter()
        .map(|t| (t.log_value, t.label))
        .collect();
    let width = label_width(canvas, &b_ticks, m);
    let plot = Plot::fit(rect_for(width), ranges, false);
    plot.draw_frame_labelled(
        canvas,
        &index_ticks(count),
        &b_ticks,
        m.tick_font(),
        m.weight(),
        m.s,
    );
    plot.draw_axis_titles(
        canvas,
        "index j",
        b_label,
        m.label_font(),
        m.weight(),
        m.s,
        width,
    );
    Some(plot)
}

fn panel_title(canvas: &mut Canvas, plot: &Plot, text: &str, m: &Metrics) {
    canvas.text(
        text,
        (plot.rect.x0, plot.rect.y0 - 8.0 * m.s),
        m.tick_font(),
        canvas.ink(),
        (HAlign::Left, VAlign::Baseline),
        0.0,
        m.weight(),
    );
}

/// The loss curve as CSV: `step,loss`.
pub fn loss_csv(history: &[(u64, f64)]) -> String {
    let mut out = String::from("step,loss\n");
    for (s, l) in history {
        let _ = writeln!(out, "{s},{l:?}");
    }
    out
}

/// The spectra as CSV: `index,singular_value,hessian_eigenvalue,gauss_newton_eigenvalue`
/// (an empty cell where a spectrum is shorter).
pub fn spectra_csv(singular: &[f64], hessian: &[f64], gauss_newton: &[f64]) -> String {
    let mut out = String::from("index,singular_value,hessian_eigenvalue,gauss_newton_eigenvalue\n");
    let n = singular.len().max(hessian.len()).max(gauss_newton.len());
    let cell = |v: Option<&f64>| v.map_or(String::new(), |v| format!("{v:?}"));
    for j in 0..n {
        let _ = writeln!(
            out,
            "{j},{},{},{}",
            cell(singular.get(j)),
            cell(hessian.get(j)),
            cell(gauss_newton.get(j))
        );
    }
    out
}
