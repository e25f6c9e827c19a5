//! What a figure is drawn as: PNG pixels or an SVG document, on an opaque white or a
//! transparent background. Every figure draws through one function on a [`Canvas`], and
//! [`render_on`] picks the canvas's backend, so a figure description emits both formats.

use super::canvas::{Canvas, Color};
use crate::draw::style::Theme;

/// The file format of a figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Png,
    Svg,
}

impl Format {
    /// The format a path's extension names (`.png` or `.svg`, any case).
    pub fn from_path(path: &std::path::Path) -> Option<Self> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        match ext.as_str() {
            "png" => Some(Self::Png),
            "svg" => Some(Self::Svg),
            _ => None,
        }
    }
}

/// How a figure is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Surface {
    pub format: Format,
    /// No background: pixels the figure leaves unpainted stay transparent.
    pub transparent: bool,
    /// The paper and ink ([`Theme::Light`], the print style, unless asked).
    pub theme: Theme,
}

impl Surface {
    /// An opaque PNG (what the app and `render` draw by default).
    pub const PNG: Self = Self {
        format: Format::Png,
        transparent: false,
        theme: Theme::Light,
    };
    pub const SVG: Self = Self {
        format: Format::Svg,
        transparent: false,
        theme: Theme::Light,
    };
}

/// A drawn figure.
#[derive(Clone, Debug)]
pub enum Rendered {
    Png(image::RgbaImage),
    Svg(String),
}

impl Rendered {
    /// The file's bytes (PNG encoded, or the SVG text).
    pub fn encode(&self) -> Result<Vec<u8>, image::ImageError> {
        match self {
            Self::Png(image) => {
                let mut bytes = Vec::new();
                image.write_to(
                    &mut std::io::Cursor::new(&mut bytes),
                    image::ImageFormat::Png,
                )?;
                Ok(bytes)
            }
            Self::Svg(text) => Ok(text.clone().into_bytes()),
        }
    }

    /// The pixels of a PNG figure (`None` for SVG).
    pub fn into_image(self) -> Option<image::RgbaImage> {
        match self {
            Self::Png(image) => Some(image),
            Self::Svg(_) => None,
        }
    }
}

/// The pixels of a figure drawn on a PNG surface (the figure tests look at pixels).
#[cfg(test)]
pub(crate) fn png(rendered: Rendered) -> image::RgbaImage {
    rendered.into_image().expect("a PNG surface gives pixels")
}

/// Draws `draw` on a `width` × `height` canvas of `surface`'s kind.
///
/// A transparent PNG is drawn twice, on white and on black: where the figure painted
/// with opacity α and color c, the two results are α·c + (1 − α)·255 and α·c, so
/// α = 1 − (white − black)/255 and c = black/α recover exactly what was painted.
pub fn render_on(
    surface: Surface,
    width: u32,
    height: u32,
    draw: impl Fn(&mut Canvas),
) -> Rendered {
    let theme = surface.theme;
    let [r, g, b] = theme.paper();
    let paper = Color::rgb(r, g, b);
    let themed = |mut canvas: Canvas| {
        canvas.set_theme(theme);
        draw(&mut canvas);
        canvas
    };
    match (surface.format, surface.transparent) {
        (Format::Svg, transparent) => {
            let canvas = themed(Canvas::new_svg(
                width,
                height,
                (!transparent).then_some(paper),
            ));
            Rendered::Svg(canvas.into_svg().expect("an SVG canvas writes SVG"))
        }
        (Format::Png, false) => {
            Rendered::Png(themed(Canvas::new(width, height, paper)).into_image())
        }
        (Format::Png, true) => {
            let on_white = themed(Canvas::new(width, height, Color::WHITE));
            let on_black = themed(Canvas::new(width, height, Color::BLACK));
            let (white, black) = (on_white.into_image(), on_black.into_image());
            let mut out = image::RgbaImage::new(width, height);
            for ((o, w), b) in out.pixels_mut().zip(white.pixels()).zip(black.pixels()) {
                let diff = (0..3)
                    .map(|c| f64::from(w[c]) - f64::from(b[c]))
                    .sum::<f64>()
                    / 3.0;
                let alpha = (1.0 - diff / 255.0).clamp(0.0, 1.0);
                if alpha > 0.0 {
                    let un = |c: usize| (f64::from(b[c]) / alpha).round().clamp(0.0, 255.0) as u8;
                    *o = image::Rgba([un(0), un(1), un(2), (alpha * 255.0).round() as u8]);
                }
            }
            Rendered::Png(out)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draw::figure::canvas::LineStyle;

    /// A transparent PNG composited over white gives the opaque PNG (within rounding).
    #[test]
    fn a_transparent_png_over_white_is_the_opaque_png() {
        let draw = |c: &mut Canvas| {
            c.polyline(
                &[(10.0, 10.0), (90.0, 60.0)],
                &LineStyle::solid(Color::rgb(200, 40, 10), 3.0),
            );
            c.blend_pixel(5, 5, Color::rgb(0, 90, 200).alpha(0.5), 1.0);
        };
        let opaque = render_on(Surface::PNG, 100, 80, draw).into_image().unwrap();
        let clear = render_on(
            Surface {
                format: Format::Png,
                transparent: true,
                theme: Theme::Light,
            },
            100,
            80,
            draw,
        )
        .into_image()
        .unwrap();
        assert_eq!(clear.get_pixel(50, 75)[3], 0, "unpainted stays transparent");
        assert!(clear.get_pixel(5, 5)[3] > 100 && clear.get_pixel(5, 5)[3] < 160);
        for (o, t) in opaque.pixels().zip(clear.pixels()) {
            let a = f64::from(t[3]) / 255.0;
            for c in 0..3 {
                let over_white = f64::from(t[c]) * a + 255.0 * (1.0 - a);
                assert!(
                    (over_white - f64::from(o[c])).abs() <= 2.0,
                    "{o:?} vs {t:?}"
                );
            }
        }
    }
}
