//! Running the `keytrail` binary from integration tests.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `keytrail ARGS`, feeding `stdin` from its own thread so a large
/// input never deadlocks against a large output. The command may exit
/// before it reads its input (a usage error does): that broken pipe is
/// part of the behaviour under test, not a failure of the harness.
pub fn keytrail(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_keytrail"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run keytrail");
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.map(<[u8]>::to_vec);
    let writer = std::thread::spawn(move || {
        if let Some(bytes) = input {
            match pipe.write_all(&bytes) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    panic!("writing stdin: {e}")
                }
                _ => {}
            }
        }
    });
    let out = child.wait_with_output().expect("wait for keytrail");
    writer.join().unwrap();
    out
}

/// The path of `tests/fixtures/NAME`, as the command line takes it.
#[allow(dead_code)] // not every test file that runs the binary reads fixtures
pub fn fixture(name: &str) -> String {
    let p: std::path::PathBuf = [env!("CARGO_MANIFEST_DIR"), "tests", "fixtures", name]
        .iter()
        .collect();
    p.to_string_lossy().into_owned()
}
