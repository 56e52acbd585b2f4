// The README's example, run against the packed tarball installed in a scratch project (as a stranger would).
import { packAndRunReadme } from '@filament/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCli } from './support/built-cli.js';

const pkg = new URL('..', import.meta.url).pathname;

describe('README example', () => {
  beforeAll(() => {
    buildCli();
  }, 300_000);

  it('prints exactly its output block from the packed package', () => {
    const { outputs, examples } = packAndRunReadme(pkg);
    expect(examples.length).toBe(1);
    expect(outputs[0]).toBe(examples[0]!.output);
  }, 300_000);
});
