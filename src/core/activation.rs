//! Hidden-layer activations (docs/DESIGN.md §2), with exact first and second derivatives in f64.

use serde::{Deserialize, Serialize};

/// Slope of `leaky_relu` on the negative side (PyTorch's default).
pub const LEAKY_RELU_SLOPE: f64 = 0.01;

/// One activation for all hidden layers; the output layer is always the identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    Identity,
    Relu,
    LeakyRelu,
    Tanh,
    Sigmoid,
    /// GELU in its exact form x·Φ(x), Φ the standard normal CDF (via erf).
    Gelu,
    /// ln(1 + eˣ), computed stably.
    Softplus,
}

impl Activation {
    /// Every activation, in the order of docs/DESIGN.md §2.
    pub const ALL: [Activation; 7] = [
        Activation::Identity,
        Activation::Relu,
        Activation::LeakyRelu,
        Activation::Tanh,
        Activation::Sigmoid,
        Activation::Gelu,
        Activation::Softplus,
    ];

    /// The name used in scene files.
    pub fn name(self) -> &'static str {
        match self {
            Activation::Identity => "identity",
            Activation::Relu => "relu",
            Activation::LeakyRelu => "leaky_relu",
            Activation::Tanh => "tanh",
            Activation::Sigmoid => "sigmoid",
            Activation::Gelu => "gelu",
            Activation::Softplus => "softplus",
        }
    }

    /// Parses a scene-file name.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Whether the activation is exactly zero on an interval (units can be "dead").
    pub fn can_be_dead(self) -> bool {
        matches!(self, Activation::Relu)
    }

    /// σ(z).
    pub fn value(self, z: f64) -> f64 {
        match self {
            Activation::Identity => z,
            Activation::Relu => z.max(0.0),
            Activation::LeakyRelu => {
                if z > 0.0 {
                    z
                } else {
                    LEAKY_RELU_SLOPE * z
                }
            }
            Activation::Tanh => z.tanh(),
            Activation::Sigmoid => sigmoid(z),
            Activation::Gelu => z * normal_cdf(z),
            Activation::Softplus => softplus(z),
        }
    }

    /// σ'(z). At the kink of relu/leaky_relu the derivative of the z > 0 branch is not
    /// taken (PyTorch's convention: relu'(0) = 0).
    pub fn derivative(self, z: f64) -> f64 {
        match self {
            Activation::Identity => 1.0,
            Activation::Relu => {
                if z > 0.0 {
                    1.0
                } else {
                    0.0
                }
            }
            Activation::LeakyRelu => {
                if z > 0.0 {
                    1.0
                } else {
                    LEAKY_RELU_SLOPE
                }
            }
            Activation::Tanh => {
                let t = z.tanh();
                1.0 - t * t
            }
            Activation::Sigmoid => {
                let s = sigmoid(z);
                s * (1.0 - s)
            }
            Activation::Gelu => normal_cdf(z) + z * normal_pdf(z),
            Activation::Softplus => sigmoid(z),
        }
    }

    /// σ''(z) (zero almost everywhere for the piecewise-linear ones).
    pub fn second_derivative(self, z: f64) -> f64 {
        match self {
            Activation::Identity | Activation::Relu | Activation::LeakyRelu => 0.0,
            Activation::Tanh => {
                let t = z.tanh();
                -2.0 * t * (1.0 - t * t)
            }
            Activation::Sigmoid => {
                let s = sigmoid(z);
                s * (1.0 - s) * (1.0 - 2.0 * s)
            }
            Activation::Gelu => normal_pdf(z) * (2.0 - z * z),
            Activation::Softplus => {
                let s = sigmoid(z);
                s * (1.0 - s)
            }
        }
    }
}

impl std::fmt::Display for Activation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// 1 / (1 + e⁻ᶻ), without overflow for large |z|.
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// ln(1 + eᶻ) = max(z, 0) + ln(1 + e^−|z|), stable for all z.
pub fn softplus(z: f64) -> f64 {
    z.max(0.0) + (-z.abs()).exp().ln_1p()
}

/// Φ(z) = ½(1 + erf(z/√2)).
pub fn normal_cdf(z: f64) -> f64 {
    0.5 * (1.0 + libm::erf(z * std::f64::consts::FRAC_1_SQRT_2))
}

/// φ(z) = e^(−z²/2)/√(2π).
pub fn normal_pdf(z: f64) -> f64 {
    (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Central differences of `value` and `derivative` match the closed forms away from kinks.
    #[test]
    fn derivatives_match_finite_differences() {
        let h = 1e-5;
        for act in Activation::ALL {
            for &z in &[-2.3, -0.7, -0.1, 0.3, 0.9, 2.1] {
                let fd1 = (act.value(z + h) - act.value(z - h)) / (2.0 * h);
                let fd2 = (act.derivative(z + h) - act.derivative(z - h)) / (2.0 * h);
                assert!((fd1 - act.derivative(z)).abs() < 1e-8, "{act} σ' at {z}");
                assert!(
                    (fd2 - act.second_derivative(z)).abs() < 1e-7,
                    "{act} σ'' at {z}"
                );
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for act in Activation::ALL {
            assert_eq!(Activation::from_name(act.name()), Some(act));
            let json = serde_json::to_string(&act).unwrap();
            assert_eq!(json, format!("\"{}\"", act.name()));
        }
    }

    #[test]
    fn gelu_matches_known_values() {
        // torch.nn.functional.gelu(torch.tensor([1.0, -1.0], dtype=torch.float64))
        assert!((Activation::Gelu.value(1.0) - 0.841_344_746_068_542_9).abs() < 1e-12);
        assert!((Activation::Gelu.value(-1.0) + 0.158_655_253_931_457_05).abs() < 1e-12);
        assert!((softplus(50.0) - 50.0).abs() < 1e-12);
        assert!((softplus(0.0) - std::f64::consts::LN_2).abs() < 1e-15);
    }
}
