// `filament pcap`: frames and the application messages reassembled from their TCP streams, checked against
// tshark's reading of the same captures (a real capture from the corpus, and XMPP built from the Tungsten
// Fabric examples).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encapsulate, PcapWriter } from '@filament/encap';
import { describeWithTool, scratchDir, tsharkFields } from '@filament/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, jsonLines } from './support/cli.js';
import { tcpFrame } from './support/frames.js';

const shared = new URL('../../../../shared/', import.meta.url).pathname;
const orf = join(shared, 'corpus/bgp_orf_prefix_advertisement.pcapng');
const examples = join(shared, 'ref/tf-xmpp/examples');
const dir = scratchDir('filament-pcap-test-');
afterAll(() => dir.cleanup());

function writeCapture(name: string, frames: Uint8Array[]): string {
  const w = new PcapWriter();
  const file = join(dir.path, name);
  writeFileSync(
    file,
    Buffer.concat([w.header(), ...frames.map((f, i) => w.packet(f, { seconds: 1_700_000_000 + i }))]),
  );
  return file;
}

describe.skipIf(!existsSync(orf))('a real capture: KEEPALIVE and ROUTE-REFRESH with an ORF (corpus)', () => {
  it('decodes both BGP messages of the one segment', async () => {
    const r = await cli(['pcap', orf]);
    expect(r.code).toBe(0);
    const [frame] = jsonLines(r.stdout);
    const names = (frame!.layers as { name: string }[]).map((l) => l.name);
    expect(names).toEqual(['ethernet', 'ipv4', 'tcp', 'payload']);
    const msgs = frame!.messages as {
      protocol: string;
      message: { type: string; afi?: number; safi?: number };
    }[];
    expect(msgs.map((m) => m.message.type)).toEqual(['keepalive', 'route-refresh']);
    expect(msgs[1]!.message).toMatchObject({ afi: 1, safi: 1 });
  });

  describeWithTool('tshark', 'against tshark', () => {
    it('finds the same message types, AFI and SAFI', async () => {
      const [row] = tsharkFields(orf, ['bgp.type', 'bgp.route_refresh.afi', 'bgp.route_refresh.safi']);
      expect(row).toEqual(['4,5', '1', '1']);
    });
  });
});

describe.skipIf(!existsSync(examples))('XMPP on TCP 5269, from the Tungsten Fabric examples', () => {
  const text = (f: string) => new TextEncoder().encode(readFileSync(join(examples, f), 'utf8'));
  const agent = '10.0.0.5';
  const cn = '10.0.0.1';
  const stream = [
    text('agent-stream-open.txt'),
    text('agent-vrf-subscribe.xml'),
    text('agent-publish-inet4-add.xml'),
    readFileSync(join(examples, 'keepalive.bin')),
  ];
  const bytes = Buffer.concat(stream);

  it('reassembles stanzas cut at arbitrary points into typed events', async () => {
    // Cut the agent's byte stream into 7-byte segments, and send them in order after a SYN.
    const frames = [tcpFrame(agent, 40000, cn, 5269, 99, new Uint8Array(0), true)];
    for (let o = 0; o < bytes.length; o += 7)
      frames.push(tcpFrame(agent, 40000, cn, 5269, 100 + o, bytes.subarray(o, o + 7)));
    const file = writeCapture('xmpp.pcap', frames);
    const r = await cli(['pcap', file]);
    expect(r.code).toBe(0);
    const events = jsonLines(r.stdout).flatMap(
      (f) => (f.messages ?? []) as { protocol: string; message: { type: string } }[],
    );
    expect(events.every((e) => e.protocol === 'xmpp')).toBe(true);
    // The agent's header, its subscribe, the publish + collection pair, then keepalives: the C8 80 bytes and
    // the whitespace between stanzas both count as keepalives in the dialect.
    const types = events.map((e) => e.message.type);
    expect(types[0]).toBe('header');
    expect(types.filter((t) => t === 'stanza')).toHaveLength(3);
    expect(types.at(-1)).toBe('keepalive');
    expect(types.every((t) => ['header', 'stanza', 'keepalive'].includes(t))).toBe(true);
  });

  describeWithTool('tshark', 'against tshark', () => {
    it('tshark sees the same iq stanzas, with the same ids', async () => {
      // tshark's XMPP dissector reads one top-level element per segment: send each stanza on its own.
      const elements = new TextDecoder()
        .decode(bytes.subarray(0, bytes.length - 2))
        .split(/(?<=<\/iq>|<stream:stream[^>]*>)\s*/)
        .filter((e) => e.trim().length > 0);
      const frames: Uint8Array[] = [];
      let seq = 0;
      for (const e of elements) {
        const b = new TextEncoder().encode(e);
        frames.push(tcpFrame(agent, 40001, cn, 5269, seq, b));
        seq += b.length;
      }
      const file = writeCapture('xmpp-one.pcap', frames);
      const rows = tsharkFields(file, ['xmpp.type', 'xmpp.id'], ['-d', 'tcp.port==5269,xmpp']);
      const ours = jsonLines((await cli(['pcap', file])).stdout).flatMap(
        (f) => (f.messages ?? []) as { message: { type: string; stanza?: { id?: string } } }[],
      );
      const ids = ours.filter((e) => e.message.type === 'stanza').map((e) => e.message.stanza?.id);
      expect(ids).toHaveLength(3);
      const iqs = rows.filter((r) => r[1] !== '');
      expect(iqs.map((r) => r[1])).toEqual(ids);
      expect(iqs.map((r) => r[0])).toEqual(['set', 'set', 'set']);
    });
  });
});

describe('tunnelled BGP and options', () => {
  it('decodes BGP inside a VXLAN tunnel by its inner addresses', async () => {
    const keepalive = Uint8Array.from([...Array(16).fill(0xff), 0, 19, 4]);
    const inner = tcpFrame('10.1.0.1', 50000, '10.1.0.2', 179, 5, keepalive);
    const outer = encapsulate(
      {
        type: 'vxlan',
        vni: 7,
        src: '192.0.2.1',
        dst: '192.0.2.2',
        ethernet: { src: '02:00:00:00:00:0a', dst: '02:00:00:00:00:0b' },
      },
      inner,
    );
    const r = await cli(['pcap', writeCapture('vxlan-bgp.pcap', [outer])]);
    const [f] = jsonLines(r.stdout);
    expect((f!.messages as { from: string; message: { type: string } }[])[0]).toMatchObject({
      from: '10.1.0.1:50000',
      message: { type: 'keepalive' },
    });
  });

  it('--decode-as binds a TCP port to BGP and rejects unknown decoders', async () => {
    const keepalive = Uint8Array.from([...Array(16).fill(0xff), 0, 19, 4]);
    const file = writeCapture('bgp-10179.pcap', [
      tcpFrame('127.0.0.1', 40000, '127.0.0.2', 10179, 1, keepalive),
    ]);
    expect(jsonLines((await cli(['pcap', file])).stdout)[0]!.messages).toBeUndefined();
    const bound = jsonLines((await cli(['pcap', file, '--decode-as', '10179=bgp'])).stdout);
    expect((bound[0]!.messages as unknown[]).length).toBe(1);
    const bad = await cli(['pcap', file, '--decode-as', '10179=nope']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unknown decoder nope');
  });

  it('a file that is not a capture gives a typed error and exit code 1', async () => {
    const file = join(dir.path, 'junk.pcap');
    writeFileSync(file, 'not a capture at all');
    const r = await cli(['pcap', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('FormatError');
  });
});
