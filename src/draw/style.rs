//! Colors shared by every picture of a field: the CPU figures, the GPU slice picture and
//! the app's legends, so a figure matches the screen.

/// One color per training input: the colorblind-safe categorical palette of Okabe & Ito,
/// reordered so the first inputs contrast with each other and with viridis; cycled.
pub const INPUT_PALETTE: [[u8; 3]; 7] = [
    [0xE6, 0x9F, 0x00], // orange
    [0x56, 0xB4, 0xE9], // sky blue
    [0xCC, 0x79, 0xA7], // reddish purple
    [0xD5, 0x5E, 0x00], // vermillion
    [0x00, 0x9E, 0x73], // bluish green
    [0xF0, 0xE4, 0x42], // yellow
    [0x00, 0x72, 0xB2], // blue
];

/// sRGB color of input `i`.
pub fn input_rgb(i: usize) -> [u8; 3] {
    INPUT_PALETTE[i % INPUT_PALETTE.len()]
}

/// Color of input `i` as linear-in-sRGB floats in [0, 1] (for shader uniforms).
pub fn input_rgb_f32(i: usize) -> [f32; 3] {
    input_rgb(i).map(|c| f32::from(c) / 255.0)
}

/// Color of the solution set (zero loss) overlay.
pub const SOLUTION_RGB: [u8; 3] = [0xFF, 0x3B, 0x6B];

/// The figure theme: light (the print style, the default) or dark (for slides and dark
/// pages). It sets the paper, the ink of text, axes and frames, and the few line colors
/// that would vanish on the other paper; colormaps and the input palette stay.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    #[default]
    Light,
    Dark,
}

impl Theme {
    pub const ALL: [Self; 2] = [Self::Light, Self::Dark];

    /// The name `render --theme` takes.
    pub fn name(self) -> &'static str {
        match self {
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }

    /// The background.
    pub fn paper(self) -> [u8; 3] {
        match self {
            Self::Light => [0xFF, 0xFF, 0xFF],
            Self::Dark => [0x16, 0x18, 0x1C],
        }
    }

    /// Text, axes, frames, ticks.
    pub fn ink(self) -> [u8; 3] {
        match self {
            Self::Light => [0x00, 0x00, 0x00],
            Self::Dark => [0xE8, 0xE8, 0xEA],
        }
    }

    /// Secondary text (subtitles, captions).
    pub fn muted_ink(self) -> [u8; 3] {
        match self {
            Self::Light => [0x50, 0x50, 0x50],
            Self::Dark => [0xA8, 0xA8, 0xAE],
        }
    }

    /// The curve color of one-line plots (the network's function, the first path): a
    /// dark blue on white, a light blue on the dark paper.
    pub fn line(self) -> [u8; 3] {
        match self {
            Self::Light => [0x1F, 0x4E, 0x8C],
            Self::Dark => [0x7F, 0xB8, 0xF0],
        }
    }
}
