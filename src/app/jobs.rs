//! Work the app runs on background threads ([`super::background::LatestJob`]): the
//! analysis behind the behavioral-gradients view and the manifold walk.

use super::{Action, BasinscopeApp, background, gradients_view};
use crate::core::MlpSpec;
use crate::core::analysis::{
    Analysis, InformationLoss, RankTolerance, analyze, information_loss, walk_manifold,
};

/// A manifold walk to run in the background.
pub struct WalkRequest {
    pub spec: MlpSpec,
    pub theta: Vec<f64>,
    pub data: crate::core::Dataset,
    pub direction_index: usize,
    pub distance: f64,
    /// The run it belongs to; a result for an older run is dropped.
    pub generation: u64,
}

pub type WalkResult = (
    WalkRequest,
    Result<crate::core::analysis::ManifoldWalk, String>,
);

#[allow(clippy::needless_pass_by_value)] // LatestJob hands requests over by value
pub fn run_walk(req: WalkRequest) -> WalkResult {
    let step = (req.distance / 50.0).clamp(1e-3, 0.05);
    let walk = walk_manifold(
        &req.spec,
        &req.theta,
        &req.data,
        req.direction_index,
        req.distance,
        step,
    )
    .map_err(|e| e.to_string());
    (req, walk)
}

/// What an analysis is computed for.
#[derive(Clone, Debug, PartialEq)]
pub struct AnalysisRequest {
    pub spec: MlpSpec,
    pub theta: Vec<f64>,
    pub data: crate::core::Dataset,
    pub rtol: Option<f64>,
}

pub type AnalysisResult = Result<(AnalysisRequest, Box<Analysis>, InformationLoss), String>;

pub fn run_analysis(req: AnalysisRequest) -> AnalysisResult {
    let tol = req
        .rtol
        .map_or(RankTolerance::NumpyDefault, RankTolerance::Relative);
    let analysis = analyze(&req.spec, &req.theta, &req.data, tol).map_err(|e| e.to_string())?;
    let info = information_loss(&req.spec, &req.theta, &req.data, 1e-9);
    Ok((req, Box::new(analysis), info))
}

impl BasinscopeApp {
    /// Keeps the analysis current while the gradients view is shown (in the background).
    fn update_analysis(&mut self) {
        if let Some(job) = &mut self.analysis_job
            && let Some(result) = job.poll()
        {
            match result {
                Ok((req, analysis, info)) => {
                    self.analysis = Some((req, analysis, info));
                    self.analysis_error = None;
                }
                Err(e) => self.analysis_error = Some(e),
            }
        }
        let request = AnalysisRequest {
            spec: self.state.scene.model.clone(),
            theta: self.state.scene.parameters.clone(),
            data: self.state.scene.data.clone(),
            rtol: self.gradients.rtol,
        };
        let current = self
            .analysis
            .as_ref()
            .is_some_and(|(r, _, _)| *r == request);
        if current {
            return;
        }
        if self.analysis_job.is_none() {
            let ctx = self.ctx.clone();
            match background::LatestJob::spawn("basinscope-analysis", run_analysis, move || {
                ctx.request_repaint();
            }) {
                Ok(job) => self.analysis_job = Some(job),
                Err(e) => {
                    self.analysis_error = Some(format!("cannot start the analysis thread: {e}"));
                    return;
                }
            }
        }
        if let Some(job) = &mut self.analysis_job
            && !job.busy()
        {
            job.request(request);
        }
    }

    pub(super) fn gradients_ui(&mut self, ui: &mut egui::Ui) -> Option<Action> {
        self.update_analysis();
        if let Some(e) = &self.analysis_error {
            ui.colored_label(ui.visuals().error_fg_color, format!("analysis failed: {e}"));
        }
        // A result for another model (just changed) is not shown.
        let (analysis, info) = match &self.analysis {
            Some((r, a, i))
                if r.spec == self.state.scene.model
                    && r.data.n_inputs() == self.state.scene.data.n_inputs() =>
            {
                (Some(a.as_ref()), Some(i))
            }
            _ => (None, None),
        };
        let action = gradients_view::gradients_view_ui(
            ui,
            &self.state.scene.model,
            analysis,
            info,
            &mut self.gradients,
        )?;
        match action {
            gradients_view::GradientsAction::SetTolerance(rtol) => {
                self.gradients.rtol = rtol;
                None
            }
            gradients_view::GradientsAction::WalkManifold {
                direction_index,
                distance,
            } => Some(Action::WalkManifold {
                direction_index,
                distance,
            }),
        }
    }
}
