//! The small settings the app keeps between sessions: recent scene files, the export
//! window's folder, size and theme, the arrangement of the views and the window's size
//! and place (never the network). A JSON file under the user's config
//! folder (`$XDG_CONFIG_HOME/basinscope/settings.json`, else `~/.config/…`), written
//! atomically; a missing or unreadable file means defaults.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::core::files::write_atomically;

/// Most recent files listed.
pub const MAX_RECENT: usize = 8;
/// Largest settings file read (it holds a few paths).
const MAX_SETTINGS_BYTES: u64 = 64 << 10;

/// What is remembered.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// Scene files opened or saved, newest first.
    pub recent_files: Vec<PathBuf>,
    /// The export window's folder, size and theme, each read leniently like `views`
    /// (a value this version does not know is dropped alone).
    #[serde(deserialize_with = "lenient")]
    pub export_folder: Option<String>,
    #[serde(deserialize_with = "lenient")]
    pub export_size: Option<[u32; 2]>,
    #[serde(deserialize_with = "lenient")]
    pub export_theme: Option<crate::draw::style::Theme>,
    /// The views' arrangement. Read on its own, so one that no longer reads is dropped
    /// alone (the default arrangement is used) and the other settings are kept.
    #[serde(deserialize_with = "lenient")]
    pub views: Option<super::tiles::Layout>,
    /// The window's size and place, read leniently like `views`.
    #[serde(deserialize_with = "lenient")]
    pub window: Option<WindowLayout>,
}

/// The main window's size and place, in points.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct WindowLayout {
    pub inner_size: [f32; 2],
    /// The outer top-left corner; unknown on Wayland, which does not let apps place windows.
    pub position: Option<[f32; 2]>,
    pub maximized: bool,
}

/// Smallest and largest window side restored, in points.
const WINDOW_SIDES: std::ops::RangeInclusive<f32> = 320.0..=16384.0;
/// Largest |coordinate| of a restored window position, in points.
const MAX_WINDOW_POSITION: f32 = 65536.0;

impl WindowLayout {
    /// The layout egui reports for the viewport, if it knows the size.
    pub fn of(viewport: &egui::ViewportInfo) -> Option<Self> {
        let inner = viewport.inner_rect?;
        Some(Self {
            inner_size: [inner.width(), inner.height()],
            position: viewport.outer_rect.map(|r| [r.min.x, r.min.y]),
            maximized: viewport.maximized.unwrap_or(false),
        })
    }

    /// The window to open: the saved size clamped to sane sides, the position only if it
    /// is a plausible one (a damaged file must not put the window out of reach).
    pub fn viewport(self, builder: egui::ViewportBuilder) -> egui::ViewportBuilder {
        let side = |v: f32| {
            if v.is_finite() {
                v.clamp(*WINDOW_SIDES.start(), *WINDOW_SIDES.end())
            } else {
                1000.0
            }
        };
        let mut builder = builder
            .with_inner_size([side(self.inner_size[0]), side(self.inner_size[1])])
            .with_maximized(self.maximized);
        if let Some(p) = self.position
            && p.iter()
                .all(|v| v.is_finite() && v.abs() <= MAX_WINDOW_POSITION)
        {
            builder = builder.with_position(p);
        }
        builder
    }
}

/// Reads a field that may be missing or damaged as `None` instead of failing the file.
fn lenient<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::de::DeserializeOwned,
{
    let value = serde_json::Value::deserialize(deserializer)?;
    Ok(serde_json::from_value(value).ok())
}

impl Settings {
    /// The settings file's path, if the platform has a config folder.
    pub fn default_path() -> Option<PathBuf> {
        let base = std::env::var_os("XDG_CONFIG_HOME")
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".config")))?;
        Some(base.join("basinscope").join("settings.json"))
    }

    /// The settings at `path`, or defaults when there are none (or they do not parse).
    pub fn load(path: &Path) -> Self {
        let Ok(meta) = std::fs::metadata(path) else {
            return Self::default();
        };
        if !meta.is_file() || meta.len() > MAX_SETTINGS_BYTES {
            return Self::default();
        }
        std::fs::read_to_string(path)
            .ok()
            .and_then(|t| serde_json::from_str::<Self>(&t).ok())
            .map(|mut s| {
                s.recent_files.truncate(MAX_RECENT);
                s
            })
            .unwrap_or_default()
    }

    /// Writes the settings (creating the folder).
    pub fn save(&self, path: &Path) -> Result<(), String> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        }
        let text = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        write_atomically(path, text.as_bytes()).map_err(|e| e.to_string())
    }

    /// Puts `path` first in the recent files (once), keeping at most [`MAX_RECENT`].
    pub fn remember(&mut self, path: &Path) {
        self.recent_files.retain(|p| p != path);
        self.recent_files.insert(0, path.to_path_buf());
        self.recent_files.truncate(MAX_RECENT);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_round_trip_and_recent_files_stay_unique_newest_first_and_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub").join("settings.json");
        assert_eq!(Settings::load(&path), Settings::default());
        let mut s = Settings::default();
        for i in 0..12 {
            s.remember(Path::new(&format!("/scenes/{i}.json")));
        }
        s.remember(Path::new("/scenes/5.json"));
        assert_eq!(s.recent_files.len(), MAX_RECENT);
        assert_eq!(s.recent_files[0], Path::new("/scenes/5.json"));
        assert_eq!(s.recent_files[1], Path::new("/scenes/11.json"));
        s.export_size = Some([800, 600]);
        s.export_theme = Some(crate::draw::style::Theme::Dark);
        s.save(&path).unwrap();
        assert_eq!(Settings::load(&path), s);
        std::fs::write(&path, "not json").unwrap();
        assert_eq!(Settings::load(&path), Settings::default());
    }

    #[test]
    fn a_damaged_arrangement_or_window_is_dropped_and_the_rest_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        let text = r#"{"recent_files": ["/a.json"], "views": {"kind": "spiral"},
            "window": {"inner_size": "big"}, "export_theme": "sepia",
            "export_size": [-1, 5], "export_folder": 7}"#;
        std::fs::write(&path, text).unwrap();
        let s = Settings::load(&path);
        assert_eq!(s.recent_files, [PathBuf::from("/a.json")]);
        assert_eq!((s.views, s.window), (None, None));
        assert_eq!(
            (s.export_folder, s.export_size, s.export_theme),
            (None, None, None)
        );
    }

    #[test]
    fn a_saved_window_reopens_within_sane_bounds() {
        let open = |w: WindowLayout| {
            let b = w.viewport(egui::ViewportBuilder::default());
            (b.inner_size, b.position)
        };
        let sane = WindowLayout {
            inner_size: [1200.0, 700.0],
            position: Some([40.0, 30.0]),
            maximized: false,
        };
        assert_eq!(
            open(sane),
            (
                Some(egui::vec2(1200.0, 700.0)),
                Some(egui::pos2(40.0, 30.0))
            )
        );
        let absurd = WindowLayout {
            inner_size: [1e9, f32::NAN],
            position: Some([1e9, 0.0]),
            maximized: false,
        };
        assert_eq!(open(absurd), (Some(egui::vec2(16384.0, 1000.0)), None));
    }
}
