//! App state and the actions that change it. Panels read the state and emit
//! [`Action`]s; [`crate::app::BasinscopeApp::apply`] is the one place that applies them.

use std::path::PathBuf;

use crate::core::data::Preset;
use crate::core::recording::Recording;
use crate::core::{Activation, Scene, TrainingConfig};

/// The views of the central area.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewTab {
    Data,
    Gradients,
    Slice2d,
    Slice3d,
    Terrain,
    Paths,
}

impl ViewTab {
    pub const ALL: [ViewTab; 6] = [
        ViewTab::Data,
        ViewTab::Gradients,
        ViewTab::Slice2d,
        ViewTab::Slice3d,
        ViewTab::Terrain,
        ViewTab::Paths,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ViewTab::Data => "Data",
            ViewTab::Gradients => "Behavioral gradients",
            ViewTab::Slice2d => "2D slice",
            ViewTab::Slice3d => "3D slice",
            ViewTab::Terrain => "Loss terrain",
            ViewTab::Paths => "Paths",
        }
    }
}

/// Something the user asked for.
#[derive(Clone, Debug)]
pub enum Action {
    LoadBuiltin(String),
    LoadPath(PathBuf),
    /// Scene JSON from a drop or a test; `origin` names it in errors.
    LoadText {
        text: String,
        origin: String,
    },
    SaveTo(PathBuf),
    /// Undoes the last edit (Ctrl+Z).
    Undo,
    /// Redoes the last undone edit (Ctrl+Shift+Z).
    Redo,
    /// Opens the export window on the current view (Ctrl+E).
    OpenExport,
    /// Draws and writes a figure (on its own thread).
    Export(Box<super::export::ExportRequest>),
    OpenDialog,
    SaveDialog,
    SetModel {
        layers: Vec<usize>,
        activation: Activation,
        bias: bool,
    },
    SetInitSeed(u64),
    /// Draws new θ from the init seed.
    Reinitialize,
    SetParameter(usize, f64),
    SetTheta(Vec<f64>),
    SetPreset {
        preset: Preset,
        n: usize,
        noise: f64,
        seed: u64,
    },
    MovePoint(usize, Vec<f64>),
    SetTarget(usize, f64),
    AddPoint(Vec<f64>, f64),
    RemovePoint(usize),
    SetTraining(TrainingConfig),
    Play,
    Pause,
    Step(usize),
    /// Back to the initial θ, clearing history.
    Reset,
    SetSpeed(usize),
    /// Brings a view forward: opens its tab, or adds its tile when it was closed.
    ShowView(ViewTab),
    /// Puts the views back in the default arrangement.
    ResetViews,
    /// Walks the behavior manifold from θ along a tangent direction (docs/DESIGN.md §1).
    WalkManifold {
        direction_index: usize,
        distance: f64,
    },
    /// New slice definition (axes, ranges, resolution, pinned center).
    SetSliceSpec(crate::core::slice::SliceSpec),
    /// New 3D slice settings (third axis, volume, surfaces, clipping, camera).
    SetSlice3dSpec(crate::core::slice3d::Slice3dSpec),
    /// New terrain settings (height scale, camera).
    SetTerrainSpec(crate::core::slice3d::TerrainSpec),
    /// A change to the scene's models list (the paths view).
    Models(crate::app::paths::ModelsAction),
    /// Opens, leaves or steps through the guided tour.
    Tour(crate::app::tour::TourAction),
    DismissMessage,
    /// Shows a warning in the status line (numbers that went wrong, not a failed action).
    Warn(String),
}

/// Severity of the status line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageKind {
    Info,
    Error,
}

/// What the app shows in its status line.
#[derive(Clone, Debug)]
pub struct Message {
    pub kind: MessageKind,
    pub text: String,
    /// The message says why the loss is unusable (beyond float32, or diverged): while
    /// it is shown, the slice's generic "no finite loss" note does not replace it.
    pub explains_loss: bool,
}

/// Everything the panels read.
pub struct AppState {
    /// The scene being edited; `scene.parameters` tracks the current θ.
    pub scene: Scene,
    pub scene_path: Option<PathBuf>,
    /// θ at the start of the current run (what Reset returns to).
    pub initial_parameters: Vec<f64>,
    /// (step, loss before that step) of the run, including a reopened scene's record.
    pub loss_history: Vec<(u64, f64)>,
    pub steps_done: usize,
    /// Steps recorded before this run's worker started (a reopened trained scene); the
    /// worker counts from 0, the history goes on from here.
    pub step_offset: usize,
    pub loss: f64,
    pub playing: bool,
    pub generation: u64,
    /// Recorded θ along training (thinned to at most `MAX_TRAJECTORY` points).
    pub trajectory: Vec<Vec<f64>>,
    /// The step of each `trajectory` entry.
    pub trajectory_steps: Vec<u64>,
    pub trajectory_stride: usize,
    pub message: Option<Message>,
    pub speed: usize,
    pub active_view: ViewTab,
    /// Text of the layer-widths editor.
    pub layers_text: String,
    /// Target given to points added by clicking.
    pub new_point_target: f64,
    /// The last manifold walk (θ along the path), drawn by the slice view.
    pub manifold_walk: Vec<Vec<f64>>,
    /// The run (generation) already warned that its loss is beyond float32.
    pub warned_huge_loss: Option<u64>,
    /// Interpolation paths (θ along each) drawn in the slice view, from the paths view.
    pub slice_paths: Vec<Vec<Vec<f64>>>,
    /// Scene files opened or saved, newest first (kept between sessions).
    pub recent_files: Vec<PathBuf>,
}

/// Most θ snapshots kept for the trajectory.
pub const MAX_TRAJECTORY: usize = 2048;

impl AppState {
    pub fn new(mut scene: Scene) -> Self {
        let recording = std::mem::take(&mut scene.recording);
        let layers_text = layers_to_text(&scene.model.layers);
        let active_view = match scene.view.kind {
            crate::core::scene::ViewKind::Slice2d => ViewTab::Slice2d,
            crate::core::scene::ViewKind::Slice3d => ViewTab::Slice3d,
            crate::core::scene::ViewKind::Terrain => ViewTab::Terrain,
            crate::core::scene::ViewKind::Gradients => ViewTab::Gradients,
            crate::core::scene::ViewKind::Path => ViewTab::Paths,
            crate::core::scene::ViewKind::Data => ViewTab::Data,
        };
        let mut state = Self {
            initial_parameters: scene.parameters.clone(),
            trajectory: vec![scene.parameters.clone()],
            trajectory_steps: vec![0],
            trajectory_stride: 1,
            step_offset: 0,
            loss: crate::core::train::mse_loss(&scene.model, &scene.parameters, &scene.data),
            scene,
            scene_path: None,
            loss_history: Vec::new(),
            steps_done: 0,
            playing: false,
            generation: 0,
            message: None,
            speed: 10,
            active_view,
            layers_text,
            new_point_target: 1.0,
            warned_huge_loss: None,
            manifold_walk: Vec::new(),
            slice_paths: Vec::new(),
            recent_files: Vec::new(),
        };
        state.restore_recording(recording);
        state
    }

    /// Takes a saved run's trajectory and loss history as this run's start: training
    /// goes on from its last step. A recording whose θs do not fit the model is ignored
    /// (scenes are validated on load, so only a changed model gets here).
    pub fn restore_recording(&mut self, recording: Recording) {
        if recording.is_empty() || recording.validate(self.scene.parameters.len()).is_err() {
            return;
        }
        self.step_offset = usize::try_from(recording.last_step()).unwrap_or(usize::MAX);
        self.steps_done = self.step_offset;
        let Recording {
            trajectory,
            loss_history,
        } = recording;
        self.loss_history = loss_history;
        if !trajectory.is_empty() {
            self.trajectory_steps = trajectory.iter().map(|p| p.step).collect();
            self.trajectory = trajectory.into_iter().map(|p| p.theta).collect();
        }
        // The current θ ends the trajectory (it may have moved since the last snapshot).
        if self.trajectory.last() != Some(&self.scene.parameters) {
            self.trajectory.push(self.scene.parameters.clone());
            self.trajectory_steps.push(self.steps_done as u64);
        }
    }

    /// The run so far as a scene keeps it (thinned to the limits).
    pub fn recording(&self) -> Recording {
        Recording::from_run(
            self.trajectory_steps
                .iter()
                .copied()
                .zip(self.trajectory.iter().cloned()),
            self.loss_history.iter().copied(),
        )
    }

    /// The scene with the run's recording: what Save writes and what reproduces a figure.
    pub fn scene_to_save(&self) -> Scene {
        let mut scene = self.scene.clone();
        scene.recording = self.recording();
        scene
    }

    pub fn theta(&self) -> &[f64] {
        &self.scene.parameters
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.message = Some(Message {
            kind: MessageKind::Info,
            text: text.into(),
            explains_loss: false,
        });
    }

    pub fn error(&mut self, text: impl Into<String>) {
        let text = text.into();
        log::warn!("{text}");
        self.message = Some(Message {
            kind: MessageKind::Error,
            text,
            explains_loss: false,
        });
    }

    /// Shows `text` as the reason the loss is unusable (see [`Message::explains_loss`]).
    pub fn explain_loss(&mut self, kind: MessageKind, text: String) {
        if kind == MessageKind::Error {
            log::warn!("{text}");
        }
        self.message = Some(Message {
            kind,
            text,
            explains_loss: true,
        });
    }

    /// Whether the status line shows why the loss is unusable.
    pub fn loss_is_explained(&self) -> bool {
        self.message.as_ref().is_some_and(|m| m.explains_loss)
    }

    /// Records θ after `steps_done` steps, thinning by half when full.
    pub fn record_trajectory(&mut self, steps_done: usize, theta: &[f64]) {
        if steps_done.is_multiple_of(self.trajectory_stride) || self.trajectory.is_empty() {
            self.trajectory.push(theta.to_vec());
            self.trajectory_steps.push(steps_done as u64);
        }
        if self.trajectory.len() > MAX_TRAJECTORY {
            let mut i = 0;
            self.trajectory.retain(|_| {
                i += 1;
                i % 2 == 1
            });
            let mut i = 0;
            self.trajectory_steps.retain(|_| {
                i += 1;
                i % 2 == 1
            });
            self.trajectory_stride *= 2;
        }
    }
}

/// "2, 8, 1" for [2, 8, 1].
pub fn layers_to_text(layers: &[usize]) -> String {
    layers
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Parses "2, 8, 1" (commas or spaces).
pub fn parse_layers(text: &str) -> Result<Vec<usize>, String> {
    text.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<usize>()
                .map_err(|_| format!("layer width \"{s}\" is not a whole number"))
        })
        .collect()
}
