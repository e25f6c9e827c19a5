//! The command line (docs/DESIGN.md §6), run as a process on built-in scenes.

use common::cli::{basinscope, stderr};

mod common {
    pub mod cli;
}

#[test]
fn scenes_lists_every_builtin_with_a_description() {
    let dir = tempfile::tempdir().unwrap();
    let o = basinscope(&["scenes"], dir.path());
    assert!(o.status.success());
    let text = String::from_utf8(o.stdout).unwrap();
    for name in [
        "xor",
        "perpendicular",
        "parallel",
        "and",
        "sine",
        "moons",
        "circles",
    ] {
        let line = text
            .lines()
            .find(|l| l.split('\t').next() == Some(name))
            .unwrap_or_else(|| panic!("{name} missing"));
        assert!(
            line.split('\t').nth(1).is_some_and(|d| d.len() > 10),
            "{line}"
        );
    }
}

#[test]
fn train_xor_reaches_low_loss_and_the_written_scene_reloads() {
    let dir = tempfile::tempdir().unwrap();
    let o = basinscope(
        &[
            "train",
            "xor",
            "--steps",
            "3000",
            "--out",
            "xor.trained.json",
            "--json",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let doc: serde_json::Value =
        serde_json::from_slice(&o.stdout).expect("stdout is one JSON object");
    assert_eq!(doc["steps"], 3000);
    let final_loss = doc["final_loss"].as_f64().unwrap();
    assert!(final_loss < 1e-2, "final loss {final_loss}");
    let history = doc["loss_history"].as_array().unwrap();
    assert!(history.len() >= 100);
    assert!(history[0].as_f64().unwrap() > history[history.len() - 1].as_f64().unwrap());
    let params: Vec<f64> = doc["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    assert_eq!(params.len(), 33);

    let scene = basinscope::core::Scene::load(&dir.path().join("xor.trained.json")).unwrap();
    assert_eq!(
        scene.parameters, params,
        "the written scene reloads to the same parameters"
    );
    assert_eq!(scene.model.layers, vec![2, 8, 1]);
    let loss = basinscope::core::train::mse_loss(&scene.model, &scene.parameters, &scene.data);
    assert!((loss - final_loss).abs() < 1e-15);
}

/// A trained scene keeps its trajectory (bounded, ending at the final θ) and its loss
/// history, and save → load → save gives the same bytes.
#[test]
fn a_trained_scene_keeps_its_trajectory_and_loss_history_through_save_and_load() {
    use basinscope::core::limits::{MAX_LOSS_HISTORY_POINTS, MAX_TRAJECTORY_POINTS};
    let dir = tempfile::tempdir().unwrap();
    let o = basinscope(
        &["train", "xor", "--steps", "6000", "--out", "t.json"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let path = dir.path().join("t.json");
    let scene = basinscope::core::Scene::load(&path).unwrap();
    let rec = &scene.recording;
    assert!(rec.trajectory.len() > 100 && rec.trajectory.len() <= MAX_TRAJECTORY_POINTS);
    assert_eq!(rec.loss_history.len(), MAX_LOSS_HISTORY_POINTS);
    assert_eq!(rec.trajectory[0].step, 0);
    assert_eq!(rec.trajectory.last().unwrap().step, 6000);
    assert_eq!(rec.trajectory.last().unwrap().theta, scene.parameters);
    assert_eq!(rec.loss_history.last().unwrap().0, 5999);
    // The first loss is the initial θ's loss, computed independently.
    let start = basinscope::core::Scene::resolve("xor").unwrap();
    let l0 = basinscope::core::train::mse_loss(&start.model, &start.parameters, &start.data);
    assert_eq!(rec.loss_history[0], (0, l0));
    assert_eq!(rec.trajectory[0].theta, start.parameters);
    let again = dir.path().join("again.json");
    scene.save(&again).unwrap();
    assert_eq!(
        std::fs::read(&path).unwrap(),
        std::fs::read(&again).unwrap()
    );

    // PCA axes come from the recorded trajectory, so a trained scene renders with them.
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    doc["view"]["slice"]["axes"] = serde_json::json!({"kind": "pca"});
    doc["view"]["slice"]["resolution"] = serde_json::json!([32, 32]);
    std::fs::write(dir.path().join("pca.json"), doc.to_string()).unwrap();
    let o = basinscope(
        &[
            "render",
            "pca.json",
            "--out",
            "pca.png",
            "--size",
            "320x240",
            "--backend",
            "cpu",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));

    // Training on continues the record from step 6000.
    let o = basinscope(
        &["train", "t.json", "--steps", "10", "--out", "t2.json"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let more = basinscope::core::Scene::load(&dir.path().join("t2.json")).unwrap();
    assert_eq!(more.recording.trajectory.last().unwrap().step, 6010);
    assert_eq!(more.recording.loss_history.last().unwrap().0, 6009);
}

#[test]
fn train_is_reproducible_and_seed_changes_the_result() {
    let dir = tempfile::tempdir().unwrap();
    let run = |seed: &str, out: &str| {
        let o = basinscope(
            &[
                "train", "moons", "--steps", "50", "--seed", seed, "--out", out, "--json",
            ],
            dir.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        doc["parameters"].clone()
    };
    assert_eq!(run("3", "a.json"), run("3", "b.json"));
    assert_ne!(run("3", "c.json"), run("4", "d.json"));
}

#[test]
fn bad_input_gets_one_sentence_and_a_nonzero_exit() {
    let dir = tempfile::tempdir().unwrap();
    let good = r#"{"format": "basinscope-scene", "version": 1,
        "model": {"layers": [2, 1], "activation": "identity", "bias": false},
        "parameters": [1.0, 2.0],
        "data": {"inputs": [[1, 0], [0, 1]], "targets": [1, 2]}}"#;
    let cases: &[(&str, &str, &str)] = &[
        ("[1.0, 2.0]", "[1.0, 2.0, 3.0]", "parameters has 3 entries"),
        ("\"identity\"", "\"swish\"", "unknown variant `swish`"),
        (
            "\"version\": 1,",
            "\"version\": 1, \"colour\": 1,",
            "unknown field `colour`",
        ),
        ("[2, 1]", "[2, 0, 1]", "model.layers[1] is 0"),
    ];
    for (i, (from, to, expected)) in cases.iter().enumerate() {
        let scene = good.replacen(from, to, 1);
        assert_ne!(scene, good);
        let path = dir.path().join(format!("bad{i}.json"));
        std::fs::write(&path, &scene).unwrap();
        let o = basinscope(
            &["train", path.to_str().unwrap(), "--steps", "1"],
            dir.path(),
        );
        assert!(!o.status.success(), "{scene}");
        let err = stderr(&o);
        assert!(
            err.contains(expected),
            "expected {expected:?} in {err:?} for {scene}"
        );
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        assert!(!err.contains("panicked"));
    }
    let o = basinscope(&["train", "no/such/file.json"], dir.path());
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("no scene file at no/such/file.json"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn nan_targets_and_ragged_inputs_are_rejected() {
    let dir = tempfile::tempdir().unwrap();
    let ragged = r#"{"format": "basinscope-scene", "version": 1,
        "model": {"layers": [2, 1], "activation": "identity", "bias": false},
        "data": {"inputs": [[1, 0], [0]], "targets": [1, 2]}}"#;
    std::fs::write(dir.path().join("ragged.json"), ragged).unwrap();
    let o = basinscope(&["train", "ragged.json"], dir.path());
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("data.inputs[1] has 1 entries"),
        "{}",
        stderr(&o)
    );
    // JSON has no NaN; a NaN token is a parse error naming the line.
    let nan = ragged
        .replace("[[1, 0], [0]]", "[[1, 0], [0, 1]]")
        .replace("[1, 2]", "[1, NaN]");
    std::fs::write(dir.path().join("nan.json"), nan).unwrap();
    let o = basinscope(&["train", "nan.json"], dir.path());
    assert!(!o.status.success());
    assert!(stderr(&o).contains("nan.json"), "{}", stderr(&o));
}

#[test]
fn training_does_not_overwrite_a_scene_when_the_output_cannot_be_written() {
    let dir = tempfile::tempdir().unwrap();
    let o = basinscope(
        &[
            "train",
            "xor",
            "--steps",
            "5",
            "--out",
            "missing-dir/out.json",
        ],
        dir.path(),
    );
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("--out missing-dir/out.json is in a folder that does not exist"),
        "{}",
        stderr(&o)
    );
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "no temporary file is left behind"
    );
}

#[test]
fn analyze_reports_the_ranks_of_the_perceptron_scenes() {
    let dir = tempfile::tempdir().unwrap();
    for (scene, rank, dim) in [("perpendicular", 2, 1), ("parallel", 1, 2)] {
        let o = basinscope(&["analyze", scene, "--json"], dir.path());
        assert!(o.status.success(), "{}", stderr(&o));
        let doc: serde_json::Value =
            serde_json::from_slice(&o.stdout).expect("stdout is one JSON object");
        assert_eq!(doc["n_params"], 3);
        assert_eq!(doc["n_inputs"], 2);
        assert_eq!(doc["g_rank"], rank, "{scene}");
        assert_eq!(doc["manifold_dim"], dim, "{scene}");
        let sv = doc["g_singular_values"].as_array().unwrap();
        assert!(
            sv.windows(2).all(|w| w[0].as_f64() >= w[1].as_f64()),
            "descending"
        );
        assert_eq!(doc["hessian_eigenvalues"].as_array().unwrap().len(), 3);
        assert!(doc["rank_tol"].as_f64().unwrap() > 0.0);
    }
    let o = basinscope(&["analyze", "xor"], dir.path());
    assert!(o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("rank"),
        "a readable table without --json"
    );
}
