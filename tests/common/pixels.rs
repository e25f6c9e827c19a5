//! How far apart two pictures are: the mean absolute difference of their RGB channels
//! (0 to 255), over a rectangle or the whole picture.

/// The mean |Δ| over the RGB channels of the pixels in `rect` (pixel coordinates).
pub fn mean_abs_diff_in(a: &image::RgbaImage, b: &image::RgbaImage, rect: egui::Rect) -> f64 {
    let mut sum = 0.0;
    let mut n: f64 = 0.0;
    for y in rect.min.y as u32..rect.max.y as u32 {
        for x in rect.min.x as u32..rect.max.x as u32 {
            let (p, q) = (a.get_pixel(x, y), b.get_pixel(x, y));
            for c in 0..3 {
                sum += f64::from(p[c].abs_diff(q[c]));
            }
            n += 3.0;
        }
    }
    sum / n.max(1.0)
}

/// The mean |Δ| over the RGB channels of two whole pictures of the same size.
#[allow(dead_code, reason = "some test crates compare rectangles only")]
pub fn mean_abs_diff(a: &image::RgbaImage, b: &image::RgbaImage) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions());
    let whole = egui::Rect::from_min_size(
        egui::Pos2::ZERO,
        egui::vec2(a.width() as f32, a.height() as f32),
    );
    mean_abs_diff_in(a, b, whole)
}
