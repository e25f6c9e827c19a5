//! The one rule for numbers in `--json` output (docs/DESIGN.md §6): a finite number is a
//! JSON number; a non-finite one is the string `"inf"`, `"-inf"` or `"nan"` (JSON has no
//! such numbers, and serde_json would silently write `null`). Python's `float()` reads
//! all three strings back.

use serde_json::Value;

/// `x` as JSON under the rule above.
pub fn number(x: f64) -> Value {
    if x.is_finite() {
        Value::from(x)
    } else if x.is_nan() {
        Value::from("nan")
    } else if x > 0.0 {
        Value::from("inf")
    } else {
        Value::from("-inf")
    }
}

/// Each of `xs` as JSON under the rule above.
pub fn numbers(xs: &[f64]) -> Value {
    Value::Array(xs.iter().map(|&x| number(x)).collect())
}

/// For `#[serde(serialize_with = ...)]` on an f64 field: the rule above.
pub fn serialize_number<S: serde::Serializer>(x: &f64, s: S) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&number(*x), s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_numbers_become_strings_that_python_float_reads() {
        assert_eq!(number(1.5), Value::from(1.5));
        assert_eq!(number(f64::INFINITY), Value::from("inf"));
        assert_eq!(number(f64::NEG_INFINITY), Value::from("-inf"));
        assert_eq!(number(f64::NAN), Value::from("nan"));
        assert_eq!(numbers(&[0.0, f64::NAN]).to_string(), r#"[0.0,"nan"]"#);
    }
}
