//! The real app, headless: egui_kittest drives `BasinscopeApp` with the wgpu renderer
//! (llvmpipe in CI) and checks both state and rendered images.

use std::time::{Duration, Instant};

use basinscope::app::{Action, BasinscopeApp, MessageKind};
use basinscope::core::Scene;
use common::cli::{basinscope, stderr};
use common::harness::{
    built_in, harness, harness_with, one_group, render, step_for, step_until, wait_for,
};
use common::pixels::{mean_abs_diff, mean_abs_diff_in};
use common::pointer::{drag, primary};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

mod common {
    pub mod cli;
    pub mod harness;
    pub mod pixels;
    pub mod pointer;
}

#[test]
fn clicking_train_lowers_the_loss_and_changes_the_data_view() {
    let mut h = harness("xor");
    h.run_steps(3);
    let loss_before = h.state().state.loss;
    let before = h.render().expect("wgpu renders the app");
    let plot_rect = h.get_by_label_contains("f(x) over input space").rect();

    h.get_by_label("Train").click();
    step_until(&mut h, Duration::from_mins(1), |app| {
        app.state.steps_done >= 500
    });
    h.get_by_label("Pause").click();
    step_until(&mut h, Duration::from_secs(10), |app| !app.state.playing);
    h.run_steps(3);

    let app = h.state();
    assert!(
        app.state.steps_done >= 500,
        "only {} steps ran",
        app.state.steps_done
    );
    assert!(
        app.state.loss < 0.5 * loss_before,
        "loss {} → {}",
        loss_before,
        app.state.loss
    );
    assert!(app.state.loss_history.len() >= 500);
    let after = h.render().expect("wgpu renders the app");
    // The heatmap lies below the label, in the central area.
    let region = egui::Rect::from_min_max(
        egui::pos2(plot_rect.min.x + 40.0, plot_rect.max.y + 20.0),
        egui::pos2(plot_rect.max.x - 20.0, plot_rect.max.y + 300.0),
    );
    let diff = mean_abs_diff_in(&before, &after, region);
    assert!(
        diff > 5.0,
        "the data view barely changed (mean |Δ| = {diff:.2})"
    );
}

#[test]
fn a_bad_scene_shows_its_error_instead_of_crashing() {
    let mut h = harness("xor");
    h.run_steps(2);
    let bad = r#"{"format": "basinscope-scene", "version": 1,
        "model": {"layers": [2, 1], "activation": "identity", "bias": false},
        "parameters": [1.0, 2.0, 3.0],
        "data": {"inputs": [[1, 0]], "targets": [1]}}"#;
    h.state_mut().apply(Action::LoadText {
        text: bad.to_string(),
        origin: "bad.json".into(),
    });
    h.run_steps(3);
    let message = h.state().state.message.clone().expect("a message is shown");
    assert_eq!(message.kind, MessageKind::Error);
    assert!(
        message.text.contains("parameters has 3 entries"),
        "{}",
        message.text
    );
    // The sentence is on screen, and the previous scene is still loaded.
    h.get_by_label_contains("parameters has 3 entries");
    assert_eq!(h.state().state.scene.name, "xor");
}

#[test]
fn dragging_a_point_in_the_data_view_moves_it() {
    let mut h = harness("xor");
    h.run_steps(3);
    let before = h.state().state.scene.data.inputs[3].clone();
    let from = h
        .state()
        .data_view_screen_pos(&before)
        .expect("the data view was drawn");
    let target = [1.3, 0.7];
    let to = h
        .state()
        .data_view_screen_pos(&target)
        .expect("the data view was drawn");
    drag(&mut h, from, to);
    let app = h.state();
    let moved = &app.state.scene.data.inputs[3];
    assert!(
        (moved[0] - target[0]).abs() < 0.02 && (moved[1] - target[1]).abs() < 0.02,
        "{moved:?}"
    );
    assert!(matches!(
        app.state.scene.data_source,
        basinscope::core::scene::DataSource::Explicit
    ));
}

#[test]
fn gradients_view_shows_rank_and_manifold_dimension() {
    for (scene, rank, dim) in [("perpendicular", 2, 1), ("parallel", 1, 2)] {
        let mut h = harness(scene);
        h.state_mut()
            .apply(Action::ShowView(basinscope::app::ViewTab::Gradients));
        let start = Instant::now();
        loop {
            h.step();
            if h.query_all_by_label_contains("rank G = ").next().is_some()
                || start.elapsed() > Duration::from_secs(30)
            {
                break;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        h.run_steps(2);
        h.get_by_label(&format!("rank G = {rank}"));
        h.get_by_label_contains(&format!("manifold dimension = {dim}"));
    }
}

/// The slice view alone in the central area (its views as tabs of one group).
fn slice_harness(scene: &str) -> Harness<'static, BasinscopeApp> {
    harness_with(built_in(scene), egui::vec2(1000.0, 760.0), one_group)
}

/// Shows the slice view and steps until its picture shows the current field (the axes
/// and, on the CPU path, the field come from background jobs).
fn show_slice(h: &mut Harness<'static, BasinscopeApp>) {
    h.state_mut()
        .apply(Action::ShowView(basinscope::app::ViewTab::Slice2d));
    // A picture of the model before an edit counts only once it is redrawn for the
    // current one (the slice may have been on screen before the edit).
    step_until(h, Duration::from_mins(1), |app| {
        app.slice_view.picture_is_current()
            && app
                .slice_view
                .last_frame
                .as_ref()
                .is_some_and(|f| f.field.spec == app.state.scene.model)
    });
    assert!(
        h.state().slice_view.picture_is_current(),
        "the slice picture never became current"
    );
    h.run_steps(2);
}

#[test]
fn slice_view_of_the_perpendicular_scene_matches_its_snapshot() {
    let mut h = slice_harness("perpendicular");
    show_slice(&mut h);
    let rect = h
        .state()
        .slice_view
        .picture_rect
        .expect("the slice picture was laid out");
    assert!(rect.width() > 200.0);
    // The whole window: the picture, its axes, color bar and legend.
    h.snapshot("slice_view_perpendicular");
}

#[test]
fn clicking_in_the_slice_moves_theta_there() {
    let mut h = slice_harness("perpendicular");
    show_slice(&mut h);
    let before = h.state().state.scene.parameters.clone();
    let (a, b) = (0.75, -0.5);
    let pos = h
        .state()
        .slice_view
        .screen_pos(a, b)
        .expect("the slice was drawn");
    h.event(egui::Event::PointerMoved(pos));
    h.step();
    h.event(primary(pos, true));
    h.step();
    h.event(primary(pos, false));
    h.run_steps(3);
    let after = &h.state().state.scene.parameters;
    // The perpendicular scene slices along θ[0] and θ[1]: a click at (a, b) moves them by (a, b).
    let cell = 4.0 / 700.0;
    assert!(
        (after[0] - before[0] - a).abs() < 2.0 * cell,
        "{before:?} → {after:?}"
    );
    assert!(
        (after[1] - before[1] - b).abs() < 2.0 * cell,
        "{before:?} → {after:?}"
    );
    assert!(
        (after[2] - before[2]).abs() < 1e-12,
        "θ[2] is not on the slice"
    );
}

#[test]
fn divergence_pauses_training_and_says_so() {
    let mut h = harness("sine");
    let mut cfg = h.state().state.scene.training.clone();
    cfg.optimizer = basinscope::core::OptimizerKind::Sgd;
    cfg.learning_rate = 10.0;
    h.state_mut().apply(Action::SetTraining(cfg));
    h.state_mut().apply(Action::Play);
    step_until(&mut h, Duration::from_secs(30), |app| {
        app.state
            .message
            .as_ref()
            .is_some_and(|m| m.kind == MessageKind::Error && m.text.contains("diverged"))
    });
    // The slice then finds no finite loss on its resamples; the divergence, which says
    // why and what to do, stays the message.
    step_for(&mut h, Duration::from_millis(1500));
    step_until(&mut h, Duration::from_secs(30), |app| {
        app.slice_view.picture_is_current()
    });
    let app = h.state();
    let message = app.state.message.clone().expect("a message");
    assert!(message.text.contains("diverged"), "{}", message.text);
    assert!(!app.state.playing, "training paused");
    assert!(
        app.state.scene.parameters.iter().all(|p| p.is_finite()),
        "the last finite θ is kept"
    );
    h.get_by_label_contains("training diverged");
}

/// A trained scene opened in the app has its trajectory and loss history back, and
/// saving it again writes the same bytes; training on continues its steps.
#[test]
fn a_trained_scene_reopens_with_its_trajectory_and_saves_identically() {
    let mut h = harness("xor");
    h.state_mut().apply(Action::Step(40));
    step_until(&mut h, Duration::from_secs(30), |app| {
        app.state.steps_done >= 40 && !app.state.playing
    });
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.json");
    h.state_mut().apply(Action::SaveTo(first.clone()));
    h.run_steps(1);
    let saved = Scene::load(&first).unwrap();
    assert_eq!(saved.recording.loss_history.len(), 40);
    assert_eq!(saved.recording.trajectory.last().unwrap().step, 40);

    h.state_mut().apply(Action::LoadBuiltin("sine".into()));
    h.run_steps(1);
    h.state_mut().apply(Action::LoadPath(first.clone()));
    h.run_steps(1);
    let app = h.state();
    assert_eq!(app.state.steps_done, 40);
    assert_eq!(app.state.loss_history, saved.recording.loss_history);
    assert_eq!(app.state.trajectory, saved.recording.thetas());
    let second = dir.path().join("second.json");
    h.state_mut().apply(Action::SaveTo(second.clone()));
    h.run_steps(1);
    assert_eq!(
        std::fs::read(&first).unwrap(),
        std::fs::read(&second).unwrap()
    );

    h.state_mut().apply(Action::Step(5));
    step_until(&mut h, Duration::from_secs(30), |app| {
        app.state.steps_done >= 45 && !app.state.playing
    });
    let last = *h.state().state.loss_history.last().unwrap();
    assert_eq!(last.0, 44);
}

#[test]
fn saving_writes_a_scene_that_reloads_to_the_current_state() {
    let mut h = harness("moons");
    h.state_mut().apply(Action::Step(25));
    step_until(&mut h, Duration::from_secs(30), |app| {
        app.state.steps_done >= 25 && !app.state.playing
    });
    h.state_mut().apply(Action::MovePoint(0, vec![0.25, -0.5]));
    h.run_steps(2);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("saved.json");
    h.state_mut().apply(Action::SaveTo(path.clone()));
    h.run_steps(2);
    let app = h.state();
    assert!(
        app.state
            .message
            .as_ref()
            .is_some_and(|m| m.kind == MessageKind::Info && m.text.contains("saved"))
    );
    let saved = Scene::load(&path).expect("the saved scene loads");
    assert_eq!(saved.parameters, app.state.scene.parameters);
    assert_eq!(saved.data, app.state.scene.data);
    assert_eq!(saved.data.inputs[0], vec![0.25, -0.5]);
    // A failed save names the problem and leaves the earlier file as it was.
    let before = std::fs::read(&path).unwrap();
    h.state_mut().apply(Action::SaveTo(
        dir.path().join("no-such-dir").join("x.json"),
    ));
    h.run_steps(2);
    assert_eq!(
        h.state().state.message.as_ref().unwrap().kind,
        MessageKind::Error
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
}

#[test]
fn a_one_parameter_model_shows_every_view_without_crashing() {
    let scene = r#"{"format": "basinscope-scene", "version": 1,
        "model": {"layers": [1, 1], "activation": "identity", "bias": false},
        "parameters": [0.5],
        "data": {"inputs": [[1.0]], "targets": [2.0]},
        "view": {"kind": "slice2d", "slice": {"axes": {"kind": "hessian"}}}}"#;
    let mut h = harness("xor");
    h.state_mut().apply(Action::LoadText {
        text: scene.to_string(),
        origin: "one.json".into(),
    });
    for view in basinscope::app::ViewTab::ALL {
        h.state_mut().apply(Action::ShowView(view));
        h.run_steps(3);
    }
    h.state_mut()
        .apply(Action::ShowView(basinscope::app::ViewTab::Slice2d));
    step_until(&mut h, Duration::from_secs(10), |app| {
        app.slice_view.axes_error.is_some()
    });
    h.run_steps(2);
    h.get_by_label_contains("at least 2 parameters");
    h.state_mut().apply(Action::Step(10));
    step_until(&mut h, Duration::from_secs(10), |app| {
        app.state.steps_done >= 10
    });
    assert!(h.state().state.loss < 2.25);
}

#[test]
fn a_network_wider_than_the_shader_cap_is_drawn_from_the_cpu_field() {
    let mut h = slice_harness("xor");
    h.state_mut().apply(Action::SetModel {
        layers: vec![2, 100, 1],
        activation: basinscope::core::Activation::Tanh,
        bias: true,
    });
    show_slice(&mut h);
    h.get_by_label_contains("wider than the GPU shader's limit");
    // The picture is real: the slice is not the empty background.
    let image = h.render().expect("renders");
    let rect = h.state().slice_view.picture_rect.unwrap();
    // Off the center, where θ's marker sits.
    let at = rect.center() + 0.25 * rect.size();
    let p = image.get_pixel(at.x as u32, at.y as u32);
    assert!(
        p[0] > 60 || p[1] > 60 || p[2] > 60,
        "the slice picture is empty: {p:?}"
    );
}

#[test]
fn walking_the_manifold_keeps_training_outputs_and_changes_the_function() {
    let mut h = harness("sine");
    h.state_mut()
        .apply(Action::ShowView(basinscope::app::ViewTab::Gradients));
    h.run_steps(2);
    let spec = h.state().state.scene.model.clone();
    let data = h.state().state.scene.data.clone();
    let before = h.state().state.scene.parameters.clone();
    h.state_mut().apply(Action::WalkManifold {
        direction_index: 0,
        distance: 1.0,
    });
    step_until(&mut h, Duration::from_mins(1), |app| {
        !app.state.manifold_walk.is_empty()
    });
    h.run_steps(2);
    let app = h.state();
    assert!(app.state.manifold_walk.len() > 2, "the walk is recorded");
    let after = &app.state.scene.parameters;
    for x in &data.inputs {
        let drift = (spec.forward(after, x) - spec.forward(&before, x)).abs();
        assert!(drift < 1e-6, "a training output moved by {drift}");
    }
    // Between and beyond the training inputs the function changes.
    let change = (0..=80)
        .map(|i| [-4.0 + 0.1 * f64::from(i)])
        .map(|x| (spec.forward(after, &x) - spec.forward(&before, &x)).abs())
        .fold(0.0, f64::max);
    assert!(
        change > 1e-2,
        "the function away from the training inputs did not change ({change})"
    );
    h.get_by_label_contains("walked 1");
}

#[test]
fn dragging_a_point_of_a_1d_scene_moves_its_input_and_target() {
    let mut h = harness("sine");
    h.run_steps(3);
    let (x, y) = {
        let d = &h.state().state.scene.data;
        (d.inputs[3][0], d.targets[3])
    };
    let from = h
        .state()
        .data_view_screen_pos(&[x, y])
        .expect("the curve was drawn");
    let (tx, ty) = (x + 0.3, y + 0.4);
    let to = h.state().data_view_screen_pos(&[tx, ty]).unwrap();
    drag(&mut h, from, to);
    let d = &h.state().state.scene.data;
    assert!(
        (d.inputs[3][0] - tx).abs() < 0.03,
        "x {} vs {tx}",
        d.inputs[3][0]
    );
    assert!(
        (d.targets[3] - ty).abs() < 0.03,
        "y {} vs {ty}",
        d.targets[3]
    );
}

#[test]
fn changing_the_model_keeps_the_scene_saveable() {
    let mut h = harness("perpendicular");
    h.state_mut()
        .apply(Action::SetSliceSpec(basinscope::core::slice::SliceSpec {
            axes: basinscope::core::slice::AxisChoice::Coordinates { a: 1, b: 2 },
            center: Some(vec![0.0; 3]),
            ..Default::default()
        }));
    h.state_mut().apply(Action::SetModel {
        layers: vec![3, 4, 1],
        activation: basinscope::core::Activation::Tanh,
        bias: false,
    });
    h.run_steps(2);
    let scene = &h.state().state.scene;
    assert_eq!(scene.parameters.len(), 16);
    let reloaded =
        Scene::from_json(&scene.to_json(), "saved").expect("the edited scene loads back");
    assert_eq!(reloaded.model.layers, vec![3, 4, 1]);
    // A first layer that does not match the data's input width is refused with a sentence.
    h.state_mut().apply(Action::LoadText {
        text: r#"{"format": "basinscope-scene", "version": 1,
            "model": {"layers": [2, 1], "activation": "identity", "bias": false},
            "parameters": [1.0, 2.0], "data": {"inputs": [[1, 0]], "targets": [1]}}"#
            .into(),
        origin: "two.json".into(),
    });
    h.state_mut().apply(Action::SetModel {
        layers: vec![1, 1],
        activation: basinscope::core::Activation::Identity,
        bias: false,
    });
    h.run_steps(2);
    let message = h.state().state.message.clone().unwrap();
    assert!(
        message.text.contains("first layer width must be 2"),
        "{}",
        message.text
    );
}

/// On llvmpipe (the only adapter in CI) fields are computed on the CPU path, which is
/// faster there, while wgpu still draws the picture; the view says so and why.
#[test]
fn on_a_software_adapter_the_slice_view_computes_fields_on_the_cpu_and_says_why() {
    let mut h = slice_harness("perpendicular");
    show_slice(&mut h);
    let view = &h.state().slice_view;
    if view.software_adapter {
        assert!(
            matches!(
                view.fields_on,
                Some(basinscope::app::slice::FieldsOn::Cpu(_))
            ),
            "{:?}",
            view.fields_on
        );
        h.get_by_label_contains("fields on the CPU path: the GPU adapter is a software rasterizer");
    } else {
        assert_eq!(view.fields_on, Some(basinscope::app::slice::FieldsOn::Gpu));
        h.get_by_label_contains("fields on the GPU");
    }
}

/// Without a wgpu renderer the slice view still draws: the field is computed on the CPU
/// path in the background and the CPU figure renderer draws the picture (with the
/// trajectory and θ), at the picture's size.
#[test]
fn without_a_gpu_renderer_the_slice_is_drawn_by_the_cpu_figure_renderer() {
    let scene = Scene::resolve("perpendicular").expect("built-in scene");
    let mut h = Harness::builder()
        .with_size(egui::vec2(1000.0, 760.0))
        .build_eframe(move |cc| BasinscopeApp::new(cc, scene).expect("the worker thread starts"));
    show_slice(&mut h);
    let view = &h.state().slice_view;
    assert_eq!(
        view.fields_on,
        Some(basinscope::app::slice::FieldsOn::Cpu(
            "the app runs without a GPU renderer".into()
        ))
    );
    let rect = view.picture_rect.expect("the picture was laid out");
    let [w, h_px] = view.cpu_picture_size().expect("a CPU picture was drawn");
    assert!(
        (w as f32 - rect.width()).abs() <= 2.0 && (h_px as f32 - rect.height()).abs() <= 2.0,
        "picture {w}×{h_px} for a {rect:?} rectangle"
    );
    h.get_by_label_contains("fields on the CPU path: the app runs without a GPU renderer");
}

/// Sets the export window to write `name`.png (640×480) into `dir` and exports the
/// current view, waiting for the export thread.
fn export_to(h: &mut Harness<'static, BasinscopeApp>, dir: &std::path::Path, name: &str) {
    h.state_mut().apply(Action::OpenExport);
    let request = {
        let d = &mut h.state_mut().export_dialog;
        d.folder = dir.display().to_string();
        d.name = name.into();
        d.width = 640;
        d.height = 480;
        d.write_scene = true;
        d.request()
    };
    h.state_mut().apply(Action::Export(Box::new(request)));
    step_until(h, Duration::from_mins(1), |app| !app.exporting());
    h.run_steps(1);
}

/// The app's export and `basinscope render` of the scene it wrote beside the figure draw
/// the same picture at the same size (Ctrl+E opens the window on the current view).
#[test]
fn an_export_from_the_app_matches_render_of_the_scene_it_wrote() {
    let mut h = harness("perpendicular");
    h.state_mut()
        .apply(Action::ShowView(basinscope::app::ViewTab::Slice2d));
    h.run_steps(2);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    h.run_steps(2);
    assert!(
        h.state().export_dialog.open,
        "Ctrl+E opens the export window"
    );
    assert_eq!(
        h.state().export_dialog.view,
        basinscope::app::scene_figure::FigureView::Slice2d
    );
    let dir = tempfile::tempdir().unwrap();
    export_to(&mut h, dir.path(), "fig");
    let message = h.state().state.message.clone().unwrap();
    assert_eq!(message.kind, MessageKind::Info, "{}", message.text);
    let exported = image::open(dir.path().join("fig.png")).unwrap().to_rgba8();
    assert_eq!(exported.dimensions(), (640, 480));

    let o = basinscope(
        &[
            "render",
            "fig.scene.json",
            "--out",
            "cli.png",
            "--size",
            "640x480",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let rendered = image::open(dir.path().join("cli.png")).unwrap().to_rgba8();
    let diff = mean_abs_diff(&exported, &rendered);
    assert!(diff < 0.5, "mean |Δ| = {diff:.3}");
    // And the picture is not blank: the heatmap varies.
    let center = exported.get_pixel(300, 240);
    let corner = exported.get_pixel(150, 120);
    assert_ne!(center, corner);
}

/// An export that cannot write all its files writes none: the earlier figure stays as it
/// was and the window's status line says why; sizes beyond the limit are refused.
#[test]
fn a_failed_export_keeps_the_old_file_and_says_why() {
    let mut h = harness("xor");
    let dir = tempfile::tempdir().unwrap();
    export_to(&mut h, dir.path(), "fig");
    let before = std::fs::read(dir.path().join("fig.png")).unwrap();
    // The scene beside it cannot be written: a folder is in its place.
    std::fs::remove_file(dir.path().join("fig.scene.json")).unwrap();
    std::fs::create_dir(dir.path().join("fig.scene.json")).unwrap();
    h.state_mut().apply(Action::Step(50));
    step_until(&mut h, Duration::from_secs(30), |app| {
        app.state.steps_done >= 50 && !app.state.playing
    });
    export_to(&mut h, dir.path(), "fig");
    let message = h.state().state.message.clone().unwrap();
    assert_eq!(message.kind, MessageKind::Error);
    assert!(
        message.text.starts_with("cannot export"),
        "{}",
        message.text
    );
    assert_eq!(std::fs::read(dir.path().join("fig.png")).unwrap(), before);

    h.state_mut().export_dialog.width = 100_000;
    let request = h.state().export_dialog.request();
    h.state_mut().apply(Action::Export(Box::new(request)));
    step_until(&mut h, Duration::from_secs(30), |app| !app.exporting());
    h.run_steps(1);
    let message = h.state().state.message.clone().unwrap();
    assert!(message.text.contains("out of range"), "{}", message.text);
}

/// Without a platform file dialog, Open shows the built-in path entry with the sentence
/// saying why, and typing a path there opens that scene.
#[test]
fn without_a_file_dialog_open_falls_back_to_a_path_entry_that_opens_the_scene() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sine.json");
    Scene::resolve("sine").unwrap().save(&path).unwrap();
    let mut h = harness("xor");
    h.state_mut().file_dialog_unavailable =
        Some("There is no file dialog here (no portal), so type the path instead.".into());
    h.run_steps(1);
    h.get_by_label("Open…").click();
    h.run_steps(2);
    assert_eq!(
        h.state().path_entry.purpose,
        Some(basinscope::app::path_entry::PathPurpose::Open),
        "{:?}",
        h.state().state.message
    );
    // A new window is laid out invisibly in its first frame.
    h.run_steps(3);
    h.get_by_label_contains("There is no file dialog here");
    h.state_mut().path_entry.text = path.display().to_string();
    h.run_steps(1);
    h.get_by_label("Open this file").click();
    h.run_steps(3);
    let app = h.state();
    assert_eq!(app.state.scene.name, "sine");
    assert_eq!(app.state.scene_path.as_deref(), Some(path.as_path()));
    assert!(app.path_entry.purpose.is_none(), "the window closes");
}

/// Ctrl+Z after dragging a point puts it back at exactly its old coordinates, and
/// Ctrl+Shift+Z moves it to exactly where the drag left it.
#[test]
fn undo_and_redo_of_a_dragged_point_restore_its_exact_coordinates() {
    let mut h = harness("xor");
    h.run_steps(3);
    let before = h.state().state.scene.data.inputs[3].clone();
    let from = h.state().data_view_screen_pos(&before).unwrap();
    let to = h.state().data_view_screen_pos(&[1.3, 0.7]).unwrap();
    drag(&mut h, from, to);
    let moved = h.state().state.scene.data.inputs[3].clone();
    assert_ne!(moved, before);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().state.scene.data.inputs[3], before);
    h.key_press_modifiers(
        egui::Modifiers::COMMAND | egui::Modifiers::SHIFT,
        egui::Key::Z,
    );
    h.run_steps(2);
    assert_eq!(h.state().state.scene.data.inputs[3], moved);
    // Undo of a weight edit, then of the drag: both steps back, in order.
    let theta = h.state().state.scene.parameters.clone();
    h.state_mut().apply(Action::SetParameter(0, theta[0] + 0.5));
    h.run_steps(1);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    // The training worker echoes every θ it is sent, in order: the echo of the edit may
    // still arrive after the undo, and the echo of the undo then follows it.
    step_until(&mut h, Duration::from_secs(10), |app| {
        app.state.scene.parameters[0].to_bits() == theta[0].to_bits()
    });
    assert_eq!(
        h.state().state.scene.parameters[0].to_bits(),
        theta[0].to_bits()
    );
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::Z);
    h.run_steps(2);
    assert_eq!(h.state().state.scene.data.inputs[3], before);
}

/// Opened and saved scenes are listed under Recent, newest first, and the list (with the
/// export folder and size) is kept in the settings file for the next session.
#[test]
fn recent_files_are_listed_and_kept_for_the_next_session() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("config").join("settings.json");
    let sine = dir.path().join("sine.json");
    Scene::resolve("sine").unwrap().save(&sine).unwrap();
    let saved = dir.path().join("saved.json");
    let mut h = harness("xor");
    h.state_mut().use_settings(Some(settings.clone()));
    h.state_mut().apply(Action::LoadPath(sine.clone()));
    h.state_mut().apply(Action::SaveTo(saved.clone()));
    export_to(&mut h, dir.path(), "fig");
    assert_eq!(
        h.state().state.recent_files,
        vec![saved.clone(), sine.clone()]
    );
    drop(h);

    let mut next = harness("xor");
    next.state_mut().use_settings(Some(settings));
    next.run_steps(2);
    assert_eq!(next.state().state.recent_files, vec![saved, sine.clone()]);
    assert_eq!(next.state().export_dialog.width, 640);
    assert_eq!(
        next.state().export_dialog.folder,
        dir.path().display().to_string()
    );
    next.get_by_label("Recent").click();
    next.run_steps(2);
    next.get_by_label(&sine.display().to_string()).click();
    next.run_steps(2);
    assert_eq!(next.state().state.scene.name, "sine");
}

/// The WCAG relative luminance of an sRGB-encoded pixel.
fn luminance(p: image::Rgba<u8>) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(p[0]) + 0.7152 * linear(p[1]) + 0.0722 * linear(p[2])
}

/// The 2D slice's legend names the picture's white lines in white text. In both themes
/// that text is shown whole and readable: the WCAG contrast ratio between its brightest
/// glyph pixels and the most common color behind them is at least 4.5 (WCAG's bar for
/// normal text). A label cut off by the panel below shows no glyphs at all.
#[test]
fn the_slice_legends_white_labels_are_readable_in_both_themes() {
    for theme in [egui::Theme::Dark, egui::Theme::Light] {
        let mut h = harness("xor");
        h.ctx.set_theme(theme);
        wait_for(
            &mut h,
            Duration::from_mins(2),
            "the slice",
            BasinscopeApp::pictures_are_current,
        );
        h.run_steps(2);
        let image = render(&mut h);
        let ppp = h.ctx.pixels_per_point();
        for label in ["white: behavior manifold through θ", "white: trajectory, θ"] {
            // The label's last row of text: a label that wraps in the legend's rows
            // starts at the end of the row above, so its rectangle spans both.
            let rect = h.get_by_label(label).rect();
            let rows = ((rect.max.y - 12.0) * ppp) as u32..(rect.max.y * ppp) as u32;
            let columns = (rect.min.x * ppp) as u32..(rect.max.x * ppp) as u32;
            let image = &image;
            let pixels: Vec<image::Rgba<u8>> = rows
                .flat_map(|y| columns.clone().map(move |x| *image.get_pixel(x, y)))
                .collect();
            let mut counts = std::collections::HashMap::new();
            for p in &pixels {
                *counts.entry(p.0).or_insert(0usize) += 1;
            }
            let (background, _) = counts.iter().max_by_key(|(_, n)| **n).unwrap();
            let background = luminance(image::Rgba(*background));
            let text = pixels.iter().copied().map(luminance).fold(0.0, f64::max);
            let ratio = (text.max(background) + 0.05) / (text.min(background) + 0.05);
            assert!(
                ratio >= 4.5,
                "{theme:?}, {label:?}: contrast {ratio:.2} between text and background"
            );
        }
    }
}
