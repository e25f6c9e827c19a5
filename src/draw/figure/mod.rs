//! Publication-quality figures drawn on the CPU (no window, no GPU): the 2D slice figure
//! of docs/DESIGN.md §4 and the data view, for `basinscope render` and image export.
//!
//! Figures take the evaluated [`Field`] of `core::field` ([channel][b][a], a fastest;
//! channels 0..k are the per-input outputs `f(x_i)`, channel k is the MSE loss), whichever
//! evaluator computed it.

mod axes;
pub mod canvas;
pub mod charts;
mod contour;
mod data_view;
pub mod output;
mod overlay;
mod path_view;
pub mod svg;
mod volume_marks;

use vello_cpu::kurbo::Rect;

use crate::core::field::Field;

use self::axes::Plot;
use self::canvas::{Canvas, Color, HAlign, LineStyle, VAlign, polyline_path};
pub use self::charts::{GradientsFigure, LossFigure, gradients_figure, loss_figure};
pub use self::contour::marching_squares;
pub use self::data_view::{DataFigure, data_figure};
pub use self::output::{Format, Rendered, Surface, render_on};
pub use self::path_view::{PathCurve, PathFigure, path_color, path_figure};
pub use self::volume_marks::{annotate_volume_picture, title_volume_picture};
use crate::draw::style;
use crate::draw::ticks::{self, Ticks, nice_ticks};

/// Everything a slice figure shows.
#[derive(Clone, Copy, Debug)]
pub struct SliceFigure<'a> {
    /// The evaluated 2D field ([channel][b][a], a fastest; channels 0..k are f(x_i), k
    /// the loss).
    pub field: &'a Field,
    /// [lo, hi] of a and of b, the grid's ranges ([`crate::core::field::SliceGrid::plane_ranges`]).
    pub ranges: [[f64; 2]; 2],
    /// `y_i`, for the solution contours `f(x_i) = y_i` and the solution set.
    pub targets: &'a [f64],
    /// `f(x_i; θ)` at the current θ, for the behavior manifold through θ.
    pub current_outputs: &'a [f64],
    /// The training trajectory in slice coordinates (drawn when it has 2+ points).
    pub trajectory_ab: &'a [(f64, f64)],
    /// A walk along the behavior manifold in slice coordinates (dashed, when 2+ points).
    pub walk_ab: &'a [(f64, f64)],
    /// The current θ in slice coordinates.
    pub current_ab: (f64, f64),
}

/// How a figure is drawn.
#[derive(Clone, Debug)]
pub struct FigureOptions {
    /// Title above the plot (empty for none).
    pub title: String,
    /// Smaller second line under the title (empty for none).
    pub subtitle: String,
    /// Title of the horizontal axis, e.g. "a (u: Hessian eigenvector 1)".
    pub a_label: String,
    /// Title of the vertical axis.
    pub b_label: String,
    /// Contour lines are drawn for at most this many inputs (the first ones).
    pub max_inputs_drawn: usize,
    /// About this many thin contour levels per input besides its solution contour.
    pub levels_per_input: usize,
    /// Decades of loss the color map spans below the largest loss.
    pub loss_decades: f64,
    /// A fixed log₁₀ loss range of the color map (the app's color bar), instead of one
    /// fitted to the field.
    pub loss_log_range: Option<[f64; 2]>,
    /// Which inputs' contour lines are drawn (all when `None`; at most
    /// `max_inputs_drawn` either way).
    pub inputs_shown: Option<Vec<bool>>,
    /// Which layers of the plot are drawn.
    pub layers: Layers,
    pub show_legend: bool,
}

impl Default for FigureOptions {
    fn default() -> Self {
        Self {
            title: String::new(),
            subtitle: String::new(),
            a_label: "a".into(),
            b_label: "b".into(),
            max_inputs_drawn: 8,
            levels_per_input: 8,
            loss_decades: 6.0,
            loss_log_range: None,
            inputs_shown: None,
            layers: Layers::default(),
            show_legend: true,
        }
    }
}

/// The layers of a slice plot, each on or off (all on by default), as the app's layer
/// switches set them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)] // one switch per layer of the plot
pub struct Layers {
    /// The loss heatmap (a neutral background when off).
    pub loss: bool,
    /// Thin contour levels of each input.
    pub contours: bool,
    /// Each input's solution contour f(x_i) = y_i.
    pub solution_contours: bool,
    /// The level sets through θ and the behavior manifold where they meet.
    pub behavior_manifold: bool,
    /// The solution set (zero loss).
    pub solution_set: bool,
}

impl Default for Layers {
    fn default() -> Self {
        Self {
            loss: true,
            contours: true,
            solution_contours: true,
            behavior_manifold: true,
            solution_set: true,
        }
    }
}

/// Color of input i ([`style::input_rgb`]).
pub fn input_color(i: usize) -> Color {
    let [r, g, b] = style::input_rgb(i);
    Color::rgb(r, g, b)
}

/// Color of the solution set (zero loss) overlay ([`style::SOLUTION_RGB`]).
pub const SOLUTION_COLOR: Color = {
    let [r, g, b] = style::SOLUTION_RGB;
    Color::rgb(r, g, b)
};

/// The current θ: a white disc with a black ring and center.
fn draw_current_marker(canvas: &mut Canvas, at: (f64, f64), m: &Metrics) {
    canvas.circle(at, 5.5 * m.s, Color::WHITE, Some((Color::BLACK, 1.6 * m.s)));
    canvas.circle(at, 1.8 * m.s, Color::BLACK, None);
}

/// Background of legend swatches: the middle of viridis, so swatches look as the
/// lines do on the heatmap.
fn swatch_background() -> Color {
    Color::from_colorous(colorous::VIRIDIS.eval_continuous(0.55))
}

/// Sizes that scale with the image.
struct Metrics {
    s: f64,
}

impl Metrics {
    fn new(width: u32, height: u32) -> Self {
        Self {
            s: (f64::from(width.min(height)) / 720.0).max(0.35),
        }
    }
    fn tick_font(&self) -> f64 {
        14.5 * self.s
    }
    fn label_font(&self) -> f64 {
        16.5 * self.s
    }
    fn title_font(&self) -> f64 {
        19.0 * self.s
    }
    fn legend_font(&self) -> f64 {
        14.0 * self.s
    }
    fn weight(&self) -> f64 {
        0.45 * self.s
    }
}

/// Draws the 2D slice figure: log₁₀ loss heatmap (viridis) with a color bar, each input's
/// contour lines (its solution contour `f(x_i) = y_i` thick; other levels thin), the level
/// sets through θ (dashed white) and the behavior manifold through θ where they all meet
/// (outlined in white), the solution set (loss = 0, outlined in red), the trajectory, the current θ,
/// axes with ticks and a legend. b increases upward. As PNG or SVG ([`Surface`]).
pub fn slice_figure(
    figure: &SliceFigure<'_>,
    options: &FigureOptions,
    width: u32,
    height: u32,
    surface: Surface,
) -> Rendered {
    render_on(surface, width, height, |canvas| {
        draw_slice_figure(canvas, figure, options);
    })
}

fn draw_slice_figure(canvas: &mut Canvas, figure: &SliceFigure<'_>, options: &FigureOptions) {
    let (width, height) = (canvas.width(), canvas.height());
    let field = figure.field;
    let [na, nb] = field.plane_shape();
    assert!(
        na >= 2 && nb >= 2,
        "a slice figure needs at least 2×2 grid points"
    );
    assert_eq!(
        field.values.len(),
        (field.n_inputs + 1) * na * nb,
        "values must hold k + 1 channels"
    );
    let m = Metrics::new(width, height);
    let k = field.n_inputs;
    let drawn = k.min(options.max_inputs_drawn);

    let legend = legend_entries(figure, options, drawn, &m);
    let (plot, a_ticks, b_ticks, b_tick_width) = slice_layout(canvas, figure, options, &legend, &m);

    let log_loss = LogLoss::new(field.loss(), options.loss_decades, options.loss_log_range);
    draw_plot_contents(canvas, &plot, figure, options, &log_loss, &m);

    plot.draw_frame(canvas, &a_ticks, &b_ticks, m.tick_font(), m.weight(), m.s);
    plot.draw_axis_titles(
        canvas,
        &options.a_label,
        &options.b_label,
        m.label_font(),
        m.weight(),
        m.s,
        b_tick_width,
    );
    draw_titles(canvas, options, &plot, &m);

    let column_x = plot.rect.x1 + 26.0 * m.s;
    let colorbar_bottom = draw_loss_colorbar(
        canvas,
        &log_loss,
        column_x,
        plot.rect.y0,
        plot.rect.height(),
        &m,
    );
    if options.show_legend {
        draw_legend(canvas, &legend, column_x, colorbar_bottom + 30.0 * m.s, &m);
    }
}

/// Draws only the plot area of the slice figure, filling a `width` × `height` image (no
/// axes, titles, color bar or legend): the picture the app shows when it has no GPU
/// renderer, with its own axes and legend drawn around it.
pub fn render_slice_picture(
    figure: &SliceFigure<'_>,
    options: &FigureOptions,
    width: u32,
    height: u32,
) -> image::RgbaImage {
    let [na, nb] = figure.field.plane_shape();
    assert!(
        na >= 2 && nb >= 2,
        "a slice picture needs at least 2×2 grid points"
    );
    let m = Metrics::new(width, height);
    let mut canvas = Canvas::new(width, height, Color::WHITE);
    let plot = Plot::fit(
        Rect::new(0.0, 0.0, f64::from(width), f64::from(height)),
        figure.ranges,
        false,
    );
    let log_loss = LogLoss::new(
        figure.field.loss(),
        options.loss_decades,
        options.loss_log_range,
    );
    draw_plot_contents(&mut canvas, &plot, figure, options, &log_loss, &m);
    canvas.into_image()
}

/// Heatmap, contours, then the outlined sets on top of the contours, then the trajectory
/// and θ on top of everything (all clipped to the plot).
fn draw_plot_contents(
    canvas: &mut Canvas,
    plot: &Plot,
    figure: &SliceFigure<'_>,
    options: &FigureOptions,
    log_loss: &LogLoss,
    m: &Metrics,
) {
    let drawn = figure.field.n_inputs.min(options.max_inputs_drawn);
    let layers = options.layers;
    if layers.loss {
        draw_heatmap(canvas, plot, figure.field, log_loss);
    } else {
        canvas.fill_rect(plot.rect, Color::rgb(0x30, 0x30, 0x30));
    }
    canvas.push_clip(plot.rect);
    canvas.begin_group("contours");
    draw_contours(canvas, plot, figure, options, drawn, m);
    canvas.end_group();
    canvas.pop_clip();
    canvas.flush();
    overlay::SetBands::compute(plot, figure.field, figure.targets, figure.current_outputs).draw(
        canvas,
        m.s,
        (layers.solution_set, layers.behavior_manifold),
    );
    canvas.push_clip(plot.rect);
    if figure.trajectory_ab.len() >= 2 {
        let points: Vec<(f64, f64)> = figure
            .trajectory_ab
            .iter()
            .map(|&(a, b)| plot.to_px(a, b))
            .collect();
        for style in &trajectory_style(m) {
            canvas.polyline(&points, style);
        }
        if let Some(&start) = points.first() {
            canvas.circle(
                start,
                3.0 * m.s,
                Color::WHITE,
                Some((Color::BLACK, 1.0 * m.s)),
            );
        }
    }
    if figure.walk_ab.len() >= 2 {
        let points: Vec<(f64, f64)> = figure
            .walk_ab
            .iter()
            .map(|&(a, b)| plot.to_px(a, b))
            .collect();
        canvas.polyline(&points, &level_set_style(m));
    }
    draw_current_marker(
        canvas,
        plot.to_px(figure.current_ab.0, figure.current_ab.1),
        m,
    );
    canvas.pop_clip();
}

/// Where the plot goes: the right column (color bar and legend) and the margins for tick
/// labels, axis titles and the title are measured, and the rest holds the plot at equal
/// aspect.
fn slice_layout(
    canvas: &Canvas,
    figure: &SliceFigure<'_>,
    options: &FigureOptions,
    legend: &[LegendEntry],
    m: &Metrics,
) -> (Plot, Ticks, Ticks, f64) {
    let legend_width = legend
        .iter()
        .map(|e| canvas.text_width(&e.label, m.legend_font()))
        .fold(0.0, f64::max)
        + 44.0 * m.s;
    let colorbar_width = 16.0 * m.s + 8.0 * m.s + canvas.text_width("10^{−10}", m.tick_font());
    let right_column = if options.show_legend {
        legend_width.max(colorbar_width)
    } else {
        colorbar_width
    } + 24.0 * m.s;
    let a_ticks = nice_ticks(figure.ranges[0], 6);
    let b_ticks = nice_ticks(figure.ranges[1], 6);
    let b_tick_width = tick_label_width(canvas, &b_ticks, m);
    let available = plot_area(canvas, options, b_tick_width, right_column, m);
    (
        Plot::fit(available, figure.ranges, true),
        a_ticks,
        b_ticks,
        b_tick_width,
    )
}

/// Width in pixels of the widest label of `ticks`.
fn tick_label_width(canvas: &Canvas, ticks: &Ticks, m: &Metrics) -> f64 {
    ticks
        .values
        .iter()
        .map(|&t| canvas.text_width(&ticks.format(t), m.tick_font()))
        .fold(0.0, f64::max)
}

/// The rectangle left for a plot once the title and subtitle, the b tick labels
/// (`b_tick_width` wide), the axis titles and a right column of `right_column` pixels have
/// their margins.
fn plot_area(
    canvas: &Canvas,
    options: &FigureOptions,
    b_tick_width: f64,
    right_column: f64,
    m: &Metrics,
) -> Rect {
    let top = 16.0 * m.s
        + if options.title.is_empty() {
            0.0
        } else {
            m.title_font() * 1.5
        }
        + if options.subtitle.is_empty() {
            0.0
        } else {
            m.tick_font() * 1.9
        };
    let left = 14.0 * m.s + m.label_font() * 1.4 + 10.0 * m.s + b_tick_width + 8.0 * m.s;
    let bottom = 8.0 * m.s + m.tick_font() * 1.6 + m.label_font() * 1.6 + 14.0 * m.s;
    Rect::new(
        left,
        top,
        f64::from(canvas.width()) - right_column - 8.0 * m.s,
        f64::from(canvas.height()) - bottom,
    )
}

/// log₁₀ of the loss grid and the color map's range.
struct LogLoss {
    values: Vec<f64>,
    lo: f64,
    hi: f64,
}

impl LogLoss {
    /// log₁₀ of `loss`, colored over `fixed` or else over the top `decades` of the field.
    fn new(loss: &[f32], decades: f64, fixed: Option<[f64; 2]>) -> Self {
        let values: Vec<f64> = loss
            .iter()
            .map(|&l| {
                if l.is_finite() {
                    f64::from(l).max(1e-30).log10()
                } else {
                    f64::NAN
                }
            })
            .collect();
        let finite = values.iter().copied().filter(|v| v.is_finite());
        let hi = finite.clone().fold(f64::NEG_INFINITY, f64::max);
        let lo = finite
            .fold(f64::INFINITY, f64::min)
            .max(hi - decades.max(0.5));
        let (lo, hi) = if hi.is_finite() && lo.is_finite() {
            (lo, hi)
        } else {
            (-1.0, 0.0)
        };
        let (lo, hi) = fixed.map_or((lo, hi), |[lo, hi]| (lo, hi));
        let (lo, hi) = if hi - lo < 1e-9 {
            (lo - 0.5, hi + 0.5)
        } else {
            (lo, hi)
        };
        Self { values, lo, hi }
    }

    fn color(&self, log_value: f64) -> Color {
        if !log_value.is_finite() {
            return Color::rgb(200, 200, 200);
        }
        let t = ((log_value - self.lo) / (self.hi - self.lo)).clamp(0.0, 1.0);
        Color::from_colorous(colorous::VIRIDIS.eval_continuous(t))
    }
}

fn draw_heatmap(canvas: &mut Canvas, plot: &Plot, field: &Field, log_loss: &LogLoss) {
    let [na, nb] = field.plane_shape();
    let (px0, py0, px1, py1) = plot.pixel_bounds();
    for py in py0..py1 {
        for px in px0..px1 {
            let (fi, fj) = plot.px_to_grid(f64::from(px) + 0.5, f64::from(py) + 0.5, na, nb);
            let v = bilinear(&log_loss.values, na, nb, fi, fj);
            canvas.blend_pixel(px, py, log_loss.color(v), 1.0);
        }
    }
}

/// Bilinear interpolation of a [j][i] grid at fractional index (fi, fj), clamped inside.
fn bilinear(values: &[f64], na: usize, nb: usize, fi: f64, fj: f64) -> f64 {
    let fi = fi.clamp(0.0, (na - 1) as f64);
    let fj = fj.clamp(0.0, (nb - 1) as f64);
    let i = (fi.floor() as usize).min(na - 2);
    let j = (fj.floor() as usize).min(nb - 2);
    let (s, t) = (fi - i as f64, fj - j as f64);
    let at = |i: usize, j: usize| values[j * na + i];
    (1.0 - t) * ((1.0 - s) * at(i, j) + s * at(i + 1, j))
        + t * ((1.0 - s) * at(i, j + 1) + s * at(i + 1, j + 1))
}

/// Contour levels for one input: `y_i + m·Δ` inside the channel's range, Δ a 1-2-5 step.
fn contour_levels(channel: &[f32], target: f64, per_input: usize) -> Vec<f64> {
    let (lo, hi) = channel
        .iter()
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(f64::from(v)), hi.max(f64::from(v)))
        });
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) || per_input == 0 {
        return Vec::new();
    }
    let step = ticks::nice_step((hi - lo) / per_input as f64);
    let first = ((lo - target) / step).ceil() as i64;
    let last = ((hi - target) / step).floor() as i64;
    (first..=last)
        .filter(|&m| m != 0)
        .map(|m| target + m as f64 * step)
        .collect()
}

fn to_px_curves(
    plot: &Plot,
    curves: Vec<Vec<(f64, f64)>>,
    na: usize,
    nb: usize,
) -> Vec<Vec<(f64, f64)>> {
    curves
        .into_iter()
        .map(|c| {
            c.into_iter()
                .map(|(i, j)| plot.grid_to_px(i, j, na, nb))
                .collect()
        })
        .collect()
}

fn solution_style(i: usize, m: &Metrics) -> LineStyle {
    let mut style = LineStyle::solid(input_color(i), 2.6 * m.s);
    if i % 2 == 1 {
        // Dashed, so that coinciding solution contours (parallel inputs) both show.
        style.dashes = vec![9.0 * m.s, 6.0 * m.s];
    }
    style
}

/// Thin contour levels: the input's color, darkened a little to read on light viridis.
fn thin_level_style(i: usize, m: &Metrics) -> LineStyle {
    let c = input_color(i);
    let dark = |v: u8| (f64::from(v) * 0.8) as u8;
    LineStyle::solid(
        Color::rgb(dark(c.r), dark(c.g), dark(c.b)).alpha(0.9),
        1.1 * m.s,
    )
}

fn level_set_style(m: &Metrics) -> LineStyle {
    LineStyle::dashed(Color::WHITE.alpha(0.95), 1.3 * m.s, &[4.0 * m.s, 3.5 * m.s])
}

fn trajectory_style(m: &Metrics) -> [LineStyle; 2] {
    [
        LineStyle::solid(Color::BLACK.alpha(0.75), 3.6 * m.s),
        LineStyle::solid(Color::WHITE, 1.8 * m.s),
    ]
}

fn draw_contours(
    canvas: &mut Canvas,
    plot: &Plot,
    figure: &SliceFigure<'_>,
    options: &FigureOptions,
    drawn: usize,
    m: &Metrics,
) {
    let field = figure.field;
    let [na, nb] = field.plane_shape();
    let shown = |i: &usize| {
        options
            .inputs_shown
            .as_ref()
            .is_none_or(|s| s.get(*i).copied().unwrap_or(false))
    };
    let layers = options.layers;
    // Thin levels first, then the level sets through θ, then the solution contours on top.
    for i in (0..drawn).filter(shown).filter(|_| layers.contours) {
        let channel = field.channel(i);
        let target = figure.targets.get(i).copied().unwrap_or(0.0);
        let style = thin_level_style(i, m);
        for level in contour_levels(channel, target, options.levels_per_input) {
            for curve in to_px_curves(
                plot,
                marching_squares(channel, na, nb, level as f32),
                na,
                nb,
            ) {
                canvas.polyline(&curve, &style);
            }
        }
    }
    for i in (0..drawn)
        .filter(shown)
        .filter(|_| layers.behavior_manifold)
    {
        let Some(&current) = figure.current_outputs.get(i) else {
            continue;
        };
        for curve in to_px_curves(
            plot,
            marching_squares(field.channel(i), na, nb, current as f32),
            na,
            nb,
        ) {
            canvas.polyline(&curve, &level_set_style(m));
        }
    }
    for i in (0..drawn)
        .filter(shown)
        .filter(|_| layers.solution_contours)
    {
        let Some(&target) = figure.targets.get(i) else {
            continue;
        };
        let curves = to_px_curves(
            plot,
            marching_squares(field.channel(i), na, nb, target as f32),
            na,
            nb,
        );
        let halo = LineStyle::solid(Color::WHITE.alpha(0.85), 2.6 * m.s + 2.4 * m.s);
        if i % 2 == 0 {
            for curve in &curves {
                canvas.polyline(curve, &halo);
            }
        }
        for curve in &curves {
            canvas.polyline(curve, &solution_style(i, m));
        }
    }
}

fn draw_titles(canvas: &mut Canvas, options: &FigureOptions, plot: &Plot, m: &Metrics) {
    let available = f64::from(canvas.width()) - plot.rect.x0 - 8.0 * m.s;
    // Long titles shrink to fit the width (down to 60%), so they are never cut off.
    let fit = |canvas: &Canvas, text: &str, size: f64| {
        let width = canvas.text_width(text, size);
        if width > available {
            size * (available / width).max(0.6)
        } else {
            size
        }
    };
    let mut y = 14.0 * m.s;
    if !options.title.is_empty() {
        y += m.title_font();
        let size = fit(canvas, &options.title, m.title_font());
        canvas.text(
            &options.title,
            (plot.rect.x0, y),
            size,
            canvas.ink(),
            (HAlign::Left, VAlign::Baseline),
            0.0,
            0.6 * m.s,
        );
        y += 0.5 * m.title_font();
    }
    if !options.subtitle.is_empty() {
        y += m.tick_font();
        let size = fit(canvas, &options.subtitle, m.tick_font());
        canvas.text(
            &options.subtitle,
            (plot.rect.x0, y),
            size,
            canvas.muted_ink(),
            (HAlign::Left, VAlign::Baseline),
            0.0,
            m.weight() * 0.6,
        );
    }
}

/// A vertical color bar: `title` above a bar mapping [lo, hi] (bottom to top) through
/// `color`, ticks labelled by `label`. Returns the y just below the bar's last label.
#[allow(clippy::too_many_arguments)]
fn draw_colorbar(
    canvas: &mut Canvas,
    title: &str,
    (lo, hi): (f64, f64),
    color: &dyn Fn(f64) -> Color,
    ticks: &[(f64, String)],
    (x, top, plot_height): (f64, f64, f64),
    m: &Metrics,
) -> f64 {
    let title_y = top + m.label_font() * 0.8;
    canvas.text(
        title,
        (x, title_y),
        m.label_font(),
        canvas.ink(),
        (HAlign::Left, VAlign::Baseline),
        0.0,
        m.weight(),
    );
    let bar_top = (title_y + 14.0 * m.s).round();
    let bar_height = (plot_height * 0.42).max(60.0 * m.s).round();
    let bar_width = (16.0 * m.s).round().max(4.0);
    let (x0, y0) = (x.round(), bar_top);
    for py in 0..bar_height as u32 {
        let t = 1.0 - (f64::from(py) + 0.5) / bar_height;
        let c = color(lo + t * (hi - lo));
        for px in 0..bar_width as u32 {
            canvas.blend_pixel(x0 as u32 + px, y0 as u32 + py, c, 1.0);
        }
    }
    let frame = Rect::new(x0, y0, x0 + bar_width, y0 + bar_height);
    let line = LineStyle::solid(canvas.ink(), 1.0 * m.s.max(0.8));
    canvas.stroke(&frame.to_path_px(), &line);
    for (t, label) in ticks {
        let y = y0 + bar_height * (1.0 - (t - lo) / (hi - lo));
        canvas.polyline(
            &[(x0 + bar_width, y), (x0 + bar_width + 5.0 * m.s, y)],
            &line,
        );
        canvas.text(
            label,
            (x0 + bar_width + 8.0 * m.s, y),
            m.tick_font(),
            canvas.ink(),
            (HAlign::Left, VAlign::Middle),
            0.0,
            m.weight(),
        );
    }
    y0 + bar_height + m.tick_font()
}

fn draw_loss_colorbar(
    canvas: &mut Canvas,
    log_loss: &LogLoss,
    x: f64,
    top: f64,
    plot_height: f64,
    m: &Metrics,
) -> f64 {
    let ticks: Vec<(f64, String)> = ticks::log_ticks(log_loss.lo, log_loss.hi)
        .into_iter()
        .map(|t| (t.log_value, t.label))
        .collect();
    draw_colorbar(
        canvas,
        "loss (MSE)",
        (log_loss.lo, log_loss.hi),
        &|v| log_loss.color(v),
        &ticks,
        (x, top, plot_height),
        m,
    )
}

/// What a legend swatch shows.
enum Swatch {
    Lines(Vec<LineStyle>),
    /// An outlined set: color and outline radius.
    Outline(Color, f64),
    Marker,
    Trajectory,
}

struct LegendEntry {
    swatch: Swatch,
    label: String,
}

fn legend_entries(
    figure: &SliceFigure<'_>,
    options: &FigureOptions,
    drawn: usize,
    m: &Metrics,
) -> Vec<LegendEntry> {
    let mut entries = Vec::new();
    for i in 0..drawn {
        let target = figure.targets.get(i).copied().unwrap_or(0.0);
        let mut lines = Vec::new();
        if i % 2 == 0 {
            lines.push(LineStyle::solid(Color::WHITE.alpha(0.85), 5.0 * m.s));
        }
        lines.push(solution_style(i, m));
        entries.push(LegendEntry {
            swatch: Swatch::Lines(lines),
            label: format!(
                "f(x_{{{i}}}) = y_{{{i}}} = {}",
                ticks::format_number(target)
            ),
        });
    }
    if figure.field.n_inputs > drawn {
        entries.push(LegendEntry {
            swatch: Swatch::Lines(Vec::new()),
            label: format!("(inputs {drawn}–{} not drawn)", figure.field.n_inputs - 1),
        });
    }
    if drawn > 0 && options.levels_per_input > 0 {
        entries.push(LegendEntry {
            swatch: Swatch::Lines(vec![thin_level_style(0, m)]),
            label: "other levels of f(x_{i})".into(),
        });
    }
    entries.push(LegendEntry {
        swatch: Swatch::Lines(vec![level_set_style(m)]),
        label: "f(x_{i}) = f(x_{i}; θ)".into(),
    });
    entries.push(LegendEntry {
        swatch: Swatch::Outline(Color::WHITE, overlay::manifold_radius(m.s)),
        label: "behavior manifold through θ".into(),
    });
    entries.push(LegendEntry {
        swatch: Swatch::Outline(SOLUTION_COLOR, overlay::solution_radius(m.s)),
        label: "solution set (loss = 0)".into(),
    });
    if figure.trajectory_ab.len() >= 2 {
        entries.push(LegendEntry {
            swatch: Swatch::Trajectory,
            label: "training trajectory".into(),
        });
    }
    entries.push(LegendEntry {
        swatch: Swatch::Marker,
        label: "current θ".into(),
    });
    entries
}

fn draw_legend(canvas: &mut Canvas, entries: &[LegendEntry], x: f64, top: f64, m: &Metrics) {
    let row = 24.0 * m.s;
    let swatch_w = 32.0 * m.s;
    for (n, entry) in entries.iter().enumerate() {
        let y = top + row * n as f64;
        if y + row > f64::from(canvas.height()) {
            break;
        }
        let (x0, x1) = (x, x + swatch_w);
        let backdrop = Rect::new(x0, y - 9.0 * m.s, x1, y + 9.0 * m.s);
        let across = [(x0 + 3.0 * m.s, y), (x1 - 3.0 * m.s, y)];
        match &entry.swatch {
            Swatch::Lines(styles) => {
                if !styles.is_empty() {
                    canvas.fill_rect(backdrop, swatch_background());
                }
                for style in styles {
                    canvas.polyline(&across, style);
                }
            }
            Swatch::Outline(color, radius) => {
                canvas.fill_rect(backdrop, swatch_background());
                // A set along the swatch, outlined at (a scaled-down) radius.
                let r = radius.min(6.5 * m.s);
                let w = overlay::outline_width(m.s);
                let band = Rect::new(x0, y - r, x1, y + r);
                canvas.fill_rect(band, color.alpha(0.22));
                for dy in [-r, r] {
                    let edge = [(x0, y + dy), (x1, y + dy)];
                    canvas.polyline(
                        &edge,
                        &LineStyle {
                            dashes: Vec::new(),
                            ..LineStyle::solid(Color::BLACK.alpha(0.55), w + 1.6 * m.s)
                        },
                    );
                    canvas.polyline(&edge, &LineStyle::solid(*color, w));
                }
            }
            Swatch::Marker => draw_current_marker(canvas, (f64::midpoint(x0, x1), y), m),
            Swatch::Trajectory => {
                canvas.fill_rect(backdrop, swatch_background());
                for style in trajectory_style(m) {
                    canvas.polyline(&across, &style);
                }
            }
        }
        canvas.text(
            &entry.label,
            (x1 + 10.0 * m.s, y),
            m.legend_font(),
            canvas.ink(),
            (HAlign::Left, VAlign::Middle),
            0.0,
            m.weight(),
        );
    }
}

/// Pixel-snapped rectangle outline helper.
trait RectPath {
    fn to_path_px(&self) -> vello_cpu::kurbo::BezPath;
}

impl RectPath for Rect {
    fn to_path_px(&self) -> vello_cpu::kurbo::BezPath {
        polyline_path(&[
            (self.x0, self.y0),
            (self.x1, self.y0),
            (self.x1, self.y1),
            (self.x0, self.y1),
            (self.x0, self.y0),
        ])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::field::grid_coordinate;
    use crate::draw::figure::output::png;

    /// Perpendicular perceptron in coordinates, f1 = a + b/2 and f2 = −a/2 + b, with
    /// targets that put the solution at (1.2, 1.0).
    fn perpendicular_field(
        na: usize,
        nb: usize,
        ranges: [[f64; 2]; 2],
        targets: [f64; 2],
    ) -> Vec<f32> {
        let mut values = Vec::new();
        for c in 0..3 {
            for j in 0..nb {
                for i in 0..na {
                    let (a, b) = (
                        grid_coordinate(ranges[0], i, na),
                        grid_coordinate(ranges[1], j, nb),
                    );
                    let (f1, f2) = (a + 0.5 * b, -0.5 * a + b);
                    values.push(match c {
                        0 => f1,
                        1 => f2,
                        _ => 0.5 * ((f1 - targets[0]).powi(2) + (f2 - targets[1]).powi(2)),
                    } as f32);
                }
            }
        }
        values
    }

    fn luminance_around(img: &image::RgbaImage, (x, y): (f64, f64)) -> f64 {
        let mut sum = 0.0;
        for dy in -3..=3 {
            for dx in -3..=3 {
                let p = img.get_pixel((x as i64 + dx) as u32, (y as i64 + dy) as u32);
                sum +=
                    0.2126 * f64::from(p[0]) + 0.7152 * f64::from(p[1]) + 0.0722 * f64::from(p[2]);
            }
        }
        sum / 49.0
    }

    /// The loss heatmap is dark (viridis' low end) around the solution at (1.2, 1.0) and
    /// bright far from it; b increases upward, so the mirror point (1.2, −1.0) is bright.
    #[test]
    fn slice_figure_draws_low_loss_dark_with_b_upward() {
        let ranges = [[-2.0, 2.0], [-2.0, 2.0]];
        let targets = [1.2 + 0.5, -0.6 + 1.0];
        let field = Field {
            n_inputs: 2,
            shape: vec![64, 64],
            values: perpendicular_field(64, 64, ranges, targets),
        };
        let figure = SliceFigure {
            field: &field,
            ranges,
            targets: &targets,
            current_outputs: &[0.0, 0.0],
            trajectory_ab: &[(0.0, 0.0), (0.6, 0.5), (1.2, 1.0)],
            walk_ab: &[],
            current_ab: (0.0, 0.0),
        };
        let options = FigureOptions {
            title: "test".into(),
            ..FigureOptions::default()
        };
        let img = png(slice_figure(&figure, &options, 480, 360, Surface::PNG));
        assert_eq!(img.dimensions(), (480, 360));
        let canvas = Canvas::new(480, 360, Color::WHITE);
        let m = Metrics::new(480, 360);
        let legend = legend_entries(&figure, &options, 2, &m);
        let (plot, ..) = slice_layout(&canvas, &figure, &options, &legend, &m);
        let near = luminance_around(&img, plot.to_px(1.45, 0.75));
        let mirror = luminance_around(&img, plot.to_px(1.45, -0.75));
        let far = luminance_around(&img, plot.to_px(-1.7, -1.7));
        assert!(
            near + 40.0 < mirror && near + 40.0 < far,
            "near {near}, mirror {mirror}, far {far}"
        );
    }

    /// Was: "capacity overflow" drawing the axes of a slice of [−1e308, 1e308]. Figures
    /// of ranges at the float limit (which scenes now refuse, but the figure must not
    /// trust its caller) draw, with a huge title cut short.
    #[test]
    fn slice_figures_of_ranges_at_the_float_limit_draw() {
        let field = Field {
            n_inputs: 2,
            shape: vec![8, 8],
            values: perpendicular_field(8, 8, [[-2.0, 2.0], [-2.0, 2.0]], [1.0, 1.0]),
        };
        for ranges in [
            [[-1e308, 1e308], [-1e308, 1e308]],
            [[-f64::MAX, f64::MAX], [0.0, 1e-300]],
        ] {
            let figure = SliceFigure {
                field: &field,
                ranges,
                targets: &[1.0, 1.0],
                current_outputs: &[0.0, 0.0],
                trajectory_ab: &[(0.0, 0.0), (1e308, -1e308)],
                walk_ab: &[],
                current_ab: (f64::MAX, 0.0),
            };
            let options = FigureOptions {
                title: "t".repeat(100),
                ..FigureOptions::default()
            };
            let img = png(slice_figure(&figure, &options, 320, 240, Surface::PNG));
            assert_eq!(img.dimensions(), (320, 240));
        }
    }

    /// The picture alone honours the layer switches: with every layer off (and θ off the
    /// plot) it is the neutral background; with the defaults it shows the heatmap and the
    /// solution contours in the inputs' colors.
    #[test]
    fn slice_picture_draws_only_the_layers_switched_on() {
        let ranges = [[-2.0, 2.0], [-2.0, 2.0]];
        let targets = [1.7, 0.4];
        let field = Field {
            n_inputs: 2,
            shape: vec![48, 48],
            values: perpendicular_field(48, 48, ranges, targets),
        };
        let figure = SliceFigure {
            field: &field,
            ranges,
            targets: &targets,
            current_outputs: &[0.0, 0.0],
            trajectory_ab: &[],
            walk_ab: &[],
            current_ab: (10.0, 10.0),
        };
        let off = Layers {
            loss: false,
            contours: false,
            solution_contours: false,
            behavior_manifold: false,
            solution_set: false,
        };
        let options = FigureOptions {
            layers: off,
            ..FigureOptions::default()
        };
        let blank = render_slice_picture(&figure, &options, 160, 160);
        assert!(blank.pixels().all(|p| p.0 == [0x30, 0x30, 0x30, 255]));
        let full = render_slice_picture(&figure, &FigureOptions::default(), 720, 720);
        let [r, g, b] = style::input_rgb(0);
        let near_input_0 = full.pixels().filter(|p| {
            (i32::from(p[0]) - i32::from(r)).abs() < 30
                && (i32::from(p[1]) - i32::from(g)).abs() < 30
                && (i32::from(p[2]) - i32::from(b)).abs() < 30
        });
        assert!(
            near_input_0.count() > 50,
            "input 0's solution contour is drawn"
        );
    }

    #[test]
    fn contour_levels_include_round_steps_around_the_target() {
        let channel: Vec<f32> = (0..11).map(|i| i as f32 / 10.0).collect();
        let levels = contour_levels(&channel, 0.45, 5);
        assert!(levels.iter().all(|l| (0.0..=1.0).contains(l)));
        assert!(
            levels.iter().any(|l| (l - 0.65).abs() < 1e-12)
                && !levels.iter().any(|l| (l - 0.45).abs() < 1e-12)
        );
    }
}
