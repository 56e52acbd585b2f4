// pcapng read, checked against tshark on: a real capture from the shared corpus; files text2pcap, editcap
// and mergecap write (several interfaces, nanosecond resolution); and files this test assembles block by
// block in both byte orders (several sections, simple packet blocks, 2^-n resolution, unknown blocks),
// where tshark is the judge of what the file says and our reader must say the same.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithTool, run, scratchDir, tsharkFields, tsharkJson } from '@filament/testkit';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CapturedPacket,
  captureFormat,
  capturePackets,
  EncapError,
  pcapngPackets,
  readCaptureStream,
  readPcapngStream,
  writePcap,
} from '../src/index.js';

const scratch = scratchDir('encap-pcapng-');
afterAll(() => scratch.cleanup());
const CORPUS = '/work/shared/corpus/bgp_orf_prefix_advertisement.pcapng';

interface Frame {
  epoch: string;
  len: number;
  caplen: number;
  iface: number;
  encap: number;
  hex: string;
}

function tsharkFrames(file: string): Frame[] {
  return tsharkJson(file, ['-x']).map((l) => {
    const f = l.frame as Record<string, string>;
    return {
      epoch: f['frame.time_epoch']!,
      len: Number(f['frame.len']),
      caplen: Number(f['frame.cap_len']),
      iface: Number(f['frame.interface_id'] ?? 0),
      encap: Number(f['frame.encap_type']),
      hex: (l.frame_raw as [string])[0],
    };
  });
}

// Wireshark's WTAP_ENCAP numbers differ from link types; these are the ones used here.
const WTAP: Record<number, number> = { 1: 1, 101: 7, 228: 129, 229: 130 };

function ours(p: CapturedPacket): Frame {
  return {
    epoch: `${p.seconds}.${String(p.nanoseconds).padStart(9, '0')}`,
    len: p.originalLength,
    caplen: p.capturedLength,
    iface: p.interfaceId,
    encap: WTAP[p.linktype] ?? -1,
    hex: Buffer.from(p.data).toString('hex'),
  };
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function* chunked(buf: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

/** Assembles pcapng blocks in either byte order (the test's own writer; tshark checks what it wrote). */
class Blocks {
  parts: Buffer[] = [];
  constructor(readonly le: boolean) {}
  private block(type: number, body: Buffer): void {
    const pad = (4 - (body.length % 4)) % 4;
    const len = 12 + body.length + pad;
    const b = Buffer.alloc(len);
    const w = (v: number, at: number) => (this.le ? b.writeUInt32LE(v, at) : b.writeUInt32BE(v, at));
    w(type, 0);
    w(len, 4);
    body.copy(b, 8);
    w(len, len - 4);
    this.parts.push(b);
  }
  private u16(v: number): Buffer {
    const b = Buffer.alloc(2);
    if (this.le) b.writeUInt16LE(v);
    else b.writeUInt16BE(v);
    return b;
  }
  private u32(v: number): Buffer {
    const b = Buffer.alloc(4);
    if (this.le) b.writeUInt32LE(v);
    else b.writeUInt32BE(v);
    return b;
  }
  private opt(code: number, value: Buffer): Buffer {
    const pad = (4 - (value.length % 4)) % 4;
    return Buffer.concat([this.u16(code), this.u16(value.length), value, Buffer.alloc(pad)]);
  }
  shb(): this {
    const sectionLength = Buffer.alloc(8, 0xff);
    this.block(0x0a0d0d0a, Buffer.concat([this.u32(0x1a2b3c4d), this.u16(1), this.u16(0), sectionLength]));
    return this;
  }
  idb(linktype: number, snaplen: number, tsresol?: number, tsoffset?: bigint): this {
    const o: Buffer[] = [];
    if (tsresol !== undefined) o.push(this.opt(9, Buffer.of(tsresol)));
    if (tsoffset !== undefined) {
      const v = Buffer.alloc(8);
      if (this.le) v.writeBigInt64LE(tsoffset);
      else v.writeBigInt64BE(tsoffset);
      o.push(this.opt(14, v));
    }
    if (o.length > 0) o.push(this.opt(0, Buffer.alloc(0)));
    const opts = Buffer.concat(o);
    this.block(1, Buffer.concat([this.u16(linktype), this.u16(0), this.u32(snaplen), opts]));
    return this;
  }
  epb(iface: number, ts: bigint, data: Buffer, orig = data.length): this {
    const pad = Buffer.alloc((4 - (data.length % 4)) % 4);
    const hi = Number(ts >> 32n);
    const lo = Number(ts & 0xffffffffn);
    this.block(
      6,
      Buffer.concat([
        this.u32(iface),
        this.u32(hi),
        this.u32(lo),
        this.u32(data.length),
        this.u32(orig),
        data,
        pad,
      ]),
    );
    return this;
  }
  /** The obsolete Packet Block (type 2): 16-bit interface id and drops count. */
  pb(iface: number, ts: bigint, data: Buffer): this {
    const pad = Buffer.alloc((4 - (data.length % 4)) % 4);
    const hi = Number(ts >> 32n);
    const lo = Number(ts & 0xffffffffn);
    const head = Buffer.concat([
      this.u16(iface),
      this.u16(0),
      this.u32(hi),
      this.u32(lo),
      this.u32(data.length),
      this.u32(data.length),
    ]);
    this.block(2, Buffer.concat([head, data, pad]));
    return this;
  }
  spb(data: Buffer): this {
    this.block(3, Buffer.concat([this.u32(data.length), data]));
    return this;
  }
  unknown(type: number, body: Buffer): this {
    this.block(type, body);
    return this;
  }
  bytes(): Buffer {
    return Buffer.concat(this.parts);
  }
}

const ETH_ARP = Buffer.from(
  'ffffffffffff020000000001080600010800060400010200000000010a000001000000000000' + '0a000002',
  'hex',
);
const RAW_IP = Buffer.from('450000140001000040ff7ce70a0000010a000002', 'hex');
const RAW_IP6 = Buffer.from(
  '6000000000003b4020010db800000000000000000000000120010db8000000000000000000000002',
  'hex',
);

describeWithTool('tshark', 'pcapng read, tshark as the judge', () => {
  it('the shared corpus capture: frame count, timestamps and bytes', async () => {
    const buf = readFileSync(CORPUS);
    expect(captureFormat(buf)).toBe('pcapng');
    const epochs = tsharkFields(CORPUS, ['frame.time_epoch']).map((r) => r[0]);
    const mine = [...pcapngPackets(buf)];
    expect(mine.length).toBe(epochs.length);
    expect(mine.map((p) => `${p.seconds}.${String(p.nanoseconds).padStart(9, '0')}`)).toEqual(epochs);
    expect(mine.map(ours)).toEqual(tsharkFrames(CORPUS));
    expect((await collect(readPcapngStream(chunked(buf, 13)))).map(ours)).toEqual(tsharkFrames(CORPUS));
  });

  for (const le of [true, false]) {
    it(`${le ? 'little' : 'big'}-endian: two sections, several interfaces, EPB/SPB/PB, 2^-n and 10^-n resolution, if_tsoffset, unknown blocks`, async () => {
      const b = new Blocks(le)
        .shb()
        .idb(1, 0, 6) // microseconds
        .idb(101, 0, 0x80 | 20) // 2^-20 seconds
        .unknown(4, Buffer.alloc(8)) // name resolution block, empty
        .epb(0, 1_700_000_000_123_456n, ETH_ARP)
        .epb(1, (1_700_000_001n << 20n) | 0x80000n, RAW_IP)
        .spb(ETH_ARP)
        .unknown(0x80001234, Buffer.from('local!!!')) // local-use block type
        .shb()
        .idb(229, 64, 9) // nanoseconds, snaplen 64
        .epb(0, 1_700_000_002_000_000_007n, RAW_IP6, 100)
        .idb(228, 0, 3, 1_000_000n) // milliseconds, timestamps offset by 1,000,000 s
        .pb(1, 1_600_000_000_250n, RAW_IP)
        .bytes();
      const file = join(scratch.path, `built-${le}.pcapng`);
      writeFileSync(file, b);
      const want = tsharkFrames(file);
      expect(want).toHaveLength(5);
      // if_tsoffset (seconds) is added to every timestamp of the interface, by tshark and by us.
      expect(want[4]!.epoch).toBe('1601000000.250000000');
      expect(want[1]!.epoch).toBe('1700000001.500000000');
      const mine = [...pcapngPackets(b)];
      // tshark has no timestamp for a simple packet block; it prints the previous frame's time or 0.
      const cmp = (xs: Frame[]) => xs.map((f, i) => (i === 2 ? { ...f, epoch: '-' } : f));
      expect(cmp(mine.map(ours))).toEqual(cmp(want));
      expect(mine[2]).toMatchObject({ seconds: 0, nanoseconds: 0, linktype: 1, interfaceId: 0 });
      expect(mine[3]).toMatchObject({ linktype: 229, interfaceId: 0, originalLength: 100 });
      expect(mine[4]).toMatchObject({
        linktype: 228,
        interfaceId: 1,
        seconds: 1_601_000_000,
        nanoseconds: 250_000_000,
      });
      expect(cmp((await collect(readCaptureStream(chunked(b, 11)))).map(ours))).toEqual(cmp(want));
    });
  }
});

describeWithTool(['text2pcap', 'editcap', 'mergecap', 'tshark'], 'pcapng written by Wireshark tools', () => {
  it('text2pcap, editcap -F pcapng (nanosecond if_tsresol) and mergecap (two interfaces)', async () => {
    const eth = join(scratch.path, 'eth.pcap');
    const raw = join(scratch.path, 'raw.pcap');
    writeFileSync(
      eth,
      writePcap([{ data: ETH_ARP, seconds: 1_650_000_000, nanoseconds: 111_222_333 }], { nanosecond: true }),
    );
    writeFileSync(
      raw,
      writePcap([{ data: RAW_IP, seconds: 1_650_000_001, nanoseconds: 5_000 }], { linktype: 101 }),
    );
    const ethNg = join(scratch.path, 'eth.pcapng');
    run('editcap', ['-F', 'pcapng', eth, ethNg]);
    const merged = join(scratch.path, 'merged.pcapng');
    run('mergecap', ['-F', 'pcapng', '-w', merged, ethNg, raw]);
    for (const f of [ethNg, merged]) {
      const want = tsharkFrames(f);
      const buf = readFileSync(f);
      expect([...capturePackets(buf)].map(ours)).toEqual(want);
      expect((await collect(readCaptureStream(chunked(buf, 9)))).map(ours)).toEqual(want);
    }
    const m = [...capturePackets(readFileSync(merged))];
    expect(m.map((p) => [p.interfaceId, p.linktype])).toEqual([
      [0, 1],
      [1, 101],
    ]);
    expect(m[0]).toMatchObject({ seconds: 1_650_000_000, nanoseconds: 111_222_333 });

    const txt = join(scratch.path, 'dump.txt');
    writeFileSync(txt, `0000  ${[...ETH_ARP].map((x) => x.toString(16).padStart(2, '0')).join(' ')}\n`);
    const t2p = join(scratch.path, 't2p.pcapng');
    run('text2pcap', ['-q', txt, t2p]);
    const want = tsharkFrames(t2p);
    expect([...capturePackets(readFileSync(t2p))].map(ours)).toEqual(want);
  });
});

describe('pcapng reader on bad input', () => {
  const good = new Blocks(true)
    .shb()
    .idb(1, 0, 9)
    .epb(0, 1n, ETH_ARP)
    .spb(RAW_IP)
    .unknown(5, Buffer.alloc(4))
    .bytes();

  it('names the field and offset', () => {
    expect(() => [...pcapngPackets(good.subarray(0, good.length - 2))]).toThrow(
      /pcapng\.block at offset \d+: truncated/,
    );
    const bad = Buffer.from(good);
    bad.writeUInt32LE(7, 28 + 8 + 32); // EPB interface id 7 (SHB 28 bytes, IDB 32 bytes)
    expect(() => [...pcapngPackets(bad)]).toThrow(/pcapng\.interfaceId at offset 68/);
    const trail = Buffer.from(good);
    trail.writeUInt32LE(12, 24); // SHB trailing length
    expect(() => [...pcapngPackets(trail)]).toThrow(/trailingBlockLength/);
    expect(() => [...pcapngPackets(good.subarray(28))]).toThrow(/starts with a section header block/);
  });

  it('regression (found by the fuzzer): an empty file is truncated for the sync and the stream reader alike', async () => {
    expect(() => [...pcapngPackets(new Uint8Array(0))]).toThrow(/pcapng\.blockHeader at offset 0: truncated/);
    await expect(collect(readPcapngStream(chunked(new Uint8Array(0), 4)))).rejects.toThrow(
      /pcapng\.blockHeader at offset 0/,
    );
  });

  it('random and mutated bytes give only typed errors; sync and stream agree', async () => {
    const outcome = async (b: Uint8Array, chunk: number): Promise<[string, string]> => {
      const sync = (() => {
        try {
          return JSON.stringify([...pcapngPackets(b)].map(ours));
        } catch (e) {
          expect(e).toBeInstanceOf(EncapError);
          return `error ${(e as EncapError).name} ${(e as EncapError).field}`;
        }
      })();
      let stream: string;
      try {
        stream = JSON.stringify((await collect(readPcapngStream(chunked(b, chunk)))).map(ours));
      } catch (e) {
        expect(e).toBeInstanceOf(EncapError);
        stream = `error ${(e as EncapError).name} ${(e as EncapError).field}`;
      }
      return [sync, stream];
    };
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat(good.length),
        fc.integer({ min: 1, max: 50 }),
        async (muts, cut, chunk) => {
          const b = Uint8Array.from(good.subarray(0, cut));
          for (const [at, v] of muts) if (at < b.length) b[at] = v;
          const [s, t] = await outcome(b, chunk);
          // A stream may stop at the same place with the same error; a truncation seen mid-block can
          // surface as a different field name than the whole-buffer check, so compare the outcome kind.
          expect(t.split(' ')[0]).toBe(s.split(' ')[0]);
        },
      ),
      { numRuns: 300 },
    );
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), async (b) => {
        await outcome(b, 17);
        const withShb = Uint8Array.from([...good.subarray(0, 28), ...b]);
        await outcome(withShb, 5);
      }),
      { numRuns: 300 },
    );
  });
});
