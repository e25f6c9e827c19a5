//! The built-in path entry that stands in for the platform's file dialog when there is
//! none (no xdg desktop portal, as on bare X sessions): a small window with one sentence
//! saying why, a path field, and Open or Save.

use std::path::PathBuf;

use super::state::Action;

/// What the path is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PathPurpose {
    Open,
    Save,
}

/// The window's state.
#[derive(Clone, Debug, Default)]
pub struct PathEntry {
    /// `Some` while the window is open.
    pub purpose: Option<PathPurpose>,
    pub text: String,
    /// Why the platform's dialog is not used, in one sentence.
    pub reason: String,
}

/// Why the platform's file dialog cannot be used here, if it cannot: rfd's xdg portal
/// backend talks to the desktop portal over the D-Bus session bus, so without one it can
/// only fail.
pub fn platform_dialog_unavailable() -> Option<String> {
    if cfg!(target_os = "linux") && std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none() {
        return Some(
            "There is no file dialog here (no D-Bus session bus for the xdg desktop portal), so type the path instead."
                .into(),
        );
    }
    None
}

impl PathEntry {
    pub fn open(&mut self, purpose: PathPurpose, suggested: Option<PathBuf>, reason: String) {
        self.purpose = Some(purpose);
        self.reason = reason;
        if let Some(p) = suggested {
            self.text = p.display().to_string();
        }
    }
}

/// The window; pushes LoadPath or SaveTo when the user confirms.
pub fn path_entry_ui(ctx: &egui::Context, entry: &mut PathEntry, actions: &mut Vec<Action>) {
    let Some(purpose) = entry.purpose else {
        return;
    };
    let mut open = true;
    let (title, button) = match purpose {
        PathPurpose::Open => ("Open a scene", "Open this file"),
        PathPurpose::Save => ("Save the scene", "Save to this file"),
    };
    egui::Window::new(title)
        .open(&mut open)
        .collapsible(false)
        .show(ctx, |ui| {
            ui.label(&entry.reason);
            let field = ui.add(
                egui::TextEdit::singleline(&mut entry.text)
                    .hint_text("/path/to/scene.json")
                    .desired_width(420.0),
            );
            let enter = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
            if (ui.button(button).clicked() || enter) && !entry.text.trim().is_empty() {
                let path = PathBuf::from(entry.text.trim());
                actions.push(match purpose {
                    PathPurpose::Open => Action::LoadPath(path),
                    PathPurpose::Save => Action::SaveTo(path),
                });
                entry.purpose = None;
            }
        });
    if !open {
        entry.purpose = None;
    }
}
