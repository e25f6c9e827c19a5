//! The dense layers of the CPU field path: h_out = σ(W·h_in + b) for a block of inputs
//! held structure-of-arrays ([unit][input]), in register tiles of eight 8-lane vectors.
//!
//! [`Lanes`] is either AVX registers with fused multiply-adds (pulp's `V3`, chosen at run
//! time) or plain arrays for any CPU; the tiles are written once for both.

// `inline(always)` is load-bearing here: the kernel must be inlined into pulp's
// target-feature function to be compiled for AVX2 and FMA.
#![allow(clippy::inline_always)]

use super::approx::ActivationF32;

/// A dense layer after the first, with offsets into the packed per-point weights.
#[derive(Clone, Copy, Debug)]
pub(super) struct Dense {
    pub fan_in: usize,
    pub fan_out: usize,
    /// Offset of W[0, 0] in the packed weights.
    pub weights: usize,
    /// Offset of b[0], if biases are on.
    pub bias: Option<usize>,
}

/// Eight f32 lanes: AVX registers with fused multiply-adds, or plain arrays.
pub(super) trait Lanes: Copy {
    type V: Copy;
    fn splat(self, x: f32) -> Self::V;
    /// Loads 8 consecutive values.
    fn load(self, s: &[f32]) -> Self::V;
    /// Loads one vector held as an array.
    fn load8(self, s: &[f32; 8]) -> Self::V;
    /// a·b + c.
    fn madd(self, a: Self::V, b: Self::V, c: Self::V) -> Self::V;
    fn to_array(self, v: Self::V) -> [f32; 8];
}

#[cfg(target_arch = "x86_64")]
impl Lanes for pulp::x86::V3 {
    type V = pulp::f32x8;

    #[inline(always)]
    fn splat(self, x: f32) -> Self::V {
        self.splat_f32x8(x)
    }

    #[inline(always)]
    fn load(self, s: &[f32]) -> Self::V {
        pulp::cast::<[f32; 8], _>(s.try_into().expect("8 lanes"))
    }

    #[inline(always)]
    fn load8(self, s: &[f32; 8]) -> Self::V {
        pulp::cast(*s)
    }

    #[inline(always)]
    fn madd(self, a: Self::V, b: Self::V, c: Self::V) -> Self::V {
        self.mul_add_f32x8(a, b, c)
    }

    #[inline(always)]
    fn to_array(self, v: Self::V) -> [f32; 8] {
        pulp::cast(v)
    }
}

/// Lanes for any CPU: arrays the compiler vectorizes as well as it can.
#[derive(Clone, Copy)]
pub(super) struct Portable;

impl Lanes for Portable {
    type V = [f32; 8];

    #[inline(always)]
    fn splat(self, x: f32) -> Self::V {
        [x; 8]
    }

    #[inline(always)]
    fn load(self, s: &[f32]) -> Self::V {
        s.try_into().expect("8 lanes")
    }

    #[inline(always)]
    fn load8(self, s: &[f32; 8]) -> Self::V {
        *s
    }

    #[inline(always)]
    fn madd(self, a: Self::V, b: Self::V, c: Self::V) -> Self::V {
        std::array::from_fn(|l| a[l] * b[l] + c[l])
    }

    #[inline(always)]
    fn to_array(self, v: Self::V) -> [f32; 8] {
        v
    }
}

/// h_out[r] = σ(W[r]·h_in + b[r]) over a block of inputs ([unit][block] layout, block a
/// multiple of 8).
///
/// Tiles of ROWS units × V vectors of 8 inputs keep ROWS·V = 8 independent accumulator
/// vectors in registers, enough to hide the FMA latency.
#[inline(always)]
pub(super) fn dense<A: ActivationF32, L: Lanes, const FMA: bool>(
    lanes: L,
    w: &[f32],
    bias: Option<&[f32]>,
    d: &Dense,
    h_in: &[f32],
    h_out: &mut [f32],
    block: usize,
) {
    let mut j = 0;
    while j + 64 <= block {
        dense_tiles::<A, L, FMA, 1, 8>(lanes, w, bias, d, h_in, h_out, block, j);
        j += 64;
    }
    while j + 16 <= block {
        dense_tiles::<A, L, FMA, 4, 2>(lanes, w, bias, d, h_in, h_out, block, j);
        j += 16;
    }
    while j < block {
        dense_tiles::<A, L, FMA, 8, 1>(lanes, w, bias, d, h_in, h_out, block, j);
        j += 8;
    }
}

/// Every output unit for inputs j..j + 8V, ROWS units at a time (then one at a time).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn dense_tiles<A: ActivationF32, L: Lanes, const FMA: bool, const ROWS: usize, const V: usize>(
    lanes: L,
    w: &[f32],
    bias: Option<&[f32]>,
    d: &Dense,
    h_in: &[f32],
    h_out: &mut [f32],
    block: usize,
    j: usize,
) {
    let mut r = 0;
    while r + ROWS <= d.fan_out {
        dense_tile::<A, L, FMA, ROWS, V>(lanes, w, bias, d, h_in, h_out, block, j, r);
        r += ROWS;
    }
    while r < d.fan_out {
        dense_tile::<A, L, FMA, 1, V>(lanes, w, bias, d, h_in, h_out, block, j, r);
        r += 1;
    }
}

/// Output units r..r + ROWS for inputs j..j + 8V.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn dense_tile<A: ActivationF32, L: Lanes, const FMA: bool, const ROWS: usize, const V: usize>(
    lanes: L,
    w: &[f32],
    bias: Option<&[f32]>,
    d: &Dense,
    h_in: &[f32],
    h_out: &mut [f32],
    block: usize,
    j: usize,
    r: usize,
) {
    let rows: [&[f32]; ROWS] =
        std::array::from_fn(|t| &w[(r + t) * d.fan_in..(r + t + 1) * d.fan_in]);
    let mut acc: [[L::V; V]; ROWS] =
        std::array::from_fn(|t| [lanes.splat(bias.map_or(0.0, |b| b[r + t])); V]);
    for c in 0..d.fan_in {
        let h = &h_in[c * block + j..c * block + j + 8 * V];
        let h: [L::V; V] = std::array::from_fn(|v| lanes.load(&h[8 * v..8 * v + 8]));
        for (acc, row) in acc.iter_mut().zip(&rows) {
            let wc = lanes.splat(row[c]);
            for (acc, &h) in acc.iter_mut().zip(&h) {
                *acc = lanes.madd(wc, h, *acc);
            }
        }
    }
    for (t, acc) in acc.iter().enumerate() {
        let out = &mut h_out[(r + t) * block + j..(r + t) * block + j + 8 * V];
        for (out, &z) in out.chunks_exact_mut(8).zip(acc) {
            for (o, z) in out.iter_mut().zip(lanes.to_array(z)) {
                *o = A::apply::<FMA>(z);
            }
        }
    }
}
