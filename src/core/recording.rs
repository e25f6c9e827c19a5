//! What a training run recorded, as a scene keeps it (docs/DESIGN.md §5): the
//! `trajectory` (θ snapshots with the step each was taken after) and the `loss_history`
//! (the full-batch loss before a step, with that step), both thinned to a bounded
//! number of evenly spaced samples so a long run still saves as a small file.
//!
//! The PCA slice axes are computed from the trajectory and the loss view draws the loss
//! history, so a trained scene reopened from its file shows what it showed when saved.

use serde::{Deserialize, Serialize};

use super::error::CoreError;
use super::limits::{MAX_LOSS_HISTORY_POINTS, MAX_RECORDED_STEP, MAX_TRAJECTORY_POINTS};

/// θ after `step` optimizer steps.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrajectoryPoint {
    pub step: u64,
    pub theta: Vec<f64>,
}

/// A run's trajectory and loss history. Empty for a scene that was never trained.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Recording {
    /// θ snapshots in step order (steps never decrease).
    pub trajectory: Vec<TrajectoryPoint>,
    /// (step, loss before that step) in step order; every loss is finite.
    pub loss_history: Vec<(u64, f64)>,
}

impl Recording {
    /// A recording from a run's θ snapshots and per-step losses, thinned to the limits.
    /// `trajectory` pairs each θ with its step; `losses[i]` is the loss before step
    /// `first_loss_step + i`. Non-finite losses are left out (JSON cannot hold them).
    pub fn from_run(
        trajectory: impl IntoIterator<Item = (u64, Vec<f64>)>,
        losses: impl IntoIterator<Item = (u64, f64)>,
    ) -> Self {
        let trajectory: Vec<TrajectoryPoint> = trajectory
            .into_iter()
            .map(|(step, theta)| TrajectoryPoint { step, theta })
            .collect();
        let loss_history: Vec<(u64, f64)> =
            losses.into_iter().filter(|(_, l)| l.is_finite()).collect();
        Self {
            trajectory: thin(trajectory, MAX_TRAJECTORY_POINTS),
            loss_history: thin(loss_history, MAX_LOSS_HISTORY_POINTS),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.trajectory.is_empty() && self.loss_history.is_empty()
    }

    /// The step the run had reached: the last step recorded, or 0.
    pub fn last_step(&self) -> u64 {
        let t = self.trajectory.last().map_or(0, |p| p.step);
        // The loss at step s is taken before step s, so the run reached s + 1.
        let l = self
            .loss_history
            .last()
            .map_or(0, |(s, _)| s.saturating_add(1));
        t.max(l)
    }

    /// The trajectory's θs alone, in order.
    pub fn thetas(&self) -> Vec<Vec<f64>> {
        self.trajectory.iter().map(|p| p.theta.clone()).collect()
    }

    /// Checks the shapes against a model with `n_params` parameters: sizes within the
    /// limits, every θ of length N and finite, steps in order, losses finite.
    pub fn validate(&self, n_params: usize) -> Result<(), CoreError> {
        if self.trajectory.len() > MAX_TRAJECTORY_POINTS {
            return Err(CoreError::invalid(format!(
                "trajectory has {} points, more than the limit of {MAX_TRAJECTORY_POINTS}",
                self.trajectory.len()
            )));
        }
        if self.loss_history.len() > MAX_LOSS_HISTORY_POINTS {
            return Err(CoreError::invalid(format!(
                "loss_history has {} entries, more than the limit of {MAX_LOSS_HISTORY_POINTS}",
                self.loss_history.len()
            )));
        }
        for (i, p) in self.trajectory.iter().enumerate() {
            if p.theta.len() != n_params {
                return Err(CoreError::invalid(format!(
                    "trajectory[{i}].theta has {} entries but the model has {n_params} parameters",
                    p.theta.len()
                )));
            }
            if let Some(j) = p.theta.iter().position(|v| !v.is_finite()) {
                return Err(CoreError::invalid(format!(
                    "trajectory[{i}].theta[{j}] is not a finite number"
                )));
            }
        }
        if let Some(i) = self
            .trajectory
            .windows(2)
            .position(|w| w[1].step < w[0].step)
        {
            return Err(CoreError::invalid(format!(
                "trajectory[{}].step is smaller than the step before it; steps must not decrease",
                i + 1
            )));
        }
        let steps = self
            .trajectory
            .iter()
            .map(|p| ("trajectory", p.step))
            .chain(self.loss_history.iter().map(|(s, _)| ("loss_history", *s)));
        for (what, step) in steps {
            if step > MAX_RECORDED_STEP {
                return Err(CoreError::invalid(format!(
                    "{what} has step {step}, more than the limit of {MAX_RECORDED_STEP}"
                )));
            }
        }
        if let Some(i) = self.loss_history.iter().position(|(_, l)| !l.is_finite()) {
            return Err(CoreError::invalid(format!(
                "loss_history[{i}] is not a finite number"
            )));
        }
        if let Some(i) = self.loss_history.windows(2).position(|w| w[1].0 <= w[0].0) {
            return Err(CoreError::invalid(format!(
                "loss_history[{}] has a step not after the one before it; steps must increase",
                i + 1
            )));
        }
        Ok(())
    }
}

/// At most `max` evenly spaced items of `items`, the first and the last included.
pub fn thin<T>(items: Vec<T>, max: usize) -> Vec<T> {
    let len = items.len();
    if len <= max || max < 2 {
        return if max == 0 { Vec::new() } else { items };
    }
    let keep: Vec<usize> = (0..max).map(|i| i * (len - 1) / (max - 1)).collect();
    let mut next = 0;
    items
        .into_iter()
        .enumerate()
        .filter(|(i, _)| {
            if next < keep.len() && keep[next] == *i {
                next += 1;
                true
            } else {
                false
            }
        })
        .map(|(_, t)| t)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scene_whose_recorded_steps_would_overflow_is_refused_in_one_sentence() {
        let mut json: serde_json::Value =
            serde_json::from_str(crate::core::scene::builtin_json("xor").unwrap()).unwrap();
        json["loss_history"] = serde_json::json!([[u64::MAX, 0.5]]);
        let err = crate::core::Scene::from_json(&json.to_string(), "steps.json")
            .unwrap_err()
            .to_string();
        assert!(err.contains("more than the limit"), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        // At the limit it still loads, and the run continues from the step after it.
        json["loss_history"] = serde_json::json!([[MAX_RECORDED_STEP, 0.5]]);
        let scene = crate::core::Scene::from_json(&json.to_string(), "steps.json").unwrap();
        assert_eq!(scene.recording.last_step(), MAX_RECORDED_STEP + 1);
    }

    #[test]
    fn thinning_keeps_the_ends_and_evenly_spaced_items_within_the_bound() {
        let items: Vec<u64> = (0..10_001).collect();
        let thinned = thin(items.clone(), 101);
        assert_eq!(thinned.len(), 101);
        assert_eq!(thinned.first(), Some(&0));
        assert_eq!(thinned.last(), Some(&10_000));
        // Evenly spaced: index i·(len − 1)/(max − 1) = 100·i here.
        for (i, v) in thinned.iter().enumerate() {
            assert_eq!(*v, 100 * i as u64);
        }
        assert_eq!(thin(items[..50].to_vec(), 101), items[..50].to_vec());
    }

    #[test]
    fn a_long_run_is_recorded_within_the_limits_with_its_last_step() {
        let n = 3 * MAX_LOSS_HISTORY_POINTS as u64;
        let rec = Recording::from_run(
            (0..=n).map(|s| (s, vec![s as f64, 1.0])),
            (0..n).map(|s| (s, 1.0 / (1.0 + s as f64))),
        );
        assert_eq!(rec.trajectory.len(), MAX_TRAJECTORY_POINTS);
        assert_eq!(rec.loss_history.len(), MAX_LOSS_HISTORY_POINTS);
        assert_eq!(rec.last_step(), n);
        assert_eq!(rec.trajectory.last().unwrap().theta, vec![n as f64, 1.0]);
        rec.validate(2).unwrap();
        let e = rec.validate(3).unwrap_err().to_string();
        assert!(e.contains("trajectory[0].theta has 2 entries"), "{e}");
    }

    #[test]
    fn non_finite_losses_are_left_out_and_disordered_steps_refused() {
        let rec = Recording::from_run([], [(0, 1.0), (1, f64::NAN), (2, 0.5)]);
        assert_eq!(rec.loss_history, vec![(0, 1.0), (2, 0.5)]);
        let bad = Recording {
            trajectory: vec![
                TrajectoryPoint {
                    step: 5,
                    theta: vec![0.0],
                },
                TrajectoryPoint {
                    step: 4,
                    theta: vec![0.0],
                },
            ],
            loss_history: Vec::new(),
        };
        let e = bad.validate(1).unwrap_err().to_string();
        assert!(e.contains("trajectory[1].step"), "{e}");
    }
}
