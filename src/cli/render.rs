//! `basinscope render` (placeholder until the slice renderer lands).

use std::path::PathBuf;

/// Arguments of `basinscope render`.
#[derive(clap::Args, Debug)]
pub struct RenderArgs {
    /// A scene file or the name of a built-in scene.
    pub scene: String,
    /// slice2d, slice3d, data or path.
    #[arg(long, default_value = "slice2d")]
    pub view: String,
    /// Output PNG.
    #[arg(long)]
    pub out: PathBuf,
    /// Image size WxH.
    #[arg(long, default_value = "1024x768")]
    pub size: String,
    /// Raw fields as float32 .npy (with a .json sidecar).
    #[arg(long)]
    pub field_out: Option<PathBuf>,
    /// gpu or cpu.
    #[arg(long, default_value = "gpu")]
    pub backend: String,
}

pub fn run(_args: &RenderArgs) -> anyhow::Result<()> {
    anyhow::bail!("render is not available in this build yet")
}
