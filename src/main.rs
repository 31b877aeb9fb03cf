fn main() {
    std::process::exit(cis_audit::cli::main());
}
