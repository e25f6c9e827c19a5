//! Every size limit basinscope enforces, in one place (docs/DESIGN.md §5 "Limits").
//!
//! basinscope is for tiny networks, and a scene file is untrusted input: people download
//! and share them. Each limit is generous for the tool's purpose and small enough that
//! no accepted input can exhaust memory, overflow the stack or run for minutes before
//! anything is shown. Scenes are checked against these when they load (one sentence
//! naming the limit), the CLI checks its arguments against them, and every string a
//! user supplied is shortened and escaped by [`shown`] before it reaches a message, a
//! figure or a window.

use std::ops::RangeInclusive;

use super::error::CoreError;

// ----- networks --------------------------------------------------------------------

/// Most affine layers (hidden layers + the output layer) in a model. Backpropagation and
/// the Hessian recurse through the layers, and every view draws each layer; 64 is far
/// deeper than anything whose geometry one can look at, and keeps the recursion depth
/// of candle's autograd well inside a 2 MiB thread stack.
pub const MAX_LAYERS: usize = 64;
/// Largest width of any layer; the app draws every unit, so beyond this a tiny-network
/// tool stops being useful and a typo (1e9) would exhaust memory.
pub const MAX_WIDTH: usize = 4096;
/// Largest total parameter count N (8 MB of f64; a scene file of about 20 MB).
pub const MAX_PARAMS: usize = 1_000_000;
/// Most training points k.
pub const MAX_POINTS: usize = 100_000;

// ----- analysis --------------------------------------------------------------------

/// Largest N the analysis engine accepts: it builds N×N matrices (exact Hessian and
/// eigendecompositions), 32 MiB at this size.
pub const MAX_ANALYSIS_PARAMS: usize = 2048;
/// Largest N·k (entries of G) the analysis engine accepts.
pub const MAX_ANALYSIS_ENTRIES: usize = 1 << 22;
/// Most steps one manifold walk takes.
pub const MAX_WALK_STEPS: usize = 100_000;

// ----- slices, grids and fields ----------------------------------------------------

/// Largest grid side of a slice along any axis.
pub const MAX_RESOLUTION: usize = 4096;
/// Most grid points of one slice (4096², or 256³ for a 3D grid).
pub const MAX_GRID_POINTS: usize = 1 << 24;
/// Most f32 values one field holds ((k + 1) × grid points; 1 GiB).
pub const MAX_FIELD_VALUES: usize = 1 << 28;
/// Most bytes of GPU memory one ray-marched 3D slice holds: its field buffer ((k + 1) f32
/// per grid point) and the two packed surface textures the ray marcher samples (16 B per
/// grid point, see `draw::volume_memory`). A 256³ volume of up to 27 inputs fits; the
/// largest volume a scene may ask for (512³) with one input needs 3 GiB, more than many
/// GPUs give one picture, and is refused before anything is allocated.
pub const MAX_VOLUME_GPU_BYTES: u64 = 2 << 30;
/// Most first-layer terms (first-layer units × inputs) a field precomputes.
pub const MAX_FIRST_LAYER_TERMS: usize = 1 << 22;
/// Largest |lo| or |hi| of a slice range. Spans beyond this overflow nothing in f64,
/// but every point of such a plane is far outside float32's reach, and wider spans
/// (±1e308) overflow to infinity in the axis and tick arithmetic.
pub const MAX_SLICE_COORDINATE: f64 = 1e12;
/// Smallest span hi − lo of a slice range, relative to max(1, |lo|, |hi|): closer grid
/// points are indistinguishable in float64 and the tick labels would need hundreds of
/// decimals.
pub const MIN_SLICE_SPAN_RELATIVE: f64 = 1e-9;
/// Largest magnitude an axis of a drawn figure shows; data beyond it (network outputs
/// near f64::MAX) are clamped to it, so that spans and paddings stay finite.
pub const MAX_AXIS_MAGNITUDE: f64 = 1e300;

// ----- recorded runs ---------------------------------------------------------------

/// Most θ snapshots a scene's `trajectory` keeps (longer runs are thinned evenly). The
/// PCA axes need only the trajectory's shape, and at the parameter limit of a typical
/// scene (a few hundred θ entries) this is well under a megabyte of JSON.
pub const MAX_TRAJECTORY_POINTS: usize = 512;
/// Most (step, loss) samples a scene's `loss_history` keeps: more than a figure's
/// width in pixels, so the curve looks the same.
pub const MAX_LOSS_HISTORY_POINTS: usize = 4096;

// ----- commands --------------------------------------------------------------------

/// Smallest and largest side of an image `render --size` draws.
pub const IMAGE_SIDE: RangeInclusive<u32> = 64..=8192;
/// Most optimizer steps one `train` call takes.
pub const MAX_STEPS: usize = 100_000_000;
/// Largest step number a scene's recorded `trajectory` or `loss_history` may carry:
/// training continues a saved run's count, so this leaves room for millions of further
/// `train` calls without overflowing a u64 (and stays exact in a JSON double).
pub const MAX_RECORDED_STEP: u64 = 1 << 50;

// ----- files and text --------------------------------------------------------------

/// Largest scene file read (a scene at [`MAX_PARAMS`] is about 20 MB of JSON).
pub const MAX_SCENE_FILE_BYTES: u64 = 64 << 20;
/// Largest tour lesson file read (a lesson is a few paragraphs of Markdown).
pub const MAX_LESSON_BYTES: u64 = 1 << 20;
/// Most lesson files one tour folder may hold.
pub const MAX_LESSONS: usize = 1000;
/// Characters of a user-supplied value (a name, a path, a bad argument) quoted in a
/// message.
pub const MAX_SHOWN_CHARS: usize = 80;
/// Characters of a figure title, the status line's scene name or a window title taken
/// from a scene.
pub const MAX_TITLE_CHARS: usize = 120;
/// Characters of any one text drawn in a figure (titles, labels, legend entries).
pub const MAX_FIGURE_TEXT_CHARS: usize = 400;
/// Characters of a scene's description shown in the app's panel.
pub const MAX_DESCRIPTION_CHARS: usize = 600;
/// Characters of one error line printed by the CLI (the whole chain of causes).
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// `text` made safe to show: control characters (newlines, tabs, escapes) written as
/// escapes (`\n`, `\u{1b}`), so a value cannot forge lines or terminal sequences, and
/// cut to `max_chars` characters with an ellipsis.
pub fn shown(text: &str, max_chars: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    for c in text.chars() {
        let piece: String = if c.is_control() {
            c.escape_default().collect()
        } else {
            c.to_string()
        };
        let len = piece.chars().count();
        if count + len > max_chars {
            out.push('…');
            return out;
        }
        out.push_str(&piece);
        count += len;
    }
    out
}

/// [`shown`] with [`MAX_SHOWN_CHARS`]: a user value quoted in a message.
pub fn quote(text: &str) -> String {
    shown(text, MAX_SHOWN_CHARS)
}

/// Checks a grid's shape: every side in 1..=[`MAX_RESOLUTION`] and at most
/// [`MAX_GRID_POINTS`] points in all; `what` names the grid in the sentence
/// (for example `view.slice.resolution`).
pub fn check_grid(what: &str, shape: &[usize]) -> Result<(), CoreError> {
    if let Some(&r) = shape.iter().find(|&&r| !(1..=MAX_RESOLUTION).contains(&r)) {
        return Err(CoreError::invalid(format!(
            "{what} entries must be between 1 and {MAX_RESOLUTION}, not {r}"
        )));
    }
    let points = shape
        .iter()
        .try_fold(1usize, |acc, &r| acc.checked_mul(r))
        .unwrap_or(usize::MAX);
    if points > MAX_GRID_POINTS {
        return Err(CoreError::invalid(format!(
            "{what} {shape:?} has {points} grid points, more than the limit of {MAX_GRID_POINTS}"
        )));
    }
    Ok(())
}

/// Checks a range [lo, hi] of slice coordinates: finite, lo < hi, within
/// ±[`MAX_SLICE_COORDINATE`], and not narrower than [`MIN_SLICE_SPAN_RELATIVE`] allows;
/// `what` names it (for example `view.slice.a_range`).
pub fn check_slice_range(what: &str, [lo, hi]: [f64; 2]) -> Result<(), CoreError> {
    if !(lo.is_finite() && hi.is_finite() && lo < hi) {
        return Err(CoreError::invalid(format!(
            "{what} must be two finite numbers [lo, hi] with lo < hi"
        )));
    }
    if lo.abs() > MAX_SLICE_COORDINATE || hi.abs() > MAX_SLICE_COORDINATE {
        return Err(CoreError::invalid(format!(
            "{what} [{lo:e}, {hi:e}] reaches beyond ±{MAX_SLICE_COORDINATE:e}, the limit of a slice coordinate"
        )));
    }
    let scale = lo.abs().max(hi.abs()).max(1.0);
    if hi - lo < MIN_SLICE_SPAN_RELATIVE * scale {
        return Err(CoreError::invalid(format!(
            "{what} [{lo:e}, {hi:e}] is narrower than {MIN_SLICE_SPAN_RELATIVE:e} × max(1, |lo|, |hi|), too narrow to resolve"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shown_escapes_control_characters_and_cuts_with_an_ellipsis() {
        assert_eq!(shown("plain", 10), "plain");
        assert_eq!(shown("a\nerror: fake", 80), "a\\nerror: fake");
        assert_eq!(shown("\u{1b}[31mred", 80), "\\u{1b}[31mred");
        let long = "x".repeat(1_000_000);
        let s = shown(&long, 80);
        assert_eq!(s.chars().count(), 81);
        assert!(s.ends_with('…'));
        // Cutting never splits a character or an escape.
        assert_eq!(shown("ααα\n", 4), "ααα…");
        assert_eq!(shown("éé", 2), "éé");
    }

    #[test]
    fn grids_are_bounded_per_axis_and_in_total() {
        check_grid("g", &[4096, 4096]).unwrap();
        check_grid("g", &[256, 256, 256]).unwrap();
        assert!(
            check_grid("g", &[4097, 2])
                .unwrap_err()
                .to_string()
                .contains("4096")
        );
        assert!(check_grid("g", &[0, 2]).is_err());
        let e = check_grid("g", &[4096, 4096, 2]).unwrap_err().to_string();
        assert!(e.contains("more than the limit"), "{e}");
        assert!(check_grid("g", &[usize::MAX, usize::MAX]).is_err());
    }

    #[test]
    fn slice_ranges_must_be_finite_bounded_and_resolvable() {
        check_slice_range("r", [-2.0, 2.0]).unwrap();
        check_slice_range("r", [-1e12, 1e12]).unwrap();
        for bad in [
            [-1e308, 1e308],
            [1.0, 1.0],
            [2.0, 1.0],
            [f64::NAN, 1.0],
            [0.0, 1e-12],
            [1e6, 1e6 + 1e-6],
        ] {
            assert!(check_slice_range("r", bad).is_err(), "{bad:?}");
        }
    }
}
