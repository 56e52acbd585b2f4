// `filament bgp serve CONFIG` (tools/cli/src/commands/bgp-serve.ts) run in-process with in-memory stdio
// against a Filament speaker on loopback: it prints the session and received routes as JSON lines, takes
// announce/withdraw commands (text and JSON, from --routes FILE and stdin), answers `peers`/`routes`, and
// stops on `quit` with Cease to its peer.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { scratchDir, waitFor } from '@filament/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { bgpServeCommand } from '../../../tools/cli/src/commands/bgp-serve.js';
import { BgpSpeaker, type PeerDownEvent } from '../src/index.js';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('filament bgp serve', () => {
  it('prints sessions and routes, injects and withdraws routes from a file and stdin', async () => {
    const dir = scratchDir('speaker-serve-');
    cleanups.push(dir.cleanup);
    const port = 13300 + (process.pid % 50);
    const config = {
      asn: 65070,
      routerId: '10.0.7.1',
      listen: [{ host: '127.0.7.1', port }],
      peers: [
        {
          address: '127.0.7.2',
          asn: 65071,
          families: ['ipv4-unicast', 'ipv4-mpls-vpn', 'l2vpn-evpn'],
          passive: true,
        },
      ],
      routes: [
        { family: 'ipv4-unicast', nlri: { type: 'prefix', prefix: '10.70.0.0/24' }, nextHop: '10.255.0.70' },
      ],
    };
    writeFileSync(join(dir.path, 'speaker.json'), JSON.stringify(config));
    writeFileSync(
      join(dir.path, 'routes.txt'),
      [
        '# a comment',
        'announce ipv4-mpls-vpn 10.71.0.0/24 rd 65070:1 label 700 rt 65070:1 next-hop 10.255.0.70',
        'announce ipv4-unicast 10.72.0.0/24 next-hop 10.255.0.70 community 65070:9 med 7',
      ].join('\n'),
    );
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let text = '';
    stdout.on('data', (b: Buffer) => {
      text += b.toString();
    });
    const events = () =>
      text
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    const done = bgpServeCommand.run(
      [join(dir.path, 'speaker.json'), '--routes', join(dir.path, 'routes.txt')],
      { stdin, stdout, stderr },
    );

    const peer = new BgpSpeaker({
      asn: 65071,
      routerId: '10.0.7.2',
      peers: [
        {
          address: '127.0.7.1',
          port,
          asn: 65070,
          localAddress: '127.0.7.2',
          families: ['ipv4-unicast', 'ipv4-mpls-vpn', 'l2vpn-evpn'],
          connectRetryTime: 1,
        },
      ],
    });
    const downs: PeerDownEvent[] = [];
    peer.on('peer-down', (e) => downs.push(e));
    cleanups.push(() => peer.stop());
    peer.announce({ nlri: { type: 'prefix', prefix: '10.79.0.0/24' }, nextHop: '10.255.0.71' });
    await peer.start();

    await waitFor('peer-up printed', () => events().some((e) => e.event === 'peer-up'), 15_000, 20);
    const up = events().find((e) => e.event === 'peer-up')!;
    expect(up).toMatchObject({
      peer: '127.0.7.2',
      asn: 65071,
      negotiated: { families: ['ipv4-unicast', 'ipv4-mpls-vpn', 'l2vpn-evpn'], fourOctetAs: true },
    });
    await waitFor(
      'route printed',
      () => events().some((e) => e.event === 'route' && e.route === '10.79.0.0/24'),
      15_000,
      20,
    );
    expect(events().find((e) => e.event === 'route' && e.route === '10.79.0.0/24')).toMatchObject({
      kind: 'added',
      peer: '127.0.7.2',
      family: 'ipv4-unicast',
      accepted: true,
      attributes: { nextHop: '10.255.0.71', asPath: [65071] },
    });
    // config routes and --routes file reached the peer
    await waitFor(
      'peer got 2 IPv4 + 1 VPN',
      () => peer.ribSize('ipv4-unicast') === 3 && peer.ribSize('ipv4-mpls-vpn') === 1,
      15_000,
      20,
    );
    const v = peer
      .routes('ipv4-unicast')
      .find((r) => (r.nlri as { prefix: string }).prefix === '10.72.0.0/24')!;
    expect(v.attrs.med).toBe(7);
    expect(v.attrs.attributes.find((a) => a.type === 'COMMUNITIES')).toMatchObject({
      communities: [65070 * 65536 + 9],
    });
    expect(peer.routes('ipv4-mpls-vpn')[0]!.nlri).toMatchObject({ labels: [700], prefix: '10.71.0.0/24' });
    // stdin: JSON EVPN route, a withdrawal, queries
    stdin.write(
      `${JSON.stringify({
        announce: {
          family: 'l2vpn-evpn',
          nlri: {
            type: 'evpn-mac-ip',
            routeType: 2,
            rd: '10.0.7.1:100',
            esi: '00:00:00:00:00:00:00:00:00:00',
            ethernetTag: 0,
            mac: '02:00:00:00:70:01',
            ip: '10.70.0.11',
            label1: 7001,
          },
          nextHop: '10.255.0.70',
          attributes: [{ type: 'EXTENDED_COMMUNITIES', communities: ['target:65070:100', 'encap:vxlan'] }],
        },
      })}\n`,
    );
    stdin.write('withdraw ipv4-unicast 10.70.0.0/24\n');
    stdin.write('bogus command\n');
    await waitFor(
      'EVPN at peer, withdrawal done',
      () => peer.ribSize('l2vpn-evpn') === 1 && peer.ribSize('ipv4-unicast') === 2,
      15_000,
      20,
    );
    expect(peer.routes('l2vpn-evpn')[0]!.nlri).toMatchObject({
      mac: '02:00:00:00:70:01',
      label1: { vni: 7001 },
    });
    expect(events().find((e) => e.event === 'error')).toMatchObject({ input: 'bogus command' });
    stdin.write('peers\nroutes ipv4-unicast\n');
    await waitFor('query output', () => events().some((e) => e.event === 'rib'), 10_000, 20);
    expect(events().find((e) => e.event === 'peer')).toMatchObject({
      address: '127.0.7.2',
      state: 'Established',
      routesReceived: 1,
    });
    expect(
      events()
        .filter((e) => e.event === 'rib')
        .map((e) => e.route)
        .sort(),
    ).toEqual(['10.72.0.0/24', '10.79.0.0/24']);
    stdin.write('quit\n');
    expect(await done).toBe(0);
    expect(events().at(-1)).toEqual({ event: 'stopped' });
    await waitFor('peer saw Cease', () => downs.length > 0, 10_000, 20);
    expect(downs[0]!.notification).toMatchObject({ code: 6, subcode: 2 });
  });

  it('reports a bad config as a usage error naming the field', async () => {
    const dir = scratchDir('speaker-serve-');
    cleanups.push(dir.cleanup);
    writeFileSync(join(dir.path, 'bad.json'), JSON.stringify({ asn: 65070, routerId: '10.0.7', peers: [] }));
    const io = { stdin: new PassThrough(), stdout: new PassThrough(), stderr: new PassThrough() };
    await expect(bgpServeCommand.run([join(dir.path, 'bad.json')], io)).rejects.toThrow(/routerId/);
  });
});
