//! The `blinkline` binary: everything lives in the library; see `app.rs`.

use blinkline::CountingAllocator;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

fn main() -> std::process::ExitCode {
    blinkline::main()
}
