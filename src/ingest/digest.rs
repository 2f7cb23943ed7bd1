//! The SHA-256 of a file, for the report: taken from its bytes as they are fed to the decoder by
//! the CLI's `report` ([`Reader::new`](super::Reader::new)), and by the browser's worker reading
//! the file once more after a load (a file the chain of workers shares is decoded in parts at
//! once, but SHA-256 runs in one order only; and a load should not wait for a hash that only the
//! report needs).
//!
//! ```
//! use keytrail::ingest::Digest;
//!
//! let mut digest = Digest::new();
//! digest.update(b"ab");
//! digest.update(b"c");
//! assert_eq!(
//!     digest.finish(),
//!     "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
//! );
//! ```

use sha2::{Digest as _, Sha256};

/// The SHA-256 of one file, fed its bytes in order.
#[derive(Clone, Debug, Default)]
pub struct Digest {
    hasher: Sha256,
}

impl Digest {
    /// Nothing hashed yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes the next bytes of the file.
    pub fn update(&mut self, bytes: &[u8]) {
        self.hasher.update(bytes);
    }

    /// The SHA-256 of the bytes taken so far, as 64 lowercase hex digits.
    pub fn finish(&self) -> String {
        let sum = self.hasher.clone().finalize();
        sum.iter().map(|b| format!("{b:02x}")).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_does_not_depend_on_how_the_bytes_are_cut() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut whole = Digest::new();
        whole.update(&data);
        let expected = whole.finish();
        for piece in [1, 63, 64, 65, 4096] {
            let mut d = Digest::new();
            for chunk in data.chunks(piece) {
                d.update(chunk);
            }
            assert_eq!(d.finish(), expected, "pieces of {piece}");
        }
    }

    #[test]
    fn the_empty_file_has_the_empty_hash() {
        assert_eq!(
            Digest::new().finish(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
