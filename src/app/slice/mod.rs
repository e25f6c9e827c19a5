//! The 2-D slice view, θ(a, b) = θ₀ + a·u + b·v. This file holds what the view, its
//! controls and its decorations share: the state kept across frames, the map between
//! slice coordinates and the screen, the grid budget and which evaluator computes the
//! field. Imports run one way: `view` uses `controls`, `decor`, `callback` and this file;
//! `controls` and `decor` use this file; this file uses `callback` only for the types of
//! the frame it keeps, and `callback` uses nothing of the view.
//!
//! - [`view`]: the picture, overlays (trajectory, walk, θ), hover readout, pan/zoom/click.
//! - `controls`: the rows above the picture (axes, center, extent, grid, layers).
//! - `decor`: axes with ticks, the loss color bar and the legend around the picture.
//! - [`callback`]: the one egui → GPU bridge.

pub mod callback;
mod controls;
mod decor;
pub mod view;

use std::sync::Arc;
use std::time::Instant;

use egui::{Color32, Pos2, Rect};

use crate::core::field::{Field, OwnedFieldRequest};
use crate::core::slice::SliceAxes;
use crate::draw::slice_pass::SliceStyle;
use callback::{SliceFrame, SliceStatus};

/// Color of input `i` on screen: the palette of the figures ([`crate::draw::style`]).
pub fn input_color(i: usize) -> Color32 {
    let [r, g, b] = crate::draw::style::input_rgb(i);
    Color32::from_rgb(r, g, b)
}

/// Grid side used while θ moves or the user pans (a software adapter stays responsive).
const MOVING_RESOLUTION: usize = 128;

/// Multiply-adds the CPU path may spend on one slice while θ moves, and when still.
const CPU_BUDGET_MOVING: f64 = 2e7;
const CPU_BUDGET_STILL: f64 = 4e8;

/// The grid to evaluate: the requested resolution, capped while moving, and on the CPU
/// path capped by a work budget so results come back quickly.
fn grid_shape(
    resolution: [usize; 2],
    moving: bool,
    budgeted: bool,
    spec: &crate::core::MlpSpec,
    k: usize,
) -> [usize; 2] {
    let mut shape = if moving {
        [
            resolution[0].min(MOVING_RESOLUTION),
            resolution[1].min(MOVING_RESOLUTION),
        ]
    } else {
        resolution
    };
    if budgeted {
        let madds_per_point =
            (k.max(1) * spec.layers.windows(2).map(|w| w[0] * w[1]).sum::<usize>()) as f64;
        let budget = if moving {
            CPU_BUDGET_MOVING
        } else {
            CPU_BUDGET_STILL
        };
        let points = (shape[0] * shape[1]) as f64;
        if points * madds_per_point > budget {
            let scale = (budget / (points * madds_per_point)).sqrt();
            shape = [
                ((shape[0] as f64 * scale) as usize).max(32),
                ((shape[1] as f64 * scale) as usize).max(32),
            ];
        }
    }
    shape
}

/// Which evaluator computes the slice's fields, and why.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldsOn {
    /// The GPU compute pass, in the paint callback's `prepare`.
    Gpu,
    /// The CPU path on a background thread; the string says why.
    Cpu(String),
}

impl FieldsOn {
    /// The faster evaluator for `spec` in this app: the GPU compute pass on a hardware
    /// adapter that can run the network and has not refused this model and grid; the CPU
    /// path otherwise.
    pub fn choose(
        view: &SliceViewState,
        has_renderer: bool,
        spec: &crate::core::MlpSpec,
        resolution: [usize; 2],
    ) -> Self {
        if !has_renderer {
            return FieldsOn::Cpu("the app runs without a GPU renderer".into());
        }
        if let Err(crate::core::field::FieldError::WidthTooLarge { width, limit }) =
            crate::eval::gpu::check_widths(spec)
        {
            return FieldsOn::Cpu(format!(
                "a layer of width {width} is wider than the GPU shader's limit of {limit}"
            ));
        }
        if view.software_adapter {
            return FieldsOn::Cpu(
                "the GPU adapter is a software rasterizer, slower than the CPU path".into(),
            );
        }
        match view.refusal(spec, resolution) {
            Some(_) => FieldsOn::Cpu("the GPU refused this field".into()),
            None => FieldsOn::Gpu,
        }
    }

    /// One line for the view: which evaluator runs and why.
    pub fn describe(&self) -> String {
        match self {
            FieldsOn::Gpu => "fields on the GPU".into(),
            FieldsOn::Cpu(why) => format!("fields on the CPU path: {why}"),
        }
    }
}

/// Slice-view state kept across frames.
pub struct SliceViewState {
    pub style: SliceStyle,
    pub show_trajectory: bool,
    /// Computed axes (u, v; the center is replaced by θ when following).
    pub axes: Option<SliceAxes>,
    /// The choice, N and generation the newest axes request was made for.
    pub(crate) axes_for: Option<crate::app::jobs::AxesKey>,
    pub axes_error: Option<String>,
    /// Why the CPU path could not evaluate the last field asked of it.
    pub field_error: Option<String>,
    /// Which inputs' contours are drawn.
    pub visible_inputs: Vec<bool>,
    /// A θ the user saved, for the three-point plane.
    pub saved_theta: Option<Vec<f64>>,
    /// When the loss range was last asked for, and for which slice.
    loss_range_asked: Option<(Instant, OwnedFieldRequest)>,
    /// When a loss range was asked for that has not arrived yet (until it does, the
    /// color map may still show the previous slice's range); `None` when none is due.
    loss_range_pending: Option<Instant>,
    /// Screen rectangle of the picture in the last frame (for tests and hover).
    pub picture_rect: Option<Rect>,
    /// The slice of the last frame: center, u, v, ranges.
    pub last_frame: Option<SliceFrame>,
    /// The newest field from the CPU path and the request it answers.
    cpu_field: Option<(OwnedFieldRequest, Arc<Field>)>,
    /// The field request (and picture) last posted to the CPU path.
    cpu_field_asked: Option<(OwnedFieldRequest, Option<crate::app::jobs::PictureRequest>)>,
    /// The CPU-drawn picture (without a GPU renderer) and what it was drawn for.
    cpu_texture: Option<egui::TextureHandle>,
    cpu_picture_for: Option<crate::app::jobs::PictureRequest>,
    interacting_until: Option<Instant>,
    /// Whether the wgpu adapter is a software rasterizer (llvmpipe).
    pub software_adapter: bool,
    /// Problems the GPU path reported in its last `prepare`.
    pub gpu_status: SliceStatus,
    /// The model and resolution the GPU last refused to evaluate, and why: fields for
    /// them come from the CPU path until either changes.
    gpu_refused: Option<(crate::core::MlpSpec, [usize; 2], String)>,
    /// Whether the app has a wgpu renderer (else the CPU figure renderer draws).
    pub has_renderer: bool,
    /// The scene's data as the jobs share it, replaced only when the data changes.
    data: Option<Arc<crate::core::Dataset>>,
    /// Which evaluator computed the last frame's field.
    pub fields_on: Option<FieldsOn>,
    /// The height the legend took in the last pass: the picture leaves it that much
    /// room, since the legend wraps onto more rows in a narrow view.
    legend_height: f32,
}

impl SliceViewState {
    /// State for an app whose wgpu adapter is (`software_adapter`) or is not a software rasterizer.
    pub fn new(software_adapter: bool) -> Self {
        Self {
            style: SliceStyle::default(),
            show_trajectory: true,
            axes: None,
            axes_for: None,
            axes_error: None,
            field_error: None,
            visible_inputs: Vec::new(),
            saved_theta: None,
            loss_range_asked: None,
            loss_range_pending: None,
            picture_rect: None,
            last_frame: None,
            cpu_field: None,
            cpu_field_asked: None,
            cpu_texture: None,
            cpu_picture_for: None,
            interacting_until: None,
            software_adapter,
            gpu_status: SliceStatus::default(),
            gpu_refused: None,
            has_renderer: true,
            data: None,
            fields_on: None,
            legend_height: view::FIRST_LEGEND_HEIGHT,
        }
    }

    /// θ at slice coordinates (a, b) of the last frame.
    pub fn theta_at(&self, a: f64, b: f64) -> Option<Vec<f64>> {
        let f = self.last_frame.as_ref()?;
        Some(f.field.grid.theta_at(&[a, b]))
    }

    /// Screen position of slice coordinates (a, b) in the last frame.
    pub fn screen_pos(&self, a: f64, b: f64) -> Option<Pos2> {
        let (rect, f) = (self.picture_rect?, self.last_frame.as_ref()?);
        Some(to_screen(rect, f.field.grid.plane_ranges(), a, b))
    }

    /// The scene's data behind an `Arc`, cloned only when it changed since the last frame.
    fn shared_data(&mut self, data: &crate::core::Dataset) -> Arc<crate::core::Dataset> {
        match &self.data {
            Some(shared) if **shared == *data => Arc::clone(shared),
            _ => {
                let shared = Arc::new(data.clone());
                self.data = Some(Arc::clone(&shared));
                shared
            }
        }
    }

    /// Records what the GPU path reported while painting the last frame: a refusal moves
    /// this model and resolution to the CPU path.
    fn take_gpu_status(&mut self, spec: &crate::core::MlpSpec, resolution: [usize; 2]) {
        if let Some(problem) = self.gpu_status.take() {
            self.gpu_refused = Some((spec.clone(), resolution, problem));
        }
    }

    /// Why the GPU refused to evaluate `spec` at `resolution`, if it did.
    pub fn refusal(&self, spec: &crate::core::MlpSpec, resolution: [usize; 2]) -> Option<&str> {
        match &self.gpu_refused {
            Some((s, r, problem)) if s == spec && *r == resolution => Some(problem),
            _ => None,
        }
    }

    /// Size in pixels of the CPU-drawn picture (shown when there is no GPU renderer).
    pub fn cpu_picture_size(&self) -> Option<[usize; 2]> {
        self.cpu_texture.as_ref().map(egui::TextureHandle::size)
    }

    /// Whether the last frame's picture shows its own field: the GPU evaluates it while
    /// painting, the CPU path once its result (and, without a GPU renderer, its picture)
    /// has arrived, and the color map's loss range asked for this slice has arrived too.
    /// Tests wait for this.
    pub fn picture_is_current(&self) -> bool {
        if self.loss_range_pending.is_some() {
            return false;
        }
        match (&self.last_frame, &self.fields_on) {
            (Some(_), Some(FieldsOn::Gpu)) => true,
            (Some(frame), Some(FieldsOn::Cpu(_))) => {
                let asked = self.cpu_field_asked.as_ref();
                self.cpu_field
                    .as_ref()
                    .is_some_and(|(req, _)| *req == frame.field)
                    && asked.is_some_and(|(_, picture)| *picture == self.cpu_picture_for)
            }
            _ => false,
        }
    }
}

/// Screen position of slice point (a, b) in `rect` showing `ranges` (b upward).
pub(crate) fn to_screen(rect: Rect, ranges: [[f64; 2]; 2], a: f64, b: f64) -> Pos2 {
    let x = (a - ranges[0][0]) / (ranges[0][1] - ranges[0][0]);
    let y = (b - ranges[1][0]) / (ranges[1][1] - ranges[1][0]);
    Pos2::new(
        rect.left() + x as f32 * rect.width(),
        rect.bottom() - y as f32 * rect.height(),
    )
}

/// Slice point (a, b) under screen position `p`.
pub(crate) fn from_screen(rect: Rect, ranges: [[f64; 2]; 2], p: Pos2) -> (f64, f64) {
    let x = f64::from((p.x - rect.left()) / rect.width());
    let y = f64::from((rect.bottom() - p.y) / rect.height());
    (
        ranges[0][0] + x * (ranges[0][1] - ranges[0][0]),
        ranges[1][0] + y * (ranges[1][1] - ranges[1][0]),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::{Activation, MlpSpec};

    /// A GPU refusal moves only that model at that resolution to the CPU path; another
    /// resolution or model goes back to the GPU.
    #[test]
    fn a_gpu_refusal_holds_only_for_the_model_and_resolution_refused() {
        let mut view = SliceViewState::new(false);
        let spec = MlpSpec::new(vec![2, 8, 1], Activation::Tanh, true).unwrap();
        assert_eq!(
            FieldsOn::choose(&view, true, &spec, [256, 256]),
            FieldsOn::Gpu
        );
        view.gpu_status.set(Some("buffer too large".into()));
        view.take_gpu_status(&spec, [2048, 2048]);
        assert!(view.gpu_status.get().is_none());
        assert!(matches!(
            FieldsOn::choose(&view, true, &spec, [2048, 2048]),
            FieldsOn::Cpu(_)
        ));
        assert_eq!(view.refusal(&spec, [2048, 2048]), Some("buffer too large"));
        assert_eq!(
            FieldsOn::choose(&view, true, &spec, [256, 256]),
            FieldsOn::Gpu
        );
        let other = MlpSpec::new(vec![2, 4, 1], Activation::Tanh, true).unwrap();
        assert_eq!(
            FieldsOn::choose(&view, true, &other, [2048, 2048]),
            FieldsOn::Gpu
        );
        assert!(matches!(
            FieldsOn::choose(&view, false, &spec, [256, 256]),
            FieldsOn::Cpu(_)
        ));
    }
}
