//! Generated hostile scenes, a bounded and seeded fuzz run in the normal test suite
//! (issue 12). The generator mutates the built-in scenes (hostile values at random
//! places, deleted and unknown keys, huge and deep layer lists, extreme ranges, cut and
//! garbled text) and adds structurally hostile JSON. Claims:
//!
//! - scene parsing and validation never panic or hang; an accepted scene validates and
//!   survives a save/load round trip unchanged; a refusal is one line without control
//!   characters and of bounded length;
//! - `analyze` and `render` (small images) run as processes on a smaller set exit 0 or 1
//!   (never a panic, abort or signal), within a time limit, with `error: …` on one line.
//!
//! Each test prints how many cases ran.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use basinscope::core::Scene;
use basinscope::core::scene::BUILTIN_SCENES;
use common::limited::run_limited;
use rand::seq::IndexedRandom as _;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Value, json};

mod common {
    pub mod limited;
}

/// Generated scene texts parsed and validated in-process (`BASINSCOPE_FUZZ_CASES`
/// overrides it for a longer run by hand).
const PARSE_CASES: usize = 20_000;
/// Generated scene files given to `analyze` and `render` as processes.
const PROCESS_CASES: usize = 60;

/// A value chosen to break something: limits, signs, types, sizes, text.
fn hostile_value(rng: &mut ChaCha8Rng) -> Value {
    match rng.random_range(0..28) {
        0 => Value::Null,
        1 => json!(true),
        2 => json!(-1),
        3 => json!(0),
        4 => json!(1e308),
        5 => json!(-1e308),
        6 => json!(5e-324),
        7 => json!(u64::MAX),
        8 => json!(i64::MIN),
        9 => json!(""),
        10 => json!(format!(
            "{}\nerror: forged\u{1b}[31m{}",
            "s".repeat(3000),
            "\u{0}"
        )),
        11 => json!([]),
        12 => json!({}),
        13 => Value::Array((0..5000).map(|i| json!(f64::from(i) * 1e300)).collect()),
        14 => json!(4097),
        15 => json!(1_000_000),
        16 => json!(0.5),
        17 => json!(-0.0),
        18 => json!([1e308, -1e308]),
        19 => json!([-1e308, 1e308]),
        20 => json!("tanh"),
        21 => json!([2, 1]),
        22 => json!({"kind": "random", "seed": 1}),
        23 => json!(65),
        24 => json!(100_001),
        25 => json!([4096, 4096]),
        26 => json!([1e-300, 2e-300]),
        _ => json!({"kind": "explicit", "u": [1e308, 0], "v": [0, 1e308]}),
    }
}

/// Every path (object keys and array indices) inside `v`.
fn paths(v: &Value, prefix: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    out.push(prefix.clone());
    match v {
        Value::Object(o) => {
            for (k, child) in o {
                prefix.push(json!(k));
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(a) => {
            // Long arrays (parameters, points): a few indices are enough.
            for (i, child) in a.iter().enumerate().take(6) {
                prefix.push(json!(i));
                paths(child, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(v: &'a mut Value, path: &[Value]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, key| match key {
        Value::String(k) => v.get_mut(k.as_str()),
        Value::Number(i) => v.get_mut(usize::try_from(i.as_u64()?).ok()?),
        _ => None,
    })
}

/// Sets a top-level key when the document is still an object (a mutation may have
/// replaced the whole document by a hostile value).
fn set(doc: &mut Value, key: &str, value: Value) {
    if let Value::Object(o) = doc {
        o.insert(key.into(), value);
    }
}

/// One random change to a scene document. `cheap` keeps the scene small enough to
/// compute a figure of (no huge or deep models, no giant grids).
fn mutate(doc: &mut Value, rng: &mut ChaCha8Rng, cheap: bool) {
    let mut all = Vec::new();
    paths(doc, &mut Vec::new(), &mut all);
    let path = all.choose(rng).cloned().unwrap_or_default();
    let kind = rng.random_range(0..if cheap { 5 } else { 9 });
    match kind {
        0 | 1 => {
            if let Some(slot) = at(doc, &path) {
                *slot = hostile_value(rng);
            }
        }
        2 => {
            // Delete a key.
            if let Some((last, parent)) = path.split_last()
                && let (Some(Value::Object(o)), Value::String(k)) = (at(doc, parent), last)
            {
                o.remove(k);
            }
        }
        3 => {
            // An unknown key in some object.
            if let Some(Value::Object(o)) = at(doc, &path) {
                o.insert("colour".into(), hostile_value(rng));
            }
        }
        4 => {
            // Extreme slice settings.
            let field = ["a_range", "b_range", "c_range", "resolution", "center"]
                .choose(rng)
                .copied()
                .unwrap_or("a_range");
            let value = if cheap && field == "resolution" {
                json!([rng.random_range(0..40), 3])
            } else {
                hostile_value(rng)
            };
            if let Some(Value::Object(v)) = doc.get_mut("view") {
                let slice = v.entry("slice").or_insert_with(|| json!({}));
                if let Value::Object(s) = slice {
                    s.insert(field.into(), value);
                }
            }
        }
        5 => {
            // Deep or wide models.
            let depth = *[64usize, 65, 1000, 40_000].choose(rng).unwrap_or(&65);
            let width = *[1usize, 3, 4097].choose(rng).unwrap_or(&1);
            let mut layers = vec![json!(2)];
            layers.extend(std::iter::repeat_n(json!(width), depth - 1));
            layers.push(json!(1));
            if let Some(Value::Object(model)) = doc.get_mut("model") {
                model.insert("layers".into(), Value::Array(layers));
            }
        }
        6 => {
            // Parameters of a wrong length, or with extreme values.
            let n = rng.random_range(0..400);
            set(
                doc,
                "parameters",
                Value::Array(
                    (0..n)
                        .map(|_| {
                            json!(
                                rng.random_range(-1.0..1.0) * 10f64.powi(rng.random_range(0..309))
                            )
                        })
                        .collect(),
                ),
            );
        }
        7 => {
            // Explicit data with extreme values.
            let k = rng.random_range(0..6);
            let d = rng.random_range(0..4);
            let data = json!({
                "inputs": (0..k).map(|_| (0..d).map(|_| json!(rng.random_range(-1.0..1.0) * 1e308)).collect::<Vec<_>>()).collect::<Vec<_>>(),
                "targets": (0..k).map(|_| json!(rng.random_range(-1.0..1.0) * 1e308)).collect::<Vec<_>>(),
            });
            set(doc, "data", data);
        }
        _ => {
            // Many copies of an array element.
            if let Some(Value::Array(a)) = at(doc, &path)
                && let Some(first) = a.first().cloned()
            {
                a.extend(std::iter::repeat_n(first, 2000));
            }
        }
    }
}

/// Cuts or garbles the text now and then (still UTF-8).
fn garble(text: String, rng: &mut ChaCha8Rng) -> String {
    match rng.random_range(0..10) {
        0 => {
            let mut cut = rng.random_range(0..=text.len());
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            text[..cut].to_string()
        }
        1 => {
            let mut bytes = text.into_bytes();
            for _ in 0..rng.random_range(1..4) {
                let i = rng.random_range(0..bytes.len().max(1));
                if bytes.get(i).is_some_and(u8::is_ascii) {
                    bytes[i] = *b"{}[],:\"\\0123456789e-.nul ".choose(rng).unwrap_or(&b' ');
                }
            }
            String::from_utf8(bytes).unwrap_or_default()
        }
        _ => text,
    }
}

/// JSON that is hostile in its structure, not its values.
fn structural_cases() -> Vec<String> {
    vec![
        "[".repeat(100_000),
        format!("{}{}", "[".repeat(5000), "]".repeat(5000)),
        format!(r#"{{"format": {}1{}}}"#, "[".repeat(200), "]".repeat(200)),
        r#"{"format": "basinscope-scene", "version": 1e999999}"#.into(),
        r#"{"format": "basinscope-scene", "format": "x", "version": 1}"#.into(),
        "\u{feff}{}".into(),
        "\0".into(),
        String::new(),
        "null".into(),
        "1e308".into(),
        format!(r#"{{"format": "{}"}}"#, "\\u0000".repeat(10_000)),
        format!(r#"{{"format": "{}"}}"#, "\\ud800"),
    ]
}

/// The base documents: every built-in scene.
fn bases() -> Vec<Value> {
    BUILTIN_SCENES
        .iter()
        .map(|s| serde_json::from_str(s.json).expect("built-in scenes are JSON"))
        .collect()
}

fn generate(rng: &mut ChaCha8Rng, bases: &[Value], cheap: bool) -> String {
    let mut doc = bases.choose(rng).cloned().unwrap_or(Value::Null);
    // Files for the commands get fewer changes, so that more of them load and run.
    let changes = if cheap { 1 } else { rng.random_range(1..=3) };
    for _ in 0..changes {
        mutate(&mut doc, rng, cheap);
    }
    if cheap && rng.random_bool(0.7) {
        doc.to_string()
    } else {
        garble(doc.to_string(), rng)
    }
}

/// The claim of the parse fuzz for one text.
fn check_parse(text: &str) {
    match Scene::from_json(text, "fuzz.json") {
        Ok(scene) => {
            scene.validate().expect("an accepted scene validates");
            let again = Scene::from_json(&scene.to_json(), "again.json")
                .expect("an accepted scene reloads after saving");
            assert!(again == scene, "the save/load round trip changed the scene");
        }
        Err(e) => {
            let m = e.to_string();
            assert!(
                !m.chars().any(char::is_control),
                "control characters in {m:?}"
            );
            assert!(
                m.chars().count() <= 1500,
                "{} characters: {m:.300}",
                m.chars().count()
            );
        }
    }
}

/// Runs every case on a worker thread and fails naming the case if one takes longer
/// than `limit` (a hang) or panics.
fn run_cases(cases: Vec<String>, limit: Duration, check: fn(&str)) -> (usize, usize) {
    let n = cases.len();
    let (tx, rx) = mpsc::channel::<usize>();
    let worker = std::thread::Builder::new()
        .name("fuzz".into())
        .stack_size(8 << 20)
        .spawn(move || {
            let mut accepted = 0;
            for (i, text) in cases.iter().enumerate() {
                let _ = tx.send(i);
                let ok = Scene::from_json(text, "fuzz.json").is_ok();
                check(text);
                accepted += usize::from(ok);
            }
            accepted
        })
        .unwrap();
    let mut current = None;
    loop {
        match rx.recv_timeout(limit) {
            Ok(i) => current = Some(i),
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) => {
                panic!("case {current:?} ran longer than {limit:?}")
            }
        }
    }
    let accepted = worker
        .join()
        .unwrap_or_else(|_| panic!("case {current:?} panicked"));
    (n, accepted)
}

#[test]
fn generated_hostile_scenes_never_panic_hang_or_lose_data_in_a_round_trip() {
    let mut rng = ChaCha8Rng::seed_from_u64(12);
    let bases = bases();
    let n_cases = std::env::var("BASINSCOPE_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(PARSE_CASES);
    let mut cases: Vec<String> = (0..n_cases)
        .map(|_| generate(&mut rng, &bases, false))
        .collect();
    cases.extend(structural_cases());
    let start = Instant::now();
    let (n, accepted) = run_cases(cases, Duration::from_secs(30), check_parse);
    eprintln!(
        "parse fuzz: {n} generated scene texts, {accepted} accepted (round trip checked), {} refused with one sentence, none panicked or hung ({:.1} s)",
        n - accepted,
        start.elapsed().as_secs_f64()
    );
    assert!(
        accepted > 50 && n - accepted > 50,
        "the generator covers both sides"
    );
}

/// Whether a scene that loads is small enough to analyze and render in a test.
fn cheap_enough(scene: &Scene) -> bool {
    let n = scene.parameters.len() as f64;
    let k = scene.data.n_inputs() as f64;
    let [ra, rb] = scene.view.slice.resolution;
    let work: f64 = scene
        .model
        .layers
        .windows(2)
        .map(|w| (w[0] * w[1]) as f64)
        .sum();
    n * n * k < 2e8 && (ra * rb) as f64 * k * work < 2e8 && k <= 4096.0
}

#[test]
fn generated_hostile_scenes_get_a_result_or_one_sentence_from_analyze_and_render() {
    let mut rng = ChaCha8Rng::seed_from_u64(1212);
    let bases = bases();
    let dir = tempfile::tempdir().unwrap();
    let (mut files, mut runs, mut ok, mut refused, mut skipped) = (0, 0, 0, 0, 0);
    while files < PROCESS_CASES {
        let text = generate(&mut rng, &bases, true);
        if Scene::from_json(&text, "f").is_ok_and(|s| !cheap_enough(&s)) {
            skipped += 1;
            continue;
        }
        let name = format!("case{files}.json");
        std::fs::write(dir.path().join(&name), &text).unwrap();
        files += 1;
        let view = if files % 2 == 0 { "slice2d" } else { "data" };
        let commands: [&[&str]; 2] = [
            &["analyze", &name, "--json"],
            &[
                "render",
                &name,
                "--view",
                view,
                "--out",
                "o.png",
                "--size",
                "64x64",
                "--backend",
                "cpu",
            ],
        ];
        for args in commands {
            let o = run_limited(args, dir.path(), Duration::from_mins(1));
            runs += 1;
            let e = String::from_utf8_lossy(&o.stderr);
            assert!(
                matches!(o.status.code(), Some(0 | 1)),
                "{args:?} on {text:.400}: status {:?}, {e:.2000}",
                o.status
            );
            assert!(!e.contains("panicked"), "{args:?}: {e:.2000}");
            if o.status.code() == Some(1) {
                refused += 1;
                let last = e.lines().last().unwrap_or("");
                assert!(
                    last.starts_with("error: ")
                        && e.lines().filter(|l| l.starts_with("error")).count() == 1,
                    "{e:.2000}"
                );
                assert!(
                    last.chars().count() <= 1100,
                    "{} characters",
                    last.chars().count()
                );
            } else {
                ok += 1;
                if args[0] == "analyze" {
                    let doc: Value = serde_json::from_slice(&o.stdout).expect("one JSON object");
                    assert!(!doc.to_string().contains("null"), "{doc:.400}");
                }
            }
        }
    }
    eprintln!(
        "process fuzz: {files} generated scene files, {runs} runs of analyze/render ({ok} succeeded, {refused} refused with one sentence), {skipped} valid but too costly to compute were skipped; none panicked, aborted or hung"
    );
}
