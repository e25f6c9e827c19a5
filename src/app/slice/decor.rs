//! What is drawn around the slice picture: axes with ticks, the loss color bar, and the
//! legend with per-input toggles.

use egui::{Color32, Pos2, Rect, Stroke, Vec2};

use super::{SliceViewState, input_color, to_screen};
use crate::core::slice::SliceAxes;
use crate::draw::ticks::{log_ticks, nice_ticks};

pub(super) fn draw_axes(
    painter: &egui::Painter,
    rect: Rect,
    ranges: [[f64; 2]; 2],
    axes: &SliceAxes,
    color: Color32,
) {
    let stroke = Stroke::new(1.0, color);
    painter.rect_stroke(rect, 0.0, stroke, egui::StrokeKind::Outside);
    let font = egui::FontId::proportional(11.0);
    let a_ticks = nice_ticks(ranges[0], 6);
    for &a in &a_ticks.values {
        let p = to_screen(rect, ranges, a, ranges[1][0]);
        painter.line_segment([p, p + Vec2::new(0.0, 4.0)], stroke);
        painter.text(
            p + Vec2::new(0.0, 6.0),
            egui::Align2::CENTER_TOP,
            a_ticks.format(a),
            font.clone(),
            color,
        );
    }
    let b_ticks = nice_ticks(ranges[1], 6);
    for &b in &b_ticks.values {
        let p = to_screen(rect, ranges, ranges[0][0], b);
        painter.line_segment([p, p - Vec2::new(4.0, 0.0)], stroke);
        painter.text(
            p - Vec2::new(6.0, 0.0),
            egui::Align2::RIGHT_CENTER,
            b_ticks.format(b),
            font.clone(),
            color,
        );
    }
    painter.text(
        Pos2::new(rect.center().x, rect.bottom() + 20.0),
        egui::Align2::CENTER_TOP,
        format!("a  (u: {})", axes.u_name),
        font.clone(),
        color,
    );
    painter.text(
        Pos2::new(rect.left(), rect.top() - 4.0),
        egui::Align2::LEFT_BOTTOM,
        format!("b  (v: {})", axes.v_name),
        font,
        color,
    );
}

/// The viridis color bar of log₁₀ loss.
pub(super) fn draw_colorbar(
    painter: &egui::Painter,
    rect: Rect,
    log_range: [f32; 2],
    color: Color32,
) {
    let steps = 64;
    for s in 0..steps {
        let t0 = s as f32 / steps as f32;
        let c = colorous::VIRIDIS.eval_continuous(f64::from(t0));
        let y1 = rect.bottom() - t0 * rect.height();
        let y0 = rect.bottom() - (s + 1) as f32 / steps as f32 * rect.height();
        painter.rect_filled(
            Rect::from_x_y_ranges(rect.x_range(), y0..=y1),
            0.0,
            Color32::from_rgb(c.r, c.g, c.b),
        );
    }
    painter.rect_stroke(
        rect,
        0.0,
        Stroke::new(1.0, color),
        egui::StrokeKind::Outside,
    );
    let font = egui::FontId::proportional(11.0);
    for tick in log_ticks(f64::from(log_range[0]), f64::from(log_range[1])) {
        let t = ((tick.log_value as f32 - log_range[0]) / (log_range[1] - log_range[0]))
            .clamp(0.0, 1.0);
        let y = rect.bottom() - t * rect.height();
        painter.text(
            Pos2::new(rect.right() + 4.0, y),
            egui::Align2::LEFT_CENTER,
            on_screen(&tick.label),
            font.clone(),
            color,
        );
    }
    painter.text(
        Pos2::new(rect.left(), rect.top() - 4.0),
        egui::Align2::LEFT_BOTTOM,
        "loss",
        font,
        color,
    );
}

pub(super) fn legend_ui(ui: &mut egui::Ui, view: &mut SliceViewState, k: usize) {
    ui.horizontal(|ui| {
        ui.label("contours of");
        if ui.small_button("all").clicked() {
            view.visible_inputs.iter_mut().for_each(|v| *v = true);
        }
        if ui.small_button("none").clicked() {
            view.visible_inputs.iter_mut().for_each(|v| *v = false);
        }
        egui::ScrollArea::horizontal()
            .id_salt("slice_legend_inputs")
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    for i in 0..k {
                        let c = input_color(i);
                        let mut on = view.visible_inputs[i];
                        let text = egui::RichText::new(format!("x{i}")).color(c).strong();
                        if ui
                            .toggle_value(&mut on, text)
                            .on_hover_text("show or hide this input's contours")
                            .changed()
                        {
                            view.visible_inputs[i] = on;
                        }
                    }
                });
            });
    });
    // The picture's white lines are named in white; on the light theme's panel the white
    // text sits on a dark chip so it stays readable.
    let chip = (!ui.visuals().dark_mode).then(|| Color32::from_gray(70));
    let white = |text: &str| {
        let text = egui::RichText::new(text).color(Color32::WHITE);
        match chip {
            Some(bg) => text.background_color(bg),
            None => text,
        }
    };
    ui.horizontal_wrapped(|ui| {
        ui.label(egui::RichText::new("thick: solution contour f(x_i) = y_i").strong());
        ui.label(white("white: behavior manifold through θ"));
        let [r, g, b] = crate::draw::style::SOLUTION_RGB;
        ui.label(egui::RichText::new("solution set").color(Color32::from_rgb(r, g, b)));
        ui.label(white("white: trajectory, θ"));
        ui.label(white("dashed: manifold walk"));
    });
}

/// A figure label for the screen: the figures' `10^{n}` becomes `1e−n` (egui's font has
/// no superscript minus).
fn on_screen(label: &str) -> String {
    match label.strip_prefix("10^{").and_then(|e| e.strip_suffix('}')) {
        Some(exponent) => format!("1e{exponent}"),
        None => label.to_string(),
    }
}
