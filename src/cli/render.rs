//! `basinscope render`: a figure of a scene, drawn headless (docs/DESIGN.md §6).
//!
//! slice2d: the scene's slice axes ([`slice_axes`]), the fields evaluated on the slice
//! grid by the chosen backend, the CPU-drawn figure ([`render_slice_figure`]), and with
//! `--field-out` the raw fields as `.npy` plus a JSON sidecar ([`npy::write_field`]).
//! data: the network's function over input space (1D and 2D inputs).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::core::Scene;
use crate::core::field::{FieldEvaluator as _, FieldRequest, SliceGrid};
use crate::core::files::{check_distinct_outputs, check_output_target};
use crate::core::limits::{MAX_TITLE_CHARS, quote, shown};
use crate::core::npy::{self, FieldExport};
use crate::core::scene::write_atomically;
use crate::core::slice::{project_onto_slice, slice_axes};
use crate::draw::figure::{
    DataFigure, FigureOptions, Format, Rendered, SliceFigure, Surface, data_figure, slice_figure,
};
use crate::draw::ticks::{AXIS_CLAMPED_NOTE, beyond_axis_limit};
use crate::eval::FieldBackend;

/// Smallest and largest image side `--size` accepts.
pub use crate::core::limits::IMAGE_SIDE as SIZE_LIMITS;

/// Arguments of `basinscope render`.
#[derive(clap::Args, Debug)]
pub struct RenderArgs {
    /// A scene file or the name of a built-in scene.
    pub scene: String,
    /// slice2d, data, gradients or loss (slice3d and path are not available yet).
    #[arg(long, default_value = "slice2d")]
    pub view: String,
    /// The figure: FILE.png, or FILE.svg for vector output (heatmaps embedded as images).
    #[arg(long)]
    pub out: PathBuf,
    /// The plot's data as CSV: the loss curve (`--view loss`) or the spectra
    /// (`--view gradients`).
    #[arg(long)]
    pub csv_out: Option<PathBuf>,
    /// Image size `WxH`.
    #[arg(long, default_value = "1024x768", allow_hyphen_values = true)]
    pub size: String,
    /// Raw fields as float32 .npy (with a .json sidecar).
    #[arg(long)]
    pub field_out: Option<PathBuf>,
    /// auto (the faster evaluator here), gpu (any adapter, software ones included) or cpu.
    #[arg(long, default_value = "auto")]
    pub backend: String,
}

/// Which evaluator computes the fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    Auto,
    Gpu,
    Cpu,
}

pub fn run(args: &RenderArgs) -> anyhow::Result<()> {
    let (width, height) = parse_size(&args.size)?;
    let backend = match args.backend.as_str() {
        "auto" => Backend::Auto,
        "gpu" => Backend::Gpu,
        "cpu" => Backend::Cpu,
        other => bail!(
            "--backend must be auto, gpu or cpu, not \"{}\"",
            quote(other)
        ),
    };
    let view = args.view.as_str();
    match view {
        "slice2d" | "data" | "gradients" | "loss" => {}
        "slice3d" | "path" | "terrain" => bail!(
            "the {view} view is not available yet in `basinscope render`; use --view slice2d, data, gradients or loss"
        ),
        other => bail!(
            "--view must be slice2d, data, gradients or loss, not \"{}\"",
            quote(other)
        ),
    }
    if view != "slice2d" && args.field_out.is_some() {
        bail!("--field-out applies to slice views only, not to --view {view}");
    }
    if args.csv_out.is_some() && !matches!(view, "gradients" | "loss") {
        bail!("--csv-out applies to --view loss and --view gradients, not to --view {view}");
    }
    let Some(format) = Format::from_path(&args.out) else {
        bail!(
            "--out must end in .png or .svg, not \"{}\"",
            quote(&args.out.display().to_string())
        );
    };
    let surface = Surface {
        format,
        transparent: false,
    };
    let scene = super::load_scene(&args.scene)?;
    check_outputs(args)?;
    let image = if view == "slice2d" {
        render_slice2d(&scene, args, backend, (width, height), surface)?
    } else if view == "gradients" || view == "loss" {
        eprintln!(
            "rendering the {view} view of {} at {width}×{height}…",
            scene_label(&scene, &args.scene)
        );
        let options = FigureOptions {
            title: title(&scene, &args.scene),
            ..FigureOptions::default()
        };
        let (figure, csv) = if view == "loss" {
            super::plots::loss(&scene, &options, (width, height), surface)
        } else {
            super::plots::gradients(&scene, &options, (width, height), surface)?
        };
        if let Some(path) = &args.csv_out {
            write_atomically(path, csv.as_bytes())?;
            eprintln!("wrote {}", path.display());
        }
        figure
    } else {
        eprintln!(
            "rendering the data view of {} at {width}×{height}…",
            scene_label(&scene, &args.scene)
        );
        let options = FigureOptions {
            title: title(&scene, &args.scene),
            subtitle: "the network's function over input space, with the training points".into(),
            ..FigureOptions::default()
        };
        let figure = DataFigure {
            spec: &scene.model,
            theta: &scene.parameters,
            data: &scene.data,
        };
        warn_if_outputs_not_finite(&scene);
        data_figure(&figure, &options, width, height, surface)?
    };
    let bytes = image.encode().context("cannot encode the figure")?;
    write_atomically(&args.out, &bytes)?;
    eprintln!("wrote {} ({width}×{height})", args.out.display());
    Ok(())
}

/// Refuses outputs that are folders, devices or missing folders, and outputs that would
/// overwrite the input scene or each other (`--field-out f.json` and its sidecar
/// `f.json`, `--field-out scene.npy` and the sidecar `scene.json` over the input),
/// before anything is computed.
fn check_outputs(args: &RenderArgs) -> anyhow::Result<()> {
    let sidecar = args.field_out.as_deref().map(npy::sidecar_path);
    let mut outputs: Vec<(&str, &Path)> = vec![("--out", args.out.as_path())];
    if let Some(csv) = &args.csv_out {
        outputs.push(("--csv-out", csv.as_path()));
    }
    if let (Some(field_out), Some(sidecar)) = (&args.field_out, &sidecar) {
        outputs.push(("--field-out", field_out.as_path()));
        outputs.push(("the --field-out sidecar", sidecar.as_path()));
    }
    for (label, path) in &outputs {
        check_output_target(label, path)?;
    }
    let inputs: Vec<(&str, &Path)> = super::input_file(&args.scene)
        .map(|p| ("the input scene", p))
        .into_iter()
        .collect();
    check_distinct_outputs(&inputs, &outputs)?;
    Ok(())
}

/// Parses `WxH` (also `W×H`) and checks each side against [`SIZE_LIMITS`]; the sentence
/// quotes what the user wrote.
fn parse_size(size: &str) -> anyhow::Result<(u32, u32)> {
    let parsed = size
        .split_once(['x', 'X', '×'])
        .and_then(|(w, h)| Some((w.trim().parse::<i64>().ok()?, h.trim().parse::<i64>().ok()?)));
    let Some((w, h)) = parsed else {
        bail!(
            "--size must look like WIDTHxHEIGHT, for example 1024x768, not \"{}\"",
            quote(size)
        );
    };
    let side = |v: i64| u32::try_from(v).ok().filter(|v| SIZE_LIMITS.contains(v));
    let (Some(w), Some(h)) = (side(w), side(h)) else {
        bail!(
            "--size \"{}\" is out of range; each side must be between {} and {} pixels",
            quote(size),
            SIZE_LIMITS.start(),
            SIZE_LIMITS.end()
        );
    };
    Ok((w, h))
}

/// Says on stderr when the network's outputs at the training inputs are not finite: the
/// data view then has nothing to draw there.
fn warn_if_outputs_not_finite(scene: &Scene) {
    let outputs: Vec<f64> = scene
        .data
        .inputs
        .iter()
        .map(|x| scene.model.forward(&scene.parameters, x))
        .collect();
    let data = &scene.data;
    if beyond_axis_limit(
        outputs
            .iter()
            .chain(&data.targets)
            .chain(data.inputs.iter().flatten())
            .copied(),
    ) {
        eprintln!("warning: {AXIS_CLAMPED_NOTE}");
    }
    let bad = outputs.iter().filter(|f| !f.is_finite()).count();
    if bad > 0 {
        eprintln!(
            "warning: the network's output is not finite at {bad} of the {} training inputs; the parameters overflow there, so lower or re-initialize them",
            scene.data.n_inputs()
        );
    }
}

/// Says on stderr when a field has no finite values (an all-grey picture): the
/// parameters on this slice overflow float32.
fn warn_if_field_not_finite(field: &crate::core::field::Field) {
    let finite_loss = field.loss().iter().filter(|v| v.is_finite()).count();
    if finite_loss == 0 {
        let any = field.values.iter().any(|v| v.is_finite());
        eprintln!(
            "warning: the loss is not finite anywhere on this slice{} (values overflow float32); move or shrink the slice (view.slice center and ranges), or rescale the parameters and data",
            if any { "" } else { ", nor is any output" }
        );
    }
}

fn scene_label(scene: &Scene, arg: &str) -> String {
    if scene.name.is_empty() {
        quote(arg)
    } else {
        quote(&scene.name)
    }
}

/// The figure's title: name and description, escaped and cut to
/// [`crate::core::limits::MAX_TITLE_CHARS`].
fn title(scene: &Scene, arg: &str) -> String {
    let name = if scene.name.is_empty() {
        arg
    } else {
        &scene.name
    };
    let text = if scene.description.is_empty() {
        name.to_string()
    } else {
        format!("{name}: {}", scene.description)
    };
    shown(&text, MAX_TITLE_CHARS)
}

fn render_slice2d(
    scene: &Scene,
    args: &RenderArgs,
    backend: Backend,
    (width, height): (u32, u32),
    surface: Surface,
) -> anyhow::Result<Rendered> {
    let slice = &scene.view.slice;
    let theta = &scene.parameters;
    // The recorded trajectory (PCA axes come from it), ending at the current θ.
    let mut trajectory = scene.recording.thetas();
    if trajectory.last() != Some(theta) {
        trajectory.push(theta.clone());
    }
    let axes = slice_axes(
        &slice.axes,
        &scene.model,
        theta,
        &scene.data,
        &trajectory,
        slice.center.as_deref(),
    )
    .context("cannot build the slice axes")?;
    let grid = SliceGrid {
        theta0: axes.center.clone(),
        axes: vec![axes.u.clone(), axes.v.clone()],
        ranges: vec![slice.a_range, slice.b_range],
        shape: slice.resolution.to_vec(),
    };
    let evaluator = evaluator(backend);
    eprintln!(
        "rendering slice2d of {}: {}×{} grid, {} inputs, fields on {} ({}), {width}×{height} image…",
        scene_label(scene, &args.scene),
        grid.shape[0],
        grid.shape[1],
        scene.data.n_inputs(),
        evaluator.name(),
        evaluator.reason()
    );
    let field = evaluator.evaluate(&FieldRequest {
        spec: &scene.model,
        data: &scene.data,
        grid: &grid,
    })?;
    let expected = (scene.data.n_inputs() + 1) * grid.n_points();
    if field.values.len() != expected || field.shape != grid.shape {
        bail!(
            "the field evaluator returned {} values on a {:?} grid instead of {expected} on {:?}",
            field.values.len(),
            field.shape,
            grid.shape
        );
    }
    warn_if_field_not_finite(&field);

    let outputs: Vec<f64> = scene
        .data
        .inputs
        .iter()
        .map(|x| scene.model.forward(theta, x))
        .collect();
    let trajectory_ab: Vec<(f64, f64)> = trajectory
        .iter()
        .map(|t| project_onto_slice(&axes, t))
        .collect();
    let figure = SliceFigure {
        field: &field,
        ranges: grid.plane_ranges(),
        targets: &scene.data.targets,
        current_outputs: &outputs,
        trajectory_ab: &trajectory_ab,
        walk_ab: &[],
        current_ab: project_onto_slice(&axes, theta),
    };
    let options = FigureOptions {
        title: title(scene, &args.scene),
        subtitle: format!(
            "θ(a, b) = θ_{{0}} + a·u + b·v, θ_{{0}} = {}; {}",
            center_words(slice.center.is_some(), &slice.axes),
            axes.description
        ),
        a_label: format!("a (u: {})", axes.u_name),
        b_label: format!("b (v: {})", axes.v_name),
        ..FigureOptions::default()
    };
    let image = slice_figure(&figure, &options, width, height, surface);

    if let Some(path) = &args.field_out {
        let axis_names = [axes.u_name.clone(), axes.v_name.clone()];
        let export = FieldExport {
            field: &field,
            grid: &grid,
            axis_names: &axis_names,
        };
        npy::write_field(path, &export)?;
        eprintln!(
            "wrote {} and {}",
            path.display(),
            npy::sidecar_path(path).display()
        );
    }
    Ok(image)
}

/// What θ₀ is, in words.
fn center_words(pinned: bool, choice: &crate::core::slice::AxisChoice) -> &'static str {
    if matches!(choice, crate::core::slice::AxisChoice::ThreePoints { .. }) {
        "the first point"
    } else if pinned {
        "the pinned center"
    } else {
        "the current θ"
    }
}

/// The evaluator for `backend`: `auto` picks the faster one here, `gpu` any adapter
/// (falling back to the CPU path, with the reason, when none opens).
fn evaluator(backend: Backend) -> FieldBackend {
    match backend {
        Backend::Auto => FieldBackend::auto(),
        Backend::Gpu => FieldBackend::gpu_preferred(),
        Backend::Cpu => FieldBackend::cpu("the CPU backend was asked for"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_are_parsed_and_bounded() {
        assert_eq!(parse_size("1024x768").unwrap(), (1024, 768));
        assert_eq!(parse_size("640×480").unwrap(), (640, 480));
        assert!(
            parse_size("10x10")
                .unwrap_err()
                .to_string()
                .contains("between 64 and 8192")
        );
        assert!(
            parse_size("big")
                .unwrap_err()
                .to_string()
                .contains("WIDTHxHEIGHT")
        );
        assert!(parse_size("100000x100").is_err());
        // Negative and huge sides get the range sentence, quoting what was written.
        for bad in ["-5x3", "99999999999x64", "64x-64"] {
            let e = parse_size(bad).unwrap_err().to_string();
            assert!(e.contains("is out of range") && e.contains(bad), "{e}");
        }
    }
}
