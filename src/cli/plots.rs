//! The plot views of `basinscope render`: the loss curve (from the scene's recorded
//! `loss_history`) and the gradients view (G, its singular values with the rank
//! threshold, the Hessian spectrum beside (2/k)σ², from the analysis at the scene's θ),
//! each with its data as CSV.

use anyhow::Context as _;

use crate::core::Scene;
use crate::core::analysis::{RankTolerance, analyze};
use crate::draw::figure::charts::{loss_csv, spectra_csv};
use crate::draw::figure::{
    FigureOptions, GradientsFigure, LossFigure, Rendered, Surface, gradients_figure, loss_figure,
};

/// The loss curve figure and its CSV (`step,loss`).
pub fn loss(
    scene: &Scene,
    options: &FigureOptions,
    (width, height): (u32, u32),
    surface: Surface,
) -> (Rendered, String) {
    let history = &scene.recording.loss_history;
    if history.is_empty() {
        eprintln!(
            "warning: the scene has no recorded loss history; train it first (`basinscope train`)"
        );
    }
    let mut options = options.clone();
    options.subtitle = format!(
        "full-batch loss before each step, {} recorded samples",
        history.len()
    );
    let figure = loss_figure(&LossFigure { history }, &options, width, height, surface);
    (figure, loss_csv(history))
}

/// The gradients figure and its CSV (index, σ, Hessian eigenvalue, (2/k)σ² eigenvalue).
pub fn gradients(
    scene: &Scene,
    options: &FigureOptions,
    (width, height): (u32, u32),
    surface: Surface,
) -> anyhow::Result<(Rendered, String)> {
    let a = analyze(
        &scene.model,
        &scene.parameters,
        &scene.data,
        RankTolerance::NumpyDefault,
    )
    .context("cannot analyze the scene")?;
    let mut options = options.clone();
    options.subtitle = format!(
        "N = {} parameters, k = {} inputs: rank G = {}, behavior manifold dimension {}",
        a.n_params, a.n_inputs, a.g_rank, a.manifold_dim
    );
    let figure = GradientsFigure {
        g: a.behavioral_gradients.as_slice(),
        n_params: a.n_params,
        n_inputs: a.n_inputs,
        singular_values: &a.g_singular_values,
        rank_tol: a.rank_tol,
        g_rank: a.g_rank,
        hessian_eigenvalues: &a.hessian_eigenvalues,
        gauss_newton_eigenvalues: &a.gauss_newton_eigenvalues,
    };
    let csv = spectra_csv(
        &a.g_singular_values,
        &a.hessian_eigenvalues,
        &a.gauss_newton_eigenvalues,
    );
    Ok((
        gradients_figure(&figure, &options, width, height, surface),
        csv,
    ))
}
