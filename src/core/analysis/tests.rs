//! Claims of the analysis engine, each checked against an independent reference:
//! finite differences of `MlpSpec::forward`, `MlpSpec::gradient` and `train::mse_loss`,
//! closed forms for linear models, and the defining equations of the decompositions.

use nalgebra::{DMatrix, SymmetricEigen};

use super::*;
use crate::core::train::mse_loss;
use crate::core::{Activation, Scene};

fn spec(layers: &[usize], activation: Activation, bias: bool) -> MlpSpec {
    MlpSpec::new(layers.to_vec(), activation, bias).unwrap()
}

fn dataset(inputs: &[&[f64]]) -> Dataset {
    Dataset {
        inputs: inputs.iter().map(|x| x.to_vec()).collect(),
        targets: (0..inputs.len()).map(|i| 0.5 - 0.3 * i as f64).collect(),
    }
}

/// Five 2-D inputs spread over [−1.3, 1.4]².
fn five_points() -> Dataset {
    dataset(&[
        &[0.3, -1.2],
        &[1.1, 0.4],
        &[-0.7, 0.9],
        &[-1.3, -0.5],
        &[0.2, 1.4],
    ])
}

/// The smooth activations and the piecewise-linear ones (tested away from kinks).
const ACTIVATIONS: [Activation; 7] = Activation::ALL;

/// Smallest |z| over all hidden pre-activations: finite differences of a piecewise-linear
/// network are only meaningful when no perturbation crosses a kink.
fn distance_to_kinks(spec: &MlpSpec, theta: &[f64], data: &Dataset) -> f64 {
    data.inputs
        .iter()
        .flat_map(|x| {
            let t = spec.trace(theta, x);
            t.pre_activations[..t.pre_activations.len() - 1].concat()
        })
        .fold(f64::INFINITY, |m, z| m.min(z.abs()))
}

/// Parameters for a finite-difference test: seeded init, and for relu/leaky_relu a seed
/// whose pre-activations stay clear of the kink.
fn smooth_parameters(spec: &MlpSpec, data: &Dataset) -> Vec<f64> {
    (0..100)
        .map(|seed| spec.init_parameters(seed))
        .find(|theta| distance_to_kinks(spec, theta, data) > 0.02)
        .expect("some seed keeps every pre-activation away from the kink")
}

fn loss_gradient(spec: &MlpSpec, theta: &[f64], data: &Dataset) -> Vec<f64> {
    let k = data.n_inputs() as f64;
    let mut grad = vec![0.0; theta.len()];
    for (x, y) in data.inputs.iter().zip(&data.targets) {
        let r = spec.forward(theta, x) - y;
        for (g, d) in grad.iter_mut().zip(spec.gradient(theta, x)) {
            *g += 2.0 / k * r * d;
        }
    }
    grad
}

fn max_abs(m: &DMatrix<f64>) -> f64 {
    m.iter().fold(0.0_f64, |a, v| a.max(v.abs()))
}

#[test]
fn perpendicular_scene_has_rank_two_and_a_line_of_solutions() {
    let scene = Scene::resolve("perpendicular").unwrap();
    let a = analyze(
        &scene.model,
        &scene.parameters,
        &scene.data,
        RankTolerance::NumpyDefault,
    )
    .unwrap();
    assert_eq!((a.n_params, a.n_inputs), (3, 2));
    assert_eq!(a.g_rank, 2);
    assert_eq!(a.manifold_dim, 1);
    assert_eq!(a.tangent_basis.ncols(), 1);
}

#[test]
fn parallel_scene_has_rank_one_and_a_plane_of_solutions() {
    let scene = Scene::resolve("parallel").unwrap();
    let a = analyze(
        &scene.model,
        &scene.parameters,
        &scene.data,
        RankTolerance::NumpyDefault,
    )
    .unwrap();
    assert_eq!(a.g_rank, 1);
    assert_eq!(a.manifold_dim, 2);
    assert_eq!(a.normal_basis.ncols(), 1);
}

/// For f = w·x (+ b), ∇_θ f(x_i) = x_i (then 1 for the bias): G is the input matrix.
#[test]
fn linear_model_gradients_are_the_inputs() {
    let data = dataset(&[
        &[1.0, 0.5, -2.0],
        &[-0.5, 1.0, 0.25],
        &[3.0, 0.0, 1.0],
        &[0.1, 0.2, 0.3],
    ]);
    for bias in [false, true] {
        let spec = spec(&[3, 1], Activation::Identity, bias);
        let theta = spec.init_parameters(5);
        let g = behavioral_gradients(&spec, &theta, &data);
        assert_eq!(g.shape(), (spec.n_params(), 4));
        for (i, x) in data.inputs.iter().enumerate() {
            for j in 0..3 {
                assert_eq!(g[(j, i)], x[j]);
            }
            if bias {
                assert_eq!(g[(3, i)], 1.0);
            }
        }
    }
}

#[test]
fn behavioral_gradients_match_finite_differences_of_forward() {
    let data = five_points();
    for activation in ACTIVATIONS {
        for bias in [true, false] {
            let spec = spec(&[2, 4, 3, 1], activation, bias);
            let theta = smooth_parameters(&spec, &data);
            let g = behavioral_gradients(&spec, &theta, &data);
            let h = 1e-6;
            for (i, x) in data.inputs.iter().enumerate() {
                for j in 0..theta.len() {
                    let (mut plus, mut minus) = (theta.clone(), theta.clone());
                    plus[j] += h;
                    minus[j] -= h;
                    let fd = (spec.forward(&plus, x) - spec.forward(&minus, x)) / (2.0 * h);
                    assert!(
                        (fd - g[(j, i)]).abs() < 1e-7,
                        "{activation} bias={bias} G[{j},{i}]: fd {fd} vs {}",
                        g[(j, i)]
                    );
                }
            }
        }
    }
}

/// Column j of H equals the central difference of ∇L (from `MlpSpec::gradient`) along e_j.
#[test]
fn loss_hessian_matches_finite_differences_of_the_loss_gradient() {
    let data = five_points();
    for activation in ACTIVATIONS {
        for bias in [true, false] {
            let spec = spec(&[2, 4, 3, 1], activation, bias);
            let theta = smooth_parameters(&spec, &data);
            let hessian = loss_hessian(&spec, &theta, &data);
            let scale = max_abs(&hessian).max(1.0);
            let h = 1e-5;
            for j in 0..theta.len() {
                let (mut plus, mut minus) = (theta.clone(), theta.clone());
                plus[j] += h;
                minus[j] -= h;
                let (gp, gm) = (
                    loss_gradient(&spec, &plus, &data),
                    loss_gradient(&spec, &minus, &data),
                );
                for r in 0..theta.len() {
                    let fd = (gp[r] - gm[r]) / (2.0 * h);
                    assert!(
                        (fd - hessian[(r, j)]).abs() < 1e-7 * scale,
                        "{activation} bias={bias} H[{r},{j}]: fd {fd} vs {}",
                        hessian[(r, j)]
                    );
                }
            }
        }
    }
}

/// H_ab equals the four-point second difference of `train::mse_loss`.
#[test]
fn loss_hessian_matches_second_differences_of_mse_loss() {
    let data = five_points();
    for activation in [
        Activation::Tanh,
        Activation::Gelu,
        Activation::Relu,
        Activation::Softplus,
    ] {
        for bias in [true, false] {
            let spec = spec(&[2, 3, 2, 1], activation, bias);
            let theta = smooth_parameters(&spec, &data);
            let hessian = loss_hessian(&spec, &theta, &data);
            let scale = max_abs(&hessian).max(1.0);
            let h = 1e-4;
            let loss_at = |da: usize, sa: f64, db: usize, sb: f64| {
                let mut t = theta.clone();
                t[da] += sa * h;
                t[db] += sb * h;
                mse_loss(&spec, &t, &data)
            };
            for a in 0..theta.len() {
                for b in 0..theta.len() {
                    let fd = (loss_at(a, 1.0, b, 1.0)
                        - loss_at(a, 1.0, b, -1.0)
                        - loss_at(a, -1.0, b, 1.0)
                        + loss_at(a, -1.0, b, -1.0))
                        / (4.0 * h * h);
                    assert!(
                        (fd - hessian[(a, b)]).abs() < 1e-5 * scale,
                        "{activation} bias={bias} H[{a},{b}]: fd {fd} vs {}",
                        hessian[(a, b)]
                    );
                }
            }
        }
    }
}

/// ∇²f(x) equals the central difference of `MlpSpec::gradient`, for every activation and
/// a network three hidden layers deep.
#[test]
fn output_hessian_matches_finite_differences_of_the_gradient() {
    let x = [0.4, -0.9];
    let data = dataset(&[&x]);
    for activation in ACTIVATIONS {
        let spec = spec(&[2, 3, 3, 2, 1], activation, true);
        let theta = smooth_parameters(&spec, &data);
        let hessian = output_hessian(&spec, &theta, &x);
        let h = 1e-5;
        for j in 0..theta.len() {
            let (mut plus, mut minus) = (theta.clone(), theta.clone());
            plus[j] += h;
            minus[j] -= h;
            let (gp, gm) = (spec.gradient(&plus, &x), spec.gradient(&minus, &x));
            for r in 0..theta.len() {
                let fd = (gp[r] - gm[r]) / (2.0 * h);
                assert!(
                    (fd - hessian[(r, j)]).abs() < 1e-7,
                    "{activation} ∇²f[{r},{j}]: fd {fd} vs {}",
                    hessian[(r, j)]
                );
            }
        }
    }
}

/// With targets set to the network's own outputs every r_i = 0, so H = (2/k)GGᵀ and
/// rank H = rank G — including when a duplicated input makes G rank-deficient.
#[test]
fn at_zero_residual_hessian_is_gauss_newton_and_ranks_agree() {
    let mut data = five_points();
    data.inputs.push(data.inputs[1].clone());
    data.targets.push(0.0);
    for activation in ACTIVATIONS {
        let spec = spec(&[2, 4, 3, 1], activation, true);
        let theta = spec.init_parameters(11);
        let mut fitted = data.clone();
        fitted.targets = fitted
            .inputs
            .iter()
            .map(|x| spec.forward(&theta, x))
            .collect();
        let a = analyze(&spec, &theta, &fitted, RankTolerance::NumpyDefault).unwrap();
        assert!(a.loss < 1e-30, "{activation}: loss {}", a.loss);
        let r = a.g_rank;
        assert!((1..=5).contains(&r), "{activation}: rank {r}");
        // Precondition of the comparison: G's kept singular values are not so small that
        // squaring them falls below the Hessian's threshold.
        assert!(
            a.g_singular_values[r - 1] / a.g_singular_values[0] > 1e-6,
            "{activation}: G ill-conditioned"
        );
        assert_eq!(a.hessian_rank, r, "{activation}: rank H vs rank G");
        let gn = (&a.behavioral_gradients * a.behavioral_gradients.transpose()) * (2.0 / 6.0);
        assert!(
            (&a.hessian - &gn).norm() <= 1e-9 * gn.norm(),
            "{activation}"
        );
        assert!(a.hessian_gauss_newton_distance <= 1e-9, "{activation}");
    }
}

/// Away from a minimum the residual term makes H differ from (2/k)GGᵀ.
#[test]
fn away_from_zero_residual_hessian_differs_from_gauss_newton() {
    let spec = spec(&[2, 4, 3, 1], Activation::Tanh, true);
    let theta = spec.init_parameters(3);
    let a = analyze(&spec, &theta, &five_points(), RankTolerance::NumpyDefault).unwrap();
    assert!(a.loss > 1e-3);
    assert!(a.hessian_gauss_newton_distance > 1e-3);
}

#[test]
fn duplicating_an_input_lowers_the_rank_by_one() {
    let spec = spec(&[2, 5, 1], Activation::Tanh, true);
    assert!(spec.n_params() >= 4);
    let theta = spec.init_parameters(2);
    let distinct = dataset(&[&[0.3, -1.2], &[1.1, 0.4], &[-0.7, 0.9], &[-1.3, -0.5]]);
    let mut duplicated = distinct.clone();
    duplicated.inputs[1] = duplicated.inputs[0].clone();
    let rank = |d: &Dataset| {
        analyze(&spec, &theta, d, RankTolerance::NumpyDefault)
            .unwrap()
            .g_rank
    };
    assert_eq!(rank(&distinct), 4);
    assert_eq!(rank(&duplicated), 3);
}

/// The tangent basis is orthonormal and Gᵀ·T ≈ 0; the normal basis spans col(G)
/// (G − N Nᵀ G ≈ 0); together they are N orthonormal columns.
#[test]
fn tangent_and_normal_bases_split_parameter_space() {
    for (layers, k) in [(&[2usize, 4, 3, 1][..], 5usize), (&[2, 1][..], 5)] {
        let spec = spec(layers, Activation::Sigmoid, true);
        let theta = spec.init_parameters(9);
        let mut data = five_points();
        data.inputs.truncate(k);
        data.targets.truncate(k);
        let a = analyze(&spec, &theta, &data, RankTolerance::NumpyDefault).unwrap();
        let n = a.n_params;
        assert_eq!(a.normal_basis.ncols() + a.tangent_basis.ncols(), n);
        let mut both = a.normal_basis.clone().resize_horizontally(n, 0.0);
        both.columns_mut(a.g_rank, n - a.g_rank)
            .copy_from(&a.tangent_basis);
        assert!((both.transpose() * &both - DMatrix::identity(n, n)).norm() < 1e-12);
        let g = &a.behavioral_gradients;
        assert!(
            max_abs(&(g.transpose() * &a.tangent_basis)) <= a.rank_tol.max(1e-14 * g.norm()) * 10.0
        );
        let projected = &a.normal_basis * (a.normal_basis.transpose() * g);
        assert!((g - projected).norm() < 1e-12 * g.norm());
    }
}

/// The singular values and left singular vectors satisfy G Gᵀ u_j = σ_j² u_j, and the
/// Gauss–Newton eigenvalues match an independent eigendecomposition of (2/k)GGᵀ.
#[test]
fn spectra_satisfy_their_defining_equations() {
    let spec = spec(&[2, 4, 3, 1], Activation::Gelu, true);
    let theta = spec.init_parameters(4);
    let data = five_points();
    let a = analyze(&spec, &theta, &data, RankTolerance::NumpyDefault).unwrap();
    let g = &a.behavioral_gradients;
    let ggt = g * g.transpose();
    assert!(a.g_singular_values.windows(2).all(|w| w[0] >= w[1]));
    for (j, s) in a.g_singular_values.iter().enumerate() {
        let u = a.g_left_singular_vectors.column(j);
        assert!((&ggt * u - u * (s * s)).norm() < 1e-10 * ggt.norm());
    }
    let mut reference: Vec<f64> = SymmetricEigen::new(&ggt * (2.0 / 5.0))
        .eigenvalues
        .iter()
        .copied()
        .collect();
    reference.sort_by(|x, y| y.total_cmp(x));
    for (gn, r) in a.gauss_newton_eigenvalues.iter().zip(&reference) {
        assert!((gn - r).abs() < 1e-10 * reference[0]);
    }
    assert!(a.hessian_eigenvalues.windows(2).all(|w| w[0] >= w[1]));
    for (j, l) in a.hessian_eigenvalues.iter().enumerate() {
        let v = a.hessian_eigenvectors.column(j);
        assert!((&a.hessian * v - v * *l).norm() < 1e-10 * a.hessian.norm());
    }
    assert!((a.loss - mse_loss(&spec, &theta, &data)).abs() < 1e-14);
}

/// For G = [e_1, 10⁻³ e_2] (a linear model on those inputs) the singular values are 1 and
/// 10⁻³: a relative tolerance of 10⁻² drops the second, 10⁻⁴ and numpy's rule keep it.
#[test]
fn relative_tolerance_counts_singular_values_above_r_sigma_max() {
    let spec = spec(&[3, 1], Activation::Identity, false);
    let data = dataset(&[&[1.0, 0.0, 0.0], &[0.0, 1e-3, 0.0]]);
    let theta = [0.1, 0.2, 0.3];
    let rank = |tol| analyze(&spec, &theta, &data, tol).unwrap();
    let coarse = rank(RankTolerance::Relative(1e-2));
    assert_eq!(coarse.g_rank, 1);
    assert!((coarse.rank_tol - 1e-2).abs() < 1e-15);
    assert_eq!(rank(RankTolerance::Relative(1e-4)).g_rank, 2);
    assert_eq!(rank(RankTolerance::NumpyDefault).g_rank, 2);
    assert!((coarse.g_singular_values[1] - 1e-3).abs() < 1e-15);
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(analyze(&spec, &theta, &data, RankTolerance::Relative(bad)).is_err());
    }
}

#[test]
fn mismatched_parameters_are_rejected() {
    let spec = spec(&[2, 3, 1], Activation::Tanh, true);
    assert!(
        analyze(
            &spec,
            &[0.0; 4],
            &five_points(),
            RankTolerance::NumpyDefault
        )
        .is_err()
    );
    let mut theta = spec.init_parameters(0);
    theta[0] = f64::NAN;
    assert!(analyze(&spec, &theta, &five_points(), RankTolerance::NumpyDefault).is_err());
}

/// Walking distance 1 along the manifold of a [1, 8, 1] tanh network keeps the three
/// training outputs fixed while the function elsewhere changes.
#[test]
fn manifold_walk_keeps_training_outputs_and_changes_the_function() {
    let spec = spec(&[1, 8, 1], Activation::Tanh, true);
    let theta = spec.init_parameters(1);
    let data = dataset(&[&[-1.0], &[0.3], &[1.2]]);
    let start: Vec<f64> = data
        .inputs
        .iter()
        .map(|x| spec.forward(&theta, x))
        .collect();
    let walk = walk_manifold(&spec, &theta, &data, 0, 1.0, 0.0625).unwrap();
    assert_eq!(walk.path.len(), 17);
    for point in &walk.path {
        for (x, f0) in data.inputs.iter().zip(&start) {
            assert!((spec.forward(point, x) - f0).abs() <= 1e-6);
        }
    }
    assert!(walk.max_output_drift <= 1e-6);
    let end = walk.path.last().unwrap();
    let moved: f64 = end
        .iter()
        .zip(&theta)
        .map(|(a, b)| (a - b).powi(2))
        .sum::<f64>()
        .sqrt();
    assert!(moved > 0.5, "moved only {moved}");
    assert!(walk.distance >= 0.99, "distance {}", walk.distance);
    let change = (-30..=30)
        .map(|i| f64::from(i) * 0.1)
        .map(|x| (spec.forward(end, &[x]) - spec.forward(&theta, &[x])).abs())
        .fold(0.0_f64, f64::max);
    assert!(change > 1e-3, "the function changed by only {change}");
}

#[test]
fn walk_rejects_out_of_range_direction_and_bad_steps() {
    let scene = Scene::resolve("perpendicular").unwrap();
    let (s, t, d) = (&scene.model, &scene.parameters, &scene.data);
    assert!(walk_manifold(s, t, d, 1, 1.0, 0.1).is_err());
    assert!(walk_manifold(s, t, d, 0, 1.0, 0.0).is_err());
    assert!(walk_manifold(s, t, d, 0, f64::NAN, 0.1).is_err());
    assert!(walk_manifold(s, t, d, 0, 1e9, 1e-6).is_err());
    // The linear model's manifold is a straight line: the walk follows it exactly.
    let walk = walk_manifold(s, t, d, 0, 2.0, 0.5).unwrap();
    assert!((walk.distance - 2.0).abs() < 1e-9);
}

#[test]
fn identical_inputs_are_grouped_at_every_layer() {
    let spec = spec(&[2, 4, 3, 1], Activation::Tanh, true);
    let theta = spec.init_parameters(6);
    let data = dataset(&[&[0.3, -1.2], &[1.1, 0.4], &[0.3, -1.2], &[-0.7, 0.9]]);
    let info = information_loss(&spec, &theta, &data, 1e-12);
    assert_eq!(info.layers.len(), 2);
    for (l, layer) in info.layers.iter().enumerate() {
        assert_eq!(layer.layer, l + 1);
        assert_eq!(layer.groups, vec![vec![0, 2]]);
        assert_eq!(layer.pattern.len(), 4);
        assert!(
            layer
                .pattern
                .iter()
                .all(|row| row.len() == spec.layers[l + 1])
        );
    }
    let linear = MlpSpec::new(vec![2, 1], Activation::Identity, true).unwrap();
    assert!(
        information_loss(&linear, &[1.0, 2.0, 0.0], &data, 1e-12)
            .layers
            .is_empty()
    );
}

/// A relu unit with bias −100 has z < 0 on every input in [−1.3, 1.4]²: it is dead, and
/// (checked independently) the gradient of every output with respect to its incoming
/// weights and bias is zero.
#[test]
fn relu_unit_with_large_negative_bias_is_dead_for_all_inputs() {
    let spec = spec(&[2, 3, 1], Activation::Relu, true);
    let mut theta = spec.init_parameters(8);
    let bias_1 = spec.layouts()[0].bias_offset.unwrap() + 1;
    theta[bias_1] = -100.0;
    let data = five_points();
    let info = information_loss(&spec, &theta, &data, 1e-12);
    let layer = &info.layers[0];
    assert!(layer.dead_units.contains(&(1, vec![0, 1, 2, 3, 4])));
    assert!(layer.pattern.iter().all(|row| !row[1]));
    for x in &data.inputs {
        let g = spec.gradient(&theta, x);
        assert_eq!(g[2], 0.0);
        assert_eq!(g[3], 0.0);
        assert_eq!(g[bias_1], 0.0);
    }
}

/// One backpropagation: every column of G, from `behavioral_gradients` and from the
/// Hessian pass inside `analyze`, is `MlpSpec::gradient` at that input, bit for bit,
/// and the analysis outputs are `MlpSpec::forward`.
#[test]
fn behavioral_gradients_and_analysis_share_mlp_backprop_bit_for_bit() {
    let data = five_points();
    for act in ACTIVATIONS {
        for bias in [false, true] {
            let spec = spec(&[2, 4, 3, 1], act, bias);
            let theta = spec.init_parameters(11);
            let g = behavioral_gradients(&spec, &theta, &data);
            let a = analyze(&spec, &theta, &data, RankTolerance::NumpyDefault).unwrap();
            assert_eq!(a.behavioral_gradients, g, "{act} bias={bias}");
            for (i, x) in data.inputs.iter().enumerate() {
                let column: Vec<f64> = g.column(i).iter().copied().collect();
                assert_eq!(column, spec.gradient(&theta, x), "{act} bias={bias} x{i}");
                assert_eq!(
                    a.outputs[i],
                    spec.forward(&theta, x),
                    "{act} bias={bias} x{i}"
                );
            }
        }
    }
}

/// `analyze_gradients` (G and its SVD only) gives the fields of `analyze` bit for bit,
/// at full rank and with a duplicated input (rank < k), and refuses what `analyze` refuses.
#[test]
fn gradient_split_equals_the_full_analysis_bit_for_bit() {
    let mut duplicated = five_points();
    duplicated.inputs.push(duplicated.inputs[1].clone());
    duplicated.targets.push(0.0);
    for act in [Activation::Tanh, Activation::Relu, Activation::Gelu] {
        for data in [five_points(), duplicated.clone()] {
            let spec = spec(&[2, 3, 1], act, true);
            let theta = spec.init_parameters(4);
            for tol in [RankTolerance::NumpyDefault, RankTolerance::Relative(1e-3)] {
                let a = analyze(&spec, &theta, &data, tol).unwrap();
                let s = analyze_gradients(&spec, &theta, &data, tol).unwrap();
                assert_eq!(s.behavioral_gradients, a.behavioral_gradients);
                assert_eq!(s.g_singular_values, a.g_singular_values);
                assert_eq!(s.g_left_singular_vectors, a.g_left_singular_vectors);
                assert_eq!(s.rank_tol.to_bits(), a.rank_tol.to_bits());
                assert_eq!(s.g_rank, a.g_rank);
                assert_eq!(s.normal_basis, a.normal_basis);
                assert_eq!(s.tangent_basis, a.tangent_basis);
            }
        }
    }
    let spec = spec(&[2, 3, 1], Activation::Tanh, true);
    let data = five_points();
    assert!(analyze_gradients(&spec, &[0.0; 3], &data, RankTolerance::NumpyDefault).is_err());
    let theta = spec.init_parameters(0);
    assert!(analyze_gradients(&spec, &theta, &data, RankTolerance::Relative(-1.0)).is_err());
}
