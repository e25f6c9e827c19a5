//! The gpu layer: wgpu device setup, compute passes evaluating fields on slice grids,
//! render passes, readback; with a CPU reference path of the same interface. No egui.
//!
//! - [`field`]: the request/result types, [`field::FieldEvaluator`] and
//!   [`field::FieldBackend`] (GPU when an adapter exists, else CPU).
//! - [`gpu_field`]: the compute pass of `shaders/field.wgsl`.
//! - [`cpu_field`]: the CPU reference path, with [`approx`]'s vectorizable activations
//!   and `cpu_dense`'s register-tiled dense layers.
//! - [`context`]: a headless device for the CLI, benches and tests.
//! - [`slice_render`]: render passes that draw evaluated slice fields.

pub mod approx;
pub mod context;
mod cpu_dense;
pub mod cpu_field;
pub mod field;
pub mod gpu_field;
pub mod slice_render;

pub use context::GpuContext;
pub use field::{
    CpuFieldEvaluator, Field, FieldBackend, FieldError, FieldEvaluator, FieldRequest, GpuField,
    GpuFieldEvaluator,
};
