//! `basinscope render`'s options for figures, as a process: `--theme light|dark` (the
//! dark figure has dark paper and light ink, text and axes still visible, in PNG and in
//! SVG) and `--title`/`--caption`.

use std::path::Path;

use common::cli::{basinscope, stderr};

mod common {
    pub mod cli;
}

fn render(dir: &Path, out: &str, theme: &str) {
    let o = basinscope(
        &[
            "render",
            "perpendicular",
            "--out",
            out,
            "--size",
            "640x480",
            "--backend",
            "cpu",
            "--theme",
            theme,
        ],
        dir,
    );
    assert!(o.status.success(), "{}", stderr(&o));
}

/// Rec. 709 luma of a pixel, 0..255.
fn luma(p: image::Rgba<u8>) -> f64 {
    0.2126 * f64::from(p[0]) + 0.7152 * f64::from(p[1]) + 0.0722 * f64::from(p[2])
}

/// Pixels of the title band (the top 40 rows) darker than 80 and brighter than 180.
fn title_ink(image: &image::RgbaImage) -> (usize, usize) {
    let band: Vec<f64> = (0..40)
        .flat_map(|y| (0..image.width()).map(move |x| (x, y)))
        .map(|(x, y)| luma(*image.get_pixel(x, y)))
        .collect();
    (
        band.iter().filter(|&&l| l < 80.0).count(),
        band.iter().filter(|&&l| l > 180.0).count(),
    )
}

#[test]
fn a_dark_figure_has_dark_paper_and_visible_light_text_and_axes() {
    let dir = tempfile::tempdir().unwrap();
    render(dir.path(), "light.png", "light");
    render(dir.path(), "dark.png", "dark");
    let light = image::open(dir.path().join("light.png"))
        .unwrap()
        .to_rgba8();
    let dark = image::open(dir.path().join("dark.png")).unwrap().to_rgba8();
    let mean = |i: &image::RgbaImage| {
        i.pixels().copied().map(luma).sum::<f64>() / f64::from(i.width() * i.height())
    };
    let (ml, md) = (mean(&light), mean(&dark));
    assert!(md < ml - 60.0, "mean luma: light {ml:.1}, dark {md:.1}");
    // The paper: a corner.
    assert!(luma(*light.get_pixel(3, 3)) > 250.0);
    assert!(luma(*dark.get_pixel(3, 3)) < 40.0);
    // The title's ink: dark strokes on the light paper, light strokes on the dark one.
    let (light_dark_px, light_bright_px) = title_ink(&light);
    let (dark_dark_px, dark_bright_px) = title_ink(&dark);
    assert!(
        light_dark_px > 200,
        "light title ink: {light_dark_px} dark pixels"
    );
    assert!(
        dark_bright_px > 200,
        "dark title ink: {dark_bright_px} bright pixels"
    );
    assert!(
        dark_bright_px.abs_diff(light_dark_px) < light_dark_px / 3,
        "the same text in both ({light_dark_px} vs {dark_bright_px} pixels)"
    );
    assert!(
        light_bright_px > 20_000 && dark_dark_px > 20_000,
        "paper around the title"
    );
    // The plot frame's left edge: a column of ink beside the heatmap, found by scanning
    // the middle row for the first pixel that is not paper.
    let y = light.height() / 2;
    let edge = (0..light.width())
        .skip(30)
        .find(|&x| luma(*light.get_pixel(x, y)) < 60.0)
        .expect("the light frame's left edge");
    let near = (edge.saturating_sub(1)..=edge + 1).map(|x| luma(*dark.get_pixel(x, y)));
    assert!(
        near.clone().any(|l| l > 170.0),
        "the dark frame's edge at x = {edge} is light: {:?}",
        near.collect::<Vec<_>>()
    );
    // The heatmap's colors are the same in both themes.
    let c = (light.width() / 3, light.height() / 2);
    assert_eq!(light.get_pixel(c.0, c.1), dark.get_pixel(c.0, c.1));
}

#[test]
fn a_dark_svg_changes_the_background_and_text_colors() {
    let dir = tempfile::tempdir().unwrap();
    render(dir.path(), "light.svg", "light");
    render(dir.path(), "dark.svg", "dark");
    let light = std::fs::read_to_string(dir.path().join("light.svg")).unwrap();
    let dark = std::fs::read_to_string(dir.path().join("dark.svg")).unwrap();
    let background = |svg: &str| {
        let rect = svg.split("<rect").nth(1).expect("a background rectangle");
        rect.split("fill=\"").nth(1).unwrap()[..7].to_string()
    };
    assert_eq!(background(&light), "#ffffff");
    let bg = background(&dark);
    let [r, g, b] = [1, 3, 5].map(|i| u8::from_str_radix(&bg[i..i + 2], 16).unwrap());
    assert!(r < 50 && g < 50 && b < 50, "dark background {bg}");
    // The fill of a text path, by its label.
    let text_fill = |svg: &str, label: &str| {
        let at = svg
            .find(&format!("aria-label=\"{label}\""))
            .unwrap_or_else(|| panic!("{label} in the SVG"));
        let tail = &svg[at..];
        let tag = &tail[..tail.find("/>").unwrap()];
        tag.split(" fill=\"").nth(1).unwrap()[..7].to_string()
    };
    assert_eq!(text_fill(&light, "loss (MSE)"), "#000000");
    let ink = text_fill(&dark, "loss (MSE)");
    let [r, g, b] = [1, 3, 5].map(|i| u8::from_str_radix(&ink[i..i + 2], 16).unwrap());
    assert!(r > 200 && g > 200 && b > 200, "dark text ink {ink}");
}

#[test]
fn an_unknown_theme_is_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let o = basinscope(
        &["render", "xor", "--out", "x.png", "--theme", "sepia"],
        dir.path(),
    );
    assert!(!o.status.success());
    let e = stderr(&o);
    assert!(
        e.contains("--theme must be light or dark, not \"sepia\""),
        "{e}"
    );
    assert_eq!(e.lines().count(), 1, "{e}");
    assert!(!dir.path().join("x.png").exists());
}

#[test]
fn title_and_caption_replace_the_scene_name_and_the_subtitle() {
    let dir = tempfile::tempdir().unwrap();
    let o = basinscope(
        &[
            "render",
            "xor",
            "--view",
            "data",
            "--out",
            "f.svg",
            "--title",
            "Figure 2: XOR",
            "--caption",
            "-- the function before training",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let svg = std::fs::read_to_string(dir.path().join("f.svg")).unwrap();
    assert!(svg.contains(r#"aria-label="Figure 2: XOR""#));
    assert!(svg.contains(r#"aria-label="-- the function before training""#));
    assert!(
        !svg.contains("the default scene"),
        "the scene's description is replaced"
    );
    assert!(
        !svg.contains("with the training points"),
        "the view's subtitle is replaced"
    );
}
