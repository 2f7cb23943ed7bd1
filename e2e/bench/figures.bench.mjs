// Figures for BENCHMARKS.md (not part of the default e2e run: `npm run bench` in e2e/).
// - time from picking a generated 100 MB export to its first rows and to the whole file
//   decoded (window.__keytrail, set by the page from performance.now() marks);
// - gzipped size of the built wasm + JS + CSS in dist/.
// Needs dist/ (trunk build --release --offline) and target/release/keytrail (cargo build --release).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { launchChromium } from '../lib/browser.mjs';
import { warmCache } from '../lib/files.mjs';
import { dist, keytrailBin } from '../lib/paths.mjs';
import { closeServer, originOf, serveDist } from '../lib/server.mjs';

test('figures', async () => {
  // Sizes.
  let raw = 0;
  let gz = 0;
  for (const name of await readdir(dist)) {
    if (!/\.(wasm|js|css)$/.test(name)) continue;
    const body = await readFile(join(dist, name));
    const packed = gzipSync(body, { level: 9 }).length;
    raw += body.length;
    gz += packed;
    console.log(`size ${name}: ${body.length} B, gzip ${packed} B`);
  }
  console.log(`size total wasm+js+css: ${raw} B, gzip ${gz} B (${(gz / 1024).toFixed(0)} KiB)`);

  // 100 MB export.
  const big = process.env.KEYTRAIL_BENCH_FILE ?? '/tmp/kt100.xml';
  if (!existsSync(big)) {
    execFileSync(keytrailBin, ['generate', '--size', '100MB', '-o', big]);
  }
  warmCache(big);
  const size = (await stat(big)).size;
  const server = await serveDist([]);
  const browser = await launchChromium();
  try {
    for (let run = 1; run <= 3; run++) {
      const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
      await page.goto(`${originOf(server)}/`);
      await page.waitForSelector('[data-testid=drop-zone][data-ready=true]');
      await page.setInputFiles('[data-testid=file-input]', big);
      await page.waitForFunction(() => window.__keytrail?.doneMs != null, null, { timeout: 300_000 });
      const t = await page.evaluate(() => window.__keytrail);
      const events = await page.textContent('[data-testid=event-count]');
      // Sort and filter in the page over everything loaded.
      const sortStart = Date.now();
      await page.click('th[data-column=time] button');
      await page.waitForSelector('th[data-column=time][aria-sort=ascending]');
      const sortMs = await page.evaluate(() => window.__keytrail.selectMs);
      await page.fill('[data-testid=search]', 'svc-backup');
      await page.waitForFunction(() => Number(document.querySelector('[data-testid=row-count]').textContent) > 0);
      const filterMs = await page.evaluate(() => window.__keytrail.selectMs);
      console.log(
        `run ${run}: ${(size / 1e6).toFixed(0)} MB, ${events} events: first rows ${t.firstRowsMs.toFixed(0)} ms, ` +
          `all decoded ${t.doneMs.toFixed(0)} ms (${(size / 1e6 / (t.doneMs / 1000)).toFixed(1)} MB/s); ` +
          `sort by time ${sortMs.toFixed(0)} ms, search ${filterMs.toFixed(0)} ms (click to paint ${Date.now() - sortStart} ms)`,
      );
      assert.ok(t.firstRowsMs > 0);
      await page.close();
    }
  } finally {
    await browser.close();
    await closeServer(server);
  }
});
