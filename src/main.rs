//! The `basinscope` binary: the app with no arguments, the command line otherwise.

fn main() -> std::process::ExitCode {
    basinscope::cli::main()
}
