// pcap read/write checked against Wireshark's own tools: files we write are read by tshark, and files
// text2pcap/editcap write (both timestamp precisions) are read by us, both as a whole and as a stream.
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithTool, run, scratchDir, tsharkJson } from '@filament/testkit';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type CapturedPacket,
  capturePackets,
  EncapError,
  LinkType,
  PcapWriter,
  parsePcapHeader,
  pcapPackets,
  readCaptureStream,
  readPcap,
  readPcapStream,
  writePcap,
} from '../src/index.js';

const scratch = scratchDir('encap-pcap-');
afterAll(() => scratch.cleanup());

interface Frame {
  epoch: string;
  len: number;
  caplen: number;
  hex: string;
}

/** tshark's view of every frame: epoch time text, lengths, raw bytes. */
function tsharkFrames(file: string): Frame[] {
  return tsharkJson(file, ['-x']).map((l) => {
    const f = l.frame as Record<string, string>;
    const raw = l.frame_raw as [string];
    return {
      epoch: f['frame.time_epoch']!,
      len: Number(f['frame.len']),
      caplen: Number(f['frame.cap_len']),
      hex: raw[0],
    };
  });
}

function ours(p: CapturedPacket): Frame {
  return {
    epoch: `${p.seconds}.${String(p.nanoseconds).padStart(9, '0')}`,
    len: p.originalLength,
    caplen: p.capturedLength,
    hex: Buffer.from(p.data).toString('hex'),
  };
}

function randomFrames(seed: number, n: number): { data: Uint8Array; seconds: number; nanoseconds: number }[] {
  const out = [];
  let x = seed;
  const rnd = () => {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    return x;
  };
  for (let i = 0; i < n; i++) {
    const len = 14 + (rnd() % 200);
    const data = new Uint8Array(len);
    for (let j = 0; j < len; j++) data[j] = rnd() >>> 24;
    out.push({ data, seconds: 1_600_000_000 + (rnd() % 100_000_000), nanoseconds: rnd() % 1_000_000_000 });
  }
  return out;
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function* chunked(buf: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

describeWithTool('tshark', 'pcap files we write, read by tshark', () => {
  for (const littleEndian of [true, false]) {
    for (const nanosecond of [false, true]) {
      it(`${littleEndian ? 'little' : 'big'}-endian, ${nanosecond ? 'nano' : 'micro'}second magic`, () => {
        const pkts = randomFrames(littleEndian ? 7 : 9, 20);
        const file = join(scratch.path, `w-${littleEndian}-${nanosecond}.pcap`);
        writeFileSync(file, writePcap(pkts, { littleEndian, nanosecond, snaplen: 100 }));
        const got = tsharkFrames(file);
        expect(got).toHaveLength(pkts.length);
        got.forEach((f, i) => {
          const p = pkts[i]!;
          const ns = nanosecond ? p.nanoseconds : Math.floor(p.nanoseconds / 1000) * 1000;
          expect(f.epoch).toBe(`${p.seconds}.${String(ns).padStart(9, '0')}`);
          expect(f.len).toBe(p.data.length);
          expect(f.caplen).toBe(Math.min(100, p.data.length));
          expect(f.hex).toBe(Buffer.from(p.data.subarray(0, 100)).toString('hex'));
        });
        // And our reader agrees with tshark on the same file.
        const mine = readPcap(readFileSync(file));
        expect(mine.header).toMatchObject({
          littleEndian,
          nanosecond,
          snaplen: 100,
          linktype: 1,
          versionMajor: 2,
        });
        expect(mine.packets.map(ours)).toEqual(got);
      });
    }
  }

  it('a streaming writer: header and records written as separate chunks', () => {
    const w = new PcapWriter({ linktype: LinkType.raw });
    const file = join(scratch.path, 'chunks.pcap');
    const ip = Uint8Array.from(Buffer.from('450000140001000040ff7ce70a0000010a000002', 'hex'));
    writeFileSync(file, Buffer.concat([w.header(), w.packet(ip, { seconds: 5, nanoseconds: 7000 })]));
    const l = tsharkJson(file)[0]!;
    expect((l.frame as Record<string, string>)['frame.protocols']).toBe('raw:ip');
    expect((l.ip as Record<string, string>)['ip.dst']).toBe('10.0.0.2');
  });
});

describeWithTool(['text2pcap', 'editcap', 'tshark'], 'pcap files Wireshark tools write, read by us', () => {
  const dump = [
    '12:00:01.250000',
    '0000  ff ff ff ff ff ff 02 00 00 00 00 01 08 06 00 01',
    '0010  08 00 06 04 00 01 02 00 00 00 00 01 0a 00 00 01',
    '0020  00 00 00 00 00 00 0a 00 00 02',
    '12:00:02.000750',
    '0000  02 00 00 00 00 02 02 00 00 00 00 01 08 00 45 00',
    '0010  00 14 00 01 00 00 40 ff 7c e7 0a 00 00 01 0a 00',
    '0020  00 02',
  ].join('\n');

  function text2pcap(name: string, extra: string[]): string {
    const txt = join(scratch.path, `${name}.txt`);
    writeFileSync(txt, `${dump}\n`);
    const out = join(scratch.path, name);
    run('text2pcap', ['-q', '-t', '%H:%M:%S.', ...extra, txt, out]);
    return out;
  }

  it('text2pcap -F pcap (microseconds), whole buffer and streamed in 7-byte chunks', async () => {
    const file = text2pcap('t2p.pcap', ['-F', 'pcap']);
    const want = tsharkFrames(file);
    expect(want).toHaveLength(2);
    const buf = readFileSync(file);
    expect(parsePcapHeader(buf).nanosecond).toBe(false);
    expect([...pcapPackets(buf)].map(ours)).toEqual(want);
    expect((await collect(readPcapStream(chunked(buf, 7)))).map(ours)).toEqual(want);
    // A Node file stream with a tiny highWaterMark splits records across chunks too.
    const stream = createReadStream(file, { highWaterMark: 5 });
    expect((await collect(readCaptureStream(stream))).map(ours)).toEqual(want);
  });

  it('editcap -F nsecpcap (nanosecond magic) and tshark -F pcap -w', async () => {
    const src = text2pcap('t2p-src.pcap', ['-F', 'pcap']);
    const ns = join(scratch.path, 'ns.pcap');
    run('editcap', ['-F', 'nsecpcap', '-t', '0.250000123', src, ns]);
    const buf = readFileSync(ns);
    expect(parsePcapHeader(buf).nanosecond).toBe(true);
    const want = tsharkFrames(ns);
    // Nanosecond digits survive only with the a1b23c4d magic.
    expect(want[0]!.epoch).toMatch(/\.\d{6}123$/);
    expect([...capturePackets(buf)].map(ours)).toEqual(want);
    expect((await collect(readCaptureStream(chunked(buf, 3)))).map(ours)).toEqual(want);
    const viaTshark = join(scratch.path, 'tshark.pcap');
    run('tshark', ['-r', ns, '-F', 'pcap', '-w', viaTshark]);
    expect(readPcap(readFileSync(viaTshark)).packets.map(ours)).toEqual(tsharkFrames(viaTshark));
  });

  it('a snaplen cut: captured length below original length', () => {
    const src = text2pcap('t2p-snap.pcap', ['-F', 'pcap']);
    const cut = join(scratch.path, 'cut.pcap');
    run('editcap', ['-F', 'pcap', '-s', '20', src, cut]);
    const want = tsharkFrames(cut);
    const got = readPcap(readFileSync(cut));
    expect(got.header.snaplen).toBe(20);
    expect(got.packets.map(ours)).toEqual(want);
    expect(got.packets[0]!.capturedLength).toBe(20);
    expect(got.packets[0]!.originalLength).toBe(42);
  });
});

describe('pcap streaming edge cases', () => {
  it('a zero-length record at the very end (found in review: the queue was empty)', async () => {
    const file = writePcap([
      { data: Uint8Array.of(1, 2, 3), seconds: 1 },
      { data: new Uint8Array(0), seconds: 2 },
    ]);
    const sync = [...pcapPackets(file)].map(ours);
    expect(sync.map((f) => f.caplen)).toEqual([3, 0]);
    for (const size of [1, 5, 16, 1000])
      expect((await collect(readPcapStream(chunked(file, size)))).map(ours)).toEqual(sync);
  });

  it('one-byte chunks over many records: same packets, records assembled across chunks', async () => {
    const pkts = randomFrames(11, 60);
    const file = writePcap(pkts, { nanosecond: true, littleEndian: false });
    const got = await collect(readPcapStream(chunked(file, 1)));
    expect(got.map(ours)).toEqual([...pcapPackets(file)].map(ours));
    expect(got.map((p) => Buffer.from(p.data).toString('hex'))).toEqual(
      pkts.map((p) => Buffer.from(p.data).toString('hex')),
    );
  });
});

describe('pcap reader on bad input', () => {
  const good = writePcap(randomFrames(3, 4), { nanosecond: true });

  function onlyTyped(f: () => unknown): void {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(EncapError);
      const err = e as EncapError;
      expect(err.layer).toMatch(/^(pcap|pcapng|capture)$/);
      expect(typeof err.field).toBe('string');
      expect(Number.isInteger(err.offset)).toBe(true);
    }
  }

  it('a truncated record names the field and offset', () => {
    expect(() => readPcap(good.subarray(0, good.length - 1))).toThrow(
      /pcap\.packetData at offset \d+: truncated/,
    );
    expect(() => readPcap(good.subarray(0, 30))).toThrow(/pcap\.recordHeader at offset 24/);
    expect(() => readPcap(good.subarray(0, 10))).toThrow(/pcap\.fileHeader/);
  });

  it('a corrupt length is refused without allocating it', () => {
    const bad = good.slice();
    new DataView(bad.buffer).setUint32(24 + 8, 0xfffffff0, true);
    expect(() => readPcap(bad)).toThrow(/capturedLength.*above the limit/);
  });

  it('random bytes give only typed errors (sync and stream)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 300 }),
        fc.integer({ min: 1, max: 40 }),
        async (b, chunk) => {
          onlyTyped(() => [...capturePackets(b)]);
          try {
            await collect(readCaptureStream(chunked(b, chunk)));
          } catch (e) {
            expect(e).toBeInstanceOf(EncapError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('mutated pcap files give only typed errors, and the stream reader agrees with the sync one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.nat(good.length),
        fc.integer({ min: 1, max: 64 }),
        async (muts, cut, chunk) => {
          const b = good.slice(0, Math.max(cut, 24));
          for (const [at, v] of muts) if (at < b.length) b[at] = v;
          let sync: string;
          try {
            sync = JSON.stringify([...capturePackets(b)].map(ours));
          } catch (e) {
            expect(e).toBeInstanceOf(EncapError);
            sync = `error ${(e as EncapError).name}`;
          }
          let streamed: string;
          try {
            streamed = JSON.stringify((await collect(readCaptureStream(chunked(b, chunk)))).map(ours));
          } catch (e) {
            expect(e).toBeInstanceOf(EncapError);
            streamed = `error ${(e as EncapError).name}`;
          }
          expect(streamed).toBe(sync);
        },
      ),
      { numRuns: 300 },
    );
  });
});
