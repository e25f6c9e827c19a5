//! Killing a save at random moments (issue 12): the real binary writes a large trained
//! scene (`train --steps 0 --out`) and is sent SIGKILL after a random delay, many times.
//! Each time the target must be byte-identical to either the old file or the new one,
//! and after a later successful save no temporary file may remain.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// SIGKILLs sent at random moments (at least; more, up to [`MAX_KILLS`], until one has
/// landed while the temporary was being written).
const KILLS: usize = 60;
const MAX_KILLS: usize = 400;

fn train_command(dir: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_basinscope"));
    c.args(["train", "big.json", "--steps", "0", "--out", "target.json"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// Every file in the folder but the input and the target: whatever a save left behind.
fn temporaries(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "big.json" && n != "target.json")
        .collect()
}

#[test]
fn a_save_killed_at_any_moment_leaves_the_old_or_the_new_file_and_no_temporary() {
    let dir = tempfile::tempdir().unwrap();
    // A large scene: [4, 512, 400, 1] tanh, 207,000 parameters, about 4 MB of JSON.
    let big = serde_json::json!({
        "format": "basinscope-scene", "version": 1,
        "model": {"layers": [4, 512, 400, 1], "activation": "tanh", "bias": true},
        "init": {"seed": 7},
        "data": {"inputs": [[0.1, 0.2, 0.3, 0.4], [0.4, 0.3, 0.2, 0.1]], "targets": [0.5, -0.5]},
    });
    std::fs::write(dir.path().join("big.json"), big.to_string()).unwrap();

    // The new content: what a complete save writes. The old content: a different,
    // valid scene file.
    // The longest of three complete runs, so that the kills cover the whole of a run.
    let full_run = (0..3)
        .map(|_| {
            let start = Instant::now();
            assert!(train_command(dir.path()).status().unwrap().success());
            start.elapsed()
        })
        .max()
        .unwrap();
    let new = std::fs::read(dir.path().join("target.json")).unwrap();
    assert!(new.len() > 3_000_000, "{} bytes", new.len());
    let old = basinscope::core::scene::builtin_json("xor")
        .unwrap()
        .as_bytes();

    let mut rng = ChaCha8Rng::seed_from_u64(99);
    let (mut saw_old, mut saw_new, mut left_behind) = (0, 0, 0);
    let mut kills = 0;
    while kills < KILLS || (left_behind == 0 && kills < MAX_KILLS) {
        kills += 1;
        std::fs::write(dir.path().join("target.json"), old).unwrap();
        let mut child = train_command(dir.path()).spawn().unwrap();
        // Uniform over the whole run (start-up, parsing, serializing, writing, renaming).
        let delay = full_run.mul_f64(rng.random_range(0.0..1.5));
        std::thread::sleep(delay);
        let _ = child.kill();
        child.wait().unwrap();
        let now = std::fs::read(dir.path().join("target.json")).unwrap();
        if now == old {
            saw_old += 1;
        } else if now == new {
            saw_new += 1;
        } else {
            panic!(
                "after a kill at {delay:?} the target is neither file ({} bytes)",
                now.len()
            );
        }
        left_behind += temporaries(dir.path()).len();
    }
    // A later successful save removes every temporary the killed ones left.
    assert!(train_command(dir.path()).status().unwrap().success());
    assert_eq!(std::fs::read(dir.path().join("target.json")).unwrap(), new);
    assert_eq!(temporaries(dir.path()), Vec::<String>::new());
    eprintln!(
        "kill-mid-save: {kills} SIGKILLs over a {:.0} ms save of {} bytes: {saw_old} left the old file, {saw_new} the new one, never anything else; {left_behind} temporaries seen after kills, none after the next save",
        full_run.as_secs_f64() * 1e3,
        new.len()
    );
    assert!(full_run < Duration::from_secs(10));
    assert!(
        left_behind > 0,
        "no kill landed while the temporary was being written; the loop tested nothing"
    );
}
