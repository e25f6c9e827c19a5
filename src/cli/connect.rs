//! `basinscope connect A B`: loss and error along the path between two models, their
//! barriers, before and after permutation alignment (docs/DESIGN.md §1 and §6).

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;

use anyhow::{Context as _, bail};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{Value, json};

use super::json::{number, numbers};
use crate::core::Scene;
use crate::core::align::{AlignMethod, Alignment, align, check_same_architecture};
use crate::core::bezier::{BezierConfig, BezierEnd, BezierFit, fit_bezier};
use crate::core::files::{check_distinct_outputs, check_output_target};
use crate::core::models::NamedModel;
use crate::core::paths::{DEFAULT_POINTS, Path, PathProfile, evaluate_path, t_grid};

/// Most Bézier steps one call accepts.
const MAX_BEZIER_STEPS: usize = 10_000_000;

/// Arguments of `basinscope connect`.
#[derive(clap::Args, Debug)]
pub struct ConnectArgs {
    /// Model A: a scene file or the name of a built-in scene (its data is used).
    pub a: String,
    /// Model B: a scene file or a built-in scene with the same architecture.
    pub b: String,
    /// Permutation alignment of B to A: none, weights or activations.
    #[arg(long, default_value = "none")]
    pub align: String,
    /// linear, or bezier (a quadratic Bézier whose control point is trained).
    #[arg(long, default_value = "linear")]
    pub path: String,
    /// Points of the t grid (both ends included).
    #[arg(long, default_value_t = DEFAULT_POINTS)]
    pub points: usize,
    /// Writes B after alignment as a scene; its models list holds A, B and the aligned B
    /// (and the Bézier control point), for `render --view path`.
    #[arg(long)]
    pub out_aligned: Option<PathBuf>,
    /// Seed of weight matching's layer order and of the Bézier fit's t draws.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Adam steps of the Bézier fit.
    #[arg(long, default_value_t = 2000)]
    pub bezier_steps: usize,
    /// Prints one JSON object on stdout.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: &ConnectArgs) -> anyhow::Result<()> {
    let Some(method) = AlignMethod::parse(&args.align) else {
        bail!(
            "--align must be none, weights or activations, not \"{}\"",
            args.align
        );
    };
    let bezier = match args.path.as_str() {
        "linear" => false,
        "bezier" => true,
        other => bail!("--path must be linear or bezier, not \"{other}\""),
    };
    if args.bezier_steps > MAX_BEZIER_STEPS {
        bail!(
            "--bezier-steps {} is more than the limit of {MAX_BEZIER_STEPS}",
            args.bezier_steps
        );
    }
    let t = t_grid(args.points).context("--points")?;
    check_out_aligned(args)?;
    let scene_a = super::load_scene(&args.a)?;
    let scene_b = super::load_scene(&args.b)?;
    check_same_architecture(&scene_a.model, &scene_b.model)
        .with_context(|| format!("cannot connect {} and {}", args.a, args.b))?;
    if scene_a.data != scene_b.data {
        eprintln!(
            "note: the two scenes have different data; the path is evaluated on A's ({})",
            args.a
        );
    }
    let (spec, data) = (&scene_a.model, &scene_a.data);
    let (theta_a, theta_b) = (&scene_a.parameters, &scene_b.parameters);

    let alignment = align(method, spec, theta_a, theta_b, data, args.seed)?;
    if method != AlignMethod::None {
        eprintln!(
            "aligned B to A by {}{}",
            method.words(),
            if method == AlignMethod::Weights {
                format!(" ({} sweeps)", alignment.sweeps)
            } else {
                String::new()
            }
        );
    }
    let before = (method != AlignMethod::None)
        .then(|| {
            evaluate_path(
                spec,
                data,
                &Path::Linear {
                    a: theta_a,
                    b: theta_b,
                },
                &t,
            )
        })
        .transpose()?;
    let aligned_b = &alignment.theta_aligned;
    let fit = bezier
        .then(|| fit_with_progress(&scene_a, theta_a, aligned_b, args))
        .transpose()?;
    let profile = match &fit {
        Some(fit) => evaluate_path(
            spec,
            data,
            &Path::Bezier {
                a: theta_a,
                control: &fit.control,
                b: aligned_b,
            },
            &t,
        )?,
        None => evaluate_path(
            spec,
            data,
            &Path::Linear {
                a: theta_a,
                b: aligned_b,
            },
            &t,
        )?,
    };

    if let Some(out) = &args.out_aligned {
        let scene = aligned_scene(&scene_b, args, &scene_a, &alignment, fit.as_ref());
        scene
            .save(out)
            .with_context(|| format!("cannot write the aligned scene to {}", out.display()))?;
        eprintln!("wrote B aligned to A as {}", out.display());
    }

    if args.json {
        println!(
            "{}",
            report_json(args, &alignment, &profile, before.as_ref(), fit.as_ref())
        );
    } else {
        print_summary(args, &alignment, &profile, before.as_ref());
    }
    Ok(())
}

fn fit_with_progress(
    scene_a: &Scene,
    theta_a: &[f64],
    theta_b: &[f64],
    args: &ConnectArgs,
) -> anyhow::Result<BezierFit> {
    let bar = ProgressBar::new(args.bezier_steps as u64).with_style(
        ProgressStyle::with_template(
            "Bézier fit {bar:40} {pos}/{len} steps, loss {msg} ({elapsed})",
        )
        .expect("the template is valid"),
    );
    let config = BezierConfig {
        steps: args.bezier_steps,
        seed: args.seed,
        ..BezierConfig::default()
    };
    let fit = fit_bezier(
        &scene_a.model,
        &scene_a.data,
        theta_a,
        theta_b,
        &config,
        &AtomicBool::new(false),
        |step, loss| {
            if step % 50 == 0 {
                bar.set_message(format!("{loss:.3e}"));
            }
            bar.inc(1);
        },
    )?;
    bar.finish_and_clear();
    if let BezierEnd::Diverged(message) = &fit.end {
        eprintln!("warning: {message}");
    }
    Ok(fit)
}

/// B relabeled, with the models list that `render --view path` draws.
fn aligned_scene(
    scene_b: &Scene,
    args: &ConnectArgs,
    scene_a: &Scene,
    alignment: &Alignment,
    fit: Option<&BezierFit>,
) -> Scene {
    let mut scene = scene_b.clone();
    scene.parameters.clone_from(&alignment.theta_aligned);
    // Scene names, or the arguments when they do not tell the two apart.
    let (name_a, name_b) =
        if scene_a.name.is_empty() || scene_b.name.is_empty() || scene_a.name == scene_b.name {
            (args.a.clone(), args.b.clone())
        } else {
            (scene_a.name.clone(), scene_b.name.clone())
        };
    scene.name = format!("{name_b} aligned to {name_a}");
    scene.description = format!(
        "{name_b} with its hidden units permuted by {} to {name_a} (the same function)",
        alignment.method.words()
    );
    scene.models = vec![
        NamedModel {
            name: format!("A: {name_a}"),
            parameters: scene_a.parameters.clone(),
        },
        NamedModel {
            name: format!("B: {name_b}"),
            parameters: scene_b.parameters.clone(),
        },
        NamedModel {
            name: format!("B aligned ({})", alignment.method.name()),
            parameters: alignment.theta_aligned.clone(),
        },
    ];
    if let Some(fit) = fit {
        scene.models.push(NamedModel {
            name: crate::app::scene_path::BEZIER_CONTROL_NAME.into(),
            parameters: fit.control.clone(),
        });
    }
    scene
}

/// Refuses a bad `--out-aligned` before any work, and one that would overwrite A or B.
fn check_out_aligned(args: &ConnectArgs) -> anyhow::Result<()> {
    let Some(out) = &args.out_aligned else {
        return Ok(());
    };
    check_output_target("--out-aligned", out)?;
    let inputs: Vec<(&str, &std::path::Path)> = [("scene A", &args.a), ("scene B", &args.b)]
        .into_iter()
        .filter_map(|(label, name)| super::input_file(name).map(|p| (label, p)))
        .collect();
    check_distinct_outputs(&inputs, &[("--out-aligned", out.as_path())])?;
    Ok(())
}

fn report_json(
    args: &ConnectArgs,
    alignment: &Alignment,
    profile: &PathProfile,
    before: Option<&PathProfile>,
    fit: Option<&BezierFit>,
) -> Value {
    let mut doc = json!({
        "path": args.path,
        "points": profile.t.len(),
        "t": numbers(&profile.t),
        "loss": numbers(&profile.loss),
        "error": profile.error.as_deref().map(numbers),
        "barrier_mean": number(profile.loss_barriers.mean),
        "barrier_chord": number(profile.loss_barriers.chord),
        "barrier_t": number(profile.loss_barriers.t_max),
        "error_barrier_mean": profile.error_barriers.map(|b| number(b.mean)),
        "error_barrier_chord": profile.error_barriers.map(|b| number(b.chord)),
        "loss_a": number(profile.loss[0]),
        "loss_b": number(profile.loss[profile.loss.len() - 1]),
        "alignment": alignment.method.name(),
    });
    if alignment.method == AlignMethod::Weights {
        doc["permutations"] = json!(alignment.permutations);
        doc["sweeps"] = json!(alignment.sweeps);
    } else if alignment.method == AlignMethod::Activations {
        doc["permutations"] = json!(alignment.permutations);
    }
    if let Some(before) = before {
        doc["before_alignment"] = json!({
            "loss": numbers(&before.loss),
            "error": before.error.as_deref().map(numbers),
            "barrier_mean": number(before.loss_barriers.mean),
            "barrier_chord": number(before.loss_barriers.chord),
            "error_barrier_mean": before.error_barriers.map(|b| number(b.mean)),
        });
    }
    if let Some(fit) = fit {
        doc["bezier"] = json!({
            "steps": fit.steps_done,
            "diverged": matches!(fit.end, BezierEnd::Diverged(_)),
            "control_point": numbers(&fit.control),
        });
    }
    doc
}

fn print_summary(
    args: &ConnectArgs,
    alignment: &Alignment,
    profile: &PathProfile,
    before: Option<&PathProfile>,
) {
    let n = profile.t.len();
    println!(
        "{} path from {} to {}{}, {n}-point t grid",
        args.path,
        args.a,
        args.b,
        match alignment.method {
            AlignMethod::None => String::new(),
            m => format!(" (aligned by {})", m.words()),
        }
    );
    println!(
        "loss: A {:.6e}, B {:.6e}, max {:.6e} at t = {:.3}",
        profile.loss[0],
        profile.loss[n - 1],
        profile.max_loss(),
        profile.loss_barriers.t_max
    );
    if let Some(before) = before {
        println!(
            "before alignment: barrier_mean {:.6e}, barrier_chord {:.6e}",
            before.loss_barriers.mean, before.loss_barriers.chord
        );
    }
    println!(
        "barrier_mean {:.6e}, barrier_chord {:.6e}",
        profile.loss_barriers.mean, profile.loss_barriers.chord
    );
    if let Some(e) = profile.error_barriers {
        println!("error_barrier_mean {:.4}", e.mean);
    }
}
