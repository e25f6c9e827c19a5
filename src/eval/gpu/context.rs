//! A headless wgpu device for work without a window: CLI renders, benches and tests.

use crate::core::field::FieldError;

/// A device, its queue and what the adapter is.
#[derive(Clone, Debug)]
pub struct GpuContext {
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub adapter_info: wgpu::AdapterInfo,
}

impl GpuContext {
    /// Opens the high-performance adapter if there is one, else any adapter (software
    /// rasterizers such as llvmpipe included), with that adapter's own limits so large
    /// grids fit. Device loss and uncaptured errors are logged instead of panicking.
    pub fn headless() -> Result<Self, FieldError> {
        pollster::block_on(Self::request())
    }

    async fn request() -> Result<Self, FieldError> {
        let instance =
            wgpu::Instance::new(wgpu::InstanceDescriptor::new_without_display_handle_from_env());
        let mut adapter = None;
        let mut last_error = String::from("no adapter was found");
        for force_fallback_adapter in [false, true] {
            match instance
                .request_adapter(&wgpu::RequestAdapterOptions {
                    power_preference: wgpu::PowerPreference::HighPerformance,
                    compatible_surface: None,
                    force_fallback_adapter,
                    apply_limit_buckets: false,
                })
                .await
            {
                Ok(a) => {
                    adapter = Some(a);
                    break;
                }
                Err(e) => last_error = e.to_string(),
            }
        }
        let adapter = adapter.ok_or(FieldError::NoAdapter(last_error))?;
        let adapter_info = adapter.get_info();
        let (device, queue) = adapter
            .request_device(&wgpu::DeviceDescriptor {
                label: Some("basinscope headless"),
                required_limits: adapter.limits(),
                ..Default::default()
            })
            .await
            .map_err(|e| FieldError::RequestDevice(e.to_string()))?;
        device.on_uncaptured_error(std::sync::Arc::new(|e| {
            log::error!("uncaptured GPU error: {e}");
        }));
        device.set_device_lost_callback(|reason, message| {
            if reason != wgpu::DeviceLostReason::Destroyed {
                log::error!("GPU device lost ({reason:?}): {message}");
            }
        });
        Ok(Self {
            device,
            queue,
            adapter_info,
        })
    }

    /// The adapter in words: "name (backend, device type)".
    pub fn describe(&self) -> String {
        describe_adapter(&self.adapter_info)
    }
}

/// "name (backend, device type)" of an adapter.
pub fn describe_adapter(info: &wgpu::AdapterInfo) -> String {
    format!("{} ({:?}, {:?})", info.name, info.backend, info.device_type)
}
