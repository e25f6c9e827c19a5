//! The picture scale of the 3D views while the camera moves on a software rasterizer,
//! adapted to the measured times so that rotating holds a frame rate. A frame is the rest
//! of the window plus the ray-marched picture, and the picture costs ∝ pixels ∝ scale².
//! The picture's own time is measured apart from the frame's, so its share is known
//! without fitting a model to noisy frame times: the picture gets what the rest of the
//! window leaves of the target, but never less than [`MIN_PICTURE_MS`] (when the rest
//! alone misses the target, shrinking the picture no longer buys frame rate, only blur).

/// The frame time the moving picture aims at: 12.5 frames per second, so that it holds
/// at least 10 with the rest of the frame varying on top.
pub const TARGET_FRAME_MS: f64 = 80.0;
/// The picture's time is never cut below this to meet the target.
pub const MIN_PICTURE_MS: f64 = 15.0;
/// Smallest picture scale (below it the picture is a few dozen pixels across).
pub const MIN_SCALE: f32 = 0.05;
/// Largest picture scale while moving (full resolution).
pub const MAX_SCALE: f32 = 1.0;

/// The moving-picture scale, adapted frame by frame.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FramePace {
    scale: f32,
}

impl FramePace {
    /// Starts at `scale` (clamped to [`MIN_SCALE`], [`MAX_SCALE`]).
    pub fn new(scale: f32) -> Self {
        Self {
            scale: scale.clamp(MIN_SCALE, MAX_SCALE),
        }
    }

    /// The scale the next moving frame uses.
    pub fn scale(&self) -> f32 {
        self.scale
    }

    /// Takes the time of a frame drawn at [`Self::scale`] and, within it, the picture's
    /// own time, and moves the scale toward the one whose picture takes the budget: what
    /// the rest of the frame leaves of `target_ms`, at least [`MIN_PICTURE_MS`]. The step
    /// is the square root of budget / picture (pixels ∝ scale²), damped (half the step in
    /// log scale) and at most a factor of 2 per frame, so that one slow frame (a field
    /// arriving, a shader compile) does not collapse the picture. When the picture is
    /// the whole frame (`picture_ms` = `frame_ms`) the budget is the target. Times that
    /// are not positive and finite are ignored.
    pub fn observe(&mut self, frame_ms: f64, picture_ms: f64, target_ms: f64) {
        let valid = |t: f64| t.is_finite() && t > 0.0;
        if !(valid(frame_ms) && valid(picture_ms) && valid(target_ms)) {
            return;
        }
        let rest = (frame_ms - picture_ms).max(0.0);
        let budget = (target_ms - rest).max(MIN_PICTURE_MS.min(target_ms));
        let ideal = (budget / picture_ms).sqrt();
        let damped = ideal.sqrt().clamp(0.5, 2.0) as f32;
        self.scale = (self.scale * damped).clamp(MIN_SCALE, MAX_SCALE);
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
            pace.observe(t, t, TARGET_FRAME_MS);
        }
        let expected = (TARGET_FRAME_MS / 5000.0).sqrt() as f32;
        assert!(
            (pace.scale() - expected).abs() < 1e-3 * expected,
            "{} vs {expected}",
            pace.scale()
        );
        // With the rest of the window on top, measured apart, the frame meets the target:
        // closed form scale = √((80 − 20) / 2000).
        let mut pace = FramePace::new(1.0);
        for _ in 0..60 {
            let picture = frame_ms(pace.scale(), 0.0, 2000.0);
            pace.observe(20.0 + picture, picture, TARGET_FRAME_MS);
        }
        let expected = ((TARGET_FRAME_MS - 20.0) / 2000.0).sqrt() as f32;
        assert!(
            (pace.scale() - expected).abs() < 1e-3 * expected,
            "{} vs {expected}",
            pace.scale()
        );
    }

    /// When the rest of the window alone takes the target or more, shrinking the picture
    /// cannot meet it: the picture keeps its minimum time instead of collapsing to the
    /// smallest scale, whatever the rest's noise.
    #[test]
    fn pace_keeps_the_pictures_minimum_time_when_the_window_alone_misses_the_target() {
        let full = 2000.0;
        let expected = (MIN_PICTURE_MS / full).sqrt() as f32;
        for rest in [80.0, 95.0, 140.0] {
            let mut pace = FramePace::new(0.2);
            for i in 0..80 {
                let picture = frame_ms(pace.scale(), 0.0, full);
                // The rest varies by ±10 ms from frame to frame.
                let noise = if i % 2 == 0 { 10.0 } else { -10.0 };
                pace.observe(rest + noise + picture, picture, TARGET_FRAME_MS);
            }
            assert!(
                (pace.scale() - expected).abs() < 1e-3 * expected,
                "rest {rest} ms: scale {} vs {expected}",
                pace.scale()
            );
        }
    }

    /// With a noisy rest that leaves room, the picture takes about the mean budget: the
    /// rest alternating 20 and 40 ms leaves 60 or 40 ms, so the scale stays within 15%
    /// of √(50 / full).
    #[test]
    fn pace_follows_the_mean_budget_under_a_noisy_rest() {
        let full = 2000.0;
        let expected = ((TARGET_FRAME_MS - 30.0) / full).sqrt() as f32;
        let mut pace = FramePace::new(0.05);
        for i in 0..200 {
            let picture = frame_ms(pace.scale(), 0.0, full);
            let rest = if i % 2 == 0 { 20.0 } else { 40.0 };
            pace.observe(rest + picture, picture, TARGET_FRAME_MS);
            if i > 100 {
                assert!(
                    (pace.scale() / expected - 1.0).abs() < 0.15,
                    "frame {i}: scale {} vs {expected}",
                    pace.scale()
                );
            }
        }
    }

    #[test]
    fn pace_stays_within_its_bounds_and_ignores_bad_times() {
        let mut pace = FramePace::new(0.5);
        // One absurdly slow frame halves the scale at most.
        pace.observe(1e9, 1e9, TARGET_FRAME_MS);
        assert!((pace.scale() - 0.25).abs() < 1e-6);
        for _ in 0..100 {
            pace.observe(1e9, 1e9, TARGET_FRAME_MS);
        }
        assert!((pace.scale() - MIN_SCALE).abs() < 1e-7);
        for _ in 0..100 {
            pace.observe(1e-3, 1e-3, TARGET_FRAME_MS);
        }
        assert!((pace.scale() - MAX_SCALE).abs() < 1e-7);
        for bad in [f64::NAN, f64::INFINITY, 0.0, -5.0] {
            for (frame, picture) in [(bad, 10.0), (100.0, bad), (bad, bad)] {
                let mut pace = FramePace::new(0.5);
                pace.observe(frame, picture, TARGET_FRAME_MS);
                assert!(
                    (pace.scale() - 0.5).abs() < 1e-7,
                    "frame {frame} ms, picture {picture} ms moved the scale"
                );
            }
        }
    }
}
