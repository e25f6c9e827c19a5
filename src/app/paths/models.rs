//! The models list of the paths view: add (snapshot the current θ or the initial θ,
//! load a scene file, train several from different seeds in the background), rename,
//! delete, make current. The list lives in the scene, so it is saved with it.

use super::{ModelsAction, PathsViewState};
use crate::app::state::{Action, AppState};
use crate::core::Scene;
use crate::core::models::NamedModel;

/// The list and its buttons.
pub fn models_list_ui(
    ui: &mut egui::Ui,
    state: &AppState,
    view: &mut PathsViewState,
    actions: &mut Vec<Action>,
) {
    ui.heading("Models");
    let models = &state.scene.models;
    let push = |actions: &mut Vec<Action>, a: ModelsAction| actions.push(Action::Models(a));
    for (i, m) in models.iter().enumerate() {
        ui.horizontal(|ui| {
            let mut name = m.name.clone();
            if ui
                .add(egui::TextEdit::singleline(&mut name).desired_width(110.0))
                .changed()
            {
                push(actions, ModelsAction::Rename(i, name));
            }
            let loss =
                crate::core::train::mse_loss(&state.scene.model, &m.parameters, &state.scene.data);
            ui.label(format!("{loss:.2e}"))
                .on_hover_text("full-batch loss");
            if ui
                .small_button("use")
                .on_hover_text("make this θ current")
                .clicked()
            {
                push(actions, ModelsAction::MakeCurrent(i));
            }
            if ui.small_button("delete").on_hover_text("delete").clicked() {
                push(actions, ModelsAction::Delete(i));
            }
        });
    }
    if models.is_empty() {
        ui.label("no models yet");
    }
    ui.separator();
    ui.horizontal_wrapped(|ui| {
        if ui.button("Snapshot θ").clicked() {
            push(
                actions,
                ModelsAction::Add(vec![NamedModel {
                    name: format!("θ at step {}", state.steps_done),
                    parameters: state.scene.parameters.clone(),
                }]),
            );
        }
        if ui.button("Snapshot init").clicked() {
            push(
                actions,
                ModelsAction::Add(vec![NamedModel {
                    name: "initial θ".into(),
                    parameters: state.initial_parameters.clone(),
                }]),
            );
        }
    });
    ui.horizontal(|ui| {
        ui.label("scene file:");
        let path_id = ui.scope_id().with("model_path");
        let mut path: String = ui.data_mut(|d| d.get_temp(path_id).unwrap_or_default());
        ui.add(egui::TextEdit::singleline(&mut path).desired_width(110.0));
        ui.data_mut(|d| d.insert_temp(path_id, path.clone()));
        if ui
            .button("Load")
            .on_hover_text("adds the θ of a scene file with this architecture")
            .clicked()
        {
            match load_model(&path, state) {
                Ok(m) => push(actions, ModelsAction::Add(vec![m])),
                Err(e) => view.message = Some(e),
            }
        }
    });
    ui.separator();
    train_models_ui(ui, state, view);
}

/// Training several models from different seeds in the background, with progress and
/// cancel.
fn train_models_ui(ui: &mut egui::Ui, state: &AppState, view: &mut PathsViewState) {
    if let Some(task) = &view.train_task {
        let (fraction, text) = task.progress();
        ui.add(egui::ProgressBar::new(fraction).text(text));
        if ui
            .add_enabled(!task.cancelling(), egui::Button::new("Cancel training"))
            .clicked()
        {
            task.cancel();
        }
    } else {
        ui.horizontal(|ui| {
            ui.add(egui::DragValue::new(&mut view.train_count).range(1..=32));
            ui.label("models of");
            ui.add(
                egui::DragValue::new(&mut view.train_steps)
                    .range(1..=1_000_000)
                    .suffix(" steps"),
            );
        });
        if ui
            .button("Train models")
            .on_hover_text(format!(
                "trains new models of this scene from init seeds {}, {}, … in the background",
                view.next_seed,
                view.next_seed + 1
            ))
            .clicked()
        {
            view.start_training(ui.ctx(), &state.scene);
        }
    }
}

/// The θ of the scene file (or built-in scene) at `path`, if its architecture matches
/// the current scene's.
fn load_model(path: &str, state: &AppState) -> Result<NamedModel, String> {
    let path = path.trim();
    if path.is_empty() {
        return Err("type the path of a scene file first".into());
    }
    let scene = Scene::resolve(path).map_err(|e| format!("cannot load the model: {e}"))?;
    crate::core::align::check_same_architecture(&state.scene.model, &scene.model)
        .map_err(|e| format!("cannot add {path}: {e}"))?;
    Ok(NamedModel {
        name: if scene.name.is_empty() {
            path.to_string()
        } else {
            scene.name
        },
        parameters: scene.parameters,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_of_another_architecture_is_refused_in_one_sentence() {
        let state = AppState::new(Scene::resolve("moons").unwrap());
        let err = load_model("xor", &state).unwrap_err();
        assert!(
            err.contains("different layers") && err.contains("[2, 16, 16, 1]"),
            "{err}"
        );
        let ok = load_model("moons", &state).unwrap();
        assert_eq!(ok.parameters, state.scene.parameters);
        assert!(load_model("  ", &state).is_err());
        assert!(
            load_model("no/such/file.json", &state)
                .unwrap_err()
                .contains("no scene file")
        );
    }
}
