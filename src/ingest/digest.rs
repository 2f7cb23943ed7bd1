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
//! digest.update(0, b"ab");
//! digest.update(1, b"bc"); // `b` again: already hashed, skipped
//! assert_eq!(
//!     digest.finish().as_deref(),
//!     Some("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
//! );
//! digest.update(9, b"x"); // bytes 3..9 were never seen: no hash
//! assert_eq!(digest.finish(), None);
//! ```

use sha2::{Digest as _, Sha256};

/// The SHA-256 of one file, fed its bytes in order (see [`Digest::update`]).
#[derive(Clone, Debug, Default)]
pub struct Digest {
    hasher: Sha256,
    /// How many bytes from the start of the file are hashed.
    hashed: u64,
    /// Whether bytes were missed: the hash cannot be the file's.
    gap: bool,
}

impl Digest {
    /// Nothing hashed yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes bytes `at..at + bytes.len()` of the file. Those already hashed are skipped (a
    /// worker that read the rest of a file for its hash and must then decode it itself); bytes
    /// after a gap lose the hash ([`Digest::finish`] gives `None`).
    pub fn update(&mut self, at: u64, bytes: &[u8]) {
        let end = at + bytes.len() as u64;
        if at > self.hashed {
            self.gap = true;
        }
        if self.gap || end <= self.hashed {
            return;
        }
        let skip = usize::try_from(self.hashed - at).unwrap_or(bytes.len());
        self.hasher.update(&bytes[skip..]);
        self.hashed = end;
    }

    /// How many bytes from the start of the file are hashed.
    pub fn hashed(&self) -> u64 {
        self.hashed
    }

    /// The SHA-256 of the bytes hashed so far, as 64 lowercase hex digits; `None` if some were
    /// missed.
    pub fn finish(&self) -> Option<String> {
        if self.gap {
            return None;
        }
        let sum = self.hasher.clone().finalize();
        Some(sum.iter().map(|b| format!("{b:02x}")).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_does_not_depend_on_how_the_bytes_are_cut() {
        let data: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut whole = Digest::new();
        whole.update(0, &data);
        let expected = whole.finish();
        for piece in [1, 63, 64, 65, 4096] {
            let mut d = Digest::new();
            let mut at = 0;
            for chunk in data.chunks(piece) {
                d.update(at, chunk);
                at += chunk.len() as u64;
            }
            assert_eq!(d.finish(), expected, "pieces of {piece}");
            assert_eq!(d.hashed(), data.len() as u64);
        }
    }

    #[test]
    fn the_rest_hashed_ahead_is_not_hashed_again_when_it_is_decoded() {
        let data = b"0123456789abcdef".repeat(100);
        let mut whole = Digest::new();
        whole.update(0, &data);
        let mut d = Digest::new();
        d.update(0, &data[..700]);
        d.update(700, &data[700..]); // read again for the hash only
        d.update(700, &data[700..1000]); // then decoded here after all
        d.update(1000, &data[1000..]);
        assert_eq!(d.finish(), whole.finish());
    }

    #[test]
    fn the_empty_file_has_the_empty_hash() {
        assert_eq!(
            Digest::new().finish().as_deref(),
            Some("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        );
    }
}
