//! The app layer: eframe/egui panels and views over the core, eval and draw layers.
//!
//! [`BasinscopeApp`] owns the [`AppState`], the training worker and the background jobs;
//! panels (in `panels.rs`) and views (`data_view.rs`, `loss_view.rs`, …) read the state
//! and return [`Action`]s, which [`BasinscopeApp::apply`] applies in one place.

pub mod backdrop;
pub mod background;
pub mod data_view;
pub mod export;
pub mod gradients_view;
pub mod history;
pub mod jobs;
pub mod loss_view;
pub mod panels;
pub mod path_entry;
pub mod paths;
pub mod scene_figure;
pub mod scene_path;
pub mod scene_picture;
pub mod settings;
pub mod slice;
pub mod state;
pub mod task;
pub mod tiles;
pub mod tour;
pub mod volume_eval;
pub mod volume_view;
pub mod window_export;
pub mod window_offscreen;
pub mod worker;

use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver};

use crate::core::analysis::{Analysis, InformationLoss};
use crate::core::data::Preset;
use crate::core::scene::{DataSource, builtin_json};
use crate::core::{Activation, MlpSpec, Scene, Trainer, TrainingConfig};
use jobs::{AnalysisRequest, WalkRequest};
pub use state::{Action, AppState, Message, MessageKind, ViewTab};
use worker::{TrainingWorker, WorkerCommand};

/// Opens the native window on `scene` and runs until it closes; `tour` says whether to
/// offer the tour and where its lessons are.
pub fn run_native(scene: Scene, tour: tour::TourLaunch) -> anyhow::Result<()> {
    let settings_path = settings::Settings::default_path();
    let saved = settings_path
        .as_deref()
        .map(settings::Settings::load)
        .unwrap_or_default();
    let viewport = egui::ViewportBuilder::default()
        .with_title("basinscope")
        .with_inner_size([1280.0, 800.0])
        .with_drag_and_drop(true);
    let options = eframe::NativeOptions {
        // The last session's window, else 1280 × 800.
        viewport: match saved.window {
            Some(w) => w.viewport(viewport),
            None => viewport,
        },
        ..Default::default()
    };
    eframe::run_native(
        "basinscope",
        options,
        Box::new(move |cc| {
            let mut app = BasinscopeApp::new(cc, scene)?;
            app.backdrop = Some(backdrop::Backdrop::take_over(&cc.egui_ctx));
            app.use_settings(settings_path);
            let open_tour = tour.dir.is_some();
            app.tour.launch = tour;
            if open_tour {
                app.apply(Action::Tour(tour::TourAction::Open));
            }
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("cannot open the window: {e}"))
}

/// The application.
pub struct BasinscopeApp {
    pub state: AppState,
    worker: TrainingWorker,
    ctx: egui::Context,
    /// Paths picked in file dialogs (run on their own thread so no frame waits).
    dialog_results: Option<Receiver<DialogResult>>,
    data_view: data_view::DataViewCache,
    pub slice_view: slice::SliceViewState,
    /// The 3D slice view's state.
    pub slice3d_view: volume_view::VolumeViewState,
    /// The terrain view's state.
    pub terrain_view: volume_view::VolumeViewState,
    jobs: jobs::Jobs,
    /// The newest analysis and the θ, data and tolerance it was computed for.
    pub analysis: Option<(AnalysisRequest, Box<Analysis>, InformationLoss)>,
    pub analysis_error: Option<String>,
    pub gradients: gradients_view::GradientsViewSettings,
    pub paths: paths::PathsViewState,
    /// egui's wgpu target format; `None` without a wgpu renderer (CPU path).
    target_format: Option<wgpu::TextureFormat>,
    /// The export window's settings (kept between exports).
    pub export_dialog: export::ExportDialog,
    /// The running export's result.
    export_result: Option<Receiver<Result<Vec<PathBuf>, String>>>,
    /// A whole-window export waiting for a frame without the export window, and the
    /// frames still to wait.
    pending_window_export: Option<(window_export::WindowExport, u8)>,
    /// The window was asked to close while an export ran: it closes when the export
    /// has written its file.
    pub close_after_export: bool,
    /// The built-in path entry used instead of the platform's file dialog.
    pub path_entry: path_entry::PathEntry,
    /// Why the platform's file dialog is not used (then Open and Save use the path entry).
    pub file_dialog_unavailable: Option<String>,
    /// Undo and redo of edits.
    pub history: history::History,
    /// Where the settings are kept between sessions (`None`: not kept, as in tests).
    pub settings_path: Option<PathBuf>,
    /// The central area's views as tiles.
    pub tiles: tiles::ViewTiles,
    /// The window's size and place in the last frame (kept with the settings at exit).
    window: Option<settings::WindowLayout>,
    /// The guided tour.
    pub tour: tour::TourState,
    /// The panels' colors when the window is cleared to them instead of painted (the
    /// native window); `None` when egui paints them (the headless renderers).
    pub backdrop: Option<backdrop::Backdrop>,
}

enum DialogResult {
    Open(PathBuf),
    Save(PathBuf),
}

impl BasinscopeApp {
    /// Builds the app on `scene` (used by eframe and by the headless tests).
    pub fn new(cc: &eframe::CreationContext<'_>, scene: Scene) -> std::io::Result<Self> {
        let ctx = cc.egui_ctx.clone();
        let jobs = jobs::Jobs::new(&ctx);
        let trainer = trainer_for(&scene, &scene.parameters);
        let repaint = ctx.clone();
        let worker = TrainingWorker::spawn(trainer, move || repaint.request_repaint())?;
        let mut state = AppState::new(scene);
        state.speed = 10;
        worker.send(WorkerCommand::SetSpeed(state.speed));
        let software = cc
            .wgpu_render_state
            .as_ref()
            .is_some_and(|r| crate::eval::backend::cpu_is_faster_than(&r.adapter.get_info()));
        if let Some(rs) = &cc.wgpu_render_state {
            slice::callback::set_up(rs);
        }
        let volume_evaluator = volume_eval::VolumeEvaluator::choose(
            cc.wgpu_render_state.as_ref(),
            std::env::var(volume_eval::EVALUATOR_ENV).ok().as_deref(),
        );
        let mut slice3d_view = volume_view::VolumeViewState::new(false, software);
        slice3d_view.evaluator = volume_evaluator.clone();
        let mut terrain_view = volume_view::VolumeViewState::new(true, software);
        terrain_view.evaluator = volume_evaluator;
        if let Some(rs) = &cc.wgpu_render_state {
            slice3d_view.max_texture_side = rs.device.limits().max_texture_dimension_3d;
        }
        Ok(Self {
            state,
            worker,
            ctx,
            dialog_results: None,
            data_view: data_view::DataViewCache::default(),
            slice_view: slice::SliceViewState::new(software),
            slice3d_view,
            terrain_view,
            jobs,
            analysis: None,
            analysis_error: None,
            gradients: gradients_view::GradientsViewSettings::default(),
            paths: paths::PathsViewState::default(),
            target_format: cc.wgpu_render_state.as_ref().map(|r| r.target_format),
            export_dialog: export::ExportDialog::default(),
            export_result: None,
            pending_window_export: None,
            close_after_export: false,
            path_entry: path_entry::PathEntry::default(),
            file_dialog_unavailable: path_entry::platform_dialog_unavailable(),
            history: history::History::default(),
            settings_path: None,
            tiles: tiles::ViewTiles::default(),
            window: None,
            tour: tour::TourState::default(),
            backdrop: None,
        })
    }

    /// Applies one action to the state (the only place that changes it); edits are
    /// recorded for undo.
    pub fn apply(&mut self, action: Action) {
        use history::EditKey;
        let key = match &action {
            Action::MovePoint(i, _) => Some(EditKey::MovePoint(*i)),
            Action::SetTarget(i, _) => Some(EditKey::SetTarget(*i)),
            Action::SetParameter(i, _) => Some(EditKey::SetParameter(*i)),
            Action::SetModel { .. }
            | Action::SetInitSeed(_)
            | Action::Reinitialize
            | Action::SetTheta(_)
            | Action::SetPreset { .. }
            | Action::AddPoint(..)
            | Action::RemovePoint(_)
            | Action::SetTraining(_)
            | Action::SetSliceSpec(_) => Some(EditKey::Other),
            _ => None,
        };
        match key {
            Some(key) => {
                let before = self.state.scene.clone();
                self.apply_now(action);
                self.history.record(key, before, &self.state.scene);
            }
            None => self.apply_now(action),
        }
    }

    /// Goes back to (or forward to) `scene`: the worker gets its model, data, settings
    /// and θ; a changed model starts a new run.
    fn restore(&mut self, scene: Scene) {
        let model_changed = scene.model != self.state.scene.model;
        self.state.scene = scene;
        if model_changed {
            self.restart();
            return;
        }
        let s = &self.state;
        self.worker
            .send(WorkerCommand::SetData(s.scene.data.clone()));
        self.worker
            .send(WorkerCommand::SetConfig(s.scene.training.clone()));
        self.set_theta();
    }

    fn apply_now(&mut self, action: Action) {
        let s = &mut self.state;
        match action {
            Action::LoadBuiltin(name) => self.load_builtin(&name),
            Action::LoadPath(path) => self.load_path(&path),
            Action::LoadText { text, origin } => self.load_text(&text, &origin, None),
            Action::SaveTo(path) => self.save_to(&path),
            Action::Undo => match self.history.undo(&s.scene) {
                Some(scene) => self.restore(scene),
                None => s.info("nothing to undo"),
            },
            Action::Redo => match self.history.redo(&s.scene) {
                Some(scene) => self.restore(scene),
                None => s.info("nothing to redo"),
            },
            Action::OpenExport => {
                self.export_dialog.open = true;
                self.export_dialog.view = export::figure_view(s.active_view);
            }
            Action::Export(request) => self.spawn_export(*request),
            Action::OpenDialog => self.spawn_dialog(false),
            Action::SaveDialog => self.spawn_dialog(true),
            Action::SetModel {
                layers,
                activation,
                bias,
            } => self.set_model(layers, activation, bias),
            Action::SetInitSeed(seed) => {
                s.scene.init_seed = seed;
                s.scene.parameters = s.scene.model.init_parameters(seed);
                self.restart();
            }
            Action::Reinitialize => {
                s.scene.parameters = s.scene.model.init_parameters(s.scene.init_seed);
                self.restart();
            }
            Action::SetParameter(i, value) => {
                if i < s.scene.parameters.len() && value.is_finite() {
                    s.scene.parameters[i] = value;
                    self.set_theta();
                }
            }
            Action::SetTheta(theta) => {
                if s.scene.model.check_parameters(&theta).is_ok() {
                    s.scene.parameters = theta;
                    self.set_theta();
                }
            }
            Action::SetPreset {
                preset,
                n,
                noise,
                seed,
            } => self.set_preset(preset, n, noise, seed),
            Action::MovePoint(i, x) => self.move_point(i, x),
            Action::SetTarget(i, y) => {
                if i < s.scene.data.n_inputs() && y.is_finite() {
                    s.scene.data.targets[i] = y;
                    self.data_changed();
                }
            }
            Action::AddPoint(x, y) => self.add_point(x, y),
            Action::RemovePoint(i) => self.remove_point(i),
            Action::SetTraining(config) => self.set_training(config),
            Action::Play => self.play(),
            Action::Pause => self.worker.send(WorkerCommand::Pause),
            Action::Step(n) => self.worker.send(WorkerCommand::Step(n)),
            Action::Reset => {
                s.scene.parameters = s.initial_parameters.clone();
                self.restart();
            }
            Action::SetSpeed(n) => {
                s.speed = n.max(1);
                self.worker.send(WorkerCommand::SetSpeed(s.speed));
            }
            Action::ShowView(v) => self.show_view(v),
            Action::ResetViews => self.reset_views(),
            Action::WalkManifold {
                direction_index,
                distance,
            } => self.walk_manifold(direction_index, distance),
            Action::SetSliceSpec(spec) => match spec.validate_in_scene(s.scene.parameters.len()) {
                Ok(()) => s.scene.view.slice = spec,
                Err(e) => s.error(e.to_string()),
            },
            Action::SetSlice3dSpec(spec) => {
                match spec.validate(s.scene.parameters.len(), s.scene.data.n_inputs()) {
                    Ok(()) => s.scene.view.slice3d = spec,
                    Err(e) => s.error(e.to_string()),
                }
            }
            Action::SetTerrainSpec(spec) => match spec.camera.validate("view.terrain") {
                Ok(()) => s.scene.view.terrain = spec,
                Err(e) => s.error(e.to_string()),
            },
            Action::DismissMessage => s.message = None,
            Action::Warn(text) => s.error(text),
            Action::Models(action) => self.apply_models(action),
            Action::Tour(action) => self.apply_tour(action),
        }
    }

    /// [`Action::LoadBuiltin`]: opens the built-in scene called `name`.
    fn load_builtin(&mut self, name: &str) {
        match builtin_json(name) {
            Some(json) => self.load_text(json, name, None),
            None => self
                .state
                .error(format!("there is no built-in scene named {name}")),
        }
    }

    /// [`Action::LoadPath`]: opens the scene file at `path`.
    fn load_path(&mut self, path: &Path) {
        match crate::core::files::read_scene_text(path) {
            Ok(text) => {
                self.load_text(&text, &path.display().to_string(), Some(path.to_path_buf()));
            }
            Err(e) => self.state.error(e.to_string()),
        }
    }

    /// [`Action::SetModel`]: a new architecture with fresh θ from the init seed, if its
    /// input width matches the data.
    fn set_model(&mut self, layers: Vec<usize>, activation: Activation, bias: bool) {
        let s = &mut self.state;
        match MlpSpec::new(layers, activation, bias) {
            Ok(spec) => {
                if spec.input_dim() != s.scene.data.input_dim() {
                    s.error(format!(
                        "the data has {} input dimensions, so the first layer width must be {}",
                        s.scene.data.input_dim(),
                        s.scene.data.input_dim()
                    ));
                    return;
                }
                s.scene.parameters = spec.init_parameters(s.scene.init_seed);
                s.scene.model = spec;
                keep_slice_valid(&mut s.scene);
                self.restart();
            }
            Err(e) => s.error(e.to_string()),
        }
    }

    /// [`Action::SetPreset`]: regenerates the data from a preset, adapting the model's
    /// input width to it when they differ.
    fn set_preset(&mut self, preset: Preset, n: usize, noise: f64, seed: u64) {
        let s = &mut self.state;
        let n = n.clamp(1, 10_000);
        s.scene.set_preset(preset, n, noise.max(0.0), seed);
        if preset.input_dim() != s.scene.model.input_dim() {
            // Keep the hidden layers, adapt the input width.
            let mut layers = s.scene.model.layers.clone();
            layers[0] = preset.input_dim();
            if let Ok(spec) = MlpSpec::new(layers, s.scene.model.activation, s.scene.model.bias) {
                s.scene.parameters = spec.init_parameters(s.scene.init_seed);
                s.scene.model = spec;
                keep_slice_valid(&mut s.scene);
            }
        }
        self.restart();
    }

    /// [`Action::MovePoint`]: moves input `i` to `x` (if it exists and `x` fits).
    fn move_point(&mut self, i: usize, x: Vec<f64>) {
        let s = &mut self.state;
        if i < s.scene.data.n_inputs()
            && x.len() == s.scene.data.input_dim()
            && x.iter().all(|v| v.is_finite())
        {
            s.scene.data.inputs[i] = x;
            self.data_changed();
        }
    }

    /// [`Action::AddPoint`]: appends the point `x` with target `y` (if it fits the model).
    fn add_point(&mut self, x: Vec<f64>, y: f64) {
        let s = &mut self.state;
        if x.len() == s.scene.model.input_dim() && y.is_finite() && x.iter().all(|v| v.is_finite())
        {
            s.scene.data.inputs.push(x);
            s.scene.data.targets.push(y);
            self.data_changed();
        }
    }

    /// [`Action::RemovePoint`]: removes point `i`, never the last one.
    fn remove_point(&mut self, i: usize) {
        let s = &mut self.state;
        if s.scene.data.n_inputs() <= 1 {
            s.error("the data needs at least one point");
        } else if i < s.scene.data.n_inputs() {
            s.scene.data.inputs.remove(i);
            s.scene.data.targets.remove(i);
            self.data_changed();
        }
    }

    /// [`Action::SetTraining`]: new training settings for the scene and the worker, if valid.
    fn set_training(&mut self, config: TrainingConfig) {
        let s = &mut self.state;
        match config.validate() {
            Ok(()) => {
                s.scene.training = config.clone();
                self.worker.send(WorkerCommand::SetConfig(config));
            }
            Err(e) => s.error(e.to_string()),
        }
    }

    /// [`Action::Play`]: starts training, clearing a standing error message.
    fn play(&mut self) {
        let s = &mut self.state;
        if s.message
            .as_ref()
            .is_some_and(|m| m.kind == MessageKind::Error)
        {
            s.message = None;
        }
        self.worker.send(WorkerCommand::Play);
        s.playing = true;
    }

    /// [`Action::WalkManifold`]: pauses training and starts the walk as a background job.
    fn walk_manifold(&mut self, direction_index: usize, distance: f64) {
        let s = &mut self.state;
        // The walk runs on its own thread; training pauses so θ stays put meanwhile.
        self.worker.send(WorkerCommand::Pause);
        let request = WalkRequest {
            spec: s.scene.model.clone(),
            theta: s.scene.parameters.clone(),
            data: s.scene.data.clone(),
            direction_index,
            distance,
            generation: s.generation,
        };
        s.info(format!(
            "walking {distance} along tangent direction {direction_index}…"
        ));
        if let Err(e) = self.jobs.walk.request(request) {
            self.state.error(e);
        }
    }

    fn load_text(&mut self, text: &str, origin: &str, path: Option<PathBuf>) {
        match Scene::from_json(text, origin) {
            Ok(mut scene) => {
                let recording = std::mem::take(&mut scene.recording);
                let name = crate::core::limits::quote(if scene.name.is_empty() {
                    origin
                } else {
                    &scene.name
                });
                let generation = self.state.generation;
                let recent = std::mem::take(&mut self.state.recent_files);
                self.state = AppState::new(scene);
                self.state.generation = generation;
                self.state.recent_files = recent;
                if let Some(p) = &path {
                    self.remember(p);
                }
                self.state.scene_path = path;
                self.state.info(format!("opened {name}"));
                self.restart();
                self.state.restore_recording(recording);
            }
            Err(e) => self.state.error(format!("cannot open the scene: {e}")),
        }
    }

    fn save_to(&mut self, path: &Path) {
        match self.state.scene_to_save().save(path) {
            Ok(()) => {
                self.state.scene_path = Some(path.to_path_buf());
                self.state.info(format!("saved {}", path.display()));
                self.remember(path);
            }
            Err(e) => self.state.error(format!("cannot save the scene: {e}")),
        }
    }

    /// Exports on the `basinscope-export` thread; [`Self::poll`] reports the result.
    fn spawn_export(&mut self, request: export::ExportRequest) {
        if self.export_result.is_some() || self.pending_window_export.is_some() {
            self.state
                .error("an export is still running; wait for it to finish");
            return;
        }
        if request.whole_window {
            let w = window_export::WindowExport {
                path: request.path,
                scene: request.write_scene.then(|| self.state.scene_to_save()),
            };
            match (w.check(), request.window_scale) {
                (Err(e), _) => self.state.error(format!("cannot export: {e}")),
                (Ok(()), window_export::WindowScale::Offscreen(scale)) => {
                    self.spawn_window_render(w, scale);
                }
                (Ok(()), window_export::WindowScale::Screen) => {
                    // The picture is taken of the next frame, drawn without this window.
                    self.export_dialog.open = false;
                    // Two frames: the first lays out the status line, the second (with
                    // its glyphs uploaded) is the picture.
                    self.pending_window_export = Some((w, 2));
                    // Said now, so the picture's frame shows the line already laid out.
                    self.state.info("exporting the window…");
                    self.ctx.request_repaint();
                }
            }
            return;
        }
        let scene = self.state.scene_to_save();
        let (tx, rx) = mpsc::channel();
        let repaint = self.ctx.clone();
        let spawned = std::thread::Builder::new()
            .name("basinscope-export".into())
            .spawn(move || {
                let result = export::export(&scene, &request, crate::eval::FieldBackend::auto);
                let _ = tx.send(result);
                repaint.request_repaint();
            });
        match spawned {
            Ok(_) => {
                self.export_result = Some(rx);
                self.state.info("exporting…");
            }
            Err(e) => self.state.error(format!("cannot start the export: {e}")),
        }
    }

    /// Draws the window again offscreen at `scale` and writes it, on the
    /// `basinscope-export` thread; a size beyond the limits is refused first.
    fn spawn_window_render(&mut self, w: window_export::WindowExport, scale: u32) {
        let copy = window_offscreen::WindowCopy::of(self);
        let [pw, ph] = match copy.pixel_size(scale) {
            Ok(size) => size,
            Err(e) => {
                self.state.error(format!("cannot export: {e}"));
                return;
            }
        };
        let (tx, rx) = mpsc::channel();
        match window_export::spawn_offscreen_export(&self.ctx, copy, scale, w, tx) {
            Ok(()) => {
                self.export_result = Some(rx);
                self.state.info(format!(
                    "exporting the window at {scale}× ({pw}×{ph} pixels)…"
                ));
            }
            Err(e) => self.state.error(format!("cannot start the export: {e}")),
        }
    }

    /// Keeps the settings at `path` from now on, starting from what is there.
    pub fn use_settings(&mut self, path: Option<PathBuf>) {
        if let Some(p) = &path {
            let saved = settings::Settings::load(p);
            self.state.recent_files = saved.recent_files;
            if let Some(folder) = saved.export_folder {
                self.export_dialog.folder = folder;
            }
            if let Some([w, h]) = saved.export_size {
                self.export_dialog.width = w;
                self.export_dialog.height = h;
            }
            if let Some(theme) = saved.export_theme {
                self.export_dialog.theme = theme;
            }
            // A saved arrangement that is not a valid one leaves the default.
            if let Some(tiles) = saved.views.as_ref().and_then(tiles::ViewTiles::from_layout) {
                self.tiles = tiles;
            }
        }
        self.settings_path = path;
    }

    /// Writes the settings, if they are kept; a failure is only logged (it loses nothing
    /// of the user's work).
    fn save_settings(&self) {
        let Some(path) = &self.settings_path else {
            return;
        };
        let s = settings::Settings {
            recent_files: self.state.recent_files.clone(),
            export_folder: Some(self.export_dialog.folder.clone()),
            export_size: Some([self.export_dialog.width, self.export_dialog.height]),
            views: self.tiles.layout(),
            window: self.window,
            export_theme: Some(self.export_dialog.theme),
        };
        if let Err(e) = s.save(path) {
            log::warn!("cannot save the settings to {}: {e}", path.display());
        }
    }

    /// Puts `path` first in the recent files.
    fn remember(&mut self, path: &Path) {
        let mut s = settings::Settings {
            recent_files: std::mem::take(&mut self.state.recent_files),
            ..Default::default()
        };
        s.remember(path);
        self.state.recent_files = s.recent_files;
        self.save_settings();
    }

    /// Asks for a pending whole-window picture, then reports a finished export.
    fn poll_export(&mut self) {
        if let Some((w, frames)) = self.pending_window_export.take() {
            if frames > 1 {
                self.pending_window_export = Some((w, frames - 1));
                self.ctx.request_repaint();
                return;
            }
            let (tx, rx) = mpsc::channel();
            window_export::request_window_picture(&self.ctx, w, tx);
            self.export_result = Some(rx);
            return;
        }
        if let Some(rx) = &self.export_result {
            match rx.try_recv() {
                Ok(Ok(paths)) => {
                    self.export_result = None;
                    self.save_settings();
                    let names: Vec<String> =
                        paths.iter().map(|p| p.display().to_string()).collect();
                    self.state.info(format!("exported {}", names.join(", ")));
                    if std::mem::take(&mut self.close_after_export) {
                        self.ctx.send_viewport_cmd(egui::ViewportCommand::Close);
                    }
                }
                Ok(Err(e)) => {
                    self.export_result = None;
                    let kept_open = self.kept_open();
                    self.state.error(format!("cannot export: {e}{kept_open}"));
                }
                Err(mpsc::TryRecvError::Empty) => {}
                Err(mpsc::TryRecvError::Disconnected) => {
                    self.export_result = None;
                    let kept_open = self.kept_open();
                    self.state.error(format!(
                        "the export stopped without a result (a whole-window export needs the window's renderer){kept_open}"
                    ));
                }
            }
        }
    }

    /// After a failed export: the close that waited for it is dropped, and the message
    /// says why the window is still open.
    fn kept_open(&mut self) -> &'static str {
        if std::mem::take(&mut self.close_after_export) {
            "; the window stays open so you can see this"
        } else {
            ""
        }
    }

    /// A close of the window asked for while an export runs is put off: the window says
    /// so and keeps drawing (a screen-resolution export needs its frames), and closes
    /// once the file is written. A failed export keeps the window open to show why.
    fn hold_close_for_export(&mut self, ctx: &egui::Context) {
        if !ctx.input(|i| i.viewport().close_requested()) || !self.exporting() {
            return;
        }
        ctx.send_viewport_cmd(egui::ViewportCommand::CancelClose);
        if !self.close_after_export {
            self.close_after_export = true;
            self.state.info("closing once the export is written…");
        }
    }

    /// Whether an export is running.
    pub fn exporting(&self) -> bool {
        self.export_result.is_some() || self.pending_window_export.is_some()
    }

    fn spawn_dialog(&mut self, save: bool) {
        if let Some(reason) = self.file_dialog_unavailable.clone() {
            let purpose = if save {
                path_entry::PathPurpose::Save
            } else {
                path_entry::PathPurpose::Open
            };
            self.path_entry
                .open(purpose, self.state.scene_path.clone(), reason);
            return;
        }
        let (tx, rx) = mpsc::channel();
        let repaint = self.ctx.clone();
        let suggested = self.state.scene_path.clone();
        // A name from the file, made safe to suggest as a file name.
        let name = crate::core::files::sanitized_name(&self.state.scene.name);
        let spawned = std::thread::Builder::new()
            .name("basinscope-file-dialog".into())
            .spawn(move || {
                let dialog = rfd::FileDialog::new().add_filter("basinscope scene", &["json"]);
                let picked = if save {
                    let dialog = match suggested {
                        Some(p) => dialog.set_file_name(
                            p.file_name().map_or(format!("{name}.json"), |n| {
                                n.to_string_lossy().into_owned()
                            }),
                        ),
                        None => dialog.set_file_name(format!("{name}.json")),
                    };
                    dialog.save_file().map(DialogResult::Save)
                } else {
                    dialog.pick_file().map(DialogResult::Open)
                };
                if let Some(p) = picked {
                    let _ = tx.send(p);
                }
                repaint.request_repaint();
            });
        match spawned {
            Ok(_) => self.dialog_results = Some(rx),
            Err(e) => self.state.error(format!("cannot open a file dialog: {e}")),
        }
    }

    /// New run: the worker gets the scene's model, data, settings and θ.
    fn restart(&mut self) {
        let s = &mut self.state;
        s.initial_parameters = s.scene.parameters.clone();
        s.loss_history.clear();
        s.steps_done = 0;
        s.step_offset = 0;
        s.trajectory = vec![s.scene.parameters.clone()];
        s.trajectory_steps = vec![0];
        s.trajectory_stride = 1;
        s.playing = false;
        s.layers_text = state::layers_to_text(&s.scene.model.layers);
        s.loss = crate::core::train::mse_loss(&s.scene.model, &s.scene.parameters, &s.scene.data);
        s.generation += 1;
        // Models of another architecture cannot be saved with this scene.
        let model = &s.scene.model;
        s.scene
            .models
            .retain(|m| model.check_parameters(&m.parameters).is_ok());
        self.worker.send(WorkerCommand::Reset {
            spec: s.scene.model.clone(),
            data: s.scene.data.clone(),
            config: s.scene.training.clone(),
            theta: s.scene.parameters.clone(),
        });
        self.worker.send(WorkerCommand::SetSpeed(s.speed));
    }

    fn set_theta(&mut self) {
        let s = &mut self.state;
        s.loss = crate::core::train::mse_loss(&s.scene.model, &s.scene.parameters, &s.scene.data);
        s.trajectory.push(s.scene.parameters.clone());
        s.trajectory_steps.push(s.steps_done as u64);
        self.worker
            .send(WorkerCommand::SetTheta(s.scene.parameters.clone()));
    }

    fn data_changed(&mut self) {
        let s = &mut self.state;
        s.scene.data_source = DataSource::Explicit;
        s.loss = crate::core::train::mse_loss(&s.scene.model, &s.scene.parameters, &s.scene.data);
        self.worker
            .send(WorkerCommand::SetData(s.scene.data.clone()));
    }

    /// Where an input-space point was drawn in the last frame of the 2-D data view.
    pub fn data_view_screen_pos(&self, x: &[f64]) -> Option<egui::Pos2> {
        let t = self.data_view.last_transform.as_ref()?;
        Some(t.position_from_point(&egui_plot::PlotPoint::new(*x.first()?, *x.get(1)?)))
    }

    /// Takes in worker snapshots, walk results, trained models, dialog results and
    /// dropped files.
    fn poll(&mut self, ctx: &egui::Context) {
        if let Some(models) = self.paths.take_trained() {
            self.apply(Action::Models(paths::ModelsAction::Add(models)));
        }
        self.poll_export();
        if let Some((req, walk)) = self.jobs.walk.poll() {
            let s = &mut self.state;
            match walk {
                // Only if nothing else moved θ or changed the run meanwhile.
                Ok(walk) if req.generation == s.generation && req.theta == s.scene.parameters => {
                    if let Some(end) = walk.path.last().cloned() {
                        s.info(format!(
                            "walked {:.3} along tangent direction {}; training outputs moved by at most {:.1e}",
                            walk.distance, req.direction_index, walk.max_output_drift
                        ));
                        s.manifold_walk = walk.path;
                        s.scene.parameters = end;
                        self.set_theta();
                    }
                }
                Ok(_) => s.info("the manifold walk was dropped: θ changed while it ran"),
                Err(e) => s.error(format!("cannot walk the manifold: {e}")),
            }
        }
        for snap in self.worker.drain() {
            // Both sides count resets; older snapshots belong to a previous run.
            if snap.generation != self.state.generation {
                continue;
            }
            let s = &mut self.state;
            // Worker steps count from 0; a reopened run's record goes before them.
            let steps_done = snap.steps_done + s.step_offset;
            let first = steps_done.saturating_sub(snap.new_losses.len());
            s.loss_history.extend(
                (first..)
                    .zip(&snap.new_losses)
                    .map(|(step, &loss)| (step as u64, loss)),
            );
            if steps_done != s.steps_done {
                s.record_trajectory(steps_done, &snap.theta);
            }
            s.steps_done = steps_done;
            s.scene.parameters = snap.theta;
            s.loss = snap.loss;
            s.playing = snap.playing;
            if snap.diverged {
                s.explain_loss(MessageKind::Error, format!(
                    "training diverged at step {} (the loss became NaN or infinite); paused and kept the last finite parameters — lower the learning rate",
                    s.steps_done
                ));
            } else if s.loss.is_finite()
                && s.loss > f64::from(f32::MAX)
                && s.warned_huge_loss != Some(s.generation)
            {
                s.warned_huge_loss = Some(s.generation);
                // A note rather than an error: training goes on, and a divergence that
                // may follow replaces it with the error that pauses training.
                s.explain_loss(MessageKind::Info, format!(
                    "warning: the loss {:.3e} is beyond float32, so the slice's fields are infinite; rescale the targets and inputs (values near 1 work best)",
                    s.loss
                ));
            }
        }
        if let Some(rx) = &self.dialog_results
            && let Ok(result) = rx.try_recv()
        {
            self.dialog_results = None;
            match result {
                DialogResult::Open(p) => self.apply(Action::LoadPath(p)),
                DialogResult::Save(p) => self.apply(Action::SaveTo(p)),
            }
        }
        let dropped = ctx.input(|i| i.raw.dropped_files.clone());
        if let Some(file) = dropped.into_iter().next() {
            if file.path().is_file() {
                // A file on disk is read with the same bound as any scene file.
                self.load_path(file.path());
                return;
            }
            let origin = crate::core::limits::quote(&file.path().display().to_string());
            match file.bytes() {
                Ok(bytes) if bytes.len() as u64 > crate::core::limits::MAX_SCENE_FILE_BYTES => {
                    self.state.error(format!(
                        "cannot read the dropped file {origin}: it is larger than the limit for a scene file"
                    ));
                }
                Ok(bytes) => {
                    let text = String::from_utf8_lossy(&bytes).into_owned();
                    self.apply(Action::LoadText { text, origin });
                }
                Err(e) => self
                    .state
                    .error(format!("cannot read the dropped file {origin}: {e}")),
            }
        }
    }
}

/// After a model change the slice may name parameters that no longer exist (a pinned
/// center, coordinate indices, explicit vectors): fall back to axes valid for any model,
/// so the scene always saves as a file that loads.
fn keep_slice_valid(scene: &mut Scene) {
    let n = scene.parameters.len();
    let slice = &mut scene.view.slice;
    if slice.center.as_ref().is_some_and(|c| c.len() != n) {
        slice.center = None;
    }
    // With N < 2 no axis choice spans a plane; the slice view says so, whatever the choice.
    if n >= 2 && slice.validate(n).is_err() {
        slice.axes = crate::core::slice::AxisChoice::default();
    }
}

fn trainer_for(scene: &Scene, theta: &[f64]) -> Trainer {
    Trainer::new(
        scene.model.clone(),
        scene.data.clone(),
        scene.training.clone(),
        theta.to_vec(),
    )
}

impl eframe::App for BasinscopeApp {
    fn logic(&mut self, ctx: &egui::Context, _frame: &mut eframe::Frame) {
        self.hold_close_for_export(ctx);
        self.poll(ctx);
        self.window = ctx.input(|i| settings::WindowLayout::of(i.viewport()));
    }

    fn on_exit(&mut self) {
        self.save_settings();
    }

    fn clear_color(&self, visuals: &egui::Visuals) -> [f32; 4] {
        match &self.backdrop {
            Some(b) => b.clear_color(visuals, self.target_format),
            // eframe's own default.
            None => {
                egui::Color32::from_rgba_unmultiplied(12, 12, 12, 180).to_normalized_gamma_f32()
            }
        }
    }

    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let mut actions = Vec::new();
        let open = self.tiles.open_views();
        egui::Panel::top("top_bar").show(ui, |ui| {
            panels::top_bar_ui(
                ui,
                &self.state,
                &open,
                self.tour.button_label(),
                &mut actions,
            );
        });
        egui::Panel::left("controls")
            .resizable(true)
            .default_size(300.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| {
                    panels::controls_ui(ui, &mut self.state, &mut actions);
                });
            });
        self.tour_ui(ui, &mut actions);
        egui::Panel::bottom("loss_panel")
            .resizable(true)
            .default_size(200.0)
            .show(ui, |ui| loss_view::loss_view_ui(ui, &self.state));
        egui::CentralPanel::default().show(ui, |ui| self.views_ui(ui, &mut actions));
        let (export, redo, undo, released) = ui.ctx().input_mut(|i| {
            (
                i.consume_key(egui::Modifiers::COMMAND, egui::Key::E),
                // Redo first: Ctrl+Z also matches Ctrl+Shift+Z.
                i.consume_key(
                    egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
                    egui::Key::Z,
                ),
                i.consume_key(egui::Modifiers::COMMAND, egui::Key::Z),
                i.pointer.any_released(),
            )
        });
        if export {
            actions.push(Action::OpenExport);
        }
        if redo {
            actions.push(Action::Redo);
        } else if undo {
            actions.push(Action::Undo);
        }
        export::export_dialog_ui(ui.ctx(), &mut self.export_dialog, &mut actions);
        path_entry::path_entry_ui(ui.ctx(), &mut self.path_entry, &mut actions);
        for a in actions {
            self.apply(a);
        }
        if released {
            self.history.end_gesture();
        }
        // A new arrangement is written once the pointer lets go (not every frame of a
        // drag or resize).
        if self.tiles.changed && !ui.ctx().input(|i| i.pointer.any_down()) {
            self.tiles.changed = false;
            self.save_settings();
        }
        if self.state.playing {
            ui.ctx().request_repaint();
        }
    }
}
