//! The whole window drawn again offscreen at a chosen scale, for "Export… → the whole
//! window": a fresh [`BasinscopeApp`] on a copy of the scene, the views' arrangement,
//! the focused view, the tour's page and egui's memory (panel sizes, scroll positions),
//! run headless by egui_kittest's harness at `scale` pixels per point and rendered with
//! wgpu into a picture of the window's size times the scale. Every glyph, line and
//! slice picture is drawn at that resolution, not upscaled from the screen's pixels.
//!
//! It runs on the `basinscope-export` thread, on its own wgpu device, and never writes
//! the settings file (the copy has no settings path).

use std::time::{Duration, Instant};

use egui_kittest::Harness;

use super::tiles::{Layout, ViewTiles};
use super::{BasinscopeApp, ViewTab};
use crate::core::Scene;
use crate::core::limits::IMAGE_SIDE;
use crate::core::scene::ViewKind;
use crate::core::tour::Tour;

/// Frames stepped at most while the views' pictures catch up.
const MAX_FRAMES: usize = 400;
/// Time given at most to the views' pictures (a software rasterizer is slow).
const MAX_WAIT: Duration = Duration::from_mins(1);
/// Frames with every picture current before the picture is taken (the last ones
/// upload the glyphs and textures the first laid out).
const SETTLED_FRAMES: usize = 3;

/// What the window looked like when the export was asked for.
pub struct WindowCopy {
    pub scene: Scene,
    /// The window's size in points.
    pub size: egui::Vec2,
    pub theme: egui::Theme,
    /// egui's memory: panel sizes, scroll positions, the tiles' shares.
    pub memory: egui::Memory,
    pub layout: Option<Layout>,
    pub active_view: ViewTab,
    pub speed: usize,
    pub tour: Option<TourCopy>,
}

/// The tour's page, when its panel is open.
pub struct TourCopy {
    pub tour: Option<Tour>,
    pub current: usize,
    pub entered: Option<usize>,
    pub visited: Vec<ViewKind>,
    pub folder_text: String,
}

impl WindowCopy {
    /// A copy of `app`'s window as it is now.
    pub fn of(app: &BasinscopeApp) -> Self {
        let ctx = &app.ctx;
        let t = &app.tour;
        Self {
            scene: app.state.scene_to_save(),
            size: ctx.content_rect().size(),
            theme: ctx.theme(),
            memory: ctx.memory(|m| {
                let mut m = m.clone();
                // The size above is in zoomed points already; the copy draws it at
                // exactly `scale` pixels per point.
                m.options.zoom_factor = 1.0;
                // The window's styles have see-through panels over a cleared frame; the
                // copy clears to transparent, so it paints them again.
                if let Some(backdrop) = &app.backdrop {
                    backdrop.restore(&mut m.options);
                }
                m
            }),
            layout: app.tiles.layout(),
            active_view: app.state.active_view,
            speed: app.state.speed,
            tour: t.open.then(|| TourCopy {
                tour: t.tour.clone(),
                current: t.current,
                entered: t.entered,
                visited: t.visited.clone(),
                folder_text: t.folder_text.clone(),
            }),
        }
    }

    /// The picture's size in pixels at `scale`, or the sentence refusing it (before
    /// anything is allocated).
    pub fn pixel_size(&self, scale: u32) -> Result<[u32; 2], String> {
        pixel_size_of(self.size, scale)
    }
}

/// The pixel size of a window of `size` points at `scale`, checked against
/// [`IMAGE_SIDE`].
fn pixel_size_of(size: egui::Vec2, scale: u32) -> Result<[u32; 2], String> {
    // The window's sides are at most a few thousand points.
    let side = |points: f32| (points.max(1.0) * scale as f32).round() as u32;
    let (w, h) = (side(size.x), side(size.y));
    if IMAGE_SIDE.contains(&w) && IMAGE_SIDE.contains(&h) {
        Ok([w, h])
    } else {
        Err(format!(
            "the window at {scale}× would be {w}×{h} pixels; each side must be between {} and {} pixels",
            IMAGE_SIDE.start(),
            IMAGE_SIDE.end()
        ))
    }
}

/// Draws `copy` offscreen at `scale` pixels per point and returns the picture
/// (premultiplied alpha; the window is opaque). A missing adapter or a failing renderer
/// is one sentence.
pub fn render_window(copy: WindowCopy, scale: u32) -> Result<image::RgbaImage, String> {
    copy.pixel_size(scale)?;
    let render_state = render_state()?;
    // The harness's builder and steps panic on what the app never does (a missing glyph
    // is allowed below); a panic still becomes a sentence, not a lost export thread.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(move || {
        draw(copy, scale, render_state)
    }))
    .unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| panic.downcast_ref::<&str>().copied())
            .unwrap_or("unknown reason");
        Err(format!("the offscreen renderer failed: {why}"))
    })
}

/// A wgpu device of its own for the export (the window's renderer keeps drawing on its
/// own meanwhile), on the adapter wgpu prefers.
fn render_state() -> Result<egui_wgpu::RenderState, String> {
    let mut setup = egui_wgpu::WgpuSetupCreateNew::without_display_handle();
    setup
        .instance_descriptor
        .backends
        .remove(wgpu::Backends::BROWSER_WEBGPU);
    let setup = egui_wgpu::WgpuSetup::CreateNew(setup);
    let instance = pollster::block_on(setup.new_instance());
    pollster::block_on(egui_wgpu::RenderState::create(
        &egui_wgpu::WgpuConfiguration {
            wgpu_setup: setup,
            ..Default::default()
        },
        &instance,
        None,
        egui_wgpu::RendererOptions::PREDICTABLE,
    ))
    .map_err(|e| format!("cannot render the window offscreen: no usable GPU adapter ({e})"))
}

fn draw(
    copy: WindowCopy,
    scale: u32,
    render_state: egui_wgpu::RenderState,
) -> Result<image::RgbaImage, String> {
    let WindowCopy {
        scene,
        size,
        theme,
        memory,
        layout,
        active_view,
        speed,
        tour,
    } = copy;
    let pixels_per_point = scale as f32;
    let mut harness = Harness::builder()
        .with_size(size)
        .with_pixels_per_point(pixels_per_point)
        .with_theme(theme)
        .with_accessibility_check(false)
        .allow_missing_glyphs()
        .with_render_cursor(false)
        .with_context_setup(move |ctx| ctx.memory_mut(|m| *m = memory))
        .renderer(egui_kittest::wgpu::WgpuTestRenderer::from_render_state(
            render_state,
        ))
        .build_eframe(move |cc| {
            let mut app = BasinscopeApp::new(cc, scene).map_err(|e| e.to_string());
            if let Ok(app) = &mut app {
                if let Some(tiles) = layout.as_ref().and_then(ViewTiles::from_layout) {
                    app.tiles = tiles;
                }
                app.state.active_view = active_view;
                app.state.speed = speed;
                if let Some(t) = tour {
                    app.tour.open = true;
                    app.tour.tour = t.tour;
                    app.tour.current = t.current;
                    app.tour.entered = t.entered;
                    app.tour.visited = t.visited;
                    app.tour.folder_text = t.folder_text;
                }
            }
            Started(app)
        });
    if let Err(e) = &harness.state().0 {
        return Err(format!("cannot start the app offscreen: {e}"));
    }
    let start = Instant::now();
    let mut settled = 0;
    for _ in 0..MAX_FRAMES {
        harness.step();
        let current = harness
            .state()
            .0
            .as_ref()
            .is_ok_and(BasinscopeApp::pictures_are_current);
        settled = if current { settled + 1 } else { 0 };
        if settled >= SETTLED_FRAMES || start.elapsed() > MAX_WAIT {
            break;
        }
        // Time for the views' background jobs.
        std::thread::sleep(Duration::from_millis(20));
    }
    if settled < SETTLED_FRAMES {
        log::warn!("the window's pictures were not all current when it was exported");
    }
    harness.render()
}

/// The app, or why it could not start (its worker thread).
struct Started(Result<BasinscopeApp, String>);

impl eframe::App for Started {
    fn logic(&mut self, ctx: &egui::Context, frame: &mut eframe::Frame) {
        if let Ok(app) = &mut self.0 {
            app.logic(ctx, frame);
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, frame: &mut eframe::Frame) {
        if let Ok(app) = &mut self.0 {
            app.ui(ui, frame);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sizes beyond [`IMAGE_SIDE`] are refused with a sentence naming the size.
    #[test]
    fn a_window_too_large_at_its_scale_is_refused_before_drawing() {
        let size = egui::vec2(1280.0, 800.0);
        assert_eq!(pixel_size_of(size, 2), Ok([2560, 1600]));
        assert_eq!(pixel_size_of(size, 3), Ok([3840, 2400]));
        let huge = egui::vec2(*IMAGE_SIDE.end() as f32 / 3.0 + 1.0, 800.0);
        let err = pixel_size_of(huge, 3).unwrap_err();
        assert!(err.contains("each side must be between"), "{err}");
        assert!(pixel_size_of(huge, 2).is_ok());
    }
}
