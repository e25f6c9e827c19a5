//! Why G loses rank ("information loss", docs/DESIGN.md §1): inputs whose activations
//! coincide after some hidden layer, and units whose σ'(z) = 0 zeroes the gradient
//! flowing through them.

use crate::core::{Dataset, MlpSpec};

/// What one hidden layer does to the training inputs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerCollapse {
    /// Hidden layer, counted from 1.
    pub layer: usize,
    /// Sets (size ≥ 2, ascending, ordered by first element) of input indices whose
    /// activations h_l coincide within the tolerance (max-norm), joined through chains
    /// of coinciding pairs.
    pub groups: Vec<Vec<usize>>,
    /// Each unit with σ'(z) = 0 on at least one input, with those inputs; a unit listed
    /// with all k inputs is dead on the training set.
    pub dead_units: Vec<(usize, Vec<usize>)>,
    /// [input][unit]: whether the unit is active, σ'(z) ≠ 0.
    pub pattern: Vec<Vec<bool>>,
}

/// Collapses of every hidden layer, first to last.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct InformationLoss {
    pub layers: Vec<LayerCollapse>,
}

/// Per hidden layer: groups of inputs whose activations coincide within `tol` (absolute,
/// max-norm), units with zero σ'(z), and the activation pattern. A linear model has no
/// hidden layers and so an empty result; so do θ or data that do not match `spec`.
pub fn information_loss(
    spec: &MlpSpec,
    theta: &[f64],
    data: &Dataset,
    tol: f64,
) -> InformationLoss {
    if super::check_inputs(spec, theta, data).is_err() {
        log::warn!(
            "information_loss: parameters or data do not match the model; nothing to report"
        );
        return InformationLoss::default();
    }
    let tol = if tol.is_nan() { 0.0 } else { tol.max(0.0) };
    let traces: Vec<_> = data.inputs.iter().map(|x| spec.trace(theta, x)).collect();
    let n_hidden = spec.n_layers() - 1;
    let layers = (0..n_hidden)
        .map(|l| {
            let activations: Vec<&[f64]> = traces
                .iter()
                .map(|t| t.activations[l + 1].as_slice())
                .collect();
            let pattern: Vec<Vec<bool>> = traces
                .iter()
                .map(|t| {
                    t.pre_activations[l]
                        .iter()
                        .map(|&z| spec.activation.derivative(z) != 0.0)
                        .collect()
                })
                .collect();
            let width = spec.layers[l + 1];
            let dead_units = (0..width)
                .filter_map(|u| {
                    let inputs: Vec<usize> =
                        (0..pattern.len()).filter(|&i| !pattern[i][u]).collect();
                    (!inputs.is_empty()).then_some((u, inputs))
                })
                .collect();
            LayerCollapse {
                layer: l + 1,
                groups: coinciding_groups(&activations, tol),
                dead_units,
                pattern,
            }
        })
        .collect();
    InformationLoss { layers }
}

/// Connected components (size ≥ 2) of the relation max_u |a_i[u] − a_j[u]| ≤ tol.
/// Points are swept in order of their first coordinate, so only pairs within tol of
/// each other there are compared.
fn coinciding_groups(points: &[&[f64]], tol: f64) -> Vec<Vec<usize>> {
    let k = points.len();
    let mut parent: Vec<usize> = (0..k).collect();
    let first = |i: usize| points[i].first().copied().unwrap_or(0.0);
    let mut order: Vec<usize> = (0..k).collect();
    order.sort_by(|&a, &b| first(a).total_cmp(&first(b)));
    for (a_pos, &a) in order.iter().enumerate() {
        for &b in &order[a_pos + 1..] {
            if first(b) - first(a) > tol {
                break;
            }
            let close = points[a]
                .iter()
                .zip(points[b])
                .all(|(x, y)| (x - y).abs() <= tol);
            if close {
                let (ra, rb) = (find(&mut parent, a), find(&mut parent, b));
                parent[ra.max(rb)] = ra.min(rb);
            }
        }
    }
    let mut groups: Vec<Vec<usize>> = vec![Vec::new(); k];
    for i in 0..k {
        let root = find(&mut parent, i);
        groups[root].push(i);
    }
    groups.retain(|g| g.len() >= 2);
    groups
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}
