//! Every file wmsim reads or writes goes through here: inputs are read up
//! to a named size limit, outputs are written so that a reader never sees
//! half a file and nothing but the named file is ever replaced.
//!
//! Writing a regular file (or a new one) goes through a temporary file with
//! a unique name in the target's folder, fsynced, then renamed over the
//! target. The temporary name comes from `tempfile`, which creates it with
//! `O_CREAT | O_EXCL`: it never follows a symlink planted under a guessed
//! name, never reuses a file, and a leftover from a run killed mid-write
//! (kill -9 skips every cleanup) cannot trip a later run, whose names are
//! fresh. On any error the temporary file is removed. Two runs writing the
//! same file each rename a complete file of their own: the last one wins.
//!
//! A path that is not a regular file is written in place: a device
//! (`/dev/null`, `/dev/full`), a pipe, `/dev/stdout`, a symlink to one of
//! those; renaming over them would replace the node itself. A symlink to a
//! regular file is written through: its target is replaced, the link stays.
//! A directory is refused (`ErrorKind::IsADirectory`).

use std::fs::{File, OpenOptions, Permissions};
use std::io::{self, ErrorKind, Read, Write};
use std::path::{Path, PathBuf};

/// The most bytes wmsim reads from one kind of input file: anything larger
/// is refused rather than read until memory runs out.
#[derive(Clone, Copy, Debug)]
pub struct InputLimit {
    pub bytes: u64,
    /// The kind of file, for the refusal: "a litmus file".
    pub what: &'static str,
}

/// Real litmus files are a few KiB.
pub const LITMUS_LIMIT: InputLimit = InputLimit {
    bytes: 1 << 20,
    what: "a litmus file",
};
/// A trace takes about 250 bytes a transition (the scenario text aside), so
/// a run at the default `--steps-max` of 10,000 is under 3 MB; this holds a
/// run of about a million transitions.
pub const TRACE_LIMIT: InputLimit = InputLimit {
    bytes: 256 << 20,
    what: "a trace",
};
/// A campaign result (`--out` JSON, a `merge` shard).
pub const SHARD_LIMIT: InputLimit = InputLimit {
    bytes: 64 << 20,
    what: "a campaign result",
};

/// How many symlinks a path may go through before it is refused, as the
/// kernel does (`ELOOP` after 40).
const LINKS_MAX: usize = 40;

/// Reads the whole file at `path` if it holds at most `limit` bytes.
/// Reads at most `limit + 1` bytes, so an endless input (`/dev/zero`) stops.
pub fn read_limited(path: &Path, limit: InputLimit) -> Result<Vec<u8>, ReadError> {
    let mut bytes = Vec::new();
    File::open(path)?
        .take(limit.bytes + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit.bytes {
        return Err(ReadError::TooBig(limit));
    }
    Ok(bytes)
}

/// Why an input was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("larger than {}, the limit for {}", size_text(.0.bytes), .0.what)]
    TooBig(InputLimit),
}

/// `limit` in the largest binary unit that divides it: `1 MiB`, `256 MiB`.
fn size_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1 << 20 && b % (1 << 20) == 0 => format!("{} MiB", b >> 20),
        b if b >= 1 << 10 && b % (1 << 10) == 0 => format!("{} KiB", b >> 10),
        b => format!("{b} bytes"),
    }
}

/// Writes `bytes` as the whole content of `path`: atomically for a regular
/// or new file, in place for a device or pipe; refuses a directory.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    match destination(path)? {
        // Appending: a device or pipe ignores it, and `/dev/stdout` sent to
        // a file then lands after what was printed, not over it.
        Destination::InPlace => OpenOptions::new().append(true).open(path)?.write_all(bytes),
        Destination::Replace(file, permissions) => replace(&file, bytes, permissions),
    }
}

/// Where the bytes for a path go.
enum Destination {
    /// Into the open file the path names (a device, a pipe).
    InPlace,
    /// A new regular file renamed to this path; the old file's permissions,
    /// if there was one.
    Replace(PathBuf, Option<Permissions>),
}

fn destination(path: &Path) -> io::Result<Destination> {
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => Err(io::Error::new(ErrorKind::IsADirectory, "it is a directory")),
        Ok(m) if !m.is_file() => Ok(Destination::InPlace),
        Ok(_) | Err(_) => match final_path(path)? {
            // `/dev/stdout` redirected to a file names an open file, not a
            // place: replacing the file would lose what the shell appends.
            None => Ok(Destination::InPlace),
            Some(file) => {
                let permissions = std::fs::metadata(&file).ok().map(|m| m.permissions());
                Ok(Destination::Replace(file, permissions))
            }
        },
    }
}

/// `path` with every symlink on its last component followed (the link's
/// target may not exist yet), or `None` when a link goes through `/proc`
/// (`/dev/stdout`, `/dev/fd/N`): those name an open file.
fn final_path(path: &Path) -> io::Result<Option<PathBuf>> {
    let mut current = path.to_path_buf();
    for _ in 0..LINKS_MAX {
        if current.starts_with("/proc") {
            return Ok(None);
        }
        match std::fs::symlink_metadata(&current) {
            Ok(m) if m.file_type().is_symlink() => {
                let target = std::fs::read_link(&current)?;
                let folder = current.parent().unwrap_or(Path::new(""));
                current = folder.join(target);
            }
            _ => return Ok(Some(current)),
        }
    }
    Err(io::Error::other("too many levels of symbolic links"))
}

/// Writes a fresh temporary file beside `file`, fsyncs it and renames it
/// over `file`. Dropping the temporary file on an error path removes it.
fn replace(file: &Path, bytes: &[u8], permissions: Option<Permissions>) -> io::Result<()> {
    let folder = match file.parent() {
        Some(f) if !f.as_os_str().is_empty() => f,
        _ => Path::new("."),
    };
    let name = file.file_name().map(|n| n.to_string_lossy().into_owned());
    let prefix = format!(".{}.", name.as_deref().unwrap_or("wmsim"));
    let mut temporary = tempfile::Builder::new()
        .prefix(&prefix)
        .suffix(".tmp")
        .permissions(permissions.clone().unwrap_or_else(new_file_permissions))
        .tempfile_in(folder)?;
    if let Some(p) = permissions {
        // The mode given at creation is masked by the umask; an existing
        // file keeps its own mode exactly.
        temporary.as_file().set_permissions(p)?;
    }
    temporary.write_all(bytes)?;
    temporary.as_file().sync_all()?;
    temporary.persist(file).map_err(|e| e.error)?;
    Ok(())
}

/// What `File::create` gives a new file: 0666 less the umask.
#[cfg(unix)]
fn new_file_permissions() -> Permissions {
    use std::os::unix::fs::PermissionsExt;
    Permissions::from_mode(0o666)
}

#[cfg(not(unix))]
fn new_file_permissions() -> Permissions {
    std::fs::metadata(".")
        .map(|m| m.permissions())
        .expect("the working folder has metadata")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("wmsim-file-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn a_read_stops_one_byte_past_the_limit() {
        let dir = scratch("limit");
        let path = dir.join("f");
        std::fs::write(&path, b"12345").unwrap();
        let limit = |bytes| InputLimit {
            bytes,
            what: "a test file",
        };
        assert_eq!(read_limited(&path, limit(5)).unwrap(), b"12345");
        let refused = read_limited(&path, limit(4)).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "larger than 4 bytes, the limit for a test file"
        );
        let endless = read_limited(Path::new("/dev/zero"), LITMUS_LIMIT).unwrap_err();
        assert_eq!(
            endless.to_string(),
            "larger than 1 MiB, the limit for a litmus file"
        );
    }

    #[test]
    fn a_write_leaves_no_temporary_file_and_keeps_the_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = scratch("mode");
        let path = dir.join("out.json");
        std::fs::write(&path, b"old").unwrap();
        std::fs::set_permissions(&path, Permissions::from_mode(0o640)).unwrap();
        write_atomically(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        let names: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["out.json"]);
    }

    #[test]
    fn a_directory_is_refused_and_left_alone() {
        let dir = scratch("dir");
        let error = write_atomically(&dir, b"x").unwrap_err();
        assert_eq!(error.kind(), ErrorKind::IsADirectory);
        assert!(dir.is_dir());
    }
}
