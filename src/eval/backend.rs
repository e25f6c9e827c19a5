//! Which evaluator computes fields on this machine, and why.
//!
//! A hardware GPU evaluates fields far faster than the CPU path; a software rasterizer
//! (llvmpipe) is much slower than it (about 12× on the 2D bench workload), so with only a
//! software adapter fields are computed on the CPU while wgpu still draws the picture.

use super::cpu::CpuFieldEvaluator;
use super::gpu::GpuFieldEvaluator;
use crate::core::field::{Field, FieldError, FieldEvaluator, FieldRequest};

/// Whether fields should be computed on the CPU rather than on `adapter`: true for a
/// software rasterizer, whose compute passes are slower than the CPU path.
pub fn cpu_is_faster_than(adapter: &wgpu::AdapterInfo) -> bool {
    adapter.device_type == wgpu::DeviceType::Cpu
}

/// The evaluator in use, the reason it was chosen, and the GPU device if one was opened.
pub struct FieldBackend {
    /// The headless GPU evaluator, kept even when the CPU path is faster (benches and
    /// tests still measure and check it).
    gpu: Option<GpuFieldEvaluator>,
    use_gpu: bool,
    reason: String,
}

impl FieldBackend {
    /// The faster evaluator here: a hardware GPU adapter if there is one, else the CPU path
    /// (with only a software adapter, or none).
    pub fn auto() -> Self {
        match GpuFieldEvaluator::headless() {
            Ok(gpu) => {
                let software = gpu.adapter_info().is_some_and(cpu_is_faster_than);
                let reason = if software {
                    format!(
                        "the only GPU adapter, {}, is a software rasterizer, slower than the CPU path",
                        gpu.adapter()
                    )
                } else {
                    format!("a hardware GPU adapter is available: {}", gpu.adapter())
                };
                Self {
                    gpu: Some(gpu),
                    use_gpu: !software,
                    reason,
                }
            }
            Err(e) => Self::cpu(e.to_string()),
        }
    }

    /// The GPU evaluator on any adapter, software rasterizers included (`--backend gpu`);
    /// the CPU path with the reason when no adapter can be opened.
    pub fn gpu_preferred() -> Self {
        match GpuFieldEvaluator::headless() {
            Ok(gpu) => Self {
                reason: format!("the GPU backend was asked for: {}", gpu.adapter()),
                gpu: Some(gpu),
                use_gpu: true,
            },
            Err(e) => {
                log::warn!("{e}; evaluating fields on the CPU instead");
                Self::cpu(format!("the GPU backend was asked for, but {e}"))
            }
        }
    }

    /// The CPU path, for `reason`.
    pub fn cpu(reason: impl Into<String>) -> Self {
        Self {
            gpu: None,
            use_gpu: false,
            reason: reason.into(),
        }
    }

    /// Whether fields are computed on the GPU adapter.
    pub fn is_gpu(&self) -> bool {
        self.use_gpu
    }

    /// Why this evaluator was chosen, in one sentence.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The headless GPU evaluator, if an adapter could be opened (whether or not it is the
    /// one computing fields).
    pub fn gpu(&self) -> Option<&GpuFieldEvaluator> {
        self.gpu.as_ref()
    }
}

impl FieldEvaluator for FieldBackend {
    fn evaluate(&self, req: &FieldRequest) -> Result<Field, FieldError> {
        match (&self.gpu, self.use_gpu) {
            (Some(g), true) => g.evaluate(req),
            _ => CpuFieldEvaluator.evaluate(req),
        }
    }

    fn name(&self) -> String {
        match (&self.gpu, self.use_gpu) {
            (Some(g), true) => g.name(),
            _ => CpuFieldEvaluator.name(),
        }
    }
}
