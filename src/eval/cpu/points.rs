//! The second layout of the CPU field path: eight grid points on the SIMD lanes instead of
//! eight inputs ([`super::Layout`] says when).
//!
//! With k < 8 inputs, inputs on lanes leave much of every vector as padding. Here the
//! lanes are 8 consecutive points of one row (same b and c, only a differs), so per lane
//! the weights are W_l = R + a_l·U with R = θ₀ + b·v + c·w the row base. They are built
//! once per group, one fused multiply-add per weight, into a buffer interleaved by lane
//! ([weight][lane]); then every input runs through the layers with activations held as
//! [unit][lane] vectors, each weight operand a vector load from that buffer. A row whose
//! length is not a multiple of 8 ends in a group whose spare lanes repeat its last point;
//! their results are dropped.
//!
//! The arithmetic is the inputs-on-lanes path's, operation for operation, so both layouts
//! give the same f32 values.

// `inline(always)` is load-bearing here: everything must be inlined into pulp's
// target-feature function to be compiled for AVX2 and FMA.
#![allow(clippy::inline_always)]

use super::approx::{ActivationF32, Identity};
use super::dense::{Dense, Lanes};
use super::{CpuNet, Job, Scratch, prepare_row};
use crate::core::field::GridPlan;

/// Grid points per group: one SIMD vector.
pub(super) const POINTS: usize = 8;
/// Inputs run through the layers together (fewer for the last ones), so that each loaded
/// weight vector feeds several multiply-adds.
pub(super) const INPUT_TILE: usize = 4;

/// One vector of 8 lanes in memory.
type Lane8 = [f32; POINTS];

/// Per-thread buffers of this layout.
pub(super) struct PointScratch {
    /// The group's weights of layers 2..L, weight j of lane l at [j][l].
    weights: Vec<Lane8>,
    /// Activations [input of the tile][unit] of 8 lanes, ping-ponged between layers.
    h_in: Vec<Lane8>,
    h_out: Vec<Lane8>,
}

impl PointScratch {
    pub(super) fn new(net: &CpuNet) -> Self {
        Self {
            weights: vec![[0.0; POINTS]; net.theta0.len()],
            h_in: vec![[0.0; POINTS]; INPUT_TILE * net.max_width],
            h_out: vec![[0.0; POINTS]; INPUT_TILE * net.max_width],
        }
    }
}

/// Evaluates a job in groups of up to 8 points of one row.
#[inline(always)]
pub(super) fn run_job_points<A: ActivationF32, L: Lanes, const FMA: bool>(
    lanes: L,
    net: &CpuNet,
    plan: &GridPlan,
    job: &mut Job,
    scratch: &mut Scratch,
) {
    let [na, nb, _] = plan.shape3;
    let len = job.channels[0].len();
    let mut current_row = usize::MAX;
    let mut local = 0;
    while local < len {
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
        let ia = p % na;
        let n = POINTS.min(na - ia).min(len - local);
        let a: Lane8 = std::array::from_fn(|l| plan.coords[0][ia + l.min(n - 1)] as f32);
        let loss = evaluate_group::<A, L, FMA>(lanes, net, a, scratch, |i, f| {
            job.channels[i][local..local + n].copy_from_slice(&f[..n]);
        });
        job.channels[net.k][local..local + n].copy_from_slice(&loss[..n]);
        local += n;
    }
}

/// Evaluates f(x_i; θ(a_l, ·)) on the 8 lanes for every input, calling `store(i, f_i)`,
/// and returns the lanes' losses.
#[inline(always)]
fn evaluate_group<A: ActivationF32, L: Lanes, const FMA: bool>(
    lanes: L,
    net: &CpuNet,
    a: Lane8,
    scratch: &mut Scratch,
    mut store: impl FnMut(usize, Lane8),
) -> Lane8 {
    let a8 = lanes.load8(&a);
    for ((w, &t), &u) in scratch
        .points
        .weights
        .iter_mut()
        .zip(&scratch.row_theta)
        .zip(&net.u)
    {
        *w = lanes.to_array(lanes.madd(a8, lanes.splat(u), lanes.splat(t)));
    }
    let mut loss = [0.0f32; POINTS];
    let mut i = 0;
    while i < net.k {
        let tile = match net.k - i {
            n if n >= 4 => {
                input_tile::<A, L, FMA, 4, 2>(lanes, net, a8, i, scratch);
                4
            }
            n if n >= 2 => {
                input_tile::<A, L, FMA, 2, 4>(lanes, net, a8, i, scratch);
                2
            }
            _ => {
                input_tile::<A, L, FMA, 1, 8>(lanes, net, a8, i, scratch);
                1
            }
        };
        for s in 0..tile {
            let f = scratch.points.h_in[s * net.max_width];
            let y = net.targets[i + s];
            for (loss, &f) in loss.iter_mut().zip(&f) {
                *loss += (f - y) * (f - y);
            }
            store(i + s, f);
        }
        i += tile;
    }
    for l in &mut loss {
        *l /= net.k as f32;
    }
    loss
}

/// σ on every lane. A plain loop, not `array::map`: that is not always inlined, and out of
/// line it would be compiled without FMA (where `mul_add` is a library call).
#[inline(always)]
fn activate<A: ActivationF32, const FMA: bool>(v: &mut Lane8) {
    for x in v {
        *x = A::apply::<FMA>(*x);
    }
}

/// Runs inputs i0..i0 + NI through every layer; the outputs end in `h_in[s·max_width]`.
/// ROWS output units at a time keep NI·ROWS = 8 accumulators in registers.
#[inline(always)]
fn input_tile<A: ActivationF32, L: Lanes, const FMA: bool, const NI: usize, const ROWS: usize>(
    lanes: L,
    net: &CpuNet,
    a8: L::V,
    i0: usize,
    scratch: &mut Scratch,
) {
    let stride = net.max_width;
    let ps = &mut scratch.points;
    // First layer: z₁ = (z0 + b·zv + c·zw) + a·zu, affine in a.
    for s in 0..NI {
        let i = i0 + s;
        let out = &mut ps.h_in[s * stride..s * stride + net.h1];
        for (r, out) in out.iter_mut().enumerate() {
            let z = lanes.madd(
                a8,
                lanes.splat(net.zu[r * net.k_pad + i]),
                lanes.splat(scratch.row_base[r * net.k_pad + i]),
            );
            *out = lanes.to_array(z);
            if !net.dense.is_empty() {
                activate::<A, FMA>(out);
            }
        }
    }
    let last = net.dense.len().saturating_sub(1);
    for (l, d) in net.dense.iter().enumerate() {
        let w = &ps.weights[d.weights..d.weights + d.fan_in * d.fan_out];
        let bias = d.bias.map(|b| &ps.weights[b..b + d.fan_out]);
        let (h_in, h_out) = (&ps.h_in[..], &mut ps.h_out[..]);
        let mut r = 0;
        while r + ROWS <= d.fan_out {
            if l == last {
                layer_tile::<Identity, L, FMA, NI, ROWS>(lanes, w, bias, d, h_in, h_out, stride, r);
            } else {
                layer_tile::<A, L, FMA, NI, ROWS>(lanes, w, bias, d, h_in, h_out, stride, r);
            }
            r += ROWS;
        }
        while r < d.fan_out {
            if l == last {
                layer_tile::<Identity, L, FMA, NI, 1>(lanes, w, bias, d, h_in, h_out, stride, r);
            } else {
                layer_tile::<A, L, FMA, NI, 1>(lanes, w, bias, d, h_in, h_out, stride, r);
            }
            r += 1;
        }
        std::mem::swap(&mut ps.h_in, &mut ps.h_out);
    }
}

/// Output units r..r + ROWS of NI inputs, on 8 points each: h_out = σ(W·h_in + b) with
/// a weight vector per (unit, fan-in) pair.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn layer_tile<A: ActivationF32, L: Lanes, const FMA: bool, const NI: usize, const ROWS: usize>(
    lanes: L,
    w: &[Lane8],
    bias: Option<&[Lane8]>,
    d: &Dense,
    h_in: &[Lane8],
    h_out: &mut [Lane8],
    stride: usize,
    r: usize,
) {
    let n = d.fan_in;
    let rows: [&[Lane8]; ROWS] = std::array::from_fn(|t| &w[(r + t) * n..(r + t + 1) * n]);
    let inputs: [&[Lane8]; NI] = std::array::from_fn(|s| &h_in[s * stride..s * stride + n]);
    let mut acc: [[L::V; NI]; ROWS] =
        std::array::from_fn(|t| [bias.map_or(lanes.splat(0.0), |b| lanes.load8(&b[r + t])); NI]);
    for c in 0..n {
        let h: [L::V; NI] = std::array::from_fn(|s| lanes.load8(&inputs[s][c]));
        for (acc, row) in acc.iter_mut().zip(&rows) {
            let wc = lanes.load8(&row[c]);
            for (acc, &h) in acc.iter_mut().zip(&h) {
                *acc = lanes.madd(wc, h, *acc);
            }
        }
    }
    for (t, acc) in acc.iter().enumerate() {
        for (s, &z) in acc.iter().enumerate() {
            let out = &mut h_out[s * stride + r + t];
            *out = lanes.to_array(z);
            activate::<A, FMA>(out);
        }
    }
}
