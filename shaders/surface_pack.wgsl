// Packs the selected surfaces of a 3D field into two filterable 3D textures for the ray
// marcher (raymarch.wgsl): texel (a, b, c) of `lo` holds f_i − level_i of surfaces 0..3,
// of `hi` surfaces 4..7, so one trilinear texture fetch serves four surfaces (a software
// rasterizer otherwise gathers 8 corners per surface from the storage buffer).
//
// Why half floats keep the surfaces in place: what is stored is f − level, whose zero set
// is the surface. Rounding a corner value v to f16 moves it by at most 2⁻¹¹·|v|, and near
// a crossing |v| ≲ |∇f|·cell, so the interpolated crossing moves by under 1/2000 of a cell.
// Storing f itself would move it by 2⁻¹¹·|level| / |∇f|, which may be many cells. Values
// beyond the f16 range are clamped (only their sign and size for skipping matter); unused
// components hold FAR, which never crosses zero.
//
// The field buffer's layout is field.wgsl's: field[channel·n + (ic·nb + ib)·na + ia].

const FAR: f32 = 60000.0;

struct Params {
    dims: vec4<u32>,     // na, nb, nc, surfaces
}

struct Surface {
    color: vec4<f32>,
    level: f32,
    channel: u32,
    lipschitz: f32,
    _pad1: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> field: array<f32>;
@group(0) @binding(2) var<storage, read> surfaces: array<Surface>;
@group(0) @binding(3) var lo_tex: texture_storage_3d<rgba16float, write>;
@group(0) @binding(4) var hi_tex: texture_storage_3d<rgba16float, write>;

fn packed(i: u32, voxel: u32, n: u32) -> f32 {
    if (i >= params.dims.w) {
        return FAR;
    }
    let v = field[surfaces[i].channel * n + voxel] - surfaces[i].level;
    // NaN (a non-finite model output) stays NaN: no crossing is found next to it.
    return select(clamp(v, -FAR, FAR), v, v != v);
}

@compute @workgroup_size(4, 4, 4)
fn pack(@builtin(global_invocation_id) id: vec3<u32>) {
    let d = params.dims.xyz;
    if (id.x >= d.x || id.y >= d.y || id.z >= d.z) {
        return;
    }
    let n = d.x * d.y * d.z;
    let voxel = (id.z * d.y + id.y) * d.x + id.x;
    let lo = vec4<f32>(packed(0u, voxel, n), packed(1u, voxel, n), packed(2u, voxel, n), packed(3u, voxel, n));
    let hi = vec4<f32>(packed(4u, voxel, n), packed(5u, voxel, n), packed(6u, voxel, n), packed(7u, voxel, n));
    textureStore(lo_tex, id, lo);
    textureStore(hi_tex, id, hi);

}
