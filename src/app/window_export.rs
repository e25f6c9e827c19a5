//! Export of the whole window as a PNG, written on the `basinscope-export` thread with
//! [`write_atomically`], as figure exports are. By default the window is drawn again
//! offscreen at a chosen scale ([`super::window_offscreen`]: 2× gives twice the
//! window's pixels in each direction, every glyph and picture drawn at that resolution);
//! "at screen resolution" takes the window's own frame instead, asked of the renderer
//! with [`egui::ViewportCommand::Screenshot`] (in the frame after the export window
//! closed, so it is not in the picture).

use std::path::{Path, PathBuf};
use std::sync::mpsc::Sender;

use crate::core::Scene;
use crate::core::files::{check_distinct_outputs, check_output_target, write_atomically};
use crate::core::limits::quote;

/// How the whole window is exported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WindowScale {
    /// Drawn again offscreen at this many pixels per point (1 to 3).
    Offscreen(u32),
    /// The window's own frame, at the screen's pixels.
    Screen,
}

impl WindowScale {
    /// The dialog's choices.
    pub const ALL: [Self; 4] = [
        Self::Offscreen(1),
        Self::Offscreen(2),
        Self::Offscreen(3),
        Self::Screen,
    ];

    /// The dialog's label.
    pub fn label(self) -> String {
        match self {
            Self::Offscreen(s) => format!("{s}×"),
            Self::Screen => "at screen resolution".into(),
        }
    }
}

/// What a whole-window export writes: the picture at `path` (a `.png`) and, when
/// `scene` is given, the scene beside it (`STEM.scene.json`).
pub struct WindowExport {
    pub path: PathBuf,
    pub scene: Option<Scene>,
}

impl WindowExport {
    /// The scene's path beside the picture.
    fn scene_path(&self) -> PathBuf {
        PathBuf::from(format!(
            "{}.scene.json",
            self.path.with_extension("").display()
        ))
    }

    /// Refuses folders, devices and missing folders in the outputs' places before the
    /// screenshot is asked for.
    pub fn check(&self) -> Result<(), String> {
        let scene_path = self.scene_path();
        let mut outputs: Vec<(&str, &Path)> = vec![("the picture", &self.path)];
        if self.scene.is_some() {
            outputs.push(("the scene", &scene_path));
        }
        for (label, path) in &outputs {
            check_output_target(label, path).map_err(|e| e.to_string())?;
        }
        check_distinct_outputs(&[], &outputs).map_err(|e| e.to_string())
    }

    /// Writes `image` (and the scene); returns the paths written.
    pub fn write(&self, image: &egui::ColorImage) -> Result<Vec<PathBuf>, String> {
        let bytes = png_bytes(image).map_err(|e| format!("cannot encode the picture: {e}"))?;
        self.write_png(&bytes)
    }

    /// Writes an offscreen picture of the window (opaque, so its colors need no
    /// unpremultiplying) and the scene; returns the paths written.
    pub fn write_rgba(&self, image: &image::RgbaImage) -> Result<Vec<PathBuf>, String> {
        let mut bytes = Vec::new();
        image
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .map_err(|e| format!("cannot encode the picture: {e}"))?;
        self.write_png(&bytes)
    }

    fn write_png(&self, bytes: &[u8]) -> Result<Vec<PathBuf>, String> {
        let fail = |path: &Path, e: &dyn std::fmt::Display| {
            format!("cannot write {}: {e}", quote(&path.display().to_string()))
        };
        write_atomically(&self.path, bytes).map_err(|e| fail(&self.path, &e))?;
        let mut written = vec![self.path.clone()];
        if let Some(scene) = &self.scene {
            let scene_path = self.scene_path();
            scene.save(&scene_path).map_err(|e| fail(&scene_path, &e))?;
            written.push(scene_path);
        }
        Ok(written)
    }
}

/// Asks the renderer for the window's next frame; when it arrives, writes it on the
/// `basinscope-export` thread and sends the result on `tx` (a dropped request, as
/// without a renderer, drops `tx`, which the receiver hears as "no result").
pub fn request_window_picture(
    ctx: &egui::Context,
    export: WindowExport,
    tx: Sender<Result<Vec<PathBuf>, String>>,
) {
    let repaint = ctx.clone();
    let callback = egui::ScreenshotCallback::new(move |image| {
        let spawned = std::thread::Builder::new()
            .name("basinscope-export".into())
            .spawn(move || {
                let _ = tx.send(export.write(&image));
                repaint.request_repaint();
            });
        if let Err(e) = spawned {
            log::warn!("cannot start the export thread: {e}");
        }
    });
    ctx.send_viewport_cmd(egui::ViewportCommand::Screenshot(callback));
    ctx.request_repaint();
}

/// Draws the window offscreen at `scale` on the `basinscope-export` thread and writes
/// it; the result (or why not) is sent on `tx`.
pub fn spawn_offscreen_export(
    ctx: &egui::Context,
    copy: super::window_offscreen::WindowCopy,
    scale: u32,
    export: WindowExport,
    tx: Sender<Result<Vec<PathBuf>, String>>,
) -> std::io::Result<()> {
    let repaint = ctx.clone();
    std::thread::Builder::new()
        .name("basinscope-export".into())
        .spawn(move || {
            let result = super::window_offscreen::render_window(copy, scale)
                .and_then(|image| export.write_rgba(&image));
            let _ = tx.send(result);
            repaint.request_repaint();
        })
        .map(drop)
}

/// `image` as PNG bytes (egui's colors are premultiplied; the PNG's are not).
pub fn png_bytes(image: &egui::ColorImage) -> Result<Vec<u8>, image::ImageError> {
    let [w, h] = image.size;
    let rgba: Vec<u8> = image
        .pixels
        .iter()
        .flat_map(egui::Color32::to_srgba_unmultiplied)
        .collect();
    let (w, h) = (
        u32::try_from(w).unwrap_or(u32::MAX),
        u32::try_from(h).unwrap_or(u32::MAX),
    );
    let buffer = image::RgbaImage::from_raw(w, h, rgba).ok_or_else(|| {
        image::ImageError::Parameter(image::error::ParameterError::from_kind(
            image::error::ParameterErrorKind::DimensionMismatch,
        ))
    })?;
    let mut bytes = Vec::new();
    buffer.write_to(
        &mut std::io::Cursor::new(&mut bytes),
        image::ImageFormat::Png,
    )?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The PNG decodes to the window's pixels, unpremultiplied.
    #[test]
    fn a_window_picture_is_written_as_the_png_of_its_pixels() {
        let pixels = vec![
            egui::Color32::from_rgb(255, 0, 0),
            egui::Color32::from_rgba_unmultiplied(0, 200, 100, 128),
            egui::Color32::BLACK,
            egui::Color32::from_rgb(10, 20, 30),
            egui::Color32::WHITE,
            egui::Color32::TRANSPARENT,
        ];
        let image = egui::ColorImage::new([3, 2], pixels.clone());
        let dir = tempfile::tempdir().unwrap();
        let export = WindowExport {
            path: dir.path().join("window.png"),
            scene: Some(Scene::resolve("xor").unwrap()),
        };
        export.check().unwrap();
        let written = export.write(&image).unwrap();
        assert_eq!(written.len(), 2);
        let back = image::open(&written[0]).unwrap().to_rgba8();
        assert_eq!(back.dimensions(), (3, 2));
        for (p, c) in back.pixels().zip(&pixels) {
            let want = c.to_srgba_unmultiplied();
            for k in 0..4 {
                assert!(
                    (i32::from(p[k]) - i32::from(want[k])).abs() <= 1,
                    "{p:?} vs {want:?}"
                );
            }
        }
        assert!(written[1].ends_with("window.scene.json"));
        assert_eq!(Scene::load(&written[1]).unwrap().name, "xor");
    }
}
