//! The app layer: eframe/egui panels and views.

use crate::core::Scene;

/// Opens the native window on `scene` and runs until it closes.
pub fn run_native(_scene: Scene) -> anyhow::Result<()> {
    anyhow::bail!("the app is not available in this build yet")
}
