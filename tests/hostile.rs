//! Hostile files and arguments (issue 12): every example of the issue as a regression
//! test, run as a process against the real binary. Each asserts one clear sentence or a
//! correct result, never a crash, a lost file or a write outside where the user asked.
//! The generated (fuzz) inputs are in tests/fuzz.rs, the kill-mid-save loop in
//! tests/kill_save.rs.

// Symlinks, named pipes and permission bits are Unix notions.
#![cfg(unix)]

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::cli::stderr;
use common::limited::run_limited;

mod common {
    pub mod cli;
    pub mod limited;
}

fn basinscope(args: &[&str], dir: &Path) -> Output {
    run_limited(args, dir, Duration::from_mins(1))
}

/// A refusal: exit status 1 and exactly one line on stderr, `error: …`, containing
/// `expected`.
#[track_caller]
fn assert_one_sentence(o: &Output, expected: &str) -> String {
    let e = stderr(o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert_eq!(e.lines().count(), 1, "one line: {e}");
    assert!(e.starts_with("error: "), "{e}");
    assert!(e.contains(expected), "expected {expected:?} in {e}");
    e
}

/// A small valid scene (model [d_in, 1] identity, no bias) with the given pieces.
fn scene(layers: &str, parameters: &str, inputs: &str, targets: &str, extra: &str) -> String {
    format!(
        r#"{{"format": "basinscope-scene", "version": 1 {extra},
        "model": {{"layers": {layers}, "activation": "identity", "bias": false}},
        "parameters": {parameters},
        "data": {{"inputs": {inputs}, "targets": {targets}}}}}"#
    )
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    std::fs::write(dir.join(name), text).unwrap();
    name.to_string()
}

// ----- crashes ---------------------------------------------------------------------

/// Was: "capacity overflow" in `render_slice_figure`. A slice range near the float limit
/// is refused when the scene loads, naming the limit.
#[test]
fn slice_ranges_near_the_float_limit_are_refused_with_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    let text = scene(
        "[2, 1]",
        "[1.0, 2.0]",
        "[[1, 0], [0, 1]]",
        "[1, 2]",
        r#", "view": {"slice": {"a_range": [-1e308, 1e308]}}"#,
    );
    let f = write(dir.path(), "wide.json", &text);
    let o = basinscope(&["render", &f, "--out", "wide.png"], dir.path());
    assert_one_sentence(&o, "view.slice.a_range");
    assert!(stderr(&o).contains("1e12"), "{}", stderr(&o));
    assert!(!dir.path().join("wide.png").exists());
}

/// Was: a panic in `render_data_figure` / `data_view::layout` when inputs or outputs span
/// ±1e308. Both now draw (axes clamped), in 1D and 2D.
#[test]
fn data_views_of_inputs_and_outputs_near_the_float_limit_render() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        // 1D inputs spanning ±1e308.
        scene("[1, 1]", "[1.0]", "[[-1e308], [1e308]]", "[0, 1]", ""),
        // 1D outputs spanning ±1e308 (weight 1e308 on inputs ±1).
        scene("[1, 1]", "[1e308]", "[[-1], [1]]", "[0, 1]", ""),
        // Targets near the limit.
        scene("[1, 1]", "[1.0]", "[[-1], [1]]", "[-1.7e308, 1.7e308]", ""),
        // 2D inputs and outputs spanning ±1e308.
        scene(
            "[2, 1]",
            "[1e308, 1.0]",
            "[[-1e308, -1e308], [1e308, 1e308]]",
            "[-1e308, 1e308]",
            "",
        ),
    ];
    for (n, text) in cases.iter().enumerate() {
        let f = write(dir.path(), &format!("s{n}.json"), text);
        let png = format!("s{n}.png");
        let o = basinscope(
            &[
                "render", &f, "--view", "data", "--out", &png, "--size", "200x150",
            ],
            dir.path(),
        );
        assert!(o.status.success(), "{text}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("warning: values beyond ±1e300 are drawn at the edge"),
            "{text}: {}",
            stderr(&o)
        );
        assert_eq!(
            image::open(dir.path().join(&png))
                .unwrap()
                .to_rgb8()
                .dimensions(),
            (200, 150)
        );
    }
}

/// A scene of `depth` affine layers of width 1 (bias on).
fn deep_scene(depth: usize) -> String {
    let mut layers = vec!["1"; depth];
    layers.push("1");
    format!(
        r#"{{"format": "basinscope-scene", "version": 1,
        "model": {{"layers": [{}], "activation": "tanh", "bias": true}},
        "data": {{"inputs": [[0.5], [-0.5]], "targets": [0.2, -0.2]}}}}"#,
        layers.join(",")
    )
}

/// Was: 40,000 width-1 layers overflowed the stack in `train` (abort), and 10,000 to
/// 500,000 layers took seconds to minutes in every command. Depth is limited, and the
/// refusal comes at once.
#[test]
fn networks_deeper_than_the_limit_are_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    for depth in [65, 40_000, 500_000] {
        let f = write(dir.path(), "deep.json", &deep_scene(depth));
        for cmd in [&["train", &f, "--steps", "1"][..], &["analyze", &f][..]] {
            let start = Instant::now();
            let o = basinscope(cmd, dir.path());
            assert_one_sentence(&o, "more than the limit of 64");
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "{depth} layers took {:?}",
                start.elapsed()
            );
        }
    }
}

/// The deepest accepted network trains and analyzes: the limit leaves the stack room.
#[test]
fn the_deepest_accepted_network_trains_and_analyzes() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "deep.json", &deep_scene(64));
    let o = basinscope(
        &["train", &f, "--steps", "20", "--out", "t.json"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = basinscope(&["analyze", &f, "--json"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Was: a 1 MB description made `render` allocate gigabytes laying out the title (34 s,
/// 5.7 GB). Titles are cut to a bounded length, so the render takes the usual time.
#[test]
fn a_megabyte_of_description_renders_in_the_usual_time() {
    let dir = tempfile::tempdir().unwrap();
    let description = "a very long description ".repeat(45_000);
    let extra = format!(
        r#", "name": "{}", "description": "{description}""#,
        "n".repeat(100_000)
    );
    let text = scene("[2, 1]", "[1.0, 2.0]", "[[1, 0], [0, 1]]", "[1, 2]", &extra);
    let f = write(dir.path(), "long.json", &text);
    for view in ["slice2d", "data"] {
        let o = run_limited(
            &[
                "render",
                &f,
                "--view",
                view,
                "--out",
                "long.png",
                "--size",
                "320x240",
                "--backend",
                "cpu",
            ],
            dir.path(),
            Duration::from_secs(30),
        );
        // (the 2-D data view draws [2, 1] models; the slice view needs N ≥ 2: both fine)
        assert!(o.status.success(), "{view}: {}", stderr(&o));
        assert!(
            stderr(&o).len() < 2000,
            "progress lines quote the name shortly: {} bytes",
            stderr(&o).len()
        );
    }
}

/// Scene files beyond the size limit are refused before they are read.
#[test]
fn scene_files_beyond_the_size_limit_are_refused_before_reading() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.json");
    let f = std::fs::File::create(&path).unwrap();
    // A sparse file: 65 MiB long, no disk used.
    f.set_len(65 << 20).unwrap();
    drop(f);
    let o = basinscope(&["analyze", "huge.json"], dir.path());
    assert_one_sentence(&o, "larger than 64 MiB");
    // Folders and endless devices are not read at all.
    std::fs::create_dir(dir.path().join("folder.json")).unwrap();
    let o = basinscope(&["analyze", "folder.json"], dir.path());
    assert_one_sentence(&o, "is a folder");
    let o = run_limited(
        &["analyze", "/dev/zero"],
        dir.path(),
        Duration::from_secs(10),
    );
    assert_one_sentence(&o, "not a regular file");
}

// ----- files the user can lose -----------------------------------------------------

/// Was: `render my.json --field-out my.npy` wrote the sidecar over the input `my.json`,
/// and `--field-out f.json` wrote the sidecar over the field ("wrote f.json and f.json").
#[test]
fn field_exports_never_overwrite_the_input_or_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let text = scene("[2, 1]", "[1.0, 2.0]", "[[1, 0], [0, 1]]", "[1, 2]", "");
    write(dir.path(), "my.json", &text);
    let o = basinscope(
        &[
            "render",
            "my.json",
            "--out",
            "my.png",
            "--field-out",
            "my.npy",
        ],
        dir.path(),
    );
    assert_one_sentence(&o, "would overwrite the input scene");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("my.json")).unwrap(),
        text
    );
    assert!(!dir.path().join("my.png").exists() && !dir.path().join("my.npy").exists());

    let o = basinscope(
        &[
            "render",
            "my.json",
            "--out",
            "x.png",
            "--field-out",
            "f.json",
        ],
        dir.path(),
    );
    assert_one_sentence(&o, "would overwrite --field-out");
    let o = basinscope(&["render", "my.json", "--out", "my.json"], dir.path());
    assert_one_sentence(&o, "would overwrite the input scene");
    let o = basinscope(
        &[
            "render",
            "my.json",
            "--out",
            "f.npy",
            "--field-out",
            "./f.npy",
        ],
        dir.path(),
    );
    assert_one_sentence(&o, "would overwrite --out");
    // The same file under another name (a symlink) is seen through.
    std::os::unix::fs::symlink("my.json", dir.path().join("alias.json")).unwrap();
    let o = basinscope(
        &["train", "my.json", "--steps", "1", "--out", "alias.json"],
        dir.path(),
    );
    assert_one_sentence(&o, "would overwrite the input scene");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("my.json")).unwrap(),
        text
    );
    // Distinct names work, and the sidecar sits beside the field.
    let o = basinscope(
        &[
            "render",
            "my.json",
            "--out",
            "my.png",
            "--field-out",
            "field.npy",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(dir.path().join("field.json").exists());
}

/// Was: saving to a symlink replaced the link by a regular file (the file it pointed to
/// went stale).
#[test]
fn saving_through_a_symlink_updates_its_target_and_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("real")).unwrap();
    std::fs::write(dir.path().join("real/target.json"), "old").unwrap();
    std::os::unix::fs::symlink("real/target.json", dir.path().join("link.json")).unwrap();
    let o = basinscope(
        &["train", "xor", "--steps", "2", "--out", "link.json"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let link = std::fs::symlink_metadata(dir.path().join("link.json")).unwrap();
    assert!(link.file_type().is_symlink());
    let written = std::fs::read_to_string(dir.path().join("real/target.json")).unwrap();
    assert!(written.contains("basinscope-scene"), "{written}");
}

/// Was: a device node or other non-regular `--out` was replaced by a regular file (as
/// root, `/dev/null`). A named pipe stands in for a device here (a regression must not
/// replace a real device node of the test machine): it is refused and stays a pipe.
#[test]
fn non_regular_outputs_are_refused_and_left_alone() {
    use std::os::unix::fs::FileTypeExt as _;
    let dir = tempfile::tempdir().unwrap();
    let made = Command::new("mkfifo")
        .arg(dir.path().join("pipe"))
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    for args in [
        &["train", "xor", "--steps", "1", "--out", "pipe"][..],
        &["render", "xor", "--out", "pipe"][..],
    ] {
        let o = basinscope(args, dir.path());
        assert_one_sentence(&o, "not a regular file");
    }
    let meta = std::fs::symlink_metadata(dir.path().join("pipe")).unwrap();
    assert!(meta.file_type().is_fifo());
}

/// Was: a target of mode 0600 became 0644 after a save.
#[test]
fn saving_keeps_the_permissions_of_the_replaced_file() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("private.json");
    std::fs::write(&out, "old").unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o600)).unwrap();
    let o = basinscope(
        &["train", "xor", "--steps", "2", "--out", "private.json"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    assert!(
        std::fs::read_to_string(&out)
            .unwrap()
            .contains("basinscope-scene")
    );
}

/// `--out` naming an existing folder gets a sentence naming it (was "Not a directory (os
/// error 20)" or similar), before any training.
#[test]
fn an_output_that_is_a_folder_is_named_in_the_refusal() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("results")).unwrap();
    let o = basinscope(&["train", "xor", "--out", "results"], dir.path());
    assert_one_sentence(&o, "--out results is a folder");
    let o = basinscope(&["render", "xor", "--out", "results"], dir.path());
    assert_one_sentence(&o, "--out results is a folder");
}

// ----- writes outside where the user asked -----------------------------------------

/// Was: without `--out`, `train` wrote `NAME.trained.json` with NAME from the file, so
/// `../escaped` or an absolute name wrote outside the working directory.
#[test]
fn the_default_output_comes_from_the_input_path_never_from_the_scene_name() {
    let root = tempfile::tempdir().unwrap();
    let work = root.path().join("work");
    std::fs::create_dir_all(work.join("scenes")).unwrap();
    let absolute = root.path().join("absolute");
    for (n, name) in ["../escaped", absolute.to_str().unwrap(), "a/b/c"]
        .iter()
        .enumerate()
    {
        let extra = format!(r#", "name": "{name}""#);
        let text = scene("[2, 1]", "[1.0, 2.0]", "[[1, 0], [0, 1]]", "[1, 2]", &extra);
        let file = format!("scenes/s{n}.json");
        write(&work, &file, &text);
        let o = basinscope(&["train", &file, "--steps", "1"], &work);
        assert!(o.status.success(), "{}", stderr(&o));
        assert!(work.join(format!("scenes/s{n}.trained.json")).exists());
    }
    // Nothing but the work folder was written under the root.
    let names: Vec<_> = std::fs::read_dir(root.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, vec!["work"], "{names:?}");
    // A built-in scene's output lands in the working directory under its own name.
    let o = basinscope(&["train", "and", "--steps", "1"], &work);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(work.join("and.trained.json").exists());
}

/// Was: a scene name with a newline forged a second `error:` line, and bad values were
/// echoed in full (up to 1.5 MB).
#[test]
fn errors_quote_user_text_escaped_and_short() {
    let dir = tempfile::tempdir().unwrap();
    // A name echoed in an error (analysis of a model too large to analyze).
    let text = r#"{"format": "basinscope-scene", "version": 1,
        "name": "x\nerror: fake second line",
        "model": {"layers": [2, 1100, 1], "activation": "tanh", "bias": false},
        "data": {"preset": "xor"}}"#;
    let f = write(dir.path(), "named.json", text);
    let o = basinscope(&["analyze", &f], dir.path());
    let e = assert_one_sentence(&o, "x\\nerror: fake second line");
    assert!(!e.contains("\nerror: fake"), "{e}");
    // Long hostile values in every position an error can quote them.
    let long = format!("{}\\n{}", "v".repeat(1_500_000), "w".repeat(10));
    let cases = [
        scene("[2, 1]", "[1.0, 2.0]", "[[1, 0], [0, 1]]", "[1, 2]", "")
            .replace("basinscope-scene", &long),
        scene("[2, 1]", "[1.0, 2.0]", "[[1, 0], [0, 1]]", "[1, 2]", "")
            .replace("\"identity\"", &format!("\"{long}\"")),
        scene(
            "[2, 1]",
            "[1.0, 2.0]",
            "[[1, 0], [0, 1]]",
            "[1, 2]",
            &format!(r#", "{long}": 1"#),
        ),
    ];
    for (n, text) in cases.iter().enumerate() {
        let f = write(dir.path(), &format!("bad{n}.json"), text);
        let o = basinscope(&["analyze", &f], dir.path());
        let e = assert_one_sentence(&o, "…");
        assert!(e.len() < 1200, "case {n}: {} bytes", e.len());
    }
    // Arguments too.
    let arg = "z".repeat(100_000);
    let o = basinscope(
        &["render", "xor", "--out", "x.png", "--view", &arg],
        dir.path(),
    );
    let e = assert_one_sentence(&o, "--view must be");
    assert!(e.len() < 400, "{} bytes", e.len());
    let o = basinscope(&["analyze", &arg], dir.path());
    let e = assert_one_sentence(&o, "no scene file at");
    assert!(e.len() < 400, "{} bytes", e.len());
}

// ----- numbers that go silently wrong ------------------------------------------------

/// Was: targets of 1e30 trained for thousands of steps at a flat loss of 7.5e59 without a
/// word.
#[test]
fn training_toward_huge_targets_warns() {
    let dir = tempfile::tempdir().unwrap();
    let text = scene(
        "[2, 1]",
        "[0.1, 0.2]",
        "[[1, 0], [0, 1]]",
        "[1e30, -1e30]",
        "",
    );
    let f = write(dir.path(), "huge.json", &text);
    let o = basinscope(
        &["train", &f, "--steps", "200", "--out", "t.json", "--json"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("warning:") && e.contains("beyond float32"),
        "{e}"
    );
}

/// Was: a scene whose parameters overflow float32 in the field rendered an all-grey
/// picture, exit 0, without a word.
#[test]
fn a_field_without_finite_values_is_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let text = scene("[2, 1]", "[1e300, 1e300]", "[[1, 0], [0, 1]]", "[1, 2]", "");
    let f = write(dir.path(), "overflow.json", &text);
    let o = basinscope(
        &[
            "render",
            &f,
            "--out",
            "o.png",
            "--size",
            "128x96",
            "--backend",
            "cpu",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(
        e.contains("warning: the loss is not finite anywhere"),
        "{e}"
    );
}

/// Was: `--rtol 2` and `--rtol 1e308` accepted, `--rtol -inf` and `--size -5x3` answered
/// by clap ("unexpected argument '-i' found"). Each now gets our sentence quoting it.
#[test]
fn out_of_range_and_negative_arguments_get_our_sentence() {
    let dir = tempfile::tempdir().unwrap();
    for rtol in ["2", "1e308", "-inf", "0", "-1e-3", "nan", "one"] {
        let o = basinscope(&["analyze", "xor", "--rtol", rtol], dir.path());
        assert_one_sentence(
            &o,
            &format!(
                "--rtol must be a number between 0 and 1 (both excluded), for example 1e-6, not \"{rtol}\""
            ),
        );
    }
    let o = basinscope(
        &["analyze", "parallel", "--rtol", "1e-6", "--json"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    for size in ["-5x3", "64x-64", "0x0"] {
        let o = basinscope(
            &["render", "xor", "--out", "x.png", "--size", size],
            dir.path(),
        );
        assert_one_sentence(&o, &format!("--size \"{size}\" is out of range"));
    }
    for steps in ["-5", "1.5", "many"] {
        let o = basinscope(&["train", "xor", "--steps", steps], dir.path());
        assert_one_sentence(
            &o,
            &format!("--steps must be a whole number from 0 to 100000000, not \"{steps}\""),
        );
    }
    let o = basinscope(&["train", "xor", "--seed", "-1"], dir.path());
    assert_one_sentence(&o, "--seed must be a whole number");
    assert!(std::fs::read_dir(dir.path()).unwrap().next().is_none());
}

/// Was: a scene's `training.steps` of 1e9 was reported as "--steps 1000000000 is more
/// than the limit" with no `--steps` given.
#[test]
fn the_steps_limit_names_where_the_value_came_from() {
    let dir = tempfile::tempdir().unwrap();
    let text = scene(
        "[2, 1]",
        "[1.0, 2.0]",
        "[[1, 0], [0, 1]]",
        "[1, 2]",
        r#", "training": {"steps": 1000000000}"#,
    );
    let f = write(dir.path(), "long.json", &text);
    let o = basinscope(&["train", &f], dir.path());
    let e = assert_one_sentence(&o, "the scene's training.steps is 1000000000");
    assert!(!e.contains("--steps 1000000000"), "{e}");
    let o = basinscope(&["train", &f, "--steps", "1000000000"], dir.path());
    assert_one_sentence(&o, "--steps 1000000000 is more than the limit");
    let o = basinscope(
        &["train", &f, "--steps", "3", "--out", "ok.json"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

/// The one JSON rule: a non-finite number is the string "inf", "-inf" or "nan", never
/// `null`, in `analyze` and `train` alike (was: `null` for an infinite loss, and a
/// `null` final loss after a divergence).
#[test]
fn json_output_writes_non_finite_numbers_as_strings_in_every_command() {
    let dir = tempfile::tempdir().unwrap();
    // f = θ·x = 1e160, so the loss (1e160)² overflows to inf while G and H stay finite.
    let text = scene("[1, 1]", "[1e160]", "[[1.0]]", "[0.0]", "");
    let f = write(dir.path(), "inf.json", &text);
    let o = basinscope(&["analyze", &f, "--json"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["loss"], "inf", "{doc}");
    assert!(stderr(&o).contains("warning: the loss"), "{}", stderr(&o));
    let table = basinscope(&["analyze", &f], dir.path());
    assert!(String::from_utf8_lossy(&table.stdout).contains("inf"));
    assert_no_nulls(&doc);

    let o = basinscope(
        &["train", &f, "--steps", "3", "--out", "t.json", "--json"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["final_loss"], "inf", "{doc}");
    assert_no_nulls(&doc);
    assert!(
        stderr(&o).contains("warning: the final loss is inf"),
        "{}",
        stderr(&o)
    );

    // A divergence: the final loss is a number or one of the strings, never null.
    let text = scene("[2, 1]", "[1.0, 2.0]", "[[1, 0], [0, 1]]", "[3, 5]", "").replace(
        r#""version": 1"#,
        r#""version": 1, "training": {"optimizer": "sgd", "learning_rate": 1e150}"#,
    );
    let f = write(dir.path(), "diverge.json", &text);
    let o = basinscope(
        &["train", &f, "--steps", "50", "--out", "d.json", "--json"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["diverged"], true, "{doc}");
    assert_no_nulls(&doc);
}

fn assert_no_nulls(v: &serde_json::Value) {
    match v {
        serde_json::Value::Null => panic!("a null in the JSON output"),
        serde_json::Value::Array(a) => a.iter().for_each(assert_no_nulls),
        serde_json::Value::Object(o) => o.values().for_each(assert_no_nulls),
        serde_json::Value::String(s) if s.is_empty() => panic!("an empty string"),
        _ => {}
    }
}
