//! The app in an `egui_kittest` harness on wgpu, and the bounded waits the app tests
//! need: workers and background jobs answer a few frames later, so a test steps in real
//! time until what it waits for holds, never asserting on a worker's echo too early.

// Each test crate that names this module uses a subset of its helpers.
#![allow(dead_code, reason = "each test crate uses a subset of these helpers")]

use std::time::{Duration, Instant};

use basinscope::app::BasinscopeApp;
use basinscope::core::Scene;
use egui_kittest::Harness;

/// The window most app tests run in, in points.
pub const WINDOW: egui::Vec2 = egui::vec2(1280.0, 800.0);

/// The app on built-in `scene` in a [`WINDOW`]-sized harness, with the default tiles.
pub fn harness(scene: &str) -> Harness<'static, BasinscopeApp> {
    harness_with(built_in(scene), WINDOW, |_| {})
}

/// The app on `scene` in a `size` harness, `setup` applied before the first frame.
pub fn harness_with(
    scene: Scene,
    size: egui::Vec2,
    setup: impl FnOnce(&mut BasinscopeApp) + 'static,
) -> Harness<'static, BasinscopeApp> {
    Harness::builder()
        .with_size(size)
        .wgpu()
        .build_eframe(move |cc| {
            let mut app = BasinscopeApp::new(cc, scene).expect("the worker thread starts");
            setup(&mut app);
            app
        })
}

/// The built-in scene named `name`.
pub fn built_in(name: &str) -> Scene {
    Scene::resolve(name).expect("built-in scene")
}

/// A `setup` for [`harness_with`]: every view as a tab of one group, so the one shown
/// fills the window.
pub fn one_group(app: &mut BasinscopeApp) {
    app.tiles = basinscope::app::tiles::ViewTiles::one_group();
}

/// Steps the harness in real time for `duration`, so background jobs that answer on
/// their own clock (the slice's loss resample, twice a second) have answered.
pub fn step_for(h: &mut Harness<'static, BasinscopeApp>, duration: Duration) {
    let until = Instant::now() + duration;
    while Instant::now() < until {
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Steps the harness in real time until `done` holds or `timeout` passes; says which.
pub fn step_until(
    h: &mut Harness<'static, BasinscopeApp>,
    timeout: Duration,
    done: impl Fn(&BasinscopeApp) -> bool,
) -> bool {
    let start = Instant::now();
    while !done(h.state()) && start.elapsed() < timeout {
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    done(h.state())
}

/// [`step_until`], failing the test with `what` when `timeout` passes first.
pub fn wait_for(
    h: &mut Harness<'static, BasinscopeApp>,
    timeout: Duration,
    what: &str,
    done: impl Fn(&BasinscopeApp) -> bool,
) {
    assert!(step_until(h, timeout, done), "timed out waiting for {what}");
}

/// The window as wgpu draws it. A render can fail while a resize or a new texture is
/// settling, so it is tried a few times before the test fails.
pub fn render(h: &mut Harness<'static, BasinscopeApp>) -> image::RgbaImage {
    let mut last = String::new();
    for _ in 0..4 {
        match h.render() {
            Ok(image) => return image,
            Err(e) => last = e,
        }
    }
    panic!("wgpu renders the app: {last}");
}
