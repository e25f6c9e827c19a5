//! `basinscope tour` and `basinscope render --lesson` as processes: the lessons listed, a
//! malformed lesson named with its line while the others still list, and a lesson's
//! figure written at the size asked for.

use common::cli::{basinscope, stderr};

mod common {
    pub mod cli;
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn tour_lists_the_nine_builtin_lessons_with_scene_views_and_checks() {
    let dir = tempfile::tempdir().unwrap();
    let o = basinscope(&["tour"], dir.path());
    let out = text(&o.stdout);
    assert!(o.status.success(), "{}", stderr(&o));
    let numbered: Vec<&str> = out.lines().filter(|l| !l.starts_with('\t')).collect();
    assert_eq!(numbered.len(), 9, "{out}");
    assert!(
        numbered[0].starts_with("1\tOne input, three parameters"),
        "{out}"
    );
    assert!(out.contains("\tscene: perpendicular"), "{out}");
    assert!(out.contains("\tviews: slice3d, gradients"), "{out}");
    assert!(out.contains("\tcheck: rank G = 2 | "), "{out}");
    assert!(out.contains("\tcheck: walked | "), "{out}");
}

#[test]
fn a_malformed_lesson_is_named_with_its_line_and_the_others_still_list() {
    let dir = tempfile::tempdir().unwrap();
    let good = "---\ntitle: Good one\nscene: parallel\nviews: gradients\ncheck: rank = 1 | Look.\n---\nText.\n";
    std::fs::write(dir.path().join("01-good.md"), good).unwrap();
    std::fs::write(
        dir.path().join("02-typo.md"),
        good.replace("scene:", "sceen:"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("03-also-good.md"),
        good.replace("Good one", "Also good"),
    )
    .unwrap();
    let d = dir.path().to_str().unwrap();
    let o = basinscope(&["tour", "--tour", d], dir.path());
    let (out, err) = (text(&o.stdout), stderr(&o));
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains("1\tGood one") && out.contains("2\tAlso good"),
        "{out}"
    );
    assert_eq!(
        err.trim(),
        "error: lesson 02-typo.md line 3: unknown key \"sceen\" (a header has title, scene, views, caption and check lines)"
    );
    // A folder where nothing loads fails, with every sentence.
    std::fs::remove_file(dir.path().join("01-good.md")).unwrap();
    std::fs::remove_file(dir.path().join("03-also-good.md")).unwrap();
    let o = basinscope(&["tour", "--tour", d], dir.path());
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("02-typo.md line 3") && err.contains("no lesson that loads"),
        "{err}"
    );
}

#[test]
fn render_lesson_writes_a_png_of_the_requested_size() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.png");
    let o = basinscope(
        &[
            "render", "--lesson", "4", "--out", "x.png", "--size", "480x320",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let image = image::open(&out).unwrap();
    assert_eq!((image.width(), image.height()), (480, 320));
}

/// Lesson 2 opens on the 3D slice of the perpendicular scene: ray marched (llvmpipe in
/// CI), its two inputs' planes in their colors (input 0 orange #E69F00, input 1 sky blue
/// #56B4E9), which the dark background alone never has.
#[test]
fn render_lesson_2_draws_both_inputs_planes_in_their_colors() {
    let dir = tempfile::tempdir().unwrap();
    let o = basinscope(
        &[
            "render", "--lesson", "2", "--out", "x.png", "--size", "320x240",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let image = image::open(dir.path().join("x.png")).unwrap().to_rgba8();
    assert_eq!(image.dimensions(), (320, 240));
    let count = |hue: fn(i32, i32, i32) -> bool| {
        image
            .pixels()
            .filter(|p| hue(i32::from(p[0]), i32::from(p[1]), i32::from(p[2])))
            .count()
    };
    let orange = count(|r, g, b| r > g && g > b + 15 && r > b + 40);
    let blue = count(|r, g, b| b > 90 && b > r + 40 && g > r + 20);
    assert!(
        orange > 1000 && blue > 2000,
        "the planes are missing: {orange} orange and {blue} blue pixels"
    );
}

/// `render --lesson 5` (a data-view lesson) as SVG: the title is "Lesson 5: " and the
/// lesson's title, the caption is the lesson's, both read from the lesson file itself.
#[test]
fn render_lesson_titles_the_figure_with_the_lessons_title_and_caption() {
    let dir = tempfile::tempdir().unwrap();
    let o = basinscope(
        &[
            "render", "--lesson", "5", "--out", "x.svg", "--size", "640x480",
        ],
        dir.path(),
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let doc = std::fs::read_to_string(dir.path().join("x.svg")).unwrap();
    let lesson = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/tour/05-nonlinear.md"),
    )
    .unwrap();
    let header = |key: &str| {
        lesson
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .unwrap()
            .trim()
            .to_string()
    };
    let title = format!("Lesson 5: {}", header("title:"));
    let caption = header("caption:");
    assert!(
        doc.contains(&format!(r#"aria-label="{title}""#)),
        "no title {title:?}"
    );
    // The caption may be wrapped over lines: its first words start a text run.
    let start: String = caption.split(' ').take(4).collect::<Vec<_>>().join(" ");
    assert!(
        doc.contains(&format!(r#"aria-label="{start}"#)),
        "no caption starting {start:?}"
    );
    let o = basinscope(
        &[
            "render", "--lesson", "5", "--out", "y.svg", "--title", "mine",
        ],
        dir.path(),
    );
    assert!(!o.status.success());
    assert!(stderr(&o).contains("--title and --caption apply to scenes"));
}

#[test]
fn a_lesson_number_out_of_range_gets_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    for (n, words) in [
        ("12", "there is no lesson 12"),
        ("0", "there is no lesson 0"),
        ("two", "--lesson must be"),
    ] {
        let o = basinscope(&["render", "--lesson", n, "--out", "x.png"], dir.path());
        assert!(!o.status.success());
        let err = stderr(&o);
        assert!(err.contains(words) && err.lines().count() == 1, "{err}");
        assert!(!dir.path().join("x.png").exists());
    }
}

#[test]
fn tour_before_another_command_gets_one_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let o = basinscope(&["--tour", ".", "scenes"], dir.path());
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(
        err.contains("--tour before a command applies to the app"),
        "{err}"
    );
}
