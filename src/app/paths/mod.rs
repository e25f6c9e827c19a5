//! The paths view's state and its background work: the models list's actions, the
//! comparison of two models (linear path before and after alignment), the Bézier fit,
//! training several models from different seeds, and the barrier matrix over all pairs.
//! `view.rs` draws it; `models.rs` is the models list.

pub mod models;
pub mod view;

use crate::core::MlpSpec;
use crate::core::align::{AlignMethod, Alignment, MAX_SWEEPS, align, weight_matching};
use crate::core::bezier::{BezierConfig, BezierEnd, fit_bezier};
use crate::core::data::Dataset;
use crate::core::models::{NamedModel, train_model};
use crate::core::paths::{DEFAULT_POINTS, Path, PathProfile, evaluate_path, t_grid};
use crate::core::train::TrainingConfig;

use super::task::{Task, TaskContext};

/// Changes to the models list (applied by [`crate::app::BasinscopeApp::apply`]).
#[derive(Clone, Debug)]
pub enum ModelsAction {
    Add(Vec<NamedModel>),
    Rename(usize, String),
    Delete(usize),
    /// Makes model i the current θ.
    MakeCurrent(usize),
    /// Shows the 2D slice `spec` (the plane through three models) with `paths` (θ along
    /// each) drawn in it.
    ShowInSlice {
        spec: crate::core::slice::SliceSpec,
        paths: Vec<Vec<Vec<f64>>>,
    },
}

/// What a comparison was computed for; a result for another key is stale.
#[derive(Clone, Debug, PartialEq)]
pub struct ComparisonKey {
    pub spec: MlpSpec,
    pub data: Dataset,
    pub a: Vec<f64>,
    pub b: Vec<f64>,
    pub method: AlignMethod,
    pub points: usize,
}

/// The linear path between two models before and after aligning B to A.
#[derive(Clone, Debug)]
pub struct Comparison {
    pub key: ComparisonKey,
    pub before: PathProfile,
    pub alignment: Alignment,
    pub after: PathProfile,
}

/// Computes a [`Comparison`] (exact losses on the t grid; alignment seeded with 0).
pub fn compare(key: ComparisonKey) -> Result<Comparison, String> {
    let t = t_grid(key.points).map_err(|e| e.to_string())?;
    let before = evaluate_path(
        &key.spec,
        &key.data,
        &Path::Linear {
            a: &key.a,
            b: &key.b,
        },
        &t,
    )
    .map_err(|e| e.to_string())?;
    let alignment =
        align(key.method, &key.spec, &key.a, &key.b, &key.data, 0).map_err(|e| e.to_string())?;
    let after = evaluate_path(
        &key.spec,
        &key.data,
        &Path::Linear {
            a: &key.a,
            b: &alignment.theta_aligned,
        },
        &t,
    )
    .map_err(|e| e.to_string())?;
    Ok(Comparison {
        key,
        before,
        alignment,
        after,
    })
}

/// A fitted Bézier path from A to the (aligned) B.
#[derive(Clone, Debug)]
pub struct BezierCurve {
    pub key: ComparisonKey,
    pub control: Vec<f64>,
    pub profile: PathProfile,
    pub end: BezierEnd,
    pub steps_done: usize,
}

/// Fits a Bézier path between `a` and `b` on the task's thread, reporting progress.
pub fn run_bezier(
    key: ComparisonKey,
    b: &[f64],
    config: &BezierConfig,
    task: &TaskContext,
) -> Result<BezierCurve, String> {
    let steps = config.steps.max(1);
    let fit = fit_bezier(
        &key.spec,
        &key.data,
        &key.a,
        b,
        config,
        task.stop_flag(),
        |step, loss| {
            if step % 20 == 0 || step == steps {
                task.report(
                    step as f32 / steps as f32,
                    format!("step {step} of {steps}, L(θ(t)) = {loss:.3e}"),
                );
            }
        },
    )
    .map_err(|e| e.to_string())?;
    let t = t_grid(key.points).map_err(|e| e.to_string())?;
    let profile = evaluate_path(
        &key.spec,
        &key.data,
        &Path::Bezier {
            a: &key.a,
            control: &fit.control,
            b,
        },
        &t,
    )
    .map_err(|e| e.to_string())?;
    Ok(BezierCurve {
        key,
        control: fit.control,
        profile,
        end: fit.end,
        steps_done: fit.steps_done,
    })
}

/// What training several models produced (those finished before a cancel).
pub struct TrainedBatch {
    pub models: Vec<NamedModel>,
    pub message: String,
}

/// Trains `count` models of `spec` on `data` from init seeds `first_seed..`, one after
/// another, reporting progress; a cancel keeps the models already finished.
pub fn run_training(
    spec: &MlpSpec,
    data: &Dataset,
    config: &TrainingConfig,
    (first_seed, count, steps): (u64, usize, usize),
    task: &TaskContext,
) -> Result<TrainedBatch, String> {
    let mut models = Vec::new();
    for i in 0..count {
        let seed = first_seed + i as u64;
        let trained = train_model(spec, data, config, seed, steps, task.stop_flag(), |step| {
            if step % 25 == 0 {
                task.report(
                    (i * steps + step) as f32 / (count * steps).max(1) as f32,
                    format!(
                        "model {} of {count} (seed {seed}): step {step} of {steps}",
                        i + 1
                    ),
                );
            }
        })
        .map_err(|e| e.to_string())?;
        if task.stopped() {
            return Ok(TrainedBatch {
                message: format!("cancelled; kept the {} models finished", models.len()),
                models,
            });
        }
        models.push(NamedModel {
            name: format!("seed {seed}"),
            parameters: trained.parameters,
        });
    }
    Ok(TrainedBatch {
        message: format!("trained {count} models for {steps} steps each"),
        models,
    })
}

/// What a barrier matrix is computed for: the architecture, the data, every model's θ
/// and the t grid's size.
pub type MatrixKey = (MlpSpec, Dataset, Vec<Vec<f64>>, usize);

/// Mean loss barriers of every pair of models, before and after weight matching.
#[derive(Clone, Debug)]
pub struct BarrierMatrix {
    /// The models it was computed for (their θ), as a key.
    pub key: MatrixKey,
    pub names: Vec<String>,
    /// [i][j] for i ≠ j (symmetric), 0 on the diagonal.
    pub before: Vec<Vec<f64>>,
    pub after: Vec<Vec<f64>>,
}

/// Computes the barrier matrix on the task's thread.
pub fn run_barrier_matrix(
    key: MatrixKey,
    names: Vec<String>,
    task: &TaskContext,
) -> Result<BarrierMatrix, String> {
    let (spec, data, thetas, points) = &key;
    let t = t_grid(*points).map_err(|e| e.to_string())?;
    let m = thetas.len();
    let mut before = vec![vec![0.0; m]; m];
    let mut after = vec![vec![0.0; m]; m];
    let pairs = m * m.saturating_sub(1) / 2;
    let mut done = 0;
    for i in 0..m {
        for j in i + 1..m {
            if task.stopped() {
                return Err("the barrier matrix was cancelled".into());
            }
            let path = |b: &[f64]| {
                evaluate_path(spec, data, &Path::Linear { a: &thetas[i], b }, &t)
                    .map(|p| p.loss_barriers.mean)
                    .map_err(|e| e.to_string())
            };
            let wm = weight_matching(spec, &thetas[i], &thetas[j], 0, MAX_SWEEPS)
                .map_err(|e| e.to_string())?;
            before[i][j] = path(&thetas[j])?;
            after[i][j] = path(&wm.theta_aligned)?;
            before[j][i] = before[i][j];
            after[j][i] = after[i][j];
            done += 1;
            task.report(
                done as f32 / pairs.max(1) as f32,
                format!("pair {done} of {pairs}"),
            );
        }
    }
    Ok(BarrierMatrix {
        key,
        names,
        before,
        after,
    })
}

/// Everything the paths view keeps between frames.
pub struct PathsViewState {
    /// Indices of models A and B in the models list.
    pub a: usize,
    pub b: usize,
    /// Points of the t grid.
    pub points: usize,
    pub method: AlignMethod,
    pub comparison: Option<Result<Comparison, String>>,
    comparison_task: Option<(ComparisonKey, Task<Result<Comparison, String>>)>,
    pub bezier: Option<BezierCurve>,
    pub bezier_task: Option<Task<Result<BezierCurve, String>>>,
    pub bezier_steps: usize,
    pub train_count: usize,
    pub train_steps: usize,
    /// Init seed of the next model trained.
    pub next_seed: u64,
    pub train_task: Option<Task<Result<TrainedBatch, String>>>,
    pub matrix: Option<Result<BarrierMatrix, String>>,
    matrix_task: Option<Task<Result<BarrierMatrix, String>>>,
    /// The key the barrier matrix was last asked for (finished, failed or cancelled), so
    /// it is asked again only when the models change.
    matrix_asked: Option<MatrixKey>,
    /// t under the pointer in the plot.
    pub hover_t: Option<f64>,
    /// The last message of the view's own work (training, fit).
    pub message: Option<String>,
    /// How many models the list had last frame.
    models_seen: usize,
}

impl Default for PathsViewState {
    fn default() -> Self {
        Self {
            a: 0,
            b: 1,
            points: DEFAULT_POINTS,
            method: AlignMethod::Weights,
            comparison: None,
            comparison_task: None,
            bezier: None,
            bezier_task: None,
            bezier_steps: BezierConfig::default().steps,
            train_count: 2,
            train_steps: 1000,
            next_seed: 1,
            train_task: None,
            matrix: None,
            matrix_task: None,
            matrix_asked: None,
            hover_t: None,
            message: None,
            models_seen: 0,
        }
    }
}

impl PathsViewState {
    /// The comparison key of models A and B of `scene`, if both exist.
    pub fn key(&self, scene: &crate::core::Scene) -> Option<ComparisonKey> {
        let (a, b) = (scene.models.get(self.a)?, scene.models.get(self.b)?);
        Some(ComparisonKey {
            spec: scene.model.clone(),
            data: scene.data.clone(),
            a: a.parameters.clone(),
            b: b.parameters.clone(),
            method: self.method,
            points: self.points,
        })
    }

    /// Keeps the comparison and the barrier matrix current (in the background) and takes
    /// in a finished Bézier fit; called while the view is shown.
    pub fn update(&mut self, ctx: &egui::Context, scene: &crate::core::Scene) {
        let m = scene.models.len();
        // The first time there are two models (or when a choice no longer exists), compare
        // the first two.
        if self.a >= m || self.b >= m || (self.models_seen < 2 && m >= 2) {
            self.a = 0;
            self.b = usize::from(m > 1);
        }
        self.models_seen = m;
        if let Some((_, task)) = &mut self.comparison_task
            && let Some(result) = task.poll()
        {
            self.comparison = Some(result.and_then(|r| r));
            self.comparison_task = None;
        }
        let key = self.key(scene);
        let current = match (&key, &self.comparison) {
            (Some(k), Some(Ok(c))) => c.key == *k,
            (None, _) => true,
            _ => false,
        };
        // One comparison at a time: a stale one finishes first (dropping it would wait for
        // it in this frame), then the current key is asked for.
        if let Some(key) = key.filter(|_| !current && self.comparison_task.is_none()) {
            let k = key.clone();
            match Task::spawn("basinscope-paths", ctx, move |_| compare(k)) {
                Ok(task) => self.comparison_task = Some((key, task)),
                Err(e) => self.comparison = Some(Err(e)),
            }
        }
        if let Some(task) = &mut self.bezier_task
            && let Some(result) = task.poll()
        {
            match result.and_then(|r| r) {
                Ok(curve) => {
                    self.message = Some(match &curve.end {
                        BezierEnd::Finished => {
                            format!("Bézier path fitted in {} steps", curve.steps_done)
                        }
                        BezierEnd::Cancelled => format!(
                            "Bézier fit cancelled after {} steps; showing the curve so far",
                            curve.steps_done
                        ),
                        BezierEnd::Diverged(m) => m.clone(),
                    });
                    self.bezier = Some(curve);
                }
                Err(e) => self.message = Some(format!("the Bézier fit failed: {e}")),
            }
            self.bezier_task = None;
        }
        if let Some(task) = &mut self.matrix_task
            && let Some(result) = task.poll()
        {
            self.matrix = Some(result.and_then(|r| r));
            self.matrix_task = None;
        }
        self.update_matrix(ctx, scene);
    }

    /// The models of a finished training task, once (polled every frame, whichever view
    /// is shown).
    pub fn take_trained(&mut self) -> Option<Vec<NamedModel>> {
        let result = self.train_task.as_mut()?.poll()?;
        self.train_task = None;
        match result.and_then(|r| r) {
            Ok(batch) => {
                self.message = Some(batch.message);
                Some(batch.models)
            }
            Err(e) => {
                self.message = Some(format!("training failed: {e}"));
                None
            }
        }
    }

    fn update_matrix(&mut self, ctx: &egui::Context, scene: &crate::core::Scene) {
        if scene.models.len() < 2 || self.matrix_task.is_some() {
            return;
        }
        let key = (
            scene.model.clone(),
            scene.data.clone(),
            scene
                .models
                .iter()
                .map(|m| m.parameters.clone())
                .collect::<Vec<_>>(),
            self.points,
        );
        if self.matrix_asked.as_ref() == Some(&key) {
            return;
        }
        self.matrix_asked = Some(key.clone());
        let names = scene.models.iter().map(|m| m.name.clone()).collect();
        match Task::spawn("basinscope-barrier-matrix", ctx, move |task| {
            run_barrier_matrix(key, names, task)
        }) {
            Ok(task) => self.matrix_task = Some(task),
            Err(e) => self.matrix = Some(Err(e)),
        }
    }

    /// Whether the barrier matrix is being computed, with its progress.
    pub fn matrix_progress(&self) -> Option<(f32, String)> {
        self.matrix_task.as_ref().map(Task::progress)
    }

    /// Stops computing the barrier matrix (until the models change).
    pub fn cancel_matrix(&self) {
        if let Some(task) = &self.matrix_task {
            task.cancel();
        }
    }

    /// Whether the comparison is being computed.
    pub fn comparing(&self) -> bool {
        self.comparison_task.is_some()
    }

    /// Starts a Bézier fit between A and the aligned B of the current comparison.
    pub fn start_bezier(&mut self, ctx: &egui::Context) {
        let Some(Ok(c)) = &self.comparison else {
            return;
        };
        let key = c.key.clone();
        let b = c.alignment.theta_aligned.clone();
        let config = BezierConfig {
            steps: self.bezier_steps,
            ..BezierConfig::default()
        };
        match Task::spawn("basinscope-bezier-fit", ctx, move |task| {
            run_bezier(key, &b, &config, task)
        }) {
            Ok(task) => {
                self.bezier = None;
                self.bezier_task = Some(task);
            }
            Err(e) => self.message = Some(e),
        }
    }

    /// Starts training `train_count` models of the scene from the next seeds.
    pub fn start_training(&mut self, ctx: &egui::Context, scene: &crate::core::Scene) {
        let (spec, data, config) = (
            scene.model.clone(),
            scene.data.clone(),
            scene.training.clone(),
        );
        let plan = (
            self.next_seed,
            self.train_count.max(1),
            self.train_steps.max(1),
        );
        self.next_seed += plan.1 as u64;
        match Task::spawn("basinscope-train-models", ctx, move |task| {
            run_training(&spec, &data, &config, plan, task)
        }) {
            Ok(task) => self.train_task = Some(task),
            Err(e) => self.message = Some(e),
        }
    }

    /// The Bézier curve, if it belongs to the current comparison.
    pub fn current_bezier(&self) -> Option<&BezierCurve> {
        let Some(Ok(c)) = &self.comparison else {
            return None;
        };
        self.bezier.as_ref().filter(|b| b.key == c.key)
    }
}

impl crate::app::BasinscopeApp {
    /// [`crate::app::Action::Models`]: the one place the models list changes.
    pub(in crate::app) fn apply_models(&mut self, action: ModelsAction) {
        let s = &mut self.state;
        match action {
            ModelsAction::Add(models) => {
                let room = crate::core::models::MAX_MODELS.saturating_sub(s.scene.models.len());
                if models.len() > room {
                    s.error(format!(
                        "the models list holds at most {} models",
                        crate::core::models::MAX_MODELS
                    ));
                }
                for m in models.into_iter().take(room) {
                    match s.scene.model.check_parameters(&m.parameters) {
                        Ok(()) => s.scene.models.push(m),
                        Err(e) => s.error(format!("cannot add model {}: {e}", m.name)),
                    }
                }
            }
            ModelsAction::Rename(i, name) => {
                if let Some(m) = s.scene.models.get_mut(i) {
                    m.name = name
                        .chars()
                        .take(crate::core::models::MAX_NAME_LEN)
                        .collect();
                }
            }
            ModelsAction::Delete(i) => {
                if i < s.scene.models.len() {
                    s.scene.models.remove(i);
                }
            }
            ModelsAction::MakeCurrent(i) => {
                if let Some(m) = s.scene.models.get(i) {
                    let theta = m.parameters.clone();
                    let name = m.name.clone();
                    self.apply(crate::app::Action::SetTheta(theta));
                    self.state.info(format!("θ is now model {name}"));
                }
            }
            ModelsAction::ShowInSlice { spec, paths } => {
                match spec.validate_in_scene(s.scene.parameters.len()) {
                    Ok(()) => {
                        s.scene.view.slice = spec;
                        s.slice_paths = paths;
                        s.active_view = crate::app::ViewTab::Slice2d;
                    }
                    Err(e) => s.error(e.to_string()),
                }
            }
        }
    }
}
