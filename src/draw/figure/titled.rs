//! A title and caption band above a picture (a ray-marched 3D view or the paths figure),
//! for `basinscope render --lesson`: the figure views take their title and caption
//! themselves, the pictures get this band.

use super::canvas::{Canvas, Color, HAlign, VAlign};

/// Height in pixels of the band [`titled_picture`] adds above a picture.
pub const TITLE_BAND_PX: u32 = 56;

/// `picture` below a white band holding `title` (bold) and `caption` (smaller, grey),
/// each cut to the band's width by the canvas's text bound.
pub fn titled_picture(picture: &image::RgbaImage, title: &str, caption: &str) -> image::RgbaImage {
    let (w, h) = picture.dimensions();
    let mut canvas = Canvas::new(w, h + TITLE_BAND_PX, Color::WHITE);
    for (x, y, p) in picture.enumerate_pixels() {
        canvas.blend_pixel(x, y + TITLE_BAND_PX, Color::rgb(p[0], p[1], p[2]), 1.0);
    }
    let left = 12.0;
    canvas.text(
        title,
        (left, 10.0),
        17.0,
        Color::rgb(20, 20, 20),
        (HAlign::Left, VAlign::Top),
        0.0,
        0.4,
    );
    canvas.text(
        caption,
        (left, 35.0),
        12.0,
        Color::rgb(90, 90, 90),
        (HAlign::Left, VAlign::Top),
        0.0,
        0.0,
    );
    canvas.into_image()
}
