//! What the 3D pictures show, from a scene's settings: the surfaces and their colors, the
//! clipped box, θ and the path in world coordinates. The app and `basinscope render`
//! build their [`VolumeScene`] here, so both draw the same picture of the same scene.

use crate::core::camera::OrbitCamera;
use crate::core::field::Field;
use crate::core::slice3d::{MAX_SURFACES, Slice3dSpec};

use super::style::input_rgb_f32;
use super::volume_pass::{
    PictureMode, SurfaceStyle, VolumeScene, VolumeStyle, clip_box, lipschitz_bound, marker_in_box,
    to_world,
};

/// The data a 3D picture needs about the model at θ.
#[derive(Clone, Copy, Debug)]
pub struct Outputs<'a> {
    /// y_i.
    pub targets: &'a [f64],
    /// f(x_i; θ).
    pub current: &'a [f64],
}

/// The 3D slice picture of `field` (a 3D field): the selected inputs' surfaces at each
/// level, the clipped box, θ at slice coordinates `theta_abc`, and the path (slice
/// coordinates, is the walk).
pub fn slice3d_scene(
    spec: &Slice3dSpec,
    camera: OrbitCamera,
    outputs: Outputs<'_>,
    ranges: [[f64; 2]; 3],
    field: &Field,
    theta_abc: [f64; 3],
    path: &[([f64; 3], bool)],
) -> VolumeScene {
    let k = outputs.targets.len();
    let shape = [
        field.shape[0],
        field.shape.get(1).copied().unwrap_or(1),
        field.shape.get(2).copied().unwrap_or(1),
    ];
    let mut surfaces = Vec::new();
    for i in spec
        .selected_inputs(k)
        .into_iter()
        .filter(|&i| i < field.n_inputs)
    {
        let lipschitz = lipschitz_bound(field.channel(i), shape);
        let base = if spec.through_theta {
            outputs.current[i]
        } else {
            outputs.targets[i]
        };
        for m in &spec.levels {
            surfaces.push(SurfaceStyle {
                channel: i as u32,
                level: (base + m) as f32,
                color: input_rgb_f32(i),
                lipschitz,
            });
        }
    }
    surfaces.truncate(MAX_SURFACES);
    VolumeScene {
        camera,
        mode: PictureMode::Volume,
        shape,
        n_inputs: k,
        surfaces,
        clip_box: clip_box(&spec.clip, ranges),
        marker: marker_in_box(to_world(theta_abc, ranges)),
        path: path
            .iter()
            .map(|(p, walk)| (to_world(*p, ranges), *walk))
            .collect(),
        style: VolumeStyle::default(),
    }
}

/// The terrain picture over a 2D field: height from `loss` values (log₁₀ when `log`),
/// every input's solution contour (up to [`MAX_SURFACES`]) draped on it, θ at slice
/// coordinates `theta_ab` with loss `theta_loss`, and the path (slice coordinates).
#[allow(clippy::too_many_arguments)]
pub fn terrain_scene(
    camera: OrbitCamera,
    log: bool,
    loss: &[f32],
    targets: &[f64],
    ranges: [[f64; 2]; 2],
    shape: [usize; 2],
    theta_ab: ([f64; 2], f64),
    path: &[([f64; 2], bool)],
) -> VolumeScene {
    let value_range = height_range(loss, log);
    let height = |l: f64| -> f64 {
        let v = if log { l.max(1e-30).log10() } else { l };
        let [lo, hi] = value_range.map(f64::from);
        -1.0 + 2.0 * ((v - lo) / (hi - lo).max(1e-12)).clamp(0.0, 1.0)
    };
    let box_ranges = [ranges[0], ranges[1], [-1.0, 1.0]];
    let (ab, theta_loss) = theta_ab;
    let surfaces = (0..targets.len().min(MAX_SURFACES))
        .map(|i| SurfaceStyle {
            channel: i as u32,
            level: targets[i] as f32,
            color: input_rgb_f32(i),
            lipschitz: 0.0,
        })
        .collect();
    let heights: Vec<f32> = loss.iter().map(|&l| height(f64::from(l)) as f32).collect();
    let lipschitz = lipschitz_bound(&heights, [shape[0], shape[1], 1]);
    VolumeScene {
        camera,
        mode: PictureMode::Terrain {
            value_range,
            log,
            lipschitz,
        },
        shape: [shape[0], shape[1], 1],
        n_inputs: targets.len(),
        surfaces,
        clip_box: [[-1.0; 3], [1.0; 3]],
        marker: marker_in_box(to_world([ab[0], ab[1], height(theta_loss)], box_ranges)),
        path: path
            .iter()
            .map(|(p, walk)| (to_world([p[0], p[1], 0.0], box_ranges), *walk))
            .collect(),
        style: VolumeStyle::default(),
    }
}

/// [lo, hi] of the height values (log₁₀ of the loss when `log`) over the finite ones; a
/// flat field gets a unit range around its value.
pub fn height_range(loss: &[f32], log: bool) -> [f32; 2] {
    let values = loss
        .iter()
        .filter(|v| v.is_finite())
        .map(|&v| if log { v.max(1e-30).log10() } else { v });
    let (lo, hi) = values.fold((f32::INFINITY, f32::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !(lo.is_finite() && hi.is_finite()) {
        return [0.0, 1.0];
    }
    if hi - lo < 1e-6 {
        return [lo - 0.5, hi + 0.5];
    }
    [lo, hi]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::slice3d::ClipPlane;

    #[test]
    #[allow(clippy::float_cmp)] // levels and box corners are exact sums
    fn surfaces_follow_the_selected_inputs_levels_and_base() {
        let spec = Slice3dSpec {
            inputs: Some(vec![1]),
            levels: vec![0.0, 0.5],
            clip: vec![ClipPlane {
                axis: 1,
                at: 0.0,
                keep_below: true,
            }],
            ..Slice3dSpec::default()
        };
        let outputs = Outputs {
            targets: &[1.0, 2.0],
            current: &[0.0, -1.0],
        };
        let ranges = [[-2.0, 2.0]; 3];
        let field = Field {
            n_inputs: 2,
            shape: vec![8, 8, 8],
            values: vec![0.0; 3 * 512],
        };
        let scene = slice3d_scene(
            &spec,
            OrbitCamera::default(),
            outputs,
            ranges,
            &field,
            [0.0, 0.0, 4.0],
            &[],
        );
        let levels: Vec<f32> = scene.surfaces.iter().map(|s| s.level).collect();
        assert_eq!(levels, [2.0, 2.5]);
        assert!(scene.surfaces.iter().all(|s| s.channel == 1));
        assert_eq!(scene.clip_box, [[-1.0; 3], [1.0, 0.0, 1.0]]);
        assert_eq!(scene.marker, None, "θ outside the box is not drawn");
        let through = Slice3dSpec {
            through_theta: true,
            ..spec
        };
        let scene = slice3d_scene(
            &through,
            OrbitCamera::default(),
            outputs,
            ranges,
            &field,
            [0.0; 3],
            &[],
        );
        assert_eq!(scene.surfaces[0].level, -1.0);
        assert_eq!(scene.marker, Some([0.0; 3]));
    }

    #[test]
    #[allow(clippy::float_cmp)] // the fallbacks are exact
    fn height_range_spans_the_finite_values() {
        let [lo, hi] = height_range(&[0.01, 10.0, f32::NAN], true);
        assert!(
            (lo + 2.0).abs() < 1e-6 && (hi - 1.0).abs() < 1e-6,
            "{lo}, {hi}"
        );
        assert_eq!(height_range(&[3.0, 3.0], false), [2.5, 3.5]);
        assert_eq!(height_range(&[f32::NAN], false), [0.0, 1.0]);
    }
}
