//! The loss curve (egui_plot), log scale.

use egui_plot::{HoverPosition, Line, Plot, PlotPoints};

use super::state::AppState;

/// Most points drawn; longer histories are strided.
const MAX_POINTS: usize = 4000;

/// log₁₀ of the full-batch loss against the step.
pub fn loss_view_ui(ui: &mut egui::Ui, state: &AppState) {
    let h = &state.loss_history;
    let stride = h.len().div_ceil(MAX_POINTS).max(1);
    let points: PlotPoints = h
        .iter()
        .step_by(stride)
        .filter(|(_, l)| l.is_finite() && *l > 0.0)
        .map(|&(step, l)| [step as f64, l.log10()])
        .collect();
    ui.label(format!(
        "loss (MSE, log scale) — {} steps",
        h.last().map_or(0, |(s, _)| s + 1)
    ));
    Plot::new("loss_curve")
        .y_axis_label("log₁₀ loss")
        .x_axis_label("step")
        .allow_scroll(false)
        .label_formatter(|pos| match pos {
            HoverPosition::NearDataPoint { position, .. } => Some(format!(
                "step {:.0}\nloss {:.3e}",
                position.x,
                10f64.powf(position.y)
            )),
            HoverPosition::Elsewhere { .. } => None,
        })
        .show(ui, |plot_ui| {
            plot_ui.line(
                Line::new("loss", points)
                    .color(egui::Color32::from_rgb(230, 120, 40))
                    .width(1.5),
            );
        });
}
