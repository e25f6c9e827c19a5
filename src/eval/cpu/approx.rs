//! f32 approximations of the hidden activations for the CPU field path.
//!
//! They use only arithmetic, comparisons that lower to selects, and bit casts, so loops
//! over them auto-vectorize. `shaders/field.wgsl` uses the same formulas, so the two
//! paths agree closely. Each is accurate to a few f32 ulps (see the tests for the bounds).
//!
//! `FMA` chooses fused multiply-adds (for code compiled with the `fma` target feature)
//! or a separate multiply and add (elsewhere, where `mul_add` would be a library call).

// `inline(always)` is load-bearing here: these functions must be inlined into the
// target-feature context of `cpu_field`'s dispatch to be compiled for AVX2 and FMA.
#![allow(clippy::inline_always)]

/// a·b + c, fused when `FMA`.
#[inline(always)]
pub fn madd<const FMA: bool>(a: f32, b: f32, c: f32) -> f32 {
    if FMA { a.mul_add(b, c) } else { a * b + c }
}

/// One hidden activation as an f32 function the compiler can inline into vector loops.
pub trait ActivationF32 {
    fn apply<const FMA: bool>(z: f32) -> f32;
}

pub struct Identity;
pub struct Relu;
pub struct LeakyRelu;
pub struct Tanh;
pub struct Sigmoid;
pub struct Gelu;
pub struct Softplus;

impl ActivationF32 for Identity {
    #[inline(always)]
    fn apply<const FMA: bool>(z: f32) -> f32 {
        z
    }
}

impl ActivationF32 for Relu {
    #[inline(always)]
    fn apply<const FMA: bool>(z: f32) -> f32 {
        if z > 0.0 { z } else { 0.0 }
    }
}

impl ActivationF32 for LeakyRelu {
    #[inline(always)]
    fn apply<const FMA: bool>(z: f32) -> f32 {
        if z > 0.0 {
            z
        } else {
            crate::core::activation::LEAKY_RELU_SLOPE as f32 * z
        }
    }
}

impl ActivationF32 for Tanh {
    #[inline(always)]
    fn apply<const FMA: bool>(z: f32) -> f32 {
        tanh_f32::<FMA>(z)
    }
}

impl ActivationF32 for Sigmoid {
    #[inline(always)]
    fn apply<const FMA: bool>(z: f32) -> f32 {
        1.0 / (1.0 + exp_f32::<FMA>(-z))
    }
}

impl ActivationF32 for Gelu {
    #[inline(always)]
    fn apply<const FMA: bool>(z: f32) -> f32 {
        z * normal_cdf_f32::<FMA>(z)
    }
}

impl ActivationF32 for Softplus {
    #[inline(always)]
    fn apply<const FMA: bool>(z: f32) -> f32 {
        let relu = if z > 0.0 { z } else { 0.0 };
        relu + ln_1p_unit_f32::<FMA>(exp_f32::<FMA>(-z.abs()))
    }
}

#[inline(always)]
fn clamp(x: f32, lo: f32, hi: f32) -> f32 {
    let x = if x < lo { lo } else { x };
    if x > hi { hi } else { x }
}

/// tanh(x) as the odd rational x·P(x²)/Q(x²) of degrees 13/6 (Eigen's `ptanh_float`),
/// with x clamped where tanh rounds to ±1 in f32.
#[inline(always)]
pub fn tanh_f32<const FMA: bool>(x: f32) -> f32 {
    let x = clamp(x, -7.905_311, 7.905_311);
    let x2 = x * x;
    let mut p = -2.760_768_5e-16_f32;
    p = madd::<FMA>(p, x2, 2.000_188e-13);
    p = madd::<FMA>(p, x2, -8.604_672e-11);
    p = madd::<FMA>(p, x2, 5.122_297e-8);
    p = madd::<FMA>(p, x2, 1.485_722_4e-5);
    p = madd::<FMA>(p, x2, 6.372_619_3e-4);
    p = madd::<FMA>(p, x2, 4.893_524_6e-3);
    let mut q = 1.198_258_4e-6_f32;
    q = madd::<FMA>(q, x2, 1.185_347_1e-4);
    q = madd::<FMA>(q, x2, 2.268_434_7e-3);
    q = madd::<FMA>(q, x2, 4.893_525e-3);
    x * p / q
}

/// eˣ (Cephes `expf`): x = n·ln 2 + r with |r| ≤ ½ ln 2, a degree-7 polynomial for e^r,
/// and 2ⁿ built from its bits. x is clamped to [−87, 88] (the normal f32 range).
#[inline(always)]
pub fn exp_f32<const FMA: bool>(x: f32) -> f32 {
    const ROUND: f32 = 12_582_912.0; // 1.5·2²³: adding it rounds to an integer in the low mantissa bits
    let x = clamp(x, -87.0, 88.0);
    let t = madd::<FMA>(x, std::f32::consts::LOG2_E, ROUND);
    let n = t - ROUND;
    let n_int = t.to_bits() as i32 - ROUND.to_bits() as i32;
    let r = madd::<FMA>(n, 2.121_944_4e-4, madd::<FMA>(n, -0.693_359_4, x));
    let mut p = 1.987_569_1e-4_f32;
    p = madd::<FMA>(p, r, 1.398_199_9e-3);
    p = madd::<FMA>(p, r, 8.333_452e-3);
    p = madd::<FMA>(p, r, 4.166_579_6e-2);
    p = madd::<FMA>(p, r, 1.666_666_5e-1);
    p = madd::<FMA>(p, r, 0.5);
    let y = madd::<FMA>(p, r * r, r) + 1.0;
    y * f32::from_bits(((n_int + 127) as u32) << 23)
}

/// ln(1 + y) for y ∈ [0, 1], as 2·atanh(s) = 2s(1 + s²/3 + s⁴/5 + …) with s = y/(2 + y) ≤ ⅓
/// (the series is cut after s¹⁵/15, a relative error below 2·10⁻⁹).
#[inline(always)]
pub fn ln_1p_unit_f32<const FMA: bool>(y: f32) -> f32 {
    let s = y / (2.0 + y);
    let s2 = s * s;
    let mut p = 1.0 / 15.0_f32;
    p = madd::<FMA>(p, s2, 1.0 / 13.0);
    p = madd::<FMA>(p, s2, 1.0 / 11.0);
    p = madd::<FMA>(p, s2, 1.0 / 9.0);
    p = madd::<FMA>(p, s2, 1.0 / 7.0);
    p = madd::<FMA>(p, s2, 1.0 / 5.0);
    p = madd::<FMA>(p, s2, 1.0 / 3.0);
    p = madd::<FMA>(p, s2, 1.0);
    2.0 * s * p
}

/// Φ(x) = ½ erfc(−x/√2), with erfc(z) for z ≥ 0 from the Chebyshev fit of Numerical
/// Recipes (`erfcc`, relative error below 1.2·10⁻⁷) and Φ(x) = 1 − ½ erfc(x/√2) for x ≥ 0.
#[inline(always)]
pub fn normal_cdf_f32<const FMA: bool>(x: f32) -> f32 {
    let z = x.abs() * std::f32::consts::FRAC_1_SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * z);
    let mut p = 0.170_872_77_f32;
    p = madd::<FMA>(p, t, -0.822_152_23);
    p = madd::<FMA>(p, t, 1.488_515_9);
    p = madd::<FMA>(p, t, -1.135_204);
    p = madd::<FMA>(p, t, 0.278_868_07);
    p = madd::<FMA>(p, t, -0.186_288_06);
    p = madd::<FMA>(p, t, 0.096_784_18);
    p = madd::<FMA>(p, t, 0.374_091_96);
    p = madd::<FMA>(p, t, 1.000_023_7);
    p = madd::<FMA>(p, t, -1.265_512_2);
    let half_erfc = 0.5 * t * exp_f32::<FMA>(madd::<FMA>(-z, z, p));
    if x >= 0.0 { 1.0 - half_erfc } else { half_erfc }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::Activation;

    fn f32_of<const FMA: bool>(act: Activation) -> fn(f32) -> f32 {
        match act {
            Activation::Identity => Identity::apply::<FMA>,
            Activation::Relu => Relu::apply::<FMA>,
            Activation::LeakyRelu => LeakyRelu::apply::<FMA>,
            Activation::Tanh => Tanh::apply::<FMA>,
            Activation::Sigmoid => Sigmoid::apply::<FMA>,
            Activation::Gelu => Gelu::apply::<FMA>,
            Activation::Softplus => Softplus::apply::<FMA>,
        }
    }

    /// Every approximation, fused or not, is within 5·10⁻⁷·max(1, |σ(z)|) of the f64
    /// definition on z ∈ [−30, 30] (both evaluated at the same f32 z).
    #[test]
    fn activations_match_f64_definitions_to_f32_accuracy() {
        for act in Activation::ALL {
            for (fused, f) in [(false, f32_of::<false>(act)), (true, f32_of::<true>(act))] {
                let mut worst = (0.0f64, 0.0f32);
                for j in 0..=600_000 {
                    let z = -30.0 + 60.0 * j as f32 / 600_000.0;
                    let exact = act.value(f64::from(z));
                    let err = (f64::from(f(z)) - exact).abs() / exact.abs().max(1.0);
                    if err > worst.0 {
                        worst = (err, z);
                    }
                }
                assert!(
                    worst.0 < 5e-7,
                    "{act} (fused {fused}): error {:.3e} at z = {}",
                    worst.0,
                    worst.1
                );
            }
        }
    }

    #[test]
    fn exp_and_ln_1p_are_accurate_over_their_ranges() {
        let (mut exp_worst, mut ln_worst) = (0.0f64, 0.0f64);
        for j in 0..=200_000 {
            let x = -87.0 + 175.0 * j as f32 / 200_000.0;
            let exact = f64::from(x).exp();
            for approx in [exp_f32::<false>(x), exp_f32::<true>(x)] {
                exp_worst = exp_worst.max((f64::from(approx) - exact).abs() / exact);
            }
            let y = j as f32 / 200_000.0;
            let exact = f64::from(y).ln_1p();
            if y > 0.0 {
                for approx in [ln_1p_unit_f32::<false>(y), ln_1p_unit_f32::<true>(y)] {
                    ln_worst = ln_worst.max((f64::from(approx) - exact).abs() / exact);
                }
            }
        }
        assert!(exp_worst < 2.5e-7, "exp: relative error {exp_worst:.2e}");
        assert!(ln_worst < 3e-7, "ln_1p: relative error {ln_worst:.2e}");
    }
}
