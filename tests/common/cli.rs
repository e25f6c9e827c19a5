//! The binary as a process: the command every CLI test runs, and its stderr as text.
//! Included as `mod common { pub mod cli; }`; see ARCHITECTURE.md's tests section.

use std::path::Path;
use std::process::{Command, Output};

/// Runs `basinscope ARGS` in `dir` and waits for it.
#[allow(
    dead_code,
    reason = "a test crate that runs the binary under a time limit reads only stderr here"
)]
pub fn basinscope(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_basinscope"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("the binary runs")
}

/// What a run printed on stderr, as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
