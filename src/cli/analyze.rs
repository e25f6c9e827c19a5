//! `basinscope analyze`: behavioral gradients and curvature at the scene's θ
//! (docs/DESIGN.md §6), as one JSON object or a readable table.

use std::fmt::Write as _;
use std::time::Instant;

use anyhow::Context as _;
use serde_json::json;

use super::json::{number, numbers};
use crate::core::Scene;
use crate::core::analysis::{Analysis, RankTolerance, analyze};

/// Arguments of `basinscope analyze`.
#[derive(clap::Args, Debug)]
pub struct AnalyzeArgs {
    /// A scene file or the name of a built-in scene.
    pub scene: String,
    /// Relative rank tolerance in (0, 1) (rank counts σ > rtol × largest σ); default is
    /// numpy's rule.
    #[arg(long, allow_hyphen_values = true)]
    pub rtol: Option<String>,
    /// Prints one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

/// What `--rtol` must be, in the words of its error sentence.
const RTOL_RULE: &str = "a number between 0 and 1 (both excluded), for example 1e-6";

/// Parses `--rtol` as the user wrote it: a number in (0, 1).
pub fn parse_rtol(text: &str) -> anyhow::Result<f64> {
    let r: f64 = super::parse_number("--rtol", text, RTOL_RULE)?;
    anyhow::ensure!(
        r > 0.0 && r < 1.0,
        "--rtol must be {RTOL_RULE}, not \"{}\"",
        crate::core::limits::quote(text)
    );
    Ok(r)
}

/// Analyzes the scene at its parameters and prints the result; `rtol` is in (0, 1).
pub fn run(scene: &Scene, rtol: Option<f64>, json: bool) -> anyhow::Result<()> {
    let tol = match rtol {
        None => RankTolerance::NumpyDefault,
        Some(r) => {
            anyhow::ensure!(r > 0.0 && r < 1.0, "--rtol must be {RTOL_RULE}, not {r}");
            RankTolerance::Relative(r)
        }
    };
    let start = Instant::now();
    let analysis = analyze(&scene.model, &scene.parameters, &scene.data, tol)
        .with_context(|| format!("cannot analyze scene {}", scene_label(scene)))?;
    let analysis_ms = start.elapsed().as_secs_f64() * 1e3;
    if !analysis.loss.is_finite() {
        eprintln!(
            "warning: the loss at these parameters is {}, not a finite number; the spectra are not meaningful (rescale the parameters or the data)",
            analysis.loss
        );
    }
    if json {
        println!("{}", to_json(&analysis, tol, analysis_ms));
    } else {
        print!("{}", table(scene, &analysis, tol, analysis_ms));
    }
    Ok(())
}

fn scene_label(scene: &Scene) -> String {
    if scene.name.is_empty() {
        "(unnamed)".to_string()
    } else {
        crate::core::limits::quote(&scene.name)
    }
}

/// The JSON object of docs/DESIGN.md §6 (plus `rank_rule`, `hessian_rank_tol`,
/// `hessian_gauss_newton_distance` and `analysis_ms`).
fn to_json(a: &Analysis, tol: RankTolerance, analysis_ms: f64) -> serde_json::Value {
    json!({
        "n_params": a.n_params,
        "n_inputs": a.n_inputs,
        "loss": number(a.loss),
        "outputs": numbers(&a.outputs),
        "targets": numbers(&a.targets),
        "g_singular_values": numbers(&a.g_singular_values),
        "g_rank": a.g_rank,
        "rank_tol": number(a.rank_tol),
        "rank_rule": tol.rule_name(),
        "manifold_dim": a.manifold_dim,
        "hessian_eigenvalues": numbers(&a.hessian_eigenvalues),
        "hessian_rank": a.hessian_rank,
        "hessian_rank_tol": number(a.hessian_rank_tol),
        "gauss_newton_eigenvalues": numbers(&a.gauss_newton_eigenvalues),
        "hessian_gauss_newton_distance": number(a.hessian_gauss_newton_distance),
        "analysis_ms": number(analysis_ms),
    })
}

fn rule_description(tol: RankTolerance) -> String {
    match tol {
        RankTolerance::NumpyDefault => "numpy (σ_max·max(N,k)·ε)".to_string(),
        RankTolerance::Relative(r) => format!("relative ({r:e}·σ_max)"),
    }
}

/// A readable summary: scalars, then per-input outputs, then the spectra side by side.
fn table(scene: &Scene, a: &Analysis, tol: RankTolerance, analysis_ms: f64) -> String {
    let mut s = String::new();
    let rows = [
        ("scene", scene_label(scene)),
        ("parameters N", a.n_params.to_string()),
        ("inputs k", a.n_inputs.to_string()),
        ("loss", format!("{:.6e}", a.loss)),
        ("rank rule", rule_description(tol)),
        ("rank tolerance", format!("{:.3e}", a.rank_tol)),
        ("rank G", a.g_rank.to_string()),
        (
            "manifold dimension",
            format!("{} (N − rank G)", a.manifold_dim),
        ),
        (
            "rank H",
            format!("{} (tolerance {:.3e})", a.hessian_rank, a.hessian_rank_tol),
        ),
        (
            "‖H − (2/k)GGᵀ‖/‖H‖",
            format!("{:.3e}", a.hessian_gauss_newton_distance),
        ),
        ("analysis time", format!("{analysis_ms:.2} ms")),
    ];
    for (name, value) in rows {
        let _ = writeln!(s, "{name:<22}{value}");
    }

    let _ = writeln!(
        s,
        "\n{:>6}  {:>14}  {:>14}  {:>14}",
        "input", "output", "target", "residual"
    );
    for i in 0..a.n_inputs {
        let _ = writeln!(
            s,
            "{i:>6}  {:>14.6e}  {:>14.6e}  {:>14.6e}",
            a.outputs[i], a.targets[i], a.residuals[i]
        );
    }

    let _ = writeln!(
        s,
        "\n{:>6}  {:>14}  {:>14}  {:>14}",
        "j", "σ_j(G)", "λ_j(H)", "λ_j((2/k)GGᵀ)"
    );
    for j in 0..a.n_params {
        let sigma = a
            .g_singular_values
            .get(j)
            .map_or_else(String::new, |v| format!("{v:.6e}"));
        let _ = writeln!(
            s,
            "{j:>6}  {sigma:>14}  {:>14.6e}  {:>14.6e}",
            a.hessian_eigenvalues[j], a.gauss_newton_eigenvalues[j]
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rtol_outside_zero_to_one_is_rejected_naming_what_was_written() {
        let scene = Scene::resolve("perpendicular").unwrap();
        for bad in [0.0, -1e-3, 1.0, 2.0, 1e308, f64::NAN, f64::INFINITY] {
            let err = run(&scene, Some(bad), true).unwrap_err().to_string();
            assert!(
                err.starts_with("--rtol must be a number between 0 and 1"),
                "{err}"
            );
        }
        for bad in ["2", "1e308", "-inf", "nan", "0", "abc", ""] {
            let err = parse_rtol(bad).unwrap_err().to_string();
            assert!(
                err.starts_with("--rtol must be a number between 0 and 1")
                    && err.contains(&format!("\"{bad}\"")),
                "{err}"
            );
        }
        assert!((parse_rtol("1e-6").unwrap() - 1e-6).abs() < 1e-21);
    }

    /// The JSON object carries every field docs/DESIGN.md §6 names, consistent with each other.
    #[test]
    fn json_has_the_contract_fields() {
        let scene = Scene::resolve("parallel").unwrap();
        let tol = RankTolerance::Relative(1e-6);
        let a = analyze(&scene.model, &scene.parameters, &scene.data, tol).unwrap();
        let v = to_json(&a, tol, 0.5);
        for field in [
            "n_params",
            "n_inputs",
            "loss",
            "outputs",
            "targets",
            "g_singular_values",
            "g_rank",
            "rank_tol",
            "rank_rule",
            "manifold_dim",
            "hessian_eigenvalues",
            "hessian_rank",
            "gauss_newton_eigenvalues",
            "hessian_gauss_newton_distance",
            "analysis_ms",
        ] {
            assert!(v.get(field).is_some(), "missing {field}");
        }
        assert_eq!(v["rank_rule"], "relative");
        assert_eq!(v["n_params"], 3);
        assert_eq!(v["g_rank"], 1);
        assert_eq!(v["manifold_dim"], 2);
        assert_eq!(v["hessian_eigenvalues"].as_array().unwrap().len(), 3);
        assert_eq!(v["gauss_newton_eigenvalues"].as_array().unwrap().len(), 3);
        let sigma: Vec<f64> = v["g_singular_values"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_f64().unwrap())
            .collect();
        assert!(sigma.windows(2).all(|w| w[0] >= w[1]));
    }
}
