//! basinscope: the geometry of tiny neural networks' training, made visible.
//!
//! Layers (see ARCHITECTURE.md), each using only those before it:
//! [`core`] (math, fields defined) → [`eval`] (fields computed, CPU and GPU) →
//! [`draw`] (fields drawn: CPU figures, GPU render passes) → [`app`], [`cli`].

pub mod app;
pub mod cli;
pub mod core;
pub mod draw;
pub mod eval;
