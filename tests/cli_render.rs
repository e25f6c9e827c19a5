//! `basinscope render` as a process (docs/DESIGN.md §6): the PNG, the exported fields and
//! their sidecar, checked against the closed forms of the linear perceptron scenes.

use std::path::Path;

use common::cli::{basinscope, stderr};
use common::npy::{Npy, read_npy};

mod common {
    pub mod cli;
    pub mod npy;
}

/// A rendered slice: the fields and the sidecar.
struct Rendered {
    npy: Npy,
    sidecar: serde_json::Value,
    /// What the run printed on stderr (progress, the evaluator used).
    stderr: String,
}

impl Rendered {
    fn ranges(&self) -> [[f64; 2]; 2] {
        let r = &self.sidecar["ranges"];
        [0, 1].map(|i| [r[i][0].as_f64().unwrap(), r[i][1].as_f64().unwrap()])
    }

    /// (a, b) of grid point (i, j): lo + (hi − lo)·j/(n − 1).
    fn coords(&self, i: usize, j: usize) -> (f64, f64) {
        let [_, nb, na] = self.npy.shape[..] else {
            panic!("2D field")
        };
        let [ra, rb] = self.ranges();
        (
            ra[0] + (ra[1] - ra[0]) * i as f64 / (na - 1) as f64,
            rb[0] + (rb[1] - rb[0]) * j as f64 / (nb - 1) as f64,
        )
    }

    /// Value of channel c at grid point (i along a, j along b): index [c, j, i].
    fn at(&self, c: usize, i: usize, j: usize) -> f64 {
        let [_, nb, na] = self.npy.shape[..] else {
            panic!("2D field")
        };
        f64::from(self.npy.data[(c * nb + j) * na + i])
    }

    /// Least-squares fit f ≈ c0 + c1·a + c2·b of channel c over the whole grid, and the
    /// largest deviation from it.
    fn affine_fit(&self, c: usize) -> ([f64; 3], f64) {
        let [_, nb, na] = self.npy.shape[..] else {
            panic!("2D field")
        };
        let mut ata = [[0.0; 3]; 3];
        let mut atf = [0.0; 3];
        for j in 0..nb {
            for i in 0..na {
                let (a, b) = self.coords(i, j);
                let row = [1.0, a, b];
                let f = self.at(c, i, j);
                for r in 0..3 {
                    atf[r] += row[r] * f;
                    for s in 0..3 {
                        ata[r][s] += row[r] * row[s];
                    }
                }
            }
        }
        let coef = solve3(ata, atf);
        let mut worst: f64 = 0.0;
        for j in 0..nb {
            for i in 0..na {
                let (a, b) = self.coords(i, j);
                worst = worst.max((coef[0] + coef[1] * a + coef[2] * b - self.at(c, i, j)).abs());
            }
        }
        (coef, worst)
    }
}

/// Gaussian elimination with partial pivoting for a 3×3 system.
fn solve3(mut m: [[f64; 3]; 3], mut rhs: [f64; 3]) -> [f64; 3] {
    for col in 0..3 {
        let pivot = (col..3)
            .max_by(|&a, &b| m[a][col].abs().total_cmp(&m[b][col].abs()))
            .unwrap();
        m.swap(col, pivot);
        rhs.swap(col, pivot);
        for row in col + 1..3 {
            let factor = m[row][col] / m[col][col];
            let pivot_row = m[col];
            for (entry, p) in m[row].iter_mut().zip(pivot_row).skip(col) {
                *entry -= factor * p;
            }
            rhs[row] -= factor * rhs[col];
        }
    }
    let mut x = [0.0; 3];
    for row in (0..3).rev() {
        let s: f64 = (row + 1..3).map(|k| m[row][k] * x[k]).sum();
        x[row] = (rhs[row] - s) / m[row][row];
    }
    x
}

/// Renders `scene` with `--field-out`, checks the PNG, and reads the fields back.
fn render(scene: &str, backend: &str, dir: &Path) -> Rendered {
    let png = dir.join(format!("{scene}-{backend}.png"));
    let npy = dir.join(format!("{scene}-{backend}.npy"));
    let o = basinscope(
        &[
            "render",
            scene,
            "--view",
            "slice2d",
            "--out",
            png.to_str().unwrap(),
            "--size",
            "640x480",
            "--field-out",
            npy.to_str().unwrap(),
            "--backend",
            backend,
        ],
        dir,
    );
    assert!(o.status.success(), "render {scene} failed: {}", stderr(&o));
    assert!(
        stderr(&o).contains("rendering slice2d"),
        "a progress line on stderr: {}",
        stderr(&o)
    );
    let image = image::open(&png).expect("the PNG decodes");
    assert_eq!((image.width(), image.height()), (640, 480));
    let sidecar: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join(format!("{scene}-{backend}.json"))).unwrap(),
    )
    .unwrap();
    Rendered {
        npy: read_npy(&npy),
        sidecar,
        stderr: stderr(&o),
    }
}

fn sidecar_vec(v: &serde_json::Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// Perpendicular perceptron, x1 = (1, 0.5, 0), x2 = (−0.5, 1, 0), y = (1, 0.5), axes θ[0]
/// and θ[1]: every channel is affine in (a, b) and equals `x_i·(θ₀ + a·u + b·v)`; the two
/// solution contours are perpendicular lines crossing where θ[0] = 0.6, θ[1] = 0.8.
#[test]
fn perpendicular_scene_has_perpendicular_straight_solution_contours() {
    let dir = tempfile::tempdir().unwrap();
    let r = render("perpendicular", "cpu", dir.path());
    let [channels, nb, na] = r.npy.shape[..] else {
        panic!("shape {:?}", r.npy.shape)
    };
    assert_eq!((channels, nb, na), (3, 256, 256));
    assert_eq!(sidecar_vec(&r.sidecar["shape"]), vec![3.0, 256.0, 256.0]);
    assert_eq!(
        r.sidecar["channels"],
        serde_json::json!(["f(x_0)", "f(x_1)", "loss"])
    );
    assert_eq!(r.ranges(), [[-2.0, 2.0], [-2.0, 2.0]]);
    let theta0 = sidecar_vec(&r.sidecar["theta0"]);
    let u = sidecar_vec(&r.sidecar["axes"][0]);
    let v = sidecar_vec(&r.sidecar["axes"][1]);
    assert_eq!((u, v), (vec![1.0, 0.0, 0.0], vec![0.0, 1.0, 0.0]));

    let inputs = [[1.0, 0.5, 0.0], [-0.5, 1.0, 0.0]];
    let targets = [1.0, 0.5];
    // Closed form at a few grid points, [channel, b, a] with row 0 the lowest b.
    for (i, j) in [(0, 0), (255, 0), (0, 255), (100, 37), (255, 255)] {
        let (a, b) = r.coords(i, j);
        let theta = [theta0[0] + a, theta0[1] + b, theta0[2]];
        let mut loss = 0.0;
        for (c, x) in inputs.iter().enumerate() {
            let f: f64 = x.iter().zip(&theta).map(|(x, t)| x * t).sum();
            assert!(
                (r.at(c, i, j) - f).abs() < 1e-4,
                "f(x_{c}) at ({a}, {b}): {} vs {f}",
                r.at(c, i, j)
            );
            loss += (f - targets[c]).powi(2) / 2.0;
        }
        assert!((r.at(2, i, j) - loss).abs() < 1e-4 * loss.max(1.0));
    }

    let mut lines = Vec::new();
    for c in 0..2 {
        let (coef, worst) = r.affine_fit(c);
        assert!(worst < 1e-4, "channel {c} is not affine: deviation {worst}");
        lines.push(coef);
    }
    // Solution contours c0 + c1·a + c2·b = y: normals (c1, c2) perpendicular.
    let (n0, n1) = ([lines[0][1], lines[0][2]], [lines[1][1], lines[1][2]]);
    let cos = (n0[0] * n1[0] + n0[1] * n1[1]) / (n0[0].hypot(n0[1]) * n1[0].hypot(n1[1]));
    assert!(
        cos.abs() < 1e-3,
        "solution contours are not perpendicular: cos = {cos}"
    );
    // Their crossing, from the fitted lines, is the solution θ[0] = 0.6, θ[1] = 0.8.
    let det = n0[0] * n1[1] - n0[1] * n1[0];
    let (r0, r1) = (targets[0] - lines[0][0], targets[1] - lines[1][0]);
    let cross = (
        (r0 * n1[1] - n0[1] * r1) / det,
        (n0[0] * r1 - r0 * n1[0]) / det,
    );
    let solution = (0.6 - theta0[0], 0.8 - theta0[1]);
    let cell = 4.0 / 255.0;
    assert!(
        (cross.0 - solution.0).abs() < cell && (cross.1 - solution.1).abs() < cell,
        "the contours cross at {cross:?}, not at the solution {solution:?}"
    );
    // The loss channel's smallest grid value sits within a grid cell of it.
    let (mut best, mut at) = (f64::INFINITY, (0, 0));
    for j in 0..nb {
        for i in 0..na {
            if r.at(2, i, j) < best {
                best = r.at(2, i, j);
                at = (i, j);
            }
        }
    }
    let (a, b) = r.coords(at.0, at.1);
    assert!(
        (a - solution.0).abs() <= cell && (b - solution.1).abs() <= cell,
        "loss minimum at ({a}, {b})"
    );
}

/// Parallel perceptron (x2 = 2·x1, y = (1, 2)): both channels are affine with parallel
/// gradients, so the solution contours are parallel lines (here the same line).
#[test]
fn parallel_scene_has_parallel_solution_contours() {
    let dir = tempfile::tempdir().unwrap();
    let r = render("parallel", "cpu", dir.path());
    assert_eq!(r.npy.shape, vec![3, 256, 256]);
    let (l0, w0) = r.affine_fit(0);
    let (l1, w1) = r.affine_fit(1);
    assert!(
        w0 < 1e-4 && w1 < 1e-4,
        "channels are not affine: {w0}, {w1}"
    );
    let cross = l0[1] * l1[2] - l0[2] * l1[1];
    let sine = cross / (l0[1].hypot(l0[2]) * l1[1].hypot(l1[2]));
    assert!(
        sine.abs() < 1e-4,
        "solution contours are not parallel: sin = {sine}"
    );
    // Distance between the lines c0 + n·(a, b) = y for each input: the same line.
    let offset = |l: [f64; 3], y: f64| (y - l[0]) / l[1].hypot(l[2]) * l[1].signum();
    assert!((offset(l0, 1.0) - offset(l1, 2.0)).abs() < 1e-3);
}

/// The GPU evaluator (llvmpipe in CI) agrees with the CPU reference on the exported
/// fields, and each run says which evaluator computed them. Outside CI a machine without
/// any adapter falls back to the CPU path and says so; in CI the GPU must have run.
#[test]
fn gpu_and_cpu_backends_export_the_same_fields() {
    let dir = tempfile::tempdir().unwrap();
    let cpu = render("perpendicular", "cpu", dir.path());
    let gpu = render("perpendicular", "gpu", dir.path());
    assert!(
        cpu.stderr.contains("fields on CPU reference"),
        "{}",
        cpu.stderr
    );
    if basinscope::eval::gpu::in_ci() || !gpu.stderr.contains("fields on CPU reference") {
        assert!(
            gpu.stderr.contains("fields on GPU: "),
            "--backend gpu must evaluate on the GPU adapter: {}",
            gpu.stderr
        );
    } else {
        assert!(gpu.stderr.contains("no GPU adapter"), "{}", gpu.stderr);
    }
    assert_eq!(cpu.npy.shape, gpu.npy.shape);
    assert_eq!(cpu.sidecar, gpu.sidecar);
    let worst = cpu
        .npy
        .data
        .iter()
        .zip(&gpu.npy.data)
        .map(|(c, g)| f64::from((c - g).abs()) / f64::from(c.abs()).max(1.0))
        .fold(0.0, f64::max);
    assert!(worst < 1e-4, "cpu and gpu fields differ by {worst}");
}

#[test]
fn data_view_renders_and_bad_requests_get_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("xor-data.png");
    let o = basinscope(
        &[
            "render",
            "xor",
            "--view",
            "data",
            "--out",
            png.to_str().unwrap(),
            "--size",
            "320x240",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let image = image::open(&png).unwrap().to_rgb8();
    assert_eq!(image.dimensions(), (320, 240));
    // The heatmap of the (untrained, below 0.5 everywhere) XOR function shades from deep
    // red toward white: many strongly red pixels and hundreds of distinct colors.
    let red = image
        .pixels()
        .filter(|p| p[0] > 120 && p[1] < 60 && p[2] < 60)
        .count();
    let colors: std::collections::HashSet<[u8; 3]> = image.pixels().map(|p| p.0).collect();
    assert!(
        red > 2000 && colors.len() > 200,
        "{red} red pixels, {} colors",
        colors.len()
    );

    let cases: [(&[&str], &str); 5] = [
        (&["--size", "10x10"], "between 64 and 8192"),
        (&["--size", "wide"], "WIDTHxHEIGHT"),
        (&["--view", "path"], "needs at least two models"),
        (&["--view", "holo"], "--view must be"),
        (&["--backend", "tpu"], "--backend must be auto, gpu or cpu"),
    ];
    for (extra, expected) in cases {
        let mut args = vec!["render", "perpendicular", "--out", "x.png"];
        args.extend_from_slice(extra);
        let o = basinscope(&args, dir.path());
        assert!(!o.status.success());
        let e = stderr(&o);
        assert!(
            e.contains(expected) && e.lines().count() == 1,
            "{args:?}: {e}"
        );
    }
    // The perceptron's inputs are 3D: the data view says so.
    let o = basinscope(
        &[
            "render",
            "perpendicular",
            "--view",
            "data",
            "--out",
            "x.png",
        ],
        dir.path(),
    );
    assert!(
        !o.status.success() && stderr(&o).contains("3 dimensions"),
        "{}",
        stderr(&o)
    );
    assert!(!dir.path().join("x.png").exists());
}

/// Axis choices that cannot be built for a scene's model get one sentence from `render`,
/// never a panic, and no file is written: every choice on a one-parameter model, and PCA
/// on a scene without a trajectory.
#[test]
fn slice_axes_that_cannot_be_built_are_one_sentence_errors() {
    let dir = tempfile::tempdir().unwrap();
    let one = |axes: &str| {
        format!(
            r#"{{"format": "basinscope-scene", "version": 1,
            "model": {{"layers": [1, 1], "activation": "identity", "bias": false}},
            "parameters": [0.5],
            "data": {{"inputs": [[1.0]], "targets": [2.0]}},
            "view": {{"slice": {{"axes": {axes}}}}}}}"#
        )
    };
    let choices = [
        r#"{"kind": "coordinates", "a": 0, "b": 1}"#,
        r#"{"kind": "random", "seed": 3}"#,
        r#"{"kind": "pca"}"#,
        r#"{"kind": "hessian"}"#,
        r#"{"kind": "gradient_singular"}"#,
        r#"{"kind": "manifold"}"#,
        r#"{"kind": "three_points", "points": [[0.0], [1.0], [2.0]]}"#,
        r#"{"kind": "explicit", "u": [1.0], "v": [1.0]}"#,
    ];
    let mut cases: Vec<(String, &str)> = choices
        .iter()
        .map(|c| (one(c), "at least 2 parameters"))
        .collect();
    let xor = basinscope::core::scene::builtin_json("xor").unwrap();
    let mut pca: serde_json::Value = serde_json::from_str(xor).unwrap();
    pca["view"]["slice"]["axes"] = serde_json::json!({"kind": "pca"});
    cases.push((pca.to_string(), "trajectory"));
    for (n, (scene, expected)) in cases.iter().enumerate() {
        let path = dir.path().join(format!("scene{n}.json"));
        std::fs::write(&path, scene).unwrap();
        let png = dir.path().join(format!("scene{n}.png"));
        let o = basinscope(
            &[
                "render",
                path.to_str().unwrap(),
                "--out",
                png.to_str().unwrap(),
            ],
            dir.path(),
        );
        let e = stderr(&o);
        assert!(!o.status.success(), "{scene}: {e}");
        assert!(
            e.contains(expected) && e.lines().count() == 1 && !e.contains("panicked"),
            "{scene}: {e}"
        );
        assert!(!png.exists(), "{scene}: a figure was written");
    }
}

/// Parses an SVG with a full XML reader (every start tag must close) and returns the
/// number of stroked paths inside `<g id="contours">`, the `aria-label`s of paths, and
/// the (width, height, href) of embedded images.
#[allow(clippy::type_complexity)]
fn summarize_svg(text: &str) -> (usize, Vec<String>, Vec<(String, String, String)>) {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut stack: Vec<String> = Vec::new();
    let mut in_contours = 0usize;
    let mut contour_paths = 0usize;
    let mut labels = Vec::new();
    let mut images = Vec::new();
    loop {
        use quick_xml::events::Event;
        match reader.read_event().expect("the SVG is well-formed XML") {
            Event::Start(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                let id = e.try_get_attribute("id").unwrap().map(|a| {
                    a.normalized_value(quick_xml::XmlVersion::default())
                        .unwrap()
                        .into_owned()
                });
                if id.as_deref() == Some("contours") {
                    in_contours = stack.len() + 1;
                }
                stack.push(name);
            }
            Event::End(_) => {
                if stack.len() == in_contours {
                    in_contours = 0;
                }
                stack.pop().expect("balanced tags");
            }
            Event::Empty(e) => {
                let name = e.name().as_ref().to_vec();
                let get = |k: &str| {
                    e.try_get_attribute(k).unwrap().map(|a| {
                        a.normalized_value(quick_xml::XmlVersion::default())
                            .unwrap()
                            .into_owned()
                    })
                };
                if name == b"path" {
                    let d = get("d").unwrap_or_default();
                    assert!(d.starts_with('M'), "a path starts with a move: {d}");
                    if in_contours > 0 && get("stroke").is_some() {
                        contour_paths += 1;
                    }
                    if let Some(l) = get("aria-label") {
                        labels.push(l);
                    }
                }
                if name == b"image" {
                    images.push((
                        get("width").unwrap(),
                        get("height").unwrap(),
                        get("href").unwrap(),
                    ));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    (contour_paths, labels, images)
}

/// The slice figure as SVG: well-formed XML with the contour lines as vector paths in
/// their group, the axis titles and tick labels as labelled glyph paths, and the loss
/// heatmap as an embedded PNG of the plot's size.
#[test]
fn the_svg_of_a_slice_figure_is_xml_with_contour_paths_axis_text_and_an_embedded_heatmap() {
    let dir = tempfile::tempdir().unwrap();
    let o = basinscope(
        &[
            "render",
            "perpendicular",
            "--view",
            "slice2d",
            "--out",
            "s.svg",
            "--size",
            "640x480",
            "--backend",
            "cpu",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(dir.path().join("s.svg")).unwrap();
    assert!(text.starts_with("<?xml"));
    let (contour_paths, labels, images) = summarize_svg(&text);
    assert!(contour_paths >= 2, "only {contour_paths} contour paths");
    assert!(
        labels.iter().any(|l| l.starts_with("a (u: ")),
        "no a-axis title among {labels:?}"
    );
    assert!(labels.iter().any(|l| l.starts_with("b (v: ")));
    assert!(labels.iter().any(|l| l == "loss (MSE)"));
    // The default range is [-2, 2]: its tick labels are there.
    assert!(
        labels.iter().any(|l| l == "−2" || l == "−2.0"),
        "{labels:?}"
    );
    // The heatmap: a PNG as large as a plot, decoded by the image crate.
    let (w, h, href) = images
        .iter()
        .max_by_key(|(w, h, _)| w.parse::<u32>().unwrap() * h.parse::<u32>().unwrap())
        .expect("an embedded image");
    let b64 = href.strip_prefix("data:image/png;base64,").unwrap();
    let png = decode_base64(b64);
    let img = image::load_from_memory(&png).unwrap();
    assert_eq!(
        (img.width().to_string(), img.height().to_string()),
        (w.clone(), h.clone())
    );
    assert!(img.width() > 200 && img.height() > 200);
}

/// base64 decoded without the writer's code.
fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    };
    let mut out = Vec::new();
    for chunk in text.as_bytes().chunks(4) {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        let n = chunk
            .iter()
            .map(|&c| if c == b'=' { 0 } else { value(c) })
            .fold(0u32, |n, v| (n << 6) | v);
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    out
}

/// `--csv-out` of the gradients view holds the spectra `analyze --json` reports, and that
/// of the loss view the scene's recorded loss history, value for value.
#[test]
fn plot_csvs_equal_the_analysis_and_the_recorded_history() {
    let dir = tempfile::tempdir().unwrap();
    let o = basinscope(
        &[
            "render",
            "xor",
            "--view",
            "gradients",
            "--out",
            "g.png",
            "--csv-out",
            "g.csv",
            "--size",
            "1200x400",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let png = image::open(dir.path().join("g.png")).unwrap();
    assert_eq!((png.width(), png.height()), (1200, 400));
    let o = basinscope(&["analyze", "xor", "--json"], dir.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let column = |name: &str| -> Vec<f64> {
        doc[name]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect()
    };
    let csv = std::fs::read_to_string(dir.path().join("g.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("index,singular_value,hessian_eigenvalue,gauss_newton_eigenvalue")
    );
    let rows: Vec<Vec<String>> = lines
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect();
    let parsed = |col: usize| -> Vec<f64> {
        rows.iter()
            .filter(|r| !r[col].is_empty())
            .map(|r| r[col].parse().unwrap())
            .collect()
    };
    assert_eq!(parsed(1), column("g_singular_values"));
    assert_eq!(parsed(2), column("hessian_eigenvalues"));
    assert_eq!(parsed(3), column("gauss_newton_eigenvalues"));

    let o = basinscope(
        &["train", "xor", "--steps", "300", "--out", "t.json"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let o = basinscope(
        &[
            "render",
            "t.json",
            "--view",
            "loss",
            "--out",
            "l.svg",
            "--csv-out",
            "l.csv",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let scene = basinscope::core::Scene::load(&dir.path().join("t.json")).unwrap();
    let csv = std::fs::read_to_string(dir.path().join("l.csv")).unwrap();
    let history: Vec<(u64, f64)> = csv
        .lines()
        .skip(1)
        .map(|l| {
            let (s, v) = l.split_once(',').unwrap();
            (s.parse().unwrap(), v.parse().unwrap())
        })
        .collect();
    assert_eq!(history, scene.recording.loss_history);
    assert_eq!(history.len(), 300);
    let svg = std::fs::read_to_string(dir.path().join("l.svg")).unwrap();
    assert!(svg.contains(r#"<g id="loss-curve">"#) && svg.contains(r#"aria-label="step""#));

    // Formats other than PNG and SVG, and CSV for views without plot data, get a sentence.
    let o = basinscope(&["render", "xor", "--out", "x.jpg"], dir.path());
    assert!(!o.status.success());
    assert!(
        stderr(&o).contains("must end in .png or .svg"),
        "{}",
        stderr(&o)
    );
    let o = basinscope(
        &["render", "xor", "--out", "x.png", "--csv-out", "x.csv"],
        dir.path(),
    );
    assert!(
        stderr(&o).contains("--csv-out applies to"),
        "{}",
        stderr(&o)
    );
}
