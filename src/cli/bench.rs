//! `basinscope bench` (placeholder until the workloads land).

/// Arguments of `basinscope bench`.
#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Prints one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(_args: &BenchArgs) -> anyhow::Result<()> {
    anyhow::bail!("bench is not available in this build yet")
}
