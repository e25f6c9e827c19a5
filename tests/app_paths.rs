//! The paths view, headless: egui_kittest drives the real app with the wgpu renderer
//! (llvmpipe in CI) and checks state and the rendered image.

use std::time::Duration;

use basinscope::app::paths::view::BARRIERS_LABEL;
use basinscope::app::{BasinscopeApp, ViewTab};
use basinscope::core::bezier::BezierEnd;
use basinscope::core::slice::AxisChoice;
use basinscope::draw::figure::path_color;
use common::harness::{WINDOW, built_in, harness_with, one_group, wait_for};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

mod common {
    pub mod harness;
}

/// The paths view alone in the central area (the views as tabs of one group), so its
/// curves are all on screen.
fn harness(scene: &str) -> Harness<'static, BasinscopeApp> {
    harness_with(built_in(scene), WINDOW, one_group)
}

/// Pixels within a small distance of `c`'s color.
fn count_color(image: &image::RgbaImage, c: basinscope::draw::figure::canvas::Color) -> usize {
    image
        .pixels()
        .filter(|p| {
            let [r, g, b, _] = p.0;
            r.abs_diff(c.r) < 12 && g.abs_diff(c.g) < 12 && b.abs_diff(c.b) < 12
        })
        .count()
}

/// Opens the paths view and trains two models of the scene in the background.
fn two_models(h: &mut Harness<'static, BasinscopeApp>) {
    h.run_steps(2);
    h.get_by_label("Paths").click();
    h.run_steps(2);
    h.state_mut().paths.train_steps = 300;
    h.state_mut().paths.train_count = 2;
    h.get_by_label("Train models").click();
    wait_for(h, Duration::from_mins(2), "two trained models", |app| {
        app.state.scene.models.len() == 2 && app.paths.train_task.is_none()
    });
    wait_for(h, Duration::from_mins(1), "the comparison", |app| {
        matches!(app.paths.comparison, Some(Ok(_)))
    });
    h.run_steps(3);
}

#[test]
#[allow(clippy::float_cmp)] // the path's first loss is exactly A's loss
fn training_two_models_draws_both_paths_and_prints_their_barriers() {
    let mut h = harness("moons");
    let before = {
        h.run_steps(2);
        h.get_by_label("Paths").click();
        h.run_steps(3);
        h.render().expect("wgpu renders the app")
    };
    two_models(&mut h);
    let app = h.state();
    let names: Vec<&str> = app
        .state
        .scene
        .models
        .iter()
        .map(|m| m.name.as_str())
        .collect();
    assert_eq!(names, ["seed 1", "seed 2"]);
    let Some(Ok(c)) = &app.paths.comparison else {
        unreachable!()
    };
    assert_eq!(c.before.t.len(), 25);
    assert!(c.before.loss_barriers.mean >= 0.0 && c.after.loss_barriers.mean >= 0.0);
    assert_eq!(
        c.before.loss[0],
        basinscope::core::train::mse_loss(
            &app.state.scene.model,
            &app.state.scene.models[0].parameters,
            &app.state.scene.data
        )
    );
    // The printed barriers, with the numbers of the comparison.
    h.get_by_label_contains(&format!(
        "{BARRIERS_LABEL} (25 points): linear A to B: mean {:.4e}, chord {:.4e}",
        c.before.loss_barriers.mean, c.before.loss_barriers.chord
    ));
    h.get_by_label_contains("A to B aligned by weight matching");
    // Both curves are drawn in their colors (absent before the models existed).
    let after = h.render().expect("wgpu renders the app");
    for i in [0, 1] {
        let (n_before, n_after) = (
            count_color(&before, path_color(i)),
            count_color(&after, path_color(i)),
        );
        assert!(
            n_after > n_before + 150,
            "curve {i}: {n_before} → {n_after} pixels of its color"
        );
    }
    // The barrier matrix arrives for the pair.
    wait_for(
        &mut h,
        Duration::from_mins(1),
        "the barrier matrix",
        |app| matches!(app.paths.matrix, Some(Ok(_))),
    );
    let Some(Ok(m)) = &h.state().paths.matrix else {
        unreachable!()
    };
    assert_eq!(m.before.len(), 2);
    assert!(m.before[0][1] >= 0.0 && m.before[0][1] == m.before[1][0]);

    // The plane through A, B and the aligned B becomes the 2D slice, with both linear
    // paths drawn in it.
    h.get_by_label("Slice through A, B, aligned B").click();
    h.run_steps(3);
    let app = h.state();
    assert_eq!(app.state.active_view, ViewTab::Slice2d);
    let AxisChoice::ThreePoints { points } = &app.state.scene.view.slice.axes else {
        panic!(
            "the slice axes are {:?}",
            app.state.scene.view.slice.axes.kind()
        );
    };
    assert_eq!(points[0], app.state.scene.models[0].parameters);
    assert_eq!(points[1], app.state.scene.models[1].parameters);
    assert_eq!(app.state.slice_paths.len(), 2);
    assert_eq!(app.state.slice_paths[0].len(), 25);
}

#[test]
fn a_bezier_fit_shows_progress_and_can_be_cancelled() {
    let mut h = harness("moons");
    two_models(&mut h);
    h.state_mut().paths.bezier_steps = 1_000_000;
    h.get_by_label("Fit Bézier path").click();
    wait_for(&mut h, Duration::from_mins(1), "fit progress", |app| {
        app.paths
            .bezier_task
            .as_ref()
            .is_some_and(|t| !t.progress().1.is_empty())
    });
    // The progress arrives from the fit's thread between frames: draw the frames that
    // show it (and the Cancel button) before clicking.
    h.run_steps(2);
    h.get_by_label("Cancel fit").click();
    wait_for(&mut h, Duration::from_mins(1), "the cancelled fit", |app| {
        app.paths.bezier_task.is_none()
    });
    h.run_steps(2);
    let app = h.state();
    let curve = app.paths.bezier.as_ref().expect("the curve so far is kept");
    assert_eq!(curve.end, BezierEnd::Cancelled);
    assert!(curve.steps_done > 0 && curve.steps_done < 1_000_000);
    assert!(curve.control.iter().all(|c| c.is_finite()));
    assert!(
        app.paths
            .message
            .as_deref()
            .is_some_and(|m| m.contains("cancelled")),
        "{:?}",
        app.paths.message
    );
    h.get_by_label("Fit Bézier path");
}
