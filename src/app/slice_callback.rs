//! The one bridge from egui to the gpu layer: an `egui_wgpu::CallbackTrait` that, in
//! `prepare`, evaluates the slice fields on the GPU and renders the slice picture into an
//! offscreen texture, and in `paint` copies that picture into egui's render pass.
//! GPU objects live in egui_wgpu's `callback_resources`; the callback carries only the
//! small description of what to draw.

use std::sync::Arc;

use crate::core::{Dataset, MlpSpec};
use crate::gpu::field::{FieldRequest, GpuFieldEvaluator};
use crate::gpu::slice_render::{Blitter, InputStyle, Picture, SliceRenderer, SliceStyle};

/// Everything that determines one slice picture.
#[derive(Clone, Debug, PartialEq)]
pub struct SliceFrame {
    pub spec: MlpSpec,
    pub data: Arc<Dataset>,
    pub center: Vec<f64>,
    pub u: Vec<f64>,
    pub v: Vec<f64>,
    pub ranges: [[f64; 2]; 2],
    /// Grid points along a and b.
    pub shape: [usize; 2],
    pub inputs: Vec<InputStyle>,
    pub style: SliceStyle,
    /// Picture size in physical pixels.
    pub size_px: [u32; 2],
}

/// The paint callback of the 2-D slice view.
pub struct SliceCallback {
    pub frame: SliceFrame,
    /// Format of egui's render target (for the blit pipeline).
    pub target_format: wgpu::TextureFormat,
}

/// GPU objects kept across frames in `callback_resources`.
struct SliceResources {
    evaluator: GpuFieldEvaluator,
    renderer: SliceRenderer,
    blitter: Blitter,
    picture: Option<(Picture, wgpu::BindGroup)>,
    last_frame: Option<SliceFrame>,
    last_error: Option<String>,
}

impl egui_wgpu::CallbackTrait for SliceCallback {
    fn prepare(
        &self,
        device: &wgpu::Device,
        queue: &wgpu::Queue,
        _screen: &egui_wgpu::ScreenDescriptor,
        egui_encoder: &mut wgpu::CommandEncoder,
        resources: &mut egui_wgpu::CallbackResources,
    ) -> Vec<wgpu::CommandBuffer> {
        if resources.get::<SliceResources>().is_none() {
            resources.insert(SliceResources {
                evaluator: GpuFieldEvaluator::new(device.clone(), queue.clone()),
                renderer: SliceRenderer::new(device),
                blitter: Blitter::new(device, self.target_format),
                picture: None,
                last_frame: None,
                last_error: None,
            });
        }
        let Some(res) = resources.get_mut::<SliceResources>() else {
            return Vec::new();
        };
        if res.last_frame.as_ref() == Some(&self.frame) && res.picture.is_some() {
            return Vec::new();
        }
        let f = &self.frame;
        let size = [f.size_px[0].max(1), f.size_px[1].max(1)];
        if res.picture.as_ref().is_none_or(|(p, _)| p.size != size) {
            let picture = Picture::new(device, size);
            let bind_group = res.blitter.bind_group(device, &picture);
            res.picture = Some((picture, bind_group));
        }
        let axes = [f.u.clone(), f.v.clone()];
        let request = FieldRequest {
            spec: &f.spec,
            data: &f.data,
            theta0: &f.center,
            axes: &axes,
            ranges: &f.ranges,
            shape: &f.shape,
        };
        match res.evaluator.evaluate_to_buffer(&request) {
            Ok(field) => {
                if let Some((picture, _)) = &res.picture {
                    res.renderer.encode(
                        device,
                        egui_encoder,
                        &field.buffer,
                        f.shape,
                        &f.inputs,
                        &f.style,
                        &picture.view,
                        picture.size,
                    );
                }
                res.last_error = None;
                res.last_frame = Some(self.frame.clone());
            }
            Err(e) => {
                if res.last_error.as_deref() != Some(&e.to_string()) {
                    log::warn!("slice field on the GPU failed: {e}");
                }
                res.last_error = Some(e.to_string());
            }
        }
        Vec::new()
    }

    fn paint(
        &self,
        _info: egui::PaintCallbackInfo,
        render_pass: &mut wgpu::RenderPass<'static>,
        resources: &egui_wgpu::CallbackResources,
    ) {
        let Some(res) = resources.get::<SliceResources>() else {
            return;
        };
        if let Some((_, bind_group)) = &res.picture {
            res.blitter.draw(render_pass, bind_group);
        }
    }
}
