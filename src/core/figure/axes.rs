//! The plot rectangle, the map between data and pixels, ticks and their labels.

use vello_cpu::kurbo::Rect;

use super::canvas::{Canvas, Color, HAlign, LineStyle, VAlign};

/// A plot rectangle in pixels (integer edges) showing the ranges of a and b, with b
/// increasing upward.
#[derive(Clone, Copy, Debug)]
pub struct Plot {
    pub rect: Rect,
    pub ranges: [[f64; 2]; 2],
}

impl Plot {
    /// The largest rectangle inside `available` (pixel-snapped); with `equal_aspect`, one
    /// data unit spans as many pixels along a as along b, unless the ranges differ by more
    /// than 3× (then the plot fills the space).
    pub fn fit(available: Rect, ranges: [[f64; 2]; 2], equal_aspect: bool) -> Self {
        let (w, h) = (available.width().max(10.0), available.height().max(10.0));
        let (span_a, span_b) = (ranges[0][1] - ranges[0][0], ranges[1][1] - ranges[1][0]);
        let ratio = span_a / span_b;
        let (pw, ph) = if equal_aspect && (1.0 / 3.0..=3.0).contains(&ratio) {
            if w / h > ratio {
                (h * ratio, h)
            } else {
                (w, w / ratio)
            }
        } else {
            (w, h)
        };
        let x0 = available.x0.round();
        let y0 = (available.y0 + (h - ph) / 2.0).round();
        Self {
            rect: Rect::new(x0, y0, x0 + pw.round(), y0 + ph.round()),
            ranges,
        }
    }

    /// Pixel position of data point (a, b).
    pub fn to_px(self, a: f64, b: f64) -> (f64, f64) {
        let [[a0, a1], [b0, b1]] = self.ranges;
        (
            self.rect.x0 + (a - a0) / (a1 - a0) * self.rect.width(),
            self.rect.y1 - (b - b0) / (b1 - b0) * self.rect.height(),
        )
    }

    /// Pixel position of fractional grid index (i, j) on an na × nb grid spanning the ranges.
    pub fn grid_to_px(&self, i: f64, j: f64, na: usize, nb: usize) -> (f64, f64) {
        (
            self.rect.x0 + i / (na - 1) as f64 * self.rect.width(),
            self.rect.y1 - j / (nb - 1) as f64 * self.rect.height(),
        )
    }

    /// Fractional grid index at pixel position (x, y).
    pub fn px_to_grid(&self, x: f64, y: f64, na: usize, nb: usize) -> (f64, f64) {
        (
            (x - self.rect.x0) / self.rect.width() * (na - 1) as f64,
            (self.rect.y1 - y) / self.rect.height() * (nb - 1) as f64,
        )
    }

    /// Grid index units per pixel along a and b.
    pub fn grid_per_px(&self, na: usize, nb: usize) -> (f64, f64) {
        (
            (na - 1) as f64 / self.rect.width(),
            (nb - 1) as f64 / self.rect.height(),
        )
    }

    /// Integer pixel bounds [x0, x1) × [y0, y1).
    pub fn pixel_bounds(&self) -> (u32, u32, u32, u32) {
        (
            self.rect.x0 as u32,
            self.rect.y0 as u32,
            self.rect.x1 as u32,
            self.rect.y1 as u32,
        )
    }

    /// Frame, outward ticks and tick labels.
    pub fn draw_frame(
        &self,
        canvas: &mut Canvas,
        a_ticks: &Ticks,
        b_ticks: &Ticks,
        font: f64,
        weight: f64,
        s: f64,
    ) {
        let line = LineStyle::solid(Color::BLACK, (1.0 * s).max(0.8));
        let tick_len = 6.0 * s;
        let r = self.rect;
        canvas.polyline(
            &[
                (r.x0, r.y0),
                (r.x1, r.y0),
                (r.x1, r.y1),
                (r.x0, r.y1),
                (r.x0, r.y0),
            ],
            &line,
        );
        for &t in &a_ticks.values {
            let (x, _) = self.to_px(t, self.ranges[1][0]);
            canvas.polyline(&[(x, r.y1), (x, r.y1 + tick_len)], &line);
            canvas.text(
                &a_ticks.format(t),
                (x, r.y1 + tick_len + 4.0 * s),
                font,
                Color::BLACK,
                (HAlign::Center, VAlign::Top),
                0.0,
                weight,
            );
        }
        for &t in &b_ticks.values {
            let (_, y) = self.to_px(self.ranges[0][0], t);
            canvas.polyline(&[(r.x0 - tick_len, y), (r.x0, y)], &line);
            canvas.text(
                &b_ticks.format(t),
                (r.x0 - tick_len - 4.0 * s, y),
                font,
                Color::BLACK,
                (HAlign::Right, VAlign::Middle),
                0.0,
                weight,
            );
        }
    }

    /// Axis titles: a below the tick labels, b rotated left of them.
    #[allow(clippy::too_many_arguments)]
    pub fn draw_axis_titles(
        &self,
        canvas: &mut Canvas,
        a_label: &str,
        b_label: &str,
        font: f64,
        weight: f64,
        s: f64,
        b_tick_width: f64,
    ) {
        let r = self.rect;
        let tick_font = font * 14.5 / 16.5;
        let a_y = r.y1 + 6.0 * s + 4.0 * s + tick_font * 1.3 + 10.0 * s;
        canvas.text(
            a_label,
            (f64::midpoint(r.x0, r.x1), a_y),
            font,
            Color::BLACK,
            (HAlign::Center, VAlign::Top),
            0.0,
            weight,
        );
        let b_x = r.x0 - 6.0 * s - 4.0 * s - b_tick_width - 10.0 * s;
        canvas.text(
            b_label,
            (b_x, f64::midpoint(r.y0, r.y1)),
            font,
            Color::BLACK,
            (HAlign::Center, VAlign::Baseline),
            std::f64::consts::FRAC_PI_2,
            weight,
        );
    }
}

/// Tick positions and the step that decides how many decimals labels need.
#[derive(Clone, Debug)]
pub struct Ticks {
    pub values: Vec<f64>,
    pub step: f64,
}

impl Ticks {
    /// A label with as many decimals as the step needs and a true minus sign.
    pub fn format(&self, value: f64) -> String {
        let decimals = (-self.step.log10().floor()).max(0.0) as usize;
        let v = if value.abs() < self.step * 1e-9 {
            0.0
        } else {
            value
        };
        format!("{v:.decimals$}").replace('-', "−")
    }
}

/// The 1-2-5 step nearest above `raw`.
pub fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    let mantissa = raw / magnitude;
    let nice = if mantissa <= 1.0 {
        1.0
    } else if mantissa <= 2.0 {
        2.0
    } else if mantissa <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// About `target` ticks at multiples of a 1-2-5 step inside [lo, hi].
pub fn nice_ticks(range: [f64; 2], target: usize) -> Ticks {
    let [lo, hi] = range;
    let step = nice_step((hi - lo) / target.max(1) as f64);
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    Ticks {
        values: (first..=last).map(|m| m as f64 * step).collect(),
        step,
    }
}

/// A tick of a log₁₀ axis: its position (log₁₀ of the value) and its label.
pub struct LogTick {
    pub log_value: f64,
    pub label: String,
}

/// Ticks for a log₁₀ axis on [lo, hi] (in log₁₀ units): whole decades labelled 10^{n}
/// (every 2nd or more when many); when the range spans less than two decades, round
/// values of the quantity itself (1-2-5 steps) at their logarithms.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<LogTick> {
    if hi - lo < 2.0 {
        let linear = nice_ticks([10f64.powf(lo), 10f64.powf(hi)], 4);
        return linear
            .values
            .iter()
            .filter(|&&v| v > 0.0)
            .map(|&v| LogTick {
                log_value: v.log10(),
                label: linear.format(v),
            })
            .collect();
    }
    let every = ((hi - lo) / 6.0).ceil().max(1.0);
    let first = (lo / every).ceil() as i64;
    let last = (hi / every).floor() as i64;
    (first..=last)
        .map(|m| {
            let e = m as f64 * every;
            LogTick {
                log_value: e,
                label: format!("10^{{{}}}", format!("{e:.0}").replace('-', "−")),
            }
        })
        .collect()
}

/// A short number: integers without decimals, else up to 4 decimals.
pub fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e6 {
        return format!("{x:.0}").replace('-', "−");
    }
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.replace('-', "−")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_numbers_inside_the_range() {
        let t = nice_ticks([-2.0, 2.0], 6);
        assert_eq!(t.values, vec![-2.0, -1.0, 0.0, 1.0, 2.0]);
        assert_eq!(t.format(-1.0), "−1");
        let t = nice_ticks([0.0, 0.25], 6);
        assert!((t.step - 0.05).abs() < 1e-15);
        assert_eq!(t.values.len(), 6);
        assert_eq!(t.format(0.1), "0.10");
        let decades: Vec<f64> = log_ticks(-4.2, 1.3).iter().map(|t| t.log_value).collect();
        assert_eq!(decades, vec![-4.0, -3.0, -2.0, -1.0, 0.0, 1.0]);
        assert_eq!(log_ticks(-4.2, 1.3)[0].label, "10^{−4}");
        // Less than two decades: round loss values, e.g. 0.4 … 1.0.
        let labels: Vec<String> = log_ticks(0.35f64.log10(), 0.0)
            .into_iter()
            .map(|t| t.label)
            .collect();
        assert_eq!(labels, vec!["0.4", "0.6", "0.8", "1.0"]);
    }

    #[test]
    fn data_maps_to_pixels_with_b_upward() {
        let plot = Plot::fit(
            Rect::new(10.0, 10.0, 110.0, 60.0),
            [[0.0, 2.0], [0.0, 1.0]],
            true,
        );
        assert_eq!(plot.rect, Rect::new(10.0, 10.0, 110.0, 60.0));
        assert_eq!(plot.to_px(0.0, 0.0), (10.0, 60.0));
        assert_eq!(plot.to_px(2.0, 1.0), (110.0, 10.0));
        assert_eq!(plot.grid_to_px(4.0, 4.0, 5, 5), (110.0, 10.0));
        let (i, j) = plot.px_to_grid(60.0, 35.0, 5, 5);
        assert!((i - 2.0).abs() < 1e-12 && (j - 2.0).abs() < 1e-12);
    }
}
