//! `basinscope bench`: the performance workloads of docs/DESIGN.md §7.
//!
//! Each workload runs once to warm up (pipelines, caches, thread start-up), then a fixed
//! number of timed repeats; the median is reported. Field throughput is "effective"
//! GFLOP/s: 2 FLOPs per multiply-add of the plain network forward (Σ fan_in·fan_out per
//! input), times k inputs, times grid points — for [2, 16, 16, 1] that is 608 FLOPs per
//! input per point. Activations, biases and the loss are not counted.

use std::sync::Arc;
use std::time::Instant;

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::Serialize;

use crate::core::align::{MAX_SWEEPS, weight_matching};
use crate::core::analysis::{RankTolerance, analyze};
use crate::core::field::{FieldEvaluator, OwnedFieldRequest, SliceGrid};
use crate::core::{Activation, MlpSpec, OptimizerKind, Preset, Trainer, TrainingConfig};
use crate::eval::{CpuFieldEvaluator, FieldBackend};

/// Arguments of `basinscope bench`.
#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Prints one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
    /// Runs only the workloads whose name contains this text (e.g. `raymarch`).
    #[arg(long, value_name = "TEXT")]
    pub only: Option<String>,
}

/// One measured workload.
#[derive(Clone, Debug, Serialize)]
pub struct WorkloadResult {
    pub name: String,
    pub size: String,
    #[serde(serialize_with = "super::json::serialize_number")]
    pub median_ms: f64,
    #[serde(serialize_with = "super::json::serialize_number")]
    pub throughput: f64,
    pub unit: String,
    /// Timed repeats (after one warm-up run).
    pub repeats: usize,
}

/// Everything `bench --json` prints.
#[derive(Clone, Debug, Serialize)]
pub struct BenchReport {
    /// The GPU adapter used for the GPU workloads ("none" when there is none).
    pub adapter: String,
    /// The evaluator the app and `render --backend auto` use for fields here: "gpu" or "cpu".
    pub field_evaluator: String,
    /// Why that evaluator was chosen, in one sentence.
    pub field_evaluator_reason: String,
    pub workloads: Vec<WorkloadResult>,
}

pub fn run(args: &BenchArgs) -> anyhow::Result<()> {
    let report = run_workloads(args.only.as_deref())?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        println!("adapter: {}", report.adapter);
        println!(
            "fields evaluated on: {} ({})",
            report.field_evaluator, report.field_evaluator_reason
        );
        println!(
            "{:<15} {:<48} {:>11} {:>12}  unit",
            "workload", "size", "median ms", "throughput"
        );
        for w in &report.workloads {
            println!(
                "{:<15} {:<48} {:>11.2} {:>12.2}  {} ({} runs)",
                w.name, w.size, w.median_ms, w.throughput, w.unit, w.repeats
            );
        }
    }
    Ok(())
}

/// Runs every workload (or those whose name contains `only`), with progress on stderr.
pub fn run_workloads(only: Option<&str>) -> anyhow::Result<BenchReport> {
    let backend = FieldBackend::auto();
    let gpu = backend.gpu();
    let adapter = gpu.map_or_else(|| "none".to_string(), |g| g.adapter().to_string());
    let field_evaluator = if backend.is_gpu() { "gpu" } else { "cpu" };
    eprintln!("bench: GPU adapter: {adapter}");
    eprintln!(
        "bench: fields evaluated on the {field_evaluator} ({})",
        backend.reason()
    );
    let mut workloads = Vec::new();
    let wants = |name: &str| only.is_none_or(|o| name.contains(o));

    let net = MlpSpec::new(vec![2, 16, 16, 1], Activation::Tanh, true)?;
    let field2d = FieldWorkload::new(&net, 64, &[512, 512]);
    let field3d = FieldWorkload::new(&net, 4, &[128, 128, 128]);
    if let Some(gpu) = gpu.filter(|_| wants("field2d_gpu")) {
        workloads.push(field2d.measure("field2d_gpu", gpu, 5)?);
    }
    if wants("field2d_cpu") {
        workloads.push(field2d.measure("field2d_cpu", &CpuFieldEvaluator, 5)?);
    }
    if let Some(gpu) = gpu.filter(|_| wants("field3d_gpu")) {
        workloads.push(field3d.measure("field3d_gpu", gpu, 3)?);
    }
    if wants("field3d_cpu") {
        workloads.push(field3d.measure("field3d_cpu", &CpuFieldEvaluator, 3)?);
    }
    if let Some(gpu) = gpu {
        workloads.extend(super::bench3d::raymarch_workloads(gpu, &wants)?);
    } else {
        eprintln!(
            "bench: no GPU adapter, so field2d_gpu, field3d_gpu and the ray-marched frames were not run"
        );
    }
    if wants("adam_step_256") {
        workloads.push(adam_workload(&net)?);
    }
    if wants("analyze_300") {
        workloads.push(analyze_workload()?);
    }
    if wants("weight_matching") {
        workloads.push(weight_matching_workload()?);
    }
    Ok(BenchReport {
        adapter,
        field_evaluator: field_evaluator.into(),
        field_evaluator_reason: backend.reason().into(),
        workloads,
    })
}

/// One full-batch Adam step on 256 moons points.
fn adam_workload(net: &MlpSpec) -> anyhow::Result<WorkloadResult> {
    let data = Preset::Moons.generate(256, 0.1, 0);
    let config = TrainingConfig {
        optimizer: OptimizerKind::Adam,
        batch_size: None,
        ..TrainingConfig::default()
    };
    let mut trainer = Trainer::new(net.clone(), data, config, net.init_parameters(0));
    let repeats = 50;
    let median_ms = time_median("adam_step_256", repeats, || {
        trainer.step()?;
        Ok(())
    })?;
    Ok(WorkloadResult {
        name: "adam_step_256".into(),
        size: "full batch of 256 moons points, [2,16,16,1] tanh".into(),
        median_ms,
        throughput: round3(1e3 / median_ms),
        unit: "steps/s".into(),
        repeats,
    })
}

/// The analysis of a 301-parameter network at 64 inputs.
fn analyze_workload() -> anyhow::Result<WorkloadResult> {
    let spec = MlpSpec::new(vec![2, 16, 14, 1], Activation::Tanh, true)?;
    let theta = spec.init_parameters(1);
    let data = Preset::Moons.generate(64, 0.1, 1);
    let repeats = 5;
    let median_ms = time_median("analyze_300", repeats, || {
        analyze(&spec, &theta, &data, RankTolerance::NumpyDefault)?;
        Ok(())
    })?;
    Ok(WorkloadResult {
        name: "analyze_300".into(),
        size: format!(
            "[2,16,14,1] tanh ({} parameters), 64 inputs",
            spec.n_params()
        ),
        median_ms,
        throughput: round3(1e3 / median_ms),
        unit: "analyses/s".into(),
        repeats,
    })
}

/// Weight matching of two seeded [2, 128, 128, 128, 1] tanh networks (three hidden layers,
/// coordinate descent over them until a sweep improves none).
fn weight_matching_workload() -> anyhow::Result<WorkloadResult> {
    let spec = MlpSpec::new(vec![2, 128, 128, 128, 1], Activation::Tanh, true)?;
    let (a, b) = (spec.init_parameters(1), spec.init_parameters(2));
    let mut sweeps = 0;
    let repeats = 5;
    let median_ms = time_median("weight_matching", repeats, || {
        sweeps = weight_matching(&spec, &a, &b, 0, MAX_SWEEPS)?.sweeps;
        Ok(())
    })?;
    Ok(WorkloadResult {
        name: "weight_matching".into(),
        size: format!(
            "[2,128,128,128,1] tanh ({} parameters), {sweeps} sweeps",
            spec.n_params()
        ),
        median_ms,
        throughput: round3(1e3 / median_ms),
        unit: "alignments/s".into(),
        repeats,
    })
}

/// A field request on seeded data and axes.
struct FieldWorkload(OwnedFieldRequest);

impl FieldWorkload {
    fn new(spec: &MlpSpec, n_inputs: usize, shape: &[usize]) -> Self {
        let theta0 = spec.init_parameters(0);
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let axes = shape
            .iter()
            .map(|_| {
                (0..theta0.len())
                    .map(|_| 0.3 * Distribution::<f64>::sample(&StandardNormal, &mut rng))
                    .collect()
            })
            .collect();
        Self(OwnedFieldRequest {
            spec: spec.clone(),
            data: Arc::new(Preset::Moons.generate(n_inputs, 0.1, 0)),
            grid: SliceGrid {
                theta0,
                axes,
                ranges: vec![[-1.0, 1.0]; shape.len()],
                shape: shape.to_vec(),
            },
        })
    }

    /// Effective FLOPs of one evaluation (see the module docs).
    fn flops(&self) -> f64 {
        let FieldWorkload(req) = self;
        let per_input: usize = req.spec.layers.windows(2).map(|w| 2 * w[0] * w[1]).sum();
        (per_input * req.data.n_inputs() * req.grid.n_points()) as f64
    }

    fn measure(
        &self,
        name: &str,
        evaluator: &dyn FieldEvaluator,
        repeats: usize,
    ) -> anyhow::Result<WorkloadResult> {
        let req = self.0.as_request();
        let median_ms = time_median(name, repeats, || {
            evaluator.evaluate(&req)?;
            Ok(())
        })?;
        let join = |v: &[usize], sep: &str| {
            v.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(sep)
        };
        Ok(WorkloadResult {
            name: name.into(),
            size: format!(
                "{} grid x {} inputs, [{}] {}",
                join(&req.grid.shape, "x"),
                req.data.n_inputs(),
                join(&req.spec.layers, ","),
                req.spec.activation
            ),
            median_ms,
            throughput: round3(self.flops() / (median_ms * 1e6)),
            unit: "GFLOP/s".into(),
            repeats,
        })
    }
}

/// Median wall time in ms of `repeats` runs after one warm-up run.
pub(super) fn time_median(
    name: &str,
    repeats: usize,
    mut f: impl FnMut() -> anyhow::Result<()>,
) -> anyhow::Result<f64> {
    eprint!("bench: {name} (warm-up + {repeats} runs)…");
    f()?;
    let mut times: Vec<f64> = (0..repeats)
        .map(|_| {
            let start = Instant::now();
            f().map(|()| start.elapsed().as_secs_f64() * 1e3)
        })
        .collect::<anyhow::Result<_>>()?;
    times.sort_by(f64::total_cmp);
    let median = if times.len() % 2 == 1 {
        times[times.len() / 2]
    } else {
        0.5 * (times[times.len() / 2 - 1] + times[times.len() / 2])
    };
    eprintln!(" {median:.2} ms");
    Ok(round3(median))
}

/// x to three decimals (a µs for times in ms), so the JSON stays readable.
pub(super) fn round3(x: f64) -> f64 {
    (x * 1e3).round() / 1e3
}
