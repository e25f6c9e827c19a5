//! The data view as a figure: the network's function over input space with the training
//! points (1D inputs: the curve f(x); 2D inputs: a diverging heatmap of f with its
//! decision contour).

use super::axes::Plot;
use super::canvas::{Canvas, Color, HAlign, LineStyle, VAlign};
use super::output::{Rendered, Surface, render_on};
use super::{
    FigureOptions, Metrics, draw_colorbar, draw_titles, marching_squares, plot_area,
    tick_label_width,
};
use crate::core::data::Dataset;
use crate::core::error::CoreError;
use crate::core::field::grid_coordinate;
use crate::core::limits::MAX_AXIS_MAGNITUDE;
use crate::core::mlp::MlpSpec;
use crate::draw::ticks::{axis_range, format_number, nice_ticks};

/// A network and its training set.
#[derive(Clone, Copy, Debug)]
pub struct DataFigure<'a> {
    pub spec: &'a MlpSpec,
    pub theta: &'a [f64],
    pub data: &'a Dataset,
}

/// Grid points per side of the 2D input-space heatmap.
const INPUT_GRID: usize = 240;

/// Draws the function over input space with the training points; only for 1D and 2D
/// inputs (an error names the input width otherwise). As PNG or SVG ([`Surface`]).
pub fn data_figure(
    figure: &DataFigure<'_>,
    options: &FigureOptions,
    width: u32,
    height: u32,
    surface: Surface,
) -> Result<Rendered, CoreError> {
    figure.spec.check_parameters(figure.theta)?;
    match figure.spec.input_dim() {
        1 => Ok(render_on(surface, width, height, |c| {
            render_1d(c, figure, options);
        })),
        2 => Ok(render_on(surface, width, height, |c| {
            render_2d(c, figure, options);
        })),
        d => Err(CoreError::invalid(format!(
            "the data view needs 1D or 2D inputs, and this model's inputs have {d} dimensions"
        ))),
    }
}

/// [lo, hi] of coordinate `dim` of the inputs, padded by 15% (at least ±1 around a
/// point), clamped so that its span stays finite ([`axis_range`]).
fn padded_range(data: &Dataset, dim: usize) -> [f64; 2] {
    let (lo, hi) = data
        .inputs
        .iter()
        .map(|x| x[dim])
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    axis_range(lo, hi, 0.15, 1.0)
}

struct Layout {
    plot: Plot,
    column_x: f64,
    m: Metrics,
}

fn layout(
    canvas: &Canvas,
    options: &FigureOptions,
    ranges: [[f64; 2]; 2],
    equal_aspect: bool,
    right_column: f64,
) -> Layout {
    let m = Metrics::new(canvas.width(), canvas.height());
    let b_tick_width = tick_label_width(canvas, &nice_ticks(ranges[1], 6), &m);
    let available = plot_area(canvas, options, b_tick_width, right_column * m.s, &m);
    let plot = Plot::fit(available, ranges, equal_aspect);
    Layout {
        column_x: plot.rect.x1 + 26.0 * m.s,
        plot,
        m,
    }
}

fn frame_and_titles(
    canvas: &mut Canvas,
    l: &Layout,
    options: &FigureOptions,
    labels: (&str, &str),
) {
    let (m, plot) = (&l.m, &l.plot);
    let a_ticks = nice_ticks(plot.ranges[0], 6);
    let b_ticks = nice_ticks(plot.ranges[1], 6);
    let b_tick_width = tick_label_width(canvas, &b_ticks, m);
    plot.draw_frame(canvas, &a_ticks, &b_ticks, m.tick_font(), m.weight(), m.s);
    plot.draw_axis_titles(
        canvas,
        labels.0,
        labels.1,
        m.label_font(),
        m.weight(),
        m.s,
        b_tick_width,
    );
    draw_titles(canvas, options, plot, m);
}

fn render_1d(canvas: &mut Canvas, figure: &DataFigure<'_>, options: &FigureOptions) {
    let x_range = padded_range(figure.data, 0);
    let n = 400;
    let xs: Vec<f64> = (0..n).map(|j| grid_coordinate(x_range, j, n)).collect();
    let fs = figure.spec.forward_many(figure.theta, &xs);
    let (lo, hi) = fs
        .iter()
        .chain(&figure.data.targets)
        .filter(|v| v.is_finite())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
            (lo.min(v), hi.max(v))
        });
    let y_range = axis_range(lo, hi, 0.1, 1.0);
    let l = layout(canvas, options, [x_range, y_range], false, 190.0);
    let (m, plot) = (&l.m, &l.plot);
    canvas.push_clip(plot.rect);
    let curve: Vec<(f64, f64)> = xs
        .iter()
        .zip(&fs)
        .filter(|(_, f)| f.is_finite())
        .map(|(&x, &f)| plot.to_px_near(x, f))
        .collect();
    canvas.polyline(&curve, &LineStyle::solid(canvas.line_color(), 2.4 * m.s));
    for (x, &y) in figure.data.inputs.iter().zip(&figure.data.targets) {
        canvas.circle(
            plot.to_px_near(x[0], y),
            4.5 * m.s,
            super::input_color(0),
            Some((Color::BLACK, 1.0 * m.s)),
        );
    }
    canvas.pop_clip();
    frame_and_titles(canvas, &l, options, ("input x", "f(x; θ)"));
    let entries = [
        (
            LegendMark::Line(canvas.line_color()),
            "network f(x; θ)".to_string(),
        ),
        (
            LegendMark::Dot(super::input_color(0)),
            "training points (x_{i}, y_{i})".to_string(),
        ),
    ];
    draw_simple_legend(canvas, &entries, l.column_x, plot.rect.y0 + 10.0 * m.s, m);
}

fn render_2d(canvas: &mut Canvas, figure: &DataFigure<'_>, options: &FigureOptions) {
    let ranges = [padded_range(figure.data, 0), padded_range(figure.data, 1)];
    let n = INPUT_GRID;
    let inputs: Vec<f64> = (0..n * n)
        .flat_map(|p| {
            [
                grid_coordinate(ranges[0], p % n, n),
                grid_coordinate(ranges[1], p / n, n),
            ]
        })
        .collect();
    let fs = figure.spec.forward_many(figure.theta, &inputs);
    // Center the diverging map at the label midpoint (binary targets) or at the mean target.
    let k = figure.data.n_inputs().max(1) as f64;
    let center = figure
        .data
        .binary_labels()
        .map_or_else(
            || figure.data.targets.iter().map(|y| y / k).sum::<f64>(),
            |(lo, hi)| 0.5 * lo + 0.5 * hi,
        )
        .clamp(-MAX_AXIS_MAGNITUDE, MAX_AXIS_MAGNITUDE);
    // Clamped so that the color bar's range center ± spread stays finite.
    let spread = fs
        .iter()
        .chain(&figure.data.targets)
        .filter(|v| v.is_finite())
        .map(|v| (v - center).abs())
        .fold(0.0, f64::max)
        .clamp(1e-9, MAX_AXIS_MAGNITUDE);
    let color = |v: f64| -> Color {
        if !v.is_finite() {
            return Color::rgb(200, 200, 200);
        }
        // RED_BLUE runs red (low) to blue (high).
        Color::from_colorous(
            colorous::RED_BLUE.eval_continuous((0.5 + 0.5 * (v - center) / spread).clamp(0.0, 1.0)),
        )
    };
    let l = layout(canvas, options, ranges, true, 210.0);
    let (m, plot) = (&l.m, &l.plot);
    let (px0, py0, px1, py1) = plot.pixel_bounds();
    let grid: Vec<f64> = fs.clone();
    for py in py0..py1 {
        for px in px0..px1 {
            let (fi, fj) = plot.px_to_grid(f64::from(px) + 0.5, f64::from(py) + 0.5, n, n);
            canvas.blend_pixel(px, py, color(super::bilinear(&grid, n, n, fi, fj)), 1.0);
        }
    }
    let values: Vec<f32> = fs.iter().map(|&v| v as f32).collect();
    canvas.push_clip(plot.rect);
    for curve in marching_squares(&values, n, n, center as f32) {
        let pts: Vec<(f64, f64)> = curve
            .iter()
            .map(|&(i, j)| plot.grid_to_px(i, j, n, n))
            .collect();
        canvas.polyline(&pts, &LineStyle::solid(canvas.ink(), 2.0 * m.s));
    }
    for (x, &y) in figure.data.inputs.iter().zip(&figure.data.targets) {
        canvas.circle(
            plot.to_px_near(x[0], x[1]),
            5.0 * m.s,
            color(y),
            Some((Color::BLACK, 1.2 * m.s)),
        );
    }
    canvas.pop_clip();
    frame_and_titles(canvas, &l, options, ("input x[0]", "input x[1]"));
    let (lo, hi) = (center - spread, center + spread);
    let ticks = nice_ticks([lo, hi], 5);
    let ticks: Vec<(f64, String)> = ticks.values.iter().map(|&t| (t, ticks.format(t))).collect();
    let bottom = draw_colorbar(
        canvas,
        "f(x; θ)",
        (lo, hi),
        &color,
        &ticks,
        (l.column_x, plot.rect.y0, plot.rect.height()),
        m,
    );
    let entries = [
        (
            LegendMark::Line(canvas.ink()),
            format!("f(x; θ) = {}", format_number(center)),
        ),
        (
            LegendMark::Dot(Color::rgb(235, 235, 235)),
            "training points (color: y_{i})".to_string(),
        ),
    ];
    draw_simple_legend(canvas, &entries, l.column_x, bottom + 30.0 * m.s, m);
}

enum LegendMark {
    Line(Color),
    Dot(Color),
}

fn draw_simple_legend(
    canvas: &mut Canvas,
    entries: &[(LegendMark, String)],
    x: f64,
    top: f64,
    m: &Metrics,
) {
    let row = 24.0 * m.s;
    for (n, (mark, label)) in entries.iter().enumerate() {
        let y = top + row * n as f64;
        let (x0, x1) = (x, x + 32.0 * m.s);
        match mark {
            LegendMark::Line(c) => canvas.polyline(
                &[(x0 + 2.0 * m.s, y), (x1 - 2.0 * m.s, y)],
                &LineStyle::solid(*c, 2.2 * m.s),
            ),
            LegendMark::Dot(c) => canvas.circle(
                (f64::midpoint(x0, x1), y),
                4.5 * m.s,
                *c,
                Some((Color::BLACK, 1.0 * m.s)),
            ),
        }
        canvas.text(
            label,
            (x1 + 10.0 * m.s, y),
            m.legend_font(),
            canvas.ink(),
            (HAlign::Left, VAlign::Middle),
            0.0,
            m.weight(),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Activation;
    use crate::draw::figure::output::png;

    #[test]
    fn data_figures_render_for_1d_and_2d_and_refuse_3d() {
        let spec = MlpSpec::new(vec![1, 4, 1], Activation::Tanh, true).unwrap();
        let theta = spec.init_parameters(1);
        let data = Dataset {
            inputs: vec![vec![-1.0], vec![0.0], vec![1.0]],
            targets: vec![0.0, 1.0, 0.0],
        };
        let img = data_figure(
            &DataFigure {
                spec: &spec,
                theta: &theta,
                data: &data,
            },
            &FigureOptions::default(),
            320,
            240,
            Surface::PNG,
        )
        .map(png)
        .unwrap();
        assert_eq!(img.dimensions(), (320, 240));
        let spec = MlpSpec::new(vec![2, 4, 1], Activation::Tanh, true).unwrap();
        let theta = spec.init_parameters(1);
        let data = Dataset {
            inputs: vec![vec![0.0, 0.0], vec![1.0, 1.0]],
            targets: vec![0.0, 1.0],
        };
        let img = data_figure(
            &DataFigure {
                spec: &spec,
                theta: &theta,
                data: &data,
            },
            &FigureOptions::default(),
            320,
            240,
            Surface::PNG,
        )
        .map(png)
        .unwrap();
        assert_eq!(img.dimensions(), (320, 240));
        let spec = MlpSpec::new(vec![3, 1], Activation::Identity, false).unwrap();
        let data = Dataset {
            inputs: vec![vec![0.0, 0.0, 1.0]],
            targets: vec![1.0],
        };
        let e = data_figure(
            &DataFigure {
                spec: &spec,
                theta: &[1.0, 1.0, 1.0],
                data: &data,
            },
            &FigureOptions::default(),
            320,
            240,
            Surface::PNG,
        )
        .map(png)
        .unwrap_err();
        assert!(e.to_string().contains("3 dimensions"), "{e}");
    }

    /// f(x) = x₀ over [0, 1]² with targets 0 and 1: the heatmap is red where f is low (left)
    /// and blue where it is high (right), and constant down each column, since f ignores x₁.
    #[test]
    fn data_figure_2d_colors_the_function_red_low_blue_high_left_to_right() {
        let spec = MlpSpec::new(vec![2, 1], Activation::Identity, false).unwrap();
        let data = Dataset {
            inputs: vec![vec![0.0, 0.0], vec![1.0, 1.0]],
            targets: vec![0.0, 1.0],
        };
        let figure = DataFigure {
            spec: &spec,
            theta: &[1.0, 0.0],
            data: &data,
        };
        let options = FigureOptions::default();
        let (w, h) = (480, 360);
        let img = png(data_figure(&figure, &options, w, h, Surface::PNG).unwrap());
        // The plot's pixels, laid out as `render_2d` lays them out.
        let canvas = Canvas::new(w, h, Color::WHITE);
        let ranges = [padded_range(&data, 0), padded_range(&data, 1)];
        let plot = layout(&canvas, &options, ranges, true, 210.0).plot;
        let px = |a: f64, b: f64| {
            let (x, y) = plot.to_px(a, b);
            *img.get_pixel(x as u32, y as u32)
        };
        let (left, right) = (px(0.1, 0.5), px(0.9, 0.5));
        assert!(
            left[0] > left[2] + 60 && right[2] > right[0] + 60,
            "left {left:?} should be red, right {right:?} blue"
        );
        for a in [0.2, 0.5, 0.8] {
            let (top, bottom) = (px(a, 0.35), px(a, 0.65));
            let diff = (0..3).map(|c| top[c].abs_diff(bottom[c])).max().unwrap();
            assert!(diff <= 2, "column a = {a}: {top:?} vs {bottom:?}");
        }
    }
}
