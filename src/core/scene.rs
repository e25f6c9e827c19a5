//! Scene files (docs/DESIGN.md §5): JSON with `"format": "basinscope-scene"`, strict about
//! unknown fields and shapes, saved atomically.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::MlpSpec;
use super::data::{Dataset, Preset};
use super::error::CoreError;
use super::field::SliceGrid;
pub use super::files::write_atomically;
use super::limits::quote;
use super::models::{NamedModel, check_models};
use super::recording::{Recording, TrajectoryPoint};
use super::slice::{SliceAxes, SliceSpec, slice_axes};
use super::slice3d::{Slice3dSpec, TerrainSpec};
use super::train::TrainingConfig;

/// The `format` value every scene file carries.
pub const FORMAT: &str = "basinscope-scene";
/// The scene-file version this build writes and reads.
pub const VERSION: u32 = 1;

/// Where the training data came from.
#[derive(Clone, Debug, PartialEq)]
pub enum DataSource {
    /// Points listed in the file (or edited by hand).
    Explicit,
    /// A preset with its own size, noise and seed.
    Preset {
        preset: Preset,
        n: usize,
        noise: f64,
        seed: u64,
    },
}

/// Which view a scene opens on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ViewKind {
    #[default]
    Data,
    Slice2d,
    Slice3d,
    Gradients,
    Path,
    Terrain,
}

/// The `view` section: the active view, the slice definition and the 3D views' settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields, default)]
pub struct ViewSpec {
    pub kind: ViewKind,
    pub slice: SliceSpec,
    /// The 3D slice view (third axis, volume, surfaces, clipping, camera).
    pub slice3d: Slice3dSpec,
    /// The loss terrain view (height scale, camera).
    pub terrain: TerrainSpec,
}

impl ViewSpec {
    /// Checks the 3D views' settings (the 2D slice is checked on its own).
    fn validate_3d(&self, n_params: usize, n_inputs: usize) -> Result<(), CoreError> {
        self.slice3d.validate(n_params, n_inputs)?;
        self.terrain.camera.validate("view.terrain")
    }
}

/// A validated scene: everything needed to reproduce a figure.
#[derive(Clone, Debug, PartialEq)]
pub struct Scene {
    pub name: String,
    pub description: String,
    pub model: MlpSpec,
    pub init_seed: u64,
    /// Flat θ in the layout of docs/DESIGN.md §2 (drawn from `init_seed` if the file had none).
    pub parameters: Vec<f64>,
    pub data_source: DataSource,
    pub data: Dataset,
    pub training: TrainingConfig,
    pub view: ViewSpec,
    /// The models list of the paths view (empty when the file has none).
    pub models: Vec<NamedModel>,
    /// The recorded trajectory and loss history (empty if never trained).
    pub recording: Recording,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SceneFile {
    format: String,
    version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    model: MlpSpec,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    init: Option<InitFile>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    parameters: Option<Vec<f64>>,
    data: DataFile,
    #[serde(default)]
    training: TrainingConfig,
    #[serde(default)]
    view: ViewSpec,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    models: Vec<NamedModel>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    trajectory: Vec<TrajectoryPoint>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    loss_history: Vec<(u64, f64)>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct InitFile {
    seed: u64,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct DataFile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    inputs: Option<Vec<Vec<f64>>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    targets: Option<Vec<f64>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    preset: Option<Preset>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    n: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    noise: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    seed: Option<u64>,
}

impl Scene {
    /// Parses and validates scene JSON; `origin` names the source in error messages.
    pub fn from_json(text: &str, origin: &str) -> Result<Self, CoreError> {
        let file: SceneFile = serde_json::from_str(text).map_err(|e| CoreError::Parse {
            path: quote(origin),
            message: describe_json_error(&e),
        })?;
        Self::from_file(file).map_err(|e| match e {
            CoreError::Invalid(m) => CoreError::Parse {
                path: quote(origin),
                message: m,
            },
            other => other,
        })
    }

    fn from_file(file: SceneFile) -> Result<Self, CoreError> {
        if file.format != FORMAT {
            return Err(CoreError::invalid(format!(
                "format is \"{}\" but a scene must say \"{FORMAT}\"",
                quote(&file.format)
            )));
        }
        if file.version != VERSION {
            return Err(CoreError::invalid(format!(
                "version {} is not supported (this build reads version {VERSION})",
                file.version
            )));
        }
        file.model.validate()?;
        let (data_source, data) = resolve_data(file.data)?;
        data.validate(file.model.input_dim())?;
        let init_seed = file.init.map_or(0, |i| i.seed);
        let parameters = match file.parameters {
            Some(p) => p,
            None => file.model.init_parameters(init_seed),
        };
        file.model.check_parameters(&parameters)?;
        file.training.validate()?;
        file.view.slice.validate_in_scene(parameters.len())?;
        check_models(&file.model, &file.models)?;
        file.view.validate_3d(parameters.len(), data.n_inputs())?;
        let recording = Recording {
            trajectory: file.trajectory,
            loss_history: file.loss_history,
        };
        recording.validate(parameters.len())?;
        Ok(Self {
            name: file.name.unwrap_or_default(),
            description: file.description.unwrap_or_default(),
            model: file.model,
            init_seed,
            parameters,
            data_source,
            data,
            training: file.training,
            view: file.view,
            models: file.models,
            recording,
        })
    }

    /// The network's outputs f(x_i; θ) at the training inputs, at the scene's θ.
    pub fn outputs(&self) -> Vec<f64> {
        self.data
            .inputs
            .iter()
            .map(|x| self.model.forward(&self.parameters, x))
            .collect()
    }

    /// The recorded trajectory's θs, ending at the scene's θ: what slice figures draw
    /// and what PCA axes are built from.
    pub fn trajectory_to_theta(&self) -> Vec<Vec<f64>> {
        let mut trajectory = self.recording.thetas();
        if trajectory.last() != Some(&self.parameters) {
            trajectory.push(self.parameters.clone());
        }
        trajectory
    }

    /// The scene's 2D slice (`view.slice`): its axes, with PCA built from `trajectory`
    /// (normally [`Self::trajectory_to_theta`]), and the grid its fields are evaluated on.
    pub fn slice_plane(
        &self,
        trajectory: &[Vec<f64>],
    ) -> Result<(SliceAxes, SliceGrid), CoreError> {
        let slice = &self.view.slice;
        let axes = slice_axes(
            &slice.axes,
            &self.model,
            &self.parameters,
            &self.data,
            trajectory,
            slice.center.as_deref(),
        )?;
        let grid = SliceGrid {
            theta0: axes.center.clone(),
            axes: vec![axes.u.clone(), axes.v.clone()],
            ranges: vec![slice.a_range, slice.b_range],
            shape: slice.resolution.to_vec(),
        };
        Ok((axes, grid))
    }

    /// Checks everything `from_json` checks, for a scene built or edited in memory.
    pub fn validate(&self) -> Result<(), CoreError> {
        self.model.validate()?;
        self.data.validate(self.model.input_dim())?;
        self.model.check_parameters(&self.parameters)?;
        self.training.validate()?;
        self.view.slice.validate_in_scene(self.parameters.len())?;
        check_models(&self.model, &self.models)?;
        self.view
            .validate_3d(self.parameters.len(), self.data.n_inputs())?;
        self.recording.validate(self.parameters.len())
    }

    /// Reads a scene file (at most [`super::limits::MAX_SCENE_FILE_BYTES`]).
    pub fn load(path: &Path) -> Result<Self, CoreError> {
        let text = super::files::read_scene_text(path)?;
        Self::from_json(&text, &path.display().to_string())
    }

    /// Loads a built-in scene by name, or else a file by path.
    pub fn resolve(name_or_path: &str) -> Result<Self, CoreError> {
        if let Some(text) = builtin_json(name_or_path) {
            return Self::from_json(text, name_or_path);
        }
        let path = Path::new(name_or_path);
        if !path.exists() {
            return Err(CoreError::invalid(format!(
                "no scene file at {} and no built-in scene of that name (see `basinscope scenes`)",
                quote(name_or_path)
            )));
        }
        Self::load(path)
    }

    /// The scene as pretty JSON (parameters always written, data as a preset if unedited).
    pub fn to_json(&self) -> String {
        let data = match &self.data_source {
            DataSource::Preset {
                preset,
                n,
                noise,
                seed,
            } => DataFile {
                preset: Some(*preset),
                n: Some(*n),
                noise: Some(*noise),
                seed: Some(*seed),
                ..Default::default()
            },
            DataSource::Explicit => DataFile {
                inputs: Some(self.data.inputs.clone()),
                targets: Some(self.data.targets.clone()),
                ..Default::default()
            },
        };
        let file = SceneFile {
            format: FORMAT.to_string(),
            version: VERSION,
            name: (!self.name.is_empty()).then(|| self.name.clone()),
            description: (!self.description.is_empty()).then(|| self.description.clone()),
            model: self.model.clone(),
            init: Some(InitFile {
                seed: self.init_seed,
            }),
            parameters: Some(self.parameters.clone()),
            data,
            training: self.training.clone(),
            view: self.view.clone(),
            models: self.models.clone(),
            trajectory: self.recording.trajectory.clone(),
            loss_history: self.recording.loss_history.clone(),
        };
        let mut s = serde_json::to_string_pretty(&file).expect("a scene always serializes");
        s.push('\n');
        s
    }

    /// Writes the scene atomically ([`write_atomically`]).
    pub fn save(&self, path: &Path) -> Result<(), CoreError> {
        write_atomically(path, self.to_json().as_bytes())
    }

    /// Replaces the data with a preset (regenerated) and marks the source.
    pub fn set_preset(&mut self, preset: Preset, n: usize, noise: f64, seed: u64) {
        self.data = preset.generate(n, noise, seed);
        self.data_source = DataSource::Preset {
            preset,
            n,
            noise,
            seed,
        };
    }
}

fn resolve_data(file: DataFile) -> Result<(DataSource, Dataset), CoreError> {
    match (file.preset, file.inputs, file.targets) {
        (Some(preset), None, None) => {
            let n = file.n.unwrap_or(64);
            if n > super::data::MAX_POINTS {
                return Err(CoreError::invalid(format!(
                    "data.n is {n}, more than the limit of {}",
                    super::data::MAX_POINTS
                )));
            }
            let noise = file.noise.unwrap_or(0.0);
            if !(noise.is_finite() && noise >= 0.0) {
                return Err(CoreError::invalid(
                    "data.noise must be a non-negative number",
                ));
            }
            let seed = file.seed.unwrap_or(0);
            Ok((
                DataSource::Preset {
                    preset,
                    n,
                    noise,
                    seed,
                },
                preset.generate(n, noise, seed),
            ))
        }
        (None, Some(inputs), Some(targets)) => {
            if file.n.is_some() || file.noise.is_some() || file.seed.is_some() {
                return Err(CoreError::invalid(
                    "data.n, data.noise and data.seed only apply to a data.preset",
                ));
            }
            Ok((DataSource::Explicit, Dataset { inputs, targets }))
        }
        (Some(_), _, _) => Err(CoreError::invalid(
            "data has both a preset and explicit inputs/targets; give one or the other",
        )),
        _ => Err(CoreError::invalid(
            "data needs either inputs and targets, or a preset",
        )),
    }
}

fn describe_json_error(e: &serde_json::Error) -> String {
    // serde quotes the offending text (`unknown field `…``, `invalid type: string "…"`),
    // which a hostile file can make megabytes long or fill with newlines.
    let msg = shorten_quoted(&e.to_string());
    // serde_json appends " at line L column C"; keep it, it points at the problem.
    if msg.contains("EOF while parsing") {
        format!("the file ends early, it is not complete JSON ({msg})")
    } else {
        msg
    }
}

/// `message` with every quoted piece (between backticks or double quotes) escaped and
/// shortened by [`quote`], so the words around it (what was expected, line and column)
/// survive.
fn shorten_quoted(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    while let Some(open) = rest.find(['`', '"']) {
        let delim = rest[open..].chars().next().unwrap_or('"');
        let after = &rest[open + 1..];
        let Some(close) = after.find(delim) else {
            break;
        };
        out.push_str(&rest[..=open]);
        out.push_str(&quote(&after[..close]));
        out.push(delim);
        rest = &after[close + 1..];
    }
    out.push_str(&quote_tail(rest));
    out
}

/// The unquoted remainder of a message, escaped and bounded (a stray delimiter can leave a
/// long tail).
fn quote_tail(rest: &str) -> String {
    super::limits::shown(rest, super::limits::MAX_MESSAGE_CHARS / 2)
}

/// A scene embedded in the binary.
pub struct BuiltinScene {
    pub name: &'static str,
    pub description: &'static str,
    pub json: &'static str,
}

/// The built-in scenes, in the order `basinscope scenes` lists them. The files are
/// also shipped under `assets/scenes/`.
pub const BUILTIN_SCENES: &[BuiltinScene] = &[
    BuiltinScene {
        name: "xor",
        description: "XOR with a [2, 8, 1] tanh MLP (the default scene)",
        json: include_str!("../../assets/scenes/xor.json"),
    },
    BuiltinScene {
        name: "perpendicular",
        description: "linear model [3, 1], two orthogonal inputs: rank-2 G, solution manifold a line",
        json: include_str!("../../assets/scenes/perpendicular.json"),
    },
    BuiltinScene {
        name: "parallel",
        description: "linear model [3, 1], two parallel inputs: rank-1 G, solution manifold a plane",
        json: include_str!("../../assets/scenes/parallel.json"),
    },
    BuiltinScene {
        name: "and",
        description: "AND with a [2, 4, 1] tanh MLP",
        json: include_str!("../../assets/scenes/and.json"),
    },
    BuiltinScene {
        name: "sine",
        description: "1-D sine regression, 8 points, [1, 16, 1] tanh MLP",
        json: include_str!("../../assets/scenes/sine.json"),
    },
    BuiltinScene {
        name: "moons",
        description: "two moons, 64 points, [2, 16, 16, 1] tanh MLP",
        json: include_str!("../../assets/scenes/moons.json"),
    },
    BuiltinScene {
        name: "circles",
        description: "two circles, 64 points, [2, 16, 1] relu MLP",
        json: include_str!("../../assets/scenes/circles.json"),
    },
];

/// Name of the scene `basinscope` opens with no arguments.
pub const DEFAULT_SCENE: &str = "xor";

/// The JSON of a built-in scene.
pub fn builtin_json(name: &str) -> Option<&'static str> {
    BUILTIN_SCENES
        .iter()
        .find(|s| s.name == name)
        .map(|s| s.json)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// N = 1 has no 2D slice: the scene still loads (training, data and gradients work),
    /// and building its slice axes gives the one sentence the slice view shows.
    #[test]
    fn a_one_parameter_scene_loads_and_its_slice_says_why_it_cannot_be_drawn() {
        let text = r#"{"format": "basinscope-scene", "version": 1,
            "model": {"layers": [1, 1], "activation": "identity", "bias": false},
            "parameters": [0.5],
            "data": {"inputs": [[1.0]], "targets": [2.0]},
            "view": {"slice": {"axes": {"kind": "hessian"}}}}"#;
        let scene = Scene::from_json(text, "one.json").unwrap();
        scene.validate().unwrap();
        let e = crate::core::slice::slice_axes(
            &scene.view.slice.axes,
            &scene.model,
            &scene.parameters,
            &scene.data,
            &[],
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("at least 2 parameters"), "{e}");
        // Its extent is still checked.
        let bad = text.replace(
            r#""axes": {"kind": "hessian"}"#,
            r#""a_range": [1.0, -1.0]"#,
        );
        let e = Scene::from_json(&bad, "one.json").unwrap_err().to_string();
        assert!(e.contains("a_range"), "{e}");
    }

    #[test]
    fn every_builtin_scene_loads() {
        for s in BUILTIN_SCENES {
            let scene =
                Scene::from_json(s.json, s.name).unwrap_or_else(|e| panic!("{}: {e}", s.name));
            assert_eq!(scene.name, s.name);
        }
    }

    #[test]
    fn scene_round_trips_through_json() {
        let mut scene = Scene::resolve("moons").unwrap();
        let again = Scene::from_json(&scene.to_json(), "mem").unwrap();
        assert_eq!(scene, again);
        scene.data_source = DataSource::Explicit;
        scene.data.inputs[0][0] = 0.123;
        let again = Scene::from_json(&scene.to_json(), "mem").unwrap();
        assert_eq!(scene, again);
    }

    /// save → load → save writes the same bytes for every built-in scene, with and
    /// without a recorded run.
    #[test]
    fn every_builtin_scene_saves_loads_and_saves_to_identical_bytes() {
        let dir = tempfile::tempdir().unwrap();
        for s in BUILTIN_SCENES {
            let mut scene = Scene::resolve(s.name).unwrap();
            for recorded in [false, true] {
                if recorded {
                    let n = scene.parameters.len();
                    scene.recording = Recording::from_run(
                        (0..700u64).map(|step| {
                            (
                                step * 3,
                                (0..n)
                                    .map(|j| (j as f64 + 0.1).sin() / (1.0 + step as f64))
                                    .collect(),
                            )
                        }),
                        (0..9000u64).map(|step| (step, 1.0 / (3.0 + step as f64))),
                    );
                }
                let first = dir.path().join(format!("{}-{recorded}-1.json", s.name));
                let second = dir.path().join(format!("{}-{recorded}-2.json", s.name));
                scene.save(&first).unwrap();
                let loaded = Scene::load(&first).unwrap();
                assert_eq!(loaded, scene, "{}", s.name);
                loaded.save(&second).unwrap();
                assert_eq!(
                    std::fs::read(&first).unwrap(),
                    std::fs::read(&second).unwrap(),
                    "{} (recorded: {recorded})",
                    s.name
                );
            }
        }
    }

    #[test]
    fn a_trajectory_of_the_wrong_length_is_refused_with_its_index() {
        let text = minimal(
            r#", "trajectory": [{"step": 0, "theta": [1.0, 2.0]}, {"step": 3, "theta": [1.0]}]"#,
        );
        let e = Scene::from_json(&text, "f.json").unwrap_err().to_string();
        assert!(e.contains("trajectory[1].theta has 1 entries"), "{e}");
        let ok = minimal(
            r#", "trajectory": [{"step": 0, "theta": [1.0, 2.0]}], "loss_history": [[0, 0.5], [1, 0.25]]"#,
        );
        let s = Scene::from_json(&ok, "f.json").unwrap();
        assert_eq!(s.recording.loss_history, vec![(0, 0.5), (1, 0.25)]);
    }

    fn minimal(extra: &str) -> String {
        format!(
            r#"{{"format": "basinscope-scene", "version": 1,
                "model": {{"layers": [2, 1], "activation": "identity", "bias": false}},
                "parameters": [1.0, 2.0],
                "data": {{"inputs": [[1, 0], [0, 1]], "targets": [1, 2]}}{extra}}}"#
        )
    }

    #[test]
    fn minimal_scene_is_accepted() {
        let s = Scene::from_json(&minimal(""), "min").unwrap();
        assert_eq!(s.parameters, vec![1.0, 2.0]);
        assert_eq!(s.training, TrainingConfig::default());
    }

    #[test]
    fn bad_scenes_get_clear_errors() {
        let unknown = Scene::from_json(&minimal(r#", "colour": 3"#), "f.json")
            .unwrap_err()
            .to_string();
        assert!(unknown.contains("unknown field `colour`"), "{unknown}");
        let wrong_len = minimal("").replace("[1.0, 2.0]", "[1.0, 2.0, 3.0]");
        let e = Scene::from_json(&wrong_len, "f.json")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("parameters has 3 entries") && e.contains("needs 2"),
            "{e}"
        );
        let act = minimal("").replace("identity", "swish");
        let e = Scene::from_json(&act, "f.json").unwrap_err().to_string();
        assert!(e.contains("unknown variant `swish`"), "{e}");
        let ragged = minimal("").replace("[[1, 0], [0, 1]]", "[[1, 0], [0]]");
        let e = Scene::from_json(&ragged, "f.json").unwrap_err().to_string();
        assert!(e.contains("data.inputs[1]"), "{e}");
        let zero = minimal("").replace("[2, 1]", "[2, 0, 1]");
        let e = Scene::from_json(&zero, "f.json").unwrap_err().to_string();
        assert!(e.contains("model.layers[1] is 0"), "{e}");
        let truncated = &minimal("")[..60];
        let e = Scene::from_json(truncated, "f.json")
            .unwrap_err()
            .to_string();
        assert!(e.contains("ends early"), "{e}");
        let nan = minimal("").replace("[1, 2]}", "[1, NaN]}");
        assert!(Scene::from_json(&nan, "f.json").is_err());
        let format = minimal("").replace("basinscope-scene", "other");
        assert!(
            Scene::from_json(&format, "f.json")
                .unwrap_err()
                .to_string()
                .contains("format")
        );
    }

    #[test]
    fn save_is_atomic_and_keeps_the_old_file_on_failure() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        let scene = Scene::resolve("xor").unwrap();
        scene.save(&path).unwrap();
        let first = std::fs::read_to_string(&path).unwrap();
        assert_eq!(Scene::load(&path).unwrap(), scene);
        // Saving into a directory that does not exist fails and leaves nothing behind.
        let bad = dir.path().join("missing").join("s.json");
        assert!(scene.save(&bad).is_err());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), first);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1);
    }
}
