//! Render passes that turn evaluated slice fields into a picture (`shaders/slice_draw.wgsl`)
//! in an offscreen texture, and copy that picture into another render pass
//! (`shaders/blit.wgsl`). The same texture serves the app (via the one egui bridge) and
//! readback for export.

use bytemuck::{Pod, Zeroable};
use wgpu::util::DeviceExt as _;

/// Format of the offscreen picture: sRGB-encoded colors stored as plain 8-bit values.
pub const PICTURE_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;

/// Which layers of the slice picture are drawn.
#[derive(Clone, Copy, Debug, PartialEq)]
#[allow(clippy::struct_excessive_bools)] // one switch per layer of the picture
pub struct SliceStyle {
    pub show_loss: bool,
    pub show_contours: bool,
    pub show_solution_contours: bool,
    pub show_behavior_manifold: bool,
    pub show_solution_set: bool,
    /// log₁₀ of the loss mapped to the ends of the colormap.
    pub loss_log_range: [f32; 2],
    /// Spacing Δ of contour levels y_i + m·Δ.
    pub level_spacing: f32,
    /// Width of regular contour lines in pixels.
    pub line_width_px: f32,
}

impl Default for SliceStyle {
    fn default() -> Self {
        Self {
            show_loss: true,
            show_contours: true,
            show_solution_contours: true,
            show_behavior_manifold: true,
            show_solution_set: true,
            loss_log_range: [-4.0, 1.0],
            level_spacing: 0.25,
            line_width_px: 1.2,
        }
    }
}

/// Per-input drawing data: color (sRGB, 0..1), whether it is drawn, y_i, and f(x_i; θ).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InputStyle {
    pub color: [f32; 3],
    pub visible: bool,
    pub target: f32,
    pub current_output: f32,
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct DrawParams {
    na: u32,
    nb: u32,
    n_inputs: u32,
    flags: u32,
    loss_log_lo: f32,
    loss_log_hi: f32,
    level_spacing: f32,
    line_width_px: f32,
    width_px: f32,
    height_px: f32,
    pad: [f32; 2],
}

#[repr(C)]
#[derive(Clone, Copy, Pod, Zeroable)]
struct GpuInputStyle {
    color: [f32; 4],
    target_value: f32,
    current: f32,
    pad: [f32; 2],
}

/// A layout entry for a whole buffer of type `ty` at `binding`, seen by `visibility`.
pub(crate) fn buffer_entry(
    binding: u32,
    visibility: wgpu::ShaderStages,
    ty: wgpu::BufferBindingType,
) -> wgpu::BindGroupLayoutEntry {
    wgpu::BindGroupLayoutEntry {
        binding,
        visibility,
        ty: wgpu::BindingType::Buffer {
            ty,
            has_dynamic_offset: false,
            min_binding_size: None,
        },
        count: None,
    }
}

/// The bind group layout the picture shaders share, seen by the fragment stage: a
/// uniform block at binding 0, then `n_storage` read-only storage buffers at 1, 2, ….
pub(crate) fn picture_bind_group_layout(
    device: &wgpu::Device,
    label: &str,
    n_storage: u32,
) -> wgpu::BindGroupLayout {
    let buffer = |binding, ty| buffer_entry(binding, wgpu::ShaderStages::FRAGMENT, ty);
    let entries: Vec<wgpu::BindGroupLayoutEntry> =
        std::iter::once(buffer(0, wgpu::BufferBindingType::Uniform))
            .chain((1..=n_storage).map(|binding| {
                buffer(
                    binding,
                    wgpu::BufferBindingType::Storage { read_only: true },
                )
            }))
            .collect();
    device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
        label: Some(label),
        entries: &entries,
    })
}

/// The slice-picture pipeline.
pub struct SliceRenderer {
    pipeline: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
}

impl SliceRenderer {
    pub fn new(device: &wgpu::Device) -> Self {
        let shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("slice_draw.wgsl"),
            source: wgpu::ShaderSource::Wgsl(include_str!("../../shaders/slice_draw.wgsl").into()),
        });
        let layout = picture_bind_group_layout(device, "slice_draw", 2);
        let pipeline = fullscreen_pipeline(device, &shader, &layout, PICTURE_FORMAT, "slice_draw");
        Self { pipeline, layout }
    }

    /// Records the draw of a picture of the field (layout [channel][b][a], k + 1
    /// channels) into `target` (a [`PICTURE_FORMAT`] texture view).
    #[allow(clippy::too_many_arguments)]
    pub fn encode(
        &self,
        device: &wgpu::Device,
        encoder: &mut wgpu::CommandEncoder,
        field: &wgpu::Buffer,
        shape: [usize; 2],
        inputs: &[InputStyle],
        style: &SliceStyle,
        target: &wgpu::TextureView,
        target_size: [u32; 2],
    ) {
        let flags = u32::from(style.show_loss)
            | (u32::from(style.show_contours) << 1)
            | (u32::from(style.show_solution_contours) << 2)
            | (u32::from(style.show_behavior_manifold) << 3)
            | (u32::from(style.show_solution_set) << 4);
        let params = DrawParams {
            na: shape[0].max(2) as u32,
            nb: shape[1].max(2) as u32,
            n_inputs: inputs.len() as u32,
            flags,
            loss_log_lo: style.loss_log_range[0],
            loss_log_hi: style.loss_log_range[1],
            level_spacing: style.level_spacing,
            line_width_px: style.line_width_px,
            width_px: target_size[0] as f32,
            height_px: target_size[1] as f32,
            pad: [0.0; 2],
        };
        let mut styles: Vec<GpuInputStyle> = inputs
            .iter()
            .map(|s| GpuInputStyle {
                color: [
                    s.color[0],
                    s.color[1],
                    s.color[2],
                    if s.visible { 1.0 } else { 0.0 },
                ],
                target_value: s.target,
                current: s.current_output,
                pad: [0.0; 2],
            })
            .collect();
        if styles.is_empty() {
            styles.push(GpuInputStyle::zeroed());
        }
        let params_buffer = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("slice_draw params"),
            contents: bytemuck::bytes_of(&params),
            usage: wgpu::BufferUsages::UNIFORM,
        });
        let styles_buffer = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
            label: Some("slice_draw inputs"),
            contents: bytemuck::cast_slice(&styles),
            usage: wgpu::BufferUsages::STORAGE,
        });
        let bind_group = device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("slice_draw"),
            layout: &self.layout,
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
                    resource: styles_buffer.as_entire_binding(),
                },
            ],
        });
        let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("slice_draw"),
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
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, &bind_group, &[]);
        pass.draw(0..3, 0..1);
    }
}

/// An offscreen picture texture of a given size, recreated only when the size changes.
pub struct Picture {
    pub texture: wgpu::Texture,
    pub view: wgpu::TextureView,
    pub size: [u32; 2],
}

impl Picture {
    pub fn new(device: &wgpu::Device, size: [u32; 2]) -> Self {
        let size = [size[0].clamp(1, 8192), size[1].clamp(1, 8192)];
        let texture = device.create_texture(&wgpu::TextureDescriptor {
            label: Some("slice picture"),
            size: wgpu::Extent3d {
                width: size[0],
                height: size[1],
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: PICTURE_FORMAT,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT
                | wgpu::TextureUsages::TEXTURE_BINDING
                | wgpu::TextureUsages::COPY_SRC,
            view_formats: &[],
        });
        let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
        Self {
            texture,
            view,
            size,
        }
    }

    /// Reads the picture back as tightly packed RGBA8 rows (top row first).
    pub fn read_rgba(&self, device: &wgpu::Device, queue: &wgpu::Queue) -> Result<Vec<u8>, String> {
        let [w, h] = self.size;
        let unpadded = 4 * w;
        let padded = unpadded.div_ceil(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT)
            * wgpu::COPY_BYTES_PER_ROW_ALIGNMENT;
        let buffer = device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("slice picture readback"),
            size: u64::from(padded) * u64::from(h),
            usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
            mapped_at_creation: false,
        });
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("readback"),
        });
        encoder.copy_texture_to_buffer(
            self.texture.as_image_copy(),
            wgpu::TexelCopyBufferInfo {
                buffer: &buffer,
                layout: wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(padded),
                    rows_per_image: Some(h),
                },
            },
            wgpu::Extent3d {
                width: w,
                height: h,
                depth_or_array_layers: 1,
            },
        );
        queue.submit([encoder.finish()]);
        let slice = buffer.slice(..);
        let (tx, rx) = std::sync::mpsc::channel();
        slice.map_async(wgpu::MapMode::Read, move |r| {
            let _ = tx.send(r);
        });
        device
            .poll(wgpu::PollType::wait_indefinitely())
            .map_err(|e| e.to_string())?;
        rx.recv()
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
        let data = slice.get_mapped_range().map_err(|e| e.to_string())?;
        let mut out = Vec::with_capacity((unpadded * h) as usize);
        for row in data.chunks(padded as usize) {
            out.extend_from_slice(&row[..unpadded as usize]);
        }
        drop(data);
        buffer.unmap();
        Ok(out)
    }
}

/// A pipeline drawing one viewport-covering triangle (`vs_main`) with `fs_main` into
/// `format`, with a single bind group.
pub(crate) fn fullscreen_pipeline(
    device: &wgpu::Device,
    shader: &wgpu::ShaderModule,
    layout: &wgpu::BindGroupLayout,
    format: wgpu::TextureFormat,
    label: &str,
) -> wgpu::RenderPipeline {
    fullscreen_pipeline_with(device, shader, layout, format, label, "fs_main")
}

/// [`fullscreen_pipeline`] with the fragment entry point `fragment`.
pub(crate) fn fullscreen_pipeline_with(
    device: &wgpu::Device,
    shader: &wgpu::ShaderModule,
    layout: &wgpu::BindGroupLayout,
    format: wgpu::TextureFormat,
    label: &str,
    fragment: &str,
) -> wgpu::RenderPipeline {
    let pipeline_layout = device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some(label),
        bind_group_layouts: &[Some(layout)],
        immediate_size: 0,
    });
    device.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
        label: Some(label),
        layout: Some(&pipeline_layout),
        vertex: wgpu::VertexState {
            module: shader,
            entry_point: Some("vs_main"),
            compilation_options: wgpu::PipelineCompilationOptions::default(),
            buffers: &[],
        },
        primitive: wgpu::PrimitiveState::default(),
        depth_stencil: None,
        multisample: wgpu::MultisampleState::default(),
        fragment: Some(wgpu::FragmentState {
            module: shader,
            entry_point: Some(fragment),
            compilation_options: wgpu::PipelineCompilationOptions::default(),
            targets: &[Some(wgpu::ColorTargetState {
                format,
                blend: None,
                write_mask: wgpu::ColorWrites::ALL,
            })],
        }),
        multiview_mask: None,
        cache: None,
    })
}

/// Draws a picture into a render pass of `target_format`.
pub struct Blitter {
    pipeline: wgpu::RenderPipeline,
    layout: wgpu::BindGroupLayout,
    sampler: wgpu::Sampler,
}

impl Blitter {
    pub fn new(device: &wgpu::Device, target_format: wgpu::TextureFormat) -> Self {
        let shader = device.create_shader_module(wgpu::ShaderModuleDescriptor {
            label: Some("blit.wgsl"),
            source: wgpu::ShaderSource::Wgsl(include_str!("../../shaders/blit.wgsl").into()),
        });
        let layout = device.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("blit"),
            entries: &[
                wgpu::BindGroupLayoutEntry {
                    binding: 0,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Texture {
                        sample_type: wgpu::TextureSampleType::Float { filterable: true },
                        view_dimension: wgpu::TextureViewDimension::D2,
                        multisampled: false,
                    },
                    count: None,
                },
                wgpu::BindGroupLayoutEntry {
                    binding: 1,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
                    count: None,
                },
            ],
        });
        // The conversion is chosen with the pipeline, not branched on per pixel: a
        // software rasterizer evaluates both sides of a branch.
        let fragment = if target_format.is_srgb() {
            "fs_main_to_linear"
        } else {
            "fs_main"
        };
        let pipeline =
            fullscreen_pipeline_with(device, &shader, &layout, target_format, "blit", fragment);
        let sampler = device.create_sampler(&wgpu::SamplerDescriptor {
            label: Some("blit"),
            mag_filter: wgpu::FilterMode::Linear,
            min_filter: wgpu::FilterMode::Linear,
            ..Default::default()
        });
        Self {
            pipeline,
            layout,
            sampler,
        }
    }

    /// A bind group that draws `picture`; make one per picture texture.
    pub fn bind_group(&self, device: &wgpu::Device, picture: &Picture) -> wgpu::BindGroup {
        device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("blit"),
            layout: &self.layout,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: wgpu::BindingResource::TextureView(&picture.view),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::Sampler(&self.sampler),
                },
            ],
        })
    }

    /// Draws the picture over the pass's current viewport.
    pub fn draw(&self, pass: &mut wgpu::RenderPass<'_>, bind_group: &wgpu::BindGroup) {
        pass.set_pipeline(&self.pipeline);
        pass.set_bind_group(0, bind_group, &[]);
        pass.draw(0..3, 0..1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Scene;
    use crate::core::field::{FieldRequest, SliceGrid};
    use crate::eval::gpu::test_gpu;

    const SIDE: u32 = 256;

    /// Pixel (column, row) whose center is nearest to slice point (a, b) on [−2, 2]².
    fn pixel_of(a: f64, b: f64) -> (u32, u32) {
        let px = (a + 2.0) / 4.0 * f64::from(SIDE) - 0.5;
        let py = (2.0 - b) / 4.0 * f64::from(SIDE) - 0.5;
        (px.round() as u32, py.round() as u32)
    }

    /// In the perpendicular scene's (θ₀, θ₁) plane the solution contours are the lines
    /// a + b/2 = 1 and −a/2 + b = 1/2: the picture must color exactly those pixels.
    #[test]
    fn solution_contours_are_drawn_on_their_closed_form_lines() {
        let Some(gpu) = test_gpu("the slice picture") else {
            return;
        };
        let scene = Scene::resolve("perpendicular").unwrap();
        let shape = [96, 80];
        let grid = SliceGrid {
            theta0: vec![0.0; 3],
            axes: vec![vec![1.0, 0.0, 0.0], vec![0.0, 1.0, 0.0]],
            ranges: vec![[-2.0, 2.0], [-2.0, 2.0]],
            shape: shape.to_vec(),
        };
        let request = FieldRequest {
            spec: &scene.model,
            data: &scene.data,
            grid: &grid,
        };
        let field = gpu.evaluate_to_buffer(&request).unwrap();
        let picture = Picture::new(gpu.device(), [SIDE, SIDE]);
        let style = SliceStyle {
            show_loss: false,
            show_contours: false,
            show_solution_contours: true,
            show_behavior_manifold: false,
            show_solution_set: false,
            ..SliceStyle::default()
        };
        let inputs = [
            InputStyle {
                color: [1.0, 0.0, 0.0],
                visible: true,
                target: 1.0,
                current_output: 0.0,
            },
            InputStyle {
                color: [0.0, 0.0, 1.0],
                visible: true,
                target: 0.5,
                current_output: 0.0,
            },
        ];
        let mut encoder = gpu
            .device()
            .create_command_encoder(&wgpu::CommandEncoderDescriptor::default());
        SliceRenderer::new(gpu.device()).encode(
            gpu.device(),
            &mut encoder,
            &field.buffer,
            shape,
            &inputs,
            &style,
            &picture.view,
            [SIDE, SIDE],
        );
        gpu.queue().submit([encoder.finish()]);
        let rgba = picture.read_rgba(gpu.device(), gpu.queue()).unwrap();
        let at = |(x, y): (u32, u32)| {
            let i = 4 * (y * SIDE + x) as usize;
            [rgba[i], rgba[i + 1], rgba[i + 2]]
        };
        let mut checked = 0;
        for step in 0..40 {
            let a = -1.9 + 3.8 * f64::from(step) / 39.0;
            if (a - 0.6).abs() < 0.3 {
                continue; // the lines cross at (0.6, 0.8)
            }
            for (line, b, channel) in [(0, 2.0 * (1.0 - a), 0), (1, 0.5 + 0.5 * a, 2)] {
                if b.abs() > 1.9 {
                    continue;
                }
                let on = at(pixel_of(a, b));
                assert!(
                    on[channel] > 200 && on[2 - channel] < 80,
                    "input {line} at ({a:.2}, {b:.2}): {on:?}"
                );
                let off = at(pixel_of(a, b + if b > 0.0 { -0.5 } else { 0.5 }));
                assert!(
                    off[channel] < 90,
                    "input {line} drawn off its line near ({a:.2}, {b:.2}): {off:?}"
                );
                checked += 1;
            }
        }
        assert!(checked > 30, "only {checked} points checked");
    }

    /// The blit shows the picture's colors unchanged on both kinds of target: copied as
    /// they are into an sRGB-encoded one, converted to linear for an sRGB one (which
    /// encodes them again on write).
    #[test]
    fn the_blit_keeps_the_pictures_colors_on_either_kind_of_target() {
        let Some(gpu) = test_gpu("the blit") else {
            return;
        };
        let (device, queue) = (gpu.device(), gpu.queue());
        let size = [8, 1];
        // Dark and light grays and saturated colors, where the sRGB curve bends most.
        let colors: Vec<u8> = [
            [0, 0, 0, 255],
            [10, 20, 30, 255],
            [40, 60, 90, 255],
            [128, 128, 128, 255],
            [200, 30, 10, 255],
            [250, 240, 5, 255],
            [3, 150, 255, 255],
            [255, 255, 255, 255],
        ]
        .concat();
        let extent = wgpu::Extent3d {
            width: size[0],
            height: size[1],
            depth_or_array_layers: 1,
        };
        let texture = |format, usage| {
            device.create_texture(&wgpu::TextureDescriptor {
                label: Some("blit test"),
                size: extent,
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format,
                usage,
                view_formats: &[],
            })
        };
        let source = texture(
            PICTURE_FORMAT,
            wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
        );
        let picture = Picture {
            view: source.create_view(&wgpu::TextureViewDescriptor::default()),
            texture: source,
            size,
        };
        queue.write_texture(
            picture.texture.as_image_copy(),
            &colors,
            wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(4 * size[0]),
                rows_per_image: Some(size[1]),
            },
            extent,
        );
        for format in [
            wgpu::TextureFormat::Rgba8Unorm,
            wgpu::TextureFormat::Rgba8UnormSrgb,
        ] {
            let blitter = Blitter::new(device, format);
            let texture = texture(
                format,
                wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
            );
            let view = texture.create_view(&wgpu::TextureViewDescriptor::default());
            let bind_group = blitter.bind_group(device, &picture);
            let mut encoder =
                device.create_command_encoder(&wgpu::CommandEncoderDescriptor { label: None });
            {
                let mut pass = encoder.begin_render_pass(&wgpu::RenderPassDescriptor {
                    label: Some("blit test"),
                    color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                        view: &view,
                        depth_slice: None,
                        resolve_target: None,
                        ops: wgpu::Operations {
                            load: wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT),
                            store: wgpu::StoreOp::Store,
                        },
                    })],
                    depth_stencil_attachment: None,
                    timestamp_writes: None,
                    occlusion_query_set: None,
                    multiview_mask: None,
                });
                blitter.draw(&mut pass, &bind_group);
            }
            queue.submit([encoder.finish()]);
            let target = Picture {
                texture,
                view,
                size,
            };
            let stored = target.read_rgba(device, queue).unwrap();
            for (i, (got, want)) in stored.iter().zip(&colors).enumerate() {
                assert!(
                    got.abs_diff(*want) <= 1,
                    "{format:?}: byte {i} is {got}, the picture has {want}"
                );
            }
        }
    }
}
