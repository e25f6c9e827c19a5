//! basinscope: the geometry of tiny neural networks' training, made visible.
//!
//! Layers (see ARCHITECTURE.md): [`core`] → [`gpu`] → [`app`], [`cli`].

pub mod app;
pub mod cli;
pub mod core;
pub mod gpu;
