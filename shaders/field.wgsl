// Evaluates slice fields (DESIGN.md §1 "Slices", §7): one invocation per grid point
// (a, b, c), looping over the k inputs. θ(a, b, c) = θ₀ + a·u + b·v + c·w is affine, so
// the first layer's pre-activation of input i is z0 + a·zu + b·zv + c·zw with the four
// terms precomputed per input (`first`), and the later layers build each weight once per
// block of IB inputs from the packed (θ₀, u, v, w) and apply it to all IB of them.
//
// Output layout (shared with slice_draw.wgsl and gpu::field::Field):
// out[channel * n_points + (ic * nb + ib) * na + ia]; channels 0..k are f(x_i; θ), channel
// k is the MSE loss (1/k) Σ (f_i − y_i)².
//
// The activation formulas match gpu::approx (the CPU reference path).

// Widest layer output the shader holds (the first layer's fan-in is not limited).
const MAX_WIDTH: u32 = 64u;
// Inputs per block: each weight, once built, is applied to IB inputs (two vec4 lanes).
const IB: u32 = 8u;
const NO_BIAS: u32 = 0xffffffffu;

// 0 identity, 1 relu, 2 leaky_relu, 3 tanh, 4 sigmoid, 5 gelu, 6 softplus.
override ACTIVATION: u32 = 3u;

struct Params {
    n_points: u32,       // na·nb·nc
    point_offset: u32,   // first grid point of this dispatch
    chunk_points: u32,   // grid points in this dispatch
    na: u32,
    nb: u32,
    nc: u32,
    n_inputs: u32,       // k
    n_layers: u32,       // affine layers, including the first
    h1: u32,             // width of the first layer
    inv_k: f32,          // 1/k
    _pad0: u32,
    _pad1: u32,
}

// Layers 2..L: fan_in, fan_out, offset of W[0, 0] in `theta`, offset of b[0] (or NO_BIAS).
struct Layer {
    fan_in: u32,
    fan_out: u32,
    weights: u32,
    bias: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// Grid coordinates: a for 0..na, then b for 0..nb, then c for 0..nc.
@group(0) @binding(1) var<storage, read> coords: array<f32>;
// First layer, input i, unit r at [i * h1 + r]: (z0, zu, zv, zw).
@group(0) @binding(2) var<storage, read> first: array<vec4<f32>>;
// Parameters of layers 2..L as (θ₀, u, v, w), packed from layer 2's W[0, 0].
@group(0) @binding(3) var<storage, read> theta: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> layers: array<Layer>;
@group(0) @binding(5) var<storage, read> targets: array<f32>;
@group(0) @binding(6) var<storage, read_write> out: array<f32>;

// The activations act on vec4s (four inputs at once) so each appears once in the code.

fn tanh_approx(x_in: vec4<f32>) -> vec4<f32> {
    // x·P(x²)/Q(x²), degrees 13/6 (Eigen's ptanh_float), clamped where tanh rounds to ±1.
    let x = clamp(x_in, vec4(-7.905311), vec4(7.905311));
    let x2 = x * x;
    var p = vec4(-2.7607685e-16);
    p = p * x2 + 2.000188e-13;
    p = p * x2 - 8.604672e-11;
    p = p * x2 + 5.122297e-8;
    p = p * x2 + 1.4857224e-5;
    p = p * x2 + 6.3726193e-4;
    p = p * x2 + 4.8935246e-3;
    var q = vec4(1.1982584e-6);
    q = q * x2 + 1.1853471e-4;
    q = q * x2 + 2.2684347e-3;
    q = q * x2 + 4.893525e-3;
    return x * p / q;
}

fn exp_clamped(x: vec4<f32>) -> vec4<f32> {
    return exp(clamp(x, vec4(-87.0), vec4(88.0)));
}

fn ln_1p_unit(y: vec4<f32>) -> vec4<f32> {
    // ln(1 + y) for y in [0, 1]: 2·atanh(s), s = y/(2 + y) ≤ 1/3, series to s^15/15.
    let s = y / (2.0 + y);
    let s2 = s * s;
    var p = vec4(1.0 / 15.0);
    p = p * s2 + 1.0 / 13.0;
    p = p * s2 + 1.0 / 11.0;
    p = p * s2 + 1.0 / 9.0;
    p = p * s2 + 1.0 / 7.0;
    p = p * s2 + 1.0 / 5.0;
    p = p * s2 + 1.0 / 3.0;
    p = p * s2 + 1.0;
    return 2.0 * s * p;
}

fn normal_cdf(x: vec4<f32>) -> vec4<f32> {
    // ½ erfc(−x/√2) with erfc from Numerical Recipes' erfcc (relative error < 1.2e-7).
    let z = abs(x) * 0.70710678;
    let t = 1.0 / (1.0 + 0.5 * z);
    var p = vec4(0.17087277);
    p = p * t - 0.82215223;
    p = p * t + 1.4885159;
    p = p * t - 1.135204;
    p = p * t + 0.27886807;
    p = p * t - 0.18628806;
    p = p * t + 0.09678418;
    p = p * t + 0.37409196;
    p = p * t + 1.0000237;
    p = p * t - 1.2655122;
    let half_erfc = 0.5 * t * exp_clamped(p - z * z);
    return select(half_erfc, 1.0 - half_erfc, x >= vec4(0.0));
}

fn activate(z: vec4<f32>) -> vec4<f32> {
    switch ACTIVATION {
        case 0u: { return z; }
        case 1u: { return max(z, vec4(0.0)); }
        case 2u: { return select(0.01 * z, z, z > vec4(0.0)); }
        case 3u: { return tanh_approx(z); }
        case 4u: { return 1.0 / (1.0 + exp_clamped(-z)); }
        case 5u: { return z * normal_cdf(z); }
        default: { return max(z, vec4(0.0)) + ln_1p_unit(exp_clamped(-abs(z))); }
    }
}

// Activations of the current block, unit r at [2r] (inputs 0..3) and [2r + 1] (4..7).
var<private> h_in: array<vec4<f32>, 128>;   // 2 * MAX_WIDTH
var<private> h_out: array<vec4<f32>, 128>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    if gid.x >= params.chunk_points {
        return;
    }
    let p = params.point_offset + gid.x;
    let na = params.na;
    let nb = params.nb;
    let ia = p % na;
    let ib = (p / na) % nb;
    let ic = p / (na * nb);
    let a = coords[ia];
    let b = coords[na + ib];
    let c = coords[na + nb + ic];
    let k = params.n_inputs;
    let h1 = params.h1;
    let hidden_first = params.n_layers > 1u;

    var loss = 0.0;
    for (var i0 = 0u; i0 < k; i0 += IB) {
        for (var l = 0u; l < params.n_layers; l++) {
            var width = h1;
            if l == 0u {
                // First layer: affine in (a, b, c); inputs past k repeat the last one.
                for (var r = 0u; r < h1; r++) {
                    var z: array<f32, 8>;
                    for (var j = 0u; j < IB; j++) {
                        let t = first[min(i0 + j, k - 1u) * h1 + r];
                        z[j] = t.x + a * t.y + b * t.z + c * t.w;
                    }
                    h_out[2u * r] = vec4<f32>(z[0], z[1], z[2], z[3]);
                    h_out[2u * r + 1u] = vec4<f32>(z[4], z[5], z[6], z[7]);
                }
            } else {
                // Later layers: each weight built once per block, applied to IB inputs.
                let layer = layers[l - 1u];
                width = layer.fan_out;
                for (var r = 0u; r < layer.fan_out; r++) {
                    var bias = 0.0;
                    if layer.bias != NO_BIAS {
                        let t = theta[layer.bias + r];
                        bias = t.x + a * t.y + b * t.z + c * t.w;
                    }
                    var acc_lo = vec4<f32>(bias);
                    var acc_hi = vec4<f32>(bias);
                    let row = layer.weights + r * layer.fan_in;
                    for (var q = 0u; q < layer.fan_in; q++) {
                        let t = theta[row + q];
                        let w = t.x + a * t.y + b * t.z + c * t.w;
                        acc_lo += w * h_in[2u * q];
                        acc_hi += w * h_in[2u * q + 1u];
                    }
                    h_out[2u * r] = acc_lo;
                    h_out[2u * r + 1u] = acc_hi;
                }
            }
            // Hidden layers apply the activation (written once, so it is compiled once);
            // the output layer is the identity.
            let hidden = l + 1u < params.n_layers;
            for (var i = 0u; i < 2u * width; i++) {
                var h = h_out[i];
                if hidden {
                    h = activate(h);
                }
                h_in[i] = h;
            }
        }
        // The output unit's activations are the block's f(x_i; θ).
        let n = min(IB, k - i0);
        for (var j = 0u; j < n; j++) {
            let f = h_in[j / 4u][j % 4u];
            out[(i0 + j) * params.n_points + p] = f;
            let r = f - targets[i0 + j];
            loss += r * r;
        }
    }
    out[k * params.n_points + p] = loss * params.inv_k;
}
