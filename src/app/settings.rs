//! The small settings the app keeps between sessions: recent scene files and the export
//! window's folder, size and theme (never the network). A JSON file under the user's config
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
    pub export_folder: Option<String>,
    pub export_size: Option<[u32; 2]>,
    /// The export window's figure theme.
    pub export_theme: Option<crate::draw::style::Theme>,
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
}
