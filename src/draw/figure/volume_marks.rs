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

/// `picture` with a title and a caption over its top left, placed and sized as the
/// figures place theirs, in the marks' light ink (the 3D pictures are dark in either
/// theme). Empty texts are not drawn; with both empty the picture is returned as is.
pub fn title_volume_picture(
    picture: &image::RgbaImage,
    title: &str,
    caption: &str,
) -> image::RgbaImage {
    if title.is_empty() && caption.is_empty() {
        return picture.clone();
    }
    let (w, h) = picture.dimensions();
    let mut canvas = Canvas::new(w, h, Color::BLACK);
    for (x, y, p) in picture.enumerate_pixels() {
        canvas.blend_pixel(x, y, Color::rgb(p[0], p[1], p[2]), 1.0);
    }
    let m = super::Metrics::new(w, h);
    let x = 16.0 * m.s;
    let available = f64::from(w) - 2.0 * x;
    // Long texts shrink to fit the width (down to 60%), as the figures' titles do.
    let fit = |canvas: &Canvas, text: &str, size: f64| {
        let width = canvas.text_width(text, size);
        if width > available {
            size * (available / width).max(0.6)
        } else {
            size
        }
    };
    let mut y = 14.0 * m.s;
    if !title.is_empty() {
        y += m.title_font();
        let size = fit(&canvas, title, m.title_font());
        canvas.text(
            title,
            (x, y),
            size,
            Color::rgb(235, 235, 238),
            (HAlign::Left, VAlign::Baseline),
            0.0,
            0.6 * m.s,
        );
        y += 0.5 * m.title_font();
    }
    if !caption.is_empty() {
        y += m.tick_font();
        let size = fit(&canvas, caption, m.tick_font());
        canvas.text(
            caption,
            (x, y),
            size,
            Color::rgb(180, 180, 186),
            (HAlign::Left, VAlign::Baseline),
            0.0,
            m.weight() * 0.6,
        );
    }
    canvas.into_image()
}
