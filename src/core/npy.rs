//! Field export for `render --field-out` (docs/DESIGN.md §6): a float32 `.npy` array
//! (format version 1.0, little-endian `<f4`, C order) and a JSON sidecar describing the
//! slice it was evaluated on.
//!
//! The array is [k + 1, H, W] for a 2D slice (indexed [channel, b, a]) or
//! [k + 1, D, H, W] for 3D ([channel, c, b, a]): the k per-input outputs, then the loss.
//! Grid point j of n on [lo, hi] sits at lo + (hi − lo)·j/(n − 1), so row 0 is the lowest b.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::error::CoreError;
use super::field::{Field, SliceGrid};
use super::scene::write_atomically;

/// One field evaluated on a slice grid, ready to export.
#[derive(Clone, Copy, Debug)]
pub struct FieldExport<'a> {
    /// The values, [channel][c][b][a] (a fastest); channels 0..k are `f(x_i)`, k the loss.
    pub field: &'a Field,
    /// The grid the field was evaluated on: θ₀, the axes u, v[, w], ranges, points.
    pub grid: &'a SliceGrid,
    /// Each axis in words (written to the sidecar as `axis_names`).
    pub axis_names: &'a [String],
}

impl FieldExport<'_> {
    /// The `.npy` array shape: [k + 1, H, W] or [k + 1, D, H, W] (the grid reversed).
    pub fn array_shape(&self) -> Vec<usize> {
        std::iter::once(self.field.n_inputs + 1)
            .chain(self.field.shape.iter().rev().copied())
            .collect()
    }

    /// Channel names: `"f(x_0)"`, …, `"f(x_{k−1})"`, then `"loss"`.
    pub fn channel_names(&self) -> Vec<String> {
        (0..self.field.n_inputs)
            .map(|i| format!("f(x_{i})"))
            .chain(std::iter::once("loss".to_string()))
            .collect()
    }

    fn check(&self) -> Result<(), CoreError> {
        let grid = self.grid;
        let dims = grid.shape.len();
        if !(2..=3).contains(&dims) {
            return Err(CoreError::invalid(format!(
                "a field export needs a 2D or 3D grid, not {dims}D"
            )));
        }
        if grid.axes.len() != dims || grid.ranges.len() != dims {
            return Err(CoreError::invalid(format!(
                "a {dims}D field export needs {dims} axes and {dims} ranges, not {} and {}",
                grid.axes.len(),
                grid.ranges.len()
            )));
        }
        if let Some(i) = grid.axes.iter().position(|a| a.len() != grid.theta0.len()) {
            return Err(CoreError::invalid(format!(
                "axis {i} has {} entries but θ₀ has {}",
                grid.axes[i].len(),
                grid.theta0.len()
            )));
        }
        if self.field.shape != grid.shape {
            return Err(CoreError::invalid(format!(
                "the field's grid {:?} is not the slice grid {:?}",
                self.field.shape, grid.shape
            )));
        }
        let expected: usize = self.array_shape().iter().product();
        if self.field.values.len() != expected {
            return Err(CoreError::invalid(format!(
                "the field has {} values but shape {:?} needs {expected}",
                self.field.values.len(),
                self.array_shape()
            )));
        }
        Ok(())
    }
}

/// The sidecar JSON written beside the `.npy`.
#[derive(Serialize)]
struct Sidecar<'a> {
    format: &'static str,
    /// The `.npy` array's shape.
    shape: Vec<usize>,
    /// How the array is indexed.
    layout: &'static str,
    channels: Vec<String>,
    theta0: &'a [f64],
    axes: &'a [Vec<f64>],
    axis_names: &'a [String],
    ranges: &'a [[f64; 2]],
    /// Grid points along a, b[, c].
    grid: &'a [usize],
    grid_rule: &'static str,
}

/// The sidecar path: the `.npy` path with `.json` in place of `.npy`.
pub fn sidecar_path(npy_path: &Path) -> PathBuf {
    npy_path.with_extension("json")
}

/// A complete `.npy` file (version 1.0, `<f4`, C order) holding `values` with `shape`.
///
/// The header is the Python dict literal numpy writes, padded with spaces and ended with
/// a newline so that the data starts at a multiple of 64 bytes.
pub fn npy_bytes(values: &[f32], shape: &[usize]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(usize::to_string).collect();
    let shape_text = if dims.len() == 1 {
        format!("({},)", dims[0])
    } else {
        format!("({})", dims.join(", "))
    };
    let mut header = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {shape_text}, }}");
    // 10 bytes of preamble (magic, version, header length) + header + '\n' ≡ 0 (mod 64).
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat((64 - unpadded % 64) % 64));
    header.push('\n');
    let header_len = u16::try_from(header.len()).expect("a float32 array header is short");
    let mut out = Vec::with_capacity(10 + header.len() + 4 * values.len());
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&header_len.to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    for v in values {
        out.extend_from_slice(&v.to_le_bytes());
    }
    out
}

/// Writes `values` with `shape` as a float32 `.npy`, atomically.
pub fn write_npy(path: &Path, values: &[f32], shape: &[usize]) -> Result<(), CoreError> {
    if shape.iter().product::<usize>() != values.len() {
        return Err(CoreError::invalid(format!(
            "{} values do not fill an array of shape {shape:?}",
            values.len()
        )));
    }
    write_atomically(path, &npy_bytes(values, shape))
}

/// Writes the field as `.npy` at `path` and its sidecar JSON at [`sidecar_path`], each
/// atomically (a temporary file, then a rename). The sidecar holds `shape` (the array's),
/// `channels`, `theta0`, `axes` (u, v[, w] as flat vectors), `axis_names`, `ranges` and
/// `grid` (points along a, b[, c]).
pub fn write_field(path: &Path, export: &FieldExport<'_>) -> Result<(), CoreError> {
    export.check()?;
    let shape = export.array_shape();
    let grid = export.grid;
    let sidecar = Sidecar {
        format: "basinscope-field",
        layout: if grid.shape.len() == 2 {
            "[channel, b, a]"
        } else {
            "[channel, c, b, a]"
        },
        channels: export.channel_names(),
        shape: shape.clone(),
        theta0: &grid.theta0,
        axes: &grid.axes,
        axis_names: export.axis_names,
        ranges: &grid.ranges,
        grid: &grid.shape,
        grid_rule: "point j of n on [lo, hi] is lo + (hi - lo) * j / (n - 1)",
    };
    let mut json = serde_json::to_string_pretty(&sidecar).expect("a sidecar always serializes");
    json.push('\n');
    write_npy(path, &export.field.values, &shape)?;
    write_atomically(&sidecar_path(path), json.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Parses a `.npy` independently of the writer: magic, version, header dict, data.
    fn parse_npy(bytes: &[u8]) -> (String, Vec<usize>, Vec<f32>) {
        assert_eq!(&bytes[..6], b"\x93NUMPY");
        assert_eq!((bytes[6], bytes[7]), (1, 0));
        let header_len = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
        assert_eq!((10 + header_len) % 64, 0, "data must start 64-byte aligned");
        let header = std::str::from_utf8(&bytes[10..10 + header_len]).unwrap();
        assert!(header.ends_with('\n'));
        assert!(header.contains("'fortran_order': False"));
        let descr = header
            .split("'descr': '")
            .nth(1)
            .unwrap()
            .split('\'')
            .next()
            .unwrap()
            .to_string();
        let shape_text = header
            .split("'shape': (")
            .nth(1)
            .unwrap()
            .split(')')
            .next()
            .unwrap();
        let shape: Vec<usize> = shape_text
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().unwrap())
            .collect();
        let data = bytes[10 + header_len..]
            .chunks_exact(4)
            .map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect();
        (descr, shape, data)
    }

    #[test]
    fn npy_header_and_data_read_back() {
        let values: Vec<f32> = (0..24).map(|i| i as f32 * 0.5 - 3.0).collect();
        let (descr, shape, data) = parse_npy(&npy_bytes(&values, &[2, 3, 4]));
        assert_eq!(descr, "<f4");
        assert_eq!(shape, vec![2, 3, 4]);
        assert_eq!(data, values);
        let (_, shape, _) = parse_npy(&npy_bytes(&[1.0, 2.0], &[2]));
        assert_eq!(shape, vec![2]);
    }

    #[test]
    fn field_export_writes_npy_and_sidecar() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("field.npy");
        // k = 1, grid na = 3, nb = 2: channel 0 = a + 10·b, channel 1 = 100 + j.
        let (na, nb) = (3, 2);
        let mut values = Vec::new();
        for b in 0..nb {
            for a in 0..na {
                values.push((a + 10 * b) as f32);
            }
        }
        values.extend((0..na * nb).map(|j| 100.0 + j as f32));
        let grid = SliceGrid {
            theta0: vec![0.5, -0.5],
            axes: vec![vec![1.0, 0.0], vec![0.0, 1.0]],
            ranges: vec![[-1.0, 1.0], [0.0, 2.0]],
            shape: vec![na, nb],
        };
        let names = vec!["u".to_string(), "v".to_string()];
        let field = Field {
            n_inputs: 1,
            shape: vec![na, nb],
            values: values.clone(),
        };
        let export = FieldExport {
            field: &field,
            grid: &grid,
            axis_names: &names,
        };
        write_field(&path, &export).unwrap();
        let (_, shape, data) = parse_npy(&std::fs::read(&path).unwrap());
        assert_eq!(shape, vec![2, nb, na]);
        // [channel, b, a]: element (0, 1, 2) is a = 2, b = 1.
        assert!((data[na + 2] - 12.0).abs() < f32::EPSILON);
        assert_eq!(data, values);
        let side: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.path().join("field.json")).unwrap())
                .unwrap();
        assert_eq!(side["shape"], serde_json::json!([2, 2, 3]));
        assert_eq!(side["theta0"], serde_json::json!([0.5, -0.5]));
        assert_eq!(side["axes"], serde_json::json!([[1.0, 0.0], [0.0, 1.0]]));
        assert_eq!(side["ranges"], serde_json::json!([[-1.0, 1.0], [0.0, 2.0]]));
        assert_eq!(side["channels"], serde_json::json!(["f(x_0)", "loss"]));
        // No temporary files are left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[test]
    fn mismatched_field_is_rejected() {
        let grid = SliceGrid {
            theta0: vec![0.0],
            axes: vec![vec![1.0], vec![1.0]],
            ranges: vec![[0.0, 1.0], [0.0, 1.0]],
            shape: vec![2, 2],
        };
        let field = Field {
            n_inputs: 1,
            shape: vec![2, 2],
            values: vec![0.0; 5],
        };
        let export = FieldExport {
            field: &field,
            grid: &grid,
            axis_names: &[],
        };
        let dir = tempfile::tempdir().unwrap();
        let e = write_field(&dir.path().join("f.npy"), &export)
            .unwrap_err()
            .to_string();
        assert!(e.contains("5 values"), "{e}");
    }
}
