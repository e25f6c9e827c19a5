//! Export from the app (Ctrl+E or "Export…" in the top bar): any view as a PNG at a
//! chosen size, drawn offscreen at that resolution by [`scene_figure`] (the code
//! `basinscope render` uses; the 3D slice and the terrain ray marched with the view's
//! camera), or as SVG for the figures, in the light or dark theme; optionally also the
//! scene that reproduces it (with its trajectory and loss history), the slices' raw
//! fields (.npy and sidecar) and the plot's data (CSV). The whole window (drawn again
//! offscreen at 1×, 2× or 3×, or at screen resolution) is [`super::window_export`]'s. Files are written with [`write_atomically`], so a failed
//! export keeps the old file. The export runs on its own named thread.

use std::path::{Path, PathBuf};

use super::scene_figure::{FigureSpec, FigureView, scene_figure, scene_title};
use super::state::{Action, ViewTab};
use super::window_export::WindowScale;
use crate::core::Scene;
use crate::core::files::{check_distinct_outputs, check_output_target, write_atomically};
use crate::core::limits::{IMAGE_SIDE, quote};
use crate::core::npy::{self, FieldExport};
use crate::draw::figure::{Format, Surface};
use crate::draw::style::Theme;
use crate::eval::FieldBackend;

/// What one export writes.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::struct_excessive_bools)] // one checkbox each
pub struct ExportRequest {
    pub view: FigureView,
    /// The whole window instead of `view` (PNG only; the size, theme, title and data
    /// options do not apply).
    pub whole_window: bool,
    /// How the whole window is drawn.
    pub window_scale: WindowScale,
    /// The figure's path; its extension is replaced by the format's.
    pub path: PathBuf,
    pub format: Format,
    pub width: u32,
    pub height: u32,
    pub transparent: bool,
    pub theme: Theme,
    /// Empty: the scene's name and description.
    pub title: String,
    /// Empty: the view's own subtitle.
    pub caption: String,
    /// Also write the scene (`STEM.scene.json`).
    pub write_scene: bool,
    /// Also write the slice's fields (`STEM.npy` and `STEM.json`) or the plot's CSV.
    pub write_data: bool,
}

/// The dialog's settings; kept between exports (and the folder, size and theme between
/// sessions, in the settings file).
#[derive(Clone, Debug)]
#[allow(clippy::struct_excessive_bools)] // one checkbox each
pub struct ExportDialog {
    pub open: bool,
    /// The view exported (the current tab when the dialog opens).
    pub view: FigureView,
    pub whole_window: bool,
    pub window_scale: WindowScale,
    pub folder: String,
    pub name: String,
    pub format: Format,
    pub width: u32,
    pub height: u32,
    pub transparent: bool,
    pub theme: Theme,
    pub title: String,
    pub caption: String,
    pub write_scene: bool,
    pub write_data: bool,
}

impl Default for ExportDialog {
    fn default() -> Self {
        Self {
            open: false,
            view: FigureView::Slice2d,
            whole_window: false,
            window_scale: WindowScale::Offscreen(2),
            folder: std::env::current_dir()
                .map(|d| d.display().to_string())
                .unwrap_or_default(),
            name: "figure".into(),
            format: Format::Png,
            width: 1600,
            height: 1000,
            transparent: false,
            theme: Theme::Light,
            title: String::new(),
            caption: String::new(),
            write_scene: true,
            write_data: false,
        }
    }
}

/// The figure view the export dialog starts on for a tab.
pub fn figure_view(tab: ViewTab) -> FigureView {
    match tab {
        ViewTab::Slice2d => FigureView::Slice2d,
        ViewTab::Slice3d => FigureView::Slice3d,
        ViewTab::Terrain => FigureView::Terrain,
        ViewTab::Data => FigureView::Data,
        ViewTab::Gradients => FigureView::Gradients,
        ViewTab::Paths => FigureView::Path,
    }
}

/// The export window: settings, then an Export action for the current view or the
/// whole window.
pub fn export_dialog_ui(ctx: &egui::Context, dialog: &mut ExportDialog, actions: &mut Vec<Action>) {
    let mut open = dialog.open;
    egui::Window::new("Export figure")
        .open(&mut open)
        .collapsible(false)
        // Gone at once, so a whole-window export's next frame does not show it.
        .fade_out(false)
        // Below the top bar, beside the control panel.
        .default_pos([360.0, 80.0])
        .show(ctx, |ui| {
            egui::Grid::new("export_grid")
                .num_columns(2)
                .show(ui, |ui| export_grid(ui, dialog));
            let figure = !dialog.whole_window && !dialog.view.is_picture();
            ui.add_enabled_ui(figure, |ui| {
                ui.checkbox(&mut dialog.transparent, "transparent background");
            });
            ui.checkbox(
                &mut dialog.write_scene,
                "also write the scene that reproduces it (NAME.scene.json)",
            );
            ui.add_enabled_ui(!dialog.whole_window, |ui| {
                ui.checkbox(
                    &mut dialog.write_data,
                    "also write the data (slices: NAME.npy + NAME.json; plots: NAME.csv)",
                );
            });
            ui.weak(if dialog.whole_window && dialog.window_scale == WindowScale::Screen {
                "the whole window as PNG at screen resolution (the window's own pixels, not drawn again)"
            } else if dialog.whole_window {
                "the whole window as PNG, drawn again offscreen at the chosen scale (text and pictures at that resolution, not upscaled screen pixels)"
            } else if dialog.view.is_picture() {
                "ray marched offscreen at the chosen size with the view's camera, as `basinscope render` draws it; PNG only, in the screen's colors"
            } else if dialog.view == FigureView::Path {
                "drawn offscreen at the chosen size by the renderer of `basinscope render`: the paths between the first two models of the list"
            } else {
                "drawn offscreen at the chosen size by the renderer of `basinscope render`"
            });
            if ui.button("Export").clicked() {
                actions.push(Action::Export(Box::new(dialog.request())));
            }
        });
    dialog.open = open;
}

/// The dialog's rows: what, where, format, size, theme, title, caption.
fn export_grid(ui: &mut egui::Ui, dialog: &mut ExportDialog) {
    ui.label("export");
    ui.horizontal(|ui| {
        ui.radio_value(&mut dialog.whole_window, false, "a view");
        ui.radio_value(&mut dialog.whole_window, true, "the whole window");
    });
    ui.end_row();
    ui.add_enabled_ui(!dialog.whole_window, |ui| ui.label("view"));
    ui.add_enabled_ui(!dialog.whole_window, |ui| {
        ui.horizontal_wrapped(|ui| {
            for v in FigureView::ALL {
                ui.selectable_value(&mut dialog.view, v, v.name());
            }
        });
    });
    ui.end_row();
    ui.label("folder");
    ui.text_edit_singleline(&mut dialog.folder);
    ui.end_row();
    ui.label("file name");
    ui.text_edit_singleline(&mut dialog.name);
    ui.end_row();
    let figure = !dialog.whole_window && !dialog.view.is_picture();
    ui.label("format");
    ui.horizontal(|ui| {
        ui.radio_value(&mut dialog.format, Format::Png, "PNG");
        ui.add_enabled_ui(figure, |ui| {
            ui.radio_value(&mut dialog.format, Format::Svg, "SVG (vector)")
                .on_disabled_hover_text(
                    "pictures (the 3D slice, the terrain, the whole window) are written as PNG",
                );
        });
    });
    ui.end_row();
    ui.label("size (px)");
    if dialog.whole_window {
        window_scale_ui(ui, &mut dialog.window_scale);
    } else {
        ui.horizontal(|ui| {
            ui.add(egui::DragValue::new(&mut dialog.width).range(IMAGE_SIDE));
            ui.label("×");
            ui.add(egui::DragValue::new(&mut dialog.height).range(IMAGE_SIDE));
        });
    }
    ui.end_row();
    ui.add_enabled_ui(figure, |ui| ui.label("theme"));
    ui.add_enabled_ui(figure, |ui| {
        ui.horizontal(|ui| {
            ui.radio_value(&mut dialog.theme, Theme::Light, "light (print)");
            ui.radio_value(&mut dialog.theme, Theme::Dark, "dark");
        });
    });
    ui.end_row();
    let titled = !dialog.whole_window;
    let picture = dialog.view.is_picture();
    ui.add_enabled_ui(titled, |ui| ui.label("title"));
    ui.add_enabled_ui(titled, |ui| {
        ui.add(
            egui::TextEdit::singleline(&mut dialog.title).hint_text(if picture {
                "none"
            } else {
                "the scene's name"
            }),
        );
    });
    ui.end_row();
    ui.add_enabled_ui(titled, |ui| ui.label("caption"));
    ui.add_enabled_ui(titled, |ui| {
        ui.add(
            egui::TextEdit::singleline(&mut dialog.caption).hint_text(if picture {
                "none"
            } else {
                "the view's subtitle"
            }),
        );
    });
    ui.end_row();
}

/// The whole window's scale, with the picture's size in pixels (or why it is refused).
fn window_scale_ui(ui: &mut egui::Ui, scale: &mut WindowScale) {
    let points = ui.ctx().content_rect().size();
    ui.vertical(|ui| {
        ui.horizontal(|ui| {
            for s in WindowScale::ALL {
                ui.radio_value(scale, s, s.label());
            }
        });
        let size = match *scale {
            WindowScale::Offscreen(s) => points * s as f32,
            WindowScale::Screen => points * ui.ctx().pixels_per_point(),
        };
        let side_ok = |v: f32| v >= *IMAGE_SIDE.start() as f32 && v <= *IMAGE_SIDE.end() as f32;
        let text = format!("{:.0} × {:.0} pixels", size.x, size.y);
        if side_ok(size.x.round()) && side_ok(size.y.round()) {
            ui.weak(text);
        } else {
            ui.colored_label(
                ui.visuals().error_fg_color,
                format!("{text}: too large (each side at most {})", IMAGE_SIDE.end()),
            );
        }
    });
}

impl ExportDialog {
    /// The request the dialog describes.
    pub fn request(&self) -> ExportRequest {
        let view = self.view;
        let format = if self.whole_window || view.is_picture() {
            Format::Png
        } else {
            self.format
        };
        let ext = match format {
            Format::Png => "png",
            Format::Svg => "svg",
        };
        ExportRequest {
            view,
            whole_window: self.whole_window,
            window_scale: self.window_scale,
            path: Path::new(&self.folder).join(format!("{}.{ext}", self.name)),
            format,
            width: self.width,
            height: self.height,
            transparent: self.transparent,
            theme: self.theme,
            title: self.title.clone(),
            caption: self.caption.clone(),
            write_scene: self.write_scene,
            write_data: self.write_data,
        }
    }
}

/// Draws and writes an export of `scene`; returns the paths written. Sizes outside
/// [`IMAGE_SIDE`] are refused before anything is drawn, and every output is checked
/// before the first is written.
pub fn export(
    scene: &Scene,
    request: &ExportRequest,
    evaluator: impl FnOnce() -> FieldBackend,
) -> Result<Vec<PathBuf>, String> {
    let (w, h) = (request.width, request.height);
    if !(IMAGE_SIDE.contains(&w) && IMAGE_SIDE.contains(&h)) {
        return Err(format!(
            "{w}×{h} is out of range; each side must be between {} and {} pixels",
            IMAGE_SIDE.start(),
            IMAGE_SIDE.end()
        ));
    }
    let figure_path = request.path.clone();
    let stem = figure_path.with_extension("");
    let scene_path = PathBuf::from(format!("{}.scene.json", stem.display()));
    let npy_path = stem.with_extension("npy");
    let csv_path = stem.with_extension("csv");
    let mut outputs: Vec<(&str, &Path)> = vec![("the figure", &figure_path)];
    if request.write_scene {
        outputs.push(("the scene", &scene_path));
    }
    let sidecar = npy::sidecar_path(&npy_path);
    if request.write_data {
        if request.view.has_fields() {
            outputs.push(("the fields", &npy_path));
            outputs.push(("the fields' sidecar", &sidecar));
        } else {
            outputs.push(("the plot data", &csv_path));
        }
    }
    for (label, path) in &outputs {
        check_output_target(label, path).map_err(|e| e.to_string())?;
    }
    check_distinct_outputs(&[], &outputs).map_err(|e| e.to_string())?;

    let spec = FigureSpec {
        view: request.view,
        width: w,
        height: h,
        surface: Surface {
            format: request.format,
            transparent: request.transparent,
            theme: request.theme,
        },
        title: if request.title.is_empty() {
            if request.view.is_picture() {
                String::new()
            } else {
                scene_title(scene, "untitled scene")
            }
        } else {
            crate::core::limits::shown(&request.title, crate::core::limits::MAX_TITLE_CHARS)
        },
        caption: request.caption.clone(),
    };
    let figure = scene_figure(scene, &spec, evaluator, |_| {}).map_err(|e| format!("{e:#}"))?;
    let bytes = figure
        .rendered
        .encode()
        .map_err(|e| format!("cannot encode the figure: {e}"))?;
    let fail = |path: &Path, e: &dyn std::fmt::Display| {
        format!("cannot write {}: {e}", quote(&path.display().to_string()))
    };
    write_atomically(&figure_path, &bytes).map_err(|e| fail(&figure_path, &e))?;
    let mut written = vec![figure_path.clone()];
    if request.write_scene {
        scene.save(&scene_path).map_err(|e| fail(&scene_path, &e))?;
        written.push(scene_path);
    }
    if request.write_data {
        if let Some(fields) = &figure.fields {
            let export = FieldExport {
                field: &fields.field,
                grid: &fields.grid,
                axis_names: &fields.axis_names,
            };
            npy::write_field(&npy_path, &export).map_err(|e| fail(&npy_path, &e))?;
            written.push(npy_path);
            written.push(sidecar);
        }
        if let Some(csv) = &figure.csv {
            write_atomically(&csv_path, csv.as_bytes()).map_err(|e| fail(&csv_path, &e))?;
            written.push(csv_path);
        }
    }
    Ok(written)
}
