//! The one bridge from egui to the GPU pictures: an `egui_wgpu::CallbackTrait` that, in
//! `prepare`, gets the field (evaluated by the GPU compute pass, or uploaded from the CPU
//! path's finished result) and renders the picture into an offscreen texture: the 2-D
//! slice picture, or the ray-marched picture of the 3D views when the frame carries a
//! [`VolumeScene`]. In `paint` it copies that picture into egui's render pass. GPU objects live
//! in egui_wgpu's `callback_resources`; the callback carries only the small description
//! of what to draw. Nothing slow runs here: CPU fields are computed on a background job.
//!
//! Several views can be drawn in one frame (tiles side by side): every `prepare` runs
//! before any `paint`, so each view keeps its own picture, keyed by its [`SliceStatus`],
//! while the pipelines and the evaluator are shared.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::Instant;

use wgpu::util::DeviceExt as _;

use crate::core::field::{Field, OwnedFieldRequest};
use crate::draw::slice_pass::{Blitter, InputStyle, Picture, SliceRenderer, SliceStyle};
use crate::draw::volume_pass::{VolumeRenderer, VolumeScene};
use crate::eval::GpuFieldEvaluator;

/// Where the picture's field comes from.
#[derive(Clone, Debug)]
pub enum FieldSource {
    /// Evaluate [`SliceFrame::field`] with the GPU compute pass.
    Gpu,
    /// A field the CPU path finished (for this frame's request or an earlier one).
    Cpu(Arc<Field>),
}

impl PartialEq for FieldSource {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (FieldSource::Gpu, FieldSource::Gpu) => true,
            (FieldSource::Cpu(a), FieldSource::Cpu(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

/// Everything that determines one slice picture.
#[derive(Clone, Debug, PartialEq)]
pub struct SliceFrame {
    /// The network, data and grid of the field drawn.
    pub field: OwnedFieldRequest,
    pub source: FieldSource,
    pub inputs: Vec<InputStyle>,
    pub style: SliceStyle,
    /// Picture size in physical pixels.
    pub size_px: [u32; 2],
    /// The 3D views: when set, the picture is this ray-marched scene of the field (3D
    /// slice or terrain) instead of the slice picture, and `inputs` and `style` are unused.
    pub volume: Option<VolumeScene>,
    /// Draw the ray-marched picture in a submission of its own and wait for it, to
    /// report its time (the frame pacing on a software rasterizer needs the picture's
    /// share of the frame); otherwise it is drawn with egui's commands.
    pub time_picture: bool,
}

impl SliceFrame {
    /// Grid points along a and b.
    pub fn shape(&self) -> [usize; 2] {
        [self.field.grid.shape[0], self.field.grid.shape[1]]
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

/// The last problem of the GPU path, and the time of the last timed picture, shared
/// between the callback and the view. Each view owns one, so it also names the view's
/// picture in the GPU resources.
#[derive(Clone, Default)]
pub struct SliceStatus(Arc<StatusCell>);

type StatusCell = Mutex<Status>;

#[derive(Default)]
struct Status {
    message: Option<String>,
    picture_ms: Option<f64>,
}

impl SliceStatus {
    /// The key of the view's picture: the same for every clone of this status.
    fn view_key(&self) -> usize {
        Arc::as_ptr(&self.0) as usize
    }

    /// The current message, if any.
    pub fn get(&self) -> Option<String> {
        self.0.lock().ok().and_then(|s| s.message.clone())
    }

    /// Takes the current message, leaving none.
    pub fn take(&self) -> Option<String> {
        self.0.lock().ok().and_then(|mut s| s.message.take())
    }

    pub(crate) fn set(&self, message: Option<String>) {
        if let Ok(mut s) = self.0.lock() {
            s.message = message;
        }
    }

    /// Takes the time the last timed picture took to draw, in ms (see
    /// [`SliceFrame::time_picture`]), leaving none.
    pub fn take_picture_ms(&self) -> Option<f64> {
        self.0.lock().ok().and_then(|mut s| s.picture_ms.take())
    }

    fn set_picture_ms(&self, ms: f64) {
        if let Ok(mut s) = self.0.lock() {
            s.picture_ms = Some(ms);
        }
    }
}

/// GPU objects kept across frames in `callback_resources`.
struct SliceResources {
    evaluator: GpuFieldEvaluator,
    renderer: SliceRenderer,
    /// Taken from `warming` on the first 3D frame.
    volume_renderer: Option<VolumeRenderer>,
    /// The ray marcher being made and compiled on its own thread since the first slice
    /// frame (compiling it takes seconds on a software rasterizer, which would otherwise
    /// stall the first 3D frame).
    warming: Option<std::thread::JoinHandle<VolumeRenderer>>,
    blitter: Blitter,
    /// Each view's picture, by [`SliceStatus::view_key`].
    views: HashMap<usize, ViewPicture>,
}

/// One view's picture and what it shows.
struct ViewPicture {
    /// The view's status: when no view holds it any more, the picture is dropped.
    alive: Weak<StatusCell>,
    picture: Option<(Picture, wgpu::BindGroup)>,
    last_frame: Option<SliceFrame>,
    /// The CPU field last uploaded, so a field drawn for several frames is copied once.
    uploaded: Option<(Arc<Field>, wgpu::Buffer)>,
}

impl SliceCallback {
    /// The field as a storage buffer: evaluated on the GPU, or the CPU result uploaded
    /// (once per field).
    fn field_buffer(
        &self,
        device: &wgpu::Device,
        evaluator: &GpuFieldEvaluator,
        res: &mut ViewPicture,
    ) -> Option<wgpu::Buffer> {
        match &self.frame.source {
            FieldSource::Gpu => {
                match evaluator.evaluate_to_buffer(&self.frame.field.as_request()) {
                    Ok(field) => {
                        self.status.set(None);
                        Some(field.buffer)
                    }
                    Err(e) => {
                        // The view reads this next frame and moves the field to the CPU path.
                        self.status.set(Some(e.to_string()));
                        None
                    }
                }
            }
            FieldSource::Cpu(field) => {
                let bytes = 4 * field.values.len() as u64;
                let limits = device.limits();
                let limit = limits
                    .max_storage_buffer_binding_size
                    .min(limits.max_buffer_size);
                if bytes > limit {
                    self.status.set(Some(format!(
                        "the field needs a buffer of {bytes} bytes, more than this GPU's limit of {limit} bytes; lower the resolution"
                    )));
                    return None;
                }
                let fresh = res
                    .uploaded
                    .as_ref()
                    .is_none_or(|(done, _)| !Arc::ptr_eq(done, field));
                if fresh {
                    let buffer = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                        label: Some("slice field (CPU)"),
                        contents: bytemuck::cast_slice(&field.values),
                        usage: wgpu::BufferUsages::STORAGE,
                    });
                    res.uploaded = Some((Arc::clone(field), buffer));
                }
                res.uploaded.as_ref().map(|(_, buffer)| buffer.clone())
            }
        }
    }
}

impl SliceResources {
    fn new(device: &wgpu::Device, queue: &wgpu::Queue, format: wgpu::TextureFormat) -> Self {
        Self {
            evaluator: GpuFieldEvaluator::new(device.clone(), queue.clone()),
            renderer: SliceRenderer::new(device),
            volume_renderer: None,
            warming: warm_up_volume_renderer(device, queue),
            blitter: Blitter::new(device, format),
            views: HashMap::new(),
        }
    }
}

impl Drop for SliceResources {
    /// Waits for a warm-up still compiling: a process that exits while llvmpipe's LLVM
    /// compiles on another thread can crash with SIGSEGV (test processes did).
    fn drop(&mut self) {
        if let Some(warming) = self.warming.take() {
            let _ = warming.join();
        }
    }
}

/// Sets up the bridge's GPU objects when the app starts rather than on its first
/// picture, so the ray marcher compiles in the background from the start (the app may
/// open on a view without a picture, and the 3D tab would then wait for the compile).
pub fn set_up(render_state: &egui_wgpu::RenderState) {
    let mut renderer = render_state.renderer.write();
    if renderer
        .callback_resources
        .get::<SliceResources>()
        .is_none()
    {
        renderer.callback_resources.insert(SliceResources::new(
            &render_state.device,
            &render_state.queue,
            render_state.target_format,
        ));
    }
}

/// Starts making the ray marcher and compiling its pipelines on a named thread.
fn warm_up_volume_renderer(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
) -> Option<std::thread::JoinHandle<VolumeRenderer>> {
    let (device, queue) = (device.clone(), queue.clone());
    std::thread::Builder::new()
        .name("basinscope-raymarch-warm-up".into())
        .spawn(move || {
            let renderer = VolumeRenderer::new(&device);
            renderer.warm_up(&device, &queue);
            renderer
        })
        .map_err(|e| log::warn!("cannot start the ray marcher's warm-up thread: {e}"))
        .ok()
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
            resources.insert(SliceResources::new(device, queue, self.target_format));
        }
        let Some(shared) = resources.get_mut::<SliceResources>() else {
            return Vec::new();
        };
        shared.views.retain(|_, view| view.alive.strong_count() > 0);
        let res = shared
            .views
            .entry(self.status.view_key())
            .or_insert_with(|| ViewPicture {
                alive: Arc::downgrade(&self.status.0),
                picture: None,
                last_frame: None,
                uploaded: None,
            });
        if res.last_frame.as_ref() == Some(&self.frame) && res.picture.is_some() {
            return Vec::new();
        }
        let f = &self.frame;
        let size = [f.size_px[0].max(1), f.size_px[1].max(1)];
        if res.picture.as_ref().is_none_or(|(p, _)| p.size != size) {
            let picture = Picture::new(device, size);
            let bind_group = shared.blitter.bind_group(device, &picture);
            res.picture = Some((picture, bind_group));
        }
        // A CPU field may belong to an earlier grid while the newest one is computed.
        let shape = match &f.source {
            FieldSource::Gpu => f.shape(),
            FieldSource::Cpu(field) => field.plane_shape(),
        };
        let buffer = self.field_buffer(device, &shared.evaluator, res);
        if let (Some(buffer), Some(scene)) = (&buffer, &f.volume) {
            if shared.volume_renderer.is_none() {
                // Waits for the warm-up if it is still compiling (the frame would compile
                // the same pipelines anyway).
                let warmed = shared.warming.take().and_then(|h| h.join().ok());
                shared.volume_renderer =
                    Some(warmed.unwrap_or_else(|| VolumeRenderer::new(device)));
            }
            let Some(renderer) = &shared.volume_renderer else {
                return Vec::new();
            };
            if let Some((picture, _)) = &res.picture {
                if f.time_picture {
                    let mut encoder =
                        device.create_command_encoder(&wgpu::CommandEncoderDescriptor::default());
                    renderer.encode(
                        device,
                        &mut encoder,
                        buffer,
                        scene,
                        &picture.view,
                        picture.size,
                    );
                    // The time may include the end of the previous frame, if it is still
                    // drawing, which errs toward a smaller picture. Waiting for that frame
                    // before the clock starts gave the same rates within the noise
                    // (12.4-12.5 frames/s against 12.1-13.1, rotating the moons on
                    // llvmpipe) and would hold every moving frame back.
                    let start = Instant::now();
                    let index = queue.submit([encoder.finish()]);
                    match device.poll(wait_at_most(index)) {
                        Ok(_) => self
                            .status
                            .set_picture_ms(start.elapsed().as_secs_f64() * 1e3),
                        Err(e) => log::warn!("cannot time the 3D picture: {e}"),
                    }
                } else {
                    renderer.encode(
                        device,
                        egui_encoder,
                        buffer,
                        scene,
                        &picture.view,
                        picture.size,
                    );
                }
                res.last_frame = Some(self.frame.clone());
            }
        } else if let (Some(buffer), Some((picture, _))) = (&buffer, &res.picture) {
            shared.renderer.encode(
                device,
                egui_encoder,
                buffer,
                shape,
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
        let Some(shared) = resources.get::<SliceResources>() else {
            return;
        };
        if let Some(view) = shared.views.get(&self.status.view_key())
            && let Some((_, bind_group)) = &view.picture
        {
            shared.blitter.draw(render_pass, bind_group);
        }
    }
}

/// Waiting for the GPU to finish `submission`, a few seconds at most: a frame never
/// blocks for longer, whatever the adapter does.
fn wait_at_most(submission: wgpu::SubmissionIndex) -> wgpu::PollType {
    wgpu::PollType::Wait {
        submission_index: Some(submission),
        timeout: Some(std::time::Duration::from_secs(2)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Threads of this process whose name starts with `prefix`, from Linux's
    /// `/proc/self/task/*/comm` (names cut to 15 bytes); `None` where that is not there.
    fn threads_named(prefix: &str) -> Option<usize> {
        let tasks = std::fs::read_dir("/proc/self/task").ok()?;
        let names = tasks.filter_map(|t| std::fs::read_to_string(t.ok()?.path().join("comm")).ok());
        Some(
            names
                .filter(|name| name.trim_end().starts_with(prefix))
                .count(),
        )
    }

    /// The ray marcher's warm-up ends with the resources that started it, so no thread
    /// is left compiling in llvmpipe when the app (or a test process) exits.
    #[test]
    fn dropping_the_resources_waits_for_the_warm_up() {
        let Some(gpu) = crate::eval::gpu::test_gpu("the warm-up's join") else {
            return;
        };
        let (device, queue) = (gpu.device(), gpu.queue());
        let prefix = "basinscope-raym";
        let Some(before) = threads_named(prefix) else {
            eprintln!("SKIPPED: no /proc/self/task here; the warm-up's join was not checked");
            return;
        };
        // No other test of this binary starts a warm-up, so none is listed before.
        assert_eq!(before, 0);
        let resources = SliceResources::new(device, queue, wgpu::TextureFormat::Rgba8Unorm);
        assert!(resources.warming.is_some());
        drop(resources);
        // A joined thread can stay listed for a moment while the kernel reaps it; one
        // still compiling would stay for seconds.
        let listed = |n| threads_named(prefix) == Some(n);
        let start = std::time::Instant::now();
        while !listed(0) && start.elapsed() < std::time::Duration::from_millis(200) {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert!(listed(0), "the warm-up thread outlived its resources");
    }
}
