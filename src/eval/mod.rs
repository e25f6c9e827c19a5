//! Where fields are computed: the evaluators behind [`crate::core::field::FieldEvaluator`].
//! No egui, no drawing.
//!
//! - [`cpu`]: the CPU path, register-tiled dense layers with runtime SIMD dispatch and
//!   vectorizable activations.
//! - [`gpu`]: the compute pass of `shaders/field.wgsl` and a headless wgpu device.
//! - [`backend`]: [`FieldBackend`], which of the two computes fields here, and why.

pub mod backend;
pub mod cpu;
pub mod gpu;

pub use backend::FieldBackend;
pub use cpu::CpuFieldEvaluator;
pub use gpu::context::GpuContext;
pub use gpu::{GpuField, GpuFieldEvaluator};
