//! The core layer: networks, data, training, analysis, slices, fields (the request,
//! the result and the grid convention) and scenes.
//! No egui, no wgpu, no drawing: everything a test or the CLI needs without a window.

pub mod activation;
pub mod align;
pub mod analysis;
pub mod bezier;
pub mod camera;
pub mod data;
pub mod error;
pub mod field;
pub mod files;
pub mod limits;
pub mod mlp;
pub mod models;
pub mod npy;
pub mod paths;
pub mod recording;
pub mod scene;
pub mod slice;
pub mod slice3d;
pub mod tour;
pub mod train;

pub use activation::Activation;
pub use data::{Dataset, Preset};
pub use error::CoreError;
pub use mlp::MlpSpec;
pub use scene::Scene;
pub use train::{OptimizerKind, Trainer, TrainingConfig};
