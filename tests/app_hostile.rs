//! Hostile scenes in the real app, headless (issue 12): values near the float limit in
//! every view, slices zoomed beyond the coordinate limit, huge text, and numbers that
//! go wrong, each answered with a status message instead of a crash.

use std::time::{Duration, Instant};

use basinscope::app::{Action, BasinscopeApp, MessageKind, ViewTab};
use common::harness::{harness, step_for, step_until};
use egui_kittest::Harness;

mod common {
    pub mod harness;
}

fn load(h: &mut Harness<'static, BasinscopeApp>, text: &str) {
    h.state_mut().apply(Action::LoadText {
        text: text.to_string(),
        origin: "hostile.json".into(),
    });
    let message = h.state().state.message.clone().expect("a message");
    assert_eq!(message.kind, MessageKind::Info, "{}", message.text);
}

fn message_text(app: &BasinscopeApp) -> String {
    app.state
        .message
        .as_ref()
        .map(|m| m.text.clone())
        .unwrap_or_default()
}

/// Was: the data view's layout overflowed for inputs and outputs near ±1e308. Every view
/// of such scenes draws, 1D and 2D.
#[test]
fn every_view_draws_scenes_with_values_near_the_float_limit() {
    let mut h = harness("xor");
    for scene in [
        r#"{"format": "basinscope-scene", "version": 1,
            "model": {"layers": [1, 1], "activation": "identity", "bias": false},
            "parameters": [1e308],
            "data": {"inputs": [[-1.7e308], [1.7e308]], "targets": [-1.7e308, 1.7e308]}}"#,
        r#"{"format": "basinscope-scene", "version": 1,
            "model": {"layers": [2, 1], "activation": "identity", "bias": false},
            "parameters": [1e308, 1e308],
            "data": {"inputs": [[-1e308, -1e308], [1e308, 1e308]], "targets": [-1e308, 1e308]}}"#,
    ] {
        load(&mut h, scene);
        for view in ViewTab::ALL {
            h.state_mut().apply(Action::ShowView(view));
            h.run_steps(4);
        }
    }
}

/// A slice whose loss is not finite anywhere (the parameters overflow float32) says so
/// in the status line instead of showing a grey picture without a word.
#[test]
fn a_slice_without_a_finite_loss_says_so() {
    let mut h = harness("xor");
    load(
        &mut h,
        r#"{"format": "basinscope-scene", "version": 1,
            "model": {"layers": [2, 1], "activation": "identity", "bias": false},
            "parameters": [1e300, 1e300],
            "data": {"inputs": [[1, 0], [0, 1]], "targets": [1, 2]}}"#,
    );
    h.state_mut().apply(Action::ShowView(ViewTab::Slice2d));
    step_until(&mut h, Duration::from_secs(20), |app| {
        message_text(app).contains("not finite anywhere on this slice")
    });
    let app = h.state();
    assert!(
        message_text(app).contains("not finite anywhere on this slice"),
        "{}",
        message_text(app)
    );
}

/// Zooming or typing a slice out beyond the coordinate limit (where the axis arithmetic
/// overflowed) is refused with the limit, and the slice stays as it was.
#[test]
fn a_slice_beyond_the_coordinate_limit_is_refused_in_the_app() {
    let mut h = harness("xor");
    h.state_mut().apply(Action::ShowView(ViewTab::Slice2d));
    h.run_steps(2);
    let before = h.state().state.scene.view.slice.clone();
    let mut wide = before.clone();
    wide.a_range = [-1e308, 1e308];
    h.state_mut().apply(Action::SetSliceSpec(wide));
    let app = h.state();
    assert_eq!(app.state.scene.view.slice, before);
    let message = app.state.message.clone().expect("a message");
    assert_eq!(message.kind, MessageKind::Error);
    assert!(
        message.text.contains("view.slice.a_range"),
        "{}",
        message.text
    );
    h.run_steps(2);
}

/// Training toward targets of 1e30 (a loss beyond float32) is flagged in the status line.
#[test]
fn training_toward_huge_targets_is_flagged() {
    let mut h = harness("xor");
    load(
        &mut h,
        r#"{"format": "basinscope-scene", "version": 1,
            "model": {"layers": [2, 1], "activation": "identity", "bias": false},
            "parameters": [0.1, 0.2],
            "data": {"inputs": [[1, 0], [0, 1]], "targets": [1e30, -1e30]}}"#,
    );
    h.state_mut().apply(Action::Step(5));
    step_until(&mut h, Duration::from_secs(20), |app| {
        message_text(app).contains("beyond float32")
    });
    assert!(
        message_text(h.state()).contains("beyond float32"),
        "{}",
        message_text(h.state())
    );
    // The slice resamples its loss twice a second and finds nothing finite; the
    // warning that names the cause stays rather than being replaced by that.
    step_for(&mut h, Duration::from_millis(1500));
    step_until(&mut h, Duration::from_secs(30), |app| {
        app.slice_view.picture_is_current()
    });
    assert!(
        message_text(h.state()).contains("beyond float32"),
        "{}",
        message_text(h.state())
    );
}

/// A megabyte of name and description with control characters: the app shows them cut
/// and escaped, and keeps drawing frames.
#[test]
fn huge_names_and_descriptions_are_shown_cut_and_escaped() {
    let mut h = harness("xor");
    let scene = format!(
        r#"{{"format": "basinscope-scene", "version": 1,
            "name": "{}\nforged line",
            "description": "{}",
            "model": {{"layers": [2, 1], "activation": "identity", "bias": false}},
            "data": {{"inputs": [[1, 0], [0, 1]], "targets": [1, 2]}}}}"#,
        "n".repeat(500_000),
        "d".repeat(500_000)
    )
    .replace("\nforged", "\\nforged");
    load(&mut h, &scene);
    let start = Instant::now();
    h.run_steps(3);
    assert!(
        start.elapsed() < Duration::from_secs(20),
        "{:?}",
        start.elapsed()
    );
    assert!(message_text(h.state()).chars().count() < 200);
}
