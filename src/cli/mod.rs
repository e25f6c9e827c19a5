//! The command-line contract of docs/DESIGN.md §6, on top of core, eval and draw.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::core::Scene;
use crate::core::scene::{BUILTIN_SCENES, DEFAULT_SCENE};

pub mod analyze;
pub mod bench;
pub mod bench3d;
pub mod connect;
pub mod json;
pub mod render;
pub mod tour;
pub mod train;

/// basinscope: the geometry of tiny neural networks' training, made visible.
#[derive(Parser, Debug)]
#[command(name = "basinscope", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Opens the app with the tour's lessons from this folder (`*.md`) instead of the
    /// built-in ones.
    #[arg(long)]
    pub tour: Option<PathBuf>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Opens the app on a scene (a path or a built-in scene name).
    Open {
        scene: String,
        /// Opens the app with the tour's lessons from this folder (`*.md`).
        #[arg(long)]
        tour: Option<PathBuf>,
    },
    /// Lists the built-in scenes: name, then a short description.
    Scenes,
    /// Trains headless with a progress bar on stderr; writes the trained scene.
    Train(train::TrainArgs),
    /// Behavioral gradients and curvature at the scene's θ.
    Analyze(analyze::AnalyzeArgs),
    /// Renders a figure headless.
    Render(render::RenderArgs),
    /// Loss, error and barriers along the path between two models, before and after alignment.
    Connect(connect::ConnectArgs),
    /// Runs the performance workloads of docs/DESIGN.md §7.
    Bench(bench::BenchArgs),
    /// Lists the tour's lessons: number, title, scene, views and checks.
    Tour(tour::TourArgs),
}

/// Entry point of the binary: parses arguments, runs, and turns errors into one sentence
/// on stderr and a non-zero exit.
pub fn main() -> ExitCode {
    init_logging();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
            ExitCode::FAILURE
        }
    }
}

fn init_logging() {
    env_logger::Builder::from_env(
        env_logger::Env::default()
            .default_filter_or("warn,wgpu_core=error,wgpu_hal=error,naga=warn"),
    )
    .format_timestamp(None)
    .init();
}

/// The error chain as one sentence: control characters escaped (a value cannot forge a
/// second line) and at most [`crate::core::limits::MAX_MESSAGE_CHARS`] characters.
fn one_line(e: &anyhow::Error) -> String {
    let mut parts: Vec<String> = Vec::new();
    for cause in e.chain() {
        let s = cause.to_string();
        if parts.last().is_none_or(|last| !last.contains(&s)) {
            parts.push(s);
        }
    }
    crate::core::limits::shown(&parts.join(": "), crate::core::limits::MAX_MESSAGE_CHARS)
}

fn run(cli: Cli) -> anyhow::Result<()> {
    if cli.tour.is_some() && !matches!(cli.command, None | Some(Command::Open { .. })) {
        anyhow::bail!(
            "--tour before a command applies to the app; give it after `tour` or `render --lesson` instead"
        );
    }
    match cli.command {
        None => open_app(DEFAULT_SCENE, true, cli.tour),
        Some(Command::Open { scene, tour }) => {
            if cli.tour.is_some() && tour.is_some() {
                anyhow::bail!("give --tour once, before or after `open SCENE`");
            }
            open_app(&scene, false, tour.or(cli.tour))
        }
        Some(Command::Scenes) => {
            for s in BUILTIN_SCENES {
                println!("{}\t{}", s.name, s.description);
            }
            Ok(())
        }
        Some(Command::Train(args)) => train::run(&args),
        Some(Command::Analyze(args)) => {
            let rtol = args.rtol.as_deref().map(analyze::parse_rtol).transpose()?;
            let scene = load_scene(&args.scene)?;
            analyze::run(&scene, rtol, args.json)
        }
        Some(Command::Render(args)) => render::run(&args),
        Some(Command::Bench(args)) => bench::run(&args),
        Some(Command::Connect(args)) => connect::run(&args),
        Some(Command::Tour(args)) => tour::run_list(&args),
    }
}

/// Loads a scene by built-in name or path.
pub fn load_scene(name_or_path: &str) -> anyhow::Result<Scene> {
    Ok(Scene::resolve(name_or_path)?)
}

/// Opens the app on `scene`; `offer_tour` when no scene was named (the start screen),
/// `tour_dir` replacing the built-in lessons.
fn open_app(scene: &str, offer_tour: bool, tour_dir: Option<PathBuf>) -> anyhow::Result<()> {
    let scene = load_scene(scene)?;
    if let Some(dir) = &tour_dir {
        // A folder that cannot be read is said before the window opens.
        crate::core::tour::Tour::from_folder(dir)?;
    }
    crate::app::run_native(
        scene,
        crate::app::tour::TourLaunch {
            offer: offer_tour,
            dir: tour_dir,
        },
    )
}

/// Default output path for a trained scene, derived from what the user typed and never
/// from text inside the file: `DIR/STEM.trained.json` beside a scene file, and
/// `NAME.trained.json` in the working directory for a built-in scene (the name
/// sanitized to letters, digits, `-`, `_` and `.`).
pub fn default_out_path(name_or_path: &str) -> PathBuf {
    if crate::core::scene::builtin_json(name_or_path).is_some() {
        return PathBuf::from(format!(
            "{}.trained.json",
            crate::core::files::sanitized_name(name_or_path)
        ));
    }
    let path = std::path::Path::new(name_or_path);
    let stem = path
        .file_stem()
        .map_or_else(|| "scene".to_string(), |s| s.to_string_lossy().into_owned());
    path.with_file_name(format!("{stem}.trained.json"))
}

/// The scene file a SCENE argument reads, or `None` for a built-in scene.
pub fn input_file(name_or_path: &str) -> Option<&std::path::Path> {
    crate::core::scene::builtin_json(name_or_path)
        .is_none()
        .then(|| std::path::Path::new(name_or_path))
}

/// Parses a numeric argument ourselves (clap would answer a negative or odd value with
/// its own usage error): `flag` and `what` name it in the sentence, with what the user
/// wrote.
pub fn parse_number<T: std::str::FromStr>(
    flag: &str,
    value: &str,
    what: &str,
) -> anyhow::Result<T> {
    value.trim().parse().map_err(|_| {
        anyhow::anyhow!(
            "{flag} must be {what}, not \"{}\"",
            crate::core::limits::quote(value)
        )
    })
}
