//! Which evaluator computes fields on this machine, and why.
//!
//! A hardware GPU evaluates fields far faster than the CPU path; a software rasterizer
//! (llvmpipe) is much slower than it (12× to 40× on the 2D bench workload, measured on a
//! 2-core machine), so with only a software adapter fields are computed on the CPU while
//! wgpu still draws the picture.

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
    /// On the GPU when it is in use; a network wider than the shader or a field over the
    /// device's buffer limits falls back to the CPU path (with a warning), since the GPU
    /// refuses those by design rather than by failure.
    fn evaluate(&self, req: &FieldRequest) -> Result<Field, FieldError> {
        match (&self.gpu, self.use_gpu) {
            (Some(g), true) => match g.evaluate(req) {
                Err(e @ (FieldError::WidthTooLarge { .. } | FieldError::BufferTooLarge { .. })) => {
                    log::warn!("{e}; evaluating this field on the CPU instead");
                    CpuFieldEvaluator.evaluate(req)
                }
                result => result,
            },
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Activation;
    use crate::core::field::test_support::Case;

    /// A network wider than the shader is refused by the GPU by design; the backend then
    /// computes it on the CPU path instead of failing, with the same values.
    #[test]
    fn a_network_wider_than_the_shader_falls_back_to_the_cpu_path() {
        if crate::eval::gpu::test_gpu("the GPU backend's fallback").is_none() {
            return;
        }
        let backend = FieldBackend::gpu_preferred();
        assert!(backend.is_gpu(), "{}", backend.reason());
        let case = Case::new(&[2, 100, 1], Activation::Tanh, true, 3, &[5, 4], 7);
        let field = backend.evaluate(&case.as_request()).unwrap();
        let cpu = CpuFieldEvaluator.evaluate(&case.as_request()).unwrap();
        assert_eq!(field, cpu);
    }
}
