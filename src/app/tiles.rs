//! The central area's views as tiles (egui_tiles): tabs the user drags to split,
//! rearrange, close and reopen; the default arrangement; bringing a view forward
//! ([`Action::ShowView`]); and [`Layout`], the arrangement as it is saved with the session.
//!
//! Each [`ViewTab`] is at most one pane, so the views' state and background jobs (one
//! per view in `jobs.rs`) stay one per view however the tiles are arranged.

use egui_tiles::{
    Behavior, Container, EditAction, Linear, LinearDir, SimplificationOptions, Tabs, Tile, TileId,
    Tiles, Tree, UiResponse,
};
use serde::{Deserialize, Serialize};

use super::{Action, BasinscopeApp, ViewTab, data_view, paths, slice, volume_view};

/// Nesting depth beyond which a saved layout is refused (six panes never need more).
const MAX_DEPTH: usize = 12;

/// The tree's egui id (the same in every session, so egui's memory of it carries over).
fn tree_id() -> egui::Id {
    egui::Id::unique("basinscope_views")
}

/// The name of a view in a saved [`Layout`] (the `render --view` names).
pub fn view_key(tab: ViewTab) -> &'static str {
    match tab {
        ViewTab::Data => "data",
        ViewTab::Gradients => "gradients",
        ViewTab::Slice2d => "slice2d",
        ViewTab::Slice3d => "slice3d",
        ViewTab::Terrain => "terrain",
        ViewTab::Paths => "paths",
    }
}

fn view_from_key(key: &str) -> Option<ViewTab> {
    ViewTab::ALL.into_iter().find(|&t| view_key(t) == key)
}

/// An arrangement of views as saved in the settings file: a tree of tab groups and
/// splits whose leaves name views. It is checked when it becomes tiles
/// ([`ViewTiles::from_layout`]), so a damaged file means the default arrangement.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Layout {
    View {
        view: String,
    },
    /// Tabs; `active` is the index of the open one.
    Tabs {
        children: Vec<Layout>,
        active: usize,
    },
    /// Left to right; each child's width is its share of the sum of `shares`.
    Horizontal {
        children: Vec<Layout>,
        shares: Vec<f32>,
    },
    /// Top to bottom, with shares as for [`Layout::Horizontal`].
    Vertical {
        children: Vec<Layout>,
        shares: Vec<f32>,
    },
    Grid {
        children: Vec<Layout>,
    },
}

/// The views as tiles.
pub struct ViewTiles {
    pub tree: Tree<ViewTab>,
    /// The view last brought forward; when `state.active_view` differs (a scene opened,
    /// a panel chose a view), that view is brought forward.
    shown: Option<ViewTab>,
    /// The arrangement changed since it was last saved.
    pub changed: bool,
}

impl Default for ViewTiles {
    /// Data (with the gradients and paths views behind it) beside the 2D slice (with the
    /// 3D slice and terrain behind it), 45 : 55, since the slice also needs room for its
    /// axes and color bar. At 1280 × 800 the two are about 420 and 520 points wide: the
    /// slice picture is as large as it was alone in the central area, dragging a point
    /// shows its effect on the slice at once, and at most one ray-marched 3D view is
    /// drawn per frame (the slow ones on a software rasterizer). Views of the input space
    /// sit on the left, views of the parameter space on the right.
    fn default() -> Self {
        let mut tiles = Tiles::default();
        let mut tabs = |views: &[ViewTab]| {
            let children = views.iter().map(|&v| tiles.insert_pane(v)).collect();
            tiles.insert_tab_tile(children)
        };
        let left = tabs(&[ViewTab::Data, ViewTab::Gradients, ViewTab::Paths]);
        let right = tabs(&[ViewTab::Slice2d, ViewTab::Slice3d, ViewTab::Terrain]);
        let root = tiles.insert_container(Linear::new_binary(
            LinearDir::Horizontal,
            [left, right],
            0.45,
        ));
        Self::from_tree(Tree::new(tree_id(), root, tiles))
    }
}

impl ViewTiles {
    /// Every view as a tab of one group, so one view fills the central area (as before
    /// there were tiles).
    pub fn one_group() -> Self {
        let mut tiles = Tiles::default();
        let children = ViewTab::ALL.map(|v| tiles.insert_pane(v)).to_vec();
        let root = tiles.insert_tab_tile(children);
        Self::from_tree(Tree::new(tree_id(), root, tiles))
    }

    fn from_tree(tree: Tree<ViewTab>) -> Self {
        Self {
            tree,
            shown: None,
            changed: false,
        }
    }

    /// The tiles of a saved arrangement, or `None` when it names an unknown view, names a
    /// view twice, has an empty group, a share that is not a positive number, an active
    /// tab out of range, or nests too deep.
    pub fn from_layout(layout: &Layout) -> Option<Self> {
        let mut tiles = Tiles::default();
        let mut seen = Vec::new();
        let root = insert_layout(&mut tiles, layout, &mut seen, 0)?;
        Some(Self::from_tree(Tree::new(tree_id(), root, tiles)))
    }

    /// The arrangement to save (`None` when every view is closed).
    pub fn layout(&self) -> Option<Layout> {
        layout_of(&self.tree.tiles, self.tree.root?)
    }

    /// The views that have a tile, in the tree's order (shown or behind another tab).
    pub fn open_views(&self) -> Vec<ViewTab> {
        let mut views = Vec::new();
        if let Some(root) = self.tree.root {
            collect_panes(&self.tree.tiles, root, &mut views);
        }
        views
    }

    /// The views drawn (open and not behind another tab).
    pub fn visible_views(&self) -> Vec<ViewTab> {
        let active = self.tree.active_tiles();
        self.open_views()
            .into_iter()
            .filter(|v| {
                self.tree
                    .tiles
                    .find_pane(v)
                    .is_some_and(|id| active.contains(&id))
            })
            .collect()
    }

    /// Where `view` was drawn in the last frame, if it was.
    pub fn pane_rect(&self, view: ViewTab) -> Option<egui::Rect> {
        self.tree
            .tiles
            .rect(self.tree.tiles.find_pane(&view)?)
            .filter(|_| self.open_views().contains(&view))
    }

    /// Brings `view` forward: makes its tab the open one, or, when it was closed, adds it
    /// as a tab to the largest tab group (or as the only view).
    pub fn show(&mut self, view: ViewTab) {
        self.shown = Some(view);
        if !self.open_views().contains(&view) {
            self.open(view);
        }
        self.tree
            .make_active(|_, tile| matches!(tile, Tile::Pane(v) if *v == view));
    }

    fn open(&mut self, view: ViewTab) {
        let tiles = &mut self.tree.tiles;
        // A pane left unreachable by an edit is collected, never shown twice.
        if let Some(stale) = tiles.find_pane(&view) {
            tiles.remove(stale);
        }
        let pane = tiles.insert_pane(view);
        let group = self.tree.root.and_then(|root| largest_tabs(tiles, root));
        match (group, self.tree.root) {
            (Some(group), _) => {
                if let Some(Tile::Container(c)) = tiles.get_mut(group) {
                    c.add_child(pane);
                }
            }
            (None, Some(root)) => {
                let tabs = tiles.insert_tab_tile(vec![pane]);
                let split = tiles.insert_horizontal_tile(vec![root, tabs]);
                self.tree.root = Some(split);
            }
            (None, None) => self.tree.root = Some(tiles.insert_tab_tile(vec![pane])),
        }
        self.changed = true;
    }
}

/// Builds the tiles of `layout`; `None` when it is not a valid arrangement.
fn insert_layout(
    tiles: &mut Tiles<ViewTab>,
    layout: &Layout,
    seen: &mut Vec<ViewTab>,
    depth: usize,
) -> Option<TileId> {
    if depth > MAX_DEPTH {
        return None;
    }
    let mut children = |list: &[Layout], tiles: &mut Tiles<ViewTab>| {
        if list.is_empty() {
            return None;
        }
        list.iter()
            .map(|child| insert_layout(tiles, child, seen, depth + 1))
            .collect::<Option<Vec<TileId>>>()
    };
    match layout {
        Layout::View { view } => {
            let view = view_from_key(view)?;
            if seen.contains(&view) {
                return None;
            }
            seen.push(view);
            Some(tiles.insert_pane(view))
        }
        Layout::Tabs {
            children: list,
            active,
        } => {
            let ids = children(list, tiles)?;
            let mut tabs = Tabs::new(ids.clone());
            tabs.set_active(*ids.get(*active)?);
            Some(tiles.insert_container(tabs))
        }
        Layout::Horizontal {
            children: list,
            shares,
        }
        | Layout::Vertical {
            children: list,
            shares,
        } => {
            let ids = children(list, tiles)?;
            if shares.len() != ids.len() || !shares.iter().all(|s| s.is_finite() && *s > 0.0) {
                return None;
            }
            let dir = if matches!(layout, Layout::Horizontal { .. }) {
                LinearDir::Horizontal
            } else {
                LinearDir::Vertical
            };
            let mut linear = Linear::new(dir, ids.clone());
            for (id, share) in ids.into_iter().zip(shares) {
                linear.shares.set_share(id, *share);
            }
            Some(tiles.insert_container(linear))
        }
        Layout::Grid { children: list } => {
            let ids = children(list, tiles)?;
            Some(tiles.insert_container(egui_tiles::Grid::new(ids)))
        }
    }
}

/// The saved form of the tile `id` and what it holds.
fn layout_of(tiles: &Tiles<ViewTab>, id: TileId) -> Option<Layout> {
    let list = |ids: Vec<TileId>| -> Vec<(TileId, Layout)> {
        ids.into_iter()
            .filter_map(|c| Some((c, layout_of(tiles, c)?)))
            .collect()
    };
    let layout = match tiles.get(id)? {
        Tile::Pane(view) => Layout::View {
            view: view_key(*view).to_string(),
        },
        Tile::Container(Container::Tabs(tabs)) => {
            let kept = list(tabs.children.clone());
            let active = kept
                .iter()
                .position(|(c, _)| Some(*c) == tabs.active)
                .unwrap_or(0);
            Layout::Tabs {
                children: kept.into_iter().map(|(_, l)| l).collect(),
                active,
            }
        }
        Tile::Container(Container::Linear(linear)) => {
            let kept = list(linear.children.clone());
            let shares = kept.iter().map(|(c, _)| linear.shares[*c]).collect();
            let children = kept.into_iter().map(|(_, l)| l).collect();
            match linear.dir {
                LinearDir::Horizontal => Layout::Horizontal { children, shares },
                LinearDir::Vertical => Layout::Vertical { children, shares },
            }
        }
        Tile::Container(Container::Grid(grid)) => Layout::Grid {
            children: list(grid.children().copied().collect())
                .into_iter()
                .map(|(_, l)| l)
                .collect(),
        },
    };
    // An empty group saves as nothing (it would not load).
    match &layout {
        Layout::Tabs { children, .. }
        | Layout::Horizontal { children, .. }
        | Layout::Vertical { children, .. }
        | Layout::Grid { children }
            if children.is_empty() =>
        {
            None
        }
        _ => Some(layout),
    }
}

fn collect_panes(tiles: &Tiles<ViewTab>, id: TileId, out: &mut Vec<ViewTab>) {
    match tiles.get(id) {
        Some(Tile::Pane(view)) => out.push(*view),
        Some(Tile::Container(c)) => {
            for &child in c.children() {
                collect_panes(tiles, child, out);
            }
        }
        None => {}
    }
}

/// The tab group under `id` holding the most tiles.
fn largest_tabs(tiles: &Tiles<ViewTab>, id: TileId) -> Option<TileId> {
    let Some(Tile::Container(c)) = tiles.get(id) else {
        return None;
    };
    let own = matches!(c, Container::Tabs(_)).then_some((c.num_children(), id));
    c.children()
        .filter_map(|&child| largest_tabs(tiles, child))
        .filter_map(|t| Some((tiles.get_container(t)?.num_children(), t)))
        .chain(own)
        .max_by_key(|(n, _)| *n)
        .map(|(_, t)| t)
}

/// How the tiles show the app's views.
struct ViewsBehavior<'a> {
    app: &'a mut BasinscopeApp,
    actions: &'a mut Vec<Action>,
    edited: bool,
}

impl Behavior<ViewTab> for ViewsBehavior<'_> {
    fn pane_ui(&mut self, ui: &mut egui::Ui, _tile_id: TileId, view: &mut ViewTab) -> UiResponse {
        let view = *view;
        // A press inside a view makes it the focused one (the one Export starts on).
        let pressed =
            ui.input(|i| i.pointer.any_pressed()) && ui.rect_contains_pointer(ui.max_rect());
        if pressed && self.app.state.active_view != view {
            self.actions.push(Action::ShowView(view));
        }
        egui::Frame::new()
            .inner_margin(egui::Margin::same(6))
            .show(ui, |ui| {
                ui.set_min_size(ui.available_size());
                self.app.view_ui(ui, view, self.actions);
            });
        UiResponse::None
    }

    fn tab_title_for_pane(&mut self, view: &ViewTab) -> egui::WidgetText {
        view.label().into()
    }

    /// A group dropped into a tab group is named by its views ("Data + Loss terrain"),
    /// not by its kind.
    fn tab_title_for_tile(&mut self, tiles: &Tiles<ViewTab>, tile_id: TileId) -> egui::WidgetText {
        let mut views = Vec::new();
        collect_panes(tiles, tile_id, &mut views);
        let names: Vec<&str> = views.into_iter().map(ViewTab::label).collect();
        names.join(" + ").into()
    }

    fn is_tab_closable(&self, _tiles: &Tiles<ViewTab>, _tile_id: TileId) -> bool {
        true
    }

    fn on_tab_button(
        &mut self,
        tiles: &mut Tiles<ViewTab>,
        tile_id: TileId,
        response: egui::Response,
    ) -> egui::Response {
        if response.clicked()
            && let Some(Tile::Pane(view)) = tiles.get(tile_id)
        {
            self.actions.push(Action::ShowView(*view));
        }
        response
    }

    fn on_edit(&mut self, edit: EditAction) {
        // Choosing a tab is not a new arrangement worth a write; its tab is saved with
        // the next real change or at exit.
        if edit != EditAction::TabSelected {
            self.edited = true;
        }
    }

    /// egui_tiles derives these colors from the panels' fill, which the native window
    /// leaves transparent (see `backdrop.rs`): they come from the color it clears to.
    fn tab_bar_color(&self, visuals: &egui::Visuals) -> egui::Color32 {
        if visuals.dark_mode {
            visuals.extreme_bg_color
        } else {
            (egui::Rgba::from(self.panel_fill(visuals)) * egui::Rgba::from_gray(0.8)).into()
        }
    }

    fn tab_bg_color(
        &self,
        visuals: &egui::Visuals,
        _tiles: &Tiles<ViewTab>,
        _tile_id: TileId,
        state: &egui_tiles::TabState,
    ) -> egui::Color32 {
        if state.active {
            // The same as the tab's contents.
            self.panel_fill(visuals)
        } else {
            egui::Color32::TRANSPARENT
        }
    }

    fn dragged_overlay_color(&self, visuals: &egui::Visuals) -> egui::Color32 {
        self.panel_fill(visuals).gamma_multiply(0.5)
    }

    fn simplification_options(&self) -> SimplificationOptions {
        // Every view keeps a tab: its title is the handle to drag it and to close it.
        SimplificationOptions {
            all_panes_must_have_tabs: true,
            ..SimplificationOptions::default()
        }
    }
}

impl ViewsBehavior<'_> {
    /// The panels' color, painted or cleared to.
    fn panel_fill(&self, visuals: &egui::Visuals) -> egui::Color32 {
        self.app
            .backdrop
            .map_or(visuals.panel_fill, |b| b.panel_fill(visuals))
    }
}

/// The "Views" menu: every view, open ones checked; choosing one brings it forward.
pub fn views_menu_ui(ui: &mut egui::Ui, open: &[ViewTab], actions: &mut Vec<Action>) {
    ui.menu_button("Views", |ui| {
        for tab in ViewTab::ALL {
            let mut is_open = open.contains(&tab);
            if ui.checkbox(&mut is_open, tab.label()).clicked() {
                actions.push(Action::ShowView(tab));
                ui.close();
            }
        }
        ui.separator();
        if ui
            .button("Default arrangement")
            .on_hover_text("data beside the 2D slice, the other views as tabs")
            .clicked()
        {
            actions.push(Action::ResetViews);
            ui.close();
        }
    })
    .response
    .on_hover_text("open a closed view; drag a tab's title to split or move it");
}

impl BasinscopeApp {
    /// [`Action::ShowView`]: `view` becomes the focused view, brought forward.
    pub(super) fn show_view(&mut self, view: ViewTab) {
        self.state.active_view = view;
        self.tiles.show(view);
    }

    /// [`Action::ResetViews`]: the default arrangement, with the focused view in front.
    pub(super) fn reset_views(&mut self) {
        self.tiles = ViewTiles::default();
        self.tiles.show(self.state.active_view);
        self.tiles.changed = true;
    }

    /// The central area: the views as tiles.
    pub(super) fn views_ui(&mut self, ui: &mut egui::Ui, actions: &mut Vec<Action>) {
        if self.tiles.shown != Some(self.state.active_view) {
            self.tiles.show(self.state.active_view);
        }
        let mut tree = std::mem::replace(&mut self.tiles.tree, Tree::empty(tree_id()));
        let mut behavior = ViewsBehavior {
            app: self,
            actions,
            edited: false,
        };
        tree.ui(&mut behavior, ui);
        let edited = behavior.edited;
        self.tiles.tree = tree;
        self.tiles.changed |= edited;
        let open = self.tiles.open_views();
        if open.is_empty() {
            ui.centered_and_justified(|ui| {
                ui.weak("Every view is closed; open one from the Views menu above.");
            });
        } else if !open.contains(&self.state.active_view) {
            // The focused view was closed: focus another, without reopening it.
            self.state.active_view = open[0];
        }
        self.tiles.shown = Some(self.state.active_view);
    }

    /// Whether every view drawn shows its current picture (the slices' fields, the
    /// analysis); an offscreen export of the window waits for this.
    pub fn pictures_are_current(&self) -> bool {
        self.tiles.visible_views().iter().all(|&view| match view {
            ViewTab::Slice2d => self.slice_view.picture_is_current(),
            ViewTab::Slice3d => self.slice3d_view.picture_is_current(),
            ViewTab::Terrain => self.terrain_view.picture_is_current(),
            ViewTab::Gradients => self.analysis.is_some() || self.analysis_error.is_some(),
            ViewTab::Data | ViewTab::Paths => true,
        })
    }

    /// One view's contents.
    fn view_ui(&mut self, ui: &mut egui::Ui, view: ViewTab, actions: &mut Vec<Action>) {
        match view {
            ViewTab::Data => {
                data_view::data_view_ui(ui, &self.state, &mut self.data_view, actions);
            }
            ViewTab::Slice2d => {
                slice::view::slice_view_ui(
                    ui,
                    &self.state,
                    &mut self.slice_view,
                    &mut self.jobs,
                    self.target_format,
                    actions,
                );
            }
            ViewTab::Slice3d | ViewTab::Terrain => {
                let state = if view == ViewTab::Terrain {
                    &mut self.terrain_view
                } else {
                    &mut self.slice3d_view
                };
                volume_view::volume_view_ui(
                    ui,
                    &self.state,
                    state,
                    &mut self.jobs,
                    self.target_format,
                    actions,
                );
            }
            ViewTab::Gradients => {
                if let Some(a) = self.gradients_ui(ui) {
                    actions.push(a);
                }
            }
            ViewTab::Paths => {
                paths::view::paths_view_ui(ui, &self.state, &mut self.paths, actions);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(v: &str) -> Layout {
        Layout::View { view: v.into() }
    }

    #[test]
    fn the_default_arrangement_saves_and_loads_to_the_same_tiles() {
        let tiles = ViewTiles::default();
        assert_eq!(tiles.open_views().len(), ViewTab::ALL.len());
        let layout = tiles.layout().expect("the default has views");
        let json = serde_json::to_string(&layout).unwrap();
        let back: Layout = serde_json::from_str(&json).unwrap();
        let again = ViewTiles::from_layout(&back).expect("the saved default loads");
        assert_eq!(again.layout(), Some(layout));
        assert_eq!(again.open_views(), tiles.open_views());
    }

    #[test]
    fn a_damaged_layout_is_refused_so_the_default_is_used() {
        let two = |a: Layout, b: Layout| Layout::Horizontal {
            children: vec![a, b],
            shares: vec![1.0, 1.0],
        };
        let bad = [
            // A view named twice, an unknown view, an empty group.
            two(view("data"), view("data")),
            view("spreadsheet"),
            Layout::Grid { children: vec![] },
            // The active tab out of range; shares that are not positive numbers or
            // do not match the children.
            Layout::Tabs {
                children: vec![view("data")],
                active: 3,
            },
            Layout::Vertical {
                children: vec![view("data"), view("paths")],
                shares: vec![1.0, f32::NAN],
            },
            Layout::Vertical {
                children: vec![view("data"), view("paths")],
                shares: vec![1.0, -2.0],
            },
            Layout::Vertical {
                children: vec![view("data"), view("paths")],
                shares: vec![1.0],
            },
        ];
        for layout in &bad {
            assert!(ViewTiles::from_layout(layout).is_none(), "{layout:?}");
        }
        // Nesting beyond any real arrangement.
        let mut deep = view("data");
        for _ in 0..=MAX_DEPTH {
            deep = Layout::Tabs {
                children: vec![deep],
                active: 0,
            };
        }
        assert!(ViewTiles::from_layout(&deep).is_none());
        // Text that is no layout at all does not parse (the settings then use the default).
        for text in [
            "{\"kind\":\"tabs\"}",
            "[1,2]",
            "{\"kind\":\"view\",\"view\":7}",
        ] {
            assert!(serde_json::from_str::<Layout>(text).is_err(), "{text}");
        }
        // A valid layout may leave views closed.
        let partial = two(view("slice3d"), view("terrain"));
        let tiles = ViewTiles::from_layout(&partial).expect("valid");
        assert_eq!(tiles.open_views(), [ViewTab::Slice3d, ViewTab::Terrain]);
    }

    #[test]
    fn showing_a_closed_view_adds_it_to_the_largest_tab_group_once() {
        let layout = Layout::Horizontal {
            children: vec![
                Layout::Tabs {
                    children: vec![view("data")],
                    active: 0,
                },
                Layout::Tabs {
                    children: vec![view("slice2d"), view("terrain")],
                    active: 0,
                },
            ],
            shares: vec![1.0, 2.0],
        };
        let mut tiles = ViewTiles::from_layout(&layout).unwrap();
        tiles.show(ViewTab::Paths);
        tiles.show(ViewTab::Paths);
        assert_eq!(
            tiles.open_views(),
            [
                ViewTab::Data,
                ViewTab::Slice2d,
                ViewTab::Terrain,
                ViewTab::Paths
            ]
        );
        let Some(Layout::Horizontal { children, shares }) = tiles.layout() else {
            panic!("the split stays")
        };
        assert_eq!(shares, [1.0, 2.0]);
        assert_eq!(
            children[1],
            Layout::Tabs {
                children: vec![view("slice2d"), view("terrain"), view("paths")],
                active: 2
            }
        );
        // With every view closed, the view shown becomes the only tile.
        let mut empty = ViewTiles::from_tree(Tree::empty(tree_id()));
        empty.show(ViewTab::Gradients);
        assert_eq!(empty.open_views(), [ViewTab::Gradients]);
    }
}
