// The setup every end-to-end file shares: the built page served on a free port (every request
// logged into `served`) and the system Chromium.
import { after, before } from 'node:test';
import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium } from './browser.mjs';
import { artifacts, dist } from './paths.mjs';
import { closeServer, originOf, serveDist } from './server.mjs';

/** Serves dist/ and launches Chromium: `{ server, origin, browser }`. */
export async function startPage(served) {
  if (!existsSync(join(dist, 'index.html'))) {
    throw new Error(`${dist}/index.html is missing: run \`trunk build --release --offline\` first`);
  }
  await mkdir(artifacts, { recursive: true });
  const server = await serveDist(served);
  return { server, origin: originOf(server), browser: await launchChromium() };
}

/**
 * Registers the file's `before`/`after` hooks and returns what they set up:
 * `{ served, server, origin, browser }` (filled in once `before` has run).
 */
export function usePage() {
  const env = { served: [] };
  before(async () => Object.assign(env, await startPage(env.served)));
  after(() => stopPage(env));
  return env;
}

/** Undoes `startPage`. */
export async function stopPage({ server, browser } = {}) {
  await browser?.close();
  await closeServer(server);
}

/**
 * Waits until the load is over (every file done) and its page fully drawn, then returns the event
 * count shown. A load's page comes in painted steps (filters and findings, the table, the charts
 * last), so with events shown it also waits for the charts.
 */
export async function loaded(page, timeout = 60_000) {
  await page.waitForFunction(
    () => {
      const progress = document.querySelector('[data-testid=progress]');
      return window.__keytrail?.doneMs != null && (!progress || progress.dataset.busy === 'false');
    },
    null,
    { timeout },
  );
  const count = Number(await page.textContent('[data-testid=event-count]'));
  if (count > 0) await page.waitForSelector('[data-testid=charts]', { timeout });
  return count;
}
