//! The controls above the 2-D slice: axes, center, extent, resolution, layers.

use super::SliceViewState;
use crate::app::state::{Action, AppState};
use crate::core::slice::{AxisChoice, BiasTreatment, SliceSpec};

pub(super) fn controls_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    view: &mut SliceViewState,
    spec: &SliceSpec,
    actions: &mut Vec<Action>,
) {
    ui.horizontal_wrapped(|ui| axes_row_ui(ui, state, view, spec, actions));
    // In a tile of ordinary height the rest folds away, so the picture keeps the space.
    egui::CollapsingHeader::new("center, extent, grid, layers")
        .id_salt("slice_settings")
        .default_open(ui.available_height() > 700.0)
        .show(ui, |ui| {
            ui.horizontal_wrapped(|ui| extent_row_ui(ui, state, spec, actions));
            ui.horizontal_wrapped(|ui| layers_row_ui(ui, view));
        });
    ui.horizontal_wrapped(|ui| status_row_ui(ui, view));
}

/// The axis choice (a combo box), its parameters, and the axes buttons.
fn axes_row_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    view: &mut SliceViewState,
    spec: &SliceSpec,
    actions: &mut Vec<Action>,
) {
    let n = state.theta().len();
    let mut choice = axis_choice_ui(ui, state, view, spec);
    match &mut choice {
        AxisChoice::Coordinates { a, b } => {
            ui.add(
                egui::DragValue::new(a)
                    .range(0..=n.saturating_sub(1))
                    .prefix("u: θ[")
                    .suffix("]"),
            );
            ui.add(
                egui::DragValue::new(b)
                    .range(0..=n.saturating_sub(1))
                    .prefix("v: θ[")
                    .suffix("]"),
            );
        }
        AxisChoice::Random { seed, bias } => {
            ui.add(egui::DragValue::new(seed).prefix("seed "));
            egui::ComboBox::from_id_salt("bias_treatment")
                .selected_text(if *bias == BiasTreatment::Zero {
                    "biases zeroed"
                } else {
                    "biases copied"
                })
                .show_ui(ui, |ui| {
                    ui.selectable_value(bias, BiasTreatment::Zero, "biases zeroed");
                    ui.selectable_value(bias, BiasTreatment::Copy, "biases copied");
                })
                .response
                .accessible_name("bias treatment");
        }
        _ => {}
    }
    if choice != spec.axes {
        let valid = match &choice {
            AxisChoice::Coordinates { a, b } => a != b,
            _ => true,
        };
        if valid {
            let mut s = spec.clone();
            s.axes = choice;
            actions.push(Action::SetSliceSpec(s));
        }
    }
    if ui
        .button("recompute axes")
        .on_hover_text("rebuild u and v at the current θ")
        .clicked()
    {
        view.axes_for = None;
    }
    if ui
        .button("save θ")
        .on_hover_text("remember the current θ for the three-point plane")
        .clicked()
    {
        view.saved_theta = Some(state.theta().to_vec());
    }
}

/// The combo box of axis choices; returns the choice made (the current one if none).
fn axis_choice_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    view: &SliceViewState,
    spec: &SliceSpec,
) -> AxisChoice {
    let n = state.theta().len();
    let axes_label = ui.label("axes").id;
    let label = axis_label(&spec.axes);
    let mut choice = spec.axes.clone();
    egui::ComboBox::from_id_salt("slice_axes")
        .selected_text(label)
        .show_ui(ui, |ui| {
            let options = [
                AxisChoice::Coordinates {
                    a: 0,
                    b: 1.min(n.saturating_sub(1)),
                },
                AxisChoice::Random {
                    seed: 0,
                    bias: BiasTreatment::Zero,
                },
                AxisChoice::Pca,
                AxisChoice::Hessian,
                AxisChoice::GradientSingular,
                AxisChoice::Manifold,
            ];
            for o in options {
                let same = std::mem::discriminant(&o) == std::mem::discriminant(&spec.axes);
                if ui.selectable_label(same, axis_label(&o)).clicked() && !same {
                    choice = o;
                }
            }
            let three = view
                .saved_theta
                .clone()
                .map(|saved| AxisChoice::ThreePoints {
                    points: vec![
                        state.initial_parameters.clone(),
                        state.theta().to_vec(),
                        saved,
                    ],
                });
            if ui
                .add_enabled(
                    three.is_some(),
                    egui::Button::selectable(false, "plane: θ_init, θ, saved θ"),
                )
                .on_disabled_hover_text("save a θ first")
                .clicked()
                && let Some(t) = three
            {
                choice = t;
            }
        })
        .response
        .labelled_by(axes_label);
    choice
}

/// Whether the center follows θ, the extent of a and b, and the grid resolution.
fn extent_row_ui(ui: &mut egui::Ui, state: &AppState, spec: &SliceSpec, actions: &mut Vec<Action>) {
    let mut s = spec.clone();
    let mut follow = spec.center.is_none();
    if ui
        .checkbox(&mut follow, "center follows θ")
        .on_hover_text("unchecked: θ₀ stays where θ is now")
        .changed()
    {
        s.center = if follow {
            None
        } else {
            Some(state.theta().to_vec())
        };
        actions.push(Action::SetSliceSpec(s.clone()));
    }
    let mut half = [
        0.5 * (s.a_range[1] - s.a_range[0]),
        0.5 * (s.b_range[1] - s.b_range[0]),
    ];
    let mid = [
        0.5 * (s.a_range[1] + s.a_range[0]),
        0.5 * (s.b_range[1] + s.b_range[0]),
    ];
    let mut changed = ui
        .add(
            egui::DragValue::new(&mut half[0])
                .speed(0.01)
                .range(1e-6..=1e6)
                .prefix("extent a ±"),
        )
        .changed();
    changed |= ui
        .add(
            egui::DragValue::new(&mut half[1])
                .speed(0.01)
                .range(1e-6..=1e6)
                .prefix("b ±"),
        )
        .changed();
    if ui
        .button("center")
        .on_hover_text("put (0, 0) in the middle")
        .clicked()
    {
        s.a_range = [-half[0], half[0]];
        s.b_range = [-half[1], half[1]];
        actions.push(Action::SetSliceSpec(s.clone()));
    } else if changed {
        s.a_range = [mid[0] - half[0], mid[0] + half[0]];
        s.b_range = [mid[1] - half[1], mid[1] + half[1]];
        actions.push(Action::SetSliceSpec(s.clone()));
    }
    let mut r = s.resolution[0];
    egui::ComboBox::new("slice_resolution", "grid")
        .selected_text(format!("{r}²"))
        .show_ui(ui, |ui| {
            for opt in [64, 128, 256, 512, 1024] {
                ui.selectable_value(&mut r, opt, format!("{opt}²"));
            }
        });
    if r != s.resolution[0] {
        s.resolution = [r, r];
        actions.push(Action::SetSliceSpec(s));
    }
}

/// Which layers of the picture are drawn.
fn layers_row_ui(ui: &mut egui::Ui, view: &mut SliceViewState) {
    ui.checkbox(&mut view.style.show_loss, "loss");
    ui.checkbox(&mut view.style.show_contours, "contours");
    ui.add(
        egui::DragValue::new(&mut view.style.level_spacing)
            .speed(0.01)
            .range(0.01..=10.0)
            .prefix("Δ "),
    );
    ui.checkbox(&mut view.style.show_solution_contours, "solution contours");
    ui.checkbox(&mut view.style.show_behavior_manifold, "behavior manifold");
    ui.checkbox(&mut view.style.show_solution_set, "solution set");
    ui.checkbox(&mut view.show_trajectory, "trajectory");
}

/// What the slice shows and how it is computed: the axes in words, the grid, which
/// evaluator computes the field and why, and the frame time.
fn status_row_ui(ui: &mut egui::Ui, view: &SliceViewState) {
    if let Some(axes) = &view.axes {
        ui.label(egui::RichText::new(&axes.description).weak());
    }
    if let Some(f) = &view.last_frame {
        let dt_ms = 1000.0 * ui.input(|i| i.unstable_dt);
        let [na, nb] = f.shape();
        let fields = view
            .fields_on
            .as_ref()
            .map_or_else(String::new, super::FieldsOn::describe);
        let picture = if !view.has_renderer {
            "picture drawn on the CPU"
        } else if view.software_adapter {
            "picture on the software GPU"
        } else {
            "picture on the GPU"
        };
        ui.label(
            egui::RichText::new(format!(
                "· grid {na}×{nb} · {fields} · {picture} · frame {dt_ms:.0} ms"
            ))
            .weak(),
        );
    }
}

fn axis_label(choice: &AxisChoice) -> String {
    match choice {
        AxisChoice::Coordinates { .. } => "two parameters".into(),
        AxisChoice::Random { .. } => "random (filter-normalized)".into(),
        AxisChoice::Pca => "PCA of the trajectory".into(),
        AxisChoice::Hessian => "top Hessian eigenvectors".into(),
        AxisChoice::GradientSingular => "left singular vectors of G".into(),
        AxisChoice::Manifold => "manifold tangent × normal".into(),
        AxisChoice::ThreePoints { .. } => "plane through three θ".into(),
        AxisChoice::Explicit { .. } => "explicit u, v".into(),
    }
}
