//! The binary under a time limit, for inputs built to make it hang (hostile and
//! generated scenes): a run past the limit is killed and fails the test.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs `basinscope ARGS` in `dir` with no stdin, killing it (and failing) after `limit`.
pub fn run_limited(args: &[&str], dir: &Path, limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_basinscope"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let start = Instant::now();
    loop {
        if child.try_wait().expect("wait works").is_some() {
            return child.wait_with_output().expect("output is read");
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("basinscope {args:?} ran longer than {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}
