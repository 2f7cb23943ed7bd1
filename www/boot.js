// Starts the page's wasm. Trunk would inline this as a <script type="module">; kept as a file so
// the Content-Security-Policy can stay `script-src 'self'` (see Trunk.toml, pattern_script).
const tag = document.querySelector('script[data-js][data-wasm]');
const { default: init } = await import(tag.dataset.js);
await init({ module_or_path: tag.dataset.wasm });
