//! The window's background, cleared instead of painted.
//!
//! egui paints every panel's background as a textured, blended rectangle, so the whole
//! window is shaded at least once a frame before any view draws. On a software
//! rasterizer (llvmpipe) that pass alone costs about 50 ms a frame at 1280 × 800 on two
//! cores, while clearing the frame to the same color costs almost nothing. In the
//! native window the panels are therefore left unfilled and the frame is cleared to the
//! color they would have had. The headless renderers (tests, whole-window export)
//! clear to transparent, so they keep egui's painted panels.

use egui::{Color32, Theme};

/// The panel colors of both themes, kept when the panels are made transparent.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backdrop {
    dark: Color32,
    light: Color32,
}

impl Backdrop {
    /// Makes `ctx`'s panels transparent in both themes and returns their colors.
    pub fn take_over(ctx: &egui::Context) -> Self {
        let fill = |theme| ctx.style_of(theme).visuals.panel_fill;
        let backdrop = Self {
            dark: fill(Theme::Dark),
            light: fill(Theme::Light),
        };
        ctx.all_styles_mut(|s| s.visuals.panel_fill = Color32::TRANSPARENT);
        backdrop
    }

    /// Puts the panel colors back into `options`' styles (for a copy of the window drawn
    /// by a renderer that clears to transparent).
    pub fn restore(&self, options: &mut egui::Options) {
        std::sync::Arc::make_mut(&mut options.dark_style)
            .visuals
            .panel_fill = self.dark;
        std::sync::Arc::make_mut(&mut options.light_style)
            .visuals
            .panel_fill = self.light;
    }

    /// The panel color of the theme `visuals` belong to.
    pub fn panel_fill(&self, visuals: &egui::Visuals) -> Color32 {
        if visuals.dark_mode {
            self.dark
        } else {
            self.light
        }
    }

    /// The frame's clear color for `visuals`, in the encoding of `target` (linear for an
    /// sRGB target, sRGB-encoded otherwise), as eframe's `clear_color` wants it.
    pub fn clear_color(
        &self,
        visuals: &egui::Visuals,
        target: Option<wgpu::TextureFormat>,
    ) -> [f32; 4] {
        let fill = self.panel_fill(visuals);
        if target.is_some_and(|f| f.is_srgb()) {
            egui::Rgba::from(fill).to_array()
        } else {
            fill.to_normalized_gamma_f32()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sRGB transfer function, written out (the reference for egui's conversion).
    fn linear_of(encoded: u8) -> f32 {
        let c = f32::from(encoded) / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    }

    #[test]
    fn taking_over_clears_both_themes_panels_and_keeps_their_colors() {
        let ctx = egui::Context::default();
        let backdrop = Backdrop::take_over(&ctx);
        let (dark, light) = (egui::Visuals::dark(), egui::Visuals::light());
        assert_eq!(backdrop.panel_fill(&dark), dark.panel_fill);
        assert_eq!(backdrop.panel_fill(&light), light.panel_fill);
        for theme in [Theme::Dark, Theme::Light] {
            assert_eq!(ctx.style_of(theme).visuals.panel_fill, Color32::TRANSPARENT);
        }
    }

    #[test]
    fn restoring_puts_both_themes_panel_colors_back() {
        let ctx = egui::Context::default();
        let backdrop = Backdrop::take_over(&ctx);
        let mut options = ctx.options(Clone::clone);
        assert_eq!(options.dark_style.visuals.panel_fill, Color32::TRANSPARENT);
        backdrop.restore(&mut options);
        assert_eq!(
            options.dark_style.visuals.panel_fill,
            egui::Visuals::dark().panel_fill
        );
        assert_eq!(
            options.light_style.visuals.panel_fill,
            egui::Visuals::light().panel_fill
        );
        // The window itself keeps its see-through panels.
        assert_eq!(
            ctx.style_of(Theme::Dark).visuals.panel_fill,
            Color32::TRANSPARENT
        );
    }

    #[test]
    fn the_clear_color_is_encoded_for_the_target_format() {
        let backdrop = Backdrop::take_over(&egui::Context::default());
        let dark = egui::Visuals::dark();
        let fill = dark.panel_fill;
        let channels = [fill.r(), fill.g(), fill.b()];
        // An sRGB-encoded target takes the encoded values as they are.
        let encoded = backdrop.clear_color(&dark, Some(wgpu::TextureFormat::Bgra8Unorm));
        for (got, c) in encoded.iter().zip(channels) {
            assert!((got - f32::from(c) / 255.0).abs() < 1e-6, "{got} vs {c}");
        }
        // An sRGB target encodes on write, so it is given linear values.
        let linear = backdrop.clear_color(&dark, Some(wgpu::TextureFormat::Bgra8UnormSrgb));
        for (got, c) in linear.iter().zip(channels) {
            assert!(
                (got - linear_of(c)).abs() < 1e-4,
                "{got} vs {}",
                linear_of(c)
            );
        }
        assert!((encoded[3] - 1.0).abs() < 1e-6, "opaque");
        assert!((linear[3] - 1.0).abs() < 1e-6, "opaque");
    }
}
