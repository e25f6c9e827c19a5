//! The paths figure of a scene (`basinscope render SCENE --view path` and the app's
//! Export of the paths view): the loss along the linear path between the first two
//! models of the scene's models list, before and after weight matching, with both
//! barriers printed (docs/DESIGN.md §1). A scene written by `connect --path bezier
//! --out-aligned` also holds the fitted control point (model 4, between A and model 3,
//! the B it was fitted to); its Bézier path is drawn too. No egui here.

use std::fmt::Write as _;

use anyhow::bail;

use crate::core::Scene;
use crate::core::align::{MAX_SWEEPS, weight_matching};
use crate::core::models::NamedModel;
use crate::core::paths::{DEFAULT_POINTS, Path, PathProfile, evaluate_path, t_grid};
use crate::draw::figure::{
    FigureOptions, PathCurve, PathFigure, Rendered, Surface, path_color, path_figure,
};

/// The name `connect --out-aligned` gives the Bézier control point in the models list.
pub const BEZIER_CONTROL_NAME: &str = "Bézier control point";

/// Draws the paths figure of `scene`'s first two models on its data with `options`'
/// title (and its subtitle, when not empty, in place of the path's formula); returns it
/// with the curves as CSV. `progress` hears what is computed.
pub fn render_path_view(
    scene: &Scene,
    mut options: FigureOptions,
    (width, height): (u32, u32),
    surface: Surface,
    progress: impl FnOnce(String),
) -> anyhow::Result<(Rendered, String)> {
    let [a, b, ..] = scene.models.as_slice() else {
        bail!(
            "the path view needs at least two models in the scene's models list, and this scene has {}; `basinscope connect A B --out-aligned FILE` writes a scene with them",
            scene.models.len()
        );
    };
    let (spec, data) = (&scene.model, &scene.data);
    let t = t_grid(DEFAULT_POINTS)?;
    progress(format!(
        "{} to {} on a {}-point t grid, weight matching…",
        a.name,
        b.name,
        t.len()
    ));
    let before = evaluate_path(
        spec,
        data,
        &Path::Linear {
            a: &a.parameters,
            b: &b.parameters,
        },
        &t,
    )?;
    let alignment = weight_matching(spec, &a.parameters, &b.parameters, 0, MAX_SWEEPS)?;
    let after = evaluate_path(
        spec,
        data,
        &Path::Linear {
            a: &a.parameters,
            b: &alignment.theta_aligned,
        },
        &t,
    )?;
    let bezier = fitted_bezier(scene, &t)?;
    let barrier_words = |p: &PathProfile| {
        format!(
            "mean barrier {}, chord barrier {}",
            significant(p.loss_barriers.mean),
            significant(p.loss_barriers.chord)
        )
    };
    let mut figure = PathFigure {
        curves: vec![
            PathCurve {
                label: "linear path from A to B".into(),
                t: &before.t,
                values: &before.loss,
                color: path_color(1),
                dashed: true,
            },
            PathCurve {
                label: format!(
                    "A to B aligned by weight matching ({} sweeps)",
                    alignment.sweeps
                ),
                t: &after.t,
                values: &after.loss,
                color: path_color(0),
                dashed: false,
            },
        ],
        y_label: "loss L(θ(t))".into(),
        notes: vec![
            format!("exact losses at {} evenly spaced t", t.len()),
            format!("A to B: {}", barrier_words(&before)),
            format!("A to aligned B: {}", barrier_words(&after)),
            format!(
                "L(θ_{{A}}) = {}, L(θ_{{B}}) = {}",
                significant(before.loss[0]),
                significant(before.loss[t.len() - 1])
            ),
        ],
    };
    if let Some(curve) = &bezier {
        figure.curves.push(PathCurve {
            label: format!("Bézier path from A to {}", scene.models[2].name),
            t: &curve.t,
            values: &curve.loss,
            color: path_color(2),
            dashed: false,
        });
        figure.notes.insert(
            3,
            format!(
                "Bézier: {}, max loss {}",
                barrier_words(curve),
                significant(curve.max_loss())
            ),
        );
    }
    if options.subtitle.is_empty() {
        options.subtitle = format!("θ(t) = (1 − t)·θ_{{A}} + t·θ_{{B}}; {}, {}", a.name, b.name);
    }
    let csv = paths_csv(&figure.curves);
    Ok((path_figure(&figure, &options, width, height, surface), csv))
}

/// The curves as CSV: `t` then one column per curve, named by its legend text (quoted),
/// an empty cell where a curve has no value at that t.
fn paths_csv(curves: &[PathCurve<'_>]) -> String {
    let mut out = String::from("t");
    for c in curves {
        let _ = write!(out, ",\"{}\"", c.label.replace('"', "\"\""));
    }
    out.push('\n');
    let rows = curves.iter().map(|c| c.t.len()).max().unwrap_or(0);
    for i in 0..rows {
        let t = curves
            .iter()
            .find_map(|c| c.t.get(i))
            .copied()
            .unwrap_or(f64::NAN);
        let _ = write!(out, "{t:?}");
        for c in curves {
            match c.values.get(i) {
                Some(v) => {
                    let _ = write!(out, ",{v:?}");
                }
                None => out.push(','),
            }
        }
        out.push('\n');
    }
    out
}

/// The Bézier path `connect` fitted, when the list holds its control point (model 4):
/// from A to the B it was fitted to (model 3).
fn fitted_bezier(scene: &Scene, t: &[f64]) -> anyhow::Result<Option<PathProfile>> {
    let [
        a,
        _,
        fitted_b,
        NamedModel {
            name,
            parameters: control,
        },
        ..,
    ] = scene.models.as_slice()
    else {
        return Ok(None);
    };
    if name != BEZIER_CONTROL_NAME {
        return Ok(None);
    }
    let path = Path::Bezier {
        a: &a.parameters,
        control,
        b: &fitted_b.parameters,
    };
    Ok(Some(evaluate_path(&scene.model, &scene.data, &path, t)?))
}

/// Four significant digits, in scientific notation below 0.01 (barriers can be tiny).
fn significant(x: f64) -> String {
    if x == 0.0 || (0.01..1e4).contains(&x.abs()) {
        format!("{x:.4}")
    } else {
        format!("{x:.3e}")
    }
    .replace('-', "−")
}
