//! A small drawing surface for figures: a raster layer (heatmaps, per-pixel overlays)
//! under anti-aliased vector layers (lines, markers, text) drawn with `vello_cpu`, and
//! text from glyph outlines of the Ubuntu font that egui ships (via `skrifa`).

use super::svg::{Paint, SvgLayer};
use crate::core::limits::{MAX_FIGURE_TEXT_CHARS, shown};
use crate::draw::style::Theme;
use skrifa::instance::{LocationRef, Size};
use skrifa::outline::{DrawSettings, OutlinePen};
use skrifa::{FontRef, MetadataProvider};
use vello_cpu::color::{AlphaColor, PremulRgba8, Srgb};
use vello_cpu::kurbo::{Affine, BezPath, Cap, Join, Rect, Shape, Stroke};
use vello_cpu::{CompositeMode, Pixmap, RasterizerSettings, RenderContext, RenderMode, Resources};

/// A straight-alpha sRGB color.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Color {
    pub r: u8,
    pub g: u8,
    pub b: u8,
    pub a: u8,
}

impl Color {
    pub const BLACK: Color = Color::rgb(0, 0, 0);
    pub const WHITE: Color = Color::rgb(255, 255, 255);

    pub const fn rgb(r: u8, g: u8, b: u8) -> Self {
        Self { r, g, b, a: 255 }
    }

    /// The same color with opacity `alpha` in [0, 1].
    #[must_use]
    pub fn alpha(self, alpha: f64) -> Self {
        Self {
            a: (alpha.clamp(0.0, 1.0) * 255.0).round() as u8,
            ..self
        }
    }

    pub fn from_colorous(c: colorous::Color) -> Self {
        Self::rgb(c.r, c.g, c.b)
    }

    fn paint(self) -> AlphaColor<Srgb> {
        AlphaColor::from_rgba8(self.r, self.g, self.b, self.a)
    }
}

/// Horizontal anchor of a text label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HAlign {
    Left,
    Center,
    Right,
}

/// Vertical anchor of a text label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VAlign {
    /// The top of capital letters.
    Top,
    /// Half the cap height.
    Middle,
    Baseline,
}

/// How a line is drawn.
#[derive(Clone, Debug)]
pub struct LineStyle {
    pub color: Color,
    pub width: f64,
    /// Dash and gap lengths in pixels; empty for a solid line.
    pub dashes: Vec<f64>,
    pub dash_offset: f64,
}

impl LineStyle {
    pub fn solid(color: Color, width: f64) -> Self {
        Self {
            color,
            width,
            dashes: Vec::new(),
            dash_offset: 0.0,
        }
    }

    pub fn dashed(color: Color, width: f64, dashes: &[f64]) -> Self {
        Self {
            color,
            width,
            dashes: dashes.to_vec(),
            dash_offset: 0.0,
        }
    }
}

/// The embedded font: Ubuntu Light, as shipped with egui (`epaint_default_fonts`).
const FONT_BYTES: &[u8] = epaint_default_fonts::UBUNTU_LIGHT;

/// Raster pixels plus a pending vector layer.
pub struct Canvas {
    width: u16,
    height: u16,
    pixmap: Pixmap,
    ctx: RenderContext,
    resources: Resources,
    font: FontRef<'static>,
    /// Set when the canvas writes SVG instead of rasterizing.
    svg: Option<SvgLayer>,
    /// The colors of text and axes ([`Self::set_theme`]).
    theme: Theme,
}

impl Canvas {
    /// A canvas filled with an opaque background.
    pub fn new(width: u32, height: u32, background: Color) -> Self {
        let (w, h) = (
            u16::try_from(width).expect("figure width fits u16"),
            u16::try_from(height).expect("figure height fits u16"),
        );
        let px = PremulRgba8 {
            r: background.r,
            g: background.g,
            b: background.b,
            a: 255,
        };
        let pixmap = Pixmap::from_parts(vec![px; usize::from(w) * usize::from(h)], w, h);
        Self {
            width: w,
            height: h,
            pixmap,
            ctx: RenderContext::new(w, h),
            resources: Resources::new(),
            font: FontRef::new(FONT_BYTES).expect("the embedded font parses"),
            svg: None,
            theme: Theme::Light,
        }
    }

    /// A canvas that writes SVG ([`Self::into_svg`]): the same calls, vector output,
    /// raster layers embedded as PNG images. `background` `None` is transparent.
    pub fn new_svg(width: u32, height: u32, background: Option<Color>) -> Self {
        // The pixmap is unused; a 1×1 one keeps the type simple.
        let mut canvas = Self::new(1, 1, Color::WHITE);
        canvas.width = u16::try_from(width).expect("figure width fits u16");
        canvas.height = u16::try_from(height).expect("figure height fits u16");
        canvas.svg = Some(SvgLayer::new(width, height, background));
        canvas
    }

    /// Draws text and axes in `theme`'s ink from now on (the background is the caller's).
    pub fn set_theme(&mut self, theme: Theme) {
        self.theme = theme;
    }

    pub fn theme(&self) -> Theme {
        self.theme
    }

    /// The color of text, axes, frames and ticks.
    pub fn ink(&self) -> Color {
        let [r, g, b] = self.theme.ink();
        Color::rgb(r, g, b)
    }

    /// The color of secondary text.
    pub fn muted_ink(&self) -> Color {
        let [r, g, b] = self.theme.muted_ink();
        Color::rgb(r, g, b)
    }

    /// The color of a single curve (one-line plots).
    pub fn line_color(&self) -> Color {
        let [r, g, b] = self.theme.line();
        Color::rgb(r, g, b)
    }

    /// The finished SVG document (`None` for a raster canvas).
    pub fn into_svg(mut self) -> Option<String> {
        self.svg.take().map(SvgLayer::finish)
    }

    /// Opens a named group in SVG output (nothing in raster output).
    pub fn begin_group(&mut self, id: &str) {
        if let Some(svg) = &mut self.svg {
            svg.begin_group(id);
        }
    }

    /// Closes the group of [`Self::begin_group`].
    pub fn end_group(&mut self) {
        if let Some(svg) = &mut self.svg {
            svg.end_group();
        }
    }

    pub fn width(&self) -> u32 {
        u32::from(self.width)
    }

    pub fn height(&self) -> u32 {
        u32::from(self.height)
    }

    /// Blends `color` over raster pixel (x, y) with coverage `coverage` in [0, 1].
    /// Call [`Self::flush`] first if vector drawing should lie underneath.
    pub fn blend_pixel(&mut self, x: u32, y: u32, color: Color, coverage: f64) {
        if let Some(svg) = &mut self.svg {
            svg.blend_pixel(x, y, color, coverage);
            return;
        }
        if x >= self.width() || y >= self.height() {
            return;
        }
        let alpha = f64::from(color.a) / 255.0 * coverage.clamp(0.0, 1.0);
        if alpha <= 0.0 {
            return;
        }
        let idx = y as usize * usize::from(self.width) + x as usize;
        let dst = &mut self.pixmap.data_mut()[idx];
        let mix =
            |d: u8, s: u8| (f64::from(d) * (1.0 - alpha) + f64::from(s) * alpha).round() as u8;
        // The background is opaque, so premultiplied and straight values coincide.
        *dst = PremulRgba8 {
            r: mix(dst.r, color.r),
            g: mix(dst.g, color.g),
            b: mix(dst.b, color.b),
            a: 255,
        };
    }

    /// Rasterizes the pending vector drawing onto the pixels (so later raster work lies on
    /// top of it) and starts an empty vector layer.
    pub fn flush(&mut self) {
        if let Some(svg) = &mut self.svg {
            svg.flush();
            return;
        }
        self.ctx.flush();
        let settings = RasterizerSettings {
            render_mode: RenderMode::OptimizeQuality,
            composite_mode: CompositeMode::SrcOver,
            ..RasterizerSettings::default()
        };
        self.ctx
            .render_with(&mut self.pixmap, &mut self.resources, settings);
        self.ctx.reset();
    }

    /// The finished image (flushes pending vector drawing).
    pub fn into_image(mut self) -> image::RgbaImage {
        self.flush();
        let (w, h) = (self.width(), self.height());
        let bytes: Vec<u8> = self
            .pixmap
            .take_unpremultiplied()
            .into_iter()
            .flat_map(|p| [p.r, p.g, p.b, p.a])
            .collect();
        image::RgbaImage::from_raw(w, h, bytes).expect("buffer matches the size")
    }

    /// Clips subsequent vector drawing to `rect` until [`Self::pop_clip`].
    pub fn push_clip(&mut self, rect: Rect) {
        if let Some(svg) = &mut self.svg {
            svg.push_clip(rect);
            return;
        }
        self.ctx.push_clip_layer(&rect.to_path(0.1));
    }

    pub fn pop_clip(&mut self) {
        if let Some(svg) = &mut self.svg {
            svg.pop_clip();
            return;
        }
        self.ctx.pop_layer();
    }

    /// Strokes a path.
    pub fn stroke(&mut self, path: &BezPath, style: &LineStyle) {
        if style.width <= 0.0 || style.color.a == 0 {
            return;
        }
        if let Some(svg) = &mut self.svg {
            svg.path(
                path,
                &Paint {
                    fill: None,
                    stroke: Some(style),
                    transform: Affine::IDENTITY,
                    label: None,
                },
            );
            return;
        }
        let mut stroke = Stroke::new(style.width)
            .with_caps(Cap::Round)
            .with_join(Join::Round);
        if !style.dashes.is_empty() {
            stroke = stroke
                .with_caps(Cap::Butt)
                .with_dashes(style.dash_offset, style.dashes.iter().copied());
        }
        self.ctx.set_transform(Affine::IDENTITY);
        self.ctx.set_stroke(stroke);
        self.ctx.set_paint(style.color.paint());
        self.ctx.stroke_path(path);
    }

    /// Strokes a polyline given in pixel coordinates.
    pub fn polyline(&mut self, points: &[(f64, f64)], style: &LineStyle) {
        if points.len() < 2 {
            return;
        }
        self.stroke(&polyline_path(points), style);
    }

    /// Fills a path.
    pub fn fill(&mut self, path: &BezPath, color: Color) {
        if let Some(svg) = &mut self.svg {
            svg.path(
                path,
                &Paint {
                    fill: Some(color),
                    stroke: None,
                    transform: Affine::IDENTITY,
                    label: None,
                },
            );
            return;
        }
        self.ctx.set_transform(Affine::IDENTITY);
        self.ctx.set_paint(color.paint());
        self.ctx.fill_path(path);
    }

    pub fn fill_rect(&mut self, rect: Rect, color: Color) {
        if self.svg.is_some() {
            self.fill(&rect.to_path(0.1), color);
            return;
        }
        self.ctx.set_transform(Affine::IDENTITY);
        self.ctx.set_paint(color.paint());
        self.ctx.fill_rect(&rect);
    }

    /// A filled circle with an outline.
    pub fn circle(
        &mut self,
        center: (f64, f64),
        radius: f64,
        fill: Color,
        outline: Option<(Color, f64)>,
    ) {
        let path = vello_cpu::kurbo::Circle::new(center, radius).to_path(0.05);
        self.fill(&path, fill);
        if let Some((color, width)) = outline {
            self.stroke(&path, &LineStyle::solid(color, width));
        }
    }

    /// Width in pixels of `text` (with the `^{…}`/`_{…}` markup of [`Self::text`]).
    pub fn text_width(&self, text: &str, size_px: f64) -> f64 {
        runs(&bounded(text))
            .iter()
            .map(|r| self.run_width(&r.text, size_px * r.script.scale()))
            .sum()
    }

    /// Cap height in pixels at `size_px`.
    pub fn cap_height(&self, size_px: f64) -> f64 {
        let m = self
            .font
            .metrics(Size::new(size_px as f32), LocationRef::default());
        f64::from(m.cap_height.unwrap_or(m.ascent * 0.7))
    }

    /// Draws `text` anchored at (x, y), rotated by `angle` radians (counterclockwise on
    /// screen) about the anchor. `^{…}` and `_{…}` set superscripts and subscripts.
    /// Ubuntu Light is thin; `weight` (in pixels) strokes the outlines to embolden them.
    #[allow(clippy::too_many_arguments)]
    pub fn text(
        &mut self,
        text: &str,
        (x, y): (f64, f64),
        size_px: f64,
        color: Color,
        (h, v): (HAlign, VAlign),
        angle: f64,
        weight: f64,
    ) {
        let text = &bounded(text);
        let width = self.text_width(text, size_px);
        let dx = match h {
            HAlign::Left => 0.0,
            HAlign::Center => -width / 2.0,
            HAlign::Right => -width,
        };
        let cap = self.cap_height(size_px);
        let dy = match v {
            VAlign::Top => cap,
            VAlign::Middle => cap / 2.0,
            VAlign::Baseline => 0.0,
        };
        let mut path = BezPath::new();
        let mut pen_x = dx;
        for run in runs(text) {
            let size = size_px * run.script.scale();
            let baseline = dy + run.script.shift() * size_px;
            pen_x += self.append_run(&mut path, &run.text, size, (pen_x, baseline));
        }
        let transform = Affine::translate((x, y)) * Affine::rotate(-angle);
        if let Some(svg) = &mut self.svg {
            let outline = LineStyle::solid(color, weight);
            svg.path(
                &path,
                &Paint {
                    fill: Some(color),
                    stroke: (weight > 0.0).then_some(&outline),
                    transform,
                    label: Some(text),
                },
            );
            return;
        }
        self.ctx.set_transform(transform);
        self.ctx.set_paint(color.paint());
        self.ctx.fill_path(&path);
        if weight > 0.0 {
            self.ctx
                .set_stroke(Stroke::new(weight).with_join(Join::Round));
            self.ctx.stroke_path(&path);
        }
        self.ctx.set_transform(Affine::IDENTITY);
    }

    fn glyph(&self, ch: char) -> skrifa::GlyphId {
        let charmap = self.font.charmap();
        charmap
            .map(ch)
            .or_else(|| match ch {
                '−' => charmap.map('-'),
                _ => charmap.map('?'),
            })
            .unwrap_or_default()
    }

    fn run_width(&self, text: &str, size_px: f64) -> f64 {
        let metrics = self
            .font
            .glyph_metrics(Size::new(size_px as f32), LocationRef::default());
        text.chars()
            .map(|c| f64::from(metrics.advance_width(self.glyph(c)).unwrap_or(0.0)))
            .sum()
    }

    /// Appends the outlines of `text` at `origin` (baseline, y down); returns the advance.
    fn append_run(&self, path: &mut BezPath, text: &str, size_px: f64, origin: (f64, f64)) -> f64 {
        let size = Size::new(size_px as f32);
        let metrics = self.font.glyph_metrics(size, LocationRef::default());
        let outlines = self.font.outline_glyphs();
        let mut x = origin.0;
        for c in text.chars() {
            let id = self.glyph(c);
            if let Some(outline) = outlines.get(id) {
                let mut pen = PathPen {
                    path,
                    origin: (x, origin.1),
                };
                // A glyph that fails to draw is left out rather than failing the figure.
                let _ = outline.draw(
                    DrawSettings::unhinted(size, LocationRef::default()),
                    &mut pen,
                );
            }
            x += f64::from(metrics.advance_width(id).unwrap_or(0.0));
        }
        x - origin.0
    }
}

/// A path through `points` (pixel coordinates).
pub fn polyline_path(points: &[(f64, f64)]) -> BezPath {
    let mut path = BezPath::new();
    for (i, &p) in points.iter().enumerate() {
        if i == 0 {
            path.move_to(p);
        } else {
            path.line_to(p);
        }
    }
    path
}

/// Collects a glyph outline (y up, font units scaled to pixels) into a path (y down).
struct PathPen<'a> {
    path: &'a mut BezPath,
    origin: (f64, f64),
}

impl PathPen<'_> {
    fn map(&self, x: f32, y: f32) -> (f64, f64) {
        (self.origin.0 + f64::from(x), self.origin.1 - f64::from(y))
    }
}

impl OutlinePen for PathPen<'_> {
    fn move_to(&mut self, x: f32, y: f32) {
        let p = self.map(x, y);
        self.path.move_to(p);
    }

    fn line_to(&mut self, x: f32, y: f32) {
        let p = self.map(x, y);
        self.path.line_to(p);
    }

    fn quad_to(&mut self, cx0: f32, cy0: f32, x: f32, y: f32) {
        let (c, p) = (self.map(cx0, cy0), self.map(x, y));
        self.path.quad_to(c, p);
    }

    fn curve_to(&mut self, cx0: f32, cy0: f32, cx1: f32, cy1: f32, x: f32, y: f32) {
        let (c0, c1, p) = (self.map(cx0, cy0), self.map(cx1, cy1), self.map(x, y));
        self.path.curve_to(c0, c1, p);
    }

    fn close(&mut self) {
        self.path.close_path();
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Script {
    Normal,
    Super,
    Sub,
}

impl Script {
    fn scale(self) -> f64 {
        if self == Script::Normal { 1.0 } else { 0.7 }
    }

    /// Baseline shift as a fraction of the main size (y down).
    fn shift(self) -> f64 {
        match self {
            Script::Normal => 0.0,
            Script::Super => -0.38,
            Script::Sub => 0.16,
        }
    }
}

struct Run {
    text: String,
    script: Script,
}

/// Splits `a^{b}c_{d}` into runs of normal, superscript and subscript text.
fn runs(text: &str) -> Vec<Run> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let next = ["^{", "_{"]
            .iter()
            .filter_map(|m| rest.find(m).map(|p| (p, *m)))
            .min();
        let Some((pos, marker)) = next else {
            out.push(Run {
                text: rest.to_string(),
                script: Script::Normal,
            });
            break;
        };
        let Some(close) = rest[pos..].find('}') else {
            out.push(Run {
                text: rest.to_string(),
                script: Script::Normal,
            });
            break;
        };
        if pos > 0 {
            out.push(Run {
                text: rest[..pos].to_string(),
                script: Script::Normal,
            });
        }
        out.push(Run {
            text: rest[pos + 2..pos + close].to_string(),
            script: if marker == "^{" {
                Script::Super
            } else {
                Script::Sub
            },
        });
        rest = &rest[pos + close + 1..];
    }
    out
}

/// Any one text drawn, cut to [`MAX_FIGURE_TEXT_CHARS`] with control characters escaped:
/// laying out a megabyte of glyphs took gigabytes, whoever passed it.
fn bounded(text: &str) -> std::borrow::Cow<'_, str> {
    if text.len() <= MAX_FIGURE_TEXT_CHARS && !text.chars().any(char::is_control) {
        std::borrow::Cow::Borrowed(text)
    } else {
        std::borrow::Cow::Owned(shown(text, MAX_FIGURE_TEXT_CHARS))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_splits_into_scripts() {
        let r = runs("10^{−3} and x_{0}!");
        let parts: Vec<(&str, Script)> = r.iter().map(|r| (r.text.as_str(), r.script)).collect();
        assert_eq!(
            parts,
            vec![
                ("10", Script::Normal),
                ("−3", Script::Super),
                (" and x", Script::Normal),
                ("0", Script::Sub),
                ("!", Script::Normal)
            ]
        );
    }

    #[test]
    fn text_is_drawn_with_ink() {
        let mut canvas = Canvas::new(80, 30, Color::WHITE);
        canvas.text(
            "θ = 1",
            (4.0, 15.0),
            16.0,
            Color::BLACK,
            (HAlign::Left, VAlign::Middle),
            0.0,
            0.0,
        );
        let img = canvas.into_image();
        let dark = img.pixels().filter(|p| p[0] < 128).count();
        assert!(dark > 20, "only {dark} dark pixels");
    }
}
