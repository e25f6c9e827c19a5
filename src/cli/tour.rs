//! `basinscope tour` (the lessons listed) and `basinscope render --lesson N` (a lesson's
//! main view with its title and caption, for slides), over [`crate::core::tour`].

use std::path::PathBuf;

use anyhow::{Context as _, bail};

use super::render::{Backend, RenderArgs, evaluator};
use crate::app::scene_figure::{FigureSpec, FigureView, scene_figure};
use crate::core::files::check_output_target;
use crate::core::limits::{MAX_TITLE_CHARS, quote, shown};
use crate::core::scene::{ViewKind, write_atomically};
use crate::core::tour::{Tour, view_name};
use crate::draw::figure::{Format, Surface};
use crate::draw::style::Theme;

/// Arguments of `basinscope tour`.
#[derive(clap::Args, Debug)]
pub struct TourArgs {
    /// A folder of lesson files (`*.md`) replacing the built-in tour.
    #[arg(long)]
    pub tour: Option<PathBuf>,
}

/// Lists the lessons: number, title, scene, views and checks, then one sentence per
/// lesson file that did not load (on stderr). Fails only when no lesson loads, so a
/// teacher sees every problem of a folder in one run while the good lessons stay usable.
pub fn run_list(args: &TourArgs) -> anyhow::Result<()> {
    let tour = Tour::load(args.tour.as_deref())?;
    for (i, lesson) in tour.lessons.iter().enumerate() {
        println!("{}\t{}", i + 1, lesson.title);
        println!("\tscene: {}", quote(&lesson.scene_name));
        let views: Vec<&str> = lesson.views.iter().map(|v| view_name(*v)).collect();
        println!("\tviews: {}", views.join(", "));
        for check in &lesson.checks {
            println!("\tcheck: {} | {}", check.condition.describe(), check.prompt);
        }
    }
    for e in &tour.errors {
        eprintln!("error: {e}");
    }
    if tour.lessons.is_empty() {
        bail!("{} has no lesson that loads", tour.source);
    }
    Ok(())
}

/// `render --lesson N`: lesson `n`'s main view with the lesson's title and caption, drawn
/// by [`scene_figure`] as `render --view` draws it.
pub(super) fn render_lesson(
    args: &RenderArgs,
    n: &str,
    size: (u32, u32),
    backend: Backend,
    theme: Theme,
) -> anyhow::Result<()> {
    if args.scene.is_some() {
        bail!("give either a SCENE or --lesson N, not both");
    }
    if args.field_out.is_some() || args.csv_out.is_some() {
        bail!("--field-out and --csv-out apply to scenes, not to --lesson");
    }
    if args.title.is_some() || args.caption.is_some() {
        bail!("--title and --caption apply to scenes; a lesson's figure takes its own");
    }
    let n: usize = super::parse_number("--lesson", n, "a lesson number from `basinscope tour`")?;
    let tour = Tour::load(args.tour.as_deref())?;
    for e in &tour.errors {
        eprintln!("warning: {e}");
    }
    let lesson = tour.lesson(n)?;
    check_output_target("--out", &args.out)?;
    let view = figure_view(lesson.main_view());
    let Some(format) = Format::from_path(&args.out) else {
        bail!(
            "--out must end in .png or .svg, not \"{}\"",
            quote(&args.out.display().to_string())
        );
    };
    if view.is_picture() && format != Format::Png {
        bail!(
            "lesson {n} opens on the {} view, which is drawn as a picture, so --out must end in .png",
            view_name(lesson.main_view())
        );
    }
    let title = shown(&format!("Lesson {n}: {}", lesson.title), MAX_TITLE_CHARS);
    eprintln!(
        "rendering lesson {n} ({}), its {} view, at {}×{}…",
        quote(&lesson.title),
        view_name(lesson.main_view()),
        size.0,
        size.1
    );
    let spec = FigureSpec {
        view,
        width: size.0,
        height: size.1,
        surface: Surface {
            format,
            transparent: false,
            theme,
        },
        title,
        caption: lesson.caption.clone(),
    };
    let figure = scene_figure(&lesson.scene, &spec, || evaluator(backend), |_| {})?;
    for w in &figure.warnings {
        eprintln!("warning: {w}");
    }
    let bytes = figure
        .rendered
        .encode()
        .context("cannot encode the figure")?;
    write_atomically(&args.out, &bytes)?;
    eprintln!("wrote {} ({}×{})", args.out.display(), size.0, size.1);
    Ok(())
}

/// The figure view drawing a lesson's main view.
fn figure_view(view: ViewKind) -> FigureView {
    match view {
        ViewKind::Data => FigureView::Data,
        ViewKind::Gradients => FigureView::Gradients,
        ViewKind::Slice2d => FigureView::Slice2d,
        ViewKind::Slice3d => FigureView::Slice3d,
        ViewKind::Terrain => FigureView::Terrain,
        ViewKind::Path => FigureView::Path,
    }
}
