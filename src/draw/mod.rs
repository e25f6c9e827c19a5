//! Where fields are drawn: the CPU figure renderer (PNG figures for `basinscope render`
//! and the app's fallback picture) and the GPU render passes of the slice picture, with
//! the palette and tick rule both share with the app. No egui.
//!
//! - [`frame_pace`]: the 3D views' moving-picture scale, adapted to the frame time.
//! - [`figure`]: publication figures drawn on the CPU (vello_cpu, skrifa).
//! - [`slice_pass`]: render passes that turn an evaluated field into the slice picture in
//!   an offscreen texture, readback, and the blit into another render pass.
//! - [`volume_pass`]: the ray-marched picture of the 3D views (isosurfaces of a 3D
//!   slice, the loss terrain) in an offscreen texture.
//! - [`volume_memory`]: the GPU memory of a ray-marched volume, checked before it is
//!   allocated.
//! - [`volume_scene`]: what those pictures show, from a scene's settings.
//! - [`volume_paths`]: the paths between models as colored polylines of the 3D slice.
//! - [`style`]: one color per input, shared by the figures, the GPU picture and the app.
//! - [`ticks`]: the one rule for axis ticks.

pub mod figure;
pub mod frame_pace;
pub mod slice_pass;
pub mod style;
pub mod ticks;
pub mod volume_memory;
pub mod volume_pass;
pub mod volume_paths;
pub mod volume_scene;
