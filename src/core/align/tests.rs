use std::sync::atomic::AtomicBool;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::*;
use crate::core::Activation;
use crate::core::bezier::{BezierConfig, BezierEnd, fit_bezier};
use crate::core::models::train_model;
use crate::core::paths::{Path, evaluate_path, t_grid};
use crate::core::scene::Scene;

fn random_permutations(spec: &MlpSpec, seed: u64) -> Vec<Vec<usize>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    identity_permutations(spec)
        .into_iter()
        .map(|mut p| {
            p.shuffle(&mut rng);
            p
        })
        .collect()
}

fn random_inputs(d: usize, n: usize, seed: u64) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n * d).map(|_| rng.random_range(-3.0..3.0)).collect()
}

#[allow(clippy::float_cmp)] // equal outputs (both zero) pass too
fn assert_same_function(spec: &MlpSpec, theta: &[f64], other: &[f64]) {
    let xs = random_inputs(spec.input_dim(), 200, 9);
    let (f, g) = (spec.forward_many(theta, &xs), spec.forward_many(other, &xs));
    for (a, b) in f.iter().zip(&g) {
        assert!(
            (a - b).abs() <= 1e-9 * a.abs().max(1e-300) || a == b,
            "outputs differ: {a} vs {b}"
        );
    }
}

fn architectures() -> Vec<MlpSpec> {
    let mut specs = Vec::new();
    for bias in [true, false] {
        for act in [Activation::Tanh, Activation::Relu, Activation::Gelu] {
            specs.push(MlpSpec::new(vec![3, 7, 5, 4, 1], act, bias).unwrap());
        }
        specs.push(MlpSpec::new(vec![2, 9, 1], Activation::Sigmoid, bias).unwrap());
        specs.push(MlpSpec::new(vec![2, 1], Activation::Tanh, bias).unwrap());
    }
    specs
}

#[test]
fn permuted_and_aligned_models_compute_the_same_function_on_random_inputs() {
    let data = crate::core::Preset::Moons.generate(32, 0.1, 0);
    for (s, spec) in architectures().iter().enumerate() {
        let a = spec.init_parameters(10 + s as u64);
        let b = spec.init_parameters(100 + s as u64);
        let permuted = apply_permutations(spec, &b, &random_permutations(spec, s as u64));
        assert_same_function(spec, &b, &permuted);
        let wm = weight_matching(spec, &a, &b, 1, MAX_SWEEPS).unwrap();
        assert_same_function(spec, &b, &wm.theta_aligned);
        assert!(wm.inner_product_after >= wm.inner_product_before - 1e-12);
        if spec.input_dim() == 2 {
            let am = activation_matching(spec, &a, &b, &data).unwrap();
            assert_same_function(spec, &b, &am.theta_aligned);
        }
    }
}

#[test]
#[allow(clippy::float_cmp)] // exact zeros are the claim
fn aligning_a_permuted_copy_recovers_the_original_and_a_zero_barrier() {
    let data = crate::core::Preset::Moons.generate(32, 0.1, 0);
    for (s, spec) in architectures().iter().enumerate() {
        let a = spec.init_parameters(40 + s as u64);
        let perms = random_permutations(spec, 7 + s as u64);
        let b = apply_permutations(spec, &a, &perms);
        let wm = weight_matching(spec, &a, &b, 3, MAX_SWEEPS).unwrap();
        assert_eq!(wm.theta_aligned, a, "weight matching on {:?}", spec.layers);
        // Unit i of the aligned B is unit perm[i] of B, and unit j of B is unit perms[j]
        // of A, so the recovered permutation inverts the one applied.
        for (found, applied) in wm.permutations.iter().zip(&perms) {
            for (i, &j) in found.iter().enumerate() {
                assert_eq!(applied[j], i);
            }
        }
        let path = Path::Linear {
            a: &a,
            b: &wm.theta_aligned,
        };
        let profile =
            evaluate_path(spec, &data_for(spec, &data), &path, &t_grid(25).unwrap()).unwrap();
        assert_eq!(profile.loss_barriers.mean, 0.0);
        assert_eq!(profile.loss_barriers.chord, 0.0);
        if spec.input_dim() == 2 {
            let am = activation_matching(spec, &a, &b, &data).unwrap();
            assert_eq!(
                am.theta_aligned, a,
                "activation matching on {:?}",
                spec.layers
            );
        }
    }
}

fn data_for(spec: &MlpSpec, moons: &Dataset) -> Dataset {
    if spec.input_dim() == 2 {
        return moons.clone();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    Dataset {
        inputs: (0..16)
            .map(|_| {
                (0..spec.input_dim())
                    .map(|_| rng.random_range(-1.0..1.0))
                    .collect()
            })
            .collect(),
        targets: (0..16).map(|_| rng.random_range(-1.0..1.0)).collect(),
    }
}

#[test]
fn different_architectures_are_refused_in_one_sentence_naming_the_difference() {
    let a = MlpSpec::new(vec![2, 8, 1], Activation::Tanh, true).unwrap();
    let wider = MlpSpec::new(vec![2, 9, 1], Activation::Tanh, true).unwrap();
    let relu = MlpSpec::new(vec![2, 8, 1], Activation::Relu, true).unwrap();
    let no_bias = MlpSpec::new(vec![2, 8, 1], Activation::Tanh, false).unwrap();
    let msg = check_same_architecture(&a, &wider).unwrap_err().to_string();
    assert!(
        msg.contains("[2, 8, 1]") && msg.contains("[2, 9, 1]"),
        "{msg}"
    );
    let msg = check_same_architecture(&a, &relu).unwrap_err().to_string();
    assert!(msg.contains("tanh") && msg.contains("relu"), "{msg}");
    let msg = check_same_architecture(&a, &no_bias)
        .unwrap_err()
        .to_string();
    assert!(msg.contains("biases"), "{msg}");
    assert!(check_same_architecture(&a, &a.clone()).is_ok());
}

/// Two [2, 64, 1] relu networks trained on the circles scene (its data, activation and
/// training settings) from init seeds 1 and 2.
fn trained_pair() -> (MlpSpec, Dataset, Vec<f64>, Vec<f64>) {
    let scene = Scene::resolve("circles").unwrap();
    let spec = MlpSpec::new(vec![2, 64, 1], scene.model.activation, true).unwrap();
    let stop = AtomicBool::new(false);
    let train = |seed| {
        train_model(
            &spec,
            &scene.data,
            &scene.training,
            seed,
            1500,
            &stop,
            |_| {},
        )
        .unwrap()
        .parameters
    };
    let (a, b) = (train(1), train(2));
    (spec, scene.data, a, b)
}

#[test]
fn weight_matching_lowers_the_barrier_between_independently_trained_networks_and_a_bezier_path_lowers_the_peak()
 {
    let (spec, data, a, b) = trained_pair();
    let t = t_grid(25).unwrap();
    let before = evaluate_path(&spec, &data, &Path::Linear { a: &a, b: &b }, &t).unwrap();
    let wm = weight_matching(&spec, &a, &b, 0, MAX_SWEEPS).unwrap();
    let after = evaluate_path(
        &spec,
        &data,
        &Path::Linear {
            a: &a,
            b: &wm.theta_aligned,
        },
        &t,
    )
    .unwrap();
    let am = activation_matching(&spec, &a, &b, &data).unwrap();
    let after_am = evaluate_path(
        &spec,
        &data,
        &Path::Linear {
            a: &a,
            b: &am.theta_aligned,
        },
        &t,
    )
    .unwrap();
    println!(
        "[2, 64, 1] relu on circles, seeds 1 and 2, 25-point grid: endpoint losses {:.5} and {:.5}",
        before.loss[0], before.loss[24]
    );
    println!(
        "mean barrier: before {:.5}, after weight matching {:.5} ({} sweeps), after activation matching {:.5}",
        before.loss_barriers.mean, after.loss_barriers.mean, wm.sweeps, after_am.loss_barriers.mean
    );
    println!(
        "chord barrier: before {:.5}, after weight matching {:.5}, after activation matching {:.5}",
        before.loss_barriers.chord, after.loss_barriers.chord, after_am.loss_barriers.chord
    );
    assert!(after.loss_barriers.mean < before.loss_barriers.mean);
    assert!(after.loss_barriers.chord < before.loss_barriers.chord);
    assert!(after_am.loss_barriers.mean < before.loss_barriers.mean);

    let fit = fit_bezier(
        &spec,
        &data,
        &a,
        &b,
        &BezierConfig::default(),
        &AtomicBool::new(false),
        |_, _| {},
    )
    .unwrap();
    assert_eq!(fit.end, BezierEnd::Finished);
    let curved = evaluate_path(
        &spec,
        &data,
        &Path::Bezier {
            a: &a,
            control: &fit.control,
            b: &b,
        },
        &t,
    )
    .unwrap();
    println!(
        "max loss along the path: linear {:.5}, Bézier {:.5}",
        before.max_loss(),
        curved.max_loss()
    );
    assert!(curved.max_loss() < before.max_loss());
}

#[test]
fn a_bezier_fit_stops_at_once_when_asked_and_keeps_a_finite_control_point_on_divergence() {
    let spec = MlpSpec::new(vec![2, 8, 1], Activation::Tanh, true).unwrap();
    let data = crate::core::Preset::Xor.generate(4, 0.0, 0);
    let (a, b) = (spec.init_parameters(1), spec.init_parameters(2));
    let stop = AtomicBool::new(true);
    let fit = fit_bezier(
        &spec,
        &data,
        &a,
        &b,
        &BezierConfig::default(),
        &stop,
        |_, _| {},
    )
    .unwrap();
    assert_eq!((fit.end, fit.steps_done), (BezierEnd::Cancelled, 0));

    // A learning rate of 1e300 throws the control point to infinity on the first step.
    let config = BezierConfig {
        learning_rate: 1e300,
        ..BezierConfig::default()
    };
    let fit = fit_bezier(
        &spec,
        &data,
        &a,
        &b,
        &config,
        &AtomicBool::new(false),
        |_, _| {},
    )
    .unwrap();
    assert!(matches!(fit.end, BezierEnd::Diverged(_)), "{:?}", fit.end);
    assert!(fit.control.iter().all(|c| c.is_finite()));
}
