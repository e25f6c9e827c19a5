//! The orbit camera of the 3D views (3D slice and loss terrain), in glam.
//!
//! The views draw a box of world coordinates [−1, 1]³: x along a, y along b, z along c
//! (or height, for the terrain), with z up. The camera orbits a target point: its eye sits
//! at target + distance·(cos p·cos y, cos p·sin y, sin p) for yaw y and pitch p, looks at
//! the target with z up, and projects with a right-handed perspective whose depth runs
//! 0..1 (wgpu's convention). Pixel (x, y) of a W×H image, row 0 at the top, has its center
//! at normalized device coordinates (2(x + ½)/W − 1, 1 − 2(y + ½)/H); the shaders make
//! their rays from the same inverse view-projection matrix [`OrbitCamera::ray`] uses.

use glam::{Mat4, Vec3, Vec4Swizzles as _};
use serde::{Deserialize, Serialize};

use super::error::CoreError;

/// Pitch stays inside ±this many degrees, so the view never looks straight along z
/// (where "up" would be undefined).
pub const MAX_PITCH_DEG: f32 = 89.0;
/// Nearest and farthest orbit distance, in box half-widths.
pub const DISTANCE_RANGE: [f32; 2] = [0.5, 50.0];
/// Narrowest and widest vertical field of view, in degrees.
pub const FOV_RANGE_DEG: [f32; 2] = [5.0, 120.0];

/// An orbit camera around a target in world coordinates (the box is [−1, 1]³).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OrbitCamera {
    /// Rotation about the z axis in degrees; 0 looks from +x toward the target.
    pub yaw_deg: f32,
    /// Elevation above the x–y plane in degrees, within ±[`MAX_PITCH_DEG`].
    pub pitch_deg: f32,
    /// Distance from the eye to the target, in box half-widths.
    pub distance: f32,
    /// The point the camera orbits and looks at.
    pub target: [f32; 3],
    /// Vertical field of view in degrees.
    pub fov_y_deg: f32,
}

impl Default for OrbitCamera {
    /// A three-quarter view of the whole box from the front, right and above.
    fn default() -> Self {
        Self {
            yaw_deg: -35.0,
            pitch_deg: 25.0,
            distance: 6.0,
            target: [0.0; 3],
            fov_y_deg: 35.0,
        }
    }
}

/// A ray: origin and unit direction.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Ray {
    pub origin: Vec3,
    pub direction: Vec3,
}

impl Ray {
    /// The point at parameter t: origin + t·direction.
    pub fn at(&self, t: f32) -> Vec3 {
        self.origin + t * self.direction
    }
}

impl OrbitCamera {
    /// Checks that every number is finite and in its range, with one sentence per problem.
    pub fn validate(&self, what: &str) -> Result<(), CoreError> {
        let finite = [self.yaw_deg, self.pitch_deg, self.distance, self.fov_y_deg]
            .into_iter()
            .chain(self.target)
            .all(f32::is_finite);
        if !finite {
            return Err(CoreError::invalid(format!(
                "{what}.camera has a number that is not finite"
            )));
        }
        if self.pitch_deg.abs() > MAX_PITCH_DEG {
            return Err(CoreError::invalid(format!(
                "{what}.camera.pitch_deg must be within ±{MAX_PITCH_DEG}, not {}",
                self.pitch_deg
            )));
        }
        if !(DISTANCE_RANGE[0]..=DISTANCE_RANGE[1]).contains(&self.distance) {
            return Err(CoreError::invalid(format!(
                "{what}.camera.distance must be between {} and {}, not {}",
                DISTANCE_RANGE[0], DISTANCE_RANGE[1], self.distance
            )));
        }
        if !(FOV_RANGE_DEG[0]..=FOV_RANGE_DEG[1]).contains(&self.fov_y_deg) {
            return Err(CoreError::invalid(format!(
                "{what}.camera.fov_y_deg must be between {} and {}, not {}",
                FOV_RANGE_DEG[0], FOV_RANGE_DEG[1], self.fov_y_deg
            )));
        }
        Ok(())
    }

    /// The target as a vector.
    pub fn target(&self) -> Vec3 {
        Vec3::from_array(self.target)
    }

    /// The eye position: target + distance·(cos p·cos y, cos p·sin y, sin p).
    pub fn eye(&self) -> Vec3 {
        let (yaw, pitch) = (self.yaw_deg.to_radians(), self.pitch_deg.to_radians());
        self.target()
            + self.distance
                * Vec3::new(
                    pitch.cos() * yaw.cos(),
                    pitch.cos() * yaw.sin(),
                    pitch.sin(),
                )
    }

    /// World to view: looking from the eye at the target, z up.
    pub fn view(&self) -> Mat4 {
        glam::camera::rh::view::look_at_mat4(self.eye(), self.target(), Vec3::Z)
    }

    /// View to clip space for an image of aspect ratio width / height (depth 0..1). The
    /// near and far planes enclose the box [−1, 1]³ from any orbit distance.
    pub fn projection(&self, aspect: f32) -> Mat4 {
        let reach = self.target().length() + 2.0;
        let near = (self.distance - reach).max(0.02);
        let far = self.distance + reach;
        // Direct3D's clip space is wgpu's: depth 0..1, y up.
        glam::camera::rh::proj::directx::perspective(
            self.fov_y_deg.to_radians(),
            aspect.max(1e-3),
            near,
            far,
        )
    }

    /// World to clip space.
    pub fn view_projection(&self, aspect: f32) -> Mat4 {
        self.projection(aspect) * self.view()
    }

    /// The ray through normalized device coordinates `ndc` (x right, y up, in [−1, 1]):
    /// from the eye through the unprojected point.
    pub fn ray(&self, ndc: [f32; 2], aspect: f32) -> Ray {
        let inverse = self.view_projection(aspect).inverse();
        let far = inverse * glam::Vec4::new(ndc[0], ndc[1], 1.0, 1.0);
        let origin = self.eye();
        Ray {
            origin,
            direction: (far.xyz() / far.w - origin).normalize(),
        }
    }

    /// The ray through the center of pixel (x, y) of a `size` image, row 0 at the top.
    pub fn pixel_ray(&self, x: f32, y: f32, size: [u32; 2]) -> Ray {
        let (w, h) = (size[0] as f32, size[1] as f32);
        self.ray(
            [2.0 * (x + 0.5) / w - 1.0, 1.0 - 2.0 * (y + 0.5) / h],
            w / h,
        )
    }

    /// Where a world point lands in a `size` image, in pixels (x right, y down), or
    /// `None` when it is behind the eye.
    pub fn project(&self, point: Vec3, size: [u32; 2]) -> Option<[f32; 2]> {
        let (w, h) = (size[0] as f32, size[1] as f32);
        let clip = self.view_projection(w / h) * point.extend(1.0);
        if clip.w <= 0.0 {
            return None;
        }
        let ndc = clip.xyz() / clip.w;
        Some([(ndc.x + 1.0) * 0.5 * w, (1.0 - ndc.y) * 0.5 * h])
    }

    /// Turns the camera: yaw and pitch change by the given degrees, pitch stays within
    /// ±[`MAX_PITCH_DEG`].
    pub fn orbit(&mut self, d_yaw_deg: f32, d_pitch_deg: f32) {
        self.yaw_deg = (self.yaw_deg + d_yaw_deg).rem_euclid(360.0);
        if self.yaw_deg > 180.0 {
            self.yaw_deg -= 360.0;
        }
        self.pitch_deg = (self.pitch_deg + d_pitch_deg).clamp(-MAX_PITCH_DEG, MAX_PITCH_DEG);
    }

    /// Moves what is shown right and up on screen by fractions of the visible height at
    /// the target (a drag of the picture): the target moves the other way in the view
    /// plane.
    pub fn pan(&mut self, right: f32, up: f32) {
        let view = self.view();
        // Rows of the view matrix's rotation are the camera's right and up in world space.
        let cam_right = Vec3::new(view.x_axis.x, view.y_axis.x, view.z_axis.x);
        let cam_up = Vec3::new(view.x_axis.y, view.y_axis.y, view.z_axis.y);
        let visible = 2.0 * self.distance * (self.fov_y_deg.to_radians() * 0.5).tan();
        let target = self.target() - visible * (right * cam_right + up * cam_up);
        // Keep the target near the box so the camera cannot be lost.
        self.target = target.clamp(Vec3::splat(-3.0), Vec3::splat(3.0)).to_array();
    }

    /// Multiplies the distance by `factor`, within [`DISTANCE_RANGE`].
    pub fn zoom(&mut self, factor: f32) {
        if factor.is_finite() && factor > 0.0 {
            self.distance = (self.distance * factor).clamp(DISTANCE_RANGE[0], DISTANCE_RANGE[1]);
        }
    }
}

/// The parameter interval [t0, t1] where a ray is inside the box [lo, hi], or `None`
/// when it misses (the slab method).
pub fn ray_box(ray: &Ray, lo: Vec3, hi: Vec3) -> Option<[f32; 2]> {
    let inv = ray.direction.recip();
    let a = (lo - ray.origin) * inv;
    let b = (hi - ray.origin) * inv;
    let t0 = a.min(b).max_element().max(0.0);
    let t1 = a.max(b).min_element();
    (t0 <= t1).then_some([t0, t1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eye_sits_at_the_orbit_distance_in_the_yaw_and_pitch_direction() {
        let camera = OrbitCamera {
            yaw_deg: 90.0,
            pitch_deg: 0.0,
            distance: 3.0,
            target: [0.5, 0.0, 0.0],
            fov_y_deg: 40.0,
        };
        assert!((camera.eye() - Vec3::new(0.5, 3.0, 0.0)).length() < 1e-5);
        let top = OrbitCamera {
            pitch_deg: 89.0,
            ..camera
        };
        assert!(top.eye().z > 2.99 && top.eye().z < 3.0);
    }

    /// The ray through the image center points at the target, and the ray through the
    /// pixel where a point projects passes through that point (the projection and the
    /// ray generation are inverse to each other).
    #[test]
    fn pixel_rays_pass_through_the_points_that_project_to_those_pixels() {
        let camera = OrbitCamera::default();
        let size = [320, 200];
        let center = camera.ray([0.0, 0.0], 1.6);
        let to_target = (camera.target() - camera.eye()).normalize();
        assert!(center.direction.dot(to_target) > 1.0 - 1e-6);
        for point in [
            Vec3::new(1.0, 1.0, 1.0),
            Vec3::new(-1.0, 0.3, -0.7),
            Vec3::new(0.2, -1.0, 0.9),
        ] {
            let [px, py] = camera.project(point, size).expect("in front of the eye");
            let ray = camera.pixel_ray(px - 0.5, py - 0.5, size);
            // Distance from the point to the ray.
            let along = (point - ray.origin).dot(ray.direction);
            let miss = (ray.at(along) - point).length();
            assert!(miss < 1e-4, "{point}: the ray misses by {miss}");
        }
    }

    /// Panning drags the picture: the old target moves right on screen by the asked
    /// fraction of the image height, and the distance is unchanged.
    #[test]
    #[allow(clippy::float_cmp)] // clamping returns the bound itself
    fn pan_moves_the_target_in_the_view_plane_and_zoom_and_orbit_stay_in_range() {
        let mut camera = OrbitCamera::default();
        let size = [400, 400];
        let before = camera.target();
        camera.pan(0.1, 0.0);
        let [px, py] = camera.project(before, size).unwrap();
        assert!(
            (px - 240.0).abs() < 0.5 && (py - 200.0).abs() < 0.5,
            "{px}, {py}"
        );
        let eye_to_target = (camera.eye() - camera.target()).length();
        assert!((eye_to_target - camera.distance).abs() < 1e-4);
        camera.zoom(1e9);
        assert_eq!(camera.distance, DISTANCE_RANGE[1]);
        camera.zoom(f32::NAN);
        assert_eq!(camera.distance, DISTANCE_RANGE[1]);
        camera.orbit(400.0, 500.0);
        assert_eq!(camera.pitch_deg, MAX_PITCH_DEG);
        assert!((camera.yaw_deg - (-35.0 + 400.0 - 360.0)).abs() < 1e-3);
        assert!(camera.validate("view.slice3d").is_ok());
    }

    #[test]
    fn cameras_with_numbers_out_of_range_are_refused_in_one_sentence() {
        for bad in [
            OrbitCamera {
                pitch_deg: 90.0,
                ..OrbitCamera::default()
            },
            OrbitCamera {
                distance: f32::NAN,
                ..OrbitCamera::default()
            },
            OrbitCamera {
                distance: 1e6,
                ..OrbitCamera::default()
            },
            OrbitCamera {
                fov_y_deg: 179.0,
                ..OrbitCamera::default()
            },
        ] {
            let e = bad.validate("view.slice3d").unwrap_err().to_string();
            assert!(
                e.starts_with("view.slice3d.camera") && !e.contains('\n'),
                "{e}"
            );
        }
    }

    #[test]
    fn ray_box_finds_the_entry_and_exit_of_the_box() {
        let ray = Ray {
            origin: Vec3::new(-3.0, 0.5, 0.0),
            direction: Vec3::X,
        };
        let [t0, t1] = ray_box(&ray, Vec3::splat(-1.0), Vec3::splat(1.0)).unwrap();
        assert!((t0 - 2.0).abs() < 1e-6 && (t1 - 4.0).abs() < 1e-6);
        let miss = Ray {
            origin: Vec3::new(-3.0, 1.5, 0.0),
            direction: Vec3::X,
        };
        assert!(ray_box(&miss, Vec3::splat(-1.0), Vec3::splat(1.0)).is_none());
    }
}
