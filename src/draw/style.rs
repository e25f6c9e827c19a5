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
