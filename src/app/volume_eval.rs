//! Which evaluator computes the 3D views' fields (the 3D slice's volume and the 2D slice
//! under the terrain), and why: the GPU compute pass (`shaders/field.wgsl`) on a hardware
//! adapter, at the resolution asked for (up to 128³) within the device's buffer limit; the
//! CPU path on a software rasterizer (whose compute passes are slower than the CPU, see
//! [`crate::eval::backend`]) or without wgpu, on a grid budgeted to [`CPU_VIEW_BUDGET`]
//! multiply-adds. Either way the field is computed on a background thread and read back,
//! so the view keeps drawing the previous volume meanwhile.
//!
//! The setting [`EVALUATOR_ENV`] (`gpu` or `cpu`) overrides the choice, for example to
//! check the GPU pass on a software adapter.

use std::sync::Arc;

use crate::core::MlpSpec;
use crate::core::field::{Field, FieldEvaluator as _, FieldRequest};
use crate::core::slice3d::{CPU_VIEW_BUDGET, budgeted_shape};
use crate::draw::volume_memory::fit_points;
use crate::eval::backend::cpu_is_faster_than;
use crate::eval::{CpuFieldEvaluator, GpuFieldEvaluator};

/// The environment variable that forces the 3D views' evaluator: `gpu` or `cpu`.
pub const EVALUATOR_ENV: &str = "BASINSCOPE_VOLUME_EVALUATOR";

/// The evaluator of the 3D views' fields and the reason it was chosen.
#[derive(Clone)]
pub enum VolumeEvaluator {
    /// The CPU path, on a budgeted grid.
    Cpu { reason: String },
    /// The GPU compute pass on the app's device.
    Gpu {
        evaluator: Arc<GpuFieldEvaluator>,
        /// The adapter's name.
        adapter: String,
        reason: String,
        /// The device's storage binding limit in bytes (the field buffer must fit).
        limit: u64,
    },
}

impl PartialEq for VolumeEvaluator {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Self::Cpu { reason: a }, Self::Cpu { reason: b }) => a == b,
            (Self::Gpu { evaluator: a, .. }, Self::Gpu { evaluator: b, .. }) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl std::fmt::Debug for VolumeEvaluator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.describe(), self.reason())
    }
}

impl VolumeEvaluator {
    /// The evaluator for an app drawing with `render_state` (`None`: no wgpu renderer):
    /// the GPU compute pass on a hardware adapter, the CPU path otherwise; `setting`
    /// (the value of [`EVALUATOR_ENV`]) `gpu` or `cpu` overrides that.
    pub fn choose(render_state: Option<&egui_wgpu::RenderState>, setting: Option<&str>) -> Self {
        let setting = setting.map(|s| s.trim().to_ascii_lowercase());
        let Some(rs) = render_state else {
            return Self::Cpu {
                reason: "this app runs without a GPU renderer".into(),
            };
        };
        let info = rs.adapter.get_info();
        let name = format!("{} ({:?})", info.name, info.backend);
        let gpu = |reason: String| {
            let limits = rs.device.limits();
            Self::Gpu {
                evaluator: Arc::new(GpuFieldEvaluator::new(rs.device.clone(), rs.queue.clone())),
                adapter: name.clone(),
                reason,
                limit: limits
                    .max_storage_buffer_binding_size
                    .min(limits.max_buffer_size),
            }
        };
        match setting.as_deref() {
            Some("gpu") => gpu(format!(
                "{EVALUATOR_ENV}=gpu asks for the GPU compute pass, here on {name}"
            )),
            Some("cpu") => Self::Cpu {
                reason: format!("{EVALUATOR_ENV}=cpu asks for the CPU path"),
            },
            Some(other) if !other.is_empty() => {
                // A typo must not pass for the automatic choice without a word.
                log::warn!(
                    "{EVALUATOR_ENV}={} is neither gpu nor cpu; choosing automatically",
                    crate::core::limits::quote(other)
                );
                Self::choose_automatically(&info, &name, gpu)
            }
            _ => Self::choose_automatically(&info, &name, gpu),
        }
    }

    /// The automatic choice: the CPU path on a software rasterizer, else the GPU pass.
    fn choose_automatically(
        info: &wgpu::AdapterInfo,
        name: &str,
        gpu: impl FnOnce(String) -> Self,
    ) -> Self {
        if cpu_is_faster_than(info) {
            Self::Cpu {
                reason: format!(
                    "the GPU adapter, {name}, is a software rasterizer, slower than the CPU path"
                ),
            }
        } else {
            gpu(format!("a hardware GPU adapter is available: {name}"))
        }
    }

    /// Whether fields are computed by the GPU compute pass.
    pub fn is_gpu(&self) -> bool {
        matches!(self, Self::Gpu { .. })
    }

    /// The evaluator in a few words, for the view's status line (the adapter and the
    /// reason are in [`Self::reason`]).
    pub fn describe(&self) -> String {
        match self {
            Self::Cpu { .. } => "CPU path".into(),
            Self::Gpu { .. } => "GPU compute".into(),
        }
    }

    /// Why this evaluator computes the fields.
    pub fn reason(&self) -> &str {
        match self {
            Self::Cpu { reason } | Self::Gpu { reason, .. } => reason,
        }
    }

    /// The grid the field of `spec` with `k` inputs is computed on, for the `wanted` one:
    /// on the CPU path scaled to [`CPU_VIEW_BUDGET`] multiply-adds; on the GPU scaled so
    /// that the field buffer (k + 1 channels of f32) fits the device's limit.
    pub fn shape(&self, wanted: &[usize], spec: &MlpSpec, k: usize) -> Vec<usize> {
        match self {
            Self::Cpu { .. } => budgeted_shape(wanted, spec, k, CPU_VIEW_BUDGET),
            Self::Gpu { limit, .. } => fit_points(wanted, 4 * (k as u128 + 1), u128::from(*limit)),
        }
    }

    /// Computes the field of `req` (on this thread: the caller is a background job).
    ///
    /// # Errors
    /// The evaluator's refusal or failure, in one sentence.
    pub fn evaluate(&self, req: &FieldRequest) -> Result<Field, String> {
        match self {
            Self::Cpu { .. } => CpuFieldEvaluator.evaluate(req),
            Self::Gpu { evaluator, .. } => evaluator.evaluate(req),
        }
        .map_err(|e| format!("cannot evaluate this volume: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 128³ × (4 + 1) channels of f32 is 42 MB, within wgpu's default 128 MiB storage
    /// binding: kept. With 64 inputs (545 MB) it is scaled to the largest even grid under
    /// the limit: (2²⁷ / 260 bytes)^(1/3) ≈ 80.2 per side.
    #[test]
    fn gpu_volumes_keep_the_asked_grid_when_the_field_fits_and_shrink_evenly_when_not() {
        let limit = 128 << 20;
        assert_eq!(fit_points(&[128; 3], 4 * 5, limit), vec![128; 3]);
        let fitted = fit_points(&[128; 3], 4 * 65, limit);
        assert_eq!(fitted, vec![80; 3]);
        assert!(80u128.pow(3) * 260 <= limit && 81u128.pow(3) * 260 > limit);
        // An absurd per-point size bottoms out at 2 per axis instead of 0.
        assert_eq!(
            fit_points(&[128; 3], u128::from(u64::MAX / 4), limit),
            vec![2; 3]
        );
    }

    #[test]
    fn without_a_renderer_the_cpu_path_computes_the_volume_and_says_why() {
        let e = VolumeEvaluator::choose(None, Some("gpu"));
        assert!(!e.is_gpu());
        assert_eq!(e.describe(), "CPU path");
        assert!(e.reason().contains("without a GPU renderer"), "{e:?}");
    }
}
