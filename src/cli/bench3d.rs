//! The ray-marched frames of `basinscope bench`: the 3D slice of the perpendicular scene
//! on a 128³ volume at 1280×800, the moons scene's loss terrain with a model path draped
//! on it at 1280×800, and the moons scene's 3D view while it rotates, as the
//! app draws it (on a software adapter at the moving step, at the fixed starting scale and
//! at the scale the app's frame pacing settles at, [`crate::draw::frame_pace`]).

use std::time::Instant;

use anyhow::Context as _;
use wgpu::util::DeviceExt as _;

use super::bench::{WorkloadResult, round3, time_median};
use crate::core::Scene;
use crate::core::field::{Field, FieldEvaluator as _, FieldRequest, SliceGrid};
use crate::core::slice::project_onto_slice;
use crate::core::slice3d::{CPU_VIEW_BUDGET, budgeted_shape, project_onto_slice3, slice3d_axes};
use crate::draw::frame_pace::{FramePace, TARGET_FRAME_MS};
use crate::draw::slice_pass::Picture;
use crate::draw::volume_pass::{MOVING_SCALE, MOVING_STEP_CELLS, VolumeRenderer, VolumeScene};
use crate::draw::volume_paths::terrain_path_lines;
use crate::draw::volume_scene::{Outputs, TerrainSurface, slice3d_scene, terrain_scene};
use crate::eval::backend::cpu_is_faster_than;
use crate::eval::{CpuFieldEvaluator, GpuFieldEvaluator};

/// Width and height of the frames.
const FRAME: [u32; 2] = [1280, 800];

/// The ray-marched frame workloads on `gpu`'s device.
/// Only the workloads whose name `wants` accepts run.
pub(super) fn raymarch_workloads(
    gpu: &GpuFieldEvaluator,
    wants: &dyn Fn(&str) -> bool,
) -> anyhow::Result<Vec<WorkloadResult>> {
    let software = gpu.adapter_info().is_some_and(cpu_is_faster_than);
    let mut out = Vec::new();

    if wants("raymarch_perp_128") {
        let (field, picture) = scene_picture("perpendicular", Some([128, 128, 128]))?;
        out.push(measure_frames(
            gpu,
            "raymarch_perp_128",
            "perpendicular scene, 128^3 volume, 1280x800 frame".into(),
            &field,
            &picture,
            FRAME,
            0.0,
        )?);
    }

    if wants("raymarch_terrain_moons") {
        let (field, picture) = terrain_picture("moons")?;
        let shape = &field.shape;
        out.push(measure_frames(
            gpu,
            "raymarch_terrain_moons",
            format!(
                "moons loss terrain, {}x{} grid, a model path draped, 1280x800 frame",
                shape[0], shape[1]
            ),
            &field,
            &picture,
            FRAME,
            0.0,
        )?);
    }

    // The moons scene's 3D view as the app shows it: its volume budgeted for the CPU path,
    // turning 3° per frame; on a software adapter at the moving step, first at the fixed
    // starting scale, then at the scale the app's frame pacing settles at.
    if !wants("raymarch_moons_scale_0.2") && !wants("raymarch_moons_rotating") {
        return Ok(out);
    }
    let (field, mut picture) = scene_picture("moons", None)?;
    let shape = field.shape.clone();
    let volume = format!("{}x{}x{} volume", shape[0], shape[1], shape[2]);
    if !software {
        out.push(measure_frames(
            gpu,
            "raymarch_moons_rotating",
            format!(
                "moons 3D view while rotating, {volume}, {}x{} frame",
                FRAME[0], FRAME[1]
            ),
            &field,
            &picture,
            FRAME,
            3.0,
        )?);
        return Ok(out);
    }
    picture.style.step_cells = MOVING_STEP_CELLS;
    let start = scaled(MOVING_SCALE);
    if wants("raymarch_moons_scale_0.2") {
        out.push(measure_frames(
            gpu,
            "raymarch_moons_scale_0.2",
            format!(
                "moons 3D view while rotating, {volume}, {}x{} frame (fixed 0.2 scale)",
                start[0], start[1]
            ),
            &field,
            &picture,
            start,
            3.0,
        )?);
    }
    if !wants("raymarch_moons_rotating") {
        return Ok(out);
    }
    let pace = settle_pace(gpu, &field, &picture)?;
    let size = scaled(pace.scale());
    out.push(measure_frames(
        gpu,
        "raymarch_moons_rotating",
        format!(
            "moons 3D view while rotating, {volume}, {}x{} frame (software adapter: paced scale {:.2})",
            size[0],
            size[1],
            pace.scale()
        ),
        &field,
        &picture,
        size,
        3.0,
    )?);
    Ok(out)
}

/// The 1280×800 frame at a picture scale.
fn scaled(scale: f32) -> [u32; 2] {
    FRAME.map(|s| ((s as f32 * scale).round() as u32).max(1))
}

/// Runs the app's frame pacing on rotating frames of `picture` (after one warm-up frame,
/// as the app has drawn the still picture before the drag starts) for 12 frames, as the
/// view does while the user drags; returns where the scale went.
fn settle_pace(
    gpu: &GpuFieldEvaluator,
    field: &Field,
    picture: &VolumeScene,
) -> anyhow::Result<FramePace> {
    let device = gpu.device();
    let buffer = field_buffer(device, field);
    let renderer = VolumeRenderer::new(device);
    let mut scene = picture.clone();
    let mut pace = FramePace::new(MOVING_SCALE);
    for frame in 0..13 {
        let size = scaled(pace.scale());
        let target = Picture::new(device, size);
        scene.camera.orbit(3.0, 0.0);
        let started = Instant::now();
        draw_frame(gpu, &renderer, &buffer, &scene, &target, size)?;
        let ms = started.elapsed().as_secs_f64() * 1e3;
        log::debug!(
            "pacing frame {frame}: {}x{} in {ms:.1} ms",
            size[0],
            size[1]
        );
        if frame > 0 {
            // The bench's frame is the picture alone.
            pace.observe(ms, ms, TARGET_FRAME_MS);
        }
    }
    Ok(pace)
}

fn field_buffer(device: &wgpu::Device, field: &Field) -> wgpu::Buffer {
    device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("bench field"),
        contents: bytemuck::cast_slice(&field.values),
        usage: wgpu::BufferUsages::STORAGE,
    })
}

/// Encodes, submits and waits for one frame.
fn draw_frame(
    gpu: &GpuFieldEvaluator,
    renderer: &VolumeRenderer,
    buffer: &wgpu::Buffer,
    scene: &VolumeScene,
    target: &Picture,
    size: [u32; 2],
) -> anyhow::Result<()> {
    let device = gpu.device();
    let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
        label: Some("bench frame"),
    });
    renderer.encode(device, &mut encoder, buffer, scene, &target.view, size);
    gpu.queue().submit([encoder.finish()]);
    device
        .poll(wgpu::PollType::wait_indefinitely())
        .context("the GPU did not finish the frame")?;
    Ok(())
}

/// The field and the 3D slice picture of a built-in scene, on `shape` or on the grid the
/// app would use on the CPU path.
fn scene_picture(name: &str, shape: Option<[usize; 3]>) -> anyhow::Result<(Field, VolumeScene)> {
    let scene = Scene::resolve(name)?;
    let slice = &scene.view.slice;
    let spec3 = &scene.view.slice3d;
    let theta = &scene.parameters;
    let axes = slice3d_axes(
        &slice.axes,
        &spec3.third_axis,
        &scene.model,
        theta,
        &scene.data,
        std::slice::from_ref(theta),
        slice.center.as_deref(),
    )?;
    let shape = shape.map_or_else(
        || {
            budgeted_shape(
                &spec3.resolution,
                &scene.model,
                scene.data.n_inputs(),
                CPU_VIEW_BUDGET,
            )
        },
        |s| s.to_vec(),
    );
    let grid = SliceGrid {
        theta0: axes.plane.center.clone(),
        axes: axes.directions(),
        ranges: vec![slice.a_range, slice.b_range, slice.c_range],
        shape,
    };
    let field = CpuFieldEvaluator.evaluate(&FieldRequest {
        spec: &scene.model,
        data: &scene.data,
        grid: &grid,
    })?;
    let outputs = scene.outputs();
    let picture = slice3d_scene(
        spec3,
        spec3.camera,
        Outputs {
            targets: &scene.data.targets,
            current: &outputs,
        },
        [slice.a_range, slice.b_range, slice.c_range],
        &field,
        project_onto_slice3(&axes, theta),
        &[],
    );
    Ok((field, picture))
}

/// The field and the loss terrain picture of a built-in scene's 2D slice, with a model
/// path of 25 points draped across it (from near one corner of the slice to near the
/// opposite one), as the paths view sends one.
fn terrain_picture(name: &str) -> anyhow::Result<(Field, VolumeScene)> {
    let scene = Scene::resolve(name)?;
    let theta = &scene.parameters;
    let (axes, grid) = scene.slice_plane(std::slice::from_ref(theta))?;
    let field = CpuFieldEvaluator.evaluate(&FieldRequest {
        spec: &scene.model,
        data: &scene.data,
        grid: &grid,
    })?;
    let slice = &scene.view.slice;
    let terrain = &scene.view.terrain;
    let ranges = [slice.a_range, slice.b_range];
    let shape = [grid.shape[0], grid.shape[1]];
    let (a, b) = project_onto_slice(&axes, theta);
    let mut picture = terrain_scene(
        terrain.camera,
        terrain.log_height,
        field.loss(),
        &scene.data.targets,
        ranges,
        shape,
        [a, b],
        &[],
    );
    let across = |range: [f64; 2], t: f64| range[0] + (0.1 + 0.8 * t) * (range[1] - range[0]);
    let path: Vec<Vec<f64>> = (0..25)
        .map(|i| {
            let t = f64::from(i) / 24.0;
            let (a, b) = (across(ranges[0], t), across(ranges[1], t));
            (0..theta.len())
                .map(|j| axes.center[j] + a * axes.u[j] + b * axes.v[j])
                .collect()
        })
        .collect();
    picture.lines = terrain_path_lines(
        &[(path, 1)],
        &axes,
        &TerrainSurface::new(field.loss(), shape, ranges, terrain.log_height),
    );
    Ok((field, picture))
}

/// Median time of one frame (encode, submit, wait for the GPU), turning the camera by
/// `turn_deg` per frame; throughput in frames per second.
fn measure_frames(
    gpu: &GpuFieldEvaluator,
    name: &str,
    size_words: String,
    field: &Field,
    picture: &VolumeScene,
    size: [u32; 2],
    turn_deg: f32,
) -> anyhow::Result<WorkloadResult> {
    let device = gpu.device();
    let buffer = field_buffer(device, field);
    let target = Picture::new(device, size);
    let renderer = VolumeRenderer::new(device);
    let mut scene = picture.clone();
    let repeats = 7;
    let started = Instant::now();
    let median_ms = time_median(name, repeats, || {
        scene.camera.orbit(turn_deg, 0.0);
        draw_frame(gpu, &renderer, &buffer, &scene, &target, size)
    })?;
    log::debug!("{name}: {:.1} s in all", started.elapsed().as_secs_f64());
    Ok(WorkloadResult {
        name: name.into(),
        size: size_words,
        median_ms,
        throughput: round3(1e3 / median_ms),
        unit: "frames/s".into(),
        repeats,
    })
}
