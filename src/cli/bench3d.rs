//! The ray-marched frames of `basinscope bench`: the 3D slice of the perpendicular scene
//! on a 128³ volume at 1280×800, and the moons scene's 3D view while it rotates, as the
//! app draws it (on a software adapter at the reduced moving resolution and step).

use std::time::Instant;

use anyhow::Context as _;
use wgpu::util::DeviceExt as _;

use super::bench::{WorkloadResult, round3, time_median};
use crate::core::Scene;
use crate::core::field::{Field, FieldEvaluator as _, FieldRequest, SliceGrid};
use crate::core::slice3d::{CPU_VIEW_BUDGET, budgeted_shape, project_onto_slice3, slice3d_axes};
use crate::draw::slice_pass::Picture;
use crate::draw::volume_pass::{MOVING_SCALE, MOVING_STEP_CELLS, VolumeRenderer, VolumeScene};
use crate::draw::volume_scene::{Outputs, slice3d_scene};
use crate::eval::backend::cpu_is_faster_than;
use crate::eval::{CpuFieldEvaluator, GpuFieldEvaluator};

/// Width and height of the frames.
const FRAME: [u32; 2] = [1280, 800];

/// The ray-marched frame workloads on `gpu`'s device.
pub(super) fn raymarch_workloads(gpu: &GpuFieldEvaluator) -> anyhow::Result<Vec<WorkloadResult>> {
    let software = gpu.adapter_info().is_some_and(cpu_is_faster_than);
    let mut out = Vec::new();

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

    // The moons scene's 3D view as the app shows it: its volume budgeted for the CPU path,
    // turning 3° per frame; on a software adapter at the moving resolution and step.
    let (field, mut picture) = scene_picture("moons", None)?;
    let size = if software {
        picture.style.step_cells = MOVING_STEP_CELLS;
        FRAME.map(|s| (s as f32 * MOVING_SCALE).round() as u32)
    } else {
        FRAME
    };
    let shape = field.shape.clone();
    out.push(measure_frames(
        gpu,
        "raymarch_moons_rotating",
        format!(
            "moons 3D view while rotating, {}x{}x{} volume, {}x{} frame{}",
            shape[0],
            shape[1],
            shape[2],
            size[0],
            size[1],
            if software {
                " (software adapter: moving resolution)"
            } else {
                ""
            }
        ),
        &field,
        &picture,
        size,
        3.0,
    )?);
    Ok(out)
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
    let outputs: Vec<f64> = scene
        .data
        .inputs
        .iter()
        .map(|x| scene.model.forward(theta, x))
        .collect();
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
    let buffer = device.create_buffer_init(&wgpu::util::BufferInitDescriptor {
        label: Some("bench field"),
        contents: bytemuck::cast_slice(&field.values),
        usage: wgpu::BufferUsages::STORAGE,
    });
    let target = Picture::new(device, size);
    let renderer = VolumeRenderer::new(device);
    let mut scene = picture.clone();
    let repeats = 7;
    let started = Instant::now();
    let median_ms = time_median(name, repeats, || {
        scene.camera.orbit(turn_deg, 0.0);
        let mut encoder = device.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("bench frame"),
        });
        renderer.encode(device, &mut encoder, &buffer, &scene, &target.view, size);
        gpu.queue().submit([encoder.finish()]);
        device
            .poll(wgpu::PollType::wait_indefinitely())
            .context("the GPU did not finish the frame")?;
        Ok(())
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
