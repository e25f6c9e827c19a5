//! basinscope: the geometry of tiny neural networks' training, made visible.
//!
//! Layers (see ARCHITECTURE.md), each using only the layers before it:
//! [`core`] (math, fields defined) → [`eval`] (fields computed, CPU and GPU) and
//! [`draw`] (fields drawn: CPU figures, GPU render passes), one layer whose two modules
//! do not use each other → [`app`], [`cli`].

pub mod app;
pub mod cli;
pub mod core;
pub mod draw;
pub mod eval;
