// The native CLI, as the tests compare the page with it.
import { execFileSync } from 'node:child_process';
import { keytrailBin } from './paths.mjs';

/**
 * What `keytrail ARGS…` writes to standard output. `findings` exits with status 4 when it found
 * something that needs a look: its output is still the whole report.
 */
export function keytrail(args) {
  try {
    return execFileSync(keytrailBin, args, { maxBuffer: 1 << 28 });
  } catch (e) {
    if (args[0] === 'findings' && e.status === 4) return e.stdout;
    throw e;
  }
}

/** The findings `keytrail findings FILE --format json [--rules RULES]` lists. */
export function cliFindings(file, rulesFile) {
  const args = ['findings', file, '--format', 'json'];
  if (rulesFile) args.push('--rules', rulesFile);
  return JSON.parse(keytrail(args)).findings;
}

/** Those findings counted by rule: rule id → count. */
export function cliCounts(file, rulesFile) {
  const counts = {};
  for (const f of cliFindings(file, rulesFile)) counts[f.rule] = (counts[f.rule] ?? 0) + 1;
  return counts;
}
