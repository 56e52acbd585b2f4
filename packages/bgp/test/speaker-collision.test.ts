// RFC 4271 6.8 connection collision, on real TCP: a Filament speaker connects to a raw peer (speaker-raw.ts)
// while that peer connects to the speaker, both connections carry OPENs, and the speaker is in OpenSent or
// OpenConfirm on its own connection. The connection initiated by the side with the higher BGP Identifier
// survives and reaches Established; the other one gets NOTIFICATION Cease / Connection Collision Resolution
// (6/7, RFC 4486 3), decoded from the bytes the raw peer read, and is closed. Both orders of router IDs.
import { createServer, type Server, type Socket } from 'node:net';
import { waitFor } from '@filament/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import { BgpSpeaker, makeOpen } from '../src/index.js';
import { established } from './support/speaker-daemons.js';
import { RawPeer } from './support/speaker-raw.js';

const SPEAKER = '127.0.9.1';
const RAW = '127.0.9.2';
let port = 14179 + (process.pid % 50) * 8;

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

function listen(host: string, p: number): Promise<{ server: Server; accepted: Socket[] }> {
  const accepted: Socket[] = [];
  const server = createServer((s) => accepted.push(s));
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(p, host, () => resolve({ server, accepted }));
  });
}

const open = (bgpId: string) =>
  makeOpen({ asn: 65002, bgpId, holdTime: 90, capabilities: [{ type: 'multiprotocol', afi: 1, safi: 1 }] });

const isCollisionCease = (r: RawPeer) => r.of('notification').some((n) => n.code === 6 && n.subcode === 7);

describe('connection collision (RFC 4271 6.8) between a speaker and a raw peer', () => {
  for (const speakerState of ['OpenSent', 'OpenConfirm'] as const) {
    for (const [speakerId, rawId, winner] of [
      ['10.0.9.2', '10.0.9.1', 'speaker'],
      ['10.0.9.1', '10.0.9.2', 'raw'],
    ] as const) {
      it(`speaker ${speakerId} in ${speakerState} vs raw peer ${rawId}: the ${winner}-initiated connection survives`, async () => {
        const sp = port;
        const rp = port + 1;
        port += 2;
        const { server, accepted } = await listen(RAW, rp);
        cleanup.push(() => new Promise((r) => server.close(r)));
        const s = new BgpSpeaker({
          asn: 65001,
          routerId: speakerId,
          listen: [{ host: SPEAKER, port: sp }],
          peers: [{ address: RAW, port: rp, asn: 65002, localAddress: SPEAKER, connectRetryTime: 30 }],
        });
        cleanup.push(() => s.stop());
        await s.start();

        // 1. The speaker's connection reaches the raw listener and carries the speaker's OPEN (OpenSent).
        await waitFor('speaker connects', () => accepted.length === 1, 10_000, 20);
        const bySpeaker = RawPeer.wrap(accepted[0]!);
        cleanup.push(() => bySpeaker.close());
        await waitFor(
          'OPEN on the speaker-initiated connection',
          () => bySpeaker.of('open').length === 1,
          10_000,
          20,
        );
        if (speakerState === 'OpenConfirm') {
          bySpeaker.send(open(rawId));
          await waitFor(
            'speaker KEEPALIVE (OpenConfirm)',
            () => bySpeaker.of('keepalive').length > 0,
            10_000,
            20,
          );
        }
        expect(s.peers()[0]!.state).toBe(speakerState);

        // 2. The raw peer's own connection to the speaker, with its OPEN: the collision.
        const byRaw = await RawPeer.connect(SPEAKER, sp, RAW);
        cleanup.push(() => byRaw.close());
        byRaw.send(open(rawId));
        await waitFor(
          'OPEN on the raw-initiated connection',
          () => byRaw.of('open').length === 1,
          10_000,
          20,
        );
        const [win, lose] = winner === 'speaker' ? [bySpeaker, byRaw] : [byRaw, bySpeaker];
        await waitFor('Cease/7 on the losing connection', () => isCollisionCease(lose), 10_000, 20);
        await waitFor('losing connection closed', () => lose.closed, 10_000, 20);
        const n = lose.of('notification');
        expect(n).toHaveLength(1);
        expect(n[0]).toMatchObject({ code: 6, subcode: 7 });
        expect(n[0]!.subcodeName).toMatch(/collision/i);
        expect(win.of('notification')).toHaveLength(0);

        // 3. The surviving connection completes the handshake and carries the session.
        if (win === bySpeaker && speakerState === 'OpenSent') win.send(open(rawId));
        win.send({ type: 'keepalive' });
        const st = await established(s, RAW);
        expect(st.state).toBe('Established');
        expect(win.closed).toBe(false);
        expect(win.of('notification')).toHaveLength(0);
        expect(win.of('keepalive').length).toBeGreaterThan(0);
      });
    }
  }
});
