//! Training sets: explicit points or seeded presets (docs/DESIGN.md §4 "Data").

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Normal};
use serde::{Deserialize, Serialize};

use super::error::CoreError;

pub use super::limits::MAX_POINTS;

/// k inputs x_1..x_k with targets y_1..y_k.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Dataset {
    pub inputs: Vec<Vec<f64>>,
    pub targets: Vec<f64>,
}

impl Dataset {
    /// k.
    pub fn n_inputs(&self) -> usize {
        self.inputs.len()
    }

    /// Input dimension (0 for an empty set).
    pub fn input_dim(&self) -> usize {
        self.inputs.first().map_or(0, Vec::len)
    }

    /// Checks shape and finiteness against the model's input dimension.
    pub fn validate(&self, input_dim: usize) -> Result<(), CoreError> {
        if self.inputs.is_empty() {
            return Err(CoreError::invalid(
                "data has no points; add at least one input",
            ));
        }
        if self.inputs.len() > MAX_POINTS {
            return Err(CoreError::invalid(format!(
                "data has {} points, more than the limit of {MAX_POINTS}",
                self.inputs.len()
            )));
        }
        if self.inputs.len() != self.targets.len() {
            return Err(CoreError::invalid(format!(
                "data has {} inputs but {} targets",
                self.inputs.len(),
                self.targets.len()
            )));
        }
        for (i, x) in self.inputs.iter().enumerate() {
            if x.len() != input_dim {
                return Err(CoreError::invalid(format!(
                    "data.inputs[{i}] has {} entries but the model's input width is {input_dim}",
                    x.len()
                )));
            }
            if let Some(j) = x.iter().position(|v| !v.is_finite()) {
                return Err(CoreError::invalid(format!(
                    "data.inputs[{i}][{j}] is not a finite number"
                )));
            }
        }
        if let Some(i) = self.targets.iter().position(|v| !v.is_finite()) {
            return Err(CoreError::invalid(format!(
                "data.targets[{i}] is not a finite number"
            )));
        }
        Ok(())
    }

    /// The two target values if the targets are binary labels ({0,1} or {−1,1}).
    pub fn binary_labels(&self) -> Option<(f64, f64)> {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for &y in &self.targets {
            lo = lo.min(y);
            hi = hi.max(y);
        }
        #[allow(clippy::float_cmp)] // labels are exact values
        let binary = self.targets.iter().all(|&y| y == lo || y == hi);
        ((lo, hi) == (0.0, 1.0) || (lo, hi) == (-1.0, 1.0))
            .then_some((lo, hi))
            .filter(|_| binary)
    }
}

/// Built-in data generators.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// Two orthogonal 3-D inputs for the linear model [3, 1]: rank 2.
    Perpendicular,
    /// Two parallel 3-D inputs for the linear model [3, 1]: rank 1.
    Parallel,
    /// XOR on {0,1}², targets in {0,1}.
    Xor,
    /// AND on {0,1}², targets in {0,1}.
    And,
    /// y = sin(x) at n evenly spaced x in [−π, π], plus noise on y.
    Sine,
    /// Two interleaving half circles (as scikit-learn's make_moons), targets ±1.
    Moons,
    /// Two concentric circles, radii 1 and 0.5 (as make_circles), targets ±1.
    Circles,
}

impl Preset {
    pub const ALL: [Preset; 7] = [
        Preset::Perpendicular,
        Preset::Parallel,
        Preset::Xor,
        Preset::And,
        Preset::Sine,
        Preset::Moons,
        Preset::Circles,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Preset::Perpendicular => "perpendicular",
            Preset::Parallel => "parallel",
            Preset::Xor => "xor",
            Preset::And => "and",
            Preset::Sine => "sine",
            Preset::Moons => "moons",
            Preset::Circles => "circles",
        }
    }

    /// Input dimension of the generated points.
    pub fn input_dim(self) -> usize {
        match self {
            Preset::Perpendicular | Preset::Parallel => 3,
            Preset::Sine => 1,
            _ => 2,
        }
    }

    /// Whether `n` changes the data (the fixed sets ignore it).
    pub fn uses_n(self) -> bool {
        matches!(self, Preset::Sine | Preset::Moons | Preset::Circles)
    }

    /// Generates the points; `noise` is the standard deviation of Gaussian noise added
    /// to inputs (moons, circles) or targets (sine); the fixed sets ignore `n` and noise.
    pub fn generate(self, n: usize, noise: f64, seed: u64) -> Dataset {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let normal = Normal::new(0.0, noise.max(0.0))
            .unwrap_or_else(|_| Normal::new(0.0, 0.0).expect("σ = 0 is valid"));
        let jitter = |rng: &mut ChaCha8Rng| if noise > 0.0 { normal.sample(rng) } else { 0.0 };
        match self {
            Preset::Perpendicular => Dataset {
                inputs: vec![vec![1.0, 0.5, 0.0], vec![-0.5, 1.0, 0.0]],
                targets: vec![1.0, 0.5],
            },
            Preset::Parallel => Dataset {
                inputs: vec![vec![1.0, 0.5, 0.0], vec![2.0, 1.0, 0.0]],
                targets: vec![1.0, 2.0],
            },
            Preset::Xor | Preset::And => {
                let inputs = vec![
                    vec![0.0, 0.0],
                    vec![0.0, 1.0],
                    vec![1.0, 0.0],
                    vec![1.0, 1.0],
                ];
                let targets = if self == Preset::Xor {
                    vec![0.0, 1.0, 1.0, 0.0]
                } else {
                    vec![0.0, 0.0, 0.0, 1.0]
                };
                Dataset { inputs, targets }
            }
            Preset::Sine => {
                let n = n.max(1);
                let mut d = Dataset::default();
                for i in 0..n {
                    let x = if n == 1 {
                        0.0
                    } else {
                        -std::f64::consts::PI
                            + 2.0 * std::f64::consts::PI * i as f64 / (n - 1) as f64
                    };
                    d.inputs.push(vec![x]);
                    d.targets.push(x.sin() + jitter(&mut rng));
                }
                d
            }
            Preset::Moons => {
                let n_outer = n / 2;
                let n_inner = n - n_outer;
                let mut d = Dataset::default();
                for i in 0..n_outer {
                    let t = std::f64::consts::PI * i as f64 / (n_outer.max(2) - 1) as f64;
                    d.inputs
                        .push(vec![t.cos() + jitter(&mut rng), t.sin() + jitter(&mut rng)]);
                    d.targets.push(-1.0);
                }
                for i in 0..n_inner {
                    let t = std::f64::consts::PI * i as f64 / (n_inner.max(2) - 1) as f64;
                    d.inputs.push(vec![
                        1.0 - t.cos() + jitter(&mut rng),
                        0.5 - t.sin() + jitter(&mut rng),
                    ]);
                    d.targets.push(1.0);
                }
                d
            }
            Preset::Circles => {
                let n_outer = n / 2;
                let n_inner = n - n_outer;
                let mut d = Dataset::default();
                for (count, radius, label) in [(n_outer, 1.0, -1.0), (n_inner, 0.5, 1.0)] {
                    for i in 0..count {
                        let t = 2.0 * std::f64::consts::PI * i as f64 / count as f64;
                        d.inputs.push(vec![
                            radius * t.cos() + jitter(&mut rng),
                            radius * t.sin() + jitter(&mut rng),
                        ]);
                        d.targets.push(label);
                    }
                }
                d
            }
        }
    }
}

/// Seeded random permutation/batch helper shared by training.
pub fn seeded_rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

/// A uniformly random index in 0..n.
pub fn random_index(rng: &mut ChaCha8Rng, n: usize) -> usize {
    rng.random_range(0..n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::float_cmp)] // exact zeros are the claim
    fn perpendicular_inputs_are_orthogonal_and_parallel_ones_parallel() {
        let p = Preset::Perpendicular.generate(0, 0.0, 0);
        let dot: f64 = p.inputs[0]
            .iter()
            .zip(&p.inputs[1])
            .map(|(a, b)| a * b)
            .sum();
        assert_eq!(dot, 0.0);
        let q = Preset::Parallel.generate(0, 0.0, 0);
        let cross = q.inputs[0][0] * q.inputs[1][1] - q.inputs[0][1] * q.inputs[1][0];
        assert_eq!(cross, 0.0);
    }

    #[test]
    fn presets_are_seeded_and_sized() {
        for p in Preset::ALL {
            let a = p.generate(20, 0.1, 5);
            assert_eq!(a, p.generate(20, 0.1, 5));
            assert!(a.validate(p.input_dim()).is_ok(), "{p:?}");
            if p.uses_n() {
                assert_eq!(a.n_inputs(), 20);
            }
        }
        assert_ne!(
            Preset::Moons.generate(20, 0.1, 5),
            Preset::Moons.generate(20, 0.1, 6)
        );
    }

    #[test]
    fn ragged_and_nan_data_are_rejected() {
        let d = Dataset {
            inputs: vec![vec![1.0, 2.0], vec![1.0]],
            targets: vec![0.0, 1.0],
        };
        assert!(
            d.validate(2)
                .unwrap_err()
                .to_string()
                .contains("data.inputs[1]")
        );
        let d = Dataset {
            inputs: vec![vec![1.0, 2.0]],
            targets: vec![f64::NAN],
        };
        assert!(
            d.validate(2)
                .unwrap_err()
                .to_string()
                .contains("data.targets[0]")
        );
    }
}
