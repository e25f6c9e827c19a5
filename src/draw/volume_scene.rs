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
        lines: Vec::new(),
        style: VolumeStyle::default(),
    }
}

/// The terrain's surface as the ray marcher draws it: the loss grid ([b][a] on `shape`
/// over `ranges`) interpolated bilinearly, and its value (log₁₀ when `log`) over
/// `value_range` mapped onto the height z = −1..1, as the shader's `height_of` does.
#[derive(Clone, Copy, Debug)]
pub struct TerrainSurface<'a> {
    pub loss: &'a [f32],
    pub shape: [usize; 2],
    pub ranges: [[f64; 2]; 2],
    pub log: bool,
    /// [`height_range`] of the loss.
    pub value_range: [f32; 2],
}

impl<'a> TerrainSurface<'a> {
    /// The surface of `loss` on `shape` over `ranges`, its heights spanning the finite
    /// values.
    pub fn new(loss: &'a [f32], shape: [usize; 2], ranges: [[f64; 2]; 2], log: bool) -> Self {
        Self {
            loss,
            shape,
            ranges,
            log,
            value_range: height_range(loss, log),
        }
    }

    /// The height z in −1..1 of a loss value.
    pub fn height(&self, loss: f64) -> f64 {
        let v = if self.log {
            loss.max(1e-30).log10()
        } else {
            loss
        };
        let [lo, hi] = self.value_range.map(f64::from);
        let t = (v - lo) / (hi - lo).max(1e-12);
        // A loss that is not a number sits at the floor (NaN would survive the clamp).
        if t.is_nan() {
            return -1.0;
        }
        -1.0 + 2.0 * t.clamp(0.0, 1.0)
    }

    /// The world point of the drawn surface above slice coordinates `ab`: at the height
    /// of the interpolated loss, which the grid may not resolve down to the loss at `ab`
    /// itself.
    pub fn world(&self, ab: [f64; 2]) -> [f32; 3] {
        let z = self.height(bilinear(self.loss, self.shape, self.ranges, ab));
        let box_ranges = [self.ranges[0], self.ranges[1], [-1.0, 1.0]];
        to_world([ab[0], ab[1], z], box_ranges)
    }
}

/// The terrain picture over a 2D field: height from `loss` values (log₁₀ when `log`),
/// every input's solution contour (up to [`MAX_SURFACES`]) draped on it, and θ at slice
/// coordinates `theta_ab` and the path (slice coordinates) on the drawn surface
/// ([`TerrainSurface::world`]). The paths between models are added by the caller
/// ([`super::volume_paths::terrain_path_lines`]).
#[allow(clippy::too_many_arguments)]
pub fn terrain_scene(
    camera: OrbitCamera,
    log: bool,
    loss: &[f32],
    targets: &[f64],
    ranges: [[f64; 2]; 2],
    shape: [usize; 2],
    theta_ab: [f64; 2],
    path: &[([f64; 2], bool)],
) -> VolumeScene {
    let terrain = TerrainSurface::new(loss, shape, ranges, log);
    let value_range = terrain.value_range;
    let surfaces = (0..targets.len().min(MAX_SURFACES))
        .map(|i| SurfaceStyle {
            channel: i as u32,
            level: targets[i] as f32,
            color: input_rgb_f32(i),
            lipschitz: 0.0,
        })
        .collect();
    let heights: Vec<f32> = loss
        .iter()
        .map(|&l| terrain.height(f64::from(l)) as f32)
        .collect();
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
        marker: marker_in_box(terrain.world(theta_ab)),
        path: path
            .iter()
            .map(|(p, walk)| (terrain.world(*p), *walk))
            .collect(),
        lines: Vec::new(),
        style: VolumeStyle::default(),
    }
}

/// A label of the 3D pictures' axes, in pixels of the picture.
#[derive(Clone, Debug, PartialEq)]
pub struct AxisMark {
    /// Where the mark goes (x right, y down).
    pub pos: [f32; 2],
    pub text: String,
    /// A tick (a dot with its value below) or an axis name.
    pub is_tick: bool,
}

/// The ticks and names of the three axes along the box edges through the corner
/// (−1, −1, −1), as `camera` projects them into a `size` picture: the one rule the app's
/// view and `render`'s figures share. `names` are the a, b and c (or height) axes in words;
/// the terrain's height axis (`terrain`) gets no ticks.
pub fn axis_marks(
    camera: &OrbitCamera,
    size: [u32; 2],
    ranges: [[f64; 2]; 3],
    names: &[String; 3],
    terrain: bool,
) -> Vec<AxisMark> {
    let mut marks = Vec::new();
    for axis in 0..3 {
        let along = |t: f32| {
            let mut p = glam::Vec3::splat(-1.0);
            p[axis] = t;
            p
        };
        if !terrain || axis < 2 {
            let [lo, hi] = ranges[axis];
            for value in super::ticks::nice_ticks(ranges[axis], 4).values {
                let t = (-1.0 + 2.0 * (value - lo) / (hi - lo)) as f32;
                if let Some(pos) = camera.project(along(t), size) {
                    marks.push(AxisMark {
                        pos,
                        text: super::ticks::format_number(value),
                        is_tick: true,
                    });
                }
            }
        }
        // The name beside the middle of its edge, pushed away from the box's center on
        // screen so it does not cover the picture.
        if let (Some(mid), Some(center)) = (
            camera.project(along(0.0), size),
            camera.project(glam::Vec3::ZERO, size),
        ) {
            let out = glam::Vec2::from(mid) - glam::Vec2::from(center);
            let pos = glam::Vec2::from(mid) + 36.0 * out.normalize_or_zero();
            marks.push(AxisMark {
                pos: pos.to_array(),
                text: names[axis].clone(),
                is_tick: false,
            });
        }
    }
    marks
}

/// The bilinear interpolation of `values` ([b][a] on `shape` over `ranges`) at `ab`,
/// clamped to the grid.
fn bilinear(values: &[f32], shape: [usize; 2], ranges: [[f64; 2]; 2], ab: [f64; 2]) -> f64 {
    let [na, nb] = shape;
    let g = |axis: usize, n: usize| -> (usize, f64) {
        let [lo, hi] = ranges[axis];
        let x = ((ab[axis] - lo) / (hi - lo) * (n - 1) as f64).clamp(0.0, (n - 1) as f64);
        let i = (x.floor() as usize).min(n.saturating_sub(2));
        (i, x - i as f64)
    };
    if na < 2 || nb < 2 || values.len() < na * nb {
        return values.first().map_or(0.0, |&v| f64::from(v));
    }
    let ((ia, ta), (ib, tb)) = (g(0, na), g(1, nb));
    let at = |a: usize, b: usize| f64::from(values[b * na + a]);
    let lo = at(ia, ib) * (1.0 - ta) + at(ia + 1, ib) * ta;
    let hi = at(ia, ib + 1) * (1.0 - ta) + at(ia + 1, ib + 1) * ta;
    lo * (1.0 - tb) + hi * tb
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

    /// Heights map the loss range onto z = −1..1 (linear here: loss 0..8 over a 3 × 3
    /// grid), clamp outside it, and put a loss that is not a number at the floor.
    #[test]
    #[allow(clippy::float_cmp)] // exact binary fractions
    fn terrain_heights_map_the_loss_range_and_floor_non_numbers() {
        let loss: Vec<f32> = (0..9u8).map(f32::from).collect();
        let terrain = TerrainSurface::new(&loss, [3, 3], [[-1.0, 1.0]; 2], false);
        assert_eq!(terrain.height(0.0), -1.0);
        assert_eq!(terrain.height(4.0), 0.0);
        assert_eq!(terrain.height(8.0), 1.0);
        assert_eq!(terrain.height(100.0), 1.0);
        assert_eq!(terrain.height(f64::INFINITY), 1.0);
        assert_eq!(terrain.height(f64::NAN), -1.0);
    }

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

    /// θ's marker sits on the drawn terrain: at the height of the interpolated loss of
    /// the grid (here f = a + 2b on a 3×3 grid, exact for bilinear interpolation).
    #[test]
    fn the_terrain_marker_sits_on_the_interpolated_surface() {
        let ranges = [[-1.0, 1.0], [0.0, 2.0]];
        let loss: Vec<f32> = (0..3)
            .flat_map(|ib| (0..3).map(move |ia| (ia as f32 - 1.0) + 2.0 * ib as f32))
            .collect();
        let (a, b) = (0.3, 1.4);
        assert!((bilinear(&loss, [3, 3], ranges, [a, b]) - (a + 2.0 * b)).abs() < 1e-6);
        let scene = terrain_scene(
            OrbitCamera::default(),
            false,
            &loss,
            &[0.0],
            ranges,
            [3, 3],
            [a, b],
            &[],
        );
        // Heights span [−1, 5] onto z = −1..1.
        let z = scene.marker.unwrap()[2];
        let expected = -1.0 + 2.0 * ((a + 2.0 * b) + 1.0) / 6.0;
        assert!((f64::from(z) - expected).abs() < 1e-5, "{z} vs {expected}");
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
