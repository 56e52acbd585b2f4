// `filament mrt` run as built (`node tools/cli/dist/main.js`): `--bgpdump` prints exactly what `bgpdump -m`
// (Debian bgpdump, software none of us wrote) prints for the RIPE RIS update dumps in ../shared/corpus/ris
// (gzip as published, and the same bytes plain and bzip2-compressed) and for TABLE_DUMP_V2 RIB dumps that
// BIRD 2 writes at test time; the JSON lines carry the same routes, peers and times as bgpdump's lines.
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describeWithTool, hasTool, run, scratchDir, startDaemon, waitFor } from '@filament/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, filament, repoRoot } from './support/built-cli.js';

const ris = join(repoRoot, '..', 'shared', 'corpus', 'ris');
const corpus = existsSync(ris) ? readdirSync(ris).filter((f) => f.endsWith('.gz')) : [];

const bgpdump = (file: string) => run('bgpdump', ['-m', file], { timeoutMs: 300_000 }).stdout;

interface Line {
  kind: string;
  time: number;
  peer: { address: string; as: number };
  prefix?: string;
  oldState?: number;
  newState?: number;
}

const jsonLines = (s: string) =>
  s
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Line);

/** The bgpdump columns our JSON lines predict: type, time, kind letter, peer, AS, prefix or states. */
function asBgpdump(l: Line): string | undefined {
  switch (l.kind) {
    case 'announce':
      return `BGP4MP|${l.time}|A|${l.peer.address}|${l.peer.as}|${l.prefix}`;
    case 'withdraw':
      return `BGP4MP|${l.time}|W|${l.peer.address}|${l.peer.as}|${l.prefix}`;
    case 'state-change':
      return `BGP4MP|${l.time}|STATE|${l.peer.address}|${l.peer.as}|${l.oldState}|${l.newState}`;
    case 'rib':
      return `TABLE_DUMP2|${l.time}|B|${l.peer.address}|${l.peer.as}|${l.prefix}`;
    default:
      return undefined;
  }
}

const head = (line: string) => {
  const f = line.split('|');
  return f.slice(0, f[2] === 'STATE' ? 7 : 6).join('|');
};

beforeAll(() => buildCli(), 300_000);

describe('filament mrt', () => {
  it('prints --help with an example, and a usage error without FILE', () => {
    const h = filament(['mrt', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('Example:');
    expect(h.stdout).toContain('--bgpdump');
    expect(filament(['mrt']).code).toBe(2);
  });
});

describeWithTool('bgpdump', 'filament mrt on the RIPE RIS corpus', () => {
  if (corpus.length === 0) {
    it.skip(`skipped: no RIS corpus at ${ris}`, () => {});
    return;
  }
  const dir = scratchDir('filament-cli-mrt-');
  afterAll(() => dir.cleanup());

  for (const name of corpus) {
    it(`${name}: --bgpdump equals bgpdump -m line for line, also plain and bzip2`, () => {
      const file = join(ris, name);
      const theirs = bgpdump(file);
      expect(theirs.length).toBeGreaterThan(0);
      const r = filament(['mrt', file, '--bgpdump']);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(theirs);
      const plain = join(dir.path, name.replace(/\.gz$/, ''));
      writeFileSync(plain, gunzipSync(readFileSync(file)));
      expect(filament(['mrt', plain, '--bgpdump']).stdout).toBe(theirs);
      if (hasTool('bzip2')) {
        run('bzip2', ['-k', '-f', plain]);
        expect(filament(['mrt', `${plain}.bz2`, '--bgpdump']).stdout).toBe(theirs);
      }
    }, 300_000);

    it(`${name}: JSON lines carry the same routes, peers, times and state changes`, () => {
      const file = join(ris, name);
      const r = filament(['mrt', file, '--progress']);
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(/filament mrt: \d+ records\n$/);
      const ours = jsonLines(r.stdout)
        .map(asBgpdump)
        .filter((x): x is string => x !== undefined);
      const theirs = bgpdump(file)
        .split('\n')
        .filter((l) => l.length > 0)
        .map(head);
      expect(ours.length).toBeGreaterThan(1000);
      expect(ours).toEqual(theirs);
    }, 300_000);
  }
});

describeWithTool(['bird', 'bgpdump'], 'filament mrt on TABLE_DUMP_V2 RIB dumps written by BIRD 2', () => {
  const dir = scratchDir('filament-cli-mrt-bird-');
  afterAll(() => dir.cleanup());
  const d4 = join(dir.path, 'rib4.mrt');
  const d6 = join(dir.path, 'rib6.mrt');

  beforeAll(async () => {
    const conf = join(dir.path, 'bird.conf');
    writeFileSync(
      conf,
      `router id 9.9.9.9;
protocol device { }
protocol static r4 {
  ipv4;
  route 10.77.0.0/16 blackhole { bgp_path.prepend(64512); bgp_path.prepend(4200000077); bgp_med = 3; bgp_community.add((64512,7)); };
  route 10.78.1.0/24 blackhole { bgp_origin = ORIGIN_INCOMPLETE; bgp_local_pref = 50; bgp_large_community.add((64512,7,8)); };
}
protocol static r6 {
  ipv6;
  route 2001:db8:77::/48 blackhole { bgp_path.prepend(64513); };
}
protocol mrt t4 { table "master4"; filename "${d4}"; period 1; }
protocol mrt t6 { table "master6"; filename "${d6}"; period 1; }
`,
    );
    run('bird', ['-p', '-c', conf]);
    const bird = startDaemon('bird', [
      '-f',
      '-c',
      conf,
      '-s',
      join(dir.path, 'ctl'),
      '-P',
      join(dir.path, 'pid'),
    ]);
    try {
      const size = (f: string) => (existsSync(f) ? statSync(f).size : 0);
      await waitFor('RIB dumps from BIRD', () => size(d4) > 200 && size(d6) > 100, 20_000);
    } finally {
      await bird.stop();
    }
  }, 60_000);

  it('--bgpdump equals bgpdump -m; JSON lines carry the prefixes and decoded attributes', () => {
    for (const f of [d4, d6]) {
      const theirs = bgpdump(f);
      expect(theirs.length).toBeGreaterThan(0);
      expect(filament(['mrt', f, '--bgpdump']).stdout).toBe(theirs);
      const lines = jsonLines(filament(['mrt', f]).stdout);
      expect(lines.map(asBgpdump)).toEqual(
        theirs
          .split('\n')
          .filter((l) => l.length > 0)
          .map(head),
      );
    }
    const r = jsonLines(filament(['mrt', d4]).stdout) as unknown as {
      prefix: string;
      family: string;
      attributes: { type: string; segments?: unknown; med?: number; communities?: unknown }[];
    }[];
    const a = r.find((x) => x.prefix === '10.77.0.0/16')!;
    expect(a.family).toBe('ipv4-unicast');
    expect(a.attributes.find((x) => x.type === 'AS_PATH')?.segments).toEqual([
      { type: 'sequence', asns: [4200000077, 64512] },
    ]);
    expect(a.attributes.find((x) => x.type === 'MULTI_EXIT_DISC')?.med).toBe(3);
    expect(a.attributes.find((x) => x.type === 'COMMUNITIES')?.communities).toEqual([
      ((64512 << 16) | 7) >>> 0,
    ]);
    const b = r.find((x) => x.prefix === '10.78.1.0/24')!;
    expect(b.attributes.find((x) => x.type === 'LARGE_COMMUNITY')?.communities).toEqual([
      { global: 64512, local1: 7, local2: 8 },
    ]);
  });
});
