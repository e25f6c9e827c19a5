//! Marching squares: level curves of a field sampled on a regular grid, joined into
//! polylines.

use std::collections::HashMap;

/// Where a contour point lies: on the horizontal edge from grid point (i, j) to (i+1, j),
/// or on the vertical edge from (i, j) to (i, j+1). Neighboring cells share edges, so
/// segments are joined through these keys exactly, without comparing floats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Edge {
    Horizontal(usize, usize),
    Vertical(usize, usize),
}

/// Level curves {values = level} of a field on an na × nb grid (`values[j·na + i]` is
/// grid point (i, j), i along a, fastest), as polylines in grid coordinates (i, j) as
/// f64. Along each cell edge the crossing is placed by linear interpolation; saddle cells
/// are resolved by the mean of their four corners. Cells with a non-finite corner are
/// skipped. A closed curve repeats its first point at the end.
pub fn marching_squares(values: &[f32], na: usize, nb: usize, level: f32) -> Vec<Vec<(f64, f64)>> {
    assert_eq!(values.len(), na * nb, "values must hold na·nb grid points");
    if na < 2 || nb < 2 || !level.is_finite() {
        return Vec::new();
    }
    let at = |i: usize, j: usize| values[j * na + i];
    let point = |edge: Edge| -> (f64, f64) {
        let (p0, p1, v0, v1) = match edge {
            Edge::Horizontal(i, j) => ((i, j), (i + 1, j), at(i, j), at(i + 1, j)),
            Edge::Vertical(i, j) => ((i, j), (i, j + 1), at(i, j), at(i, j + 1)),
        };
        let t = (f64::from(level) - f64::from(v0)) / (f64::from(v1) - f64::from(v0));
        let t = if t.is_finite() {
            t.clamp(0.0, 1.0)
        } else {
            0.5
        };
        (
            p0.0 as f64 + t * (p1.0 as f64 - p0.0 as f64),
            p0.1 as f64 + t * (p1.1 as f64 - p0.1 as f64),
        )
    };

    let mut segments: Vec<(Edge, Edge)> = Vec::new();
    for j in 0..nb - 1 {
        for i in 0..na - 1 {
            let corners = [at(i, j), at(i + 1, j), at(i + 1, j + 1), at(i, j + 1)];
            if corners.iter().any(|v| !v.is_finite()) {
                continue;
            }
            let above = corners.map(|v| v > level);
            // Edges of the cell, counterclockwise from the bottom: bottom, right, top, left.
            let bottom = Edge::Horizontal(i, j);
            let right = Edge::Vertical(i + 1, j);
            let top = Edge::Horizontal(i, j + 1);
            let left = Edge::Vertical(i, j);
            let code = usize::from(above[0])
                | usize::from(above[1]) << 1
                | usize::from(above[2]) << 2
                | usize::from(above[3]) << 3;
            match code {
                0 | 15 => {}
                1 | 14 => segments.push((left, bottom)),
                2 | 13 => segments.push((bottom, right)),
                3 | 12 => segments.push((left, right)),
                4 | 11 => segments.push((right, top)),
                6 | 9 => segments.push((bottom, top)),
                7 | 8 => segments.push((left, top)),
                5 | 10 => {
                    let center_above =
                        corners.iter().map(|&v| f64::from(v)).sum::<f64>() / 4.0 > f64::from(level);
                    // Corners 0 and 2 share a side; if the center agrees with them, they are
                    // connected through the middle and the curve cuts off corners 1 and 3.
                    if center_above == above[0] {
                        segments.push((bottom, right));
                        segments.push((top, left));
                    } else {
                        segments.push((left, bottom));
                        segments.push((right, top));
                    }
                }
                _ => unreachable!("a 4-bit code"),
            }
        }
    }
    join_segments(&segments)
        .into_iter()
        .map(|chain| chain.into_iter().map(point).collect())
        .collect()
}

/// Joins segments sharing endpoints into chains. Every edge belongs to at most two cells
/// and each cell uses it at most once, so the graph has degree ≤ 2: open chains (started
/// from their degree-1 ends) and loops.
fn join_segments(segments: &[(Edge, Edge)]) -> Vec<Vec<Edge>> {
    let mut incident: HashMap<Edge, Vec<usize>> = HashMap::with_capacity(2 * segments.len());
    for (s, &(p, q)) in segments.iter().enumerate() {
        incident.entry(p).or_default().push(s);
        incident.entry(q).or_default().push(s);
    }
    let mut used = vec![false; segments.len()];
    let mut chains = Vec::new();
    let walk = |start_segment: usize, start: Edge, used: &mut Vec<bool>| -> Vec<Edge> {
        let mut chain = vec![start];
        let mut segment = start_segment;
        let mut at = start;
        loop {
            used[segment] = true;
            let (p, q) = segments[segment];
            let next = if p == at { q } else { p };
            chain.push(next);
            at = next;
            match incident[&at].iter().find(|&&s| !used[s]) {
                Some(&s) => segment = s,
                None => break,
            }
        }
        chain
    };
    // Open chains first, from an end that has a single segment.
    let mut ends: Vec<Edge> = incident
        .iter()
        .filter(|(_, s)| s.len() == 1)
        .map(|(e, _)| *e)
        .collect();
    ends.sort_by_key(|e| match *e {
        Edge::Horizontal(i, j) => (j, i, 0),
        Edge::Vertical(i, j) => (j, i, 1),
    });
    for end in ends {
        let s = incident[&end][0];
        if !used[s] {
            chains.push(walk(s, end, &mut used));
        }
    }
    for s in 0..segments.len() {
        if !used[s] {
            chains.push(walk(s, segments[s].0, &mut used));
        }
    }
    chains
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grid(na: usize, nb: usize, f: impl Fn(f64, f64) -> f64) -> Vec<f32> {
        (0..nb)
            .flat_map(|j| (0..na).map(move |i| (i, j)))
            .map(|(i, j)| f(i as f64, j as f64) as f32)
            .collect()
    }

    /// f = i + 2j crosses level 7.5 on the straight line i + 2j = 7.5, as one polyline.
    #[test]
    fn linear_field_gives_a_straight_line_at_the_right_place() {
        let values = grid(12, 9, |i, j| i + 2.0 * j);
        let curves = marching_squares(&values, 12, 9, 7.5);
        assert_eq!(curves.len(), 1, "one joined polyline");
        assert!(curves[0].len() > 5);
        for &(i, j) in &curves[0] {
            assert!(
                (i + 2.0 * j - 7.5).abs() < 1e-5,
                "({i}, {j}) is off the line"
            );
        }
        // It reaches the grid border at both ends.
        let (first, last) = (curves[0][0], *curves[0].last().unwrap());
        let on_border = |(i, j): (f64, f64)| i <= 0.0 || j <= 0.0 || i >= 11.0 || j >= 8.0;
        assert!(on_border(first) && on_border(last));
    }

    /// f = distance from (20, 20) gives a closed curve at radius 7 (linear
    /// interpolation of a smooth field is accurate to a small fraction of a cell).
    #[test]
    fn circle_field_gives_a_closed_curve_at_the_radius() {
        let values = grid(41, 41, |i, j| {
            ((i - 20.0).powi(2) + (j - 20.0).powi(2)).sqrt()
        });
        let curves = marching_squares(&values, 41, 41, 7.0);
        assert_eq!(curves.len(), 1);
        let c = &curves[0];
        assert_eq!(c.first(), c.last(), "the circle is closed");
        assert!(c.len() > 40);
        for &(i, j) in c {
            let r = ((i - 20.0).powi(2) + (j - 20.0).powi(2)).sqrt();
            assert!((r - 7.0).abs() < 0.05, "radius {r}");
        }
    }

    #[test]
    fn level_outside_the_range_gives_nothing_and_nan_cells_are_skipped() {
        let mut values = grid(5, 5, |i, j| i + j);
        assert!(marching_squares(&values, 5, 5, 100.0).is_empty());
        values[12] = f32::NAN;
        let curves = marching_squares(&values, 5, 5, 3.5);
        for c in &curves {
            for &(i, j) in c {
                assert!((i + j - 3.5).abs() < 1e-6);
            }
        }
    }
}
