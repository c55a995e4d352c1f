//! The `podsim` binary: parse, run, map errors to exit codes. All the work is in the library.

use clap::Parser;

fn main() {
    let cli = podsim::cli::Cli::parse();
    if let Err(e) = podsim::cli::execute(cli) {
        eprintln!("error: {}", e.message());
        std::process::exit(e.exit_code());
    }
}
