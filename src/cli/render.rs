//! `basinscope render`: a figure of a scene, drawn headless (docs/DESIGN.md §6).
//!
//! The figure itself comes from [`scene_figure`], which the app's Export uses too (for
//! every view, the ray-marched 3D pictures and the paths figure included): the
//! arguments are checked here, the chosen evaluator computes slice fields, and with
//! `--field-out` the raw fields are written as `.npy` plus a JSON sidecar
//! ([`npy::write_field`]), with `--csv-out` the plot's data.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::app::scene_figure::{FigureSpec, FigureView, scene_figure, scene_title};
use crate::core::Scene;
use crate::core::files::{check_distinct_outputs, check_output_target};
use crate::core::limits::{MAX_TITLE_CHARS, quote, shown};
use crate::core::npy::{self, FieldExport};
use crate::core::scene::write_atomically;
use crate::draw::figure::{Format, Surface};
use crate::draw::style::Theme;
use crate::draw::ticks::{AXIS_CLAMPED_NOTE, beyond_axis_limit};
use crate::eval::FieldBackend;

/// Smallest and largest image side `--size` accepts.
pub use crate::core::limits::IMAGE_SIDE as SIZE_LIMITS;

/// Arguments of `basinscope render`.
#[derive(clap::Args, Debug)]
pub struct RenderArgs {
    /// A scene file or the name of a built-in scene (none with --lesson).
    #[arg(required_unless_present = "lesson")]
    pub scene: Option<String>,
    /// slice2d, slice3d, terrain, data, gradients, loss or path.
    #[arg(long, default_value = "slice2d")]
    pub view: String,
    /// The figure: FILE.png, or FILE.svg for vector output (heatmaps embedded as images).
    #[arg(long)]
    pub out: PathBuf,
    /// The plot's data as CSV: the loss curve (`--view loss`), the spectra
    /// (`--view gradients`) or the path curves (`--view path`).
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
    /// light (the print style: white paper, black ink) or dark (dark paper, light ink);
    /// the colormaps are the same in both. The 3D pictures are drawn as on screen.
    #[arg(long, default_value = "light")]
    pub theme: String,
    /// The title above the figure (default: the scene's name and description; none on
    /// the 3D pictures).
    #[arg(long, allow_hyphen_values = true)]
    pub title: Option<String>,
    /// A caption in place of the view's own subtitle.
    #[arg(long, allow_hyphen_values = true)]
    pub caption: Option<String>,
    /// Renders lesson N of the tour (its main view, title and caption) instead of a scene.
    #[arg(long)]
    pub lesson: Option<String>,
    /// With --lesson: a folder of lesson files replacing the built-in tour.
    #[arg(long, requires = "lesson")]
    pub tour: Option<PathBuf>,
}

impl RenderArgs {
    /// The SCENE argument as typed (empty with --lesson).
    pub fn scene_arg(&self) -> &str {
        self.scene.as_deref().unwrap_or_default()
    }
}

/// Which evaluator computes the fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Backend {
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
    let Some(theme) = Theme::parse(&args.theme) else {
        bail!(
            "--theme must be light or dark, not \"{}\"",
            quote(&args.theme)
        );
    };
    if let Some(n) = &args.lesson {
        return super::tour::render_lesson(args, n, (width, height), backend, theme);
    }
    let view = args.view.as_str();
    let Some(figure_view) = FigureView::parse(view) else {
        bail!(
            "--view must be slice2d, slice3d, terrain, data, gradients, loss or path, not \"{}\"",
            quote(view)
        );
    };
    let format = check_view_options(args, figure_view)?;
    let scene = super::load_scene(args.scene_arg())?;
    check_outputs(args)?;
    let Some(format) = format else {
        bail!(
            "--out must end in .png or .svg, not \"{}\"",
            quote(&args.out.display().to_string())
        );
    };
    if figure_view == FigureView::Data {
        warn_if_outputs_not_finite(&scene);
    }
    let spec = FigureSpec {
        view: figure_view,
        width,
        height,
        surface: Surface {
            format,
            transparent: false,
            theme,
        },
        title: match &args.title {
            Some(title) => shown(title, MAX_TITLE_CHARS),
            // The 3D pictures show a title only when asked.
            None if figure_view.is_picture() => String::new(),
            None => scene_title(&scene, args.scene_arg()),
        },
        caption: args.caption.clone().unwrap_or_default(),
    };
    let label = scene_label(&scene, args.scene_arg());
    if matches!(
        figure_view,
        FigureView::Data | FigureView::Gradients | FigureView::Loss
    ) {
        eprintln!("rendering the {view} view of {label} at {width}×{height}…");
    }
    let figure = scene_figure(
        &scene,
        &spec,
        || evaluator(backend),
        |what| eprintln!("rendering {view} of {label}: {what}, {width}×{height} image…"),
    )?;
    for w in &figure.warnings {
        eprintln!("warning: {w}");
    }
    if let (Some(path), Some(fields)) = (&args.field_out, &figure.fields) {
        let export = FieldExport {
            field: &fields.field,
            grid: &fields.grid,
            axis_names: &fields.axis_names,
        };
        npy::write_field(path, &export)?;
        eprintln!(
            "wrote {} and {}",
            path.display(),
            npy::sidecar_path(path).display()
        );
    }
    if let (Some(path), Some(csv)) = (&args.csv_out, &figure.csv) {
        write_atomically(path, csv.as_bytes())?;
        eprintln!("wrote {}", path.display());
    }
    let image = figure.rendered;
    let bytes = image.encode().context("cannot encode the figure")?;
    write_atomically(&args.out, &bytes)?;
    eprintln!("wrote {} ({width}×{height})", args.out.display());
    Ok(())
}

/// Refuses options that do not apply to the view (before the scene is read); returns
/// the format `--out` names, if any (checked once the outputs are).
fn check_view_options(
    args: &RenderArgs,
    figure_view: FigureView,
) -> anyhow::Result<Option<Format>> {
    let view = figure_view.name();
    if args.field_out.is_some() && !figure_view.has_fields() {
        bail!("--field-out applies to slice views only, not to --view {view}");
    }
    if args.csv_out.is_some() && !figure_view.has_csv() {
        bail!(
            "--csv-out applies to --view loss, --view gradients and --view path, not to --view {view}"
        );
    }
    let format = Format::from_path(&args.out);
    if figure_view.is_picture() && format != Some(Format::Png) {
        bail!(
            "--view {view} is drawn as a picture, so --out must end in .png, not \"{}\"",
            quote(&args.out.display().to_string())
        );
    }
    Ok(format)
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
    let inputs: Vec<(&str, &Path)> = super::input_file(args.scene_arg())
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
    let outputs = scene.outputs();
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

fn scene_label(scene: &Scene, arg: &str) -> String {
    if scene.name.is_empty() {
        quote(arg)
    } else {
        quote(&scene.name)
    }
}

/// The evaluator for `backend`: `auto` picks the faster one here, `gpu` any adapter
/// (falling back to the CPU path, with the reason, when none opens).
pub(super) fn evaluator(backend: Backend) -> FieldBackend {
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
