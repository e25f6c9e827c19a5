//! Reading and writing the user's files safely: bounded reads, atomic replacement that
//! keeps what the user had (symlinks, permissions) and leaves no temporaries, and the
//! checks that keep one command from writing over its own input or over another of its
//! outputs.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::error::CoreError;
use super::limits::{MAX_SCENE_FILE_BYTES, quote};

/// Suffix of every temporary file a save creates beside its target.
const TEMP_SUFFIX: &str = ".basinscope-tmp";
/// Characters of the target's name kept in a temporary's name (file names are limited to
/// 255 bytes, and the temporary adds a dot, a process id, a counter and the suffix).
const TEMP_NAME_CHARS: usize = 80;

/// Reads a text file of at most `max_bytes`; refuses directories, devices and pipes
/// (which could be endless) with a sentence.
pub fn read_text_bounded(path: &Path, max_bytes: u64) -> Result<String, CoreError> {
    let read_err = |source| CoreError::Read {
        path: path.to_path_buf(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(read_err)?;
    if meta.is_dir() {
        return Err(CoreError::invalid(format!(
            "{} is a folder, not a file",
            quote(&path.display().to_string())
        )));
    }
    if !meta.is_file() {
        return Err(CoreError::invalid(format!(
            "{} is not a regular file (a device, pipe or socket); give a file",
            quote(&path.display().to_string())
        )));
    }
    let too_big = || {
        CoreError::invalid(format!(
            "{} is larger than {} MiB, the limit for this file",
            quote(&path.display().to_string()),
            max_bytes >> 20
        ))
    };
    if meta.len() > max_bytes {
        return Err(too_big());
    }
    let mut text = String::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(max_bytes + 1).read_to_string(&mut text))
        .map_err(read_err)?;
    if text.len() as u64 > max_bytes {
        return Err(too_big());
    }
    Ok(text)
}

/// Reads a scene file, bounded by [`MAX_SCENE_FILE_BYTES`].
pub fn read_scene_text(path: &Path) -> Result<String, CoreError> {
    read_text_bounded(path, MAX_SCENE_FILE_BYTES)
}

/// The path a write to `path` really replaces: symlinks followed to their target (even a
/// dangling one), so saving through a link updates the file it points to.
fn resolve_symlinks(path: &Path) -> std::io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&p)?;
                p = if link.is_absolute() {
                    link
                } else {
                    p.parent().unwrap_or(Path::new("")).join(link)
                };
            }
            _ => return Ok(p),
        }
    }
    Err(std::io::Error::other("too many levels of symbolic links"))
}

/// Checks that `path` can be written as a file: it is a regular file or does not exist
/// yet, and its folder exists. `label` names the path in the sentence (for example
/// `--out`). Returns the existing file's metadata, if any.
pub fn check_output_target(
    label: &str,
    path: &Path,
) -> Result<Option<std::fs::Metadata>, CoreError> {
    let shown_path = quote(&path.display().to_string());
    let target = resolve_symlinks(path).map_err(|source| CoreError::Write {
        path: path.to_path_buf(),
        source,
    })?;
    match std::fs::metadata(&target) {
        Ok(m) if m.is_file() => return Ok(Some(m)),
        Ok(m) if m.is_dir() => {
            return Err(CoreError::invalid(format!(
                "{label} {shown_path} is a folder; give a file path inside it instead"
            )));
        }
        Ok(_) => {
            return Err(CoreError::invalid(format!(
                "{label} {shown_path} is not a regular file (a device, pipe or socket); basinscope only replaces regular files"
            )));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(source) => {
            return Err(CoreError::Write {
                path: path.to_path_buf(),
                source,
            });
        }
    }
    let dir = folder_of(&target);
    if !dir.is_dir() {
        return Err(CoreError::invalid(format!(
            "{label} {shown_path} is in a folder that does not exist ({})",
            quote(&dir.display().to_string())
        )));
    }
    Ok(None)
}

fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// The prefix of every temporary a save of `file_name` creates: `.NAME.`.
fn temp_prefix(file_name: &str) -> String {
    let short: String = file_name.chars().take(TEMP_NAME_CHARS).collect();
    format!(".{short}.")
}

/// Whether the process that owned a temporary is gone. Only Linux can tell without
/// extra dependencies (`/proc`); elsewhere a temporary counts as stale after an hour.
fn owner_is_gone(pid: u32, temp: &Path) -> bool {
    if pid == std::process::id() {
        return false;
    }
    if cfg!(target_os = "linux") && Path::new("/proc/self").exists() {
        return !Path::new("/proc").join(pid.to_string()).exists();
    }
    std::fs::metadata(temp)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age.as_secs() > 3600)
}

/// The temporaries of saves of `file_name` in `dir`, with the process id that made each:
/// `.NAME.PID-N.basinscope-tmp`, and `.NAME.tmp-PID` as earlier versions named them.
pub fn temporaries_of(dir: &Path, file_name: &str) -> Vec<(PathBuf, u32)> {
    let prefix = temp_prefix(file_name);
    let legacy = format!(".{file_name}.tmp-");
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            if let Some(pid) = name.strip_prefix(&legacy) {
                return Some((e.path(), pid.parse().ok()?));
            }
            let middle = name.strip_prefix(&prefix)?.strip_suffix(TEMP_SUFFIX)?;
            let (pid, counter) = middle.split_once('-')?;
            if counter.is_empty() || !counter.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            Some((e.path(), pid.parse().ok()?))
        })
        .collect()
}

/// Removes temporaries left by earlier saves of `file_name` that were killed.
fn remove_stale_temporaries(dir: &Path, file_name: &str) {
    for (temp, pid) in temporaries_of(dir, file_name) {
        if owner_is_gone(pid, &temp) {
            let _ = std::fs::remove_file(temp);
        }
    }
}

/// Writes `bytes` to `path` so that a crash or a kill at any moment leaves either the
/// old file or the new one, never half of one, and a failed save leaves no temporary:
/// the bytes go to a temporary sibling (`.NAME.PID-N.basinscope-tmp`), are synced, and
/// the temporary is renamed over the target. A symlink is written through to the file
/// it points to; an existing file keeps its permissions; folders, devices, pipes and
/// sockets are refused; temporaries of earlier, killed saves of the same file are
/// removed first.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), CoreError> {
    write_atomically_with(path, bytes, |from, to| std::fs::rename(from, to))
}

/// [`write_atomically`] with the final rename given, so tests can make it fail.
fn write_atomically_with(
    path: &Path,
    bytes: &[u8],
    rename: impl Fn(&Path, &Path) -> std::io::Result<()>,
) -> Result<(), CoreError> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let err = |source| CoreError::Write {
        path: path.to_path_buf(),
        source,
    };
    let existing = check_output_target("the output", path)?;
    let target = resolve_symlinks(path).map_err(err)?;
    let dir = folder_of(&target);
    let file_name = target
        .file_name()
        .map_or_else(|| "output".into(), |n| n.to_string_lossy().into_owned());
    remove_stale_temporaries(dir, &file_name);
    let tmp = dir.join(format!(
        "{}{}-{}{TEMP_SUFFIX}",
        temp_prefix(&file_name),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let mut created = false;
    let result = (|| {
        // create_new: never follow or reuse something already at the temporary's name.
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        created = true;
        f.write_all(bytes)?;
        if let Some(meta) = &existing {
            f.set_permissions(meta.permissions())?;
        }
        f.sync_all()?;
        drop(f);
        rename(&tmp, &target)?;
        // Make the rename itself durable; not every platform can open a folder.
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() && created {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(err)
}

/// Whether two paths name the same file: the same inode when both exist (hard links,
/// symlinks, `./a` and `a`), else the same absolute path after resolving symlinks and
/// the folder's canonical form.
pub fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        if let (Ok(ma), Ok(mb)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return ma.dev() == mb.dev() && ma.ino() == mb.ino();
        }
    }
    match (normalized(a), normalized(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// An absolute form of `path` in which two names of one file agree, whether or not the
/// file exists yet.
fn normalized(path: &Path) -> Option<PathBuf> {
    let target = resolve_symlinks(path).ok()?;
    if let Ok(c) = std::fs::canonicalize(&target) {
        return Some(c);
    }
    let name = target.file_name()?;
    let dir = std::fs::canonicalize(folder_of(&target)).ok()?;
    Some(dir.join(name))
}

/// Refuses a command whose outputs would overwrite one of its inputs or each other:
/// each pair is (what the path is, the path). The sentence names both.
pub fn check_distinct_outputs(
    inputs: &[(&str, &Path)],
    outputs: &[(&str, &Path)],
) -> Result<(), CoreError> {
    for (i, (out_label, out)) in outputs.iter().enumerate() {
        let clash = inputs
            .iter()
            .chain(&outputs[..i])
            .find(|(_, other)| same_file(out, other));
        if let Some((other_label, other)) = clash {
            return Err(CoreError::invalid(format!(
                "{out_label} {} would overwrite {other_label} {}; choose another file name",
                quote(&out.display().to_string()),
                quote(&other.display().to_string())
            )));
        }
    }
    Ok(())
}

/// `name` as a safe file name: letters, digits, `-`, `_` and inner dots kept, anything
/// else replaced by `_`, at most 64 characters, never empty and never starting with a dot.
pub fn sanitized_name(name: &str) -> String {
    let s: String = name
        .chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let s = s.trim_start_matches('.');
    if s.is_empty() {
        "scene".to_string()
    } else {
        s.to_string()
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_save_through_a_symlink_updates_the_file_it_points_to() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.json");
        std::fs::write(&real, "old").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink("real.json", &link).unwrap();
        write_atomically(&link, b"new").unwrap();
        assert!(
            std::fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(std::fs::read_to_string(&real).unwrap(), "new");
    }

    #[test]
    fn a_save_keeps_the_permissions_of_the_file_it_replaces() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.json");
        std::fs::write(&path, "old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        write_atomically(&path, b"new").unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }

    #[test]
    fn folders_and_devices_are_refused_and_stay_what_they_were() {
        use std::os::unix::fs::FileTypeExt as _;
        let dir = tempfile::tempdir().unwrap();
        let e = write_atomically(dir.path(), b"x").unwrap_err().to_string();
        assert!(e.contains("is a folder"), "{e}");
        assert!(dir.path().is_dir());
        // A named pipe stands in for a device (a broken check must not replace a real
        // device node of the machine running the tests).
        let pipe = dir.path().join("pipe");
        assert!(
            std::process::Command::new("mkfifo")
                .arg(&pipe)
                .status()
                .unwrap()
                .success()
        );
        let e = write_atomically(&pipe, b"x").unwrap_err().to_string();
        assert!(e.contains("not a regular file"), "{e}");
        assert!(
            std::fs::symlink_metadata(&pipe)
                .unwrap()
                .file_type()
                .is_fifo()
        );
        let e = write_atomically(&dir.path().join("no/such/folder.json"), b"x")
            .unwrap_err()
            .to_string();
        assert!(e.contains("does not exist"), "{e}");
    }

    #[test]
    fn a_failed_save_leaves_no_temporary_and_a_later_save_removes_stale_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.json");
        // A temporary left by a killed process (pid 0 never owns a user process)…
        let stale = dir.path().join(format!(".s.json.0-7{TEMP_SUFFIX}"));
        std::fs::write(&stale, "half").unwrap();
        // …and one named as earlier versions named them.
        let legacy = dir.path().join(".s.json.tmp-0");
        std::fs::write(&legacy, "half").unwrap();
        // …and a file that only looks like one stays.
        let other = dir.path().join(".s.json.x-7.basinscope-tmp");
        std::fs::write(&other, "keep").unwrap();
        write_atomically(&path, b"new").unwrap();
        assert!(!stale.exists() && !legacy.exists());
        assert!(other.exists());
        assert!(temporaries_of(dir.path(), "s.json").is_empty());
        // A save whose final rename fails keeps the old file and leaves no temporary.
        let e = write_atomically_with(&path, b"newer", |_, _| {
            Err(std::io::Error::other("injected failure"))
        })
        .unwrap_err()
        .to_string();
        assert!(e.contains("injected failure"), "{e}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn same_file_sees_through_links_dots_and_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.json");
        std::fs::write(&a, "x").unwrap();
        let link = dir.path().join("l.json");
        std::os::unix::fs::symlink(&a, &link).unwrap();
        let hard = dir.path().join("h.json");
        std::fs::hard_link(&a, &hard).unwrap();
        assert!(same_file(&a, &link));
        assert!(same_file(&a, &hard));
        assert!(same_file(&a, &dir.path().join(".").join("a.json")));
        let missing = dir.path().join("m.npy");
        assert!(same_file(&missing, &dir.path().join("./m.npy")));
        assert!(!same_file(&missing, &a));
        let e = check_distinct_outputs(&[("the input scene", &a)], &[("--out", &link)])
            .unwrap_err()
            .to_string();
        assert!(e.contains("would overwrite the input scene"), "{e}");
    }

    #[test]
    fn reads_are_bounded_and_refuse_what_is_not_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big.json");
        std::fs::write(&big, vec![b' '; 2048]).unwrap();
        let e = read_text_bounded(&big, 1024).unwrap_err().to_string();
        assert!(e.contains("larger than"), "{e}");
        assert_eq!(read_text_bounded(&big, 4096).unwrap().len(), 2048);
        let e = read_text_bounded(dir.path(), 1024).unwrap_err().to_string();
        assert!(e.contains("is a folder"), "{e}");
        let e = read_text_bounded(Path::new("/dev/zero"), 1024)
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a regular file"), "{e}");
    }
}
