//! Standard output that a closed pipe cannot crash.
//!
//! `outln!` panics when the reader has gone (`wmsim list | head -1`). Like
//! ripgrep and its family, wmsim then stops quietly with status 0: the reader
//! took what it wanted. Any other write error is an I/O failure (status 3).
//! Every line the binary prints goes through [`out!`] or [`outln!`].

use std::io::Write;

/// Writes `args` to standard output, ending the process on a closed pipe.
/// Control characters are escaped, as a last guard: names and source lines
/// from input files are escaped where they are read, but a file name or a
/// path is printed as given, and none of them may act on the terminal.
pub fn write(args: std::fmt::Arguments<'_>) {
    let text = scenarios::printable::escape_lines(&args.to_string());
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout.write_all(text.as_bytes()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(i32::from(crate::exit::OK));
        }
        eprintln!("wmsim: cannot write to standard output: {e}");
        std::process::exit(i32::from(crate::exit::IO));
    }
}

/// `print!` that stops quietly when standard output is a closed pipe.
macro_rules! out {
    ($($arg:tt)*) => { $crate::output::write(format_args!($($arg)*)) };
}

/// `outln!` that stops quietly when standard output is a closed pipe.
macro_rules! outln {
    () => { $crate::output::write(format_args!("\n")) };
    ($($arg:tt)*) => {
        $crate::output::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}
