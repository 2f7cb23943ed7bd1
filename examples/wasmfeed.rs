//! wasm32 benchmark of the worker's decoding path, run in Node (see BENCHMARKS.md).
use keytrail::ingest::chain;
use keytrail::ingest::file::{Collected, FileDecoder};

/// Room for `len` bytes in the module's memory, for the file (never freed: one per run).
#[no_mangle]
pub extern "C" fn alloc(len: usize) -> *mut u8 {
    let mut v = vec![0u8; len];
    let p = v.as_mut_ptr();
    std::mem::forget(v);
    p
}

/// Decodes the `len` bytes at `ptr` as the worker decodes a file; gives the count of events in
/// the high 32 bits, the bytes of row batches made in the low 32 (modulo 2³²).
///
/// # Safety
/// `ptr..ptr + len` must be memory [`alloc`] gave, filled.
#[no_mangle]
pub unsafe extern "C" fn feed(ptr: *const u8, len: usize) -> u64 {
    let bytes = std::slice::from_raw_parts(ptr, len);
    let mut collected = Collected::default();
    let mut d = FileDecoder::new(0);
    let mut n = 0u64;
    for b in chain::feed(&mut d, bytes, &mut collected) {
        n += b.len() as u64;
    }
    let p = d.finish(&mut collected);
    (p.events << 32) | (n & 0xffff_ffff)
}
