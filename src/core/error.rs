//! Errors of the core layer: each one is a sentence a user can act on.

use std::path::PathBuf;

/// What can go wrong in core: bad input (scene, data, parameters) or I/O.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// The input is well-formed but not acceptable; the message names the field.
    #[error("{0}")]
    Invalid(String),
    /// A scene file could not be parsed.
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    /// candle failed (should not happen for valid shapes).
    #[error("tensor computation failed: {0}")]
    Tensor(#[from] candle_core::Error),
}

impl CoreError {
    pub fn invalid(message: impl Into<String>) -> Self {
        CoreError::Invalid(message.into())
    }
}
