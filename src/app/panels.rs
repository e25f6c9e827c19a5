//! The top bar and the control panel: scene, model, data and training settings.
//! Each `…_ui` reads the state and pushes [`Action`]s; none changes deep state itself.

use crate::core::data::Preset;
use crate::core::scene::{BUILTIN_SCENES, DataSource};
use crate::core::train::OptimizerKind;
use crate::core::{Activation, MlpSpec, TrainingConfig};

use super::state::{Action, AppState, MessageKind, parse_layers};

/// Scene name, run controls summary and the status line; `tour_label` names the tour's
/// button.
pub fn top_bar_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    open_views: &[super::ViewTab],
    tour_label: &str,
    actions: &mut Vec<Action>,
) {
    ui.horizontal(|ui| {
        ui.heading("basinscope");
        ui.separator();
        super::tiles::views_menu_ui(ui, open_views, actions);
        if ui
            .button("Export…")
            .on_hover_text("the current view as PNG or SVG (Ctrl+E)")
            .clicked()
        {
            actions.push(Action::OpenExport);
        }
        if ui
            .button(tour_label)
            .on_hover_text("the guided tour: lessons on the contour-plane picture beside the views")
            .clicked()
        {
            actions.push(Action::Tour(super::tour::TourAction::Open));
        }
        ui.separator();
        let name = if state.scene.name.is_empty() {
            "untitled scene".to_string()
        } else {
            crate::core::limits::shown(&state.scene.name, crate::core::limits::MAX_TITLE_CHARS)
        };
        ui.label(format!("scene: {name}"));
        ui.separator();
        ui.label(format!("step {}", state.steps_done));
        ui.separator();
        ui.label(format!("loss {:.4e}", state.loss));
        if let Some(err) = crate::core::train::classification_error(
            &state.scene.model,
            state.theta(),
            &state.scene.data,
        ) {
            ui.separator();
            ui.label(format!("error {:.1}%", 100.0 * err));
        }
    });
    if let Some(m) = &state.message {
        ui.horizontal(|ui| {
            let color = match m.kind {
                MessageKind::Error => ui.visuals().error_fg_color,
                MessageKind::Info => ui.visuals().weak_text_color(),
            };
            ui.colored_label(color, &m.text);
            if ui.small_button("dismiss").clicked() {
                actions.push(Action::DismissMessage);
            }
        });
    }
}

/// The left panel.
pub fn controls_ui(ui: &mut egui::Ui, state: &mut AppState, actions: &mut Vec<Action>) {
    egui::CollapsingHeader::new("Scene")
        .default_open(true)
        .show(ui, |ui| scene_ui(ui, state, actions));
    egui::CollapsingHeader::new("Training")
        .default_open(true)
        .show(ui, |ui| training_ui(ui, state, actions));
    egui::CollapsingHeader::new("Model")
        .default_open(true)
        .show(ui, |ui| model_ui(ui, state, actions));
    egui::CollapsingHeader::new("Data")
        .default_open(true)
        .show(ui, |ui| data_ui(ui, state, actions));
}

fn scene_ui(ui: &mut egui::Ui, state: &AppState, actions: &mut Vec<Action>) {
    ui.horizontal_wrapped(|ui| {
        let scene_label = ui.label("scene").id;
        egui::ComboBox::from_id_salt("builtin_scene")
            .selected_text("built-in scenes")
            .show_ui(ui, |ui| {
                for s in BUILTIN_SCENES {
                    if ui
                        .selectable_label(state.scene.name == s.name, s.name)
                        .on_hover_text(s.description)
                        .clicked()
                    {
                        actions.push(Action::LoadBuiltin(s.name.to_string()));
                    }
                }
            })
            .response
            .labelled_by(scene_label);
        if ui.button("Open…").clicked() {
            actions.push(Action::OpenDialog);
        }
        if !state.recent_files.is_empty() {
            ui.menu_button("Recent", |ui| {
                for p in &state.recent_files {
                    let shown = crate::core::limits::quote(&p.display().to_string());
                    if ui.button(shown).clicked() {
                        actions.push(Action::LoadPath(p.clone()));
                        ui.close();
                    }
                }
            });
        }
        if ui.button("Save as…").clicked() {
            actions.push(Action::SaveDialog);
        }
        if let Some(p) = &state.scene_path
            && ui
                .button("Save")
                .on_hover_text(p.display().to_string())
                .clicked()
        {
            actions.push(Action::SaveTo(p.clone()));
        }
    });
    if !state.scene.description.is_empty() {
        ui.label(
            egui::RichText::new(crate::core::limits::shown(
                &state.scene.description,
                crate::core::limits::MAX_DESCRIPTION_CHARS,
            ))
            .weak(),
        );
    }
    ui.label(
        egui::RichText::new("Drop a scene file on the window to open it.")
            .weak()
            .small(),
    );
}

/// Training: the run buttons, the speed slider and the training settings.
fn training_ui(ui: &mut egui::Ui, state: &AppState, actions: &mut Vec<Action>) {
    run_buttons_ui(ui, state, actions);
    speed_ui(ui, state, actions);
    let mut cfg: TrainingConfig = state.scene.training.clone();
    if training_settings_ui(ui, state, &mut cfg) {
        actions.push(Action::SetTraining(cfg));
    }
}

/// Train/Pause, Step, ×100 and Reset in a row.
fn run_buttons_ui(ui: &mut egui::Ui, state: &AppState, actions: &mut Vec<Action>) {
    ui.horizontal(|ui| {
        if state.playing {
            if ui.button("Pause").clicked() {
                actions.push(Action::Pause);
            }
        } else if ui.button("Train").clicked() {
            actions.push(Action::Play);
        }
        if ui
            .add_enabled(!state.playing, egui::Button::new("Step"))
            .clicked()
        {
            actions.push(Action::Step(1));
        }
        if ui
            .add_enabled(!state.playing, egui::Button::new("×100"))
            .on_hover_text("100 steps")
            .clicked()
        {
            actions.push(Action::Step(100));
        }
        if ui
            .button("Reset")
            .on_hover_text("back to the initial parameters")
            .clicked()
        {
            actions.push(Action::Reset);
        }
    });
}

/// The steps-per-frame slider.
fn speed_ui(ui: &mut egui::Ui, state: &AppState, actions: &mut Vec<Action>) {
    let mut speed = state.speed;
    if ui
        .add(
            egui::Slider::new(&mut speed, 1..=1000)
                .logarithmic(true)
                .text("steps / frame"),
        )
        .changed()
    {
        actions.push(Action::SetSpeed(speed));
    }
}

/// The training settings grid (optimizer, learning rate, momentum, batch, batch seed)
/// editing `cfg`; true if anything changed.
fn training_settings_ui(ui: &mut egui::Ui, state: &AppState, cfg: &mut TrainingConfig) -> bool {
    let mut changed = false;
    egui::Grid::new("training_grid")
        .num_columns(2)
        .show(ui, |ui| {
            let label = ui.label("optimizer").id;
            egui::ComboBox::from_id_salt("optimizer")
                .selected_text(cfg.optimizer.name())
                .show_ui(ui, |ui| {
                    for o in OptimizerKind::ALL {
                        changed |= ui
                            .selectable_value(&mut cfg.optimizer, o, o.name())
                            .changed();
                    }
                })
                .response
                .labelled_by(label);
            ui.end_row();
            let label = ui.label("learning rate").id;
            changed |= ui
                .add(
                    egui::DragValue::new(&mut cfg.learning_rate)
                        .speed(0.0005)
                        .range(1e-6..=10.0)
                        .max_decimals(6),
                )
                .labelled_by(label)
                .changed();
            ui.end_row();
            if cfg.optimizer == OptimizerKind::Momentum {
                let label = ui.label("momentum").id;
                changed |= ui
                    .add(
                        egui::DragValue::new(&mut cfg.momentum)
                            .speed(0.01)
                            .range(0.0..=0.999),
                    )
                    .labelled_by(label)
                    .changed();
                ui.end_row();
            }
            let label = ui.label("batch").id;
            changed |= batch_size_ui(ui, state, cfg, label);
            ui.end_row();
            let label = ui.label("batch seed").id;
            changed |= ui
                .add(egui::DragValue::new(&mut cfg.seed))
                .labelled_by(label)
                .changed();
            ui.end_row();
        });
    changed
}

/// The batch row: a "full" checkbox and, for minibatches, the batch size (labelled by
/// `label`); true if either changed.
fn batch_size_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    cfg: &mut TrainingConfig,
    label: egui::Id,
) -> bool {
    let mut changed = false;
    ui.horizontal(|ui| {
        let mut full = cfg.batch_size.is_none();
        if ui.checkbox(&mut full, "full").changed() {
            cfg.batch_size = if full {
                None
            } else {
                Some((state.scene.data.n_inputs() / 4).max(1))
            };
            changed = true;
        }
        if let Some(b) = &mut cfg.batch_size {
            changed |= ui
                .add(egui::DragValue::new(b).range(1..=state.scene.data.n_inputs().max(1)))
                .labelled_by(label)
                .changed();
        }
    });
    changed
}

/// Model: the architecture grid, the parameter count and the editable θ list.
fn model_ui(ui: &mut egui::Ui, state: &mut AppState, actions: &mut Vec<Action>) {
    let spec = state.scene.model.clone();
    egui::Grid::new("model_grid").num_columns(2).show(ui, |ui| {
        layers_ui(ui, state, &spec, actions);
        ui.end_row();
        activation_ui(ui, &spec, actions);
        ui.end_row();
        let label = ui.label("bias").id;
        let mut bias = spec.bias;
        if ui.checkbox(&mut bias, "").labelled_by(label).changed() {
            actions.push(Action::SetModel {
                layers: spec.layers.clone(),
                activation: spec.activation,
                bias,
            });
        }
        ui.end_row();
        init_seed_ui(ui, state, actions);
        ui.end_row();
    });
    ui.label(format!("N = {} parameters", spec.n_params()));
    egui::CollapsingHeader::new("parameters θ")
        .default_open(false)
        .show(ui, |ui| parameters_ui(ui, state, &spec, actions));
}

/// The layer widths as text, applied when the field loses focus (errors go to the
/// status line).
fn layers_ui(ui: &mut egui::Ui, state: &mut AppState, spec: &MlpSpec, actions: &mut Vec<Action>) {
    let label = ui.label("layers").id;
    let response = ui
        .add(egui::TextEdit::singleline(&mut state.layers_text).desired_width(120.0))
        .labelled_by(label);
    if response.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter))
        || response.lost_focus()
    {
        match parse_layers(&state.layers_text) {
            Ok(layers) if layers != spec.layers => actions.push(Action::SetModel {
                layers,
                activation: spec.activation,
                bias: spec.bias,
            }),
            Ok(_) => {}
            Err(e) => state.error(e),
        }
    }
}

/// The activation combo box.
fn activation_ui(ui: &mut egui::Ui, spec: &MlpSpec, actions: &mut Vec<Action>) {
    let label = ui.label("activation").id;
    let mut act = spec.activation;
    egui::ComboBox::from_id_salt("activation")
        .selected_text(act.name())
        .show_ui(ui, |ui| {
            for a in Activation::ALL {
                ui.selectable_value(&mut act, a, a.name());
            }
        })
        .response
        .labelled_by(label);
    if act != spec.activation {
        actions.push(Action::SetModel {
            layers: spec.layers.clone(),
            activation: act,
            bias: spec.bias,
        });
    }
}

/// The init seed and the re-init button.
fn init_seed_ui(ui: &mut egui::Ui, state: &AppState, actions: &mut Vec<Action>) {
    let label = ui.label("init seed").id;
    ui.horizontal(|ui| {
        let mut seed = state.scene.init_seed;
        if ui
            .add(egui::DragValue::new(&mut seed))
            .labelled_by(label)
            .changed()
        {
            actions.push(Action::SetInitSeed(seed));
        }
        if ui.button("re-init").clicked() {
            actions.push(Action::Reinitialize);
        }
    });
}

/// The first 2000 parameters, one named, editable value a row, in a scroll area.
fn parameters_ui(ui: &mut egui::Ui, state: &AppState, spec: &MlpSpec, actions: &mut Vec<Action>) {
    egui::ScrollArea::vertical()
        .max_height(240.0)
        .id_salt("theta_scroll")
        .show(ui, |ui| {
            egui::Grid::new("theta_grid")
                .num_columns(2)
                .striped(true)
                .show(ui, |ui| {
                    for (i, &v) in state.scene.parameters.iter().enumerate().take(2000) {
                        let label = ui.label(spec.param_name(i)).id;
                        let mut value = v;
                        if ui
                            .add(egui::DragValue::new(&mut value).speed(0.01).max_decimals(5))
                            .labelled_by(label)
                            .changed()
                        {
                            actions.push(Action::SetParameter(i, value));
                        }
                        ui.end_row();
                    }
                });
        });
}

fn data_ui(ui: &mut egui::Ui, state: &mut AppState, actions: &mut Vec<Action>) {
    let (mut preset, mut n, mut noise, mut seed) = match &state.scene.data_source {
        DataSource::Preset {
            preset,
            n,
            noise,
            seed,
        } => (*preset, *n, *noise, *seed),
        DataSource::Explicit => (Preset::Xor, state.scene.data.n_inputs(), 0.0, 0),
    };
    let explicit = matches!(state.scene.data_source, DataSource::Explicit);
    let mut changed = false;
    egui::Grid::new("data_grid").num_columns(2).show(ui, |ui| {
        let preset_label = ui.label("preset").id;
        let label = if explicit {
            "edited / explicit".to_string()
        } else {
            preset.name().to_string()
        };
        egui::ComboBox::from_id_salt("preset")
            .selected_text(label)
            .show_ui(ui, |ui| {
                for p in Preset::ALL {
                    if ui
                        .selectable_label(!explicit && preset == p, p.name())
                        .clicked()
                    {
                        preset = p;
                        changed = true;
                    }
                }
            })
            .response
            .labelled_by(preset_label);
        ui.end_row();
        let label = ui.label("n").id;
        changed |= ui
            .add_enabled(
                preset.uses_n(),
                egui::DragValue::new(&mut n).range(1..=2000),
            )
            .labelled_by(label)
            .changed();
        ui.end_row();
        let label = ui.label("noise").id;
        changed |= ui
            .add(
                egui::DragValue::new(&mut noise)
                    .speed(0.005)
                    .range(0.0..=2.0),
            )
            .labelled_by(label)
            .changed();
        ui.end_row();
        let label = ui.label("data seed").id;
        changed |= ui
            .add(egui::DragValue::new(&mut seed))
            .labelled_by(label)
            .changed();
        ui.end_row();
    });
    if changed {
        actions.push(Action::SetPreset {
            preset,
            n,
            noise,
            seed,
        });
    }
    ui.horizontal(|ui| {
        let label = ui.label("new point target").id;
        ui.add(egui::DragValue::new(&mut state.new_point_target).speed(0.05))
            .labelled_by(label);
    });
    ui.label(
        egui::RichText::new("Drag points in the data view; right-click adds a point, shift+right-click removes one.")
            .weak()
            .small(),
    );
    egui::CollapsingHeader::new(format!("points ({})", state.scene.data.n_inputs()))
        .default_open(state.scene.data.n_inputs() <= 8)
        .show(ui, |ui| points_table_ui(ui, state, actions));
}

/// The editable table of inputs and targets, with each output.
fn points_table_ui(ui: &mut egui::Ui, state: &AppState, actions: &mut Vec<Action>) {
    let data = &state.scene.data;
    let spec = &state.scene.model;
    egui::ScrollArea::vertical()
        .max_height(260.0)
        .id_salt("points_scroll")
        .show(ui, |ui| {
            egui::Grid::new("points_grid").striped(true).show(ui, |ui| {
                ui.label("#");
                let x_labels: Vec<egui::Id> = (0..data.input_dim())
                    .map(|j| ui.label(format!("x{j}")).id)
                    .collect();
                let y_label = ui.label("y").id;
                ui.label("f(x)");
                ui.label("");
                ui.end_row();
                for (i, (x, &y)) in data.inputs.iter().zip(&data.targets).enumerate().take(500) {
                    ui.label(i.to_string());
                    for (j, &xj) in x.iter().enumerate() {
                        let mut v = xj;
                        if ui
                            .add(egui::DragValue::new(&mut v).speed(0.01).max_decimals(3))
                            .labelled_by(x_labels[j])
                            .changed()
                        {
                            let mut new_x = x.clone();
                            new_x[j] = v;
                            actions.push(Action::MovePoint(i, new_x));
                        }
                    }
                    let mut t = y;
                    if ui
                        .add(egui::DragValue::new(&mut t).speed(0.01).max_decimals(3))
                        .labelled_by(y_label)
                        .changed()
                    {
                        actions.push(Action::SetTarget(i, t));
                    }
                    ui.label(format!("{:.3}", spec.forward(state.theta(), x)));
                    if ui
                        .small_button("−")
                        .on_hover_text("remove this point")
                        .clicked()
                    {
                        actions.push(Action::RemovePoint(i));
                    }
                    ui.end_row();
                }
            });
        });
    if ui.button("+ add point").clicked() {
        let x = data
            .inputs
            .last()
            .map_or_else(|| vec![0.0; spec.input_dim()], Clone::clone);
        actions.push(Action::AddPoint(x, state.new_point_target));
    }
}
