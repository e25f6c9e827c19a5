//! The ray-marched pictures of a scene, drawn offscreen: the 3D slice (a volume of the
//! loss and outputs over three directions) and the loss terrain over the 2D slice, each
//! evaluated by the given backend, then ray marched by the app's own render pass
//! ([`VolumeRenderer`]) into an offscreen texture on a headless device and read back,
//! with the axis marks drawn over it. `basinscope render --view slice3d|terrain` and the
//! app's Export both draw them here, with the view's camera, surfaces and clipping from
//! the scene (`view.slice3d`, `view.terrain`). No egui here.
//!
//! The fields come back with the picture: [k + 1, D, H, W] indexed [channel, c, b, a]
//! for the 3D slice, [k + 1, H, W] for the terrain.

use anyhow::{Context as _, bail};
use wgpu::util::DeviceExt as _;

use super::scene_figure::SliceFields;
use crate::core::Scene;
use crate::core::field::{Field, FieldEvaluator as _, FieldRequest, SliceGrid};
use crate::core::slice::{SliceSpec, project_onto_slice};
use crate::core::slice3d::{project_onto_slice3, slice3d_axes};
use crate::draw::figure::annotate_volume_picture;
use crate::draw::slice_pass::Picture;
use crate::draw::volume_memory::check_volume;
use crate::draw::volume_pass::{PictureMode, VolumeRenderer, VolumeScene};
use crate::draw::volume_paths::{default_model_paths, path_lines, terrain_path_lines};
use crate::draw::volume_scene::{
    Outputs, TerrainSurface, axis_marks, slice3d_scene, terrain_scene,
};
use crate::eval::FieldBackend;
use crate::eval::gpu::context::GpuContext;

/// The 3D slice view of `scene`, drawn at `size`, with its fields; `progress` hears
/// what the volume is computed on.
pub fn render_slice3d(
    scene: &Scene,
    evaluator: impl FnOnce() -> FieldBackend,
    progress: impl FnOnce(String),
    size: (u32, u32),
) -> anyhow::Result<(image::RgbaImage, SliceFields)> {
    let slice = &scene.view.slice;
    let spec3 = &scene.view.slice3d;
    // The field and the packed textures must fit before either is computed or allocated.
    check_volume(spec3.resolution, scene.data.n_inputs(), None)?;
    let theta = &scene.parameters;
    let trajectory = scene.trajectory_to_theta();
    let axes = slice3d_axes(
        &slice.axes,
        &spec3.third_axis,
        &scene.model,
        theta,
        &scene.data,
        &trajectory,
        slice.center.as_deref(),
    )
    .context("cannot build the 3D slice axes")?;
    let grid = SliceGrid {
        theta0: axes.plane.center.clone(),
        axes: axes.directions(),
        ranges: vec![slice.a_range, slice.b_range, slice.c_range],
        shape: spec3.resolution.to_vec(),
    };
    let evaluator = evaluator();
    progress(format!(
        "{}×{}×{} volume, {} inputs, fields on {} ({})",
        grid.shape[0],
        grid.shape[1],
        grid.shape[2],
        scene.data.n_inputs(),
        evaluator.name(),
        evaluator.reason(),
    ));
    let field = evaluate(&evaluator, scene, &grid)?;
    let outputs = scene.outputs();
    let mut picture = slice3d_scene(
        spec3,
        spec3.camera,
        Outputs {
            targets: &scene.data.targets,
            current: &outputs,
        },
        [slice.a_range, slice.b_range, slice.c_range],
        &field,
        project_onto_slice3(&axes, theta),
        &trajectory
            .iter()
            .map(|t| (project_onto_slice3(&axes, t), false))
            .collect::<Vec<_>>(),
    );
    // The paths between the scene's models, as the app draws them.
    picture.lines = path_lines(
        &default_model_paths(&scene.models, theta.len()),
        &axes,
        [slice.a_range, slice.b_range, slice.c_range],
    );
    let names = [
        format!("a: {}", axes.plane.u_name),
        format!("b: {}", axes.plane.v_name),
        format!("c: {}", axes.w_name),
    ];
    let fields = SliceFields {
        field,
        grid,
        axis_names: axes.names(),
    };
    finish(&evaluator, fields, &picture, size, slice, &names, false)
}

/// The loss terrain over the scene's 2D slice, drawn at `size`, with its fields;
/// `progress` hears what the grid is computed on.
pub fn render_terrain(
    scene: &Scene,
    evaluator: impl FnOnce() -> FieldBackend,
    progress: impl FnOnce(String),
    size: (u32, u32),
) -> anyhow::Result<(image::RgbaImage, SliceFields)> {
    let slice = &scene.view.slice;
    let theta = &scene.parameters;
    let trajectory = scene.trajectory_to_theta();
    let (axes, grid) = scene
        .slice_plane(&trajectory)
        .context("cannot build the slice axes")?;
    let evaluator = evaluator();
    progress(format!(
        "the loss terrain on a {}×{} grid, fields on {} ({})",
        grid.shape[0],
        grid.shape[1],
        evaluator.name(),
        evaluator.reason(),
    ));
    let field = evaluate(&evaluator, scene, &grid)?;
    let (a, b) = project_onto_slice(&axes, theta);
    let terrain = &scene.view.terrain;
    let mut picture = terrain_scene(
        terrain.camera,
        terrain.log_height,
        field.loss(),
        &scene.data.targets,
        [slice.a_range, slice.b_range],
        [grid.shape[0], grid.shape[1]],
        [a, b],
        &trajectory
            .iter()
            .map(|t| {
                let (a, b) = project_onto_slice(&axes, t);
                ([a, b], false)
            })
            .collect::<Vec<_>>(),
    );
    // The paths between the scene's models, draped as the app drapes them.
    picture.lines = terrain_path_lines(
        &default_model_paths(&scene.models, theta.len()),
        &axes,
        &TerrainSurface::new(
            field.loss(),
            [grid.shape[0], grid.shape[1]],
            [slice.a_range, slice.b_range],
            terrain.log_height,
        ),
    );
    let names = [
        format!("a: {}", axes.u_name),
        format!("b: {}", axes.v_name),
        if terrain.log_height {
            "height: log₁₀ loss".to_string()
        } else {
            "height: loss".to_string()
        },
    ];
    let fields = SliceFields {
        field,
        grid,
        axis_names: vec![axes.u_name.clone(), axes.v_name.clone()],
    };
    finish(&evaluator, fields, &picture, size, slice, &names, true)
}

/// The shared tail of both pictures: ray marches `picture` over the fields, marks its
/// three axes with `names` (on the terrain the third is the height), and returns the
/// picture with the fields it was drawn from.
fn finish(
    evaluator: &FieldBackend,
    fields: SliceFields,
    picture: &VolumeScene,
    size: (u32, u32),
    slice: &SliceSpec,
    names: &[String; 3],
    terrain: bool,
) -> anyhow::Result<(image::RgbaImage, SliceFields)> {
    let image = draw(evaluator, &fields.field, picture, size)?;
    let marks = axis_marks(
        &picture.camera,
        [size.0, size.1],
        [slice.a_range, slice.b_range, slice.c_range],
        names,
        terrain,
    );
    Ok((annotate_volume_picture(&image, &marks), fields))
}

fn evaluate(evaluator: &FieldBackend, scene: &Scene, grid: &SliceGrid) -> anyhow::Result<Field> {
    let field = evaluator.evaluate(&FieldRequest {
        spec: &scene.model,
        data: &scene.data,
        grid,
    })?;
    let expected = (scene.data.n_inputs() + 1) * grid.n_points();
    if field.values.len() != expected || field.shape != grid.shape {
        bail!(
            "the field evaluator returned {} values on a {:?} grid instead of {expected} on {:?}",
            field.values.len(),
            field.shape,
            grid.shape
        );
    }
    Ok(field)
}

/// Ray marches `picture` over `field` on the evaluator's GPU device (or a headless one
/// when the fields came from the CPU backend) and reads the picture back.
fn draw(
    evaluator: &FieldBackend,
    field: &Field,
    picture: &VolumeScene,
    (width, height): (u32, u32),
) -> anyhow::Result<image::RgbaImage> {
    let own;
    let (device, queue) = if let Some(gpu) = evaluator.gpu() {
        (gpu.device(), gpu.queue())
    } else {
        own = GpuContext::headless().context(
            "the 3D views are drawn on a GPU adapter (a software one such as llvmpipe will do)",
        )?;
        (&own.device, &own.queue)
    };
    let rgba = render_picture(device, queue, field, picture, [width, height])?;
    image::RgbaImage::from_raw(width, height, rgba)
        .context("the picture read back has the wrong size")
}

/// The one headless path: upload the field, ray march, read back RGBA8 rows.
pub fn render_picture(
    device: &wgpu::Device,
    queue: &wgpu::Queue,
    field: &Field,
    picture: &VolumeScene,
    size: [u32; 2],
) -> anyhow::Result<Vec<u8>> {
    let bytes = std::mem::size_of_val(field.values.as_slice()) as u64;
    let limits = device.limits();
    if picture.mode == PictureMode::Volume {
        check_volume(
            picture.shape,
            picture.n_inputs,
            Some(limits.max_texture_dimension_3d),
        )?;
    }
    let limit = limits
        .max_storage_buffer_binding_size
        .min(limits.max_buffer_size);
    if bytes > limit {
        bail!(
            "the field needs a buffer of {bytes} bytes, more than this GPU's limit of {limit} bytes; lower view.slice3d.resolution"
        );
    }
    let buffer = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("render field"),
        contents: bytemuck::cast_slice(&field.values),
        usage: wgpu::BufferUsages::STORAGE,
    });
    let target = Picture::new(device, size);
    let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
        label: Some("render 3d"),
    });
    VolumeRenderer::new(device).encode(device, &mut encoder, &buffer, picture, &target.view, size);
    queue.submit([encoder.finish()]);
    target
        .read_rgba(device, queue)
        .map_err(|e| anyhow::anyhow!("cannot read the 3D picture back from the GPU: {e}"))
}
