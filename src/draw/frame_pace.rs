//! The picture scale of the 3D views while the camera moves on a software rasterizer,
//! adapted to the measured frame time so that rotating holds a frame rate: a ray-marched
//! frame costs about (pixels) ∝ scale², so the scale that meets a target time is the
//! current one times √(target / measured).

/// The frame time the moving picture aims at: 12.5 frames per second, so that it holds
/// at least 10 with the blit and the rest of the frame on top.
pub const TARGET_FRAME_MS: f64 = 80.0;
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

    /// Takes the time of a frame drawn at [`Self::scale`] and moves the scale toward the
    /// one that meets `target_ms`: by the square root of the ratio (pixels ∝ scale²),
    /// damped (half the step in log scale) and at most a factor of 2 per frame, so that one
    /// slow frame (a field arriving, a shader compile) does not collapse the picture.
    /// Times that are not positive and finite are ignored.
    pub fn observe(&mut self, frame_ms: f64, target_ms: f64) {
        if !(frame_ms.is_finite() && frame_ms > 0.0 && target_ms > 0.0) {
            return;
        }
        let ideal = (target_ms / frame_ms).sqrt();
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

    #[test]
    fn pace_stays_within_its_bounds_and_ignores_bad_times() {
        let mut pace = FramePace::new(0.5);
        // One absurdly slow frame halves the scale at most.
        pace.observe(1e9, TARGET_FRAME_MS);
        assert!((pace.scale() - 0.25).abs() < 1e-6);
        for _ in 0..100 {
            pace.observe(1e9, TARGET_FRAME_MS);
        }
        assert!((pace.scale() - MIN_SCALE).abs() < 1e-7);
        for _ in 0..100 {
            pace.observe(1e-3, TARGET_FRAME_MS);
        }
        assert!((pace.scale() - MAX_SCALE).abs() < 1e-7);
        for bad in [f64::NAN, f64::INFINITY, 0.0, -5.0] {
            pace.observe(bad, TARGET_FRAME_MS);
            assert!((pace.scale() - MAX_SCALE).abs() < 1e-7);
        }
    }
}
