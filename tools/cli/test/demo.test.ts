// The README's main job: `filament demo` builds fabric traffic, decodes it back without errors, and the
// capture it writes is dissected by tshark (software none of us wrote) with the same tunnel fields.
import { join } from 'node:path';
import { describeWithTool, scratchDir, tsharkFields, tsharkJson } from '@filament/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, jsonLines } from './support/cli.js';

const dir = scratchDir('filament-demo-test-');
afterAll(() => dir.cleanup());
const file = join(dir.path, 'fabric.pcap');

describe('filament demo', () => {
  it('writes the capture and decodes every frame with no error', async () => {
    const r = await cli(['demo', '--out', file, '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('10 frames decoded, 0 errors');
    const frames = jsonLines(r.stdout);
    expect(frames).toHaveLength(10);
    const names = frames.map((f) => (f.layers as { name: string }[]).map((l) => l.name).join('>'));
    expect(names[0]).toBe('ethernet>ipv4>udp>vxlan>ethernet>arp');
    expect(names[2]).toBe('ethernet>ipv4>udp>mpls>ipv4>tcp');
    expect(names[4]).toBe('ethernet>ipv4>gre>mpls>ipv4>icmpv4');
    const messages = frames.flatMap((f) => (f.messages ?? []) as { message: { type: string } }[]);
    expect(messages.map((m) => m.message.type)).toEqual(['open', 'keepalive', 'update']);
    // The UPDATE completes only with the second half of the split segment.
    expect((frames[9]!.messages as unknown[]).length).toBe(1);
    expect(frames[8]!.messages).toBeUndefined();
  });

  it('prints a summary line per frame by default and a tree with --pretty', async () => {
    const plain = await cli(['demo', '--out', file]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain('vxlan vni 5001');
    expect(plain.stdout).toContain('UPDATE evpn mac-ip 02:00:0a:01:00:0b 10.1.0.11 vni 5001');
    const pretty = await cli(['demo', '--out', file, '--pretty']);
    expect(pretty.stdout).toContain('vxlan @42 (8 bytes)');
  });

  it('--help explains the command', async () => {
    const r = await cli(['demo', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: filament demo/);
  });
});

describeWithTool('tshark', 'the demo capture, dissected by tshark', () => {
  it('shows the same VNI, labels, ports and BGP messages with nothing malformed', async () => {
    const r = await cli(['demo', '--out', file, '--json']);
    expect(r.code).toBe(0);
    const rows = tsharkFields(file, [
      'vxlan.vni',
      'mpls.label',
      'udp.srcport',
      'udp.dstport',
      'bgp.type',
      '_ws.malformed',
      '_ws.expert.severity',
    ]);
    expect(rows).toHaveLength(10);
    expect(rows[0]![0]).toBe('5001');
    expect(rows[1]![0]).toBe('5001');
    expect(rows[2]![1]).toBe('25');
    expect(rows[4]![1]).toBe('26');
    // RFC 7510 entropy: both MPLS-over-UDP source ports in the dynamic range, and different per flow.
    const ports = [rows[2]![2], rows[3]![2]].map(Number);
    for (const p of ports) expect(p).toBeGreaterThanOrEqual(49152);
    expect(ports[0]).not.toBe(ports[1]);
    expect(rows.map((r) => r[5])).toEqual(Array(10).fill(''));
    // Expert info at most "chat" (0x200000: TCP SYNs); nothing at note, warning or error level.
    const severities = rows.flatMap((r) => r[6]!.split(',').filter(Boolean).map(Number));
    expect(severities.every((s) => s <= 0x200000)).toBe(true);
    // BGP: OPEN (1), KEEPALIVE (4), then the UPDATE (2) that tshark reassembles across segments 9 and 10.
    expect(rows.map((r) => r[4]).filter((t) => t !== '')).toEqual(['1', '4', '2']);
    const packets = tsharkJson(file);
    const evpn = JSON.stringify(packets[9]);
    expect(evpn).toContain('02:00:0a:01:00:0b');
  });
});
