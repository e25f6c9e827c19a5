//! The CPU reference path for slice fields, fast enough to be a real fallback.
//!
//! Per grid point the weights W_l(a, b, c) = θ₀ + a·u + b·v + c·w are built once in f32
//! and shared by all k inputs (docs/DESIGN.md §7). The first layer needs no weights at all:
//! its pre-activations are affine in the grid coordinates, z₁ = z0 + a·zu + b·zv + c·zw,
//! with the four terms precomputed per input in f64 ([`GridPlan::first_layer`]).
//! Activations are kept structure-of-arrays, [unit][input], so the loops over inputs run
//! on SIMD lanes, and the activations are the vectorizable approximations of
//! [`approx`]. With fewer than 8 inputs most of such a vector would be padding, so the
//! lanes can hold 8 grid points of one row instead ([`points`]); that layout is also the
//! faster one for many inputs, and is taken unless the rows are much too short
//! ([`Layout::choose`]).
//! Points are split into jobs that worker threads take from a queue.

// `inline(always)` is load-bearing here: everything under the dispatch must be inlined
// into pulp's target-feature function to be compiled for AVX2 and FMA.
#![allow(clippy::inline_always)]

pub mod approx;
mod dense;
mod points;

use std::sync::Mutex;

use crate::core::Activation;
use crate::core::field::{Field, FieldError, FieldEvaluator, FieldRequest, GridPlan};
use approx::{ActivationF32, Gelu, Identity, LeakyRelu, Relu, Sigmoid, Softplus, Tanh, madd};
use dense::{Dense, Lanes, Portable, dense};

/// Inputs per block of the dense layers; bounds the scratch memory for large k.
const INPUT_BLOCK: usize = 256;
/// Multiply-adds below which a field is evaluated on the calling thread alone.
const SERIAL_WORK: usize = 1 << 18;

/// What the 8 SIMD lanes hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Layout {
    /// 8 inputs at one grid point ([`dense`]); the weights are built per point.
    Inputs,
    /// 8 grid points of one row, for one input at a time ([`points`]).
    Points,
}

impl Layout {
    /// Points on lanes unless their padding (rows of `row` points in groups of 8) wastes
    /// much more than the inputs' (k inputs in vectors of 8): its lanes must be at least
    /// ¾ as full. At equal fill it is not slower (on the [2,16,16,1] tanh bench network,
    /// AVX2, 2 cores: 1.5× for 128³ points × 8 or 16 inputs, 1.05× for 512² × 64), since
    /// each weight vector it loads feeds 4 multiply-adds.
    fn choose(k: usize, row: usize) -> Self {
        let points_fill = row * k.next_multiple_of(8);
        let inputs_fill = k * row.next_multiple_of(8);
        if 4 * points_fill >= 3 * inputs_fill {
            Self::Points
        } else {
            Self::Inputs
        }
    }
}

/// The CPU reference evaluator (f32 arithmetic, f64 precomputation).
#[derive(Clone, Copy, Debug, Default)]
pub struct CpuFieldEvaluator;

impl FieldEvaluator for CpuFieldEvaluator {
    fn evaluate(&self, req: &FieldRequest) -> Result<Field, FieldError> {
        let plan = req.plan()?;
        let net = CpuNet::new(req, &plan);
        let mut values = vec![0.0f32; (plan.n_inputs + 1) * plan.n_points];
        run_activation(req.spec.activation, &net, &plan, &mut values);
        Ok(plan.field(values, &req.grid.shape))
    }

    fn name(&self) -> String {
        format!("CPU reference ({} threads)", worker_threads())
    }
}

fn run_activation(activation: Activation, net: &CpuNet, plan: &GridPlan, values: &mut [f32]) {
    match activation {
        Activation::Identity => run::<Identity>(net, plan, values),
        Activation::Relu => run::<Relu>(net, plan, values),
        Activation::LeakyRelu => run::<LeakyRelu>(net, plan, values),
        Activation::Tanh => run::<Tanh>(net, plan, values),
        Activation::Sigmoid => run::<Sigmoid>(net, plan, values),
        Activation::Gelu => run::<Gelu>(net, plan, values),
        Activation::Softplus => run::<Softplus>(net, plan, values),
    }
}

fn worker_threads() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// Everything the workers share, read-only.
struct CpuNet {
    layout: Layout,
    k: usize,
    /// k rounded up to a multiple of 8 (one SIMD vector).
    k_pad: usize,
    h1: usize,
    /// zu of the first layer, [unit][k_pad], f32 (the only first-layer term used per point).
    zu: Vec<f32>,
    /// Layers 2..L; empty for a linear model.
    dense: Vec<Dense>,
    /// θ₀, u, v, w restricted to layers 2..L (w is zero for a 2D slice).
    theta0: Vec<f64>,
    u: Vec<f32>,
    v: Vec<f64>,
    w: Vec<f64>,
    targets: Vec<f32>,
    /// Widest layer output, for the scratch buffers.
    max_width: usize,
}

impl CpuNet {
    fn new(req: &FieldRequest, plan: &GridPlan) -> Self {
        let (k, h1) = (plan.n_inputs, plan.h1);
        let k_pad = k.next_multiple_of(8);
        let mut zu = vec![0.0f32; h1 * k_pad];
        for i in 0..k {
            for r in 0..h1 {
                zu[r * k_pad + i] = plan.first_layer[i * h1 + r][1] as f32;
            }
        }
        let layouts = req.spec.layouts();
        let start = layouts
            .get(1)
            .map_or(req.grid.theta0.len(), |l| l.weight_offset);
        let dense = layouts[1..]
            .iter()
            .map(|l| Dense {
                fan_in: l.fan_in,
                fan_out: l.fan_out,
                weights: l.weight_offset - start,
                bias: l.bias_offset.map(|b| b - start),
            })
            .collect();
        let tail = |v: &[f64]| v[start..].to_vec();
        let zeros = vec![0.0; req.grid.theta0.len() - start];
        Self {
            layout: Layout::choose(k, plan.shape3[0]),
            k,
            k_pad,
            h1,
            zu,
            dense,
            theta0: tail(&req.grid.theta0),
            u: req.grid.axes[0][start..]
                .iter()
                .map(|&x| x as f32)
                .collect(),
            v: tail(&req.grid.axes[1]),
            w: req.grid.axes.get(2).map_or(zeros, |w| tail(w)),
            targets: req.data.targets.iter().map(|&y| y as f32).collect(),
            max_width: req.spec.layers[1..].iter().copied().max().unwrap_or(1),
        }
    }
}

/// A contiguous range of flattened grid points and its slice of every channel.
struct Job<'a> {
    first_point: usize,
    channels: Vec<&'a mut [f32]>,
}

/// Splits the points into jobs and runs them on worker threads.
fn run<A: ActivationF32>(net: &CpuNet, plan: &GridPlan, values: &mut [f32]) {
    let n_points = plan.n_points;
    let work = n_points
        * net.k
        * (net.h1
            + net
                .dense
                .iter()
                .map(|d| d.fan_in * d.fan_out)
                .sum::<usize>());
    let threads = if work < SERIAL_WORK {
        1
    } else {
        worker_threads().min(n_points)
    };
    let n_jobs = if threads == 1 {
        1
    } else {
        (8 * threads).min(n_points)
    };
    let bounds: Vec<usize> = (0..=n_jobs).map(|j| j * n_points / n_jobs).collect();
    let mut jobs: Vec<Job> = bounds[..n_jobs]
        .iter()
        .map(|&first_point| Job {
            first_point,
            channels: Vec::with_capacity(net.k + 1),
        })
        .collect();
    for channel in values.chunks_mut(n_points) {
        let mut rest = channel;
        for (job, pair) in jobs.iter_mut().zip(bounds.windows(2)) {
            let (head, tail) = rest.split_at_mut(pair[1] - pair[0]);
            job.channels.push(head);
            rest = tail;
        }
    }
    if threads == 1 {
        let mut scratch = Scratch::new(net);
        for job in jobs {
            run_job::<A>(net, plan, job, &mut scratch);
        }
        return;
    }
    jobs.reverse();
    let queue = Mutex::new(jobs);
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                let mut scratch = Scratch::new(net);
                loop {
                    let job = queue
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .pop();
                    let Some(job) = job else { break };
                    run_job::<A>(net, plan, job, &mut scratch);
                }
            });
        }
    });
}

/// Per-thread buffers.
struct Scratch {
    /// First-layer z0 + b·zv + c·zw of the current row, [unit][k_pad].
    row_base: Vec<f32>,
    /// θ₀ + b·v + c·w of the current row (layers 2..L), in f32.
    row_theta: Vec<f32>,
    /// The current point's weights (layers 2..L).
    weights: Vec<f32>,
    /// Activations [unit][block], ping-ponged between layers.
    h_in: Vec<f32>,
    h_out: Vec<f32>,
    /// The buffers of the points-on-lanes layout.
    points: points::PointScratch,
}

impl Scratch {
    fn new(net: &CpuNet) -> Self {
        let block = INPUT_BLOCK.min(net.k_pad);
        Self {
            row_base: vec![0.0; net.h1 * net.k_pad],
            row_theta: vec![0.0; net.theta0.len()],
            weights: vec![0.0; net.theta0.len()],
            h_in: vec![0.0; net.max_width * block],
            h_out: vec![0.0; net.max_width * block],
            points: points::PointScratch::new(net),
        }
    }
}

/// Runs a job with AVX2 and FMA where the CPU has them (pulp's safe runtime dispatch:
/// everything below is `inline(always)`, so it is compiled for those features), else
/// with the baseline instruction set.
fn run_job<A: ActivationF32>(net: &CpuNet, plan: &GridPlan, job: Job, scratch: &mut Scratch) {
    #[cfg(target_arch = "x86_64")]
    if let Some(simd) = pulp::x86::V3::try_new() {
        return simd.vectorize(JobTask::<A> {
            simd,
            net,
            plan,
            job,
            scratch,
            activation: std::marker::PhantomData,
        });
    }
    run_job_with::<A, _, false>(Portable, net, plan, job, scratch);
}

#[cfg(target_arch = "x86_64")]
struct JobTask<'n, 'j, 's, A> {
    simd: pulp::x86::V3,
    net: &'n CpuNet,
    plan: &'n GridPlan,
    job: Job<'j>,
    scratch: &'s mut Scratch,
    activation: std::marker::PhantomData<A>,
}

#[cfg(target_arch = "x86_64")]
impl<A: ActivationF32> pulp::NullaryFnOnce for JobTask<'_, '_, '_, A> {
    type Output = ();

    #[inline(always)]
    fn call(self) {
        run_job_with::<A, _, true>(self.simd, self.net, self.plan, self.job, self.scratch);
    }
}

#[inline(always)]
fn run_job_with<A: ActivationF32, L: Lanes, const FMA: bool>(
    lanes: L,
    net: &CpuNet,
    plan: &GridPlan,
    mut job: Job,
    scratch: &mut Scratch,
) {
    if net.layout == Layout::Points {
        points::run_job_points::<A, L, FMA>(lanes, net, plan, &mut job, scratch);
        return;
    }
    let [na, nb, _] = plan.shape3;
    let len = job.channels[0].len();
    let mut current_row = usize::MAX;
    for local in 0..len {
        let p = job.first_point + local;
        let row = p / na;
        if row != current_row {
            current_row = row;
            prepare_row(
                net,
                plan,
                plan.coords[1][row % nb],
                plan.coords[2][row / nb],
                scratch,
            );
        }
        let a = plan.coords[0][p % na];
        let loss = evaluate_point::<A, L, FMA>(lanes, net, a as f32, scratch, |i, f| {
            job.channels[i][local] = f;
        });
        job.channels[net.k][local] = loss;
    }
}

/// Row-constant parts: the first layer's z0 + b·zv + c·zw and θ₀ + b·v + c·w, in f64.
fn prepare_row(net: &CpuNet, plan: &GridPlan, b: f64, c: f64, scratch: &mut Scratch) {
    for i in 0..net.k {
        for r in 0..net.h1 {
            let [z0, _, zv, zw] = plan.first_layer[i * net.h1 + r];
            scratch.row_base[r * net.k_pad + i] = (z0 + b * zv + c * zw) as f32;
        }
    }
    for (j, t) in scratch.row_theta.iter_mut().enumerate() {
        *t = (net.theta0[j] + b * net.v[j] + c * net.w[j]) as f32;
    }
}

/// Evaluates f(x_i; θ(a, ·)) for every input, calling `store(i, f_i)`, and returns the loss.
#[inline(always)]
fn evaluate_point<A: ActivationF32, L: Lanes, const FMA: bool>(
    lanes: L,
    net: &CpuNet,
    a: f32,
    scratch: &mut Scratch,
    mut store: impl FnMut(usize, f32),
) -> f32 {
    for ((w, &t), &u) in scratch
        .weights
        .iter_mut()
        .zip(&scratch.row_theta)
        .zip(&net.u)
    {
        *w = madd::<FMA>(a, u, t);
    }
    let linear = net.dense.is_empty();
    let mut loss = 0.0f32;
    let mut start = 0;
    while start < net.k {
        let block = INPUT_BLOCK.min(net.k_pad - start);
        // First layer: z₁ = (z0 + b·zv + c·zw) + a·zu, affine in a.
        for r in 0..net.h1 {
            let base = &scratch.row_base[r * net.k_pad + start..][..block];
            let zu = &net.zu[r * net.k_pad + start..][..block];
            let out = &mut scratch.h_in[r * block..][..block];
            if linear {
                first_layer::<Identity, FMA>(base, zu, a, out);
            } else {
                first_layer::<A, FMA>(base, zu, a, out);
            }
        }
        let last = net.dense.len().saturating_sub(1);
        for (l, d) in net.dense.iter().enumerate() {
            let w = &scratch.weights[d.weights..d.weights + d.fan_in * d.fan_out];
            let bias = d.bias.map(|b| &scratch.weights[b..b + d.fan_out]);
            if l == last {
                dense::<Identity, L, FMA>(
                    lanes,
                    w,
                    bias,
                    d,
                    &scratch.h_in,
                    &mut scratch.h_out,
                    block,
                );
            } else {
                dense::<A, L, FMA>(lanes, w, bias, d, &scratch.h_in, &mut scratch.h_out, block);
            }
            std::mem::swap(&mut scratch.h_in, &mut scratch.h_out);
        }
        let n = block.min(net.k - start);
        for (j, (&f, &y)) in scratch.h_in[..n]
            .iter()
            .zip(&net.targets[start..start + n])
            .enumerate()
        {
            store(start + j, f);
            loss += (f - y) * (f - y);
        }
        start += block;
    }
    loss / net.k as f32
}

#[inline(always)]
fn first_layer<A: ActivationF32, const FMA: bool>(
    base: &[f32],
    zu: &[f32],
    a: f32,
    out: &mut [f32],
) {
    for ((o, &z), &d) in out.iter_mut().zip(base).zip(zu) {
        *o = A::apply::<FMA>(madd::<FMA>(a, d, z));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::field::test_support::{ARCHITECTURES, Case, max_error};
    use crate::core::field::{MAX_FIELD_VALUES, SliceGrid};

    /// f32 field values agree with the f64 reference to this, relative to 1 + |value|.
    const TOLERANCE: f64 = 1e-5;

    #[test]
    fn cpu_field_matches_f64_forward_for_every_activation_and_depth() {
        for (n, layers) in ARCHITECTURES.iter().enumerate() {
            for act in Activation::ALL {
                for bias in [true, false] {
                    let case = Case::new(layers, act, bias, 11, &[7, 5], n as u64);
                    let req = case.as_request();
                    let reference = case.reference();
                    let field = CpuFieldEvaluator.evaluate(&req).unwrap();
                    assert_eq!(field.values.len(), 12 * 35);
                    let err = max_error(&field.values, &reference);
                    assert!(
                        err < TOLERANCE,
                        "{layers:?} {act} bias={bias}: error {err:.2e}"
                    );
                    for layout in [Layout::Inputs, Layout::Points] {
                        let err = max_error(&evaluate_in(&req, layout, false), &reference);
                        assert!(
                            err < TOLERANCE,
                            "{layers:?} {act} bias={bias} {layout:?}: error {err:.2e}"
                        );
                    }
                }
            }
        }
    }

    /// A 3D grid, more inputs than one CPU input block, and enough work for the threads.
    #[test]
    fn cpu_field_matches_f64_forward_on_3d_grid_with_many_inputs() {
        let case = Case::new(&[2, 9, 6, 1], Activation::Gelu, true, 300, &[6, 4, 5], 3);
        let req = case.as_request();
        let reference = case.reference();
        let field = CpuFieldEvaluator.evaluate(&req).unwrap();
        assert_eq!(field.shape, vec![6, 4, 5]);
        let err = max_error(&field.values, &reference);
        assert!(err < TOLERANCE, "error {err:.2e}");
        for layout in [Layout::Inputs, Layout::Points] {
            let err = max_error(&evaluate_in(&req, layout, false), &reference);
            assert!(err < TOLERANCE, "{layout:?}: error {err:.2e}");
        }
    }

    /// Grid point j of n sits at lo + (hi − lo)·j/(n − 1): the corners are θ₀ + lo·u + …
    /// and θ₀ + hi·u + …, checked against the f64 forward at exactly those θ.
    #[test]
    fn grid_corners_sit_at_range_ends() {
        let case = Case::new(&[2, 4, 1], Activation::Tanh, true, 3, &[9, 6, 4], 5);
        let field = CpuFieldEvaluator.evaluate(&case.as_request()).unwrap();
        let corner = |t: usize| -> Vec<f64> {
            let mut theta = case.grid.theta0.clone();
            for (axis, range) in case.grid.ranges.iter().enumerate() {
                for (p, d) in theta.iter_mut().zip(&case.grid.axes[axis]) {
                    *p += range[t] * d;
                }
            }
            theta
        };
        for (t, index) in [(0, [0, 0, 0]), (1, [8, 5, 3])] {
            let theta = corner(t);
            for (i, x) in case.data.inputs.iter().enumerate() {
                let f = case.spec.forward(&theta, x);
                let got = field.at(i, index[0], index[1], index[2]);
                assert!(
                    (f64::from(got) - f).abs() < 1e-5,
                    "corner {t}, input {i}: {got} vs {f}"
                );
            }
        }
    }

    #[test]
    fn absurd_grids_and_bad_shapes_are_errors() {
        let case = Case::new(&[2, 3, 1], Activation::Relu, true, 4, &[2, 2], 0);
        let with = |change: &dyn Fn(&mut SliceGrid)| {
            let mut grid = case.grid.clone();
            change(&mut grid);
            CpuFieldEvaluator.evaluate(&FieldRequest {
                grid: &grid,
                ..case.as_request()
            })
        };
        let err = with(&|g| g.shape = vec![1 << 14, 1 << 14]).unwrap_err();
        assert!(
            matches!(
                err,
                FieldError::GridTooLarge {
                    limit: MAX_FIELD_VALUES,
                    ..
                }
            ),
            "{err}"
        );
        let err = with(&|g| {
            g.shape = vec![usize::MAX, usize::MAX, 3];
            g.ranges = vec![[0.0, 1.0]; 3];
            g.axes.push(g.axes[0].clone());
        })
        .unwrap_err();
        assert!(matches!(err, FieldError::GridTooLarge { .. }), "{err}");
        let bad_grids: [&dyn Fn(&mut SliceGrid); 4] = [
            &|g| g.shape = vec![3, 0],
            &|g| g.shape = vec![3],
            &|g| {
                g.theta0.remove(0);
            },
            &|g| g.ranges = vec![[0.0, f64::NAN], [0.0, 1.0]],
        ];
        for change in bad_grids {
            let err = with(change).unwrap_err();
            assert!(matches!(err, FieldError::Invalid(_)), "{err}");
        }
    }

    /// Throughput of the bench's 2D workload on one thread and on all (`--ignored`).
    #[test]
    #[ignore = "timing, not a check"]
    fn time_cpu_field_2d() {
        let case = Case::new(&[2, 16, 16, 1], Activation::Tanh, true, 64, &[256, 256], 1);
        let req = case.as_request();
        let plan = req.plan().unwrap();
        let net = CpuNet::new(&req, &plan);
        let mut values = vec![0.0f32; 65 * plan.n_points];
        let flops = 608.0 * 64.0 * plan.n_points as f64;
        for threads in [1, worker_threads()] {
            let start = std::time::Instant::now();
            let mut n = 0;
            while start.elapsed().as_secs_f64() < 2.0 {
                if threads == 1 {
                    let job = Job {
                        first_point: 0,
                        channels: values.chunks_mut(plan.n_points).collect(),
                    };
                    run_job::<Tanh>(&net, &plan, job, &mut Scratch::new(&net));
                } else {
                    run::<Tanh>(&net, &plan, &mut values);
                }
                n += 1;
            }
            let secs = start.elapsed().as_secs_f64() / f64::from(n);
            eprintln!(
                "{threads} threads: {:.1} ms, {:.1} GFLOP/s",
                secs * 1e3,
                flops / secs / 1e9
            );
        }
    }

    /// The baseline path (no AVX2/FMA), which this machine's dispatch may not take.
    #[test]
    fn portable_lanes_match_f64_forward() {
        fn check<A: ActivationF32>(act: Activation) {
            let case = Case::new(&[2, 9, 6, 1], act, true, 21, &[5, 4], 8);
            let req = case.as_request();
            let plan = req.plan().unwrap();
            let net = CpuNet::new(&req, &plan);
            let mut values = vec![0.0f32; 22 * plan.n_points];
            let job = Job {
                first_point: 0,
                channels: values.chunks_mut(plan.n_points).collect(),
            };
            run_job_with::<A, _, false>(Portable, &net, &plan, job, &mut Scratch::new(&net));
            let err = max_error(&values, &case.reference());
            assert!(err < TOLERANCE, "{act}: error {err:.2e}");
        }
        check::<Tanh>(Activation::Tanh);
        check::<Gelu>(Activation::Gelu);
        check::<Softplus>(Activation::Softplus);
    }

    /// Few inputs (the points-on-lanes layout) on 3D grids with rows of 13 points, a full
    /// group of 8 and one with 3 padding lanes, for every activation × depth × bias.
    #[test]
    fn few_inputs_match_f64_forward_on_3d_grids() {
        for (n, layers) in ARCHITECTURES.iter().enumerate() {
            for act in Activation::ALL {
                for bias in [true, false] {
                    for k in [1, 3, 4, 7] {
                        let seed = (10 * k + n) as u64;
                        let case = Case::new(layers, act, bias, k, &[13, 3, 2], seed);
                        let req = case.as_request();
                        let net = CpuNet::new(&req, &req.plan().unwrap());
                        assert_eq!(net.layout, Layout::Points);
                        let field = CpuFieldEvaluator.evaluate(&req).unwrap();
                        let err = max_error(&field.values, &case.reference());
                        assert!(
                            err < TOLERANCE,
                            "{layers:?} {act} bias={bias} k={k}: error {err:.2e}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn points_on_lanes_unless_rows_are_much_too_short() {
        for (k, row, layout) in [
            (4, 128, Layout::Points),
            (64, 512, Layout::Points),
            (7, 13, Layout::Points),
            (1, 1, Layout::Points),
            (64, 6, Layout::Points),
            (64, 5, Layout::Inputs),
            (8, 1, Layout::Inputs),
            (21, 5, Layout::Inputs),
        ] {
            assert_eq!(Layout::choose(k, row), layout, "k = {k}, rows of {row}");
        }
    }

    /// Few inputs with enough work for the threads, so jobs start and end mid-row.
    #[test]
    fn few_inputs_match_f64_forward_on_threads() {
        let case = Case::new(&[2, 9, 6, 1], Activation::Gelu, true, 4, &[37, 6, 5], 4);
        let req = case.as_request();
        let plan = req.plan().unwrap();
        let net = CpuNet::new(&req, &plan);
        assert_eq!(net.layout, Layout::Points);
        assert!(plan.n_points * 4 * (9 + 9 * 6 + 6) >= SERIAL_WORK);
        let field = CpuFieldEvaluator.evaluate(&req).unwrap();
        let err = max_error(&field.values, &case.reference());
        assert!(err < TOLERANCE, "error {err:.2e}");
    }

    /// `req` evaluated in `layout`: on worker threads with the dispatched lanes, or in a
    /// single job on the portable lanes.
    fn evaluate_in(req: &FieldRequest, layout: Layout, portable: bool) -> Vec<f32> {
        fn single_job<A: ActivationF32>(net: &CpuNet, plan: &GridPlan, values: &mut [f32]) {
            let job = Job {
                first_point: 0,
                channels: values.chunks_mut(plan.n_points).collect(),
            };
            run_job_with::<A, _, false>(Portable, net, plan, job, &mut Scratch::new(net));
        }
        let plan = req.plan().unwrap();
        let mut net = CpuNet::new(req, &plan);
        net.layout = layout;
        let mut values = vec![0.0f32; (plan.n_inputs + 1) * plan.n_points];
        if !portable {
            run_activation(req.spec.activation, &net, &plan, &mut values);
            return values;
        }
        let run_portable = match req.spec.activation {
            Activation::Identity => single_job::<Identity>,
            Activation::Relu => single_job::<Relu>,
            Activation::LeakyRelu => single_job::<LeakyRelu>,
            Activation::Tanh => single_job::<Tanh>,
            Activation::Sigmoid => single_job::<Sigmoid>,
            Activation::Gelu => single_job::<Gelu>,
            Activation::Softplus => single_job::<Softplus>,
        };
        run_portable(&net, &plan, &mut values);
        values
    }

    /// Both layouts, on both kinds of lanes, for the same requests (input counts on both
    /// sides of the switch): each matches the reference, and the two layouts agree exactly,
    /// since they do the same f32 operations in the same order.
    #[test]
    fn both_layouts_match_f64_forward_and_each_other() {
        for layers in [&[2, 6, 3, 1][..], &[3, 7, 5, 9, 1]] {
            for act in Activation::ALL {
                for k in [1, 2, 5, 8, 11] {
                    let case = Case::new(layers, act, true, k, &[19, 4, 3], k as u64);
                    let req = case.as_request();
                    let reference = case.reference();
                    for portable in [false, true] {
                        let inputs = evaluate_in(&req, Layout::Inputs, portable);
                        let points = evaluate_in(&req, Layout::Points, portable);
                        for (name, values) in [("inputs", &inputs), ("points", &points)] {
                            let err = max_error(values, &reference);
                            assert!(
                                err < TOLERANCE,
                                "{layers:?} {act} k={k} {name} portable={portable}: {err:.2e}"
                            );
                        }
                        assert!(
                            inputs == points,
                            "{layers:?} {act} k={k} portable={portable}: layouts differ"
                        );
                    }
                }
            }
        }
    }

    /// Throughput of the bench's 3D workload (128³ points, 4 inputs), of fewer and more
    /// inputs, and of the bench's 2D workload (512² points, 64 inputs), in both layouts,
    /// on all threads (`--ignored`).
    #[test]
    #[ignore = "timing, not a check"]
    fn time_cpu_field_layouts() {
        let workloads: [(usize, &[usize]); 6] = [
            (1, &[128; 3]),
            (4, &[128; 3]),
            (7, &[128; 3]),
            (8, &[128; 3]),
            (16, &[128; 3]),
            (64, &[512; 2]),
        ];
        for (k, shape) in workloads {
            let case = Case::new(&[2, 16, 16, 1], Activation::Tanh, true, k, shape, 1);
            let req = case.as_request();
            let flops = 608.0 * k as f64 * req.plan().unwrap().n_points as f64;
            for layout in [Layout::Inputs, Layout::Points] {
                evaluate_in(&req, layout, false);
                let start = std::time::Instant::now();
                let mut n = 0;
                while n < 2 || start.elapsed().as_secs_f64() < 2.0 {
                    evaluate_in(&req, layout, false);
                    n += 1;
                }
                let secs = start.elapsed().as_secs_f64() / f64::from(n);
                eprintln!(
                    "{shape:?} x {k}, {layout:?}: {:.1} ms, {:.1} GFLOP/s",
                    secs * 1e3,
                    flops / secs / 1e9
                );
            }
        }
    }

    /// A single grid point and a single input (n = 1 sits at lo).
    #[test]
    fn single_point_grid_sits_at_lo() {
        let case = Case::new(&[2, 3, 1], Activation::Softplus, false, 1, &[1, 1], 9);
        let field = CpuFieldEvaluator.evaluate(&case.as_request()).unwrap();
        let err = max_error(&field.values, &case.reference());
        assert!(err < TOLERANCE, "error {err:.2e}");
    }
}
