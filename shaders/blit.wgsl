// Copies an offscreen picture into a render pass (egui's, in the app). `fs_main` copies
// the picture's sRGB-encoded colors as they are; `fs_main_to_linear` converts them to
// linear for an sRGB target. The pipeline picks one, so no pixel branches on the format.

@group(0) @binding(0) var picture: texture_2d<f32>;
@group(0) @binding(1) var picture_sampler: sampler;

struct VsOut {
    @builtin(position) position: vec4<f32>,
    @location(0) uv: vec2<f32>,
}

@vertex
fn vs_main(@builtin(vertex_index) index: u32) -> VsOut {
    let x = f32((index << 1u) & 2u);
    let y = f32(index & 2u);
    var out: VsOut;
    out.position = vec4<f32>(x * 2.0 - 1.0, 1.0 - y * 2.0, 0.0, 1.0);
    out.uv = vec2<f32>(x, y);
    return out;
}

fn srgb_to_linear(c: vec3<f32>) -> vec3<f32> {
    let lo = c / 12.92;
    let hi = pow((c + vec3<f32>(0.055)) / 1.055, vec3<f32>(2.4));
    return select(hi, lo, c <= vec3<f32>(0.04045));
}

@fragment
fn fs_main(in: VsOut) -> @location(0) vec4<f32> {
    return textureSample(picture, picture_sampler, in.uv);
}

@fragment
fn fs_main_to_linear(in: VsOut) -> @location(0) vec4<f32> {
    let c = textureSample(picture, picture_sampler, in.uv);
    return vec4<f32>(srgb_to_linear(c.rgb), c.a);
}
