//! How much GPU memory a ray-marched 3D slice holds, checked before any of it is
//! allocated: the field buffer ((k + 1) channels of f32 per grid point) and the two
//! packed surface textures the ray marcher samples (f − level of up to four surfaces per
//! [`PACKED_FORMAT`](super::volume_pass::PACKED_FORMAT) texel, one texel of each per grid point). The field alone is bounded
//! by [`crate::core::limits::MAX_FIELD_VALUES`]; the textures add 16 B per grid point on
//! top, more than the field of a volume of few inputs. `basinscope render --view slice3d`
//! and the app's Export refuse a volume over [`MAX_VOLUME_GPU_BYTES`] or wider than the
//! adapter's largest 3D texture ([`check_volume`]); the app's 3D view lowers its grid to
//! fit instead ([`fit_volume`]) and says so.
//!
//! The terrain packs no textures of its grid's size (its marcher reads the field buffer),
//! so only the field's own limits apply to it.

use crate::core::error::CoreError;
pub use crate::core::limits::MAX_VOLUME_GPU_BYTES;

/// Packed surface textures per volume: surfaces 0..3 and 4..7.
pub const PACKED_TEXTURES: u64 = 2;

/// Bytes of one [`PACKED_FORMAT`](super::volume_pass::PACKED_FORMAT) texel (rgba16float: four half floats).
pub const PACKED_TEXEL_BYTES: u64 = 8;

/// The GPU memory of one ray-marched volume, by part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VolumeBytes {
    /// The field buffer: (k + 1) · points · 4.
    pub field: u128,
    /// The packed surface textures: [`PACKED_TEXTURES`] · points · [`PACKED_TEXEL_BYTES`].
    pub textures: u128,
}

impl VolumeBytes {
    /// The bytes of a volume on grid `shape` [na, nb, nc] with `n_inputs` inputs.
    pub fn of(shape: [usize; 3], n_inputs: usize) -> Self {
        let points = shape
            .iter()
            .fold(1u128, |acc, &s| acc.saturating_mul(s as u128));
        Self {
            field: points.saturating_mul(4 * (n_inputs as u128 + 1)),
            textures: points.saturating_mul(u128::from(PACKED_TEXTURES * PACKED_TEXEL_BYTES)),
        }
    }

    /// Field and textures of one grid point with `n_inputs` inputs.
    pub fn per_point(n_inputs: usize) -> u128 {
        4 * (n_inputs as u128 + 1) + u128::from(PACKED_TEXTURES * PACKED_TEXEL_BYTES)
    }

    /// Field and textures together.
    pub fn total(&self) -> u128 {
        self.field.saturating_add(self.textures)
    }
}

/// Bytes in words: GiB with two decimals from 1 GiB on, else whole MiB (KiB below that).
pub fn bytes_in_words(bytes: u128) -> String {
    let b = bytes as f64;
    if bytes >= 1 << 30 {
        format!("{:.2} GiB", b / f64::from(1u32 << 30))
    } else if bytes >= 1 << 20 {
        format!("{:.0} MiB", b / f64::from(1u32 << 20))
    } else {
        format!("{:.0} KiB", b / 1024.0)
    }
}

/// Refuses, in one sentence naming the size and the limit, a volume on `shape` with
/// `n_inputs` inputs whose field buffer and packed textures together exceed
/// [`MAX_VOLUME_GPU_BYTES`], or (given the adapter's `max_texture_dimension_3d`) a side
/// longer than the adapter's largest 3D texture.
pub fn check_volume(
    shape: [usize; 3],
    n_inputs: usize,
    max_texture_side: Option<u32>,
) -> Result<(), CoreError> {
    let [na, nb, nc] = shape;
    let bytes = VolumeBytes::of(shape, n_inputs);
    if bytes.total() > u128::from(MAX_VOLUME_GPU_BYTES) {
        return Err(CoreError::invalid(format!(
            "the {na}×{nb}×{nc} volume with {n_inputs} input{} needs {} of GPU memory (a {} field buffer and {} of packed surface textures), more than the limit of {}; lower view.slice3d.resolution",
            if n_inputs == 1 { "" } else { "s" },
            bytes_in_words(bytes.total()),
            bytes_in_words(bytes.field),
            bytes_in_words(bytes.textures),
            bytes_in_words(u128::from(MAX_VOLUME_GPU_BYTES)),
        )));
    }
    if let Some(max) = max_texture_side
        && let Some(&side) = shape.iter().find(|&&s| s as u64 > u64::from(max))
    {
        return Err(CoreError::invalid(format!(
            "the {na}×{nb}×{nc} volume has a side of {side} grid points, more than this GPU's largest 3D texture side of {max}; lower view.slice3d.resolution"
        )));
    }
    Ok(())
}

/// `shape` lowered until [`check_volume`] accepts it: each side cut to `max_texture_side`,
/// then all sides scaled evenly (to no less than 2) so that the field and textures fit
/// [`MAX_VOLUME_GPU_BYTES`]. An accepted shape is returned as it is.
pub fn fit_volume(shape: [usize; 3], n_inputs: usize, max_texture_side: u32) -> [usize; 3] {
    let max_side = (max_texture_side as usize).max(2);
    let capped = shape.map(|s| s.min(max_side));
    let fitted = fit_points(
        &capped,
        VolumeBytes::per_point(n_inputs),
        u128::from(MAX_VOLUME_GPU_BYTES),
    );
    [fitted[0], fitted[1], fitted[2]]
}

/// `shape` scaled down evenly (to no less than 2 per axis) so that its points times
/// `bytes_per_point` is at most `limit`; a shape within the limit is returned as it is.
pub fn fit_points(shape: &[usize], bytes_per_point: u128, limit: u128) -> Vec<usize> {
    let bytes = |s: &[usize]| {
        s.iter()
            .fold(bytes_per_point, |acc, &n| acc.saturating_mul(n as u128))
    };
    if bytes(shape) <= limit {
        return shape.to_vec();
    }
    let factor = (limit as f64 / bytes(shape) as f64).powf(1.0 / shape.len().max(1) as f64);
    let mut out: Vec<usize> = shape
        .iter()
        .map(|&s| ((s as f64 * factor).floor() as usize).max(2))
        .collect();
    // Rounding may leave it a point over: shrink the longest side until it fits.
    while bytes(&out) > limit {
        let Some(i) = (0..out.len())
            .filter(|&i| out[i] > 2)
            .max_by_key(|&i| out[i])
        else {
            break;
        };
        out[i] -= 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draw::volume_pass::PACKED_FORMAT;

    #[test]
    fn the_texel_size_is_the_packed_formats() {
        assert_eq!(
            PACKED_FORMAT.block_copy_size(None),
            Some(PACKED_TEXEL_BYTES as u32)
        );
    }

    /// 512 × 512 × 300 points with k = 2: the field is 3 channels of 4 bytes (900 MiB,
    /// within the field limit of 2²⁸ values), the textures 2 × 8 bytes per point
    /// (1.17 GiB), 2.05 GiB together: refused, with the size and the limit in the
    /// sentence.
    #[test]
    fn volume_bytes_are_the_field_and_two_half_float_rgba_textures_per_point() {
        let shape = [512, 512, 300];
        let points: u128 = 512 * 512 * 300;
        let bytes = VolumeBytes::of(shape, 2);
        assert_eq!(bytes.field, points * 3 * 4);
        assert_eq!(bytes.textures, points * 2 * 8);
        assert_eq!(bytes.total(), points * 28);
        assert!(points * 3 <= crate::core::limits::MAX_FIELD_VALUES as u128);
        let e = check_volume(shape, 2, None).unwrap_err().to_string();
        assert!(
            e.contains("512×512×300")
                && e.contains("2.05 GiB")
                && e.contains("limit of 2.00 GiB")
                && e.contains("900 MiB")
                && e.contains("1.17 GiB"),
            "{e}"
        );
        let one = check_volume([512; 3], 1, None).unwrap_err().to_string();
        assert!(one.contains("with 1 input needs 3.00 GiB"), "{one}");
        // The default volume is far inside the limit.
        check_volume([64; 3], 2, Some(256)).unwrap();
        // Saturating, not overflowing, on absurd shapes.
        assert!(check_volume([usize::MAX; 3], usize::MAX, None).is_err());
    }

    #[test]
    fn a_side_beyond_the_adapters_3d_texture_is_refused() {
        let e = check_volume([300, 64, 64], 1, Some(256))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("side of 300") && e.contains("3D texture side of 256"),
            "{e}"
        );
        check_volume([256, 64, 64], 1, Some(256)).unwrap();
    }

    /// A fitted shape passes the check, is as close to the limit as even scaling allows,
    /// and an accepted shape is kept.
    #[test]
    fn fitted_volumes_pass_the_check_and_keep_accepted_shapes() {
        assert_eq!(fit_volume([64; 3], 4, 2048), [64; 3]);
        assert_eq!(fit_volume([512, 64, 64], 1, 256), [256, 64, 64]);
        let fitted = fit_volume([512; 3], 1, 2048);
        check_volume(fitted, 1, Some(2048)).unwrap();
        // (2³¹ / 24 B)^(1/3) ≈ 447.5 points per side.
        assert_eq!(fitted, [447; 3]);
        assert!(
            VolumeBytes::of([448; 3], 1).total() > u128::from(MAX_VOLUME_GPU_BYTES),
            "one more point per side would not fit"
        );
        // An absurd input count bottoms out at 2 per side.
        assert_eq!(fit_volume([512; 3], usize::MAX / 8, 2048), [2; 3]);
    }
}
