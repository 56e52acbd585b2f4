// `filament bgp decode` and `filament pcap` (BGP) run as built (`node tools/cli/dist/main.js`) on what real
// speakers sent: a gobgpd 3.10 <-> FRR 8.4 bgpd session on loopback, captured with tshark, with EVPN and
// VPNv4 routes injected through the gobgp CLI. The decode of every gobgpd message (given as hex argument,
// as hex lines on stdin, and as a raw file) equals @filament/bgp's; `filament pcap` shows the OPENs,
// KEEPALIVEs and UPDATEs of the capture, and of a pcap written here with PcapWriter in which one real UPDATE
// is cut over two TCP segments (the message appears on the frame that completes it).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMessage, sessionContext } from '@filament/bgp';
import { PcapWriter, pcapPackets } from '@filament/encap';
import { describeWithTool, freePort, scratchDir, waitFor } from '@filament/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Capture,
  type Frr,
  type Gobgpd,
  startCapture,
  startFrrBgpd,
  startGobgpd,
} from '../../../packages/bgp/test/support/daemons.js';
import { jsonLine } from '../src/command.js';
import { TcpDirection } from '../src/tcp-reassembly.js';
import { buildCli, filament } from './support/built-cli.js';
import { tcpFrame } from './support/frames.js';

const lines = (s: string) =>
  s
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

beforeAll(() => buildCli(), 300_000);

describe('filament bgp decode', () => {
  it('decodes a KEEPALIVE given as hex, and prints --help with an example', () => {
    const r = filament(['bgp', 'decode', `${'ff'.repeat(16)}001304`]);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)).toEqual([{ length: 19, message: { type: 'keepalive' } }]);
    const h = filament(['bgp', 'decode', '--help']);
    expect(h.code).toBe(0);
    expect(h.stdout).toContain('Example:');
    expect(h.stdout).toContain('--add-path');
  });

  it('reports RFC 7606 problems with the message, and header errors as typed error lines with exit code 1', () => {
    // UPDATE: ORIGIN with value 5 (RFC 7606 7.1: treat-as-withdraw), AS_PATH empty, NEXT_HOP, one prefix
    const body = [0, 0, 0, 14, 0x40, 1, 1, 5, 0x40, 2, 0, 0x40, 3, 4, 10, 0, 0, 1, 24, 10, 1, 2];
    const update = Uint8Array.from([...Array(16).fill(0xff), 0, 19 + body.length, 2, ...body]);
    const bad = `${'ff'.repeat(16)}001305`; // KEEPALIVE type with a ROUTE-REFRESH length rule broken
    const r = filament(['bgp', 'decode'], `${hex(update)}\n\n${bad}\n`);
    expect(r.code).toBe(1);
    const [u, e] = lines(r.stdout);
    expect(u).toMatchObject({ action: 'treat-as-withdraw', message: { type: 'update' } });
    expect(
      (u!.problems as { attribute: string; notification: { code: number; subcode: number } }[])[0],
    ).toMatchObject({
      attribute: 'ORIGIN',
      notification: { code: 3, subcode: 6 },
    });
    expect(e).toMatchObject({
      error: {
        name: 'MalformedError',
        layer: 'header',
        action: 'session-reset',
        notification: {
          code: 1,
          subcode: 2,
          codeName: 'Message Header Error',
          subcodeName: 'Bad Message Length',
        },
      },
    });
  });

  it('reads 2-octet AS paths with --as2 and add-path NLRI with --add-path', () => {
    // UPDATE with AS_PATH [65001 65002] in 2 octets and a path-id'd NLRI
    const body = [
      0, 0, 0, 20, 0x40, 1, 1, 0, 0x40, 2, 6, 2, 2, 0xfd, 0xe9, 0xfd, 0xea, 0x40, 3, 4, 10, 0, 0, 1,
    ];
    const nlri = [0, 0, 0, 7, 24, 10, 1, 2];
    const msg = Uint8Array.from([
      ...Array(16).fill(0xff),
      0,
      19 + body.length + nlri.length,
      2,
      ...body,
      ...nlri,
    ]);
    const r = filament(['bgp', 'decode', hex(msg), '--as2', '--add-path', 'ipv4-unicast']);
    expect(r.code).toBe(0);
    const want = decodeMessage(
      msg,
      0,
      sessionContext({ fourOctetAs: false, addPath: [{ afi: 1, safi: 1 }] }),
    );
    expect(lines(r.stdout)).toEqual([JSON.parse(jsonLine({ length: want.length, message: want.message }))]);
    expect(JSON.stringify(lines(r.stdout))).toContain('"pathId":7');
    expect(filament(['bgp', 'decode', hex(msg), '--add-path', 'nonsense']).code).toBe(2);
  });
});

/** Every TCP direction of a pcap, reassembled: key `src:port>dst:port`, with the segments it came in. */
function streams(file: string): Map<string, Uint8Array> {
  const dirs = new Map<string, { t: TcpDirection; parts: Uint8Array[] }>();
  for (const p of pcapPackets(new Uint8Array(readFileSync(file)))) {
    const d = p.data;
    if (d[12] !== 8 || d[13] !== 0 || d[23] !== 6) continue;
    const ip = 14;
    const t = ip + (d[ip]! & 15) * 4;
    const total = (d[ip + 2]! << 8) | d[ip + 3]!;
    const key = `${d.subarray(ip + 12, ip + 16).join('.')}:${(d[t]! << 8) | d[t + 1]!}>${d.subarray(ip + 16, ip + 20).join('.')}:${(d[t + 2]! << 8) | d[t + 3]!}`;
    const e = dirs.get(key) ?? { t: new TcpDirection(), parts: [] };
    dirs.set(key, e);
    const seq = ((d[t + 4]! << 24) | (d[t + 5]! << 16) | (d[t + 6]! << 8) | d[t + 7]!) >>> 0;
    e.parts.push(...e.t.push(seq, d.subarray(t + (d[t + 12]! >> 4) * 4, ip + total), (d[t + 13]! & 2) !== 0));
  }
  return new Map([...dirs].map(([k, e]) => [k, Uint8Array.from(Buffer.concat(e.parts))]));
}

function cut(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let o = 0; o + 19 <= b.length; ) {
    const len = (b[o + 16]! << 8) | b[o + 17]!;
    if (o + len > b.length) break;
    out.push(b.slice(o, o + len));
    o += len;
  }
  return out;
}

const GOBGP = '127.0.16.1';
const FRR = '127.0.16.2';

describeWithTool(
  ['gobgpd', 'gobgp', '/usr/lib/frr/bgpd', 'vtysh', 'tshark'],
  'on a captured gobgpd <-> FRR session',
  () => {
    const dir = scratchDir('filament-cli-bgp-');
    let capture: Capture | undefined;
    let gobgp: Gobgpd | undefined;
    let frr: Frr | undefined;
    let gobgpPort = 0;
    let frrPort = 0;
    let fromGobgp: Uint8Array[] = [];
    let fromFrr: Uint8Array[] = [];

    beforeAll(async () => {
      gobgpPort = await freePort(GOBGP);
      frrPort = await freePort(FRR);
      const conf = `frr defaults traditional
hostname frr-cli
router bgp 65002
 bgp router-id 2.2.2.2
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 neighbor ${GOBGP} remote-as 65001
 neighbor ${GOBGP} port ${gobgpPort}
 neighbor ${GOBGP} update-source ${FRR}
 neighbor ${GOBGP} disable-connected-check
 neighbor ${GOBGP} timers connect 1
 address-family ipv4 vpn
  neighbor ${GOBGP} activate
  network 10.2.0.0/24 rd 65002:100 label 200
 exit-address-family
 address-family l2vpn evpn
  neighbor ${GOBGP} activate
  network 10.20.0.0/24 rd 65002:5000 ethtag 0 label 5000 esi 00:00:00:00:00:00:00:00:00:00 gwip 0.0.0.0 routermac 02:00:00:00:00:02
 exit-address-family
`;
      try {
        capture = await startCapture(dir.path, 'session', [gobgpPort, frrPort]);
        gobgp = await startGobgpd(
          dir.path,
          'gobgpd',
          {
            as: 65001,
            routerId: '1.1.1.1',
            address: GOBGP,
            port: gobgpPort,
            neighbors: [
              {
                address: FRR,
                as: 65002,
                port: frrPort,
                localAddress: GOBGP,
                families: ['l3vpn-ipv4-unicast', 'l2vpn-evpn'],
              },
            ],
          },
          await freePort(),
        );
        frr = await startFrrBgpd(dir.path, 'frr', conf, FRR, frrPort);
        const g = gobgp;
        const f = frr;
        await waitFor('session established', () => g.state(FRR) === 'established', 60_000, 500);
        for (const c of [
          'evpn add macadv 02:00:00:00:01:01 10.1.0.11 etag 0 label 1001 rd 1.1.1.1:1001 rt 65001:1001 encap vxlan nexthop 10.255.0.1 router-mac 02:00:00:00:00:01',
          'evpn add prefix 10.10.10.0/24 gw 0.0.0.0 esi 0 etag 0 label 5001 rd 1.1.1.1:5001 rt 65001:5001 encap vxlan router-mac 02:00:00:00:00:01 nexthop 10.255.0.1',
          'vpnv4 add 10.1.1.0/24 label 101 rd 1.1.1.1:100 rt 65001:100 nexthop 10.255.0.1 community 65001:1 large-community 65001:1:1',
        ])
          g.cli(['global', 'rib', '-a', ...c.split(' ')]);
        await waitFor(
          "FRR's routes at gobgpd",
          () =>
            g.cli(['global', 'rib', '-a', 'evpn']).includes('10.20.0.0') &&
            g.cli(['global', 'rib', '-a', 'vpnv4']).includes('10.2.0.0/24'),
          30_000,
        );
        await waitFor(
          'routes at FRR',
          () =>
            f.vtysh('show bgp ipv4 vpn').includes('10.1.1.0/24') &&
            f.vtysh('show bgp l2vpn evpn').includes('10.10.10.0'),
          30_000,
        );
      } finally {
        await capture?.stop();
        await frr?.stop();
        await gobgp?.stop();
      }
      for (const [k, b] of streams(capture!.file)) {
        if (k.startsWith(`${GOBGP}:`)) fromGobgp = cut(b);
        else if (k.startsWith(`${FRR}:`)) fromFrr = cut(b);
      }
    }, 180_000);

    afterAll(async () => {
      await capture?.stop();
      await frr?.stop();
      await gobgp?.stop();
      dir.cleanup();
    });

    const expected = (msgs: Uint8Array[]) =>
      msgs.map((m) => {
        const d = decodeMessage(m);
        return JSON.parse(jsonLine({ length: d.length, message: d.message })) as Record<string, unknown>;
      });

    it('decodes every gobgpd message like the library: hex argument, hex lines on stdin, raw file', () => {
      expect(fromGobgp.length).toBeGreaterThanOrEqual(5);
      const want = expected(fromGobgp);
      const types = want.map((w) => (w.message as { type: string }).type);
      expect(types).toEqual(expect.arrayContaining(['open', 'keepalive', 'update']));
      const byArg = fromGobgp.map((m) => {
        const r = filament(['bgp', 'decode', hex(m)]);
        expect(r.code).toBe(0);
        return lines(r.stdout)[0];
      });
      expect(byArg).toEqual(want);
      const stdin = filament(['bgp', 'decode'], fromGobgp.map(hex).join('\n'));
      expect(stdin.code).toBe(0);
      expect(lines(stdin.stdout)).toEqual(want);
      const file = join(dir.path, 'gobgpd.bin');
      writeFileSync(file, Buffer.concat(fromGobgp));
      const raw = filament(['bgp', 'decode', '--file', file]);
      expect(raw.code).toBe(0);
      expect(lines(raw.stdout)).toEqual(want);
      // and FRR's, with an EVPN type-5 route
      const frrRaw = join(dir.path, 'frr.bin');
      writeFileSync(frrRaw, Buffer.concat(fromFrr));
      const f = filament(['bgp', 'decode', '--file', frrRaw]);
      expect(lines(f.stdout)).toEqual(expected(fromFrr));
      expect(f.stdout).toContain('"type":"evpn-ip-prefix"');
      const pretty = filament(['bgp', 'decode', '--file', frrRaw, '--pretty']);
      expect(pretty.stdout).toContain('type: evpn-ip-prefix');
    });

    it('filament pcap shows the OPENs, KEEPALIVEs and UPDATEs of the capture', () => {
      const r = filament(['pcap', capture!.file, '--decode-as', `${gobgpPort}=bgp,${frrPort}=bgp`]);
      expect(r.code).toBe(0);
      const msgs = lines(r.stdout).flatMap((f) => (f.messages ?? []) as { message: { type: string } }[]);
      const types = msgs.map((m) => m.message.type);
      expect(types.filter((t) => t === 'open')).toHaveLength(2);
      expect(types).toContain('keepalive');
      expect(types.filter((t) => t === 'update').length).toBe(
        [...fromGobgp, ...fromFrr].filter((m) => m[18] === 2).length,
      );
    });

    it('filament pcap reassembles a real UPDATE cut over two TCP segments', () => {
      const update = fromGobgp.find((m) => m[18] === 2 && m.length > 60)!;
      const open = fromGobgp.find((m) => m[18] === 1)!;
      const a = '10.0.0.1';
      const b = '10.0.0.2';
      const half = 31;
      const frames = [
        tcpFrame(a, 40000, b, 179, 999, new Uint8Array(0), true),
        tcpFrame(a, 40000, b, 179, 1000, open),
        tcpFrame(a, 40000, b, 179, 1000 + open.length, update.subarray(0, half)),
        tcpFrame(a, 40000, b, 179, 1000 + open.length + half, update.subarray(half)),
      ];
      const w = new PcapWriter();
      const file = join(dir.path, 'split.pcap');
      writeFileSync(
        file,
        Buffer.concat([w.header(), ...frames.map((f, i) => w.packet(f, { seconds: 1_700_000_000 + i }))]),
      );
      const r = filament(['pcap', file]);
      expect(r.code).toBe(0);
      const out = lines(r.stdout);
      expect(
        out.map((f) => ((f.messages ?? []) as { message: { type: string } }[]).map((m) => m.message.type)),
      ).toEqual([[], ['open'], [], ['update']]);
      const got = (out[3]!.messages as { message: unknown }[])[0]!.message;
      expect(got).toEqual(JSON.parse(jsonLine(decodeMessage(update).message)));
    });
  },
);
