//! The one tick rule of every axis basinscope draws, in figures and on screen: ticks at
//! multiples of a 1-2-5 step, labels with as many decimals as the step needs and a true
//! minus sign, and decades on log axes. Every function here accepts any f64 (±1e308,
//! infinities, NaN) without overflowing: a range it cannot tick gets no ticks.

use crate::core::limits::MAX_AXIS_MAGNITUDE;

/// Tick positions and the step that decides how many decimals labels need.
#[derive(Clone, Debug)]
pub struct Ticks {
    pub values: Vec<f64>,
    pub step: f64,
}

impl Ticks {
    /// A label with as many decimals as the step needs and a true minus sign; very large
    /// values and very small steps in scientific notation, with just enough digits to
    /// tell neighbouring ticks apart.
    pub fn format(&self, value: f64) -> String {
        let v = if value.abs() < self.step * 1e-9 {
            0.0
        } else {
            value
        };
        let s = if v != 0.0 && (v.abs() >= 1e7 || self.step < 1e-6) {
            let digits = ((v.abs() / self.step).log10().floor().max(0.0) as usize).min(15);
            format!("{v:.digits$e}")
        } else {
            let decimals = ((-self.step.log10().floor()).max(0.0) as usize).min(15);
            format!("{v:.decimals$}")
        };
        s.replace('-', "−")
    }
}

/// The 1-2-5 step nearest above `raw`.
pub fn nice_step(raw: f64) -> f64 {
    if !(raw.is_finite() && raw > 0.0) {
        return 1.0;
    }
    let magnitude = 10f64.powf(raw.log10().floor());
    let mantissa = raw / magnitude;
    let nice = if mantissa <= 1.0 {
        1.0
    } else if mantissa <= 2.0 {
        2.0
    } else if mantissa <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * magnitude
}

/// About `target` ticks at multiples of a 1-2-5 step inside [lo, hi]; none when the
/// range is not finite or the ticks would be far more than asked for.
pub fn nice_ticks(range: [f64; 2], target: usize) -> Ticks {
    let none = Ticks {
        values: Vec::new(),
        step: 1.0,
    };
    let [lo, hi] = range;
    if !(lo.is_finite() && hi.is_finite()) {
        return none;
    }
    let t = target.max(1) as f64;
    // hi − lo overflows for ranges like [−1e308, 1e308]; hi/t − lo/t does not.
    let raw = (hi - lo) / t;
    let raw = if raw.is_finite() {
        raw
    } else {
        hi / t - lo / t
    };
    let step = nice_step(raw);
    let first = (lo / step - 1e-9).ceil();
    let last = (hi / step + 1e-9).floor();
    if !(step.is_finite() && first.is_finite() && last.is_finite()) || last - first > 4.0 * t + 4.0
    {
        return none;
    }
    let (first, last) = (first as i64, last as i64);
    Ticks {
        values: (first..=last).map(|m| m as f64 * step).collect(),
        step,
    }
}

/// Said wherever data lie beyond ±[`MAX_AXIS_MAGNITUDE`] and an axis is clamped.
pub const AXIS_CLAMPED_NOTE: &str =
    "values beyond ±1e300 are drawn at the edge of the plot (the axis is clamped there)";

/// Whether any finite value lies beyond ±[`MAX_AXIS_MAGNITUDE`], where axes are clamped.
pub fn beyond_axis_limit(values: impl IntoIterator<Item = f64>) -> bool {
    values
        .into_iter()
        .any(|v| v.is_finite() && v.abs() > MAX_AXIS_MAGNITUDE)
}

/// [lo, hi] made drawable as an axis: both ends clamped to ±[`MAX_AXIS_MAGNITUDE`] (so
/// spans and paddings stay finite), an empty or reversed range widened by `min_pad` on
/// each side, and then padded by `pad_fraction` of its span. Non-finite ends count as
/// missing; with neither end finite the result is [−1, 1].
pub fn axis_range(lo: f64, hi: f64, pad_fraction: f64, min_pad: f64) -> [f64; 2] {
    let clamp = |v: f64| v.clamp(-MAX_AXIS_MAGNITUDE, MAX_AXIS_MAGNITUDE);
    let (lo, hi) = match (lo.is_finite(), hi.is_finite()) {
        (true, true) => (clamp(lo), clamp(hi)),
        (true, false) => (clamp(lo), clamp(lo)),
        (false, true) => (clamp(hi), clamp(hi)),
        (false, false) => return [-1.0, 1.0],
    };
    let (lo, hi) = if hi > lo {
        (lo, hi)
    } else {
        (lo.min(hi) - min_pad, lo.max(hi) + min_pad)
    };
    let pad = pad_fraction * (hi - lo);
    [lo - pad, hi + pad]
}

/// A tick of a log₁₀ axis: its position (log₁₀ of the value) and its label.
pub struct LogTick {
    pub log_value: f64,
    pub label: String,
}

/// Ticks for a log₁₀ axis on [lo, hi] (in log₁₀ units): whole decades labelled 10^{n}
/// (every 2nd or more when many); when the range spans less than two decades, round
/// values of the quantity itself (1-2-5 steps) at their logarithms.
pub fn log_ticks(lo: f64, hi: f64) -> Vec<LogTick> {
    // Logarithms of f64 lie within ±330; anything else is not a log axis to tick.
    if !(lo.is_finite() && hi.is_finite() && lo.abs() < 400.0 && hi.abs() < 400.0) {
        return Vec::new();
    }
    if hi - lo < 2.0 {
        let linear = nice_ticks([10f64.powf(lo), 10f64.powf(hi)], 4);
        return linear
            .values
            .iter()
            .filter(|&&v| v > 0.0)
            .map(|&v| LogTick {
                log_value: v.log10(),
                label: linear.format(v),
            })
            .collect();
    }
    let every = ((hi - lo) / 6.0).ceil().max(1.0);
    let first = (lo / every).ceil() as i64;
    let last = (hi / every).floor() as i64;
    (first..=last)
        .map(|m| {
            let e = m as f64 * every;
            LogTick {
                log_value: e,
                label: format!("10^{{{}}}", format!("{e:.0}").replace('-', "−")),
            }
        })
        .collect()
}

/// A short number: integers without decimals, else up to 4 decimals.
pub fn format_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e6 {
        return format!("{x:.0}").replace('-', "−");
    }
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.replace('-', "−")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_numbers_inside_the_range() {
        let t = nice_ticks([-2.0, 2.0], 6);
        assert_eq!(t.values, vec![-2.0, -1.0, 0.0, 1.0, 2.0]);
        assert_eq!(t.format(-1.0), "−1");
        let t = nice_ticks([0.0, 0.25], 6);
        assert!((t.step - 0.05).abs() < 1e-15);
        assert_eq!(t.values.len(), 6);
        assert_eq!(t.format(0.1), "0.10");
        let decades: Vec<f64> = log_ticks(-4.2, 1.3).iter().map(|t| t.log_value).collect();
        assert_eq!(decades, vec![-4.0, -3.0, -2.0, -1.0, 0.0, 1.0]);
        assert_eq!(log_ticks(-4.2, 1.3)[0].label, "10^{−4}");
        // Less than two decades: round loss values, e.g. 0.4 … 1.0.
        let labels: Vec<String> = log_ticks(0.35f64.log10(), 0.0)
            .into_iter()
            .map(|t| t.label)
            .collect();
        assert_eq!(labels, vec!["0.4", "0.6", "0.8", "1.0"]);
    }

    /// The crash of `render` on a slice of [−1e308, 1e308] ("capacity overflow"): ticks
    /// of any range, however wide, narrow or broken, are few and finite.
    #[test]
    fn ticks_of_extreme_ranges_are_few_and_finite() {
        for range in [
            [-1e308, 1e308],
            [-f64::MAX, f64::MAX],
            [0.0, f64::INFINITY],
            [f64::NAN, 1.0],
            [1e300, 1e300 * 1.000_000_1],
            [0.0, 1e-300],
            [5.0, 5.0],
            [2.0, 1.0],
        ] {
            let t = nice_ticks(range, 6);
            assert!(t.values.len() <= 30, "{range:?}: {} ticks", t.values.len());
            for &v in &t.values {
                assert!(v.is_finite(), "{range:?}");
                assert!(
                    t.format(v).chars().count() <= 24,
                    "{range:?}: {}",
                    t.format(v)
                );
            }
        }
        let t = nice_ticks([-1e308, 1e308], 6);
        assert!(t.values.len() >= 3, "{:?}", t.values);
        assert_eq!(t.format(5e307), "5e307");
        assert!(log_ticks(f64::NEG_INFINITY, 3.0).is_empty());
        assert!(log_ticks(-1e308, 1e308).is_empty());
    }

    #[test]
    fn axis_ranges_stay_finite_and_contain_the_data() {
        let close =
            |[a, b]: [f64; 2], [x, y]: [f64; 2]| (a - x).abs() < 1e-12 && (b - y).abs() < 1e-12;
        assert!(close(axis_range(0.0, 1.0, 0.1, 1.0), [-0.1, 1.1]));
        assert!(close(axis_range(2.0, 2.0, 0.0, 1.0), [1.0, 3.0]));
        assert!(close(
            axis_range(f64::NAN, f64::INFINITY, 0.1, 1.0),
            [-1.0, 1.0]
        ));
        let [lo, hi] = axis_range(-f64::MAX, f64::MAX, 0.15, 1.0);
        assert!(lo.is_finite() && hi.is_finite() && (hi - lo).is_finite());
        assert!(lo <= -MAX_AXIS_MAGNITUDE && hi >= MAX_AXIS_MAGNITUDE);
    }
}
