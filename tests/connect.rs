//! `basinscope connect` and `render --view path` (docs/DESIGN.md §6), run as processes.

use std::path::Path;

use basinscope::core::Scene;
use common::cli::{basinscope, stderr};

mod common {
    pub mod cli;
}

fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .expect("an array")
        .iter()
        .map(|x| x.as_f64().expect("a number"))
        .collect()
}

/// Trains the circles scene ([2, 16, 1] relu) from two seeds into a.json and b.json.
fn two_trained_scenes(dir: &Path) {
    for (seed, out) in [("1", "a.json"), ("2", "b.json")] {
        let o = basinscope(
            &[
                "train", "circles", "--seed", seed, "--steps", "400", "--out", out,
            ],
            dir,
        );
        assert!(o.status.success(), "{}", stderr(&o));
    }
}

#[test]
fn connect_reports_the_path_and_both_barriers_and_writes_an_aligned_scene_with_the_same_function() {
    let dir = tempfile::tempdir().unwrap();
    two_trained_scenes(dir.path());
    let o = basinscope(
        &[
            "connect",
            "a.json",
            "b.json",
            "--align",
            "weights",
            "--points",
            "21",
            "--out-aligned",
            "aligned.json",
            "--json",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON object");
    let t = floats(&doc["t"]);
    let loss = floats(&doc["loss"]);
    assert_eq!((t.len(), loss.len()), (21, 21));
    assert_eq!((t[0], t[20]), (0.0, 1.0));
    assert!((t[10] - 0.5).abs() < 1e-15);
    assert_eq!(floats(&doc["error"]).len(), 21);
    assert_eq!(doc["alignment"], "weights");
    // The barriers follow from the reported losses by their definitions.
    let max = loss.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mean = max - 0.5 * (loss[0] + loss[20]);
    let chord = t
        .iter()
        .zip(&loss)
        .map(|(t, l)| l - ((1.0 - t) * loss[0] + t * loss[20]))
        .fold(f64::NEG_INFINITY, f64::max);
    assert!((doc["barrier_mean"].as_f64().unwrap() - mean).abs() < 1e-12);
    assert!((doc["barrier_chord"].as_f64().unwrap() - chord).abs() < 1e-12);
    assert!(doc["error_barrier_mean"].as_f64().unwrap() >= 0.0);
    // One permutation of the 16 hidden units.
    let perms = doc["permutations"].as_array().unwrap();
    assert_eq!(perms.len(), 1);
    let mut p: Vec<u64> = perms[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    p.sort_unstable();
    assert_eq!(p, (0..16).collect::<Vec<u64>>());
    assert!(doc["sweeps"].as_u64().unwrap() >= 1);
    assert!(doc["before_alignment"]["barrier_mean"].as_f64().is_some());

    // The aligned B computes B's function, and carries A, B and the aligned B.
    let b = Scene::load(&dir.path().join("b.json")).unwrap();
    let aligned = Scene::load(&dir.path().join("aligned.json")).unwrap();
    assert_ne!(aligned.parameters, b.parameters);
    for x in &b.data.inputs {
        let (fb, fa) = (
            b.model.forward(&b.parameters, x),
            aligned.model.forward(&aligned.parameters, x),
        );
        assert!(
            (fb - fa).abs() <= 1e-9 * fb.abs().max(1e-12),
            "{fb} vs {fa}"
        );
    }
    assert_eq!(aligned.models.len(), 3);
    assert_eq!(aligned.models[1].parameters, b.parameters);
    assert_eq!(aligned.models[2].parameters, aligned.parameters);

    // The path figure of that scene.
    let o = basinscope(
        &[
            "render",
            "aligned.json",
            "--view",
            "path",
            "--out",
            "path.png",
            "--size",
            "800x500",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let png = image::open(dir.path().join("path.png")).unwrap();
    assert_eq!((png.width(), png.height()), (800, 500));
}

#[test]
fn connect_fits_a_bezier_path_on_the_requested_grid() {
    let dir = tempfile::tempdir().unwrap();
    two_trained_scenes(dir.path());
    let o = basinscope(
        &[
            "connect",
            "a.json",
            "b.json",
            "--path",
            "bezier",
            "--bezier-steps",
            "300",
            "--points",
            "11",
            "--out-aligned",
            "curved.json",
            "--json",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(floats(&doc["t"]).len(), 11);
    assert_eq!(doc["alignment"], "none");
    assert_eq!(doc["path"], "bezier");
    assert_eq!(doc["bezier"]["steps"], 300);
    let a = Scene::load(&dir.path().join("a.json")).unwrap();
    assert_eq!(
        floats(&doc["bezier"]["control_point"]).len(),
        a.parameters.len()
    );
    // The Bézier path still starts at A and ends at B.
    let loss = floats(&doc["loss"]);
    let la = basinscope::core::train::mse_loss(&a.model, &a.parameters, &a.data);
    assert!((loss[0] - la).abs() <= 1e-12 * la.max(1e-300));
    // The written scene carries the control point, and the path figure draws it.
    let curved = Scene::load(&dir.path().join("curved.json")).unwrap();
    assert_eq!(curved.models.len(), 4);
    assert_eq!(
        curved.models[3].parameters,
        floats(&doc["bezier"]["control_point"])
    );
    let o = basinscope(
        &[
            "render",
            "curved.json",
            "--view",
            "path",
            "--out",
            "curved.png",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let png = image::open(dir.path().join("curved.png"))
        .unwrap()
        .to_rgba8();
    let green = basinscope::draw::figure::path_color(2);
    let n_green = png
        .pixels()
        .filter(|p| {
            p[0].abs_diff(green.r) < 8 && p[1].abs_diff(green.g) < 8 && p[2].abs_diff(green.b) < 8
        })
        .count();
    assert!(
        n_green > 200,
        "the Bézier curve is drawn ({n_green} pixels)"
    );
}

#[test]
fn connect_refuses_bad_input_in_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    for (args, expect) in [
        (&["connect", "xor", "moons"][..], "different layers"),
        (
            &["connect", "xor", "xor", "--align", "magic"][..],
            "--align must be none, weights or activations",
        ),
        (
            &["connect", "xor", "xor", "--path", "spline"][..],
            "--path must be linear or bezier",
        ),
        (
            &["connect", "xor", "xor", "--points", "1"][..],
            "between 2 and",
        ),
        (
            &["connect", "xor", "nope.json"][..],
            "no scene file at nope.json",
        ),
        (
            &["render", "xor", "--view", "path", "--out", "p.png"][..],
            "needs at least two models",
        ),
        (
            &[
                "connect",
                "xor",
                "xor",
                "--out-aligned",
                "no/such/dir/x.json",
            ][..],
            "is in a folder that does not exist",
        ),
        (
            &["connect", "xor", "xor", "--bezier-steps", "99999999999"][..],
            "more than the limit",
        ),
    ] {
        let o = basinscope(args, dir.path());
        assert!(!o.status.success(), "{args:?} succeeded");
        let err = stderr(&o);
        assert!(err.contains(expect), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    assert!(!dir.path().join("p.png").exists());
}

#[test]
fn connecting_a_model_with_itself_gives_zero_barriers() {
    let dir = tempfile::tempdir().unwrap();
    for align in ["none", "weights", "activations"] {
        let o = basinscope(
            &["connect", "moons", "moons", "--align", align, "--json"],
            dir.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(doc["barrier_mean"].as_f64(), Some(0.0), "{align}");
        assert_eq!(doc["barrier_chord"].as_f64(), Some(0.0), "{align}");
    }
}

#[test]
fn connect_never_writes_the_aligned_scene_over_an_input() {
    let dir = tempfile::tempdir().unwrap();
    two_trained_scenes(dir.path());
    let before = std::fs::read(dir.path().join("b.json")).unwrap();
    let o = basinscope(
        &[
            "connect",
            "a.json",
            "b.json",
            "--align",
            "weights",
            "--out-aligned",
            "./b.json",
        ],
        dir.path(),
    );
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("would overwrite scene B"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert_eq!(std::fs::read(dir.path().join("b.json")).unwrap(), before);
}
