//! The render pass of the two 3D views (`shaders/raymarch.wgsl`): a 3D slice's
//! isosurfaces and where they meet, or the loss terrain over a 2D slice, ray marched
//! from an [`OrbitCamera`] into an offscreen [`Picture`]. The app blits that picture and
//! `basinscope render` reads it back: one implementation for both.
//!
//! World coordinates are the box [−1, 1]³ (see [`crate::core::camera`]); [`to_world`]
//! maps slice coordinates (a, b, c) into it.

use bytemuck::{Pod, Zeroable};
use glam::Vec3;
use wgpu::util::DeviceExt as _;

use super::slice_pass::{PICTURE_FORMAT, buffer_entry, fullscreen_pipeline_with};
use crate::core::camera::OrbitCamera;
use crate::core::slice3d::{ClipPlane, MAX_SURFACES};

use super::volume_paths::{MAX_LINES, PathLine};

/// Starting picture scale of the 3D views while the camera moves on a software rasterizer,
/// which shades every pixel on the CPU (the blit scales the picture up); from there it
/// adapts to the frame time ([`super::frame_pace`]).
pub const MOVING_SCALE: f32 = 0.2;
/// Ray step in grid cells while the camera moves on a software rasterizer.
pub const MOVING_STEP_CELLS: f32 = 2.0;

/// Most polyline points (trajectory and walk) the picture draws; longer paths are thinned.
pub const MAX_PATH_POINTS: usize = 512;

/// One surface of the volume view (f(x_i) = level), or one draped contour of the terrain.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SurfaceStyle {
    /// The field channel (the input's index).
    pub channel: u32,
    pub level: f32,
    /// sRGB, 0..1.
    pub color: [f32; 3],
    /// A bound on |∇f| of the interpolated channel in world units ([`lipschitz_bound`]):
    /// the ray skips empty space in steps of |f − level| / bound.
    pub lipschitz: f32,
}

/// What is drawn: the volume's surfaces, or the terrain.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum PictureMode {
    /// Isosurfaces of a 3D field.
    Volume,
    /// The loss channel of a 2D field as height: `value_range` (of log₁₀ loss when `log`)
    /// maps to z = −1..1. `lipschitz` bounds |∇h| of the height in world units.
    Terrain {
        value_range: [f32; 2],
        log: bool,
        lipschitz: f32,
    },
}

/// How the 3D picture looks.
#[derive(Clone, Copy, Debug, PartialEq)]
#[allow(clippy::struct_excessive_bools)] // one switch per layer of the picture
pub struct VolumeStyle {
    /// Opacity of each surface.
    pub surface_alpha: f32,
    /// Width in pixels of the bright band where two surfaces meet.
    pub manifold_width_px: f32,
    /// Ray step in grid cells (smaller is slower and misses fewer thin features).
    pub step_cells: f32,
    /// Width in pixels of box edges, draped contours and paths.
    pub line_width_px: f32,
    /// Radius in pixels of the θ marker.
    pub marker_px: f32,
    pub show_box: bool,
    pub show_intersections: bool,
    pub show_path: bool,
    /// sRGB, 0..1.
    pub background: [f32; 3],
}

impl Default for VolumeStyle {
    fn default() -> Self {
        Self {
            surface_alpha: 0.5,
            manifold_width_px: 4.0,
            step_cells: 1.0,
            line_width_px: 1.5,
            marker_px: 5.0,
            show_box: true,
            show_intersections: true,
            show_path: true,
            background: [0.13, 0.13, 0.15],
        }
    }
}

/// Everything one 3D picture needs besides the field buffer.
#[derive(Clone, Debug, PartialEq)]
pub struct VolumeScene {
    pub camera: OrbitCamera,
    pub mode: PictureMode,
    /// Grid points [na, nb, nc] (nc = 1 for the terrain).
    pub shape: [usize; 3],
    /// k, the loss is channel k.
    pub n_inputs: usize,
    pub surfaces: Vec<SurfaceStyle>,
    /// The visible part of the box after clipping, [lo, hi] in world coordinates.
    pub clip_box: [[f32; 3]; 2],
    /// θ in world coordinates.
    pub marker: Option<[f32; 3]>,
    /// Polylines in world coordinates: (point, is the manifold walk).
    pub path: Vec<([f32; 3], bool)>,
    /// The paths between models, each in its own color (at most
    /// [`super::volume_paths::MAX_LINES`]).
    pub lines: Vec<PathLine>,
    pub style: VolumeStyle,
}

/// Slice coordinates to world coordinates: each range maps onto [−1, 1].
pub fn to_world(coords: [f64; 3], ranges: [[f64; 2]; 3]) -> [f32; 3] {
    std::array::from_fn(|i| {
        let [lo, hi] = ranges[i];
        (-1.0 + 2.0 * (coords[i] - lo) / (hi - lo)) as f32
    })
}

/// The visible box left by clipping planes on a volume with slice `ranges`.
pub fn clip_box(planes: &[ClipPlane], ranges: [[f64; 2]; 3]) -> [[f32; 3]; 2] {
    let mut lo = [-1.0f32; 3];
    let mut hi = [1.0f32; 3];
    for p in planes.iter().filter(|p| p.axis < 3) {
        let mut c = [0.0; 3];
        c[p.axis] = p.at;
        let w = to_world(c, ranges)[p.axis].clamp(-1.0, 1.0);
        if p.keep_below {
            hi[p.axis] = hi[p.axis].min(w);
        } else {
            lo[p.axis] = lo[p.axis].max(w);
        }
    }
    [lo, hi]
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct Params {
    inv_view_proj: [[f32; 4]; 4],
    eye: [f32; 4],
    clip_lo: [f32; 4],
    clip_hi: [f32; 4],
    dims: [u32; 4],
    counts: [u32; 4],
    style: [f32; 4],
    terrain: [f32; 4],
    marker: [f32; 4],
    background: [f32; 4],
    inv_lip_lo: [f32; 4],
    inv_lip_hi: [f32; 4],
    line_colors: [[f32; 4]; MAX_LINES],
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct GpuSurface {
    color: [f32; 4],
    level: f32,
    channel: u32,
    lipschitz: f32,
    pad: f32,
}

/// The surfaces of a 3D field packed for the ray marcher (`shaders/surface_pack.wgsl`):
/// f_i − level_i of surfaces 0..3 and 4..7 in two filterable rgba16float 3D textures,
/// with what they were packed from, so a field drawn for many frames is packed once.
struct PackedSurfaces {
    field: wgpu::Buffer,
    shape: [u32; 3],
    surfaces: Vec<(u32, u32)>,
    lo: wgpu::TextureView,
    hi: wgpu::TextureView,
}

/// The ray-marching pipelines (one per picture mode, each made on first use: compiling
/// one takes seconds on a software rasterizer), the surface-packing compute pipeline and
/// the last packed surfaces.
pub struct VolumeRenderer {
    shader: wgpu::ShaderModule,
    volume: std::sync::OnceLock<wgpu::RenderPipeline>,
    terrain: std::sync::OnceLock<wgpu::RenderPipeline>,
    layout: wgpu::BindGroupLayout,
    pack: wgpu::ComputePipeline,
    pack_layout: wgpu::BindGroupLayout,
    sampler: wgpu::Sampler,
    packed: std::sync::Mutex<Option<PackedSurfaces>>,
}

/// The format of the packed surface textures: filterable on every adapter (rgba32float
/// needs an optional feature), and precise enough for f − level (see the shader).
pub(crate) const PACKED_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba16Float;

impl VolumeRenderer {
    pub fn new(device: &wgpu::Device) -> Self {
        let shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("raymarch.wgsl"),
            source: wgpu::ShaderSource::Wgsl(include_str!("../../shaders/raymarch.wgsl").into()),
        });
        let layout = raymarch_layout(device);
        let pack_shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("surface_pack.wgsl"),
            source: wgpu::ShaderSource::Wgsl(
                include_str!("../../shaders/surface_pack.wgsl").into(),
            ),
        });
        let pack_layout = pack_layout(device);
        let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("surface_pack"),
            bind_group_layouts: &[Some(&pack_layout)],
            immediate_size: 0,
        });
        let pack = device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
            label: Some("surface_pack"),
            layout: Some(&pipeline_layout),
            module: &pack_shader,
            entry_point: Some("pack"),
            compilation_options: wgpu::PipelineCompilationOptions::default(),
            cache: None,
        });
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("packed surfaces"),
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            ..wgpu::SamplerDescriptor::default()
        });
        Self {
            shader,
            volume: std::sync::OnceLock::new(),
            terrain: std::sync::OnceLock::new(),
            layout,
            pack,
            pack_layout,
            sampler,
            packed: std::sync::Mutex::new(None),
        }
    }

    fn pipeline(&self, device: &wgpu::Device, mode: PictureMode) -> &wgpu::RenderPipeline {
        let (cell, entry) = match mode {
            PictureMode::Volume => (&self.volume, "fs_volume"),
            PictureMode::Terrain { .. } => (&self.terrain, "fs_terrain"),
        };
        cell.get_or_init(|| {
            fullscreen_pipeline_with(
                device,
                &self.shader,
                &self.layout,
                PICTURE_FORMAT,
                entry,
                entry,
            )
        })
    }

    /// The packed surface textures of `field` for `surfaces`: the cached ones when they
    /// were packed from the same buffer, grid and surfaces, else packed now (a compute pass
    /// recorded into `encoder`). A buffer's contents must not change while it is drawn
    /// (the callers make one buffer per field).
    fn packed_views(
        &self,
        device: &wgpu::Device,
        encoder: &mut wgpu::CommandEncoder,
        field: &wgpu::Buffer,
        shape: [u32; 3],
        surfaces: &[GpuSurface],
        surfaces_buffer: &wgpu::Buffer,
    ) -> (wgpu::TextureView, wgpu::TextureView) {
        let key: Vec<(u32, u32)> = surfaces
            .iter()
            .map(|s| (s.channel, s.level.to_bits()))
            .collect();
        let mut cache = self
            .packed
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(p) = cache.as_ref()
            && p.field == *field
            && p.shape == shape
            && p.surfaces == key
        {
            return (p.lo.clone(), p.hi.clone());
        }
        let texture = |label| {
            device
                .create_texture(&wgpu::TextureDescriptor {
                    label: Some(label),
                    size: wgpu::Extent3d {
                        width: shape[0],
                        height: shape[1],
                        depth_or_array_layers: shape[2],
                    },
                    mip_level_count: 1,
                    sample_count: 1,
                    dimension: wgpu::TextureDimension::D3,
                    format: PACKED_FORMAT,
                    usage: wgpu::TextureUsages::STORAGE_BINDING
                        | wgpu::TextureUsages::TEXTURE_BINDING,
                    view_formats: &[],
                })
                .create_view(&wgpu::TextureViewDescriptor::default())
        };
        let lo = texture("packed surfaces 0..3");
        let hi = texture("packed surfaces 4..7");

        let params = [shape[0], shape[1], shape[2], surfaces.len() as u32];
        let params_buffer = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("surface_pack params"),
            contents: bytemuck::cast_slice(&params),
            usage: wgpu::BufferUsages::UNIFORM,
        });
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("surface_pack"),
            layout: &self.pack_layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: params_buffer.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: field.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: surfaces_buffer.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 3,
                    resource: wgpu::BindingResource::TextureView(&lo),
                },
                wgpu::BindGroupEntry {
                    binding: 4,
                    resource: wgpu::BindingResource::TextureView(&hi),
                },
            ],
        });
        {
            let mut pass = encoder.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("surface_pack"),
                timestamp_writes: None,
            });
            pass.set_pipeline(&self.pack);
            pass.set_bind_group(0, &bind_group, &[]);
            pass.dispatch_workgroups(
                shape[0].div_ceil(4),
                shape[1].div_ceil(4),
                shape[2].div_ceil(4),
            );
        }
        *cache = Some(PackedSurfaces {
            field: field.clone(),
            shape,
            surfaces: key,
            lo: lo.clone(),
            hi: hi.clone(),
        });
        (lo, hi)
    }

    /// The marcher's bind group: parameters, field, surfaces and path buffers, and the
    /// packed surface textures.
    fn bind_group(
        &self,
        device: &wgpu::Device,
        buffers: [&wgpu::Buffer; 4],
        textures: [&wgpu::TextureView; 2],
    ) -> wgpu::BindGroup {
        device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("raymarch"),
            layout: &self.layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: buffers[0].as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: buffers[1].as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: buffers[2].as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 3,
                    resource: buffers[3].as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 4,
                    resource: wgpu::BindingResource::TextureView(textures[0]),
                },
                wgpu::BindGroupEntry {
                    binding: 5,
                    resource: wgpu::BindingResource::TextureView(textures[1]),
                },
                wgpu::BindGroupEntry {
                    binding: 6,
                    resource: wgpu::BindingResource::Sampler(&self.sampler),
                },
            ],
        })
    }

    /// Draws a one-pixel picture of a tiny volume and terrain, and waits for it, so that
    /// both pipelines are compiled (a software rasterizer compiles the marcher for seconds,
    /// on the pipeline's creation and again on its first draw). Run on a background thread
    /// before the first 3D frame, this keeps that stall out of the frame.
    pub fn warm_up(&self, device: &wgpu::Device, queue: &wgpu::Queue) {
        let values: Vec<f32> = (0..54).map(|i| (i % 2) as f32).collect();
        let field = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("warm-up field"),
            contents: bytemuck::cast_slice(&values),
            usage: wgpu::BufferUsages::STORAGE,
        });
        let target = super::slice_pass::Picture::new(device, [1, 1]);
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("raymarch warm-up"),
        });
        // llvmpipe compiles one variant for power-of-two textures and one for the others.
        let terrain = PictureMode::Terrain {
            value_range: [0.0, 1.0],
            log: false,
            lipschitz: 1.0,
        };
        for (mode, shape) in [
            (PictureMode::Volume, [2, 2, 2]),
            (PictureMode::Volume, [3, 3, 3]),
            (terrain, [3, 3, 1]),
        ] {
            let scene = VolumeScene {
                camera: OrbitCamera::default(),
                mode,
                shape,
                n_inputs: 1,
                surfaces: vec![SurfaceStyle {
                    channel: 0,
                    level: 0.5,
                    color: [1.0; 3],
                    lipschitz: 1.0,
                }],
                clip_box: [[-1.0; 3], [1.0; 3]],
                marker: None,
                path: Vec::new(),
                lines: Vec::new(),
                style: VolumeStyle::default(),
            };
            self.encode(device, &mut encoder, &field, &scene, &target.view, [1, 1]);
        }
        queue.submit([encoder.finish()]);
        if let Err(e) = device.poll(wgpu::PollType::wait_indefinitely()) {
            log::warn!("the ray marcher's warm-up frame did not finish: {e}");
        }
    }

    /// Records the ray-marched picture of `field` (layout [channel][c][b][a], k + 1
    /// channels, on the grid `scene.shape`) into `target` (a [`PICTURE_FORMAT`] view).
    #[allow(clippy::too_many_arguments)]
    pub fn encode(
        &self,
        device: &wgpu::Device,
        encoder: &mut wgpu::CommandEncoder,
        field: &wgpu::Buffer,
        scene: &VolumeScene,
        target: &wgpu::TextureView,
        target_size: [u32; 2],
    ) {
        let params = params(scene, target_size);
        let mut surfaces: Vec<GpuSurface> = scene
            .surfaces
            .iter()
            .take(MAX_SURFACES)
            .map(|s| GpuSurface {
                color: [s.color[0], s.color[1], s.color[2], 1.0],
                level: s.level,
                channel: s.channel.min(scene.n_inputs as u32),
                lipschitz: s.lipschitz,
                pad: 0.0,
            })
            .collect();
        if surfaces.is_empty() {
            surfaces.push(GpuSurface::zeroed());
        }
        let path = path_points(scene);
        let init = |label, contents: &[u8], usage| {
            device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents,
                usage,
            })
        };
        // A storage buffer, not a uniform block: lavapipe (Vulkan on llvmpipe) compiles a
        // new shader variant, seconds each, for every new value of a uniform that steers
        // a branch or a loop, and the camera changes every frame while rotating.
        let params_buffer = init(
            "raymarch params",
            bytemuck::bytes_of(&params),
            wgpu::BufferUsages::STORAGE,
        );
        let surfaces_buffer = init(
            "raymarch surfaces",
            bytemuck::cast_slice(&surfaces),
            wgpu::BufferUsages::STORAGE,
        );
        let path_buffer = init(
            "raymarch path",
            bytemuck::cast_slice(&path),
            wgpu::BufferUsages::STORAGE,
        );
        // The terrain's marcher reads the field buffer, so its textures are one texel each
        // (bound, never sampled) rather than a copy of its grid.
        let packed_shape = match scene.mode {
            PictureMode::Volume => [params.dims[0], params.dims[1], params.dims[2]],
            PictureMode::Terrain { .. } => [1; 3],
        };
        let max_side = device.limits().max_texture_dimension_3d;
        if packed_shape.iter().any(|&s| s > max_side) {
            // The callers fit or refuse such volumes first (`super::volume_memory`).
            log::warn!(
                "a {packed_shape:?} volume is larger than this GPU's 3D textures ({max_side} per side); not drawn"
            );
            return;
        }
        let (lo, hi) = self.packed_views(
            device,
            encoder,
            field,
            packed_shape,
            &surfaces[..params.counts[0] as usize],
            &surfaces_buffer,
        );
        let bind_group = self.bind_group(
            device,
            [&params_buffer, field, &surfaces_buffer, &path_buffer],
            [&lo, &hi],
        );
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("raymarch"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: target,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: None,
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        pass.set_pipeline(self.pipeline(device, scene.mode));
        pass.set_bind_group(0, &bind_group, &[]);
        pass.draw(0..3, 0..1);
    }
}

/// The uniform block for `scene` drawn at `size`.
fn params(scene: &VolumeScene, size: [u32; 2]) -> Params {
    let [w, h] = [size[0].max(1) as f32, size[1].max(1) as f32];
    let camera = &scene.camera;
    let inverse = camera.view_projection(w / h).inverse();
    let eye = camera.eye();
    // World units one pixel covers at unit distance from the eye.
    let per_px = 2.0 * (camera.fov_y_deg.to_radians() * 0.5).tan() / h;
    let s = &scene.style;
    let flags = u32::from(s.show_box)
        | (u32::from(s.show_intersections) << 1)
        | (u32::from(s.show_path) << 2);
    let (mode, terrain) = match scene.mode {
        PictureMode::Volume => (0, [0.0; 4]),
        PictureMode::Terrain {
            value_range,
            log,
            lipschitz,
        } => (
            1,
            [
                value_range[0],
                value_range[1],
                if log { 1.0 } else { 0.0 },
                lipschitz,
            ],
        ),
    };
    let marker = scene
        .marker
        .map_or([0.0; 4], |m| [m[0], m[1], m[2], s.marker_px]);
    let path_points = path_points(scene).len() as u32;
    let mut line_colors = [[0.0f32; 4]; MAX_LINES];
    for (slot, line) in line_colors.iter_mut().zip(&scene.lines) {
        *slot = [line.color[0], line.color[1], line.color[2], 1.0];
    }
    // Unused surfaces hold a large constant and a bound of 1: they never limit the step.
    let mut inv_lip = [[1.0f32; 4]; 2];
    for (i, surface) in scene.surfaces.iter().take(MAX_SURFACES).enumerate() {
        inv_lip[i / 4][i % 4] = 1.0 / surface.lipschitz.max(1e-20);
    }
    let [lo, hi] = scene.clip_box;
    Params {
        inv_view_proj: inverse.to_cols_array_2d(),
        eye: [eye.x, eye.y, eye.z, per_px],
        clip_lo: [lo[0], lo[1], lo[2], 0.0],
        clip_hi: [hi[0], hi[1], hi[2], 0.0],
        dims: [
            scene.shape[0] as u32,
            scene.shape[1] as u32,
            scene.shape[2].max(1) as u32,
            scene.n_inputs as u32,
        ],
        counts: [
            scene.surfaces.len().min(MAX_SURFACES) as u32,
            flags,
            path_points,
            mode,
        ],
        style: [
            s.surface_alpha,
            s.manifold_width_px,
            s.step_cells.max(0.05),
            s.line_width_px,
        ],
        terrain,
        marker,
        background: [s.background[0], s.background[1], s.background[2], 1.0],
        inv_lip_lo: inv_lip[0],
        inv_lip_hi: inv_lip[1],
        line_colors,
    }
}

/// The polyline points of the path buffer: xyz and a kind in w (0 the trajectory, 1 the
/// manifold walk, 2 + i the model path `i`, colored by `line_colors[i]`); consecutive
/// points of one kind are joined. At least one point (a buffer may not be empty).
fn path_points(scene: &VolumeScene) -> Vec<[f32; 4]> {
    let mut out: Vec<[f32; 4]> = thin(&scene.path, MAX_PATH_POINTS)
        .iter()
        .map(|(p, walk)| [p[0], p[1], p[2], if *walk { 1.0 } else { 0.0 }])
        .collect();
    for (i, line) in scene.lines.iter().take(MAX_LINES).enumerate() {
        let points: Vec<([f32; 3], bool)> = line.points.iter().map(|&p| (p, false)).collect();
        out.extend(
            thin(&points, MAX_PATH_POINTS / 4)
                .iter()
                .map(|(p, _)| [p[0], p[1], p[2], 2.0 + i as f32]),
        );
    }
    if out.is_empty() {
        out.push([0.0; 4]);
    }
    out
}

/// The bind group layout of the ray marcher: the parameters, the field, surfaces and
/// path storage buffers, the two packed surface textures and their filtering sampler.
fn raymarch_layout(device: &wgpu::Device) -> wgpu::BindGroupLayout {
    let visibility = wgpu::ShaderStages::FRAGMENT;
    let buffer = |binding, ty| buffer_entry(binding, visibility, ty);
    let storage = wgpu::BufferBindingType::Storage { read_only: true };
    let texture = |binding| wgpu::BindGroupLayoutEntry {
        binding,
        visibility,
        ty: wgpu::BindingType::Texture {
            sample_type: wgpu::TextureSampleType::Float { filterable: true },
            view_dimension: wgpu::TextureViewDimension::D3,
            multisampled: false,
        },
        count: None,
    };
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some("raymarch"),
        entries: &[
            buffer(0, storage),
            buffer(1, storage),
            buffer(2, storage),
            buffer(3, storage),
            texture(4),
            texture(5),
            wgpu::BindGroupLayoutEntry {
                binding: 6,
                visibility,
                ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
                count: None,
            },
        ],
    })
}

/// The bind group layout of the surface-packing pass: uniform, field, surfaces, and the
/// two textures it writes.
fn pack_layout(device: &wgpu::Device) -> wgpu::BindGroupLayout {
    let visibility = wgpu::ShaderStages::COMPUTE;
    let buffer = |binding, ty| buffer_entry(binding, visibility, ty);
    let storage = wgpu::BufferBindingType::Storage { read_only: true };
    let texture = |binding| wgpu::BindGroupLayoutEntry {
        binding,
        visibility,
        ty: wgpu::BindingType::StorageTexture {
            access: wgpu::StorageTextureAccess::WriteOnly,
            format: PACKED_FORMAT,
            view_dimension: wgpu::TextureViewDimension::D3,
        },
        count: None,
    };
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some("surface_pack"),
        entries: &[
            buffer(0, wgpu::BufferBindingType::Uniform),
            buffer(1, storage),
            buffer(2, storage),
            texture(3),
            texture(4),
        ],
    })
}

/// A bound on |∇f| in world units of the trilinear interpolant of `values` (one channel,
/// [c][b][a] on `shape`, axes mapped onto [−1, 1]): in every cell the derivative along an
/// axis interpolates that cell's edge differences, so it is at most the largest edge
/// difference over the cell width, and |∇f| ≤ √(Σ_axis (max difference / width)²).
/// Non-finite values are skipped.
pub fn lipschitz_bound(values: &[f32], shape: [usize; 3]) -> f32 {
    let [na, nb, nc] = shape;
    let stride = [1, na, na * nb];
    let mut sum = 0.0f32;
    for axis in 0..3 {
        let n = shape[axis];
        if n < 2 {
            continue;
        }
        let mut most = 0.0f32;
        for i in 0..values.len().min(na * nb * nc) {
            let coord = (i / stride[axis]) % n;
            if coord + 1 < n {
                let d = (values[i + stride[axis]] - values[i]).abs();
                if d.is_finite() {
                    most = most.max(d);
                }
            }
        }
        let width = 2.0 / (n - 1) as f32;
        sum += (most / width).powi(2);
    }
    sum.sqrt()
}

/// At most `max` points of `path`, evenly thinned, keeping the last.
fn thin(path: &[([f32; 3], bool)], max: usize) -> Vec<([f32; 3], bool)> {
    if path.len() <= max {
        return path.to_vec();
    }
    let stride = path.len().div_ceil(max - 1);
    let mut out: Vec<_> = path.iter().step_by(stride).copied().collect();
    if let Some(last) = path.last() {
        out.push(*last);
    }
    out
}

/// The world point of θ's projection, if inside the box (with a margin).
pub fn marker_in_box(world: [f32; 3]) -> Option<[f32; 3]> {
    (Vec3::from_array(world).abs().max_element() <= 1.05).then_some(world)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::draw::slice_pass::Picture;
    use crate::eval::gpu::test_gpu;

    /// Draws `scene` over a field of `values` ([channel][c][b][a]) and reads it back.
    fn draw(scene: &VolumeScene, values: &[f32], size: [u32; 2]) -> Option<Vec<u8>> {
        let gpu = test_gpu("the 3D picture")?;
        let device = gpu.device();
        let buffer = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: None,
            contents: bytemuck::cast_slice(values),
            usage: wgpu::BufferUsages::STORAGE,
        });
        let picture = Picture::new(device, size);
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor::default());
        VolumeRenderer::new(device).encode(
            device,
            &mut encoder,
            &buffer,
            scene,
            &picture.view,
            size,
        );
        gpu.queue().submit([encoder.finish()]);
        Some(picture.read_rgba(device, gpu.queue()).unwrap())
    }

    /// Two stacked transparent planes, red above blue (channels 0 and 1 both equal c, at
    /// levels +½ and −½), seen from above and from below: the nearer one is composited
    /// first, so the picture is mostly red from above and mostly blue from below, with the
    /// exact front-to-back mix 0.5·near + 0.25·far + 0.25·background.
    #[test]
    fn transparent_surfaces_are_composited_front_to_back() {
        let n = 5;
        let mut values = Vec::new();
        for _channel in 0..3 {
            for ic in 0..n {
                let c = -1.0 + 2.0 * ic as f32 / (n - 1) as f32;
                values.extend(std::iter::repeat_n(c, n * n));
            }
        }
        let surface = |channel, level, color| SurfaceStyle {
            channel,
            level,
            color,
            lipschitz: 1.0,
        };
        let mut scene = VolumeScene {
            camera: OrbitCamera {
                pitch_deg: 89.0,
                ..OrbitCamera::default()
            },
            mode: PictureMode::Volume,
            shape: [n, n, n],
            n_inputs: 2,
            surfaces: vec![
                surface(0, 0.5, [1.0, 0.0, 0.0]),
                surface(1, -0.5, [0.0, 0.0, 1.0]),
            ],
            clip_box: [[-1.0; 3], [1.0; 3]],
            marker: None,
            path: Vec::new(),
            lines: Vec::new(),
            style: VolumeStyle {
                show_box: false,
                ..VolumeStyle::default()
            },
        };
        let size = [64, 64];
        let center = |rgba: &[u8]| {
            let i = 4 * (32 * 64 + 32);
            [rgba[i], rgba[i + 1], rgba[i + 2]].map(|c| f32::from(c) / 255.0)
        };
        // shade(color) at normal incidence: color + 0.25·specular (≈ 1), clamped on write.
        let lit = |c: [f32; 3]| c.map(|x| x + 0.25);
        let bg = VolumeStyle::default().background;
        let expect = |near: [f32; 3], far: [f32; 3]| -> [f32; 3] {
            std::array::from_fn(|i| 0.5 * lit(near)[i] + 0.25 * lit(far)[i] + 0.25 * bg[i])
        };
        let Some(top) = draw(&scene, &values, size) else {
            return;
        };
        let want = expect([1.0, 0.0, 0.0], [0.0, 0.0, 1.0]);
        let got = center(&top);
        for i in 0..3 {
            assert!(
                (got[i] - want[i]).abs() < 0.03,
                "from above: {got:?} vs {want:?}"
            );
        }
        scene.camera.pitch_deg = -89.0;
        let got = center(&draw(&scene, &values, size).unwrap());
        let want = expect([0.0, 0.0, 1.0], [1.0, 0.0, 0.0]);
        for i in 0..3 {
            assert!(
                (got[i] - want[i]).abs() < 0.03,
                "from below: {got:?} vs {want:?}"
            );
        }
        // Clipping away the upper half leaves only the blue plane, seen from above.
        scene.camera.pitch_deg = 89.0;
        scene.clip_box = [[-1.0; 3], [1.0, 1.0, 0.0]];
        let got = center(&draw(&scene, &values, size).unwrap());
        let want: [f32; 3] = std::array::from_fn(|i| 0.5 * lit([0.0, 0.0, 1.0])[i] + 0.5 * bg[i]);
        for i in 0..3 {
            assert!(
                (got[i] - want[i]).abs() < 0.03,
                "clipped: {got:?} vs {want:?}"
            );
        }
    }

    /// A model path drawn over the stacked planes: the pixels along it take the path's
    /// color (opaque, in front of both planes), and the rest of the picture is unchanged.
    #[test]
    fn model_paths_are_drawn_in_their_color_in_front_of_the_surfaces() {
        let n = 5;
        let mut values = Vec::new();
        for _channel in 0..2 {
            for ic in 0..n {
                let c = -1.0 + 2.0 * ic as f32 / (n - 1) as f32;
                values.extend(std::iter::repeat_n(c, n * n));
            }
        }
        let mut scene = VolumeScene {
            camera: OrbitCamera {
                pitch_deg: 89.0,
                ..OrbitCamera::default()
            },
            mode: PictureMode::Volume,
            shape: [n, n, n],
            n_inputs: 1,
            surfaces: vec![SurfaceStyle {
                channel: 0,
                level: -0.5,
                color: [1.0, 0.0, 0.0],
                lipschitz: 1.0,
            }],
            clip_box: [[-1.0; 3], [1.0; 3]],
            marker: None,
            path: Vec::new(),
            lines: Vec::new(),
            style: VolumeStyle {
                show_box: false,
                ..VolumeStyle::default()
            },
        };
        let size = [64, 64];
        let Some(without) = draw(&scene, &values, size) else {
            return;
        };
        let green = [0.0, 1.0, 0.0];
        scene.lines = vec![PathLine {
            points: vec![[-0.8, -0.8, 0.9], [0.0, 0.0, 0.9], [0.8, 0.8, 0.9]],
            color: green,
        }];
        let with = draw(&scene, &values, size).unwrap();
        let pixel = |rgba: &[u8], x: usize, y: usize| {
            let i = 4 * (y * 64 + x);
            [rgba[i], rgba[i + 1], rgba[i + 2]].map(|c| f32::from(c) / 255.0)
        };
        let center = pixel(&with, 32, 32);
        for i in 0..3 {
            assert!((center[i] - green[i]).abs() < 0.02, "path pixel {center:?}");
        }
        assert!(pixel(&without, 32, 32)[0] > 0.4, "the plane is behind it");
        let changed = (0..64 * 64)
            .filter(|&p| without[4 * p..4 * p + 3] != with[4 * p..4 * p + 3])
            .count();
        // A diagonal line a few pixels wide across most of the picture, nothing else.
        assert!(
            changed > 60 && changed < 64 * 64 / 4,
            "{changed} pixels changed"
        );
    }

    /// The loss terrain of l(a, b) = a + b on [−1, 1]² (heights l / 2, exact for the
    /// interpolation) with a model path from θ_A to θ_B: at the pixel where the camera's
    /// own matrices project a point of the path lifted to the closed-form height, the
    /// picture shows the path's color lit like the plane there, color·(0.35 + 0.65·d) +
    /// 0.25·d²⁴ with d = |n·ray|; without the path that pixel shows the height colormap,
    /// and the path changes only a line's worth of pixels.
    #[test]
    fn model_paths_are_draped_on_the_terrain_at_the_height_of_the_loss() {
        use crate::core::slice::SliceAxes;
        use crate::draw::volume_paths::terrain_path_lines;
        use crate::draw::volume_scene::{TerrainSurface, terrain_scene};

        let n = 9;
        let coord = |j: usize| -1.0 + 2.0 * j as f64 / (n - 1) as f64;
        let loss: Vec<f32> = (0..n)
            .flat_map(|ib| (0..n).map(move |ia| (coord(ia) + coord(ib)) as f32))
            .collect();
        let ranges = [[-1.0, 1.0]; 2];
        let camera = OrbitCamera::default();
        // θ far outside the box: no marker; no inputs: no draped contours.
        let mut scene = terrain_scene(camera, false, &loss, &[], ranges, [n, n], [10.0, 10.0], &[]);
        scene.style.show_box = false;
        let size = [128, 128];
        let Some(without) = draw(&scene, &loss, size) else {
            return;
        };
        let plane = SliceAxes {
            center: vec![0.0, 0.0],
            u: vec![1.0, 0.0],
            v: vec![0.0, 1.0],
            description: String::new(),
            u_name: String::new(),
            v_name: String::new(),
        };
        let (theta_a, theta_b) = ([-0.8, 0.6], [0.8, -0.6]);
        scene.lines = terrain_path_lines(
            &[(vec![theta_a.to_vec(), theta_b.to_vec()], 1)],
            &plane,
            &TerrainSurface::new(&loss, [n, n], ranges, false),
        );
        assert_eq!(scene.lines.len(), 1);
        let with = draw(&scene, &loss, size).unwrap();
        let color = scene.lines[0].color;
        let pixel = |rgba: &[u8], x: usize, y: usize| {
            let i = 4 * (y * size[0] as usize + x);
            [rgba[i], rgba[i + 1], rgba[i + 2]].map(|c| f32::from(c) / 255.0)
        };
        let normal = Vec3::new(-0.5, -0.5, 1.0).normalize();
        for t in [0.3f32, 0.5, 0.7] {
            let ab = [0, 1].map(|i| (1.0 - t) * theta_a[i] as f32 + t * theta_b[i] as f32);
            let point = Vec3::new(ab[0], ab[1], 0.5 * (ab[0] + ab[1]));
            let [x, y] = camera.project(point, size).expect("in front of the camera");
            let (x, y) = (x.floor() as usize, y.floor() as usize);
            let d = (point - camera.eye()).normalize().dot(normal).abs();
            let lit = color.map(|c| (c * (0.35 + 0.65 * d) + 0.25 * d.powi(24)).min(1.0));
            let got = pixel(&with, x, y);
            for i in 0..3 {
                assert!(
                    (got[i] - lit[i]).abs() < 0.04,
                    "t = {t}: pixel ({x}, {y}) is {got:?}, the lit path color {lit:?}"
                );
            }
            let before = pixel(&without, x, y);
            assert!(
                (0..3).any(|i| (before[i] - lit[i]).abs() > 0.15),
                "without the path the pixel shows the terrain: {before:?}"
            );
        }
        let changed = (0..128 * 128)
            .filter(|&p| without[4 * p..4 * p + 3] != with[4 * p..4 * p + 3])
            .count();
        assert!(
            changed > 60 && changed < 128 * 128 / 8,
            "{changed} pixels changed"
        );
    }

    #[test]
    #[allow(clippy::float_cmp)] // these maps are exact in binary floating point
    fn slice_coordinates_map_onto_the_box_and_clip_planes_shrink_it() {
        let ranges = [[-2.0, 2.0], [0.0, 1.0], [-1.0, 3.0]];
        assert_eq!(to_world([-2.0, 0.0, -1.0], ranges), [-1.0; 3]);
        assert_eq!(to_world([2.0, 1.0, 3.0], ranges), [1.0; 3]);
        assert_eq!(to_world([0.0, 0.25, 1.0], ranges), [0.0, -0.5, 0.0]);
        let planes = [
            ClipPlane {
                axis: 0,
                at: 1.0,
                keep_below: true,
            },
            ClipPlane {
                axis: 2,
                at: 0.0,
                keep_below: false,
            },
        ];
        assert_eq!(
            clip_box(&planes, ranges),
            [[-1.0, -1.0, -0.5], [0.5, 1.0, 1.0]]
        );
    }

    /// The bound of f = 3a − 2c on [−1, 1]³ (world units) is |∇f| = √13, whatever the grid;
    /// and it bounds every finite difference of a wiggly field.
    #[test]
    fn the_lipschitz_bound_bounds_the_field_gradient() {
        let shape = [5, 4, 6];
        let coord = |j: usize, n: usize| -1.0 + 2.0 * j as f32 / (n - 1) as f32;
        let mut linear = Vec::new();
        let mut wiggly = Vec::new();
        for ic in 0..6 {
            for ib in 0..4 {
                for ia in 0..5 {
                    let (x, y, z) = (coord(ia, 5), coord(ib, 4), coord(ic, 6));
                    linear.push(3.0 * x - 2.0 * z);
                    wiggly.push((3.0 * x).sin() * y + z * z);
                }
            }
        }
        assert!((lipschitz_bound(&linear, shape) - 13f32.sqrt()).abs() < 1e-5);
        let bound = lipschitz_bound(&wiggly, shape);
        let at = |ia: usize, ib: usize, ic: usize| wiggly[(ic * 4 + ib) * 5 + ia];
        for (p, q) in [
            ((0, 0, 0), (4, 3, 5)),
            ((1, 2, 3), (3, 0, 1)),
            ((4, 3, 0), (0, 0, 5)),
        ] {
            let dist = ((coord(p.0, 5) - coord(q.0, 5)).powi(2)
                + (coord(p.1, 4) - coord(q.1, 4)).powi(2)
                + (coord(p.2, 6) - coord(q.2, 6)).powi(2))
            .sqrt();
            assert!((at(p.0, p.1, p.2) - at(q.0, q.1, q.2)).abs() <= bound * dist + 1e-6);
        }
    }

    #[test]
    fn long_paths_are_thinned_keeping_both_ends() {
        let path: Vec<([f32; 3], bool)> =
            (0..2000).map(|i| ([i as f32, 0.0, 0.0], false)).collect();
        let thinned = thin(&path, MAX_PATH_POINTS);
        assert!(thinned.len() <= MAX_PATH_POINTS);
        assert_eq!(thinned[0], path[0]);
        assert_eq!(thinned.last(), path.last());
    }
}
