//! The views as tiles in the real app, headless (egui_kittest with the wgpu renderer,
//! llvmpipe in CI): views side by side, each GPU view with its own picture, closing and
//! reopening views, and the arrangement kept for the next session.

use std::time::Duration;

use basinscope::app::tiles::{Layout, ViewTiles, view_key};
use basinscope::app::{Action, BasinscopeApp, ViewTab};
use common::harness::{harness, render, wait_for};
use common::pixels::mean_abs_diff_in;
use common::pointer::drag;
use egui_kittest::Harness;
use egui_kittest::kittest::Queryable as _;

mod common {
    pub mod harness;
    pub mod pixels;
    pub mod pointer;
}

fn pane(h: &Harness<'static, BasinscopeApp>, view: ViewTab) -> egui::Rect {
    h.state()
        .tiles
        .pane_rect(view)
        .unwrap_or_else(|| panic!("{view:?} is shown"))
}

/// The default arrangement shows the data view beside the 2D slice; dragging a data
/// point moves it in the field the slice picture is drawn from, and the picture changes,
/// while both views stay on screen.
#[test]
fn dragging_a_point_beside_the_slice_redraws_the_slice_in_view() {
    let mut h = harness("xor");
    h.state_mut().apply(Action::ShowView(ViewTab::Data));
    wait_for(&mut h, Duration::from_mins(2), "the slice picture", |app| {
        app.slice_view.picture_is_current()
    });
    h.run_steps(2);
    let (data, slice) = (pane(&h, ViewTab::Data), pane(&h, ViewTab::Slice2d));
    assert!(data.area() > 300.0 * 300.0 && slice.area() > 300.0 * 300.0);
    assert!(!data.intersects(slice), "{data:?} and {slice:?} overlap");
    let picture = h
        .state()
        .slice_view
        .picture_rect
        .expect("the slice was drawn");
    assert!(slice.contains_rect(picture), "{picture:?} is in {slice:?}");
    // The slice picture uses its tile: more than a third of its width.
    assert!(
        picture.width() > slice.width() / 3.0,
        "{picture:?} in {slice:?}"
    );
    let before_image = render(&mut h);

    let before = h.state().state.scene.data.inputs[3].clone();
    let from = h.state().data_view_screen_pos(&before).unwrap();
    assert!(data.contains(from), "the point is drawn in the data view");
    let target = [1.3, 0.7];
    let to = h.state().data_view_screen_pos(&target).unwrap();
    drag(&mut h, from, to);
    let moved = h.state().state.scene.data.inputs[3].clone();
    assert!((moved[0] - target[0]).abs() < 0.02 && (moved[1] - target[1]).abs() < 0.02);
    wait_for(
        &mut h,
        Duration::from_mins(2),
        "the slice redrawn for the moved point",
        |app| {
            app.slice_view.picture_is_current()
                && app
                    .slice_view
                    .last_frame
                    .as_ref()
                    .is_some_and(|f| f.field.data.inputs[3] == moved)
        },
    );
    h.run_steps(2);
    assert_eq!(pane(&h, ViewTab::Slice2d), slice);
    assert_eq!(pane(&h, ViewTab::Data), data);
    let after_image = render(&mut h);
    let changed = mean_abs_diff_in(&before_image, &after_image, picture);
    assert!(changed > 1.0, "the slice picture changed by only {changed}");
}

/// Two views drawn by the GPU side by side each show their own picture: the 2D slice
/// beside the 3D slice looks as it does beside the data view, and the 3D slice as it
/// does beside the data view.
#[test]
fn two_gpu_views_side_by_side_keep_their_own_pictures() {
    let tab = |view: &str| Layout::Tabs {
        children: vec![Layout::View { view: view.into() }],
        active: 0,
    };
    let pair = |left: ViewTab, right: ViewTab| {
        ViewTiles::from_layout(&Layout::Horizontal {
            children: vec![tab(view_key(left)), tab(view_key(right))],
            shares: vec![1.0, 1.0],
        })
        .unwrap()
    };
    let current = |app: &BasinscopeApp, view: ViewTab| match view {
        ViewTab::Slice2d => app.slice_view.picture_is_current(),
        ViewTab::Slice3d => app.slice3d_view.picture_is_current(),
        _ => true,
    };
    let mut h = harness("perpendicular");
    let mut arrange = |left: ViewTab, right: ViewTab| {
        h.state_mut().tiles = pair(left, right);
        h.state_mut().apply(Action::ShowView(right));
        wait_for(&mut h, Duration::from_mins(2), "the pictures", |app| {
            current(app, left) && current(app, right)
        });
        h.run_steps(2);
        let image = render(&mut h);
        (
            image,
            h.state().slice_view.picture_rect,
            h.state().tiles.pane_rect(ViewTab::Slice3d),
        )
    };
    let (both, picture, volume) = arrange(ViewTab::Slice2d, ViewTab::Slice3d);
    let (picture, volume) = (picture.unwrap(), volume.unwrap());
    assert!(!picture.intersects(volume));
    let (slice_only, picture_alone, _) = arrange(ViewTab::Slice2d, ViewTab::Data);
    assert_eq!(picture_alone, Some(picture));
    let (volume_only, _, volume_alone) = arrange(ViewTab::Data, ViewTab::Slice3d);
    assert_eq!(volume_alone, Some(volume));
    let slice_diff = mean_abs_diff_in(&both, &slice_only, picture);
    assert!(
        slice_diff < 1.0,
        "the 2D slice differs by {slice_diff} beside the 3D slice"
    );
    let volume_diff = mean_abs_diff_in(&both, &volume_only, volume);
    assert!(
        volume_diff < 1.0,
        "the 3D slice differs by {volume_diff} beside the 2D slice"
    );
}

/// The close button on a view's tab closes it; the Views menu and `ShowView` each bring
/// it back, in front.
#[test]
fn a_closed_view_reopens_from_the_views_menu_and_from_show_view() {
    let mut h = harness("xor");
    h.run_steps(2);
    let close_terrain = |h: &mut Harness<'static, BasinscopeApp>| {
        let tab = h.get_by_label("Loss terrain").rect();
        let close = h
            .get_all_by_label("Close")
            .find(|b| tab.contains_rect(b.rect()))
            .expect("the terrain tab has a close button");
        close.click();
        h.run_steps(2);
        assert!(!h.state().tiles.open_views().contains(&ViewTab::Terrain));
        assert!(h.query_by_label("Loss terrain").is_none());
    };
    close_terrain(&mut h);

    h.get_by_label("Views").click();
    h.run_steps(2);
    h.get_by_label("Loss terrain").click();
    h.run_steps(2);
    assert_eq!(h.state().state.active_view, ViewTab::Terrain);
    assert!(h.state().tiles.pane_rect(ViewTab::Terrain).is_some());

    close_terrain(&mut h);
    h.state_mut().apply(Action::ShowView(ViewTab::Terrain));
    h.run_steps(2);
    assert_eq!(h.state().state.active_view, ViewTab::Terrain);
    assert!(h.state().tiles.pane_rect(ViewTab::Terrain).is_some());
    assert_eq!(h.state().tiles.open_views().len(), ViewTab::ALL.len());
}

/// A tab dragged to the lower half of another view splits it; the arrangement is saved
/// when the drag ends and the next session starts with it.
#[test]
fn an_arrangement_made_by_dragging_a_tab_is_restored_in_the_next_session() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("config").join("settings.json");
    let mut h = harness("xor");
    h.state_mut().use_settings(Some(settings.clone()));
    h.run_steps(2);
    let default = h.state().tiles.layout();
    let tab = h.get_by_label("Paths").rect().center();
    let slice = pane(&h, ViewTab::Slice2d);
    drag(&mut h, tab, slice.center_bottom() - egui::vec2(0.0, 40.0));
    h.run_steps(2);
    let arranged = h.state().tiles.layout();
    assert_ne!(arranged, default);
    // Paths, data and the 2D slice are all on screen now.
    let shown = [ViewTab::Paths, ViewTab::Data, ViewTab::Slice2d].map(|v| pane(&h, v));
    assert!(shown[0].top() > shown[2].top(), "paths below the slice");
    assert!(
        settings.exists(),
        "the arrangement was saved when the drag ended"
    );
    drop(h);

    let mut next = harness("xor");
    next.state_mut().use_settings(Some(settings));
    next.run_steps(2);
    assert_eq!(next.state().tiles.layout(), arranged);
    for (view, rect) in [ViewTab::Paths, ViewTab::Data, ViewTab::Slice2d]
        .into_iter()
        .zip(shown)
    {
        assert_eq!(pane(&next, view), rect, "{view:?}");
    }
}

/// A settings file whose arrangement names a view twice starts the default arrangement
/// and keeps the rest of the settings.
#[test]
fn a_damaged_saved_arrangement_starts_the_default_and_keeps_the_recent_files() {
    let dir = tempfile::tempdir().unwrap();
    let settings = dir.path().join("settings.json");
    let text = r#"{"recent_files": ["/scenes/a.json"],
        "views": {"kind": "horizontal", "shares": [1, 1],
                  "children": [{"kind": "view", "view": "data"}, {"kind": "view", "view": "data"}]}}"#;
    std::fs::write(&settings, text).unwrap();
    let mut h = harness("xor");
    h.state_mut().use_settings(Some(settings));
    h.run_steps(2);
    assert_eq!(h.state().tiles.layout(), ViewTiles::default().layout());
    assert_eq!(
        h.state().state.recent_files,
        [std::path::PathBuf::from("/scenes/a.json")]
    );
}
