//! The one bridge from egui to the gpu layer: an `egui_wgpu::CallbackTrait` that, in
//! `prepare`, evaluates the slice fields on the GPU and renders the slice picture into an
//! offscreen texture, and in `paint` copies that picture into egui's render pass.
//! GPU objects live in egui_wgpu's `callback_resources`; the callback carries only the
//! small description of what to draw.

use std::sync::Arc;

use crate::core::{Dataset, MlpSpec};
use wgpu::util::DeviceExt as _;

use crate::gpu::field::{CpuFieldEvaluator, FieldEvaluator as _, FieldRequest, GpuFieldEvaluator};
use crate::gpu::slice_render::{Blitter, InputStyle, Picture, SliceRenderer, SliceStyle};

/// Everything that determines one slice picture.
#[derive(Clone, Debug, PartialEq)]
pub struct SliceFrame {
    pub spec: MlpSpec,
    pub data: Arc<Dataset>,
    pub center: Vec<f64>,
    /// The slice directions u and v.
    pub axes: [Vec<f64>; 2],
    pub ranges: [[f64; 2]; 2],
    /// Grid points along a and b.
    pub shape: [usize; 2],
    pub inputs: Vec<InputStyle>,
    pub style: SliceStyle,
    /// Picture size in physical pixels.
    pub size_px: [u32; 2],
}

impl SliceFrame {
    /// The fields this frame draws, as a request to either evaluator.
    pub fn field_request(&self) -> FieldRequest<'_> {
        FieldRequest {
            spec: &self.spec,
            data: &self.data,
            theta0: &self.center,
            axes: &self.axes,
            ranges: &self.ranges,
            shape: &self.shape,
        }
    }
}

/// The paint callback of the 2-D slice view.
pub struct SliceCallback {
    pub frame: SliceFrame,
    /// Format of egui's render target (for the blit pipeline).
    pub target_format: wgpu::TextureFormat,
    /// Where `prepare` reports what went wrong (read by the slice view next frame).
    pub status: SliceStatus,
}

/// The last problem of the GPU path, shared between the callback and the view.
#[derive(Clone, Default)]
pub struct SliceStatus(Arc<std::sync::Mutex<Option<String>>>);

impl SliceStatus {
    /// The current message, if any.
    pub fn get(&self) -> Option<String> {
        self.0.lock().ok().and_then(|m| m.clone())
    }

    fn set(&self, message: Option<String>) {
        if let Ok(mut m) = self.0.lock() {
            *m = message;
        }
    }
}

/// GPU objects kept across frames in `callback_resources`.
struct SliceResources {
    evaluator: GpuFieldEvaluator,
    renderer: SliceRenderer,
    blitter: Blitter,
    picture: Option<(Picture, wgpu::BindGroup)>,
    last_frame: Option<SliceFrame>,
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
        let request = f.field_request();
        // The GPU evaluator covers widths up to its cap; beyond it (or if the device
        // refuses the work) the CPU reference evaluates and the field is uploaded.
        let buffer = match res.evaluator.evaluate_to_buffer(&request) {
            Ok(field) => {
                self.status.set(None);
                Some(field.buffer)
            }
            Err(gpu_error) => match CpuFieldEvaluator.evaluate(&request) {
                Ok(field) => {
                    self.status.set(Some(format!(
                        "GPU field unavailable ({gpu_error}); drawn from the CPU path"
                    )));
                    Some(
                        device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                            label: Some("slice field (CPU)"),
                            contents: bytemuck::cast_slice(&field.values),
                            usage: wgpu::BufferUsages::STORAGE,
                        }),
                    )
                }
                Err(cpu_error) => {
                    self.status
                        .set(Some(format!("cannot evaluate this slice: {cpu_error}")));
                    None
                }
            },
        };
        if let (Some(buffer), Some((picture, _))) = (&buffer, &res.picture) {
            res.renderer.encode(
                device,
                egui_encoder,
                buffer,
                f.shape,
                &f.inputs,
                &f.style,
                &picture.view,
                picture.size,
            );
            res.last_frame = Some(self.frame.clone());
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
