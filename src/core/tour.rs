//! The guided tour (docs/DESIGN.md "Lesson files"): lessons read from Markdown files
//! with a small header naming the scene, the views and the live checks.
//!
//! A lesson file starts with a header between two `---` lines, one `key: value` per
//! line, then the lesson's Markdown:
//!
//! ```text
//! ---
//! title: Parallel inputs
//! scene: parallel
//! views: slice3d, gradients
//! caption: two parallel inputs, one family of planes
//! check: rank = 2 | Edit input 2 so that it is no longer parallel to input 1.
//! ---
//! The text of the lesson …
//! ```
//!
//! `scene` is a built-in scene name or a scene file beside the lesson; the first of
//! `views` is the lesson's main view; each `check` is a condition from a small closed
//! vocabulary ([`Condition`]), then `|` and the "Try this" prompt the app shows with a
//! box it ticks while the condition holds. A file that does not parse gives one
//! sentence naming the file and the line ([`LessonError`]); the other lessons load.
//! The built-in lessons are `assets/tour/*.md`, embedded in the binary; a folder given
//! with `--tour DIR` replaces them.

use std::path::{Path, PathBuf};

use super::Scene;
use super::error::CoreError;
use super::limits::{MAX_LESSON_BYTES, MAX_LESSONS, MAX_TITLE_CHARS, quote, shown};
use super::scene::{ViewKind, builtin_json};

/// One lesson of the tour.
#[derive(Clone, Debug, PartialEq)]
pub struct Lesson {
    /// The file it came from (a name, as listed; built-in lessons use their asset name).
    pub file: String,
    pub title: String,
    /// The scene as the header names it (a built-in name or a file name).
    pub scene_name: String,
    /// The scene's JSON (what the app loads, through its usual load path).
    pub scene_json: String,
    /// The scene, parsed and validated when the lesson loaded.
    pub scene: Scene,
    /// The views the lesson uses; the first is its main view.
    pub views: Vec<ViewKind>,
    /// The "Try this" prompts and the conditions that mark them done.
    pub checks: Vec<Check>,
    /// One line under the lesson's figure (`render --lesson`); may be empty.
    pub caption: String,
    /// The lesson's text, Markdown.
    pub body: String,
}

impl Lesson {
    /// The view the lesson opens on.
    pub fn main_view(&self) -> ViewKind {
        self.views[0]
    }
}

/// A lesson file that did not load: one sentence naming the file and, where the problem
/// sits on one line, the line (1-based).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("lesson {file}{}: {message}", line.map(|l| format!(" line {l}")).unwrap_or_default())]
pub struct LessonError {
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

/// A "Try this" prompt and the condition that marks it done.
#[derive(Clone, Debug, PartialEq)]
pub struct Check {
    pub condition: Condition,
    /// What the student is asked to do (Markdown-free text).
    pub prompt: String,
}

/// How a number is compared with the one a check names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compare {
    Eq,
    Le,
    Lt,
    Ge,
    Gt,
}

impl Compare {
    const ALL: [(&'static str, Self); 5] = [
        ("<=", Self::Le),
        (">=", Self::Ge),
        ("=", Self::Eq),
        ("<", Self::Lt),
        (">", Self::Gt),
    ];

    fn holds<T: PartialOrd + Copy>(self, value: T, bound: T) -> bool {
        match self {
            Self::Eq => value == bound,
            Self::Le => value <= bound,
            Self::Lt => value < bound,
            Self::Ge => value >= bound,
            Self::Gt => value > bound,
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Self::Eq => "=",
            Self::Le => "≤",
            Self::Lt => "<",
            Self::Ge => "≥",
            Self::Gt => ">",
        }
    }
}

/// The closed vocabulary of checks a lesson header may use.
#[derive(Clone, Debug, PartialEq)]
pub enum Condition {
    /// `rank = 1`, `rank <= 1`, …: the numerical rank of G at the current θ.
    Rank(Compare, usize),
    /// `loss < 0.01`: the training loss at the current θ.
    Loss(Compare, f64),
    /// `steps >= 200`: optimizer steps taken since the lesson opened.
    Steps(Compare, usize),
    /// `trained`: at least one optimizer step since the lesson opened.
    Trained,
    /// `walked`: a manifold walk has run since the lesson opened.
    Walked,
    /// `visited gradients`: the view has been shown since the lesson opened.
    Visited(ViewKind),
    /// `axes = pca`: the 2D slice's axes are of this kind (the `kind` of `view.slice.axes`).
    Axes(String),
    /// `models >= 2`: models in the paths view's list.
    Models(Compare, usize),
    /// `aligned`: the paths view has compared two models before and after alignment.
    Aligned,
}

/// The kinds `axes = …` accepts: the `kind` names of `view.slice.axes` in scene files.
pub const AXIS_KINDS: [&str; 8] = [
    "coordinates",
    "random",
    "pca",
    "hessian",
    "gradient_singular",
    "manifold",
    "three_points",
    "explicit",
];

/// What the app reports about itself, for evaluating checks (filled each frame).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Observation {
    /// rank G at the current θ, when an analysis of it is at hand.
    pub rank: Option<usize>,
    pub loss: f64,
    /// Optimizer steps since the lesson opened.
    pub steps: usize,
    pub walked: bool,
    /// Views shown since the lesson opened.
    pub visited: Vec<ViewKind>,
    /// The `kind` of the 2D slice's axes ([`crate::core::slice::AxisChoice::kind`]).
    pub axes: String,
    pub models: usize,
    pub aligned: bool,
}

impl Condition {
    /// Whether the condition holds for what the app observed.
    pub fn holds(&self, o: &Observation) -> bool {
        match self {
            Self::Rank(c, n) => o.rank.is_some_and(|r| c.holds(r, *n)),
            Self::Loss(c, x) => o.loss.is_finite() && c.holds(o.loss, *x),
            Self::Steps(c, n) => c.holds(o.steps, *n),
            Self::Trained => o.steps > 0,
            Self::Walked => o.walked,
            Self::Visited(v) => o.visited.contains(v),
            Self::Axes(kind) => o.axes == *kind,
            Self::Models(c, n) => c.holds(o.models, *n),
            Self::Aligned => o.aligned,
        }
    }

    /// Whether checking it needs the analysis of G (the app then keeps one current).
    pub fn needs_rank(&self) -> bool {
        matches!(self, Self::Rank(..))
    }

    /// The condition in words, as `basinscope tour` lists it.
    pub fn describe(&self) -> String {
        match self {
            Self::Rank(c, n) => format!("rank G {} {n}", c.symbol()),
            Self::Loss(c, x) => format!("loss {} {x}", c.symbol()),
            Self::Steps(c, n) => format!("steps {} {n}", c.symbol()),
            Self::Trained => "trained".into(),
            Self::Walked => "walked".into(),
            Self::Visited(v) => format!("visited {}", view_name(*v)),
            Self::Axes(k) => format!("axes = {k}"),
            Self::Models(c, n) => format!("models {} {n}", c.symbol()),
            Self::Aligned => "aligned".into(),
        }
    }

    /// Parses one condition (the part of a `check:` line before `|`).
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        match text {
            "walked" => return Ok(Self::Walked),
            "trained" => return Ok(Self::Trained),
            "aligned" => return Ok(Self::Aligned),
            _ => {}
        }
        if let Some(view) = text.strip_prefix("visited ") {
            return parse_view(view.trim()).map(Self::Visited);
        }
        let Some((name, compare, value)) = split_comparison(text) else {
            return Err(format!(
                "\"{}\" is not a check; use rank, loss, steps or models with =, <, <=, > or >= and a number, or walked, trained, aligned, visited VIEW, axes = KIND",
                quote(text)
            ));
        };
        let count = |what: &str| {
            value
                .parse::<usize>()
                .map_err(|_| format!("{what} needs a whole number, not \"{}\"", quote(value)))
        };
        match name {
            "rank" => Ok(Self::Rank(compare, count("rank")?)),
            "steps" => Ok(Self::Steps(compare, count("steps")?)),
            "models" => Ok(Self::Models(compare, count("models")?)),
            "loss" => match value.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(Self::Loss(compare, x)),
                _ => Err(format!("loss needs a number, not \"{}\"", quote(value))),
            },
            "axes" if compare == Compare::Eq => match AXIS_KINDS.iter().find(|&&k| k == value) {
                Some(k) => Ok(Self::Axes((*k).to_string())),
                None => Err(format!(
                    "axes = \"{}\" names no kind of axes; use one of {}",
                    quote(value),
                    AXIS_KINDS.join(", ")
                )),
            },
            "axes" => Err("axes can only be compared with =".into()),
            other => Err(format!(
                "\"{}\" is not something a check can measure; use rank, loss, steps, models or axes",
                quote(other)
            )),
        }
    }
}

/// `name OP value` with OP one of the comparisons (the longest first, so `<=` is not `<`).
fn split_comparison(text: &str) -> Option<(&str, Compare, &str)> {
    let at = text.find(['<', '>', '='])?;
    let rest = &text[at..];
    let (symbol, compare) = Compare::ALL
        .into_iter()
        .find(|(s, _)| rest.starts_with(s))?;
    Some((text[..at].trim(), compare, rest[symbol.len()..].trim()))
}

/// The names `views:` and `visited` accept, as `render --view` spells them
/// (`paths` too, as the app's tab is called).
fn parse_view(name: &str) -> Result<ViewKind, String> {
    match name {
        "data" => Ok(ViewKind::Data),
        "gradients" => Ok(ViewKind::Gradients),
        "slice2d" => Ok(ViewKind::Slice2d),
        "slice3d" => Ok(ViewKind::Slice3d),
        "terrain" => Ok(ViewKind::Terrain),
        "path" | "paths" => Ok(ViewKind::Path),
        other => Err(format!(
            "\"{}\" is not a view; use data, gradients, slice2d, slice3d, terrain or paths",
            quote(other)
        )),
    }
}

/// The name of a view in lesson files.
pub fn view_name(view: ViewKind) -> &'static str {
    match view {
        ViewKind::Data => "data",
        ViewKind::Gradients => "gradients",
        ViewKind::Slice2d => "slice2d",
        ViewKind::Slice3d => "slice3d",
        ViewKind::Terrain => "terrain",
        ViewKind::Path => "paths",
    }
}

/// The lesson header, before its scene is read.
#[derive(Debug, Default, PartialEq)]
pub struct Header {
    pub title: String,
    /// The scene as written, and the line it is on.
    pub scene: (String, usize),
    pub views: Vec<ViewKind>,
    pub caption: String,
    pub checks: Vec<Check>,
    /// The Markdown after the header.
    pub body: String,
}

/// Splits a lesson file into its header and body and parses the header; errors carry
/// the 1-based line.
pub fn parse_header(text: &str) -> Result<Header, (Option<usize>, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l));
    match lines.next() {
        Some((_, first)) if first.trim_end() == "---" => {}
        _ => {
            return Err((
                Some(1),
                "a lesson starts with a header between two \"---\" lines".into(),
            ));
        }
    }
    let mut header = Header::default();
    // The line each single-valued key was given on.
    let mut seen: Vec<(&str, usize)> = Vec::new();
    let mut closed = None;
    for (n, line) in lines.by_ref() {
        if line.trim_end() == "---" {
            closed = Some(n);
            break;
        }
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let Some((key, value)) = line.split_once(':') else {
            return Err((
                Some(n),
                format!(
                    "\"{}\" is not a \"key: value\" line (is the header's closing \"---\" missing?)",
                    quote(line.trim())
                ),
            ));
        };
        let key = key.trim();
        if key != "check" {
            if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
                return Err((
                    Some(n),
                    format!("\"{key}\" is given twice (first on line {first})"),
                ));
            }
            seen.push((key, n));
        }
        header_line(&mut header, key, value.trim(), n).map_err(|m| (Some(n), m))?;
    }
    let Some(end) = closed else {
        return Err((
            Some(1),
            "the header opened on this line is never closed with a \"---\" line".into(),
        ));
    };
    for key in ["title", "scene", "views"] {
        if !seen.iter().any(|(k, _)| *k == key) {
            return Err((Some(end), format!("the header has no \"{key}:\" line")));
        }
    }
    header.body = lines.map(|(_, l)| l).collect::<Vec<_>>().join("\n");
    Ok(header)
}

/// Takes one `key: value` line (on line `n`) into `header`.
fn header_line(header: &mut Header, key: &str, value: &str, n: usize) -> Result<(), String> {
    match key {
        "title" if value.is_empty() => return Err("the title is empty".into()),
        "title" => header.title = shown(value, MAX_TITLE_CHARS),
        "scene" if value.is_empty() => {
            return Err(
                "the scene is empty; name a built-in scene or a file beside the lesson".into(),
            );
        }
        "scene" => header.scene = (value.to_string(), n),
        "views" => {
            header.views = value
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(parse_view)
                .collect::<Result<_, _>>()?;
            if header.views.is_empty() {
                return Err("views names no view; the first is the lesson's main view".into());
            }
        }
        "caption" => header.caption = shown(value, 2 * MAX_TITLE_CHARS),
        "check" => {
            let (condition, prompt) = value.split_once('|').ok_or(
                "a check is a condition, then \"|\" and the prompt (for example \"walked | Walk the manifold.\")",
            )?;
            let condition = Condition::parse(condition)?;
            let prompt = prompt.trim();
            if prompt.is_empty() {
                return Err("the check has no prompt after \"|\"".into());
            }
            header.checks.push(Check {
                condition,
                prompt: shown(prompt, 2 * MAX_TITLE_CHARS),
            });
        }
        other => {
            return Err(format!(
                "unknown key \"{}\" (a header has title, scene, views, caption and check lines)",
                quote(other)
            ));
        }
    }
    Ok(())
}

/// Where a lesson's scene files are found.
enum SceneFiles<'a> {
    /// The built-in tour: files embedded from `assets/tour/`.
    Builtin,
    /// A teacher's folder.
    Folder(&'a Path),
}

/// Parses one lesson file; `file` names it in errors.
fn parse_lesson(file: &str, text: &str, files: &SceneFiles) -> Result<Lesson, LessonError> {
    let error = |line, message| LessonError {
        file: quote(file),
        line,
        message,
    };
    let header = parse_header(text).map_err(|(line, m)| error(line, m))?;
    let (scene_name, scene_line) = header.scene;
    let (scene_json, origin) =
        scene_text(&scene_name, files).map_err(|e| error(Some(scene_line), e.to_string()))?;
    let scene = Scene::from_json(&scene_json, &origin)
        .map_err(|e| error(Some(scene_line), e.to_string()))?;
    Ok(Lesson {
        file: quote(file),
        title: header.title,
        scene_name,
        scene_json,
        scene,
        views: header.views,
        checks: header.checks,
        caption: header.caption,
        body: header.body,
    })
}

/// The JSON of the scene a lesson names, and the name errors use for it.
fn scene_text(name: &str, files: &SceneFiles) -> Result<(String, String), CoreError> {
    if let Some(json) = builtin_json(name) {
        return Ok((json.to_string(), name.to_string()));
    }
    match files {
        SceneFiles::Builtin => BUILTIN_SCENE_FILES
            .iter()
            .find(|(f, _)| *f == name)
            .map(|(f, text)| ((*text).to_string(), format!("assets/tour/{f}")))
            .ok_or_else(|| {
                CoreError::invalid(format!(
                    "no built-in scene and no tour file named \"{}\"",
                    quote(name)
                ))
            }),
        SceneFiles::Folder(dir) => {
            let path = dir.join(name);
            if !path.exists() {
                return Err(CoreError::invalid(format!(
                    "no built-in scene named \"{}\" and no file {} beside the lesson",
                    quote(name),
                    quote(&path.display().to_string())
                )));
            }
            let text = super::files::read_scene_text(&path)?;
            Ok((text, path.display().to_string()))
        }
    }
}

/// The built-in lessons, embedded from `assets/tour/`, in order.
const BUILTIN_LESSONS: &[(&str, &str)] = &[
    (
        "01-one-input.md",
        include_str!("../../assets/tour/01-one-input.md"),
    ),
    (
        "02-two-inputs.md",
        include_str!("../../assets/tour/02-two-inputs.md"),
    ),
    (
        "03-parallel-inputs.md",
        include_str!("../../assets/tour/03-parallel-inputs.md"),
    ),
    (
        "04-k-inputs.md",
        include_str!("../../assets/tour/04-k-inputs.md"),
    ),
    (
        "05-nonlinear.md",
        include_str!("../../assets/tour/05-nonlinear.md"),
    ),
    (
        "06-information-loss.md",
        include_str!("../../assets/tour/06-information-loss.md"),
    ),
    (
        "07-flat-basins.md",
        include_str!("../../assets/tour/07-flat-basins.md"),
    ),
    (
        "08-training-dynamics.md",
        include_str!("../../assets/tour/08-training-dynamics.md"),
    ),
    (
        "09-mode-connectivity.md",
        include_str!("../../assets/tour/09-mode-connectivity.md"),
    ),
];

/// The scene files the built-in lessons name, embedded from `assets/tour/`.
const BUILTIN_SCENE_FILES: &[(&str, &str)] = &[
    (
        "one-input.json",
        include_str!("../../assets/tour/one-input.json"),
    ),
    (
        "k-inputs.json",
        include_str!("../../assets/tour/k-inputs.json"),
    ),
    (
        "information-loss.json",
        include_str!("../../assets/tour/information-loss.json"),
    ),
    (
        "flat-basins.json",
        include_str!("../../assets/tour/flat-basins.json"),
    ),
    (
        "two-solutions.json",
        include_str!("../../assets/tour/two-solutions.json"),
    ),
];

/// Lessons that loaded, in order, and the sentences of those that did not.
#[derive(Clone, Debug, Default)]
pub struct Tour {
    pub lessons: Vec<Lesson>,
    pub errors: Vec<LessonError>,
    /// Where the lessons came from, in words ("the built-in tour" or the folder).
    pub source: String,
}

impl Tour {
    /// The built-in tour (`assets/tour/*.md`).
    pub fn builtin() -> Self {
        let mut tour = Self {
            source: "the built-in tour".into(),
            ..Self::default()
        };
        for (file, text) in BUILTIN_LESSONS {
            tour.push(parse_lesson(file, text, &SceneFiles::Builtin));
        }
        tour
    }

    /// The lessons of `dir`: its `*.md` files in name order, scenes beside them. An
    /// unreadable folder is an error; an unreadable lesson is one of [`Tour::errors`].
    pub fn from_folder(dir: &Path) -> Result<Self, CoreError> {
        let read_err = |source| CoreError::Read {
            path: dir.to_path_buf(),
            source,
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(read_err)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "md"))
            .collect();
        files.sort();
        if files.len() > MAX_LESSONS {
            return Err(CoreError::invalid(format!(
                "{} has {} lesson files, more than the limit of {MAX_LESSONS}",
                quote(&dir.display().to_string()),
                files.len()
            )));
        }
        let mut tour = Self {
            source: quote(&dir.display().to_string()),
            ..Self::default()
        };
        for path in files {
            let name = path
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
            let lesson = super::files::read_text_bounded(&path, MAX_LESSON_BYTES)
                .map_err(|e| LessonError {
                    file: quote(&name),
                    line: None,
                    message: e.to_string(),
                })
                .and_then(|text| parse_lesson(&name, &text, &SceneFiles::Folder(dir)));
            tour.push(lesson);
        }
        Ok(tour)
    }

    /// The built-in tour, or the folder's when one is given.
    pub fn load(dir: Option<&Path>) -> Result<Self, CoreError> {
        dir.map_or_else(|| Ok(Self::builtin()), Self::from_folder)
    }

    fn push(&mut self, lesson: Result<Lesson, LessonError>) {
        match lesson {
            Ok(l) => self.lessons.push(l),
            Err(e) => self.errors.push(e),
        }
    }

    /// Lesson `n`, counting from 1 as `basinscope tour` lists them.
    pub fn lesson(&self, n: usize) -> Result<&Lesson, CoreError> {
        if self.lessons.is_empty() {
            return Err(CoreError::invalid(format!(
                "there is no lesson {n}: {} has no lesson that loads (see `basinscope tour`)",
                self.source
            )));
        }
        n.checked_sub(1)
            .and_then(|i| self.lessons.get(i))
            .ok_or_else(|| {
                CoreError::invalid(format!(
                    "there is no lesson {n}; {} has lessons 1 to {} (see `basinscope tour`)",
                    self.source,
                    self.lessons.len()
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::analysis::{RankTolerance, analyze};

    const GOOD: &str = "---\ntitle: T\nscene: parallel\nviews: slice3d, gradients\ncaption: c\ncheck: rank = 2 | Move input 2.\ncheck: walked | Walk.\n---\nBody *text*.\n";

    #[test]
    fn a_header_gives_title_scene_views_checks_and_body() {
        let h = parse_header(GOOD).unwrap();
        assert_eq!(h.title, "T");
        assert_eq!(h.scene, ("parallel".to_string(), 3));
        assert_eq!(h.views, vec![ViewKind::Slice3d, ViewKind::Gradients]);
        assert_eq!(h.caption, "c");
        assert_eq!(
            h.checks,
            vec![
                Check {
                    condition: Condition::Rank(Compare::Eq, 2),
                    prompt: "Move input 2.".into()
                },
                Check {
                    condition: Condition::Walked,
                    prompt: "Walk.".into()
                }
            ]
        );
        assert_eq!(h.body, "Body *text*.");
    }

    #[test]
    fn header_errors_name_the_line() {
        let cases = [
            (GOOD.replace("scene:", "sceen:"), 3, "unknown key \"sceen\""),
            (GOOD.replacen("---\n", "", 1), 1, "starts with a header"),
            (
                GOOD.replace("\n---\nBody", "\nBody"),
                8,
                "closing \"---\" missing",
            ),
            ("---\ntitle: T\n".to_string(), 1, "never closed"),
            (GOOD.replace("title: T\n", ""), 7, "no \"title:\" line"),
            (
                GOOD.replace("slice3d,", "slice4d,"),
                4,
                "\"slice4d\" is not a view",
            ),
            (GOOD.replace("rank = 2", "rank = two"), 6, "whole number"),
            (GOOD.replace("rank = 2", "colour = 2"), 6, "\"colour\""),
            (GOOD.replace("walked |", "walked"), 7, "\"|\""),
            (
                GOOD.replace("caption: c", "title: again"),
                5,
                "given twice (first on line 2)",
            ),
            (
                GOOD.replace("caption: c", "just words"),
                5,
                "not a \"key: value\" line",
            ),
        ];
        for (text, line, words) in cases {
            let (l, m) = parse_header(&text).unwrap_err();
            assert_eq!(l, Some(line), "{m}");
            assert!(m.contains(words), "{m}");
        }
    }

    #[test]
    fn conditions_parse_every_comparison_and_hold_as_stated() {
        let o = Observation {
            rank: Some(1),
            loss: 0.005,
            steps: 10,
            walked: true,
            visited: vec![ViewKind::Gradients],
            axes: "pca".into(),
            models: 2,
            aligned: false,
        };
        let holds = |s: &str| Condition::parse(s).unwrap().holds(&o);
        assert!(holds("rank = 1") && holds("rank <= 1") && holds("rank < 2") && holds("rank >= 1"));
        assert!(!holds("rank = 2") && !holds("rank > 1") && !holds("rank<1"));
        assert!(holds("loss < 0.01") && !holds("loss < 0.001") && holds("loss >= 1e-3"));
        assert!(holds("steps >= 10") && !holds("steps > 10") && holds("trained"));
        assert!(holds("walked") && !holds("aligned"));
        assert!(holds("visited gradients") && !holds("visited slice3d"));
        assert!(holds("axes = pca") && !holds("axes = random"));
        assert!(holds("models >= 2") && !holds("models >= 3"));
        // An unknown rank (no analysis yet) is never done.
        let unknown = Observation { rank: None, ..o };
        assert!(!Condition::parse("rank <= 5").unwrap().holds(&unknown));
        assert!(Condition::parse("axes = diagonal").is_err());
        assert!(Condition::parse("axes < pca").is_err());
        assert!(Condition::parse("loss < NaN").is_err());
        assert!(Condition::parse("visited kitchen").is_err());
    }

    #[test]
    fn every_builtin_lesson_loads_with_its_scene() {
        let tour = Tour::builtin();
        assert!(tour.errors.is_empty(), "{:?}", tour.errors);
        assert_eq!(tour.lessons.len(), 9);
        for l in &tour.lessons {
            assert!(!l.body.trim().is_empty(), "{}", l.file);
            assert!(!l.checks.is_empty(), "{} has no Try this", l.file);
        }
    }

    /// The ranks the lessons' texts state, against the analysis of their scenes.
    #[test]
    fn builtin_lessons_state_the_rank_their_scenes_have() {
        let tour = Tour::builtin();
        let rank = |n: usize| {
            let s = &tour.lesson(n).unwrap().scene;
            analyze(
                &s.model,
                &s.parameters,
                &s.data,
                RankTolerance::NumpyDefault,
            )
            .unwrap()
            .g_rank
        };
        assert_eq!(rank(1), 1, "one input");
        assert_eq!(rank(2), 2, "two perpendicular inputs");
        assert_eq!(rank(3), 1, "two parallel inputs");
        let l4 = &tour.lesson(4).unwrap().scene;
        assert_eq!(rank(4), l4.data.n_inputs(), "k independent inputs");
        assert!(tour.lesson(4).unwrap().body.contains(&format!(
            "N − k = {} − {} = {}",
            l4.parameters.len(),
            l4.data.n_inputs(),
            l4.parameters.len() - l4.data.n_inputs()
        )));
        let l6 = &tour.lesson(6).unwrap().scene;
        assert!(rank(6) < l6.data.n_inputs().min(l6.parameters.len()));
        assert!(
            tour.lesson(6)
                .unwrap()
                .body
                .contains(&format!("rank G = {}", rank(6)))
        );
        assert!(
            tour.lesson(10)
                .unwrap_err()
                .to_string()
                .contains("lessons 1 to 9")
        );
        assert!(tour.lesson(0).is_err());
    }

    /// A "Try this" box is ticked by doing something: no built-in check holds when its
    /// lesson opens (other than visiting the main view, which the lesson shows).
    #[test]
    fn no_builtin_check_is_done_when_its_lesson_opens() {
        for (i, lesson) in Tour::builtin().lessons.iter().enumerate() {
            let s = &lesson.scene;
            let a = analyze(
                &s.model,
                &s.parameters,
                &s.data,
                RankTolerance::NumpyDefault,
            )
            .unwrap();
            let opened = Observation {
                rank: Some(a.g_rank),
                loss: a.loss,
                steps: 0,
                walked: false,
                visited: vec![lesson.main_view()],
                axes: s.view.slice.axes.kind().to_string(),
                models: s.models.len(),
                aligned: false,
            };
            for check in &lesson.checks {
                if check.condition == Condition::Visited(lesson.main_view()) {
                    continue;
                }
                assert!(
                    !check.condition.holds(&opened),
                    "lesson {}: \"{}\" is done before anything was tried",
                    i + 1,
                    check.prompt
                );
            }
        }
    }

    /// Lesson 7: at its scene's minimum H = (2/k)GGᵀ and rank H = rank G = 3, as its
    /// text says.
    #[test]
    fn lesson_7_opens_at_a_minimum_where_the_hessian_is_the_gauss_newton_matrix() {
        let tour = Tour::builtin();
        let lesson = tour.lesson(7).unwrap();
        let s = &lesson.scene;
        let a = analyze(
            &s.model,
            &s.parameters,
            &s.data,
            RankTolerance::NumpyDefault,
        )
        .unwrap();
        assert!(a.loss < 1e-20, "loss {}", a.loss);
        assert!(a.hessian_gauss_newton_distance < 1e-8);
        assert_eq!((a.g_rank, a.hessian_rank), (3, 3));
        assert!(lesson.body.contains("rank H = rank G = 3"));
        assert!(lesson.body.contains(&format!("(N = {})", a.n_params)));
    }

    /// Lesson 9: the barriers its text quotes (about 1.64 before weight matching, about
    /// 0.06 after, on the 25-point grid).
    #[test]
    fn lesson_9_quotes_the_barriers_of_its_two_models() {
        use crate::core::align::{MAX_SWEEPS, weight_matching};
        use crate::core::paths::{DEFAULT_POINTS, Path, evaluate_path, t_grid};
        let tour = Tour::builtin();
        let s = &tour.lesson(9).unwrap().scene;
        let (a, b) = (&s.models[0].parameters, &s.models[1].parameters);
        let t = t_grid(DEFAULT_POINTS).unwrap();
        let barrier = |b: &[f64]| {
            evaluate_path(&s.model, &s.data, &Path::Linear { a, b }, &t)
                .unwrap()
                .loss_barriers
                .mean
        };
        let aligned = weight_matching(&s.model, a, b, 0, MAX_SWEEPS).unwrap();
        let (before, after) = (barrier(b), barrier(&aligned.theta_aligned));
        assert!((before - 1.64).abs() < 0.005, "{before}");
        assert!((after - 0.06).abs() < 0.005, "{after}");
    }

    #[test]
    fn a_malformed_lesson_in_a_folder_is_named_with_its_line_and_the_others_load() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("01-good.md"), GOOD).unwrap();
        std::fs::write(
            dir.path().join("02-bad.md"),
            GOOD.replace("scene:", "sceen:"),
        )
        .unwrap();
        let own = GOOD.replace("scene: parallel", "scene: mine.json");
        std::fs::write(dir.path().join("03-own.md"), &own).unwrap();
        std::fs::write(
            dir.path().join("mine.json"),
            builtin_json("perpendicular").unwrap(),
        )
        .unwrap();
        std::fs::write(
            dir.path().join("04-missing.md"),
            GOOD.replace("scene: parallel", "scene: gone.json"),
        )
        .unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not a lesson").unwrap();
        let tour = Tour::from_folder(dir.path()).unwrap();
        let files: Vec<&str> = tour.lessons.iter().map(|l| l.file.as_str()).collect();
        assert_eq!(files, ["01-good.md", "03-own.md"]);
        assert_eq!(tour.lessons[1].scene.name, "perpendicular");
        let errors: Vec<String> = tour.errors.iter().map(ToString::to_string).collect();
        assert_eq!(errors.len(), 2);
        assert!(
            errors[0].starts_with("lesson 02-bad.md line 3: unknown key \"sceen\""),
            "{}",
            errors[0]
        );
        assert!(
            errors[1].starts_with("lesson 04-missing.md line 3: ")
                && errors[1].contains("gone.json"),
            "{}",
            errors[1]
        );
        assert!(Tour::from_folder(&dir.path().join("nope")).is_err());
    }
}
