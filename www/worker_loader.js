// Starts the decoding worker (a classic worker: wasm-bindgen's `no-modules` output). Kept as a
// file of this origin so the Content-Security-Policy needs no `blob:` workers.
importScripts('./worker.js');
wasm_bindgen({ module_or_path: './worker_bg.wasm' });
