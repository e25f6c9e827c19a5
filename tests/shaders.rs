//! Every WGSL file in `shaders/` parses and passes naga's validation, so a broken shader
//! fails CI instead of a user's first frame. The directory is listed at run time, so
//! shaders added later are checked without touching this test.

use std::path::Path;

use wgpu::naga;

#[test]
fn every_shader_in_the_shaders_directory_validates() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("shaders");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "wgsl"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no .wgsl files in {}", dir.display());

    let mut failures = Vec::new();
    for path in &paths {
        let name = path
            .file_name()
            .expect("a file name")
            .to_string_lossy()
            .into_owned();
        let source =
            std::fs::read_to_string(path).unwrap_or_else(|e| panic!("cannot read {name}: {e}"));
        let module = match naga::front::wgsl::parse_str(&source) {
            Ok(module) => module,
            Err(e) => {
                failures.push(e.emit_to_string_with_path(&source, &name));
                continue;
            }
        };
        let mut validator = naga::valid::Validator::new(
            naga::valid::ValidationFlags::all(),
            naga::valid::Capabilities::default(),
        );
        if let Err(e) = validator.validate(&module) {
            failures.push(e.emit_to_string_with_path(&source, &name));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} shaders are invalid:\n{}",
        failures.len(),
        paths.len(),
        failures.join("\n")
    );
    eprintln!(
        "validated {} shaders: {:?}",
        paths.len(),
        paths
            .iter()
            .map(|p| p.file_name().unwrap())
            .collect::<Vec<_>>()
    );
}
