//! The paths between models (the paths view's linear, aligned and Bézier paths) as
//! colored polylines of the 3D pictures: θ(t) along each path projected into the 3D
//! slice (least squares onto its three axes, [`project_onto_slice3`]) and mapped into the
//! box, or projected onto the 2D slice and draped on the loss terrain. The app and
//! `basinscope render --view slice3d|terrain` draw them with this code.

use crate::core::models::NamedModel;
use crate::core::paths::{DEFAULT_POINTS, Path, t_grid};
use crate::core::slice::{SliceAxes, project_onto_slice};
use crate::core::slice3d::{Slice3Axes, project_onto_slice3};

use super::figure::path_color;
use super::volume_pass::to_world;
use super::volume_scene::TerrainSurface;

/// Most model paths one picture draws (the paths view has three: aligned, linear, Bézier).
pub const MAX_LINES: usize = 3;

/// One path in the picture: world points and its color.
#[derive(Clone, Debug, PartialEq)]
pub struct PathLine {
    /// World coordinates (the box [−1, 1]³).
    pub points: Vec<[f32; 3]>,
    /// sRGB, 0..1: the paths figure's color of this path ([`path_color`]).
    pub color: [f32; 3],
}

/// The paths a picture shows without the paths view's own: the linear path from the
/// scene's first model to its second, on the paths view's default t grid, in that
/// view's color of the linear path; none with fewer than two models (or models of
/// another size than θ).
pub fn default_model_paths(models: &[NamedModel], n_params: usize) -> Vec<(Vec<Vec<f64>>, usize)> {
    let [a, b, ..] = models else {
        return Vec::new();
    };
    if a.parameters.len() != n_params || b.parameters.len() != n_params {
        return Vec::new();
    }
    let Ok(t) = t_grid(DEFAULT_POINTS) else {
        return Vec::new();
    };
    let path = Path::Linear {
        a: &a.parameters,
        b: &b.parameters,
    };
    // The paths view draws the linear path in its second color (the aligned one first).
    vec![(t.iter().map(|&t| path.point(t)).collect(), 1)]
}

/// The paths (θ along each, with the index of its color in [`path_color`]) as polylines
/// of the 3D slice on `axes` with slice `ranges`; at most [`MAX_LINES`], and only paths
/// of θ's size.
pub fn path_lines(
    paths: &[(Vec<Vec<f64>>, usize)],
    axes: &Slice3Axes,
    ranges: [[f64; 2]; 3],
) -> Vec<PathLine> {
    lines_of(paths, axes.plane.center.len(), |theta| {
        to_world(project_onto_slice3(axes, theta), ranges)
    })
}

/// The paths (as for [`path_lines`]) draped on the loss terrain over the 2D slice
/// `plane`: each θ(t) projected onto the plane (least squares onto u and v,
/// [`project_onto_slice`]) and lifted onto the drawn surface at that (a, b).
pub fn terrain_path_lines(
    paths: &[(Vec<Vec<f64>>, usize)],
    plane: &SliceAxes,
    terrain: &TerrainSurface<'_>,
) -> Vec<PathLine> {
    lines_of(paths, plane.center.len(), |theta| {
        let (a, b) = project_onto_slice(plane, theta);
        terrain.world([a, b])
    })
}

/// At most [`MAX_LINES`] of the paths of θ's size `n`, each point placed in the box by
/// `world`, each line in its paths-figure color.
fn lines_of(
    paths: &[(Vec<Vec<f64>>, usize)],
    n: usize,
    world: impl Fn(&[f64]) -> [f32; 3],
) -> Vec<PathLine> {
    paths
        .iter()
        .filter(|(p, _)| p.len() >= 2 && p.iter().all(|theta| theta.len() == n))
        .take(MAX_LINES)
        .map(|(p, color)| {
            let c = path_color(*color);
            PathLine {
                points: p.iter().map(|theta| world(theta)).collect(),
                color: [c.r, c.g, c.b].map(|x| f32::from(x) / 255.0),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Coordinate axes through θ₀ = (1, 0, 0, 0.5): a model's slice coordinates are then
    /// its first three entries minus θ₀'s (the fourth is off the slice and drops out),
    /// and the box maps [lo, hi] onto [−1, 1].
    fn coordinate_axes() -> Slice3Axes {
        let e = |i: usize| (0..4).map(|j| f64::from(u8::from(i == j))).collect();
        Slice3Axes {
            plane: SliceAxes {
                center: vec![1.0, 0.0, 0.0, 0.5],
                u: e(0),
                v: e(1),
                description: String::new(),
                u_name: String::new(),
                v_name: String::new(),
            },
            w: e(2),
            w_name: String::new(),
        }
    }

    /// Models A = (2, −1, 0.5, 9) and B = (0, 1, −0.5, −3).
    fn two_models() -> Vec<NamedModel> {
        vec![
            NamedModel {
                name: "A".into(),
                parameters: vec![2.0, -1.0, 0.5, 9.0],
            },
            NamedModel {
                name: "B".into(),
                parameters: vec![0.0, 1.0, -0.5, -3.0],
            },
        ]
    }

    #[test]
    fn path_ends_are_the_models_projected_into_the_box() {
        let models = two_models();
        let ranges = [[-2.0, 2.0], [-1.0, 1.0], [-1.0, 1.0]];
        let paths = default_model_paths(&models, 4);
        let lines = path_lines(&paths, &coordinate_axes(), ranges);
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        assert_eq!(line.points.len(), DEFAULT_POINTS);
        // A: slice (1, −1, 0.5) → world (−1 + 2·3/4, −1 + 2·0/2, −1 + 2·1.5/2) = (0.5, −1, 0.5).
        // B: slice (−1, 1, −0.5) → world (−1 + 2·1/4, 1, −0.5) = (−0.5, 1, −0.5).
        let close = |p: [f32; 3], q: [f32; 3]| (0..3).all(|i| (p[i] - q[i]).abs() < 1e-6);
        assert!(
            close(line.points[0], [0.5, -1.0, 0.5]),
            "{:?}",
            line.points[0]
        );
        assert!(
            close(*line.points.last().unwrap(), [-0.5, 1.0, -0.5]),
            "{:?}",
            line.points.last()
        );
        // The middle of the linear path is the middle of the segment.
        assert!(close(line.points[DEFAULT_POINTS / 2], [0.0, 0.0, 0.0]));
        let c = path_color(1);
        assert!(close(
            line.color,
            [c.r, c.g, c.b].map(|x| f32::from(x) / 255.0)
        ));
    }

    /// On the terrain of l(a, b) = a + 2b over a = −2..2, b = −1..1 (a 3×3 grid, exact
    /// for bilinear interpolation; heights −4..4 onto z = −1..1), a model's point sits at
    /// its slice coordinates (its first two entries minus θ₀'s) and at the height of the
    /// loss there: A (1, −1) has l = −1, z = −¼; B (−1, 1) has l = 1, z = ¼.
    #[test]
    fn terrain_path_points_sit_on_the_surface_above_the_models() {
        let models = two_models();
        let ranges = [[-2.0, 2.0], [-1.0, 1.0]];
        let loss: Vec<f32> = [-1.0f32, 0.0, 1.0]
            .iter()
            .flat_map(|&b| [-2.0f32, 0.0, 2.0].map(|a| a + 2.0 * b))
            .collect();
        let terrain = TerrainSurface::new(&loss, [3, 3], ranges, false);
        let plane = coordinate_axes().plane;
        let lines = terrain_path_lines(&default_model_paths(&models, 4), &plane, &terrain);
        assert_eq!(lines.len(), 1);
        let line = &lines[0];
        let close = |p: [f32; 3], q: [f32; 3]| (0..3).all(|i| (p[i] - q[i]).abs() < 1e-6);
        assert!(
            close(line.points[0], [0.5, -1.0, -0.25]),
            "{:?}",
            line.points[0]
        );
        assert!(
            close(*line.points.last().unwrap(), [-0.5, 1.0, 0.25]),
            "{:?}",
            line.points.last()
        );
        // Every point on the way: z = l / 4 with l = a + 2b.
        for p in &line.points {
            let (a, b) = (2.0 * p[0], p[1]);
            assert!((p[2] - (a + 2.0 * b) / 4.0).abs() < 1e-5, "{p:?}");
        }
    }

    #[test]
    fn no_path_without_two_models_of_thetas_size() {
        let one = vec![NamedModel {
            name: "A".into(),
            parameters: vec![0.0; 4],
        }];
        assert!(default_model_paths(&one, 4).is_empty());
        let mut two = one.clone();
        two.push(NamedModel {
            name: "B".into(),
            parameters: vec![0.0; 3],
        });
        assert!(default_model_paths(&two, 4).is_empty());
        // A path of another size than θ is not projected.
        let lines = path_lines(
            &[(vec![vec![0.0; 3]; 2], 0)],
            &coordinate_axes(),
            [[-1.0, 1.0]; 3],
        );
        assert!(lines.is_empty());
    }
}
