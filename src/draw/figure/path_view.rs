//! The paths figure: a quantity (the loss) along interpolation paths between two models,
//! one curve per path over t ∈ [0, 1] with a dot at every t of the grid where it was
//! evaluated exactly, a legend, and lines of notes (the barriers) in the right column.

use super::axes::Plot;
use super::canvas::{Canvas, Color, HAlign, LineStyle, VAlign};
use super::output::{Rendered, Surface, render_on};
use super::{FigureOptions, Metrics, draw_titles, plot_area, tick_label_width};
use crate::draw::style::Theme;
use crate::draw::ticks::nice_ticks;

/// One path's values on its t grid.
#[derive(Clone, Debug)]
pub struct PathCurve<'a> {
    /// Legend text.
    pub label: String,
    /// The t grid (from 0 to 1).
    pub t: &'a [f64],
    /// The values at those t.
    pub values: &'a [f64],
    pub color: Color,
    /// Dashed (for example the path before alignment).
    pub dashed: bool,
}

/// Everything the paths figure shows.
#[derive(Clone, Debug)]
pub struct PathFigure<'a> {
    pub curves: Vec<PathCurve<'a>>,
    /// Title of the vertical axis, e.g. "loss L(θ(t))".
    pub y_label: String,
    /// Lines printed under the legend (the barriers with their t grid).
    pub notes: Vec<String>,
}

/// Color of the i-th curve of the paths figure (the app uses the same ones).
pub fn path_color(i: usize) -> Color {
    const COLORS: [Color; 4] = [
        Color::rgb(0x1f, 0x4e, 0x8c),
        Color::rgb(0xd5, 0x5e, 0x00),
        Color::rgb(0x00, 0x9e, 0x73),
        Color::rgb(0xcc, 0x79, 0xa7),
    ];
    COLORS[i % COLORS.len()]
}

/// Draws the curves over t ∈ [0, 1]; the value axis starts at 0 when every value is
/// non-negative (a loss), so barrier heights read against the floor. As PNG or SVG
/// ([`Surface`]).
pub fn path_figure(
    figure: &PathFigure<'_>,
    options: &FigureOptions,
    width: u32,
    height: u32,
    surface: Surface,
) -> Rendered {
    render_on(surface, width, height, |canvas| {
        draw_path_figure(canvas, figure, options);
    })
}

fn draw_path_figure(canvas: &mut Canvas, figure: &PathFigure<'_>, options: &FigureOptions) {
    let m = Metrics::new(canvas.width(), canvas.height());
    let (mut lo, mut hi) = figure
        .curves
        .iter()
        .flat_map(|c| c.values.iter())
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    if !lo.is_finite() {
        (lo, hi) = (0.0, 1.0);
    }
    if lo >= 0.0 {
        lo = 0.0;
    }
    if hi <= lo {
        hi = lo + 1.0;
    }
    let y_range = [lo, hi + 0.08 * (hi - lo)];
    let ranges = [[0.0, 1.0], y_range];
    let t_ticks = nice_ticks(ranges[0], 6);
    let y_ticks = nice_ticks(ranges[1], 6);
    let y_tick_width = tick_label_width(canvas, &y_ticks, &m);
    let right_column = figure
        .curves
        .iter()
        .map(|c| canvas.text_width(&c.label, m.legend_font()) + 52.0 * m.s)
        .chain(
            figure
                .notes
                .iter()
                .map(|n| canvas.text_width(n, m.legend_font())),
        )
        .fold(180.0 * m.s, f64::max)
        + 34.0 * m.s;
    let available = plot_area(canvas, options, y_tick_width, right_column, &m);
    let plot = Plot::fit(available, ranges, false);

    canvas.push_clip(plot.rect);
    for curve in &figure.curves {
        let points: Vec<(f64, f64)> = curve
            .t
            .iter()
            .zip(curve.values)
            .filter(|(_, v)| v.is_finite())
            .map(|(&t, &v)| plot.to_px(t, v))
            .collect();
        canvas.polyline(&points, &line_style(curve, canvas.theme(), &m));
        for &p in &points {
            canvas.circle(p, 2.6 * m.s, shown_color(curve.color, canvas.theme()), None);
        }
    }
    canvas.pop_clip();
    plot.draw_frame(canvas, &t_ticks, &y_ticks, m.tick_font(), m.weight(), m.s);
    plot.draw_axis_titles(
        canvas,
        "t (θ(0) = θ_{A}, θ(1) = θ_{B})",
        &figure.y_label,
        m.label_font(),
        m.weight(),
        m.s,
        y_tick_width,
    );
    draw_titles(canvas, options, &plot, &m);

    draw_legend(canvas, figure, plot.rect.x1 + 26.0 * m.s, plot.rect.y0, &m);
}

/// One legend row per curve, then the notes, from (x, top) down.
fn draw_legend(canvas: &mut Canvas, figure: &PathFigure<'_>, x: f64, top: f64, m: &Metrics) {
    let row = 24.0 * m.s;
    let mut y = top + 10.0 * m.s;
    for curve in &figure.curves {
        canvas.polyline(
            &[(x + 2.0 * m.s, y), (x + 30.0 * m.s, y)],
            &line_style(curve, canvas.theme(), m),
        );
        canvas.text(
            &curve.label,
            (x + 42.0 * m.s, y),
            m.legend_font(),
            canvas.ink(),
            (HAlign::Left, VAlign::Middle),
            0.0,
            m.weight(),
        );
        y += row;
    }
    y += 0.6 * row;
    for note in &figure.notes {
        canvas.text(
            note,
            (x, y),
            m.legend_font(),
            canvas.ink(),
            (HAlign::Left, VAlign::Middle),
            0.0,
            m.weight(),
        );
        y += row;
    }
}

fn line_style(curve: &PathCurve<'_>, theme: Theme, m: &Metrics) -> LineStyle {
    let color = shown_color(curve.color, theme);
    if curve.dashed {
        LineStyle::dashed(color, 2.2 * m.s, &[9.0 * m.s, 6.0 * m.s])
    } else {
        LineStyle::solid(color, 2.4 * m.s)
    }
}

/// The first path color is a dark blue that vanishes on the dark paper; it is drawn in
/// the theme's curve color there (the others read on both).
fn shown_color(color: Color, theme: Theme) -> Color {
    if color == path_color(0) {
        let [r, g, b] = theme.line();
        Color::rgb(r, g, b)
    } else {
        color
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draw::figure::output::png;

    #[test]
    fn curves_are_drawn_in_their_colors_inside_the_plot() {
        let t = [0.0, 0.5, 1.0];
        let high = [0.0, 1.0, 0.0];
        let flat = [0.3, 0.3, 0.3];
        let figure = PathFigure {
            curves: vec![
                PathCurve {
                    label: "peaked".into(),
                    t: &t,
                    values: &high,
                    color: path_color(1),
                    dashed: false,
                },
                PathCurve {
                    label: "flat".into(),
                    t: &t,
                    values: &flat,
                    color: path_color(2),
                    dashed: true,
                },
            ],
            y_label: "loss".into(),
            notes: vec!["barrier 1".into()],
        };
        let image = png(path_figure(
            &figure,
            &FigureOptions::default(),
            640,
            400,
            Surface::PNG,
        ));
        let count = |c: Color| {
            image
                .pixels()
                .filter(|p| {
                    let [r, g, b, _] = p.0;
                    let [cr, cg, cb] = [c.r, c.g, c.b].map(i32::from);
                    (i32::from(r) - cr).abs() < 8
                        && (i32::from(g) - cg).abs() < 8
                        && (i32::from(b) - cb).abs() < 8
                })
                .count()
        };
        assert!(count(path_color(1)) > 200, "the peaked curve is drawn");
        assert!(count(path_color(2)) > 100, "the flat curve is drawn");
        assert_eq!(count(path_color(0)), 0, "no other curve color appears");
    }
}
