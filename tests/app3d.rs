//! The 3D views of the real app, headless (egui_kittest with the wgpu renderer,
//! llvmpipe in CI): snapshots of the classic perceptron pictures, and the app's picture
//! against `basinscope render`'s headless path for the same scene and camera.

use std::time::Duration;

use basinscope::app::slice::callback::FieldSource;
use basinscope::app::{Action, BasinscopeApp, ViewTab};
use basinscope::core::Scene;
use basinscope::core::field::Field;
use common::harness::{built_in, harness_with, one_group, render, step_until, wait_for};
use common::pixels::mean_abs_diff;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

mod common {
    pub mod harness;
    pub mod pixels;
}

/// The 3D views alone in the central area (the views as tabs of one group).
fn harness(scene: &str) -> Harness<'static, BasinscopeApp> {
    harness_with(built_in(scene), egui::vec2(1000.0, 760.0), one_group)
}

/// Shows `tab` and steps until its picture shows the newest field.
fn show(h: &mut Harness<'static, BasinscopeApp>, tab: ViewTab) {
    h.state_mut().apply(Action::ShowView(tab));
    wait_for(
        h,
        Duration::from_mins(2),
        "the 3D picture",
        |app| match tab {
            ViewTab::Terrain => app.terrain_view.picture_is_current(),
            _ => app.slice3d_view.picture_is_current(),
        },
    );
    h.run_steps(2);
    render(h);
}

/// Waits (bounded) until the 3D slice view shows the newest field, without rendering.
fn wait_current(h: &mut Harness<'static, BasinscopeApp>) {
    wait_for(h, Duration::from_mins(2), "the 3D picture", |app| {
        app.slice3d_view.picture_is_current()
    });
}

/// Two planes crossing in a line (rank-2 G): the perpendicular scene's 3D slice.
#[test]
fn slice3d_view_of_the_perpendicular_scene_matches_its_snapshot() {
    let mut h = harness("perpendicular");
    show(&mut h, ViewTab::Slice3d);
    h.snapshot("slice3d_view_perpendicular");
}

/// Two coincident planes (rank-1 G): the parallel scene's surfaces are one sheet, drawn
/// bright as where the surfaces meet.
#[test]
fn slice3d_view_of_the_parallel_scene_matches_its_snapshot() {
    let mut h = harness("parallel");
    show(&mut h, ViewTab::Slice3d);
    h.snapshot("slice3d_view_parallel");
}

/// The 3D view's controls wrap onto rows inside the window: at the snapshots' width the
/// value boxes of its four sliders (clip a, b, c and volume), above the picture, all end
/// before the window's right edge (the "clip c ≤" one did not).
#[test]
fn the_3d_views_slider_values_stay_inside_the_window() {
    let mut h = harness("perpendicular");
    show(&mut h, ViewTab::Slice3d);
    let picture = h
        .state()
        .slice3d_view
        .picture_rect
        .expect("the picture was drawn");
    let right = h.ctx.content_rect().right();
    let values: Vec<egui::Rect> = h
        .query_all_by_role(egui::accesskit::Role::SpinButton)
        .map(|node| node.rect())
        .filter(|r| r.bottom() <= picture.top() && r.right() > picture.left())
        .collect();
    assert_eq!(values.len(), 4, "the 3D view's slider values: {values:?}");
    for rect in values {
        assert!(rect.right() <= right, "{rect:?} reaches past x = {right}");
    }
}

/// The app draws the same picture as `render`'s headless path: the frame the app handed
/// to its GPU bridge (scene, camera, field) is drawn again with
/// `app::scene_picture::render_picture` on a headless device and compared with the window.
#[test]
fn the_app_view_and_the_headless_render_agree() {
    for tab in [ViewTab::Slice3d, ViewTab::Terrain] {
        let mut h = harness("perpendicular");
        show(&mut h, tab);
        let window = render(&mut h);
        let view = match tab {
            ViewTab::Terrain => &h.state().terrain_view,
            _ => &h.state().slice3d_view,
        };
        let frame = view.last_frame.clone().expect("a frame was drawn");
        let rect = view.picture_rect.expect("the picture was laid out");
        let FieldSource::Cpu(field) = &frame.source else {
            panic!("the 3D views draw the CPU path's field");
        };
        let field: &Field = field;
        let scene = frame.volume.clone().expect("a 3D frame");
        let gpu = basinscope::eval::GpuContext::headless().expect("an adapter");
        let rgba = basinscope::app::scene_picture::render_picture(
            &gpu.device,
            &gpu.queue,
            field,
            &scene,
            frame.size_px,
        )
        .unwrap();
        let expected =
            image::RgbaImage::from_raw(frame.size_px[0], frame.size_px[1], rgba).unwrap();
        let ppp = window.width() as f32 / 1000.0;
        let origin = (
            (rect.min.x * ppp).round() as u32,
            (rect.min.y * ppp).round() as u32,
        );
        let cut = image::imageops::crop_imm(
            &window,
            origin.0,
            origin.1,
            expected.width(),
            expected.height(),
        )
        .to_image();
        let diff = mean_abs_diff(&cut, &expected);
        assert!(
            diff < 3.0,
            "{tab:?}: mean |Δ| = {diff:.2} between the app and the headless render"
        );
        // And the picture is not blank: it differs from the background somewhere.
        let background = image::Rgba([33, 33, 38, 255]);
        let drawn = expected.pixels().filter(|p| **p != background).count();
        assert!(drawn > 1000, "{tab:?}: only {drawn} pixels drawn");
    }
}

/// Dragging in the 3D view turns the camera, scrolling zooms it, a double-click resets
/// it, and the camera is part of the scene: it survives saving and loading.
#[test]
fn dragging_orbits_the_camera_and_the_scene_keeps_it() {
    let mut h = harness("perpendicular");
    show(&mut h, ViewTab::Slice3d);
    let rect = h.state().slice3d_view.picture_rect.expect("laid out");
    let before = h.state().state.scene.view.slice3d.camera;
    let (from, to) = (rect.center(), rect.center() + egui::vec2(60.0, 20.0));
    h.event(egui::Event::PointerMoved(from));
    h.step();
    h.event(egui::Event::PointerButton {
        pos: from,
        button: egui::PointerButton::Primary,
        pressed: true,
        modifiers: egui::Modifiers::NONE,
    });
    h.step();
    for i in 1..=6 {
        h.event(egui::Event::PointerMoved(
            from + (to - from) * (i as f32 / 6.0),
        ));
        h.step();
    }
    h.event(egui::Event::PointerButton {
        pos: to,
        button: egui::PointerButton::Primary,
        pressed: false,
        modifiers: egui::Modifiers::NONE,
    });
    h.run_steps(2);
    let turned = h.state().state.scene.view.slice3d.camera;
    // Dragging right turns the view by −0.4° per point (the box follows the pointer).
    let d_yaw = turned.yaw_deg - before.yaw_deg;
    assert!(
        d_yaw < -10.0 && d_yaw > -30.0,
        "yaw {} → {}",
        before.yaw_deg,
        turned.yaw_deg
    );
    assert!(
        turned.pitch_deg > before.pitch_deg,
        "pitch {} → {}",
        before.pitch_deg,
        turned.pitch_deg
    );
    let json = h.state().state.scene.to_json();
    let reloaded = Scene::from_json(&json, "saved").expect("the saved scene loads");
    assert_eq!(reloaded.view.slice3d.camera, turned);
    h.event(egui::Event::MouseWheel {
        unit: egui::MouseWheelUnit::Point,
        delta: egui::vec2(0.0, 100.0),
        phase: egui::TouchPhase::Move,
        source: egui::MouseWheelSource::Wheel,
        modifiers: egui::Modifiers::NONE,
    });
    h.run_steps(6);
    assert!(h.state().state.scene.view.slice3d.camera.distance < turned.distance);
}

/// A third axis that spans no volume is one sentence in the view, not a panic; the other
/// tabs keep working.
#[test]
fn a_third_axis_in_the_plane_is_one_sentence_in_the_view() {
    let mut scene = built_in("perpendicular");
    scene.view.slice3d.third_axis = basinscope::core::slice3d::ThirdAxis::Coordinate { index: 1 };
    let mut h = harness_with(scene, egui::vec2(1000.0, 760.0), |_| {});
    h.state_mut().apply(Action::ShowView(ViewTab::Slice3d));
    step_until(&mut h, Duration::from_mins(1), |app| {
        app.slice3d_view.error.is_some()
    });
    let error = h
        .state()
        .slice3d_view
        .error
        .clone()
        .expect("an error is shown");
    assert!(
        error.contains("span no volume") && !error.contains('\n'),
        "{error}"
    );
    h.run_steps(2);
    h.get_by_label_contains("span no volume");
    h.state_mut().apply(Action::ShowView(ViewTab::Terrain));
    show(&mut h, ViewTab::Terrain);
}

/// On a software adapter the app's volume comes from the CPU path, and the view says so
/// and why; forced onto the GPU (`BASINSCOPE_VOLUME_EVALUATOR=gpu`, here set on the app's
/// own renderer) the compute pass makes the volume at the resolution asked for, and it
/// agrees with the CPU path's field on the same grid.
#[test]
fn the_volume_comes_from_the_cpu_path_on_a_software_adapter_and_from_the_gpu_pass_when_forced() {
    use basinscope::app::volume_eval::VolumeEvaluator;
    use basinscope::core::field::FieldEvaluator as _;

    let mut h = harness("perpendicular");
    show(&mut h, ViewTab::Slice3d);
    let view = &h.state().slice3d_view;
    let current = view.current.clone().expect("a volume");
    if view.software_adapter {
        assert_eq!(current.made_by, "CPU path");
        assert!(
            view.evaluator.reason().contains("software rasterizer"),
            "{:?}",
            view.evaluator
        );
    } else {
        assert_eq!(current.made_by, "GPU compute");
    }
    h.get_by_label_contains(&format!("· {}, in the background", current.made_by));

    let scene = Scene::resolve("perpendicular").expect("built-in scene");
    let mut h = Harness::builder()
        .with_size(egui::vec2(1000.0, 760.0))
        .wgpu()
        .build_eframe(move |cc| {
            let mut app = BasinscopeApp::new(cc, scene).expect("the worker thread starts");
            app.slice3d_view.evaluator =
                VolumeEvaluator::choose(cc.wgpu_render_state.as_ref(), Some("gpu"));
            app
        });
    h.state_mut().apply(Action::ShowView(ViewTab::Slice3d));
    wait_current(&mut h);
    h.run_steps(2);
    let current = h.state().slice3d_view.current.clone().expect("a volume");
    assert_eq!(current.made_by, "GPU compute");
    assert!(
        h.state()
            .slice3d_view
            .evaluator
            .reason()
            .contains("=gpu asks for"),
        "{:?}",
        h.state().slice3d_view.evaluator
    );
    h.get_by_label_contains("· GPU compute, in the background");
    let wanted = h.state().state.scene.view.slice3d.resolution;
    assert_eq!(current.field.shape, wanted.to_vec());
    let cpu = basinscope::eval::CpuFieldEvaluator
        .evaluate(&current.request.as_request())
        .expect("the CPU path evaluates the same grid");
    assert_eq!(cpu.shape, current.field.shape);
    let worst = cpu
        .values
        .iter()
        .zip(&current.field.values)
        .map(|(a, b)| (a - b).abs() / a.abs().max(1.0))
        .fold(0.0f32, f32::max);
    assert!(
        worst < 1e-5,
        "GPU vs CPU volume: worst relative error {worst}"
    );
}

/// The paths the paths view sends to the slice views are draped on the terrain as well:
/// the terrain's frame carries each one in its paths-figure color, every θ(t) at its
/// slice coordinates on the coordinate plane (θ(t)[0] and θ(t)[1] less the center's),
/// mapped onto the box.
#[test]
#[allow(clippy::float_cmp)] // the colors are the same byte divided by 255
fn the_terrain_drapes_the_paths_the_paths_view_sends() {
    let mut h = harness("perpendicular");
    let theta = h.state().state.scene.parameters.clone();
    let path = |from: f64, to: f64| -> Vec<Vec<f64>> {
        (0..9)
            .map(|i| {
                let s = from + (to - from) * f64::from(i) / 8.0;
                theta.iter().map(|x| x + s).collect()
            })
            .collect()
    };
    let sent = vec![path(-1.5, 1.5), path(1.0, -0.5)];
    h.state_mut().state.slice_paths = sent.clone();
    show(&mut h, ViewTab::Terrain);
    let app = h.state();
    let picture = app
        .terrain_view
        .last_frame
        .as_ref()
        .and_then(|f| f.volume.as_ref())
        .expect("the terrain's frame");
    let plane = &app
        .terrain_view
        .current
        .as_ref()
        .expect("a field")
        .axes
        .plane;
    let n = theta.len();
    let unit = |i: usize| -> Vec<f64> { (0..n).map(|j| f64::from(u8::from(i == j))).collect() };
    assert_eq!((plane.u.clone(), plane.v.clone()), (unit(0), unit(1)));
    let slice = &app.state.scene.view.slice;
    assert_eq!(picture.lines.len(), sent.len());
    for (i, (line, thetas)) in picture.lines.iter().zip(&sent).enumerate() {
        let c = basinscope::draw::figure::path_color(i);
        assert_eq!(
            line.color,
            [c.r, c.g, c.b].map(|x| f32::from(x) / 255.0),
            "path {i}"
        );
        assert_eq!(line.points.len(), thetas.len());
        for (p, t) in line.points.iter().zip(thetas) {
            for (axis, range) in [slice.a_range, slice.b_range].iter().enumerate() {
                let coord = t[axis] - plane.center[axis];
                let world = -1.0 + 2.0 * (coord - range[0]) / (range[1] - range[0]);
                assert!(
                    (f64::from(p[axis]) - world).abs() < 1e-5,
                    "path {i}: {p:?} vs {t:?}"
                );
            }
            assert!((-1.0..=1.0).contains(&p[2]), "on the surface: {p:?}");
        }
    }
}

/// The 3D view fits its volume to the renderer's largest 3D texture before computing it
/// (the packed surface textures must fit), and says so beside the volume's size.
#[test]
fn the_volume_is_lowered_to_the_renderers_3d_texture_side_and_says_so() {
    let mut h = harness("perpendicular");
    let wanted = h.state().state.scene.view.slice3d.resolution;
    assert_eq!(wanted, [64; 3]);
    h.state_mut().slice3d_view.max_texture_side = 40;
    show(&mut h, ViewTab::Slice3d);
    let current = h.state().slice3d_view.current.clone().expect("a volume");
    assert_eq!(current.field.shape, vec![40; 3]);
    h.get_by_label_contains(
        "volume 40×40×40 (lowered from 64×64×64 to fit this GPU's 3D textures, at most 40 points a side)",
    );
}
