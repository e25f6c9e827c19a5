//! `basinscope render --view slice3d|terrain` as a process: the exported 3D fields against
//! the closed forms of the linear perceptron scenes, and the ray-marched picture against
//! rays cast from the same camera on the CPU.

use std::path::Path;

use basinscope::core::camera::{OrbitCamera, Ray, ray_box};
use common::cli::{basinscope, stderr};
use common::npy::read_npy;
use glam::Vec3;

mod common {
    pub mod cli;
    pub mod npy;
}

/// A 3D field exported by `render --view slice3d`, indexed [channel, c, b, a].
struct Volume {
    shape: [usize; 4],
    data: Vec<f32>,
    theta0: Vec<f64>,
    ranges: [[f64; 2]; 3],
}

impl Volume {
    fn at(&self, ch: usize, ia: usize, ib: usize, ic: usize) -> f64 {
        let [_, nc, nb, na] = self.shape;
        f64::from(self.data[((ch * nc + ic) * nb + ib) * na + ia])
    }

    /// Grid index (fractional) of slice coordinate x along axis `axis` (0 = a).
    fn index_of(&self, axis: usize, x: f64) -> f64 {
        let n = [self.shape[3], self.shape[2], self.shape[1]][axis];
        let [lo, hi] = self.ranges[axis];
        (x - lo) / (hi - lo) * (n - 1) as f64
    }
}

fn render_volume(scene: &str, dir: &Path) -> Volume {
    let png = dir.join(format!("{scene}.png"));
    let npy = dir.join(format!("{scene}.npy"));
    let o = basinscope(
        &[
            "render",
            scene,
            "--view",
            "slice3d",
            "--out",
            png.to_str().unwrap(),
            "--size",
            "200x150",
            "--field-out",
            npy.to_str().unwrap(),
        ],
        dir,
    );
    assert!(o.status.success(), "render {scene} failed: {}", stderr(&o));
    assert!(stderr(&o).contains("rendering slice3d"), "{}", stderr(&o));
    let image = image::open(&png).expect("the PNG decodes");
    assert_eq!((image.width(), image.height()), (200, 150));
    let sidecar: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(format!("{scene}.json"))).unwrap())
            .unwrap();
    let npy = read_npy(&npy);
    let (shape, data) = (npy.shape, npy.data);
    let shape: [usize; 4] = shape.try_into().expect("[k + 1, D, H, W]");
    assert_eq!(sidecar["axis_names"].as_array().unwrap().len(), 3);
    let theta0 = sidecar["theta0"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    let r = &sidecar["ranges"];
    let ranges = [0, 1, 2].map(|i| [r[i][0].as_f64().unwrap(), r[i][1].as_f64().unwrap()]);
    Volume {
        shape,
        data,
        theta0,
        ranges,
    }
}

/// Perpendicular inputs x1 = (1, ½, 0), x2 = (−½, 1, 0), y = (1, ½), axes θ[0], θ[1],
/// θ[2]: the surfaces f1 = 1 and f2 = ½ are planes that meet in the line θ[0] = 0.6,
/// θ[1] = 0.8 (any θ[2]). In every c layer, the grid point nearest to both surfaces
/// (by the distance estimate |f − y| / |∇f| from the exported field) is within one cell
/// of that line.
#[test]
fn perpendicular_scene_surfaces_meet_along_the_closed_form_line() {
    let dir = tempfile::tempdir().unwrap();
    let v = render_volume("perpendicular", dir.path());
    let [k1, nc, nb, na] = v.shape;
    assert_eq!(k1, 3, "two inputs and the loss");
    let line = [0.6 - v.theta0[0], 0.8 - v.theta0[1]];
    let (ia_line, ib_line) = (v.index_of(0, line[0]), v.index_of(1, line[1]));
    let targets = [1.0, 0.5];
    for ic in 0..nc {
        let mut best = (f64::INFINITY, 0, 0);
        for ib in 1..nb - 1 {
            for ia in 1..na - 1 {
                let mut worst: f64 = 0.0;
                for (ch, y) in targets.iter().enumerate() {
                    let ga = (v.at(ch, ia + 1, ib, ic) - v.at(ch, ia - 1, ib, ic)) / 2.0;
                    let gb = (v.at(ch, ia, ib + 1, ic) - v.at(ch, ia, ib - 1, ic)) / 2.0;
                    let d = (v.at(ch, ia, ib, ic) - y).abs() / ga.hypot(gb);
                    worst = worst.max(d);
                }
                if worst < best.0 {
                    best = (worst, ia, ib);
                }
            }
        }
        let (_, ia, ib) = best;
        assert!(
            (ia as f64 - ia_line).abs() <= 1.0 && (ib as f64 - ib_line).abs() <= 1.0,
            "layer {ic}: surfaces meet at cell ({ia}, {ib}), the line is at ({ia_line:.2}, {ib_line:.2})"
        );
    }
}

/// Parallel inputs x2 = 2·x1, y = (1, 2): the surfaces f1 = 1 and f2 = 2 are the same
/// plane θ[0] + θ[1]/2 = 1. Along every row of a, both cross their level at the same a
/// (within one cell), and where the closed form puts the plane.
#[test]
fn parallel_scene_surfaces_coincide() {
    let dir = tempfile::tempdir().unwrap();
    let v = render_volume("parallel", dir.path());
    let [_, nc, nb, na] = v.shape;
    // The fractional a index where channel `ch` crosses `y` along row (ib, ic).
    let crossing = |ch: usize, y: f64, ib: usize, ic: usize| -> Option<f64> {
        (0..na - 1).find_map(|ia| {
            let (f0, f1) = (v.at(ch, ia, ib, ic) - y, v.at(ch, ia + 1, ib, ic) - y);
            ((f0 <= 0.0) != (f1 <= 0.0)).then(|| ia as f64 + f0 / (f0 - f1))
        })
    };
    let mut rows = 0;
    for ic in (0..nc).step_by(7) {
        for ib in 0..nb {
            let b =
                v.ranges[1][0] + (v.ranges[1][1] - v.ranges[1][0]) * ib as f64 / (nb - 1) as f64;
            // θ[0] + θ[1]/2 = 1 with θ[0] = θ0[0] + a, θ[1] = θ0[1] + b.
            let a_closed = 1.0 - 0.5 * (v.theta0[1] + b) - v.theta0[0];
            let inside = (v.ranges[0][0]..=v.ranges[0][1]).contains(&a_closed);
            match (crossing(0, 1.0, ib, ic), crossing(1, 2.0, ib, ic)) {
                (Some(s1), Some(s2)) => {
                    assert!((s1 - s2).abs() <= 1.0, "row ({ib}, {ic}): {s1} vs {s2}");
                    let closed = v.index_of(0, a_closed);
                    assert!(
                        (s1 - closed).abs() <= 1.0,
                        "row ({ib}, {ic}): {s1} vs {closed}"
                    );
                    rows += 1;
                }
                (None, None) => assert!(!inside, "row ({ib}, {ic}) misses the plane"),
                other => panic!("row ({ib}, {ic}): only one surface crosses: {other:?}"),
            }
        }
    }
    assert!(rows > 100, "only {rows} rows cross the plane");
}

/// The PNG of `render --view slice3d` against rays cast on the CPU from the scene's
/// camera: pixels whose ray misses the box are the background, pixels whose ray crosses
/// input 1's plane θ[0] + θ[1]/2 = 1 inside the box are tinted with its color (orange),
/// and pixels whose ray crosses the box but not the plane stay the background. The
/// scene draws input 1 only, from the default camera.
/// The perpendicular scene's file as JSON, to edit before writing it for `render`.
fn perpendicular_json() -> serde_json::Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/scenes/perpendicular.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Renders the perpendicular scene with input 1's surface only (32³, default camera)
/// at 240×180: the image and θ₀ from the sidecar.
fn render_one_plane(dir: &Path) -> (image::RgbImage, Vec<f64>) {
    let mut scene = perpendicular_json();
    scene["view"]["slice3d"] = serde_json::json!({ "inputs": [0], "resolution": [32, 32, 32] });
    let scene_path = dir.join("scene-one-plane.json");
    std::fs::write(&scene_path, scene.to_string()).unwrap();
    let (w, h) = (240u32, 180u32);
    let png = dir.join("one-plane.png");
    let npy = dir.join("one-plane.npy");
    let o = basinscope(
        &[
            "render",
            scene_path.to_str().unwrap(),
            "--view",
            "slice3d",
            "--out",
            png.to_str().unwrap(),
            "--size",
            &format!("{w}x{h}"),
            "--field-out",
            npy.to_str().unwrap(),
        ],
        dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let image = image::open(&png).unwrap().to_rgb8();
    let sidecar: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(npy.with_extension("json")).unwrap())
            .unwrap();
    let theta0: Vec<f64> = sidecar["theta0"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    (image, theta0)
}

#[test]
fn headless_render_draws_the_plane_where_rays_cross_it() {
    let dir = tempfile::tempdir().unwrap();
    let (image, theta0) = render_one_plane(dir.path());
    let (w, h) = (image.width(), image.height());
    // World x = a/2, y = b/2 on [−2, 2]; the plane θ0[0] + 2x + (θ0[1] + 2y)/2 = 1.
    let plane = |p: Vec3| -> f64 {
        theta0[0] + 2.0 * f64::from(p.x) + 0.5 * (theta0[1] + 2.0 * f64::from(p.y)) - 1.0
    };
    let camera = OrbitCamera::default();
    // The axis ticks and names are drawn over the picture: stay clear of them.
    let names = ["a".to_string(), "b".to_string(), "c".to_string()];
    let marks = basinscope::draw::volume_scene::axis_marks(
        &camera,
        [w, h],
        [[-2.0, 2.0]; 3],
        &names,
        false,
    );
    let near_mark = |x: u32, y: u32| {
        marks.iter().any(|m| {
            let reach = if m.is_tick { 16.0 } else { 110.0 };
            (m.pos[0] - x as f32).abs() < reach && (m.pos[1] - y as f32).abs() < 18.0
        })
    };
    let background = [33u8, 33, 38];
    let near_edge = |p: Vec3| {
        (Vec3::ONE - p.abs())
            .to_array()
            .iter()
            .filter(|&&e| e < 0.08)
            .count()
            >= 2
    };
    let (mut on, mut off, mut outside) = (0, 0, 0);
    for py in (4..h - 4).step_by(4) {
        for px in (4..w - 4).step_by(4) {
            if near_mark(px, py) {
                continue;
            }
            let ray: Ray = camera.pixel_ray(px as f32, py as f32, [w, h]);
            let pixel = image.get_pixel(px, py).0;
            let is_background = pixel
                .iter()
                .zip(background)
                .all(|(&p, b)| p.abs_diff(b) <= 2);
            let Some([t0, t1]) = ray_box(&ray, Vec3::splat(-1.0), Vec3::splat(1.0)) else {
                assert!(
                    is_background,
                    "pixel ({px}, {py}) misses the box but is {pixel:?}"
                );
                outside += 1;
                continue;
            };
            let (p0, p1) = (ray.at(t0), ray.at(t1));
            // Stay clear of the box edges, of θ's marker at the origin and of grazing rays.
            let to_origin = {
                let along = (-ray.origin).dot(ray.direction);
                ray.at(along).length()
            };
            if near_edge(p0) || near_edge(p1) || to_origin < 0.2 || t1 - t0 < 0.1 {
                continue;
            }
            let (s0, s1) = (plane(p0), plane(p1));
            if s0.abs() < 0.1 || s1.abs() < 0.1 {
                continue; // the plane meets the box wall near this ray
            }
            if (s0 < 0.0) == (s1 < 0.0) {
                assert!(
                    is_background,
                    "pixel ({px}, {py}) misses the plane but is {pixel:?}"
                );
                off += 1;
            } else {
                assert!(
                    i32::from(pixel[0]) > i32::from(pixel[2]) + 20,
                    "pixel ({px}, {py}) crosses the plane but is {pixel:?}"
                );
                on += 1;
            }
        }
    }
    assert!(
        on > 40 && off > 40 && outside > 100,
        "on {on}, off {off}, outside {outside}"
    );
}

/// The terrain renders with a field of the 2D slice's grid, and 3D requests that cannot
/// be met get one sentence and a non-zero exit, before anything is written.
#[test]
fn terrain_renders_and_bad_3d_requests_get_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let png = dir.path().join("terrain.png");
    let npy = dir.path().join("terrain.npy");
    let o = basinscope(
        &[
            "render",
            "moons",
            "--view",
            "terrain",
            "--out",
            png.to_str().unwrap(),
            "--size",
            "160x120",
            "--field-out",
            npy.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let shape = read_npy(&npy).shape;
    assert_eq!(shape.len(), 3, "[k + 1, H, W]");
    let image = image::open(&png).unwrap().to_rgb8();
    // Some pixels show the terrain: colors other than the background.
    let lit = image.pixels().filter(|p| p.0 != [33, 33, 38]).count();
    assert!(lit > 160 * 120 / 20, "only {lit} pixels drawn");

    let write = |name: &str, edit: &dyn Fn(&mut serde_json::Value)| {
        let mut scene = perpendicular_json();
        edit(&mut scene);
        let path = dir.path().join(name);
        std::fs::write(&path, scene.to_string()).unwrap();
        path
    };
    let cases = [
        (
            write("huge.json", &|s| {
                s["view"]["slice3d"] = serde_json::json!({ "resolution": [4096, 64, 64] });
            }),
            "between 2 and 512",
        ),
        (
            write("in-plane.json", &|s| {
                s["view"]["slice3d"] =
                    serde_json::json!({ "third_axis": { "kind": "coordinate", "index": 1 } });
            }),
            "span no volume",
        ),
        (
            write("two-params.json", &|s| {
                s["model"]["layers"] = serde_json::json!([2, 1]);
                s["data"]["inputs"] = serde_json::json!([[1.0, 0.5], [-0.5, 1.0]]);
            }),
            "at least 3 parameters",
        ),
    ];
    for (path, words) in cases {
        let out = dir.path().join("never.png");
        let o = basinscope(
            &[
                "render",
                path.to_str().unwrap(),
                "--view",
                "slice3d",
                "--out",
                out.to_str().unwrap(),
            ],
            dir.path(),
        );
        let e = stderr(&o);
        assert!(!o.status.success(), "{}: {e}", path.display());
        assert!(e.contains(words) && e.trim().lines().count() == 1, "{e}");
        assert!(!out.exists(), "nothing is written on failure");
    }
}

/// A trained scene keeps its trajectory, so the 3D pictures can slice along its principal
/// components and draw it: the terrain of the trained scene differs from the same scene
/// with its recording removed, and without the recording PCA axes cannot be built.
#[test]
fn trained_scene_terrain_draws_its_recorded_trajectory_on_pca_axes() {
    let dir = tempfile::tempdir().unwrap();
    let o = basinscope(
        &["train", "xor", "--steps", "600", "--out", "trained.json"],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let mut scene: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("trained.json")).unwrap()).unwrap();
    assert!(scene["trajectory"].as_array().unwrap().len() > 2);
    scene["view"]["slice"]["axes"] = serde_json::json!({"kind": "pca"});
    scene["view"]["slice"]["resolution"] = serde_json::json!([64, 64]);
    std::fs::write(dir.path().join("pca.json"), scene.to_string()).unwrap();
    let mut bare = scene.clone();
    bare.as_object_mut().unwrap().remove("trajectory");
    bare.as_object_mut().unwrap().remove("loss_history");
    std::fs::write(dir.path().join("bare.json"), bare.to_string()).unwrap();

    let render = |input: &str, out: &str| {
        basinscope(
            &[
                "render", input, "--view", "terrain", "--out", out, "--size", "320x240",
            ],
            dir.path(),
        )
    };
    let o = render("pca.json", "with.png");
    assert!(o.status.success(), "{}", stderr(&o));
    let o = render("bare.json", "bare.png");
    assert!(
        !o.status.success(),
        "PCA axes without a trajectory were built"
    );
    assert_eq!(stderr(&o).trim().lines().count(), 1, "{}", stderr(&o));

    // The same plane (θ[0], θ[1]) with and without the recording: only the drawn path
    // differs.
    scene["view"]["slice"]["axes"] = serde_json::json!({"kind": "coordinates", "a": 0, "b": 1});
    bare["view"]["slice"] = scene["view"]["slice"].clone();
    std::fs::write(dir.path().join("coords.json"), scene.to_string()).unwrap();
    std::fs::write(dir.path().join("bare.json"), bare.to_string()).unwrap();
    assert!(render("coords.json", "a.png").status.success());
    assert!(render("bare.json", "b.png").status.success());
    let a = image::open(dir.path().join("a.png")).unwrap().to_rgb8();
    let b = image::open(dir.path().join("b.png")).unwrap().to_rgb8();
    let changed = a.pixels().zip(b.pixels()).filter(|(p, q)| p != q).count();
    assert!(changed > 20, "the trajectory changed only {changed} pixels");
}

/// `render --view slice3d` draws the linear path between the scene's first two models
/// (as the app's 3D view does): with two models across the box the picture gains a line
/// in the paths figure's color of the linear path, and nothing else changes much.
#[test]
fn slice3d_render_draws_the_path_between_the_scenes_models() {
    let dir = tempfile::tempdir().unwrap();
    let (without, theta0) = render_one_plane(dir.path());
    let mut scene: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("scene-one-plane.json")).unwrap(),
    )
    .unwrap();
    // From near one corner of the slice box to near the opposite one.
    let model = |s: f64| -> Vec<f64> { theta0.iter().map(|c| c + s).collect() };
    scene["models"] = serde_json::json!([
        { "name": "A", "parameters": model(-1.5) },
        { "name": "B", "parameters": model(1.5) },
    ]);
    let scene_path = dir.path().join("scene-models.json");
    std::fs::write(&scene_path, scene.to_string()).unwrap();
    let png = dir.path().join("models.png");
    let o = basinscope(
        &[
            "render",
            scene_path.to_str().unwrap(),
            "--view",
            "slice3d",
            "--out",
            png.to_str().unwrap(),
            "--size",
            &format!("{}x{}", without.width(), without.height()),
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let with = image::open(&png).unwrap().to_rgb8();
    let changed = with
        .pixels()
        .zip(without.pixels())
        .filter(|(p, q)| p != q)
        .count();
    let total = (with.width() * with.height()) as usize;
    assert!(
        changed > 50 && changed < total / 5,
        "{changed} of {total} pixels changed"
    );
    // The linear path's color in the paths view and figure: #d55e00.
    let orange = with
        .pixels()
        .filter(|p| p[0].abs_diff(0xd5) <= 3 && p[1].abs_diff(0x5e) <= 3 && p[2] <= 3)
        .count();
    assert!(orange > 20, "only {orange} pixels in the path's color");
}

/// A volume whose field fits the field limit but whose field and packed surface textures
/// together exceed the GPU memory limit is refused before anything is computed: the
/// perpendicular scene (k = 2) on 512 × 512 × 300 points holds 3 channels of f32
/// (900 MiB, under the 2²⁸-value field limit) plus 16 B of textures per point
/// (1.17 GiB): 2.05 GiB, over the 2 GiB limit.
#[test]
fn a_volume_whose_textures_exceed_the_gpu_memory_limit_is_refused_before_it_is_computed() {
    let dir = tempfile::tempdir().unwrap();
    let mut scene = perpendicular_json();
    let k = scene["data"]["inputs"].as_array().unwrap().len();
    assert_eq!(k, 2);
    let shape = [512u64, 512, 300];
    let points: u64 = shape.iter().product();
    assert!(
        points * (k as u64 + 1) <= basinscope::core::limits::MAX_FIELD_VALUES as u64,
        "the field alone is within its limit"
    );
    assert!(
        points * (4 * (k as u64 + 1) + 16) > basinscope::core::limits::MAX_VOLUME_GPU_BYTES,
        "the field and textures are not"
    );
    scene["view"]["slice3d"] = serde_json::json!({ "resolution": shape });
    let path = dir.path().join("big-volume.json");
    std::fs::write(&path, scene.to_string()).unwrap();
    let out = dir.path().join("never.png");
    let field_out = dir.path().join("never.npy");
    let o = basinscope(
        &[
            "render",
            path.to_str().unwrap(),
            "--view",
            "slice3d",
            "--out",
            out.to_str().unwrap(),
            "--field-out",
            field_out.to_str().unwrap(),
        ],
        dir.path(),
    );
    let e = stderr(&o);
    assert!(!o.status.success(), "{e}");
    assert_eq!(e.trim().lines().count(), 1, "one sentence: {e}");
    assert!(
        e.contains("512×512×300")
            && e.contains("needs 2.05 GiB of GPU memory")
            && e.contains("limit of 2.00 GiB"),
        "{e}"
    );
    assert!(!e.contains("rendering"), "refused before computing: {e}");
    assert!(!out.exists() && !field_out.exists(), "nothing is written");
}

/// `render --view terrain` drapes the linear path between the scene's first two models on
/// the loss surface, as the app does: with two models across the slice the picture gains
/// a line in the linear path's color (#d55e00, lit like the surface under it: red well
/// above green, hardly any blue), and nothing else changes much.
#[test]
fn terrain_render_drapes_the_path_between_the_scenes_models() {
    let dir = tempfile::tempdir().unwrap();
    let mut scene = perpendicular_json();
    scene["parameters"] = serde_json::json!([0.2, 0.3, 0.1]);
    scene["view"]["slice"]["resolution"] = serde_json::json!([64, 64]);
    std::fs::write(dir.path().join("bare.json"), scene.to_string()).unwrap();
    scene["models"] = serde_json::json!([
        { "name": "A", "parameters": [-1.5, -1.2, 0.1] },
        { "name": "B", "parameters": [1.6, 1.5, 0.1] },
    ]);
    std::fs::write(dir.path().join("models.json"), scene.to_string()).unwrap();
    let render = |input: &str, out: &str| {
        let o = basinscope(
            &[
                "render", input, "--view", "terrain", "--out", out, "--size", "320x240",
            ],
            dir.path(),
        );
        assert!(o.status.success(), "{}", stderr(&o));
        image::open(dir.path().join(out)).unwrap().to_rgb8()
    };
    let without = render("bare.json", "bare.png");
    let with = render("models.json", "models.png");
    let changed: Vec<_> = with
        .pixels()
        .zip(without.pixels())
        .filter(|(p, q)| p != q)
        .map(|(p, _)| p.0)
        .collect();
    let total = (with.width() * with.height()) as usize;
    assert!(
        changed.len() > 50 && changed.len() < total / 10,
        "{} of {total} pixels changed",
        changed.len()
    );
    let orange = changed
        .iter()
        .filter(|p| f32::from(p[0]) > 1.8 * f32::from(p[1]) && p[2] < 40 && p[0] > 60)
        .count();
    assert!(
        orange * 2 > changed.len(),
        "only {orange} of {} changed pixels in the path's hue",
        changed.len()
    );
}
