//! The app's Export… of the views `render` draws as pictures (the 3D slice, the terrain,
//! the paths), of the whole window, and to targets that refuse the write, driven
//! headless with egui_kittest (the wgpu renderer, llvmpipe in CI).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use basinscope::app::backdrop::Backdrop;
use basinscope::app::scene_figure::FigureView;
use basinscope::app::window_export::WindowScale;
use basinscope::app::{Action, BasinscopeApp, MessageKind};
use basinscope::core::Scene;
use basinscope::draw::figure::Format;
use common::cli::{basinscope, stderr};
use common::harness::{WINDOW, built_in, harness, harness_with, step_until, wait_for};
use common::pixels::mean_abs_diff;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;

mod common {
    pub mod cli;
    pub mod harness;
    pub mod pixels;
}

/// Starts exporting `view` as `dir/name.EXT` at 640×480 with the scene and the data
/// beside it, through the export window.
fn start_export(
    h: &mut Harness<'static, BasinscopeApp>,
    dir: &Path,
    name: &str,
    view: FigureView,
    format: Format,
) {
    h.state_mut().apply(Action::OpenExport);
    h.run_steps(1);
    let request = {
        let d = &mut h.state_mut().export_dialog;
        d.folder = dir.display().to_string();
        d.name = name.into();
        d.width = 640;
        d.height = 480;
        d.format = format;
        d.write_scene = true;
        d.write_data = true;
        d.whole_window = false;
        d.view = view;
        d.request()
    };
    h.state_mut().apply(Action::Export(Box::new(request)));
}

/// Exports as [`start_export`] does, waiting for the export thread; returns the app's
/// message.
fn export(
    h: &mut Harness<'static, BasinscopeApp>,
    dir: &Path,
    name: &str,
    view: FigureView,
    format: Format,
) -> (MessageKind, String) {
    start_export(h, dir, name, view, format);
    step_until(h, Duration::from_mins(2), |app| !app.exporting());
    h.run_steps(1);
    let message = h
        .state()
        .state
        .message
        .clone()
        .expect("the export says how it went");
    (message.kind, message.text)
}

fn render(dir: &Path, args: &[&str]) {
    let o = basinscope(&[&["render"], args].concat(), dir);
    assert!(o.status.success(), "{}", stderr(&o));
}

/// The 3D slice exported from the app, with the camera the view was turned to and a
/// title and caption, is the picture `basinscope render --view slice3d --title
/// --caption` draws of the scene written beside it; the camera counts (the default
/// camera draws another picture), the title is drawn, and SVG is not offered for it.
#[test]
fn a_3d_slice_exported_from_the_app_matches_render_of_the_scene_it_wrote() {
    let mut h = harness("perpendicular");
    h.state_mut()
        .apply(Action::ShowView(basinscope::app::ViewTab::Slice3d));
    h.run_steps(2);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    h.run_steps(2);
    assert_eq!(h.state().export_dialog.view, FigureView::Slice3d);
    // Turn the camera as a drag in the view would.
    let mut spec = h.state().state.scene.view.slice3d.clone();
    spec.camera.yaw_deg += 70.0;
    spec.camera.pitch_deg = 50.0;
    h.state_mut().apply(Action::SetSlice3dSpec(spec.clone()));
    h.run_steps(1);

    let dir = tempfile::tempdir().unwrap();
    h.state_mut().export_dialog.title = "Two perpendicular inputs".into();
    h.state_mut().export_dialog.caption = "the solution set is a line".into();
    let (kind, text) = export(&mut h, dir.path(), "vol", FigureView::Slice3d, Format::Png);
    assert_eq!(kind, MessageKind::Info, "{text}");
    for f in ["vol.png", "vol.scene.json", "vol.npy", "vol.json"] {
        assert!(dir.path().join(f).is_file(), "{f} written: {text}");
    }
    let written = Scene::load(&dir.path().join("vol.scene.json")).unwrap();
    assert_eq!(written.view.slice3d.camera, spec.camera);
    let exported = image::open(dir.path().join("vol.png")).unwrap().to_rgba8();
    assert_eq!(exported.dimensions(), (640, 480));

    let picture = ["--view", "slice3d", "--size", "640x480"];
    let titled = [
        "--title",
        "Two perpendicular inputs",
        "--caption",
        "the solution set is a line",
    ];
    render(
        dir.path(),
        &[
            &["vol.scene.json", "--out", "cli.png"][..],
            &picture,
            &titled,
        ]
        .concat(),
    );
    let rendered = image::open(dir.path().join("cli.png")).unwrap().to_rgba8();
    let diff = mean_abs_diff(&exported, &rendered);
    assert!(diff < 0.5, "export vs render: mean |Δ| = {diff:.3}");

    // The title and caption are drawn in the top band, and nothing else changes.
    render(
        dir.path(),
        &[&["vol.scene.json", "--out", "untitled.png"][..], &picture].concat(),
    );
    let untitled = image::open(dir.path().join("untitled.png"))
        .unwrap()
        .to_rgba8();
    let changed = |y0: u32, y1: u32| {
        (y0..y1)
            .flat_map(|y| (0..640).map(move |x| (x, y)))
            .filter(|&(x, y)| exported.get_pixel(x, y) != untitled.get_pixel(x, y))
            .count()
    };
    assert!(
        changed(0, 60) > 500,
        "the title band: {} pixels",
        changed(0, 60)
    );
    assert_eq!(
        changed(80, 480),
        0,
        "below the titles the picture is the same"
    );

    render(
        dir.path(),
        &[
            "perpendicular",
            "--view",
            "slice3d",
            "--out",
            "default.png",
            "--size",
            "640x480",
        ],
    );
    let default = image::open(dir.path().join("default.png"))
        .unwrap()
        .to_rgba8();
    let moved = mean_abs_diff(&exported, &default);
    assert!(
        moved > 3.0,
        "the turned camera shows another picture (mean |Δ| = {moved:.3})"
    );

    // The dialog writes a picture view as PNG whatever format was picked last.
    h.state_mut().export_dialog.format = Format::Svg;
    assert_eq!(h.state().export_dialog.request().format, Format::Png);
}

/// The terrain exports as the picture `render --view terrain` draws of the written scene.
#[test]
fn the_terrain_exported_from_the_app_matches_render_of_the_scene_it_wrote() {
    let mut h = harness("perpendicular");
    let dir = tempfile::tempdir().unwrap();
    let (kind, text) = export(&mut h, dir.path(), "hill", FigureView::Terrain, Format::Png);
    assert_eq!(kind, MessageKind::Info, "{text}");
    let exported = image::open(dir.path().join("hill.png")).unwrap().to_rgba8();
    render(
        dir.path(),
        &[
            "hill.scene.json",
            "--view",
            "terrain",
            "--out",
            "cli.png",
            "--size",
            "640x480",
        ],
    );
    let rendered = image::open(dir.path().join("cli.png")).unwrap().to_rgba8();
    let diff = mean_abs_diff(&exported, &rendered);
    assert!(diff < 0.5, "export vs render: mean |Δ| = {diff:.3}");
}

/// Whether the app's last frame asked the window to `command`.
fn asked(h: &Harness<'static, BasinscopeApp>, command: &egui::ViewportCommand) -> bool {
    h.output()
        .viewport_output
        .get(&egui::ViewportId::ROOT)
        .is_some_and(|v| v.commands.contains(command))
}

/// Asks the window to close, as the window manager's close button does.
fn request_close(h: &mut Harness<'static, BasinscopeApp>) {
    let root = h.input_mut().viewports.entry(egui::ViewportId::ROOT);
    root.or_default().events.push(egui::ViewportEvent::Close);
    h.step();
}

/// Closing the window while an export runs puts the close off and says so; once the
/// picture and the scene beside it are written, whole, the window closes.
#[test]
fn closing_the_window_during_an_export_waits_for_the_file() {
    let mut h = harness("perpendicular");
    let dir = tempfile::tempdir().unwrap();
    start_export(
        &mut h,
        dir.path(),
        "closing",
        FigureView::Terrain,
        Format::Png,
    );
    request_close(&mut h);
    assert!(asked(&h, &egui::ViewportCommand::CancelClose));
    assert!(!asked(&h, &egui::ViewportCommand::Close));
    let text = h.state().state.message.clone().expect("a message").text;
    assert!(
        text.contains("closing once the export is written"),
        "{text}"
    );
    // The window goes on drawing until the file is there, and then closes.
    let mut closed = false;
    let start = Instant::now();
    while !closed && start.elapsed() < Duration::from_mins(2) {
        h.step();
        closed = asked(&h, &egui::ViewportCommand::Close);
        assert!(
            closed || h.state().exporting(),
            "the export ended without a close"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(closed, "the window never closed");
    let picture = image::open(dir.path().join("closing.png")).expect("the export was written");
    assert_eq!((picture.width(), picture.height()), (640, 480));
    Scene::load(&dir.path().join("closing.scene.json")).expect("the scene beside it");
}

/// A close put off for an export that then fails is dropped: the window stays open
/// and says why.
#[test]
fn a_failed_export_keeps_the_window_open_that_was_closing() {
    let mut h = harness("xor");
    let dir = tempfile::tempdir().unwrap();
    // A folder where the picture should go: the write fails.
    std::fs::create_dir(dir.path().join("blocked.png")).unwrap();
    start_export(
        &mut h,
        dir.path(),
        "blocked",
        FigureView::Slice2d,
        Format::Png,
    );
    request_close(&mut h);
    assert!(asked(&h, &egui::ViewportCommand::CancelClose));
    step_until(&mut h, Duration::from_mins(2), |app| !app.exporting());
    h.step();
    assert!(!h.state().close_after_export);
    assert!(!asked(&h, &egui::ViewportCommand::Close));
    let message = h.state().state.message.clone().expect("a message");
    assert_eq!(message.kind, MessageKind::Error);
    assert!(
        message.text.contains("the window stays open"),
        "{}",
        message.text
    );
}

/// Two models trained from different seeds, as the paths view compares them.
fn scene_with_two_models() -> Scene {
    let mut scene = Scene::resolve("xor").unwrap();
    let spec = scene.model.clone();
    scene.models = [3_u64, 11]
        .into_iter()
        .map(|seed| basinscope::core::models::NamedModel {
            name: format!("seed {seed}"),
            parameters: spec.init_parameters(seed),
        })
        .collect();
    scene
}

/// The paths view exports as SVG (its curves as vector paths, its legend as text) with
/// the curves as CSV, and the PNG export is the picture `render --view path` draws.
#[test]
fn the_paths_view_exports_as_svg_and_csv_and_its_png_matches_render() {
    let mut h = harness_with(scene_with_two_models(), WINDOW, |_| {});
    h.state_mut()
        .apply(Action::ShowView(basinscope::app::ViewTab::Paths));
    h.run_steps(2);
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    h.run_steps(2);
    assert_eq!(h.state().export_dialog.view, FigureView::Path);
    let dir = tempfile::tempdir().unwrap();
    let (kind, text) = export(&mut h, dir.path(), "paths", FigureView::Path, Format::Svg);
    assert_eq!(kind, MessageKind::Info, "{text}");
    let svg = std::fs::read_to_string(dir.path().join("paths.svg")).unwrap();
    assert!(
        svg.starts_with("<svg") || svg.starts_with("<?xml"),
        "{}",
        &svg[..80]
    );
    assert!(svg.trim_end().ends_with("</svg>"));
    assert!(svg.contains(r#"aria-label="linear path from A to B""#));
    assert!(svg.contains("seed 3"), "the subtitle names model A");
    assert!(
        !svg.contains("<image"),
        "no raster layer: the paths figure is all vector"
    );
    let csv = std::fs::read_to_string(dir.path().join("paths.csv")).unwrap();
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .starts_with("t,\"linear path from A to B\"")
    );
    assert_eq!(lines.count(), 25, "one row per t of the grid");

    let (kind, text) = export(&mut h, dir.path(), "paths", FigureView::Path, Format::Png);
    assert_eq!(kind, MessageKind::Info, "{text}");
    let exported = image::open(dir.path().join("paths.png"))
        .unwrap()
        .to_rgba8();
    render(
        dir.path(),
        &[
            "paths.scene.json",
            "--view",
            "path",
            "--out",
            "cli.png",
            "--size",
            "640x480",
        ],
    );
    let rendered = image::open(dir.path().join("cli.png")).unwrap().to_rgba8();
    let diff = mean_abs_diff(&exported, &rendered);
    assert!(diff < 0.5, "export vs render: mean |Δ| = {diff:.3}");
}

/// "whole window" at screen resolution writes the window's own frame: the size of the
/// window, the picture the renderer draws of it, and the export window is not in it.
#[test]
fn the_whole_window_exports_as_the_png_of_its_frame() {
    let mut h = harness("xor");
    // The exported frame and the render after it show the same pictures only once the
    // background jobs (axes, field, loss range) have answered.
    wait_for(
        &mut h,
        Duration::from_mins(2),
        "the views' pictures",
        BasinscopeApp::pictures_are_current,
    );
    let dir = tempfile::tempdir().unwrap();
    // Through the window's own controls: Ctrl+E, "the whole window", Export.
    h.key_press_modifiers(egui::Modifiers::COMMAND, egui::Key::E);
    h.run_steps(3);
    {
        let d = &mut h.state_mut().export_dialog;
        d.folder = dir.path().display().to_string();
        d.name = "window".into();
        d.format = Format::Svg;
        d.write_scene = true;
    }
    h.get_by_label("the whole window").click();
    h.run_steps(1);
    assert!(h.state().export_dialog.whole_window);
    h.get_by_label("at screen resolution").click();
    h.run_steps(1);
    assert_eq!(h.state().export_dialog.window_scale, WindowScale::Screen);
    h.get_by_label("Export").click();
    h.run_steps(1);
    step_until(&mut h, Duration::from_mins(1), |app| !app.exporting());
    h.run_steps(1);
    let message = h.state().state.message.clone().unwrap();
    assert_eq!(message.kind, MessageKind::Info, "{}", message.text);
    assert!(
        !h.state().export_dialog.open,
        "the export window closed for the picture"
    );
    assert!(dir.path().join("window.scene.json").is_file());
    assert!(
        !dir.path().join("window.svg").exists(),
        "the window is written as PNG"
    );
    let picture = image::open(dir.path().join("window.png"))
        .unwrap()
        .to_rgba8();
    let frame = h.render().expect("the harness renders");
    assert_eq!(picture.dimensions(), frame.dimensions());
    assert_eq!(picture.dimensions(), (1280, 800));
    // The frame now differs only in the status line ("exported …").
    let diff = mean_abs_diff(&picture, &frame);
    assert!(
        diff < 2.0,
        "window picture vs the frame: mean |Δ| = {diff:.3}"
    );
    // Every pixel is painted (a frame taken before its layout settled has holes).
    let holes = picture.pixels().filter(|p| p[3] < 255).count();
    assert_eq!(holes, 0, "unpainted pixels in the window's picture");
    let distinct: std::collections::HashSet<[u8; 4]> = picture.pixels().map(|p| p.0).collect();
    assert!(
        distinct.len() > 50,
        "the picture shows the app ({} colors)",
        distinct.len()
    );
}

/// Exports the whole window at `scale` through the dialog's own controls and returns
/// the picture and how long the export took.
fn export_window_at(
    h: &mut Harness<'static, BasinscopeApp>,
    dir: &Path,
    name: &str,
    scale: u32,
) -> (image::RgbaImage, Duration) {
    h.state_mut().apply(Action::OpenExport);
    h.run_steps(3);
    {
        let d = &mut h.state_mut().export_dialog;
        d.folder = dir.display().to_string();
        d.name = name.into();
        d.write_scene = true;
    }
    h.get_by_label("the whole window").click();
    h.run_steps(1);
    h.get_by_label(&format!("{scale}×")).click();
    h.run_steps(1);
    assert_eq!(
        h.state().export_dialog.window_scale,
        WindowScale::Offscreen(scale)
    );
    // The dialog shows the picture's size before it is made.
    h.get_by_label(&format!("{} × {} pixels", 1280 * scale, 800 * scale));
    let start = Instant::now();
    h.get_by_label("Export").click();
    h.run_steps(1);
    step_until(h, Duration::from_mins(3), |app| !app.exporting());
    let took = start.elapsed();
    h.run_steps(1);
    let message = h.state().state.message.clone().unwrap();
    assert_eq!(message.kind, MessageKind::Info, "{}", message.text);
    assert!(dir.join(format!("{name}.scene.json")).is_file());
    let picture = image::open(dir.join(format!("{name}.png")))
        .unwrap()
        .to_rgba8();
    (picture, took)
}

/// `image` shrunk by 2 in each direction, each pixel the mean of its 2×2 block.
fn box_half(image: &image::RgbaImage) -> image::RgbaImage {
    image::RgbaImage::from_fn(image.width() / 2, image.height() / 2, |x, y| {
        let mut sum = [0u32; 4];
        for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
            let p = image.get_pixel(2 * x + dx, 2 * y + dy);
            for c in 0..4 {
                sum[c] += u32::from(p[c]);
            }
        }
        image::Rgba(sum.map(|s| ((s + 2) / 4) as u8))
    })
}

/// The share of the 2×2 blocks inside `rect` (in 1× pixels) whose four pixels are not
/// all the same color; an upscaled 1× picture has none.
fn detailed_blocks(image: &image::RgbaImage, rect: [u32; 4]) -> f64 {
    let [x0, y0, x1, y1] = rect;
    let mut detailed = 0u32;
    for y in y0..y1 {
        for x in x0..x1 {
            let p = image.get_pixel(2 * x, 2 * y);
            if [(1, 0), (0, 1), (1, 1)]
                .iter()
                .any(|&(dx, dy)| image.get_pixel(2 * x + dx, 2 * y + dy) != p)
            {
                detailed += 1;
            }
        }
    }
    f64::from(detailed) / f64::from((x1 - x0) * (y1 - y0))
}

/// "the whole window" at 2× is the window drawn again offscreen at twice its pixels:
/// twice the window's logical size in each direction; shrunk by 2 it is the 1× export
/// (which is the window's own frame), and it is not an upscaled 1× picture, since the
/// text in the control panel has detail within 2×2 blocks.
#[test]
fn the_whole_window_exports_offscreen_at_twice_its_pixels() {
    let mut h = harness("xor");
    step_until(
        &mut h,
        Duration::from_mins(2),
        BasinscopeApp::pictures_are_current,
    );
    assert!(
        h.state().pictures_are_current(),
        "the views' pictures never became current"
    );
    let dir = tempfile::tempdir().unwrap();
    let (one, _) = export_window_at(&mut h, dir.path(), "window1", 1);
    let (two, took) = export_window_at(&mut h, dir.path(), "window2", 2);
    eprintln!(
        "the whole window at 2× exported in {:.1} s",
        took.as_secs_f64()
    );
    assert_eq!(one.dimensions(), (1280, 800));
    assert_eq!(two.dimensions(), (2560, 1600));
    assert!(
        two.pixels().all(|p| p[3] == 255),
        "every pixel of the 2× picture is painted"
    );
    // 1× offscreen is the window as the harness draws it, once the export window and
    // the status line ("exported …") are gone.
    h.state_mut().export_dialog.open = false;
    h.state_mut().state.message = None;
    h.run_steps(3);
    let frame = h.render().expect("the harness renders");
    let vs_frame = mean_abs_diff(&one, &frame);
    assert!(
        vs_frame < 0.5,
        "1× export vs the frame: mean |Δ| = {vs_frame:.3}"
    );
    let shrunk = box_half(&two);
    let vs_one = mean_abs_diff(&shrunk, &one);
    eprintln!("1× vs the frame: {vs_frame:.3}; 2× shrunk vs 1×: {vs_one:.3}");
    assert!(
        vs_one < 4.0,
        "the 2× export shrunk by 2 vs the 1× export: mean |Δ| = {vs_one:.3}"
    );
    // The control panel (below the top bar, above the loss panel): text and widgets.
    let panel = [8, 40, 280, 560];
    let detail_two = detailed_blocks(&two, panel);
    eprintln!(
        "2×2 blocks with detail in the control panel: {:.1} %",
        100.0 * detail_two
    );
    assert!(
        detail_two > 0.02,
        "the 2× picture has detail within 2×2 blocks ({:.2} %), as an upscale would not",
        100.0 * detail_two
    );
}

/// The native window clears to its panels' color and leaves them unfilled
/// (`app/backdrop.rs`); its offscreen copy clears to transparent, so the copy must paint
/// them again: every pixel of the 2× export is opaque.
#[test]
fn the_native_windows_offscreen_export_paints_its_panels() {
    let scene = built_in("xor");
    let mut h = Harness::builder()
        .with_size(WINDOW)
        .wgpu()
        .build_eframe(move |cc| {
            let mut app = BasinscopeApp::new(cc, scene).expect("the worker thread starts");
            app.backdrop = Some(Backdrop::take_over(&cc.egui_ctx));
            app
        });
    step_until(
        &mut h,
        Duration::from_mins(2),
        BasinscopeApp::pictures_are_current,
    );
    let dir = tempfile::tempdir().unwrap();
    let (two, _) = export_window_at(&mut h, dir.path(), "window2", 2);
    let see_through = two.pixels().filter(|p| p[3] != 255).count();
    assert_eq!(
        see_through, 0,
        "{see_through} pixels of the 2× export are not opaque"
    );
}

/// A window too large for the chosen scale is refused with a sentence before anything
/// is drawn: the dialog says so beside the size, the export says why, and nothing is
/// written.
#[test]
fn a_whole_window_export_beyond_the_size_limit_is_refused_with_a_sentence() {
    let mut h = harness_with(built_in("xor"), egui::vec2(3000.0, 800.0), |_| {});
    let dir = tempfile::tempdir().unwrap();
    h.state_mut().apply(Action::OpenExport);
    h.run_steps(3);
    {
        let d = &mut h.state_mut().export_dialog;
        d.folder = dir.path().display().to_string();
        d.name = "huge".into();
        d.whole_window = true;
    }
    h.run_steps(1);
    h.get_by_label("3×").click();
    h.run_steps(1);
    h.get_by_label_contains("9000 × 2400 pixels: too large");
    h.get_by_label("Export").click();
    h.run_steps(2);
    assert!(!h.state().exporting());
    let message = h.state().state.message.clone().unwrap();
    assert_eq!(message.kind, MessageKind::Error);
    assert!(
        message.text.contains("9000×2400") && message.text.contains("8192"),
        "{}",
        message.text
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    // 2× fits (6000 pixels wide) and is offered without a complaint.
    h.get_by_label("2×").click();
    h.run_steps(1);
    h.get_by_label("6000 × 1600 pixels");
}

/// A file the filesystem refuses to replace. As root (how the tests run here) file
/// permissions refuse nothing, so the file is made immutable (`chattr +i`, which needs
/// CAP_LINUX_IMMUTABLE and a filesystem with the attribute, as ext4, xfs, btrfs and
/// tmpfs have); elsewhere its folder is made read-only. Either way the test checks that
/// a write really is refused. Undone on drop so the folder can be removed.
enum ReadOnly {
    Immutable(PathBuf),
    Folder(PathBuf),
}

impl ReadOnly {
    fn new(path: &Path) -> Self {
        let chattr = Command::new("chattr").arg("+i").arg(path).output();
        let lock = match &chattr {
            Ok(o) if o.status.success() => Self::Immutable(path.to_path_buf()),
            _ => {
                use std::os::unix::fs::PermissionsExt as _;
                let folder = path.parent().unwrap().to_path_buf();
                std::fs::set_permissions(&folder, std::fs::Permissions::from_mode(0o555)).unwrap();
                Self::Folder(folder)
            }
        };
        let refused = match &lock {
            Self::Immutable(_) => std::fs::OpenOptions::new().append(true).open(path).is_err(),
            Self::Folder(folder) => {
                let probe = folder.join("probe");
                let refused = std::fs::write(&probe, b"x").is_err();
                let _ = std::fs::remove_file(&probe);
                refused
            }
        };
        assert!(
            refused,
            "cannot make {} read-only here: chattr +i gave {:?}, and file permissions do not bind this user (root)",
            path.display(),
            chattr.map(|o| String::from_utf8_lossy(&o.stderr).into_owned())
        );
        lock
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        match self {
            Self::Immutable(path) => {
                let _ = Command::new("chattr").arg("-i").arg(&*path).status();
            }
            Self::Folder(folder) => {
                use std::os::unix::fs::PermissionsExt as _;
                let _ = std::fs::set_permissions(&*folder, std::fs::Permissions::from_mode(0o755));
            }
        }
    }
}

/// An export or a save onto a file that cannot be replaced fails with a message in the
/// app, and the old file stays byte for byte.
#[test]
fn an_export_or_save_to_a_read_only_target_keeps_the_old_file_and_says_why() {
    let mut h = harness("xor");
    let dir = tempfile::tempdir().unwrap();
    let (kind, text) = export(&mut h, dir.path(), "fig", FigureView::Data, Format::Png);
    assert_eq!(kind, MessageKind::Info, "{text}");
    let figure = dir.path().join("fig.png");
    let before = std::fs::read(&figure).unwrap();
    let saved = dir.path().join("saved.json");
    h.state_mut().apply(Action::SaveTo(saved.clone()));
    h.run_steps(1);
    let saved_before = std::fs::read(&saved).unwrap();

    // Change what would be written, so a write that got through would show.
    h.state_mut().apply(Action::Step(50));
    step_until(&mut h, Duration::from_secs(30), |app| {
        app.state.steps_done >= 50 && !app.state.playing
    });
    let _locks = [ReadOnly::new(&figure), ReadOnly::new(&saved)];

    let (kind, text) = export(&mut h, dir.path(), "fig", FigureView::Data, Format::Png);
    assert_eq!(kind, MessageKind::Error, "{text}");
    assert!(text.starts_with("cannot export: cannot write"), "{text}");
    assert!(text.contains("fig.png"), "{text}");
    assert_eq!(
        std::fs::read(&figure).unwrap(),
        before,
        "the old figure is kept"
    );
    h.run_steps(2);
    h.get_by_label_contains("cannot export");

    h.state_mut().apply(Action::SaveTo(saved.clone()));
    h.run_steps(2);
    let message = h.state().state.message.clone().unwrap();
    assert_eq!(message.kind, MessageKind::Error, "{}", message.text);
    assert!(
        message.text.starts_with("cannot save the scene"),
        "{}",
        message.text
    );
    assert_eq!(
        std::fs::read(&saved).unwrap(),
        saved_before,
        "the old scene is kept"
    );
    h.get_by_label_contains("cannot save the scene");
    // No temporary is left beside the targets.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// The dialog's folder, size and theme are kept in the settings for the next session.
#[test]
fn the_export_dialog_remembers_its_folder_size_and_theme() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("config").join("settings.json");
    let mut h = harness("xor");
    h.state_mut().use_settings(Some(settings.clone()));
    h.state_mut().export_dialog.theme = basinscope::draw::style::Theme::Dark;
    let (kind, text) = export(&mut h, dir.path(), "fig", FigureView::Data, Format::Png);
    assert_eq!(kind, MessageKind::Info, "{text}");
    drop(h);
    let mut next = harness("xor");
    next.state_mut().use_settings(Some(settings));
    let d = &next.state().export_dialog;
    assert_eq!((d.width, d.height), (640, 480));
    assert_eq!(d.folder, dir.path().display().to_string());
    assert_eq!(d.theme, basinscope::draw::style::Theme::Dark);
    next.run_steps(1);
}
