import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { describeWithTool, run } from '@filament/testkit';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Bgp4mpStateChange,
  BgpError,
  decodeMrtRecord,
  encodeMrtRecord,
  type MrtRecord,
  readMrt,
  readMrtFile,
} from '../src/index.js';

const corpus = new URL('../../../../shared/corpus/ris/', import.meta.url).pathname;
const updates1600 = `${corpus}rrc15-updates.20100227.1600.gz`;
const haveCorpus = existsSync(updates1600);

function decodeAll(buf: Uint8Array): MrtRecord[] {
  const out: MrtRecord[] = [];
  for (let off = 0; off < buf.length; ) {
    const r = decodeMrtRecord(buf, off);
    if (!r) throw new Error(`incomplete record at ${off}`);
    out.push(r.record);
    off += r.length;
  }
  return out;
}

async function* chunks(buf: Uint8Array, sizes: number[]): AsyncGenerator<Uint8Array> {
  let off = 0;
  let i = 0;
  while (off < buf.length) {
    const n = Math.max(1, sizes[i++ % sizes.length] ?? 1);
    yield buf.subarray(off, off + n);
    off += n;
  }
}

const sample: MrtRecord[] = [
  {
    kind: 'bgp4mp-state-change',
    timestamp: 1267286520,
    microseconds: 0,
    type: 16,
    subtype: 5,
    peerAs: 4200000001,
    localAs: 65000,
    interfaceIndex: 0,
    afi: 2,
    peerAddress: '2001:db8::1',
    localAddress: '2001:db8::2',
    as4: true,
    oldState: 1,
    newState: 2,
  },
  {
    kind: 'peer-index-table',
    timestamp: 1,
    microseconds: 0,
    type: 13,
    subtype: 1,
    collectorId: '10.0.0.1',
    viewName: 'main',
    peers: [
      { bgpId: '1.1.1.1', address: '192.0.2.1', as: 65001, as4: false },
      { bgpId: '2.2.2.2', address: '2001:db8::7', as: 4200000000, as4: true },
    ],
  },
  {
    kind: 'rib',
    timestamp: 2,
    microseconds: 0,
    type: 13,
    subtype: 10,
    sequence: 7,
    afi: 2,
    safi: 1,
    prefix: '2001:db8:10::/48',
    addPath: true,
    entries: [{ peerIndex: 1, originatedTime: 3, pathId: 9, attributes: Uint8Array.of(0x40, 1, 1, 0) }],
  },
  {
    kind: 'table-dump',
    timestamp: 4,
    microseconds: 0,
    type: 12,
    subtype: 1,
    viewNumber: 0,
    sequence: 3,
    afi: 1,
    prefix: '10.0.0.0/8',
    status: 1,
    originatedTime: 5,
    peerAddress: '192.0.2.9',
    peerAs: 65002,
    attributes: Uint8Array.of(0x40, 1, 1, 2),
  },
];

describe('MRT records (RFC 6396, RFC 8050)', () => {
  it('encodes and decodes every record kind as exact inverses', () => {
    for (const rec of sample) {
      const bytes = encodeMrtRecord(rec);
      const back = decodeMrtRecord(bytes);
      expect(back?.length).toBe(bytes.length);
      expect(back?.record).toEqual(rec);
      expect(encodeMrtRecord(back!.record)).toEqual(bytes);
    }
  });

  it('waits for more bytes instead of failing on a partial record', () => {
    const bytes = encodeMrtRecord(sample[1]!);
    for (let n = 0; n < bytes.length; n++) expect(decodeMrtRecord(bytes.subarray(0, n))).toBeUndefined();
  });

  it('fuzz: random and mutated bytes give a record, undefined, or a BgpError', () => {
    const whole = new Uint8Array(sample.flatMap((r) => [...encodeMrtRecord(r)]));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.tuple(fc.nat(whole.length - 1), fc.integer({ min: 0, max: 255 })).map(([i, v]) => {
            const b = whole.slice();
            b[i] = v;
            return b;
          }),
        ),
        (b) => {
          try {
            for (let off = 0; off < b.length; ) {
              const r = decodeMrtRecord(b, off);
              if (!r) break;
              off += r.length;
            }
          } catch (e) {
            expect(e).toBeInstanceOf(BgpError);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('the stream reader gives the same records for any split of the bytes and bounds record size', async () => {
    const whole = new Uint8Array(sample.flatMap((r) => [...encodeMrtRecord(r)]));
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 8 }),
        async (sizes) => {
          const got: MrtRecord[] = [];
          for await (const r of readMrt(chunks(whole, sizes))) got.push(r);
          expect(got).toEqual(decodeAll(whole));
        },
      ),
      { numRuns: 100 },
    );
    const tooBig = encodeMrtRecord(sample[1]!);
    await expect(async () => {
      for await (const _ of readMrt(chunks(tooBig, [5]), { maxRecordBytes: 20 })) void _;
    }).rejects.toThrow(/exceeds 20/);
    await expect(async () => {
      for await (const _ of readMrt(chunks(tooBig.subarray(0, 30), [7]))) void _;
    }).rejects.toThrow(/ends inside a record/);
  });
});

describe.skipIf(!haveCorpus)('MRT corpus: RIPE RIS rrc15 (../shared/corpus)', () => {
  it('every record re-encodes byte for byte', () => {
    const raw = new Uint8Array(gunzipSync(readFileSync(updates1600)));
    let off = 0;
    let n = 0;
    while (off < raw.length) {
      const r = decodeMrtRecord(raw, off)!;
      expect(encodeMrtRecord(r.record)).toEqual(raw.subarray(off, off + r.length));
      off += r.length;
      n++;
    }
    expect(n).toBe(6615); // MRT records in the 16:00 dump
  });

  describeWithTool('bgpdump', 'state changes equal bgpdump -m', () => {
    it('lists the same BGP4MP state changes, in order', async () => {
      const ours: string[] = [];
      for await (const r of readMrtFile(updates1600)) {
        if (r.kind !== 'bgp4mp-state-change') continue;
        const s = r as Bgp4mpStateChange;
        ours.push(`BGP4MP|${s.timestamp}|STATE|${s.peerAddress}|${s.peerAs}|${s.oldState}|${s.newState}`);
      }
      const theirs = run('bgpdump', ['-m', updates1600])
        .stdout.split('\n')
        .filter((l) => l.includes('|STATE|'));
      expect(ours.length).toBeGreaterThan(0);
      expect(ours).toEqual(theirs);
    });
  });
});

describe.skipIf(!haveCorpus)('every BGP message of the RIS corpus decodes', () => {
  it('with no error, and RFC 7606 classifications only where the message is malformed', async () => {
    const { decodeMessage, sessionContext } = await import('../src/index.js');
    const ctx2 = sessionContext({ fourOctetAs: false });
    const ctx4 = sessionContext({ fourOctetAs: true });
    let messages = 0;
    const problems: string[] = [];
    for (const file of [updates1600, `${corpus}rrc15-updates.20100227.1610.gz`]) {
      for await (const r of readMrtFile(file)) {
        if (r.kind !== 'bgp4mp-message') continue;
        const d = decodeMessage(r.message, 0, r.as4 ? ctx4 : ctx2);
        messages++;
        for (const p of d.problems) problems.push(`${p.attribute} ${p.action}: ${p.reason}`);
      }
    }
    expect(messages).toBeGreaterThan(7000);
    // The collector's peers sent well-formed UPDATEs throughout these 20 minutes.
    expect(problems).toEqual([]);
  });
});
