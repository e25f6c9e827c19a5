//! The gpu layer: wgpu device setup, compute passes evaluating fields on slice grids,
//! render passes, readback; with a CPU reference path of the same interface. No egui.

pub mod slice_render;
