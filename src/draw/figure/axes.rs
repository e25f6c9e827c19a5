//! The plot rectangle, the map between data and pixels, ticks and their labels.

use vello_cpu::kurbo::Rect;

use super::canvas::{Canvas, HAlign, LineStyle, VAlign};
use crate::draw::ticks::Ticks;

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

    /// [`Self::to_px`] of (a, b) moved to within one span of the plot first: a point far
    /// outside (1e308) lands just beyond the edge, never at pixel coordinates that
    /// overflow the rasterizer.
    pub fn to_px_near(self, a: f64, b: f64) -> (f64, f64) {
        let near = |v: f64, [lo, hi]: [f64; 2]| {
            let span = hi - lo;
            v.clamp(lo - span, hi + span)
        };
        self.to_px(near(a, self.ranges[0]), near(b, self.ranges[1]))
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
        let labelled = |t: &Ticks| -> Vec<(f64, String)> {
            t.values.iter().map(|&v| (v, t.format(v))).collect()
        };
        self.draw_frame_labelled(
            canvas,
            &labelled(a_ticks),
            &labelled(b_ticks),
            font,
            weight,
            s,
        );
    }

    /// [`Self::draw_frame`] with ticks given as (data value, label), for axes whose
    /// labels are not the values themselves (log₁₀ axes labelled 10^{n}).
    pub fn draw_frame_labelled(
        &self,
        canvas: &mut Canvas,
        a_ticks: &[(f64, String)],
        b_ticks: &[(f64, String)],
        font: f64,
        weight: f64,
        s: f64,
    ) {
        let line = LineStyle::solid(canvas.ink(), (1.0 * s).max(0.8));
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
        for (t, label) in a_ticks {
            let (x, _) = self.to_px(*t, self.ranges[1][0]);
            canvas.polyline(&[(x, r.y1), (x, r.y1 + tick_len)], &line);
            canvas.text(
                label,
                (x, r.y1 + tick_len + 4.0 * s),
                font,
                canvas.ink(),
                (HAlign::Center, VAlign::Top),
                0.0,
                weight,
            );
        }
        for (t, label) in b_ticks {
            let (_, y) = self.to_px(self.ranges[0][0], *t);
            canvas.polyline(&[(r.x0 - tick_len, y), (r.x0, y)], &line);
            canvas.text(
                label,
                (r.x0 - tick_len - 4.0 * s, y),
                font,
                canvas.ink(),
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
            canvas.ink(),
            (HAlign::Center, VAlign::Top),
            0.0,
            weight,
        );
        let b_x = r.x0 - 6.0 * s - 4.0 * s - b_tick_width - 10.0 * s;
        canvas.text(
            b_label,
            (b_x, f64::midpoint(r.y0, r.y1)),
            font,
            canvas.ink(),
            (HAlign::Center, VAlign::Baseline),
            std::f64::consts::FRAC_PI_2,
            weight,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
