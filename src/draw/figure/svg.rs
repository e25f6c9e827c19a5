//! The SVG backend of the figure [`super::canvas::Canvas`]: the same drawing calls that
//! rasterize a PNG are written here as SVG. Lines, fills and text become vector paths
//! (text as glyph outlines, labelled with the text it draws so it stays searchable), clip
//! rectangles become `clipPath`s, and raster drawing (heatmaps, the per-pixel set
//! overlays) becomes embedded PNG images, one per raster layer.
//!
//! Layer order follows the PNG backend: raster pixels drawn since the last flush lie
//! under the vector drawing recorded since then, so at each flush the raster layer's
//! image is written first, then the pending vector elements.

use std::fmt::Write as _;

use vello_cpu::kurbo::{Affine, BezPath, Rect};

use super::canvas::{Color, LineStyle};

/// An SVG document being drawn.
pub struct SvgLayer {
    width: u32,
    height: u32,
    /// Elements already in their final order.
    done: String,
    /// Vector elements drawn since the last flush.
    pending: String,
    /// Raster pixels drawn since the last flush (straight alpha, transparent elsewhere).
    raster: Option<image::RgbaImage>,
    /// Bounding box (x0, y0, x1, y1), exclusive, of the raster pixels drawn.
    dirty: Option<(u32, u32, u32, u32)>,
    next_id: usize,
}

/// How a path is painted.
pub struct Paint<'a> {
    pub fill: Option<Color>,
    /// Butt caps when the stroke is dashed, round otherwise (as the PNG backend draws).
    pub stroke: Option<&'a LineStyle>,
    pub transform: Affine,
    /// The text a path draws, written as its `aria-label`.
    pub label: Option<&'a str>,
}

impl SvgLayer {
    /// An empty document with a background rectangle, or none for a transparent one.
    pub fn new(width: u32, height: u32, background: Option<Color>) -> Self {
        let mut done = String::new();
        if let Some(bg) = background {
            let _ = writeln!(
                done,
                r#"<rect width="{width}" height="{height}" fill="{}" fill-opacity="{}"/>"#,
                rgb(bg),
                opacity(bg)
            );
        }
        Self {
            width,
            height,
            done,
            pending: String::new(),
            raster: None,
            dirty: None,
            next_id: 0,
        }
    }

    /// A path with its paint.
    pub fn path(&mut self, path: &BezPath, paint: &Paint<'_>) {
        if path.elements().is_empty() {
            return;
        }
        let out = &mut self.pending;
        out.push_str("<path");
        if let Some(label) = paint.label {
            let _ = write!(out, r#" aria-label="{}""#, escape(label));
        }
        if paint.transform != Affine::IDENTITY {
            let c = paint.transform.as_coeffs();
            let _ = write!(
                out,
                r#" transform="matrix({} {} {} {} {} {})""#,
                num(c[0]),
                num(c[1]),
                num(c[2]),
                num(c[3]),
                num(c[4]),
                num(c[5])
            );
        }
        let _ = write!(out, r#" d="{}""#, path_data(path));
        match paint.fill {
            Some(c) => {
                let _ = write!(out, r#" fill="{}""#, rgb(c));
                if c.a < 255 {
                    let _ = write!(out, r#" fill-opacity="{}""#, opacity(c));
                }
            }
            None => out.push_str(r#" fill="none""#),
        }
        if let Some(s) = paint.stroke {
            let _ = write!(
                out,
                r#" stroke="{}" stroke-width="{}" stroke-linejoin="round""#,
                rgb(s.color),
                num(s.width)
            );
            if s.color.a < 255 {
                let _ = write!(out, r#" stroke-opacity="{}""#, opacity(s.color));
            }
            if s.dashes.is_empty() {
                out.push_str(r#" stroke-linecap="round""#);
            } else {
                let dashes: Vec<String> = s.dashes.iter().map(|d| num(*d)).collect();
                let _ = write!(
                    out,
                    r#" stroke-linecap="butt" stroke-dasharray="{}" stroke-dashoffset="{}""#,
                    dashes.join(" "),
                    num(s.dash_offset)
                );
            }
        }
        out.push_str("/>\n");
    }

    /// Clips what follows to `rect` until [`Self::pop_clip`].
    pub fn push_clip(&mut self, rect: Rect) {
        let id = self.next_id;
        self.next_id += 1;
        let _ = writeln!(
            self.pending,
            r#"<clipPath id="clip{id}"><rect x="{}" y="{}" width="{}" height="{}"/></clipPath><g clip-path="url(#clip{id})">"#,
            num(rect.x0),
            num(rect.y0),
            num(rect.width()),
            num(rect.height())
        );
    }

    pub fn pop_clip(&mut self) {
        self.pending.push_str("</g>\n");
    }

    /// Opens a named group (`id`, for readers and tests: "contours", "heatmap"…).
    pub fn begin_group(&mut self, id: &str) {
        let _ = writeln!(self.pending, r#"<g id="{}">"#, escape(id));
    }

    pub fn end_group(&mut self) {
        self.pending.push_str("</g>\n");
    }

    /// Composites `color` with coverage `coverage` over raster pixel (x, y) of the
    /// current raster layer.
    pub fn blend_pixel(&mut self, x: u32, y: u32, color: Color, coverage: f64) {
        if x >= self.width || y >= self.height {
            return;
        }
        let alpha = f64::from(color.a) / 255.0 * coverage.clamp(0.0, 1.0);
        if alpha <= 0.0 {
            return;
        }
        let (w, h) = (self.width, self.height);
        let raster = self
            .raster
            .get_or_insert_with(|| image::RgbaImage::new(w, h));
        let dst = raster.get_pixel_mut(x, y);
        // Straight-alpha "over".
        let da = f64::from(dst[3]) / 255.0;
        let out_a = alpha + da * (1.0 - alpha);
        let mix = |d: u8, s: u8| {
            ((f64::from(s) * alpha + f64::from(d) * da * (1.0 - alpha)) / out_a).round() as u8
        };
        *dst = image::Rgba([
            mix(dst[0], color.r),
            mix(dst[1], color.g),
            mix(dst[2], color.b),
            (out_a * 255.0).round() as u8,
        ]);
        self.dirty = Some(match self.dirty {
            None => (x, y, x + 1, y + 1),
            Some((x0, y0, x1, y1)) => (x0.min(x), y0.min(y), x1.max(x + 1), y1.max(y + 1)),
        });
    }

    /// Ends a layer: the raster pixels drawn since the last flush (as one embedded PNG
    /// of their bounding box), then the vector elements drawn since then.
    pub fn flush(&mut self) {
        if let (Some(raster), Some((x0, y0, x1, y1))) = (self.raster.take(), self.dirty.take()) {
            let crop = image::imageops::crop_imm(&raster, x0, y0, x1 - x0, y1 - y0).to_image();
            let mut png = Vec::new();
            if crop
                .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
                .is_ok()
            {
                let _ = writeln!(
                    self.done,
                    r#"<image x="{x0}" y="{y0}" width="{}" height="{}" preserveAspectRatio="none" style="image-rendering:pixelated" href="data:image/png;base64,{}"/>"#,
                    x1 - x0,
                    y1 - y0,
                    base64(&png)
                );
            }
        }
        self.done.push_str(&std::mem::take(&mut self.pending));
    }

    /// The finished document.
    pub fn finish(mut self) -> String {
        self.flush();
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\">\n{}</svg>\n",
            self.done,
            w = self.width,
            h = self.height
        )
    }
}

/// `#rrggbb`.
fn rgb(c: Color) -> String {
    format!("#{:02x}{:02x}{:02x}", c.r, c.g, c.b)
}

fn opacity(c: Color) -> String {
    num(f64::from(c.a) / 255.0)
}

/// A coordinate with at most 3 decimals (a thousandth of a pixel), no trailing zeros.
fn num(v: f64) -> String {
    if !v.is_finite() {
        return "0".into();
    }
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

fn path_data(path: &BezPath) -> String {
    use vello_cpu::kurbo::PathEl;
    let mut d = String::new();
    let p = |pt: vello_cpu::kurbo::Point| format!("{} {}", num(pt.x), num(pt.y));
    for el in path.elements() {
        if !d.is_empty() {
            d.push(' ');
        }
        match el {
            PathEl::MoveTo(a) => {
                let _ = write!(d, "M{}", p(*a));
            }
            PathEl::LineTo(a) => {
                let _ = write!(d, "L{}", p(*a));
            }
            PathEl::QuadTo(a, b) => {
                let _ = write!(d, "Q{} {}", p(*a), p(*b));
            }
            PathEl::CurveTo(a, b, c) => {
                let _ = write!(d, "C{} {} {}", p(*a), p(*b), p(*c));
            }
            PathEl::ClosePath => d.push('Z'),
        }
    }
    d
}

/// Text made safe inside an XML attribute.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 forbids most control characters even escaped.
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Standard base64 with padding (RFC 4648).
pub fn base64(bytes: &[u8]) -> String {
    const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(TABLE[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 4648 §10 test vectors.
    #[test]
    fn base64_matches_the_rfc_vectors() {
        for (plain, encoded) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), encoded);
        }
    }

    #[test]
    fn raster_pixels_go_under_the_vectors_drawn_before_the_flush() {
        let mut svg = SvgLayer::new(10, 10, Some(Color::WHITE));
        let mut line = BezPath::new();
        line.move_to((0.0, 0.0));
        line.line_to((9.0, 9.0));
        svg.path(
            &line,
            &Paint {
                fill: None,
                stroke: Some(&LineStyle::solid(Color::BLACK, 1.0)),
                transform: Affine::IDENTITY,
                label: Some("a <b>"),
            },
        );
        svg.blend_pixel(2, 3, Color::rgb(255, 0, 0), 1.0);
        let doc = svg.finish();
        let image = doc.find("<image").unwrap();
        let path = doc.find("<path").unwrap();
        assert!(image < path, "{doc}");
        assert!(doc.contains(r#"x="2" y="3" width="1" height="1""#), "{doc}");
        assert!(doc.contains(r#"aria-label="a &lt;b&gt;""#), "{doc}");
    }
}
