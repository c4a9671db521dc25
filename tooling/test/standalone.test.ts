// The repository must test on its own: a user clones only it. Nothing tracked in git may read
// or link to a folder beside the repository (such as the team's `../shared`).
import { describe, expect, test } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../..');
const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' })
  .split('\n')
  .filter((f) => f && f !== 'pnpm-lock.yaml' && existsSync(join(root, f)));

// Ways a path can climb out of the repository towards the shared folder.
const outward = [/\.\.\/(\.\.\/)*shared\b/, /['"]\.\.['"]\s*,\s*['"]shared['"]/];

describe('the repository stands alone', () => {
  test('git lists the project files', () => expect(files.length).toBeGreaterThan(50));

  test('no file reads or links outside the repository', () => {
    const offenders = files.filter((f) => {
      // This test names the patterns; conformance/README.md is a verbatim copy that mentions them.
      if (f === 'tooling/test/standalone.test.ts' || f === 'conformance/README.md') return false;
      const text = readFileSync(join(root, f), 'latin1');
      return outward.some((re) => re.test(text));
    });
    expect(offenders).toEqual([]);
  });

  test('the conformance cases are inside the repository', () => {
    expect(existsSync(join(root, 'conformance', 'kitchen.json'))).toBe(true);
  });
});
