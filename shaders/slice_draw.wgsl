// Draws a 2-D slice picture from evaluated fields: the loss heatmap (viridis on log10),
// every selected input's contour lines f(x_i; θ(a,b)) = y_i + m·Δ (the solution contour
// m = 0 thicker), the behavior manifold through θ (all f_i equal their current values)
// and the solution set (loss = 0). Lines are anti-aliased by converting the distance to
// the level, in value units, to pixels with the exact gradient of the bilinear
// interpolant (not fwidth: screen-space derivatives break along the seam where a
// rasterizer splits the covering triangle, which drew false lines through the picture).
//
// Field layout (shared with field.wgsl): field[channel * na * nb + ib * na + ia],
// channels 0..k are the per-input outputs, channel k is the loss.

struct Params {
    na: u32,
    nb: u32,
    n_inputs: u32,
    flags: u32,          // 1 loss, 2 contours, 4 solution contours, 8 behavior manifold, 16 solution set
    loss_log_lo: f32,
    loss_log_hi: f32,
    level_spacing: f32,
    line_width_px: f32,
    width_px: f32,
    height_px: f32,
    _pad0: f32,
    _pad1: f32,
}

struct InputStyle {
    color: vec4<f32>,    // rgb in sRGB encoding, a = 1 if the input is drawn
    target_value: f32,   // y_i
    current: f32,        // f(x_i; θ) at the slice center's current θ
    _pad0: f32,
    _pad1: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> field: array<f32>;
@group(0) @binding(2) var<storage, read> inputs: array<InputStyle>;

struct VsOut {
    @builtin(position) position: vec4<f32>,
    @location(0) uv: vec2<f32>,
}

@vertex
fn vs_main(@builtin(vertex_index) index: u32) -> VsOut {
    // One triangle covering the viewport.
    let x = f32((index << 1u) & 2u);
    let y = f32(index & 2u);
    var out: VsOut;
    out.position = vec4<f32>(x * 2.0 - 1.0, 1.0 - y * 2.0, 0.0, 1.0);
    out.uv = vec2<f32>(x, y);
    return out;
}

// Bilinear sample of one channel at continuous grid coordinates (ga, gb), with its
// exact gradient in pixels: returns (value, ∂/∂x_px, ∂/∂y_px).
fn sample_channel(channel: u32, ga: f32, gb: f32) -> vec3<f32> {
    let na = params.na;
    let nb = params.nb;
    let a = clamp(ga, 0.0, f32(na - 1u));
    let b = clamp(gb, 0.0, f32(nb - 1u));
    let a0 = min(u32(floor(a)), na - 2u);
    let b0 = min(u32(floor(b)), nb - 2u);
    let ta = a - f32(a0);
    let tb = b - f32(b0);
    let base = channel * na * nb;
    let v00 = field[base + b0 * na + a0];
    let v10 = field[base + b0 * na + a0 + 1u];
    let v01 = field[base + (b0 + 1u) * na + a0];
    let v11 = field[base + (b0 + 1u) * na + a0 + 1u];
    let value = mix(mix(v00, v10, ta), mix(v01, v11, ta), tb);
    let d_ga = mix(v10 - v00, v11 - v01, tb);
    let d_gb = mix(v01 - v00, v11 - v10, ta);
    // Grid units per pixel; b grows upward while y grows downward.
    let ga_per_px = f32(na - 1u) / max(params.width_px, 1.0);
    let gb_per_px = f32(nb - 1u) / max(params.height_px, 1.0);
    return vec3<f32>(value, d_ga * ga_per_px, -d_gb * gb_per_px);
}

// Distance in pixels from the zero set of a function with value v and pixel gradient g.
fn px_distance(v: f32, g: vec2<f32>) -> f32 {
    return abs(v) / max(length(g), 1e-12);
}

// Polynomial fit of matplotlib's viridis, t in [0, 1] (sRGB-encoded output).
fn viridis(t: f32) -> vec3<f32> {
    let c0 = vec3<f32>(0.27772733, 0.00540734, 0.33409981);
    let c1 = vec3<f32>(0.10509304, 1.40461353, 1.38459016);
    let c2 = vec3<f32>(-0.33086183, 0.21484756, 0.09509516);
    let c3 = vec3<f32>(-4.63423050, -5.79910097, -19.33244096);
    let c4 = vec3<f32>(6.22826994, 14.17993337, 56.69055260);
    let c5 = vec3<f32>(4.77638500, -13.74514538, -65.35303263);
    let c6 = vec3<f32>(-5.43545586, 4.64585261, 26.31243525);
    return clamp(c0 + t * (c1 + t * (c2 + t * (c3 + t * (c4 + t * (c5 + t * c6))))), vec3<f32>(0.0), vec3<f32>(1.0));
}

// Coverage of a line of width `width` px at distance `d` px from its center.
fn line_alpha(d: f32, width: f32) -> f32 {
    return 1.0 - smoothstep(0.5 * width - 0.75, 0.5 * width + 0.75, d);
}

@fragment
fn fs_main(in: VsOut) -> @location(0) vec4<f32> {
    let ga = in.uv.x * f32(params.na - 1u);
    // Row 0 of the field is the lowest b: it goes at the bottom of the picture.
    let gb = (1.0 - in.uv.y) * f32(params.nb - 1u);
    let k = params.n_inputs;

    let loss_s = sample_channel(k, ga, gb);
    let loss = loss_s.x;
    var color = vec3<f32>(0.13, 0.13, 0.15);
    if ((params.flags & 1u) != 0u) {
        let t = (log(max(loss, 1e-30)) / log(10.0) - params.loss_log_lo)
            / max(params.loss_log_hi - params.loss_log_lo, 1e-6);
        color = viridis(clamp(t, 0.0, 1.0));
    }

    // m² = mean_i (f_i − c_i)² and its gradient, for the behavior manifold.
    var manifold_sq = 0.0;
    var manifold_sq_grad = vec2<f32>(0.0);
    let w = params.line_width_px;
    for (var i = 0u; i < k; i = i + 1u) {
        let style = inputs[i];
        let fs = sample_channel(i, ga, gb);
        let f = fs.x;
        let g = fs.yz;
        let off = f - style.current;
        manifold_sq = manifold_sq + off * off;
        manifold_sq_grad = manifold_sq_grad + 2.0 * off * g;
        if (style.color.a > 0.0) {
            if ((params.flags & 2u) != 0u && params.level_spacing > 0.0) {
                let s = (f - style.target_value) / params.level_spacing;
                let d = px_distance((s - round(s)) * params.level_spacing, g);
                color = mix(color, style.color.rgb, 0.55 * line_alpha(d, w));
            }
            if ((params.flags & 4u) != 0u) {
                let d = px_distance(f - style.target_value, g);
                // Dark halo, then the input's color: readable on any heatmap color.
                color = mix(color, vec3<f32>(0.05, 0.05, 0.05), 0.6 * line_alpha(d, 3.0 * w + 2.0));
                color = mix(color, style.color.rgb, line_alpha(d, 3.0 * w));
            }
        }
    }
    if ((params.flags & 8u) != 0u && k > 0u) {
        // m = sqrt(m²/k), ∇m = ∇(m²)/(2k·m): a cone whose zero set is the manifold.
        let m = sqrt(manifold_sq / f32(k));
        let gm = manifold_sq_grad / (2.0 * f32(k) * max(m, 1e-20));
        let d = px_distance(m, gm);
        color = mix(color, vec3<f32>(0.0), 0.7 * line_alpha(d, 2.0 * w + 3.0));
        color = mix(color, vec3<f32>(1.0), line_alpha(d, 2.0 * w));
    }
    if ((params.flags & 16u) != 0u) {
        let s = sqrt(max(loss, 0.0));
        let gs = loss_s.yz / (2.0 * max(s, 1e-20));
        let d = px_distance(s, gs);
        color = mix(color, vec3<f32>(1.0, 0.231, 0.420), line_alpha(d, 3.0 * w));  // draw::style::SOLUTION_RGB
    }
    return vec4<f32>(color, 1.0);
}
