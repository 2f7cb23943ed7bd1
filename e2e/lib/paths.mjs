// Where things are. Every path can be moved with an environment variable so that the tests can
// run against a build made elsewhere:
//   KEYTRAIL_DIST  the built page (default <repo>/dist, from `trunk build --release --offline`)
//   KEYTRAIL_BIN   the native CLI  (default <repo>/target/release/keytrail)
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
export const dist = resolve(process.env.KEYTRAIL_DIST ?? join(root, 'dist'));
export const fixtures = join(root, 'tests', 'fixtures');
export const artifacts = join(root, 'e2e', 'artifacts');
export const keytrailBin = process.env.KEYTRAIL_BIN ?? join(root, 'target', 'release', 'keytrail');
