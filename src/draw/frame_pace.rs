//! The picture scale of the 3D views while the camera moves on a software rasterizer,
//! adapted to the measured frame time so that rotating holds a frame rate: a frame costs
//! the rest of the window plus the ray-marched picture, whose cost grows with its pixels
//! (∝ scale²); the pace fits both and picks the scale that meets a target time.

/// The frame time the moving picture aims at: 12.5 frames per second, so that it holds
/// at least 10 with the blit and the rest of the frame on top.
pub const TARGET_FRAME_MS: f64 = 80.0;
/// Smallest picture scale (below it the picture is a few dozen pixels across).
pub const MIN_SCALE: f32 = 0.05;
/// Largest picture scale while moving (full resolution).
pub const MAX_SCALE: f32 = 1.0;

/// Share of a frame the picture may take when the rest of the frame alone misses the
/// target: shrinking the picture further would make it unreadable and gain little.
pub const PICTURE_SHARE_WHEN_BOUND: f64 = 0.15;
/// How many recent frames the fit of the frame-time model uses.
const HISTORY: usize = 12;

/// The moving-picture scale, adapted frame by frame.
///
/// A frame costs `fixed + per_pixel · scale²`: the rest of the window plus the picture.
/// From the recent frames the pace fits both terms (least squares in scale²), and aims
/// at the scale whose frame meets the target; when the fixed part alone misses it (a
/// software rasterizer drawing a large window), shrinking cannot reach the target, so it
/// aims at the scale where the picture takes [`PICTURE_SHARE_WHEN_BOUND`] of the frame.
/// Until the frames have spanned two scales it moves by √(target / measured), the rule
/// for a picture that is the whole cost.
#[derive(Clone, Debug, PartialEq)]
pub struct FramePace {
    scale: f32,
    /// Recent (scale², frame ms), oldest first.
    history: Vec<(f64, f64)>,
    /// The last fit (fixed ms, ms per unit of scale²), kept while the recent frames all
    /// share one scale (as they do once the pace has settled).
    model: Option<(f64, f64)>,
}

impl FramePace {
    /// Starts at `scale` (clamped to [`MIN_SCALE`], [`MAX_SCALE`]).
    pub fn new(scale: f32) -> Self {
        Self {
            scale: scale.clamp(MIN_SCALE, MAX_SCALE),
            history: Vec::with_capacity(HISTORY),
            model: None,
        }
    }

    /// The scale the next moving frame uses.
    pub fn scale(&self) -> f32 {
        self.scale
    }

    /// Takes the time of a frame drawn at [`Self::scale`] and moves the scale toward the
    /// one the model above aims at, damped (half the step in log scale) and at most a
    /// factor of 2 per frame, so that one slow frame (a field arriving, a shader compile)
    /// does not collapse the picture. Times that are not positive and finite are ignored.
    pub fn observe(&mut self, frame_ms: f64, target_ms: f64) {
        if !(frame_ms.is_finite() && frame_ms > 0.0 && target_ms > 0.0) {
            return;
        }
        let x = f64::from(self.scale).powi(2);
        // A model that no longer predicts the frames (the window or the view changed) is
        // dropped with the frames it came from; the pace explores again.
        if let Some((fixed, per_pixel)) = self.model {
            let ratio = frame_ms / (fixed + per_pixel * x).max(1e-9);
            if !(0.5..=2.0).contains(&ratio) {
                self.model = None;
                self.history.clear();
            }
        }
        if self.history.len() == HISTORY {
            self.history.remove(0);
        }
        self.history.push((x, frame_ms));
        if let Some(fit) = self.fit() {
            self.model = Some(fit);
        }
        let aim = match self.model {
            Some((fixed, per_pixel)) if per_pixel > 0.0 => {
                let budget = if fixed < target_ms * (1.0 - PICTURE_SHARE_WHEN_BOUND) {
                    target_ms - fixed
                } else {
                    fixed * PICTURE_SHARE_WHEN_BOUND
                };
                (budget / per_pixel).sqrt()
            }
            // The picture costs nothing measurable: full resolution.
            Some(_) => f64::from(MAX_SCALE),
            None => f64::from(self.scale) * (target_ms / frame_ms).sqrt(),
        };
        let step = (aim / f64::from(self.scale)).sqrt().clamp(0.5, 2.0) as f32;
        self.scale = (self.scale * step).clamp(MIN_SCALE, MAX_SCALE);
    }

    /// Least-squares fit of frame ms = fixed + per_pixel · scale² over the history, once
    /// its scales differ by at least 20% in area; `fixed` is kept ≥ 0.
    fn fit(&self) -> Option<(f64, f64)> {
        let (lo, hi) = self
            .history
            .iter()
            .fold((f64::INFINITY, 0.0f64), |(lo, hi), &(x, _)| {
                (lo.min(x), hi.max(x))
            });
        if self.history.len() < 3 || hi < lo * 1.2 {
            return None;
        }
        let n = self.history.len() as f64;
        let mx = self.history.iter().map(|p| p.0).sum::<f64>() / n;
        let my = self.history.iter().map(|p| p.1).sum::<f64>() / n;
        let sxx: f64 = self.history.iter().map(|p| (p.0 - mx).powi(2)).sum();
        let sxy: f64 = self.history.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
        let per_pixel = sxy / sxx;
        let fixed = (my - per_pixel * mx).max(0.0);
        (per_pixel.is_finite() && fixed.is_finite()).then_some((fixed, per_pixel))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frame whose time is fixed cost plus cost per pixel (∝ scale²).
    fn frame_ms(scale: f32, fixed: f64, full: f64) -> f64 {
        fixed + full * f64::from(scale) * f64::from(scale)
    }

    #[test]
    fn pace_settles_at_the_scale_whose_frame_meets_the_target() {
        // Full resolution costs 5 s; the target 80 ms; closed form: scale = √(0.08 / 5).
        let mut pace = FramePace::new(0.2);
        for _ in 0..40 {
            let t = frame_ms(pace.scale(), 0.0, 5000.0);
            pace.observe(t, TARGET_FRAME_MS);
        }
        let expected = (TARGET_FRAME_MS / 5000.0).sqrt() as f32;
        assert!(
            (pace.scale() - expected).abs() < 1e-3 * expected,
            "{} vs {expected}",
            pace.scale()
        );
        // With a fixed cost on top the frame time still converges to the target.
        let mut pace = FramePace::new(1.0);
        for _ in 0..60 {
            let t = frame_ms(pace.scale(), 20.0, 2000.0);
            pace.observe(t, TARGET_FRAME_MS);
        }
        let t = frame_ms(pace.scale(), 20.0, 2000.0);
        assert!((t - TARGET_FRAME_MS).abs() < 1.0, "settled at {t} ms");
    }

    /// When the rest of the frame alone misses the target (egui's whole window on a
    /// software rasterizer), shrinking the picture cannot meet it: the pace settles where
    /// the picture takes its share of the frame, not at the floor.
    #[test]
    fn pace_keeps_a_readable_picture_when_the_rest_of_the_frame_misses_the_target() {
        let (fixed, full) = (100.0, 300.0);
        let mut pace = FramePace::new(0.2);
        for _ in 0..60 {
            let t = frame_ms(pace.scale(), fixed, full);
            pace.observe(t, TARGET_FRAME_MS);
        }
        let expected = (PICTURE_SHARE_WHEN_BOUND * fixed / full).sqrt() as f32;
        assert!(
            (pace.scale() - expected).abs() < 0.02 * expected,
            "{} vs {expected}",
            pace.scale()
        );
        assert!(pace.scale() > 4.0 * MIN_SCALE);
    }

    #[test]
    fn pace_stays_within_its_bounds_and_ignores_bad_times() {
        // Frames whose time is all picture, absurdly slow: one frame halves the scale at
        // most, and the scale ends at the floor.
        let mut pace = FramePace::new(0.5);
        pace.observe(frame_ms(0.5, 0.0, 1e9), TARGET_FRAME_MS);
        assert!((pace.scale() - 0.25).abs() < 1e-6);
        for _ in 0..100 {
            pace.observe(frame_ms(pace.scale(), 0.0, 1e9), TARGET_FRAME_MS);
        }
        assert!((pace.scale() - MIN_SCALE).abs() < 1e-7);
        // Frames that cost nothing: full resolution.
        for _ in 0..100 {
            pace.observe(frame_ms(pace.scale(), 0.0, 1e-3), TARGET_FRAME_MS);
        }
        assert!((pace.scale() - MAX_SCALE).abs() < 1e-7);
        for bad in [f64::NAN, f64::INFINITY, 0.0, -5.0] {
            pace.observe(bad, TARGET_FRAME_MS);
            assert!((pace.scale() - MAX_SCALE).abs() < 1e-7);
        }
        // A slow frame whatever the scale: the picture is not the cost, so it is not shrunk.
        let mut pace = FramePace::new(0.5);
        for _ in 0..30 {
            pace.observe(frame_ms(pace.scale(), 1e9, 0.0) * 1.0, TARGET_FRAME_MS);
        }
        assert!(pace.scale() >= 0.25, "{}", pace.scale());
    }
}
