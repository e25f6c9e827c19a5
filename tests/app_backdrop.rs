//! The native window leaves egui's panels unfilled and clears the frame to their color
//! (a software rasterizer shades every painted pixel; see `app/backdrop.rs`). Headless,
//! the harness clears to transparent, so the claim is checked by compositing: the
//! window drawn with the backdrop, laid over the color the native window clears to,
//! must be the window drawn with egui's painted panels, in both themes.

use std::time::Duration;

use basinscope::app::BasinscopeApp;
use basinscope::app::backdrop::Backdrop;
use egui_kittest::Harness;

mod common {
    pub mod harness;
}
use common::harness::{WINDOW, built_in, render, wait_for};

/// The moons scene in `theme`, with the native window's backdrop or egui's painted panels.
fn harness(theme: egui::Theme, backdrop: bool) -> Harness<'static, BasinscopeApp> {
    let scene = built_in("moons");
    Harness::builder()
        .with_size(WINDOW)
        .with_theme(theme)
        .wgpu()
        .build_eframe(move |cc| {
            let mut app = BasinscopeApp::new(cc, scene).expect("the worker thread starts");
            if backdrop {
                app.backdrop = Some(Backdrop::take_over(&cc.egui_ctx));
            }
            app
        })
}

/// The window once every view has shown its current picture for a few frames.
fn settled_render(h: &mut Harness<'static, BasinscopeApp>) -> image::RgbaImage {
    wait_for(h, Duration::from_mins(2), "the views' pictures", |app| {
        app.pictures_are_current()
    });
    h.run_steps(3);
    render(h)
}

#[test]
fn the_cleared_backdrop_shows_what_painted_panels_show_in_both_themes() {
    for theme in [egui::Theme::Dark, egui::Theme::Light] {
        let mut painted = harness(theme, false);
        let painted_image = settled_render(&mut painted);
        let mut cleared = harness(theme, true);
        let backdrop = cleared.state().backdrop.expect("set above");
        let fill = backdrop.panel_fill(&cleared.ctx.style_of(theme).visuals);
        // The panels are not painted: the harness's transparent clear shows through
        // over most of the window.
        let cleared_image = settled_render(&mut cleared);
        let total = cleared_image.pixels().len();
        let see_through = cleared_image.pixels().filter(|p| p[3] == 0).count();
        assert!(
            see_through * 3 > total,
            "{theme:?}: only {see_through} of {total} pixels are left unpainted"
        );
        // Laid over the clear color (egui's blending: premultiplied alpha, in the
        // target's sRGB-encoded values), the picture is the painted one.
        assert_eq!(fill.a(), 255, "the panels' color is opaque");
        let bg = [fill.r(), fill.g(), fill.b()];
        let mut differing = 0;
        for (c, p) in cleared_image.pixels().zip(painted_image.pixels()) {
            let a = f32::from(c[3]) / 255.0;
            let far = (0..3).any(|i| {
                let over = f32::from(c[i]) + f32::from(bg[i]) * (1.0 - a);
                (over - f32::from(p[i])).abs() > 3.0
            });
            differing += usize::from(far);
        }
        // A few pixels may differ where a background job drew at another moment.
        assert!(
            differing * 500 < total,
            "{theme:?}: {differing} of {total} pixels differ from the painted window"
        );
    }
}
