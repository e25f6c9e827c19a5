// Ray marching for the two 3D views, drawn into an offscreen picture.
//
// Volume mode (a 3D slice): each selected surface f_i(a, b, c) = level is found where
// f_i − level changes sign between two steps along the ray, refined by bisection (so
// surfaces show no grid terracing), lit from the field's gradient, and composited front
// to back with every other surface hit, the θ marker and the path, sorted by distance:
// correct for any number of intersecting transparent surfaces. Where a hit lies within
// a few pixels of another selected surface, measured with the distance estimate
// |f_j − c_j| / |∇f_j| (even width on screen), it is drawn bright: the curve where two
// surfaces meet, or a whole sheet where they coincide.
//
// Terrain mode (a 2D slice): the loss is a height field z = h(a, b), and the surface
// z − h = 0 is marched the same way; it is colored by height (viridis), with each input's
// solution contour, the trajectory, the walk and the model paths draped on it (by their
// (a, b) alone: a path point's height is the surface's).
//
// Volume mode samples the selected surfaces' f_i − level_i from two rgba16float 3D
// textures (surface_pack.wgsl writes them from the field buffer; why half floats keep the
// surfaces in place is explained there) with the sampler's trilinear filtering: one fetch
// gives four surfaces, so the march, the bisection, the gradient lighting and the
// distance estimate of every other surface at a hit share their fetches. Terrain mode
// reads the field buffer itself (layout shared with field.wgsl:
// field[channel·n + (ic·nb + ib)·na + ia]) with trilinear interpolation in the shader.
//
// The parameters are a storage buffer, not a uniform block: lavapipe (Vulkan on llvmpipe)
// inlines uniforms that steer branches and loops and compiles a new variant, seconds on
// a CPU, for each new value; the camera changes every frame while rotating.
//
// World coordinates: the box [−1, 1]³, x along a, y along b, z along c (or height).
// Colors are sRGB-encoded values, as in slice_draw.wgsl.

const MAX_SURFACES: u32 = 8u;
const MAX_EVENTS: u32 = 10u;
const BISECTIONS: u32 = 6;
const MAX_STEPS: u32 = 2048u;

struct Params {
    inv_view_proj: mat4x4<f32>,
    eye: vec4<f32>,          // xyz: the eye; w: world units per pixel at unit distance
    clip_lo: vec4<f32>,      // the visible part of the box (after clipping planes)
    clip_hi: vec4<f32>,
    dims: vec4<u32>,         // na, nb, nc, k
    counts: vec4<u32>,       // surfaces, flags, path points, unused
    style: vec4<f32>,        // surface alpha, manifold width px, step in cells, line width px
    terrain: vec4<f32>,      // height value lo, hi (mapped to z = −1..1), 1 if log10, bound on |∇h|
    marker: vec4<f32>,       // θ in world coordinates; w: radius in pixels (0: none)
    background: vec4<f32>,
    inv_lip_lo: vec4<f32>,   // 1 / (bound on |∇f|) of surfaces 0..3, per world unit
    inv_lip_hi: vec4<f32>,   // of surfaces 4..7 (1 for unused ones, whose value is FAR)
    line_colors: array<vec4<f32>, 3>,  // the model paths' colors (path kinds 2, 3, 4)
}

// flags: 1 box edges, 2 intersections of surfaces, 4 path

struct Surface {
    color: vec4<f32>,        // rgb, a unused
    level: f32,
    channel: u32,
    lipschitz: f32,          // a bound on |∇f| of the interpolated channel, per world unit
    _pad1: f32,
}

@group(0) @binding(0) var<storage, read> params: Params;
@group(0) @binding(1) var<storage, read> field: array<f32>;
@group(0) @binding(2) var<storage, read> surfaces: array<Surface>;
@group(0) @binding(3) var<storage, read> path: array<vec4<f32>>;  // xyz world, w: 0 trajectory, 1 walk, 2 + i model path i
@group(0) @binding(4) var surf_lo: texture_3d<f32>;
@group(0) @binding(5) var surf_hi: texture_3d<f32>;
@group(0) @binding(6) var surf_sampler: sampler;

struct VsOut {
    @builtin(position) position: vec4<f32>,
    @location(0) ndc: vec2<f32>,
}

@vertex
fn vs_main(@builtin(vertex_index) index: u32) -> VsOut {
    let x = f32((index << 1u) & 2u);
    let y = f32(index & 2u);
    var out: VsOut;
    out.position = vec4<f32>(x * 2.0 - 1.0, 1.0 - y * 2.0, 0.0, 1.0);
    out.ndc = vec2<f32>(x * 2.0 - 1.0, 1.0 - y * 2.0);
    return out;
}

// Trilinear interpolation: the 8 corner offsets and weights of a grid position, shared by
// every channel sampled there.
struct Cell {
    base: u32,
    dx: u32,
    dy: u32,
    dz: u32,
    t: vec3<f32>,
}

fn grid_dims() -> vec3<u32> {
    return vec3<u32>(params.dims.x, params.dims.y, max(params.dims.z, 1u));
}

fn cell_at(p: vec3<f32>) -> Cell {
    let d = grid_dims();
    let top = vec3<f32>(d - vec3<u32>(1u));
    let g = clamp((p + vec3<f32>(1.0)) * 0.5 * top, vec3<f32>(0.0), top);
    // The last cell ends at the last point: clamp the corner one below it (a size-1 axis
    // has one cell of width 0).
    let hi = max(d, vec3<u32>(2u)) - vec3<u32>(2u);
    let i0 = min(vec3<u32>(floor(g)), hi);
    var c: Cell;
    c.t = g - vec3<f32>(i0);
    c.base = (i0.z * d.y + i0.y) * d.x + i0.x;
    c.dx = select(0u, 1u, d.x > 1u);
    c.dy = select(0u, d.x, d.y > 1u);
    c.dz = select(0u, d.x * d.y, d.z > 1u);
    return c;
}

fn sample_cell(channel: u32, c: Cell) -> f32 {
    let d = grid_dims();
    let o = channel * d.x * d.y * d.z + c.base;
    let v000 = field[o];
    let v100 = field[o + c.dx];
    let v010 = field[o + c.dy];
    let v110 = field[o + c.dx + c.dy];
    let v001 = field[o + c.dz];
    let v101 = field[o + c.dx + c.dz];
    let v011 = field[o + c.dy + c.dz];
    let v111 = field[o + c.dx + c.dy + c.dz];
    let x0 = mix(mix(v000, v100, c.t.x), mix(v010, v110, c.t.x), c.t.y);
    let x1 = mix(mix(v001, v101, c.t.x), mix(v011, v111, c.t.x), c.t.y);
    return mix(x0, x1, c.t.z);
}

fn sample(channel: u32, p: vec3<f32>) -> f32 {
    return sample_cell(channel, cell_at(p));
}

// World-space gradient of a channel by central differences of half a cell.
fn gradient(channel: u32, p: vec3<f32>) -> vec3<f32> {
    let d = grid_dims();
    let cell = vec3<f32>(2.0) / max(vec3<f32>(d) - vec3<f32>(1.0), vec3<f32>(1.0));
    let h = 0.5 * cell;
    var g = vec3<f32>(0.0);
    g.x = (sample(channel, p + vec3<f32>(h.x, 0.0, 0.0)) - sample(channel, p - vec3<f32>(h.x, 0.0, 0.0))) / (2.0 * h.x);
    g.y = (sample(channel, p + vec3<f32>(0.0, h.y, 0.0)) - sample(channel, p - vec3<f32>(0.0, h.y, 0.0))) / (2.0 * h.y);
    if (d.z > 1u) {
        g.z = (sample(channel, p + vec3<f32>(0.0, 0.0, h.z)) - sample(channel, p - vec3<f32>(0.0, 0.0, h.z))) / (2.0 * h.z);
    }
    return g;
}

// ---- terrain: z = h(x, y), from the loss channel of a 2-D field ----

fn height_of(value: f32) -> f32 {
    var v = value;
    if (params.terrain.z > 0.5) {
        v = log(max(value, 1e-30)) / log(10.0);
    }
    let s = (v - params.terrain.x) / max(params.terrain.y - params.terrain.x, 1e-12);
    return clamp(s, 0.0, 1.0) * 2.0 - 1.0;
}

fn terrain_height(p: vec3<f32>) -> f32 {
    return height_of(sample(params.dims.w, vec3<f32>(p.xy, -1.0)));
}

// ---- shared pieces ----

// Polynomial fit of matplotlib's viridis, t in [0, 1] (as in slice_draw.wgsl).
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

// Headlight shading: ambient plus diffuse from the eye, two-sided.
fn shade(color: vec3<f32>, normal: vec3<f32>, rd: vec3<f32>) -> vec3<f32> {
    let n = normalize(normal + vec3<f32>(1e-12));
    let diffuse = abs(dot(n, rd));
    let spec = pow(diffuse, 24.0);
    return color * (0.35 + 0.65 * diffuse) + vec3<f32>(0.25 * spec);
}

// World units one pixel covers at distance t.
fn px_world(t: f32) -> f32 {
    return params.eye.w * max(t, 1e-3);
}

// Ray-box interval [t0, t1] (t1 < t0 when the ray misses).
fn ray_box(ro: vec3<f32>, rd: vec3<f32>, lo: vec3<f32>, hi: vec3<f32>) -> vec2<f32> {
    let inv = vec3<f32>(1.0) / rd;
    let a = (lo - ro) * inv;
    let b = (hi - ro) * inv;
    let t0 = max(max(min(a.x, b.x), min(a.y, b.y)), max(min(a.z, b.z), 0.0));
    let t1 = min(min(max(a.x, b.x), max(a.y, b.y)), max(a.z, b.z));
    return vec2<f32>(t0, t1);
}

// Whether a point on the box surface lies within `w` of one of its 12 edges.
fn near_edge(p: vec3<f32>, w: f32) -> bool {
    let e = vec3<f32>(1.0) - abs(p);
    let n = u32(e.x < w) + u32(e.y < w) + u32(e.z < w);
    return n >= 2u;
}

// Distance from the ray to segment [p, q], and the ray parameter of the closest point.
fn ray_segment(ro: vec3<f32>, rd: vec3<f32>, p: vec3<f32>, q: vec3<f32>) -> vec2<f32> {
    let s = q - p;
    let w0 = ro - p;
    let b = dot(rd, s);
    let c = dot(s, s);
    let d = dot(rd, w0);
    let e = dot(s, w0);
    let denom = c - b * b;
    var u = 0.0;
    if (c > 1e-12) {
        if (denom > 1e-9) {
            u = clamp((e - b * d) / denom, 0.0, 1.0);
        } else {
            u = clamp(e / c, 0.0, 1.0);
        }
    }
    let closest = p + u * s;
    let t = max(dot(closest - ro, rd), 0.0);
    return vec2<f32>(length(ro + t * rd - closest), t);
}

// ---- compositing ----

struct Event {
    t: f32,
    color: vec4<f32>,   // straight rgb, alpha
}

fn over(acc: vec4<f32>, c: vec4<f32>) -> vec4<f32> {
    let a = (1.0 - acc.a) * c.a;
    return vec4<f32>(acc.rgb + a * c.rgb, acc.a + a);
}

// The θ marker and (with `with_path`) the nearest path hit on this ray, as events.
struct Objects {
    marker: Event,
    path: Event,
}

// The color of a polyline of kind `kind` (path[i].w): the trajectory white, the walk
// yellow, model path i in line_colors[i].
fn path_color(kind: f32) -> vec3<f32> {
    if (kind < 0.5) {
        return vec3<f32>(1.0);
    }
    if (kind < 1.5) {
        return vec3<f32>(1.0, 0.85, 0.2);
    }
    return params.line_colors[min(u32(kind + 0.5) - 2u, 2u)].rgb;
}

fn objects(ro: vec3<f32>, rd: vec3<f32>, with_path: bool) -> Objects {
    var o: Objects;
    o.marker.t = -1.0;
    o.path.t = -1.0;
    if (params.marker.w > 0.0) {
        // Sphere of a fixed size on screen: radius = pixels × world per pixel at its distance.
        let dist = length(params.marker.xyz - ro);
        let r = params.marker.w * px_world(dist);
        let oc = ro - params.marker.xyz;
        let b = dot(oc, rd);
        let h = b * b - (dot(oc, oc) - r * r);
        if (h >= 0.0) {
            let t = -b - sqrt(h);
            if (t > 0.0) {
                let p = ro + t * rd;
                let n = normalize(p - params.marker.xyz);
                o.marker.t = t;
                o.marker.color = vec4<f32>(shade(vec3<f32>(1.0, 0.231, 0.420), n, rd), 1.0);
            }
        }
    }
    if (with_path && (params.counts.y & 4u) != 0u && params.counts.z > 1u) {
        var best = 1e30;
        var kind = 0.0;
        for (var i = 1u; i < params.counts.z; i = i + 1u) {
            let p = path[i - 1u];
            let q = path[i];
            if (p.w != q.w) {
                continue;
            }
            let d = ray_segment(ro, rd, p.xyz, q.xyz);
            if (d.x < 0.5 * params.style.w * 1.5 * px_world(d.y) && d.y < best) {
                best = d.y;
                kind = p.w;
            }
        }
        if (best < 1e29) {
            o.path.t = best;
            o.path.color = vec4<f32>(path_color(kind), 1.0);
        }
    }
    return o;
}

// Adds the objects whose t lies in (t_lo, t_hi] to the event list.
fn add_objects(o: Objects, t_lo: f32, t_hi: f32, events: ptr<function, array<Event, MAX_EVENTS>>, n: ptr<function, u32>) {
    if (o.marker.t > t_lo && o.marker.t <= t_hi && *n < MAX_EVENTS) {
        (*events)[*n] = o.marker;
        *n = *n + 1u;
    }
    if (o.path.t > t_lo && o.path.t <= t_hi && *n < MAX_EVENTS) {
        (*events)[*n] = o.path;
        *n = *n + 1u;
    }
}

// Sorts events by t (insertion sort; at most MAX_EVENTS) and composites them.
fn composite(acc_in: vec4<f32>, events: ptr<function, array<Event, MAX_EVENTS>>, n: u32) -> vec4<f32> {
    for (var i = 1u; i < n; i = i + 1u) {
        var j = i;
        loop {
            if (j == 0u) { break; }
            if ((*events)[j - 1u].t <= (*events)[j].t) { break; }
            let tmp = (*events)[j - 1u];
            (*events)[j - 1u] = (*events)[j];
            (*events)[j] = tmp;
            j = j - 1u;
        }
    }
    var acc = acc_in;
    for (var i = 0u; i < n; i = i + 1u) {
        acc = over(acc, (*events)[i].color);
    }
    return acc;
}

fn edge_event(p: vec3<f32>, t: f32) -> Event {
    var e: Event;
    e.t = -1.0;
    if ((params.counts.y & 1u) != 0u && near_edge(p, params.style.w * px_world(t))) {
        e.t = t;
        e.color = vec4<f32>(0.72, 0.72, 0.76, 0.9);
    }
    return e;
}

// ---- volume mode ----

// f_i − level_i of all eight surfaces at one point (component i − 4 of `hi` for i ≥ 4).
struct Values {
    lo: vec4<f32>,
    hi: vec4<f32>,
}

const FAR: f32 = 60000.0;

// Texture coordinates of world point p: grid point j sits at the center of texel j.
fn tex_coord(p: vec3<f32>) -> vec3<f32> {
    let d = vec3<f32>(grid_dims());
    let g = clamp((p + vec3<f32>(1.0)) * 0.5, vec3<f32>(0.0), vec3<f32>(1.0)) * (d - vec3<f32>(1.0));
    return (g + vec3<f32>(0.5)) / d;
}

fn values_at(p: vec3<f32>) -> Values {
    let uvw = tex_coord(p);
    var v: Values;
    v.lo = textureSampleLevel(surf_lo, surf_sampler, uvw, 0.0);
    // Uniform branch: the second texture only when more than four surfaces are drawn.
    if (params.counts.x > 4u) {
        v.hi = textureSampleLevel(surf_hi, surf_sampler, uvw, 0.0);
    } else {
        v.hi = vec4<f32>(FAR);
    }
    return v;
}

fn value_of(v: Values, i: u32) -> f32 {
    if (i < 4u) {
        return v.lo[i];
    }
    return v.hi[i - 4u];
}

// f_i − level_i of one surface at p: one fetch.
fn surface_value(i: u32, p: vec3<f32>) -> f32 {
    let uvw = tex_coord(p);
    if (i < 4u) {
        return textureSampleLevel(surf_lo, surf_sampler, uvw, 0.0)[i];
    }
    return textureSampleLevel(surf_hi, surf_sampler, uvw, 0.0)[i - 4u];
}

// How far the ray may advance from values `v` without any surface changing sign: |f − c|
// cannot reach 0 within |f − c| / L when L bounds |∇f| (sphere tracing with the field's
// Lipschitz bound), so empty space is crossed in a few long steps; never less than `dt`,
// the step that catches every crossing the grid resolves.
fn safe_step(v: Values, dt: f32) -> f32 {
    let a = abs(v.lo) * params.inv_lip_lo;
    let b = abs(v.hi) * params.inv_lip_hi;
    let m = min(a, b);
    return max(dt, 0.95 * min(min(m.x, m.y), min(m.z, m.w)));
}

// Which surfaces change sign between two points (NaN never does).
fn crossed(a: vec4<f32>, b: vec4<f32>) -> vec4<bool> {
    let z = vec4<f32>(0.0);
    return ((a <= z) & (b > z)) | ((a > z) & (b <= z));
}

// World-space gradients of all surfaces at p, by central differences of half a cell:
// `x_lo[i]` is ∂(f_i)/∂x, and so on.
struct Gradients {
    x_lo: vec4<f32>,
    y_lo: vec4<f32>,
    z_lo: vec4<f32>,
    x_hi: vec4<f32>,
    y_hi: vec4<f32>,
    z_hi: vec4<f32>,
}

fn gradients(p: vec3<f32>) -> Gradients {
    let d = grid_dims();
    let cell = vec3<f32>(2.0) / max(vec3<f32>(d) - vec3<f32>(1.0), vec3<f32>(1.0));
    let h = 0.5 * cell;
    var g: Gradients;
    let xp = values_at(p + vec3<f32>(h.x, 0.0, 0.0));
    let xm = values_at(p - vec3<f32>(h.x, 0.0, 0.0));
    let yp = values_at(p + vec3<f32>(0.0, h.y, 0.0));
    let ym = values_at(p - vec3<f32>(0.0, h.y, 0.0));
    g.x_lo = (xp.lo - xm.lo) / (2.0 * h.x);
    g.x_hi = (xp.hi - xm.hi) / (2.0 * h.x);
    g.y_lo = (yp.lo - ym.lo) / (2.0 * h.y);
    g.y_hi = (yp.hi - ym.hi) / (2.0 * h.y);
    g.z_lo = vec4<f32>(0.0);
    g.z_hi = vec4<f32>(0.0);
    if (d.z > 1u) {
        let zp = values_at(p + vec3<f32>(0.0, 0.0, h.z));
        let zm = values_at(p - vec3<f32>(0.0, 0.0, h.z));
        g.z_lo = (zp.lo - zm.lo) / (2.0 * h.z);
        g.z_hi = (zp.hi - zm.hi) / (2.0 * h.z);
    }
    return g;
}

fn gradient_of(g: Gradients, i: u32) -> vec3<f32> {
    if (i < 4u) {
        return vec3<f32>(g.x_lo[i], g.y_lo[i], g.z_lo[i]);
    }
    return vec3<f32>(g.x_hi[i - 4u], g.y_hi[i - 4u], g.z_hi[i - 4u]);
}

// The color of surface i hit at p (t along the ray).
fn surface_hit(i: u32, p: vec3<f32>, t: f32, rd: vec3<f32>) -> vec4<f32> {
    let s = surfaces[i];
    let grads = gradients(p);
    let g = gradient_of(grads, i);
    var color = shade(s.color.rgb, g, rd);
    var alpha = params.style.x;
    if ((params.counts.y & 2u) != 0u) {
        let width = params.style.y * px_world(t);
        let v = values_at(p);
        for (var j = 0u; j < min(params.counts.x, MAX_SURFACES); j = j + 1u) {
            if (surfaces[j].channel == s.channel) {
                continue;
            }
            // The distance estimate |f_j − c_j| / |∇f_j|: even width on screen.
            let d = abs(value_of(v, j)) / max(length(gradient_of(grads, j)), 1e-12);
            if (d < 0.5 * width) {
                color = shade(vec3<f32>(1.0, 1.0, 1.0), g, rd);
                alpha = 0.95;
            }
        }
    }
    return vec4<f32>(color, alpha);
}

fn march_volume(ro: vec3<f32>, rd: vec3<f32>) -> vec4<f32> {
    var acc = vec4<f32>(0.0);
    let whole = ray_box(ro, rd, vec3<f32>(-1.0), vec3<f32>(1.0));
    if (whole.y < whole.x) {
        return acc;
    }
    let front = edge_event(ro + whole.x * rd, whole.x);
    let back = edge_event(ro + whole.y * rd, whole.y);
    let o = objects(ro, rd, true);
    var events: array<Event, MAX_EVENTS>;
    var n = 0u;
    if (front.t >= 0.0) {
        events[0] = front;
        n = 1u;
    }
    // Objects in front of the box.
    add_objects(o, -1.0, whole.x, &events, &n);
    acc = composite(acc, &events, n);

    let span = ray_box(ro, rd, params.clip_lo.xyz, params.clip_hi.xyz);
    let d = grid_dims();
    let cell = vec3<f32>(2.0) / max(vec3<f32>(d) - vec3<f32>(1.0), vec3<f32>(1.0));
    let dt = params.style.z * min(min(cell.x, cell.y), cell.z);
    let ns = min(params.counts.x, MAX_SURFACES);
    var t_prev = whole.x;
    if (span.y >= span.x) {
        var prev = values_at(ro + span.x * rd);
        var t0 = span.x;
        t_prev = span.x;
        for (var step = 0u; step < MAX_STEPS && t0 < span.y; step = step + 1u) {
            let t1 = min(t0 + safe_step(prev, dt), span.y);
            let next = values_at(ro + t1 * rd);
            n = 0u;
            let c_lo = crossed(prev.lo, next.lo);
            let c_hi = crossed(prev.hi, next.hi);
            // One bit per surface that changed sign; each is refined in turn. Neighboring
            // pixels run in lockstep on a CPU rasterizer's SIMD lanes, so every lane
            // refines its own next crossing together, rather than all lanes stepping
            // through each surface any of them crossed.
            var pending = 0u;
            for (var k = 0u; k < 4u; k = k + 1u) {
                pending = pending | select(0u, 1u << k, c_lo[k]) | select(0u, 16u << k, c_hi[k]);
            }
            pending = pending & ((1u << ns) - 1u);
            loop {
                if (pending == 0u) {
                    break;
                }
                let i = firstTrailingBit(pending);
                pending = pending & (pending - 1u);
                // Bisection on [t0, t1] for the crossing.
                var lo = t0;
                var hi = t1;
                var vlo = value_of(prev, i);
                for (var b = 0u; b < BISECTIONS; b = b + 1u) {
                    let mid = 0.5 * (lo + hi);
                    let vm = surface_value(i, ro + mid * rd);
                    if ((vlo <= 0.0) == (vm <= 0.0)) {
                        lo = mid;
                        vlo = vm;
                    } else {
                        hi = mid;
                    }
                }
                let th = 0.5 * (lo + hi);
                if (n < MAX_EVENTS) {
                    events[n] = Event(th, surface_hit(i, ro + th * rd, th, rd));
                    n = n + 1u;
                }
            }
            prev = next;
            add_objects(o, t0, t1, &events, &n);
            if (n > 0u) {
                acc = composite(acc, &events, n);
                if (acc.a > 0.97) {
                    return acc;
                }
            }
            t_prev = t1;
            t0 = t1;
        }
    }
    // Objects behind the visible part, then the back edges.
    n = 0u;
    add_objects(o, t_prev, 1e30, &events, &n);
    if (back.t >= 0.0 && n < MAX_EVENTS) {
        events[n] = back;
        n = n + 1u;
    }
    return composite(acc, &events, n);
}

// ---- terrain mode ----

fn terrain_color(p: vec3<f32>, t: f32, rd: vec3<f32>) -> vec3<f32> {
    let d = grid_dims();
    let cell = vec2<f32>(2.0) / max(vec2<f32>(d.xy) - vec2<f32>(1.0), vec2<f32>(1.0));
    let h = 0.5 * cell;
    let q = vec3<f32>(p.xy, -1.0);
    let dhx = (terrain_height(q + vec3<f32>(h.x, 0.0, 0.0)) - terrain_height(q - vec3<f32>(h.x, 0.0, 0.0))) / (2.0 * h.x);
    let dhy = (terrain_height(q + vec3<f32>(0.0, h.y, 0.0)) - terrain_height(q - vec3<f32>(0.0, h.y, 0.0))) / (2.0 * h.y);
    let normal = vec3<f32>(-dhx, -dhy, 1.0);
    var color = viridis(0.5 * (p.z + 1.0));
    let width = params.style.w * px_world(t);
    for (var i = 0u; i < min(params.counts.x, MAX_SURFACES); i = i + 1u) {
        let s = surfaces[i];
        let v = sample(s.channel, q) - s.level;
        let g = gradient(s.channel, q);
        let dist = abs(v) / max(length(g.xy), 1e-12);
        if (dist < 1.5 * width) {
            color = s.color.rgb;
        } else if (dist < 2.5 * width) {
            color = mix(color, vec3<f32>(0.05), 0.6);
        }
    }
    if ((params.counts.y & 4u) != 0u) {
        for (var i = 1u; i < params.counts.z; i = i + 1u) {
            let a = path[i - 1u];
            let b = path[i];
            if (a.w != b.w) {
                continue;
            }
            let s = b.xy - a.xy;
            let u = clamp(dot(p.xy - a.xy, s) / max(dot(s, s), 1e-12), 0.0, 1.0);
            if (length(p.xy - a.xy - u * s) < 1.2 * width) {
                color = path_color(a.w);
            }
        }
    }
    return shade(color, normal, rd);
}

fn march_terrain(ro: vec3<f32>, rd: vec3<f32>) -> vec4<f32> {
    var acc = vec4<f32>(0.0);
    let whole = ray_box(ro, rd, vec3<f32>(-1.0), vec3<f32>(1.0));
    if (whole.y < whole.x) {
        return acc;
    }
    // The paths lie on the surface and are draped on it (terrain_color), not drawn as
    // lines through the box: no per-pixel loop over them here.
    let o = objects(ro, rd, false);
    var events: array<Event, MAX_EVENTS>;
    var n = 0u;
    let front = edge_event(ro + whole.x * rd, whole.x);
    if (front.t >= 0.0) {
        events[0] = front;
        n = 1u;
    }
    let d = grid_dims();
    let cell = vec2<f32>(2.0) / max(vec2<f32>(d.xy) - vec2<f32>(1.0), vec2<f32>(1.0));
    let dt = params.style.z * 0.5 * min(cell.x, cell.y);
    var t_hit = -1.0;
    var t0 = whole.x;
    var v0 = (ro + t0 * rd).z - terrain_height(ro + t0 * rd);
    // z − h(x, y) changes by at most √(1 + L²) per unit along the ray (L bounds |∇h|).
    let slope = sqrt(1.0 + params.terrain.w * params.terrain.w);
    for (var step = 0u; step < MAX_STEPS && t0 < whole.y; step = step + 1u) {
        let t1 = min(t0 + max(dt, 0.95 * abs(v0) / slope), whole.y);
        let p1 = ro + t1 * rd;
        let v1 = p1.z - terrain_height(p1);
        if ((v0 > 0.0) != (v1 > 0.0)) {
            var lo = t0;
            var hi = t1;
            var vlo = v0;
            for (var b = 0u; b < BISECTIONS; b = b + 1u) {
                let mid = 0.5 * (lo + hi);
                let pm = ro + mid * rd;
                let vm = pm.z - terrain_height(pm);
                if ((vlo > 0.0) == (vm > 0.0)) {
                    lo = mid;
                    vlo = vm;
                } else {
                    hi = mid;
                }
            }
            t_hit = 0.5 * (lo + hi);
            break;
        }
        t0 = t1;
        v0 = v1;
    }
    var far = whole.y;
    if (t_hit >= 0.0) {
        far = t_hit;
        if (n < MAX_EVENTS) {
            events[n] = Event(t_hit, vec4<f32>(terrain_color(ro + t_hit * rd, t_hit, rd), 1.0));
            n = n + 1u;
        }
    }
    add_objects(o, -1.0, far, &events, &n);
    if (t_hit < 0.0) {
        let back = edge_event(ro + whole.y * rd, whole.y);
        if (back.t >= 0.0 && n < MAX_EVENTS) {
            events[n] = back;
            n = n + 1u;
        }
    }
    return composite(acc, &events, n);
}

// The eye ray through this fragment.
fn eye_ray(ndc: vec2<f32>) -> array<vec3<f32>, 2> {
    let far = params.inv_view_proj * vec4<f32>(ndc, 1.0, 1.0);
    let ro = params.eye.xyz;
    return array<vec3<f32>, 2>(ro, normalize(far.xyz / far.w - ro));
}

fn over_background(acc: vec4<f32>) -> vec4<f32> {
    return vec4<f32>(acc.rgb + (1.0 - acc.a) * params.background.rgb, 1.0);
}

// One entry point per mode, so each pipeline compiles only its own marcher (a software
// rasterizer compiles shaders slowly).
@fragment
fn fs_volume(in: VsOut) -> @location(0) vec4<f32> {
    let ray = eye_ray(in.ndc);
    return over_background(march_volume(ray[0], ray[1]));
}

@fragment
fn fs_terrain(in: VsOut) -> @location(0) vec4<f32> {
    let ray = eye_ray(in.ndc);
    return over_background(march_terrain(ray[0], ray[1]));
}
