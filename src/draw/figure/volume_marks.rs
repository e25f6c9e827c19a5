//! The axis ticks and names of a ray-marched 3D picture, drawn over it on the CPU for
//! `basinscope render` (the app draws the same marks with egui).

use super::canvas::{Canvas, Color, HAlign, VAlign};
use crate::draw::volume_scene::AxisMark;

/// `picture` with `marks` (from [`crate::draw::volume_scene::axis_marks`]) drawn on it.
pub fn annotate_volume_picture(picture: &image::RgbaImage, marks: &[AxisMark]) -> image::RgbaImage {
    let (w, h) = picture.dimensions();
    let mut canvas = Canvas::new(w, h, Color::BLACK);
    for (x, y, p) in picture.enumerate_pixels() {
        canvas.blend_pixel(x, y, Color::rgb(p[0], p[1], p[2]), 1.0);
    }
    let ink = Color::rgb(215, 215, 220);
    for mark in marks {
        let (x, y) = (f64::from(mark.pos[0]), f64::from(mark.pos[1]));
        if mark.is_tick {
            canvas.circle((x, y), 1.6, ink, None);
            canvas.text(
                &mark.text,
                (x, y + 4.0),
                11.0,
                ink,
                (HAlign::Center, VAlign::Top),
                0.0,
                0.0,
            );
        } else {
            canvas.text(
                &mark.text,
                (x, y),
                14.0,
                ink,
                (HAlign::Center, VAlign::Middle),
                0.0,
                0.2,
            );
        }
    }
    canvas.into_image()
}
