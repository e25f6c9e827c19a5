//! The GPU path for slice fields: the compute pass of `shaders/field.wgsl`.
//!
//! The host precomputes what is shared by all grid points in f64 (grid coordinates, the
//! first layer's affine terms, the packed (θ₀, u, v, w) of the later layers) and uploads
//! it once; the shader runs one invocation per grid point. Large grids are split into
//! dispatches of bounded work and a few dispatches per submission, so a slow adapter
//! (llvmpipe) or a GPU watchdog never sees one enormous piece of work.

use std::sync::mpsc;
use std::sync::{Arc, Mutex};

pub mod context;

use bytemuck::{Pod, Zeroable};
use wgpu::util::DeviceExt as _;

use crate::core::Activation;
use crate::core::field::{Field, FieldError, FieldEvaluator, FieldRequest, GridPlan};
use context::{GpuContext, describe_adapter};

/// Widest layer output the shader holds (`MAX_WIDTH` in field.wgsl).
pub const MAX_GPU_WIDTH: usize = 64;
/// Threads per workgroup (`@workgroup_size` in field.wgsl).
const WORKGROUP_SIZE: usize = 64;
/// Inputs per block in the shader (`IB` in field.wgsl).
const INPUT_BLOCK: usize = 8;
/// Estimated multiply-adds per dispatch: tens of ms on llvmpipe, microseconds on a GPU.
const DISPATCH_WORK: usize = 1 << 26;
/// Dispatches per submission, so no one submission runs long enough for a GPU watchdog.
const DISPATCHES_PER_SUBMIT: usize = 16;

/// A field left on the GPU, laid out as [`Field::values`], for a render pass to read.
#[derive(Debug)]
pub struct GpuField {
    /// `STORAGE | COPY_SRC`, (k + 1)·n_points f32.
    pub buffer: wgpu::Buffer,
    pub n_inputs: usize,
    pub shape: Vec<usize>,
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Params {
    n_points: u32,
    point_offset: u32,
    chunk_points: u32,
    na: u32,
    nb: u32,
    nc: u32,
    n_inputs: u32,
    n_layers: u32,
    h1: u32,
    inv_k: f32,
    pad: [u32; 2],
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct GpuLayer {
    fan_in: u32,
    fan_out: u32,
    weights: u32,
    bias: u32,
}

const NO_BIAS: u32 = u32::MAX;

/// Evaluates fields with the compute shader on a wgpu device.
pub struct GpuFieldEvaluator {
    device: wgpu::Device,
    queue: wgpu::Queue,
    adapter: Option<String>,
    adapter_info: Option<wgpu::AdapterInfo>,
    module: wgpu::ShaderModule,
    layout: wgpu::BindGroupLayout,
    pipeline_layout: wgpu::PipelineLayout,
    /// One pipeline per activation (the `ACTIVATION` override), built on first use.
    pipelines: Mutex<Vec<Option<wgpu::ComputePipeline>>>,
    /// Set by the device-lost callback of a device this evaluator owns.
    lost: Arc<Mutex<Option<String>>>,
    /// Estimated multiply-adds per dispatch ([`DISPATCH_WORK`]; smaller in tests).
    dispatch_work: usize,
}

impl std::fmt::Debug for GpuFieldEvaluator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GpuFieldEvaluator")
            .field("adapter", &self.adapter)
            .finish_non_exhaustive()
    }
}

impl GpuFieldEvaluator {
    /// An evaluator on an existing device (for example egui's), sharing its queue.
    pub fn new(device: wgpu::Device, queue: wgpu::Queue) -> Self {
        let module = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("field.wgsl"),
            source: wgpu::ShaderSource::Wgsl(include_str!("../../../shaders/field.wgsl").into()),
        });
        let storage = |binding, read_only| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: wgpu::ShaderStages::COMPUTE,
            ty: wgpu::BindingType::Buffer {
                ty: wgpu::BufferBindingType::Storage { read_only },
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        };
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("field"),
            entries: &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: wgpu::ShaderStages::COMPUTE,
                    ty: wgpu::BindingType::Buffer {
                        ty: wgpu::BufferBindingType::Uniform,
                        has_dynamic_offset: true,
                        min_binding_size: wgpu::BufferSize::new(
                            std::mem::size_of::<Params>() as u64
                        ),
                    },
                    count: None,
                },
                storage(1, true),
                storage(2, true),
                storage(3, true),
                storage(4, true),
                storage(5, true),
                storage(6, false),
            ],
        });
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("field"),
            bind_group_layouts: &[Some(&layout)],
            immediate_size: 0,
        });
        Self {
            device,
            queue,
            adapter: None,
            adapter_info: None,
            module,
            layout,
            pipeline_layout,
            pipelines: Mutex::new(vec![None; Activation::ALL.len()]),
            lost: Arc::new(Mutex::new(None)),
            dispatch_work: DISPATCH_WORK,
        }
    }

    /// An evaluator on its own headless device ([`GpuContext::headless`]).
    pub fn headless() -> Result<Self, FieldError> {
        Ok(Self::from_context(GpuContext::headless()?))
    }

    /// An evaluator that owns `context`'s device and watches it for loss.
    pub fn from_context(context: GpuContext) -> Self {
        let mut evaluator = Self::new(context.device, context.queue);
        evaluator.adapter = Some(describe_adapter(&context.adapter_info));
        evaluator.adapter_info = Some(context.adapter_info.clone());
        let lost = Arc::clone(&evaluator.lost);
        evaluator
            .device
            .set_device_lost_callback(move |reason, message| {
                if reason != wgpu::DeviceLostReason::Destroyed {
                    log::error!("GPU device lost ({reason:?}): {message}");
                }
                *lost
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) =
                    Some(format!("{reason:?}: {message}"));
            });
        evaluator
    }

    /// The adapter in words, or "shared device" for one made with [`Self::new`].
    pub fn adapter(&self) -> &str {
        self.adapter.as_deref().unwrap_or("shared device")
    }

    /// What the adapter is, for an evaluator on its own device ([`Self::from_context`]).
    pub fn adapter_info(&self) -> Option<&wgpu::AdapterInfo> {
        self.adapter_info.as_ref()
    }

    /// The device the fields are computed on (and their buffers live on).
    pub fn device(&self) -> &wgpu::Device {
        &self.device
    }

    /// The queue the field work is submitted to.
    pub fn queue(&self) -> &wgpu::Queue {
        &self.queue
    }

    fn check_lost(&self) -> Result<(), FieldError> {
        match &*self
            .lost
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
        {
            Some(reason) => Err(FieldError::DeviceLost(reason.clone())),
            None => Ok(()),
        }
    }

    fn pipeline(&self, activation: Activation) -> wgpu::ComputePipeline {
        let code = activation_code(activation);
        let mut pipelines = self
            .pipelines
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        pipelines[code]
            .get_or_insert_with(|| {
                self.device
                    .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                        label: Some("field"),
                        layout: Some(&self.pipeline_layout),
                        module: &self.module,
                        entry_point: Some("main"),
                        compilation_options: wgpu::PipelineCompilationOptions {
                            constants: &[("ACTIVATION", code as f64)],
                            zero_initialize_workgroup_memory: false,
                        },
                        cache: None,
                    })
            })
            .clone()
    }

    /// Evaluates into a GPU storage buffer without readback (for the app's render pass);
    /// the layout is that of [`Field::values`]. The work is submitted to the queue before
    /// this returns, so command buffers submitted later see the finished field.
    pub fn evaluate_to_buffer(&self, req: &FieldRequest) -> Result<GpuField, FieldError> {
        self.check_lost()?;
        let plan = req.plan()?;
        check_widths(req.spec)?;
        let host = HostData::new(req, &plan);
        let limits = self.device.limits();
        let out_bytes = 4 * (plan.n_inputs as u64 + 1) * plan.n_points as u64;
        check_buffer_sizes(&limits, &host, out_bytes)?;

        let oom = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let validation = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let pipeline = self.pipeline(req.spec.activation);

        let chunks = plan_chunks(
            &plan,
            req,
            self.dispatch_work,
            limits.max_compute_workgroups_per_dimension as usize,
        );
        let stride = (std::mem::size_of::<Params>() as u64)
            .next_multiple_of(u64::from(limits.min_uniform_buffer_offset_alignment));
        let uniform_bytes = chunk_params_bytes(&plan, req.spec.n_layers(), &chunks, stride);
        let buffers = self.upload_buffers(&host, &uniform_bytes, out_bytes);
        self.dispatch_chunks(&pipeline, &buffers.bind_group, &chunks, stride);

        let validation = pollster::block_on(validation.pop());
        let oom = pollster::block_on(oom.pop());
        if let Some(e) = oom.or(validation) {
            return Err(FieldError::Gpu(e.to_string()));
        }
        Ok(GpuField {
            buffer: buffers.out,
            n_inputs: plan.n_inputs,
            shape: req.grid.shape.clone(),
        })
    }

    /// Creates the field's buffers (uniform params, the host data, the output) and the
    /// bind group over them.
    fn upload_buffers(
        &self,
        host: &HostData,
        uniform_bytes: &[u8],
        out_bytes: u64,
    ) -> FieldBuffers {
        let init = |label, contents: &[u8], usage| {
            self.device
                .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                    label: Some(label),
                    contents,
                    usage,
                })
        };
        let storage = wgpu::BufferUsages::STORAGE;
        let uniform = init("field params", uniform_bytes, wgpu::BufferUsages::UNIFORM);
        let coords = init("field coords", bytemuck::cast_slice(&host.coords), storage);
        let first = init(
            "field first layer",
            bytemuck::cast_slice(&host.first),
            storage,
        );
        let theta = init("field theta", bytemuck::cast_slice(&host.theta), storage);
        let layers = init("field layers", bytemuck::cast_slice(&host.layers), storage);
        let targets = init(
            "field targets",
            bytemuck::cast_slice(&host.targets),
            storage,
        );
        let out = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("field values"),
            size: out_bytes,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        let bind_group = self.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("field"),
            layout: &self.layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::Buffer(wgpu::BufferBinding {
                        buffer: &uniform,
                        offset: 0,
                        size: wgpu::BufferSize::new(std::mem::size_of::<Params>() as u64),
                    }),
                },
                whole(1, &coords),
                whole(2, &first),
                whole(3, &theta),
                whole(4, &layers),
                whole(5, &targets),
                whole(6, &out),
            ],
        });
        FieldBuffers {
            bind_group,
            out,
            _inputs: [uniform, coords, first, theta, layers, targets],
        }
    }

    /// Records one dispatch per chunk (each at its own uniform offset) and submits them,
    /// [`DISPATCHES_PER_SUBMIT`] per submission.
    fn dispatch_chunks(
        &self,
        pipeline: &wgpu::ComputePipeline,
        bind_group: &wgpu::BindGroup,
        chunks: &[(usize, usize)],
        stride: u64,
    ) {
        for (group, batch) in chunks.chunks(DISPATCHES_PER_SUBMIT).enumerate() {
            let mut encoder = self
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("field"),
                });
            {
                let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("field"),
                    timestamp_writes: None,
                });
                pass.set_pipeline(pipeline);
                for (j, &(_, chunk_points)) in batch.iter().enumerate() {
                    let i = group * DISPATCHES_PER_SUBMIT + j;
                    pass.set_bind_group(0, bind_group, &[(i as u64 * stride) as u32]);
                    pass.dispatch_workgroups(chunk_points.div_ceil(WORKGROUP_SIZE) as u32, 1, 1);
                }
            }
            self.queue.submit([encoder.finish()]);
        }
    }

    /// Copies a GPU field back to the host, waiting for the GPU to finish.
    pub fn read_back(&self, field: &GpuField) -> Result<Vec<f32>, FieldError> {
        let size = field.buffer.size();
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("field readback"),
            size,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut encoder = self
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("field readback"),
            });
        encoder.copy_buffer_to_buffer(&field.buffer, 0, &staging, 0, size);
        self.queue.submit([encoder.finish()]);
        let (sender, receiver) = mpsc::channel();
        staging.map_async(wgpu::MapMode::Read, .., move |result| {
            let _ = sender.send(result);
        });
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| FieldError::DeviceLost(e.to_string()))?;
        self.check_lost()?;
        match receiver.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                return Err(FieldError::Gpu(format!(
                    "reading the field back failed: {e}"
                )));
            }
            Err(_) => {
                return Err(FieldError::DeviceLost(
                    "the readback never completed".into(),
                ));
            }
        }
        let values = {
            let bytes = staging
                .get_mapped_range(..)
                .map_err(|e| FieldError::Gpu(format!("reading the field back failed: {e}")))?;
            bytemuck::pod_collect_to_vec::<u8, f32>(&bytes)
        };
        staging.unmap();
        Ok(values)
    }
}

impl FieldEvaluator for GpuFieldEvaluator {
    fn evaluate(&self, req: &FieldRequest) -> Result<Field, FieldError> {
        let gpu = self.evaluate_to_buffer(req)?;
        let values = self.read_back(&gpu)?;
        Ok(Field {
            n_inputs: gpu.n_inputs,
            shape: gpu.shape,
            values,
        })
    }

    fn name(&self) -> String {
        format!(
            "GPU: {}",
            self.adapter.as_deref().unwrap_or("shared device")
        )
    }
}

/// The buffers of one field evaluation: the bind group over them, the output buffer,
/// and the input buffers, kept alive until the work is submitted.
struct FieldBuffers {
    bind_group: wgpu::BindGroup,
    out: wgpu::Buffer,
    _inputs: [wgpu::Buffer; 6],
}

/// Refuses a model with a layer (after the input) wider than the shader holds.
pub fn check_widths(spec: &crate::core::MlpSpec) -> Result<(), FieldError> {
    if let Some(&width) = spec.layers[1..].iter().find(|&&w| w > MAX_GPU_WIDTH) {
        return Err(FieldError::WidthTooLarge {
            width,
            limit: MAX_GPU_WIDTH,
        });
    }
    Ok(())
}

/// Refuses a field whose output, first-layer or parameter buffer is over the device's
/// storage binding (or buffer) size limit.
fn check_buffer_sizes(
    limits: &wgpu::Limits,
    host: &HostData,
    out_bytes: u64,
) -> Result<(), FieldError> {
    let binding_limit = limits
        .max_storage_buffer_binding_size
        .min(limits.max_buffer_size);
    for (what, bytes) in [
        ("field buffer", out_bytes),
        (
            "first-layer buffer",
            std::mem::size_of_val(host.first.as_slice()) as u64,
        ),
        (
            "parameter buffer",
            std::mem::size_of_val(host.theta.as_slice()) as u64,
        ),
    ] {
        if bytes > binding_limit {
            return Err(FieldError::BufferTooLarge {
                what,
                bytes,
                limit: binding_limit,
            });
        }
    }
    Ok(())
}

/// The uniform buffer's contents: one [`Params`] per chunk, each `stride` bytes apart.
fn chunk_params_bytes(
    plan: &GridPlan,
    n_layers: usize,
    chunks: &[(usize, usize)],
    stride: u64,
) -> Vec<u8> {
    let mut uniform_bytes = vec![0u8; stride as usize * chunks.len()];
    for (i, &(point_offset, chunk_points)) in chunks.iter().enumerate() {
        let params = Params {
            n_points: plan.n_points as u32,
            point_offset: point_offset as u32,
            chunk_points: chunk_points as u32,
            na: plan.shape3[0] as u32,
            nb: plan.shape3[1] as u32,
            nc: plan.shape3[2] as u32,
            n_inputs: plan.n_inputs as u32,
            n_layers: n_layers as u32,
            h1: plan.h1 as u32,
            inv_k: 1.0 / plan.n_inputs as f32,
            pad: [0; 2],
        };
        let at = i * stride as usize;
        uniform_bytes[at..at + std::mem::size_of::<Params>()]
            .copy_from_slice(bytemuck::bytes_of(&params));
    }
    uniform_bytes
}

fn whole(binding: u32, buffer: &wgpu::Buffer) -> wgpu::BindGroupEntry<'_> {
    wgpu::BindGroupEntry {
        binding,
        resource: buffer.as_entire_binding(),
    }
}

/// `ACTIVATION` in field.wgsl.
fn activation_code(activation: Activation) -> usize {
    match activation {
        Activation::Identity => 0,
        Activation::Relu => 1,
        Activation::LeakyRelu => 2,
        Activation::Tanh => 3,
        Activation::Sigmoid => 4,
        Activation::Gelu => 5,
        Activation::Softplus => 6,
    }
}

/// The shader's storage buffers, host side.
struct HostData {
    coords: Vec<f32>,
    first: Vec<[f32; 4]>,
    theta: Vec<[f32; 4]>,
    layers: Vec<GpuLayer>,
    targets: Vec<f32>,
}

impl HostData {
    fn new(req: &FieldRequest, plan: &GridPlan) -> Self {
        let coords = plan.coords.iter().flatten().map(|&x| x as f32).collect();
        let first = plan
            .first_layer
            .iter()
            .map(|t| t.map(|x| x as f32))
            .collect();
        let layouts = req.spec.layouts();
        let start = layouts
            .get(1)
            .map_or(req.grid.theta0.len(), |l| l.weight_offset);
        let component = |t: usize, j: usize| match t {
            0 => req.grid.theta0[j],
            t => req.grid.axes.get(t - 1).map_or(0.0, |axis| axis[j]),
        };
        let mut theta: Vec<[f32; 4]> = (start..req.grid.theta0.len())
            .map(|j| std::array::from_fn(|t| component(t, j) as f32))
            .collect();
        let mut layers: Vec<GpuLayer> = layouts[1..]
            .iter()
            .map(|l| GpuLayer {
                fan_in: l.fan_in as u32,
                fan_out: l.fan_out as u32,
                weights: (l.weight_offset - start) as u32,
                bias: l.bias_offset.map_or(NO_BIAS, |b| (b - start) as u32),
            })
            .collect();
        // Storage bindings may not be empty (a linear model has no later layers).
        if theta.is_empty() {
            theta.push([0.0; 4]);
        }
        if layers.is_empty() {
            layers.push(GpuLayer::zeroed());
        }
        Self {
            coords,
            first,
            theta,
            layers,
            targets: req.data.targets.iter().map(|&y| y as f32).collect(),
        }
    }
}

/// (first point, point count) of each dispatch: about `work` multiply-adds each, a
/// multiple of the workgroup size, within the workgroup-count limit.
fn plan_chunks(
    plan: &GridPlan,
    req: &FieldRequest,
    work: usize,
    max_groups: usize,
) -> Vec<(usize, usize)> {
    let blocks = plan.n_inputs.div_ceil(INPUT_BLOCK) * INPUT_BLOCK;
    let later: usize = req.spec.layouts()[1..]
        .iter()
        .map(|l| l.fan_in * l.fan_out)
        .sum();
    let per_point = (blocks * (plan.h1 + later)).max(1);
    let max_points = max_groups.max(1) * WORKGROUP_SIZE;
    let chunk =
        (work / per_point).clamp(WORKGROUP_SIZE, max_points) / WORKGROUP_SIZE * WORKGROUP_SIZE;
    (0..plan.n_points.div_ceil(chunk))
        .map(|i| (i * chunk, chunk.min(plan.n_points - i * chunk)))
        .collect()
}

/// Whether this is a CI run (`CI` set to anything but empty, `0` or `false`), where a
/// missing GPU adapter must fail the GPU tests instead of skipping them.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}

/// One headless evaluator shared by all GPU tests (llvmpipe where there is no GPU). Without
/// any adapter: `None` with a note (a local run skips `what`), but a panic in CI, so a
/// missing Mesa driver cannot turn the GPU tests into no-ops.
#[cfg(test)]
pub(crate) fn test_gpu(what: &str) -> Option<&'static GpuFieldEvaluator> {
    use std::sync::OnceLock;
    static GPU: OnceLock<Result<GpuFieldEvaluator, String>> = OnceLock::new();
    let gpu = GPU.get_or_init(|| match GpuFieldEvaluator::headless() {
        Ok(g) => {
            eprintln!("GPU tests run on {}", g.adapter());
            Ok(g)
        }
        Err(e @ FieldError::NoAdapter(_)) => Err(e.to_string()),
        Err(e) => panic!("an adapter exists but could not be used: {e}"),
    });
    match gpu {
        Ok(g) => Some(g),
        Err(e) if in_ci() => {
            panic!("{e}: CI must run the GPU tests (install mesa-vulkan-drivers for llvmpipe)")
        }
        Err(e) => {
            eprintln!("SKIPPED: {e}; {what} was not checked");
            None
        }
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::core::field::test_support::{ARCHITECTURES, Case, max_error};
    use crate::core::field::{MAX_FIELD_VALUES, SliceGrid};
    use crate::eval::CpuFieldEvaluator;

    /// GPU and CPU fields (both f32) agree to this, relative to 1 + |value|.
    const TOLERANCE: f64 = 1e-5;

    fn gpu() -> Option<&'static GpuFieldEvaluator> {
        test_gpu("the GPU field")
    }

    fn compare(gpu: &GpuFieldEvaluator, case: &Case, what: &str) {
        let req = case.as_request();
        let on_gpu = gpu.evaluate(&req).unwrap_or_else(|e| panic!("{what}: {e}"));
        let on_cpu = CpuFieldEvaluator.evaluate(&req).unwrap();
        assert_eq!(on_gpu.shape, on_cpu.shape);
        assert_eq!(on_gpu.n_inputs, on_cpu.n_inputs);
        let reference: Vec<f64> = on_cpu.values.iter().map(|&x| f64::from(x)).collect();
        let err = max_error(&on_gpu.values, &reference);
        assert!(err < TOLERANCE, "{what}: GPU vs CPU error {err:.2e}");
    }

    #[test]
    fn gpu_field_matches_cpu_for_every_activation_and_depth_in_2d() {
        let Some(gpu) = gpu() else { return };
        for (n, layers) in ARCHITECTURES.iter().enumerate() {
            for act in Activation::ALL {
                for bias in [true, false] {
                    let case = Case::new(layers, act, bias, 11, &[9, 6], n as u64);
                    compare(gpu, &case, &format!("{layers:?} {act} bias={bias}"));
                }
            }
        }
    }

    #[test]
    fn gpu_field_matches_cpu_in_3d() {
        let Some(gpu) = gpu() else { return };
        for act in Activation::ALL {
            let case = Case::new(&[2, 8, 5, 1], act, true, 5, &[5, 3, 7], 7);
            compare(gpu, &case, &format!("3D {act}"));
        }
    }

    /// na ≠ nb, a point count (13·7 = 91) not divisible by the workgroup size, and k = 17
    /// (three input blocks, the last partial); checked against the independent f64
    /// reference as well, so a transposed a/b would show.
    #[test]
    fn gpu_field_on_rectangular_grid_matches_f64_reference() {
        let Some(gpu) = gpu() else { return };
        let case = Case::new(&[2, 6, 4, 1], Activation::Tanh, true, 17, &[13, 7], 11);
        let field = gpu.evaluate(&case.as_request()).unwrap();
        let err = max_error(&field.values, &case.reference());
        assert!(err < TOLERANCE, "error {err:.2e}");
        compare(gpu, &case, "13×7");
    }

    /// Corners at the range ends, for the GPU as for the CPU.
    #[test]
    fn gpu_grid_corners_sit_at_range_ends() {
        let Some(gpu) = gpu() else { return };
        let case = Case::new(&[2, 4, 1], Activation::Sigmoid, true, 3, &[9, 6, 4], 5);
        let field = gpu.evaluate(&case.as_request()).unwrap();
        for (t, index) in [(0, [0, 0, 0]), (1, [8, 5, 3])] {
            let mut theta = case.grid.theta0.clone();
            for (axis, range) in case.grid.ranges.iter().enumerate() {
                for (p, d) in theta.iter_mut().zip(&case.grid.axes[axis]) {
                    *p += range[t] * d;
                }
            }
            for (i, x) in case.data.inputs.iter().enumerate() {
                let f = case.spec.forward(&theta, x);
                let got = field.at(i, index[0], index[1], index[2]);
                assert!(
                    (f64::from(got) - f).abs() < 1e-5,
                    "corner {t}, input {i}: {got} vs {f}"
                );
            }
        }
    }

    /// A grid split over many dispatches (and more than one submission) gives the same
    /// field as the CPU.
    #[test]
    fn gpu_field_split_into_many_dispatches_matches_cpu() {
        let Some(shared) = gpu() else { return };
        let mut gpu = GpuFieldEvaluator::new(shared.device().clone(), shared.queue().clone());
        gpu.dispatch_work = 1;
        let case = Case::new(&[2, 5, 1], Activation::Relu, false, 6, &[33, 40], 2);
        let chunks = plan_chunks(
            &case.as_request().plan().unwrap(),
            &case.as_request(),
            gpu.dispatch_work,
            65535,
        );
        assert_eq!(
            chunks.len(),
            21,
            "1320 points in chunks of 64, two submissions"
        );
        compare(&gpu, &case, "chunked");
    }

    #[test]
    fn gpu_width_over_the_shader_cap_is_an_error() {
        let Some(gpu) = gpu() else { return };
        let case = Case::new(
            &[2, MAX_GPU_WIDTH + 1, 1],
            Activation::Tanh,
            true,
            3,
            &[4, 4],
            1,
        );
        let err = gpu.evaluate(&case.as_request()).unwrap_err();
        assert!(
            matches!(
                err,
                FieldError::WidthTooLarge {
                    width: 65,
                    limit: 64
                }
            ),
            "{err}"
        );
        // The CPU path has no such cap.
        assert!(CpuFieldEvaluator.evaluate(&case.as_request()).is_ok());
        let wide_input = Case::new(
            &[100, MAX_GPU_WIDTH, 1],
            Activation::Tanh,
            true,
            3,
            &[4, 4],
            1,
        );
        compare(gpu, &wide_input, "d_in 100, width 64");
    }

    #[test]
    fn gpu_absurd_grid_is_an_error() {
        let Some(gpu) = gpu() else { return };
        let case = Case::new(&[2, 3, 1], Activation::Tanh, true, 3, &[4, 4], 1);
        let grid = SliceGrid {
            shape: vec![1 << 15, 1 << 15],
            ..case.grid.clone()
        };
        let err = gpu
            .evaluate(&FieldRequest {
                grid: &grid,
                ..case.as_request()
            })
            .unwrap_err();
        assert!(
            matches!(
                err,
                FieldError::GridTooLarge {
                    limit: MAX_FIELD_VALUES,
                    ..
                }
            ),
            "{err}"
        );
    }

    /// Throughput of the bench's 2D workload at a quarter of its size (`--ignored`).
    #[test]
    #[ignore = "timing, not a check"]
    fn time_gpu_field_2d() {
        let Some(gpu) = gpu() else { return };
        for (k, shape) in [(64, vec![256, 256]), (4, vec![64, 64, 64])] {
            let case = Case::new(&[2, 16, 16, 1], Activation::Tanh, true, k, &shape, 1);
            let req = case.as_request();
            gpu.evaluate(&req).unwrap();
            let start = std::time::Instant::now();
            gpu.evaluate(&req).unwrap();
            let secs = start.elapsed().as_secs_f64();
            let flops = 608.0 * k as f64 * shape.iter().product::<usize>() as f64;
            eprintln!(
                "{shape:?} x {k}: {:.1} ms, {:.2} GFLOP/s",
                secs * 1e3,
                flops / secs / 1e9
            );
        }
    }

    /// The buffer that stays on the GPU holds what `evaluate` reads back.
    #[test]
    fn evaluate_to_buffer_holds_the_field_layout() {
        let Some(gpu) = gpu() else { return };
        let case = Case::new(&[2, 5, 1], Activation::Gelu, true, 4, &[6, 5], 4);
        let on_gpu = gpu.evaluate_to_buffer(&case.as_request()).unwrap();
        assert_eq!(on_gpu.buffer.size(), 4 * 5 * 30);
        assert_eq!((on_gpu.n_inputs, on_gpu.shape.as_slice()), (4, &[6, 5][..]));
        let values = gpu.read_back(&on_gpu).unwrap();
        assert_eq!(values, gpu.evaluate(&case.as_request()).unwrap().values);
    }
}
