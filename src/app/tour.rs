//! The guided tour's side panel: the lesson's Markdown (egui_commonmark), Back / Next /
//! a lesson picker / Leave tour, and the "Try this" checks, evaluated every frame
//! against the app's state and ticked while they hold.
//!
//! Entering a lesson loads its scene through the ordinary load path
//! ([`Action::LoadText`]) and brings its main view forward ([`Action::ShowView`]);
//! leaving the tour closes the panel and keeps the place, so the Tour button reopens
//! at the lesson the user left.

use std::path::PathBuf;

use egui_commonmark::{CommonMarkCache, CommonMarkViewer};

use super::BasinscopeApp;
use super::state::{Action, ViewTab};
use crate::core::align::AlignMethod;
use crate::core::scene::ViewKind;
use crate::core::tour::{Lesson, Observation, Tour};

/// What the tour panel and the top bar ask of the tour.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TourAction {
    /// Opens the panel (loading the tour the first time) at the current lesson.
    Open,
    /// Closes the panel; the place is kept.
    Leave,
    /// Enters lesson `index` (0-based): loads its scene and shows its main view.
    Go(usize),
    /// Replaces the lessons with those of a folder (as `--tour DIR` does) and enters the
    /// first.
    OpenFolder(PathBuf),
}

/// How the app was started, as far as the tour cares.
#[derive(Clone, Debug, Default)]
pub struct TourLaunch {
    /// Offer the tour in the top bar (the app started without a scene argument).
    pub offer: bool,
    /// A folder of lessons replacing the built-in tour (`--tour DIR`).
    pub dir: Option<PathBuf>,
}

/// The tour's state: the lessons, where the user is, and what they did in this lesson.
#[derive(Default)]
pub struct TourState {
    pub launch: TourLaunch,
    /// The lessons, loaded when the tour first opens.
    pub tour: Option<Tour>,
    /// Whether the panel is shown.
    pub open: bool,
    /// The lesson shown (0-based).
    pub current: usize,
    /// The lesson whose scene was last loaded.
    pub entered: Option<usize>,
    /// Views shown since the lesson was entered.
    pub visited: Vec<ViewKind>,
    /// What the checks saw last frame, one per check of the current lesson.
    pub done: Vec<bool>,
    /// The text of the panel's "lessons from a folder" field.
    pub folder_text: String,
    markdown: CommonMarkCache,
}

impl TourState {
    /// The top bar's label for the tour button.
    pub fn button_label(&self) -> &'static str {
        if self.launch.offer && self.entered.is_none() {
            "New here? Take the tour"
        } else {
            "Tour"
        }
    }

    /// The lesson shown, if the tour is loaded and has lessons.
    pub fn lesson(&self) -> Option<&Lesson> {
        self.tour.as_ref()?.lessons.get(self.current)
    }
}

/// The app's tab for a scene's view kind.
pub fn tab_of(kind: ViewKind) -> ViewTab {
    match kind {
        ViewKind::Data => ViewTab::Data,
        ViewKind::Gradients => ViewTab::Gradients,
        ViewKind::Slice2d => ViewTab::Slice2d,
        ViewKind::Slice3d => ViewTab::Slice3d,
        ViewKind::Terrain => ViewTab::Terrain,
        ViewKind::Path => ViewTab::Paths,
    }
}

/// The scene's view kind for one of the app's tabs.
pub fn kind_of(tab: ViewTab) -> ViewKind {
    match tab {
        ViewTab::Data => ViewKind::Data,
        ViewTab::Gradients => ViewKind::Gradients,
        ViewTab::Slice2d => ViewKind::Slice2d,
        ViewTab::Slice3d => ViewKind::Slice3d,
        ViewTab::Terrain => ViewKind::Terrain,
        ViewTab::Paths => ViewKind::Path,
    }
}

impl BasinscopeApp {
    /// Applies a [`TourAction`].
    pub(super) fn apply_tour(&mut self, action: TourAction) {
        match action {
            TourAction::Open => {
                if self.tour.tour.is_none() {
                    match Tour::load(self.tour.launch.dir.as_deref()) {
                        Ok(t) => {
                            for e in &t.errors {
                                log::warn!("{e}");
                            }
                            self.tour.tour = Some(t);
                        }
                        Err(e) => {
                            self.state.error(format!("cannot open the tour: {e}"));
                            return;
                        }
                    }
                }
                self.tour.open = true;
                if self.tour.entered.is_none() {
                    self.apply_tour(TourAction::Go(self.tour.current));
                }
            }
            TourAction::Leave => self.tour.open = false,
            TourAction::OpenFolder(dir) => match Tour::from_folder(&dir) {
                Ok(t) => {
                    let (lessons, errors) = (t.lessons.len(), t.errors.len());
                    self.tour.tour = Some(t);
                    self.tour.launch.dir = Some(dir);
                    self.tour.current = 0;
                    self.tour.entered = None;
                    self.tour.open = true;
                    if lessons > 0 {
                        self.apply_tour(TourAction::Go(0));
                    }
                    if errors > 0 {
                        self.state.error(format!(
                            "{errors} lesson file(s) of the folder did not load; the tour panel lists why"
                        ));
                    }
                }
                Err(e) => self
                    .state
                    .error(format!("cannot open the lessons folder: {e}")),
            },
            TourAction::Go(index) => {
                let Some(lesson) = self.tour.tour.as_ref().and_then(|t| t.lessons.get(index))
                else {
                    return;
                };
                let origin = format!("lesson {}: {}", index + 1, lesson.title);
                let text = lesson.scene_json.clone();
                let view = tab_of(lesson.main_view());
                self.tour.current = index;
                self.tour.entered = Some(index);
                self.tour.visited.clear();
                self.tour.done.clear();
                self.apply(Action::LoadText { text, origin });
                self.apply(Action::ShowView(view));
            }
        }
    }

    /// What the checks of a lesson are evaluated against, read from the app's state.
    pub fn tour_observation(&self) -> Observation {
        let s = &self.state;
        let rank = self.analysis.as_ref().and_then(|(r, a, _)| {
            (r.spec == s.scene.model && r.theta == s.scene.parameters && r.data == s.scene.data)
                .then_some(a.g_rank)
        });
        let aligned = matches!(
            &self.paths.comparison,
            Some(Ok(c)) if c.key.method != AlignMethod::None && c.key.spec == s.scene.model
        );
        Observation {
            rank,
            loss: s.loss,
            steps: s.steps_done.saturating_sub(s.step_offset),
            walked: !s.manifold_walk.is_empty(),
            visited: self.tour.visited.clone(),
            axes: s.scene.view.slice.axes.kind().to_string(),
            models: s.scene.models.len(),
            aligned,
        }
    }

    /// The tour's side panel (nothing while it is closed); call before the central panel.
    pub(super) fn tour_ui(&mut self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        if !self.tour.open {
            return;
        }
        let Some(lesson) = self.tour.lesson() else {
            // A tour folder with no lesson that loads: say so in the panel.
            egui::Panel::right("tour").show(ui, |ui| {
                ui.heading("Tour");
                folder_ui(ui, &mut self.tour.folder_text, actions);
                errors_ui(ui, self.tour.tour.as_ref());
                if ui.button("Leave tour").clicked() {
                    actions.push(Action::Tour(TourAction::Leave));
                }
            });
            return;
        };
        let needs_rank = lesson.checks.iter().any(|c| c.condition.needs_rank());
        let kind = kind_of(self.state.active_view);
        if !self.tour.visited.contains(&kind) {
            self.tour.visited.push(kind);
        }
        if needs_rank {
            self.update_analysis();
        }
        let observation = self.tour_observation();
        let active = self.state.active_view;
        let TourState {
            tour: Some(tour),
            current,
            done,
            markdown,
            folder_text,
            ..
        } = &mut self.tour
        else {
            return;
        };
        let current = *current;
        let lesson = &tour.lessons[current];
        *done = lesson
            .checks
            .iter()
            .map(|c| c.condition.holds(&observation))
            .collect();
        egui::Panel::right("tour")
            .resizable(true)
            .default_size(380.0)
            .show(ui, |ui| {
                nav_ui(ui, tour, current, actions);
                folder_ui(ui, folder_text, actions);
                ui.separator();
                ui.heading(format!("{}. {}", current + 1, lesson.title));
                views_ui(ui, lesson, active, current, actions);
                errors_ui(ui, Some(tour));
                ui.separator();
                // The prompts stay in view below the text, however long it is.
                if !lesson.checks.is_empty() {
                    egui::Panel::bottom("tour_try_this").show(ui, |ui| {
                        try_this_ui(ui, lesson, done);
                    });
                }
                egui::ScrollArea::vertical().show(ui, |ui| {
                    CommonMarkViewer::new().show(ui, markdown, &lesson.body);
                });
            });
    }
}

/// Back, Next, the lesson picker and Leave tour.
fn nav_ui(ui: &mut egui::Ui, tour: &Tour, current: usize, actions: &mut Vec<Action>) {
    let count = tour.lessons.len();
    ui.horizontal(|ui| {
        if ui
            .add_enabled(current > 0, egui::Button::new("‹ Back"))
            .clicked()
        {
            actions.push(Action::Tour(TourAction::Go(current - 1)));
        }
        if ui
            .add_enabled(current + 1 < count, egui::Button::new("Next ›"))
            .clicked()
        {
            actions.push(Action::Tour(TourAction::Go(current + 1)));
        }
        egui::ComboBox::from_id_salt("tour_lesson")
            .selected_text(format!("lesson {} of {count}", current + 1))
            .show_ui(ui, |ui| {
                for (i, lesson) in tour.lessons.iter().enumerate() {
                    if ui
                        .selectable_label(i == current, format!("{}. {}", i + 1, lesson.title))
                        .clicked()
                    {
                        actions.push(Action::Tour(TourAction::Go(i)));
                    }
                }
            });
        if ui
            .button("Leave tour")
            .on_hover_text("close the lesson and explore; the Tour button brings you back here")
            .clicked()
        {
            actions.push(Action::Tour(TourAction::Leave));
        }
    });
}

/// A folder of lessons to use instead of these (a teacher's own, edited without
/// recompiling).
fn folder_ui(ui: &mut egui::Ui, folder_text: &mut String, actions: &mut Vec<Action>) {
    egui::CollapsingHeader::new("lessons from a folder…")
        .id_salt("tour_folder")
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.add(
                    egui::TextEdit::singleline(folder_text)
                        .hint_text("a folder of NN-name.md lessons")
                        .desired_width(220.0),
                );
                let path = folder_text.trim();
                if ui
                    .add_enabled(!path.is_empty(), egui::Button::new("Open"))
                    .clicked()
                {
                    actions.push(Action::Tour(TourAction::OpenFolder(PathBuf::from(path))));
                }
            });
        });
}

/// The lesson's views (each brings its view forward) and "restart lesson".
fn views_ui(
    ui: &mut egui::Ui,
    lesson: &Lesson,
    active: ViewTab,
    current: usize,
    actions: &mut Vec<Action>,
) {
    ui.horizontal_wrapped(|ui| {
        ui.label("views:");
        for &view in &lesson.views {
            let tab = tab_of(view);
            if ui.selectable_label(active == tab, tab.label()).clicked() {
                actions.push(Action::ShowView(tab));
            }
        }
        if ui
            .small_button("restart lesson")
            .on_hover_text("reload the lesson's scene and clear its checks")
            .clicked()
        {
            actions.push(Action::Tour(TourAction::Go(current)));
        }
    });
}

/// The "Try this" prompts, each with its box.
fn try_this_ui(ui: &mut egui::Ui, lesson: &Lesson, done: &[bool]) {
    ui.add_space(4.0);
    ui.strong("Try this");
    for (check, done) in lesson.checks.iter().zip(done) {
        ui.horizontal_wrapped(|ui| {
            check_box_ui(ui, *done);
            ui.label(&check.prompt);
        });
    }
    ui.add_space(4.0);
}

/// A box, ticked while its check holds (drawn, not a checkbox: the student cannot tick it,
/// only do what it asks; and egui's default font has no ☐/☑ glyphs).
fn check_box_ui(ui: &mut egui::Ui, done: bool) {
    let side = ui.text_style_height(&egui::TextStyle::Body);
    let (rect, _) = ui.allocate_exact_size(egui::vec2(side, side), egui::Sense::hover());
    let rect = rect.shrink(2.0);
    let painter = ui.painter();
    let stroke = ui.visuals().widgets.inactive.fg_stroke;
    if done {
        let green = egui::Color32::from_rgb(70, 170, 95);
        painter.rect_filled(rect, 2.0, green);
        let tick = egui::Stroke::new(2.0, egui::Color32::WHITE);
        let at = |x: f32, y: f32| rect.min + egui::vec2(x * rect.width(), y * rect.height());
        painter.line_segment([at(0.2, 0.5), at(0.42, 0.75)], tick);
        painter.line_segment([at(0.42, 0.75), at(0.8, 0.25)], tick);
    } else {
        painter.rect_stroke(rect, 2.0, stroke, egui::StrokeKind::Inside);
    }
}

/// The lessons that did not load, one sentence each.
fn errors_ui(ui: &mut egui::Ui, tour: Option<&Tour>) {
    let Some(tour) = tour else { return };
    if tour.errors.is_empty() {
        if tour.lessons.is_empty() {
            ui.label(format!("{} has no lessons.", tour.source));
        }
        return;
    }
    egui::CollapsingHeader::new(format!("{} lesson file(s) did not load", tour.errors.len()))
        .default_open(tour.lessons.is_empty())
        .show(ui, |ui| {
            for e in &tour.errors {
                ui.colored_label(ui.visuals().error_fg_color, e.to_string());
            }
        });
}
