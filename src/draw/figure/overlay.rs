//! Where the slice meets a set `{θ : f(x_i; θ) = c_i for all i}`: the solution set
//! (c = y) and the behavior manifold through θ (c = f(θ)).
//!
//! Per pixel, the k output channels are bilinearly interpolated together with their
//! gradients J (k × 2, in pixel units); the Gauss–Newton step δ = J⁺r for residuals
//! r = f − c estimates the distance to the set in pixels, exactly for affine fields.
//! Pixels within a band of that distance are painted, provided the step really reaches
//! zero residual: ‖r − Jδ‖ below half a pixel's worth of change along the steepest
//! direction. Points, lines and regions of the set all show this way, at any k.

use super::SOLUTION_COLOR;
use super::axes::Plot;
use super::canvas::{Canvas, Color};
use crate::core::field::Field;

/// Radius (in pixels, at scale `s`) at which the solution set is outlined.
pub fn solution_radius(s: f64) -> f64 {
    6.0 * s
}

/// Radius at which the behavior manifold through θ is outlined.
pub fn manifold_radius(s: f64) -> f64 {
    9.0 * s
}

/// Width of an outline.
pub fn outline_width(s: f64) -> f64 {
    2.0 * s
}

/// Per-pixel distances (in pixels) to the solution set and to the behavior manifold.
pub struct SetBands {
    x0: u32,
    y0: u32,
    width: u32,
    solution: Vec<f32>,
    manifold: Vec<f32>,
}

impl SetBands {
    pub fn compute(plot: &Plot, field: &Field, targets: &[f64], current: &[f64]) -> Self {
        let [na, nb] = field.plane_shape();
        let k = field.n_inputs;
        let (x0, y0, x1, y1) = plot.pixel_bounds();
        let (di_dx, dj_dy) = plot.grid_per_px(na, nb);
        let channels: Vec<&[f32]> = (0..k).map(|c| field.channel(c)).collect();
        let has_targets = targets.len() == k;
        let has_current = current.len() == k;
        let width = x1 - x0;
        let n = (width * (y1 - y0)) as usize;
        let mut solution = vec![f32::INFINITY; n];
        let mut manifold = vec![f32::INFINITY; n];
        let mut f = vec![0.0; k];
        let mut gx = vec![0.0; k];
        let mut gy = vec![0.0; k];
        for py in y0..y1 {
            for px in x0..x1 {
                let (fi, fj) = plot.px_to_grid(f64::from(px) + 0.5, f64::from(py) + 0.5, na, nb);
                let fi = fi.clamp(0.0, (na - 1) as f64);
                let fj = fj.clamp(0.0, (nb - 1) as f64);
                let i = (fi.floor() as usize).min(na - 2);
                let j = (fj.floor() as usize).min(nb - 2);
                let (s, t) = (fi - i as f64, fj - j as f64);
                let mut finite = true;
                for (c, ch) in channels.iter().enumerate() {
                    let v00 = f64::from(ch[j * na + i]);
                    let v10 = f64::from(ch[j * na + i + 1]);
                    let v01 = f64::from(ch[(j + 1) * na + i]);
                    let v11 = f64::from(ch[(j + 1) * na + i + 1]);
                    f[c] =
                        (1.0 - t) * ((1.0 - s) * v00 + s * v10) + t * ((1.0 - s) * v01 + s * v11);
                    // Screen y points down while b points up; the sign does not change distances.
                    gx[c] = ((1.0 - t) * (v10 - v00) + t * (v11 - v01)) * di_dx;
                    gy[c] = ((1.0 - s) * (v01 - v00) + s * (v11 - v10)) * dj_dy;
                    finite &= f[c].is_finite();
                }
                if !finite {
                    continue;
                }
                let idx = ((py - y0) * width + (px - x0)) as usize;
                if has_targets {
                    solution[idx] = gauss_newton_distance(&f, &gx, &gy, targets)
                        .unwrap_or(f64::INFINITY) as f32;
                }
                if has_current {
                    manifold[idx] = gauss_newton_distance(&f, &gx, &gy, current)
                        .unwrap_or(f64::INFINITY) as f32;
                }
            }
        }
        Self {
            x0,
            y0,
            width,
            solution,
            manifold,
        }
    }

    /// Outlines each set at a fixed pixel distance, with a faint fill inside: a point
    /// becomes a ring, a curve a pair of parallel lines, so the contours underneath stay
    /// visible. Each outline has a dark edge for contrast on light colors.
    pub fn draw(&self, canvas: &mut Canvas, s: f64, (solution, manifold): (bool, bool)) {
        let half = 0.5 * outline_width(s);
        let edge = Color::BLACK.alpha(0.55);
        for (layer, color, radius, shown) in [
            (&self.solution, SOLUTION_COLOR, solution_radius(s), solution),
            (&self.manifold, Color::WHITE, manifold_radius(s), manifold),
        ] {
            if !shown {
                continue;
            }
            for (idx, &d) in layer.iter().enumerate() {
                if f64::from(d) >= radius + half + 2.0 || d.is_nan() {
                    continue;
                }
                let d = f64::from(d);
                let x = self.x0 + idx as u32 % self.width;
                let y = self.y0 + idx as u32 / self.width;
                let coverage =
                    |half_width: f64, at: f64| (half_width + 0.5 - (d - at).abs()).clamp(0.0, 1.0);
                canvas.blend_pixel(x, y, color.alpha(0.22), (radius + 0.5 - d).clamp(0.0, 1.0));
                canvas.blend_pixel(x, y, edge, coverage(half + 0.8 * s, radius));
                canvas.blend_pixel(x, y, color, coverage(half, radius));
            }
        }
    }
}

/// Length (in pixels) of the Gauss–Newton step to {f = c} from values `f` with gradients
/// (gx, gy), or `None` if the linearized residual cannot reach zero within about half a
/// pixel. J⁺ drops directions with eigenvalue of `JᵀJ` below 1e−9 of the largest, so a
/// rank-1 J (parallel inputs) measures the distance to a line.
pub fn gauss_newton_distance(f: &[f64], gx: &[f64], gy: &[f64], c: &[f64]) -> Option<f64> {
    let (mut m11, mut m12, mut m22, mut g1, mut g2, mut rr) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    for i in 0..f.len() {
        let r = f[i] - c[i];
        m11 += gx[i] * gx[i];
        m12 += gx[i] * gy[i];
        m22 += gy[i] * gy[i];
        g1 += gx[i] * r;
        g2 += gy[i] * r;
        rr += r * r;
    }
    let half_trace = 0.5 * (m11 + m22);
    let disc = (0.25 * (m11 - m22).powi(2) + m12 * m12).sqrt();
    let (l1, l2) = (half_trace + disc, half_trace - disc);
    if l1.is_nan() || l1 <= 0.0 {
        return None;
    }
    // Unit eigenvector of the largest eigenvalue, and its perpendicular.
    let (e1x, e1y) = if m12.abs() > 1e-300 {
        let (x, y) = (l1 - m22, m12);
        let n = x.hypot(y);
        (x / n, y / n)
    } else if m11 >= m22 {
        (1.0, 0.0)
    } else {
        (0.0, 1.0)
    };
    let (e2x, e2y) = (-e1y, e1x);
    let c1 = (e1x * g1 + e1y * g2) / l1;
    let c2 = if l2 > 1e-9 * l1 {
        (e2x * g1 + e2y * g2) / l2
    } else {
        0.0
    };
    let (dx, dy) = (c1 * e1x + c2 * e2x, c1 * e1y + c2 * e2y);
    // ‖r − Jδ‖² = ‖r‖² − gᵀδ for the least-squares step.
    let remaining = (rr - (g1 * dx + g2 * dy)).max(0.0);
    if remaining.sqrt() > 0.5 * l1.sqrt() {
        return None;
    }
    Some(dx.hypot(dy))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two affine fields with perpendicular gradients: the distance is exact to their
    /// intersection point; parallel gradients give the distance to the common line.
    #[test]
    fn gauss_newton_distance_is_exact_for_affine_fields() {
        // f1 = x, f2 = y at (3, 4), targets (0, 0): distance 5.
        let d = gauss_newton_distance(&[3.0, 4.0], &[1.0, 0.0], &[0.0, 1.0], &[0.0, 0.0]).unwrap();
        assert!((d - 5.0).abs() < 1e-12);
        // f1 = x + y, f2 = 2(x + y) at (1, 2), targets (0, 0): distance to x + y = 0 is 3/√2.
        let d = gauss_newton_distance(&[3.0, 6.0], &[1.0, 2.0], &[1.0, 2.0], &[0.0, 0.0]).unwrap();
        assert!((d - 3.0 / 2f64.sqrt()).abs() < 1e-12);
        // Inconsistent parallel targets: no zero-residual point anywhere.
        assert!(
            gauss_newton_distance(&[3.0, 6.0], &[1.0, 2.0], &[1.0, 2.0], &[0.0, 5.0]).is_none()
        );
    }
}
