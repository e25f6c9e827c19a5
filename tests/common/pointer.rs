//! Pointer input as egui sees it from a real mouse: presses, and drags in small moves.

use basinscope::app::BasinscopeApp;
use egui_kittest::Harness;

/// The primary button pressed or released at `pos`.
pub fn primary(pos: egui::Pos2, pressed: bool) -> egui::Event {
    egui::Event::PointerButton {
        pos,
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: egui::Modifiers::NONE,
    }
}

/// Drags with the primary button from `from` to `to` in ten moves, a frame each.
pub fn drag(h: &mut Harness<'static, BasinscopeApp>, from: egui::Pos2, to: egui::Pos2) {
    h.event(egui::Event::PointerMoved(from));
    h.step();
    h.event(primary(from, true));
    h.step();
    for i in 1..=10 {
        h.event(egui::Event::PointerMoved(
            from + (to - from) * (i as f32 / 10.0),
        ));
        h.step();
    }
    // egui reports a drag one frame late: hold still once before releasing.
    h.event(egui::Event::PointerMoved(to));
    h.step();
    h.event(primary(to, false));
    h.run_steps(3);
}
