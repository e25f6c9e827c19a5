//! The one tick rule of every axis basinscope draws, in figures and on screen: ticks at
//! multiples of a 1-2-5 step, labels with as many decimals as the step needs and a true
//! minus sign, and decades on log axes.

/// Tick positions and the step that decides how many decimals labels need.
#[derive(Clone, Debug)]
pub struct Ticks {
    pub values: Vec<f64>,
    pub step: f64,
}

impl Ticks {
    /// A label with as many decimals as the step needs and a true minus sign.
    pub fn format(&self, value: f64) -> String {
        let decimals = (-self.step.log10().floor()).max(0.0) as usize;
        let v = if value.abs() < self.step * 1e-9 {
            0.0
        } else {
            value
        };
        format!("{v:.decimals$}").replace('-', "−")
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

/// About `target` ticks at multiples of a 1-2-5 step inside [lo, hi].
pub fn nice_ticks(range: [f64; 2], target: usize) -> Ticks {
    let [lo, hi] = range;
    let step = nice_step((hi - lo) / target.max(1) as f64);
    let first = (lo / step - 1e-9).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    Ticks {
        values: (first..=last).map(|m| m as f64 * step).collect(),
        step,
    }
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
}
