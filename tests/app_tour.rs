//! The guided tour in the real app, headless (egui_kittest, wgpu on llvmpipe in CI):
//! every built-in lesson opens with Next and renders without an error, lessons 2 and 3
//! show rank G = 2 and 1, a "Try this" check turns done after its action, and leaving
//! the tour keeps the place.

use std::time::Duration;

use basinscope::app::tour::tab_of;
use basinscope::app::{Action, BasinscopeApp, MessageKind, ViewTab};
use basinscope::core::tour::{Condition, Tour};
use common::harness::{built_in, harness_with, render, step_until};
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

mod common {
    pub mod harness;
}

fn harness() -> Harness<'static, BasinscopeApp> {
    harness_with(built_in("xor"), egui::vec2(1400.0, 860.0), |_| {})
}

fn no_error(app: &BasinscopeApp) -> Result<(), String> {
    match &app.state.message {
        Some(m) if m.kind == MessageKind::Error => Err(m.text.clone()),
        _ => Ok(()),
    }
}

/// The rank of G the gradients view shows for lesson `n`'s scene: the view is brought
/// forward, its analysis awaited, and its label read.
fn shown_rank(h: &mut Harness<'static, BasinscopeApp>) -> usize {
    h.state_mut().apply(Action::ShowView(ViewTab::Gradients));
    assert!(
        step_until(h, Duration::from_mins(1), |app| app
            .tour_observation()
            .rank
            .is_some()),
        "no analysis of the lesson's θ arrived"
    );
    h.run_steps(2);
    let rank = h.state().tour_observation().rank.unwrap();
    // The view's own label says the same number.
    assert!(
        h.query_all_by_label(&format!("rank G = {rank}"))
            .next()
            .is_some(),
        "the view does not show rank G = {rank}"
    );
    rank
}

#[test]
fn the_tour_steps_through_every_lesson_and_checks_turn_done() {
    let lessons = Tour::builtin().lessons;
    let mut h = harness();
    h.run_steps(3);
    h.get_by_label("Tour").click();
    h.run_steps(3);
    for (i, lesson) in lessons.iter().enumerate() {
        if i > 0 {
            h.get_by_label("Next ›").click();
            h.run_steps(3);
        }
        let app = h.state();
        assert!(app.tour.open);
        assert_eq!(app.tour.current, i);
        assert_eq!(app.state.scene.name, lesson.scene.name, "lesson {}", i + 1);
        assert_eq!(app.state.active_view, tab_of(lesson.main_view()));
        // The lesson's heading and its first prompt are on screen.
        h.get_by_label(&format!("{}. {}", i + 1, lesson.title));
        h.get_by_label_contains(&lesson.checks[0].prompt);
        // Its views render (the 3D and slice views compute in the background).
        h.run_steps(10);
        render(&mut h);
        if let Err(e) = no_error(h.state()) {
            panic!("lesson {} shows an error: {e}", i + 1);
        }
        match i {
            1 => {
                assert_eq!(shown_rank(&mut h), 2, "lesson 2: two perpendicular inputs");
                // Try this: walk the manifold, and its box is ticked.
                let walked = lesson
                    .checks
                    .iter()
                    .position(|c| c.condition == Condition::Walked)
                    .expect("lesson 2 asks for a walk");
                assert!(!h.state().tour.done[walked], "done before the walk");
                h.state_mut().apply(Action::WalkManifold {
                    direction_index: 0,
                    distance: 0.5,
                });
                assert!(
                    step_until(&mut h, Duration::from_mins(1), |app| app.tour.done[walked]),
                    "the walk check did not turn done"
                );
                assert!(h.state().tour.done[0], "the gradients view was visited");
            }
            2 => assert_eq!(shown_rank(&mut h), 1, "lesson 3: two parallel inputs"),
            _ => {}
        }
    }
    // Next is disabled on the last lesson; leaving keeps the place, Tour comes back to it.
    h.get_by_label("Next ›").click();
    h.run_steps(2);
    assert_eq!(h.state().tour.current, lessons.len() - 1);
    h.get_by_label("Leave tour").click();
    h.run_steps(2);
    assert!(!h.state().tour.open);
    h.state_mut().apply(Action::ShowView(ViewTab::Data));
    h.get_by_label("Tour").click();
    h.run_steps(2);
    let app = h.state();
    assert!(app.tour.open);
    assert_eq!(app.tour.current, lessons.len() - 1);
    // Reopening shows the lesson without reloading its scene (the user's exploring stays).
    assert_eq!(app.state.active_view, ViewTab::Data);
}

/// A teacher's folder opened from the app: the malformed lesson is named with its file
/// and line in the panel, and the other lessons load and open.
#[test]
fn a_malformed_lesson_in_an_opened_folder_is_named_and_the_others_open() {
    let dir = tempfile::tempdir().unwrap();
    let good = "---\ntitle: My parallel lesson\nscene: parallel\nviews: gradients\ncheck: rank <= 1 | Look at rank G.\n---\nThe *text*.\n";
    std::fs::write(dir.path().join("01-good.md"), good).unwrap();
    std::fs::write(
        dir.path().join("02-typo.md"),
        good.replace("views:", "veiws:"),
    )
    .unwrap();
    let mut h = harness();
    h.run_steps(2);
    h.state_mut()
        .apply(Action::Tour(basinscope::app::tour::TourAction::OpenFolder(
            dir.path().to_path_buf(),
        )));
    h.run_steps(3);
    let app = h.state();
    assert!(app.tour.open);
    assert_eq!(app.state.scene.name, "parallel");
    assert_eq!(app.state.active_view, ViewTab::Gradients);
    h.get_by_label("1. My parallel lesson");
    h.get_by_label_contains("1 lesson file(s) did not load")
        .click();
    h.run_steps(2);
    h.get_by_label_contains("lesson 02-typo.md line 4: unknown key \"veiws\"");
    // Its rank check turns done once the analysis of θ arrives.
    assert!(step_until(&mut h, Duration::from_mins(1), |app| app
        .tour
        .done
        == [true]));
}
