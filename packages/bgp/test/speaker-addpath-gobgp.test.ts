// Add-path (RFC 7911) for IPv4 unicast between the Filament speaker and gobgpd 3.10 (`add-paths`
// receive = true, send-max = 8), both directions, on loopback. A helper Filament speaker (B, no add-path)
// peers with both, so that each side has two paths for one prefix: ours for 10.28.1.0/24 (injected + B's),
// gobgpd's for 10.28.2.0/24 (its own + B's). Checked: the add-path capability both ways in both OPENs
// (our negotiation and `gobgp neighbor -j`), gobgpd holding our two paths under two path identifiers
// (`gobgp neighbor X adj-in -j`), our Adj-RIB-In holding gobgpd's two paths under two path identifiers,
// and that withdrawing one of the two paths on either side leaves the other in place.
import { describeWithTool, scratchDir, waitFor } from '@filament/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BgpSpeaker } from '../src/index.js';
import { established, type Gobgpd, startGobgpd } from './support/speaker-daemons.js';

const US = '127.0.28.1';
const GO = '127.0.28.2';
const B = '127.0.28.3';
const US_PORT = 28180;
const GO_PORT = 28179;
const B_PORT = 28182;
const API_PORT = 28181;

const toml = `
[global.config]
  as = 65001
  router-id = "1.1.1.28"
  port = ${GO_PORT}
  local-address-list = ["${GO}"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${US}"
    peer-as = 65100
  [neighbors.transport.config]
    local-address = "${GO}"
    remote-port = ${US_PORT}
    passive-mode = true
  [neighbors.add-paths.config]
    receive = true
    send-max = 8
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
    [neighbors.afi-safis.add-paths.config]
      receive = true
      send-max = 8
[[neighbors]]
  [neighbors.config]
    neighbor-address = "${B}"
    peer-as = 65101
  [neighbors.transport.config]
    local-address = "${GO}"
    remote-port = ${B_PORT}
    passive-mode = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
`;

/** One line of `gobgp neighbor X adj-in`: path identifier, prefix, next hop, AS path. */
interface GobgpAdjIn {
  id: number;
  prefix: string;
  nextHop: string;
  asPath: string;
}

function parseAdjIn(text: string): GobgpAdjIn[] {
  const out: GobgpAdjIn[] = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(\S+\/\d+)\s+(\S+)\s+(.*?)\s+\d\d:\d\d:\d\d/.exec(line);
    if (m) out.push({ id: Number(m[1]), prefix: m[2]!, nextHop: m[3]!, asPath: m[4]! });
  }
  return out;
}

/** gobgp's AddPathCapability message as protobuf bytes: tuples { family { afi: 1, safi: 1 }, mode: 3 (BOTH) }. */
const ADD_PATH_IPV4_BOTH = '0a080a04080110011003';

describeWithTool(['gobgpd', 'gobgp'], 'speaker add-path (RFC 7911) with gobgpd', () => {
  let dir: { path: string; cleanup: () => void };
  let go: Gobgpd;
  let us: BgpSpeaker;
  let b: BgpSpeaker;

  /** gobgpd's Adj-RIB-In from us for one prefix (the table view: the JSON one has no path identifier). */
  const adjInFromUs = (prefix: string): GobgpAdjIn[] =>
    parseAdjIn(go.cli('neighbor', US, 'adj-in', '-a', 'ipv4')).filter((r) => r.prefix === prefix);
  const ourPathsFrom = (peer: string, prefix: string) =>
    us.adjRibIn(peer, 'ipv4-unicast').filter((r) => r.nlri.type === 'prefix' && r.nlri.prefix === prefix);

  beforeAll(async () => {
    dir = scratchDir('speaker-addpath-gobgp-');
    go = await startGobgpd(dir.path, toml, GO, API_PORT);
    us = new BgpSpeaker({
      asn: 65100,
      routerId: '10.0.28.1',
      listen: [{ host: US, port: US_PORT }],
      peers: [
        {
          address: GO,
          port: GO_PORT,
          asn: 65001,
          localAddress: US,
          families: ['ipv4-unicast'],
          addPathReceive: ['ipv4-unicast'],
          addPathSend: ['ipv4-unicast'],
          // gobgpd treats a 127/8 next hop as invalid (treat-as-withdraw)
          nextHop: '10.255.28.1',
          connectRetryTime: 1,
        },
        { address: B, port: B_PORT, asn: 65101, localAddress: US, passive: true },
      ],
    });
    b = new BgpSpeaker({
      asn: 65101,
      routerId: '10.0.28.3',
      listen: [{ host: B, port: B_PORT }],
      peers: [
        { address: US, port: US_PORT, asn: 65100, localAddress: B, connectRetryTime: 1 },
        { address: GO, port: GO_PORT, asn: 65001, localAddress: B, connectRetryTime: 1 },
      ],
    });
    us.announce({ nlri: { type: 'prefix', prefix: '10.28.1.0/24' }, nextHop: '10.255.28.1' });
    b.announce({ nlri: { type: 'prefix', prefix: '10.28.1.0/24' }, nextHop: '10.255.28.3' });
    b.announce({ nlri: { type: 'prefix', prefix: '10.28.2.0/24' }, nextHop: '10.255.28.3' });
    go.cli('global', 'rib', 'add', '10.28.2.0/24', 'nexthop', '10.255.28.2', '-a', 'ipv4');
    await us.start();
    await b.start();
  }, 120_000);

  afterAll(async () => {
    await b?.stop();
    await us?.stop();
    await go?.stop();
    dir?.cleanup();
  });

  it('negotiates add-path send and receive for IPv4 unicast on both sides', async () => {
    const st = await established(us, GO);
    await established(b, GO);
    await established(b, US);
    expect(st.negotiated?.addPathReceive).toEqual(['ipv4-unicast']);
    expect(st.negotiated?.addPathSend).toEqual(['ipv4-unicast']);
    const n = JSON.parse(go.cli('neighbor', US, '-j')) as {
      state: {
        session_state: number;
        remote_cap: { type_url: string; value?: string }[];
        local_cap: { type_url: string; value?: string }[];
      };
    };
    expect(n.state.session_state).toBe(6);
    const addPath = (caps: { type_url: string; value?: string }[]) => {
      const c = caps.find((x) => x.type_url.endsWith('.AddPathCapability'));
      return c?.value === undefined ? undefined : Buffer.from(c.value, 'base64').toString('hex');
    };
    expect(addPath(n.state.remote_cap)).toBe(ADD_PATH_IPV4_BOTH);
    expect(addPath(n.state.local_cap)).toBe(ADD_PATH_IPV4_BOTH);
  });

  it('sends gobgpd both of our paths for one prefix, under different path identifiers', async () => {
    const paths = await waitFor(
      'two paths for 10.28.1.0/24 from us at gobgpd',
      () => {
        const p = adjInFromUs('10.28.1.0/24');
        return p.length >= 2 ? p : undefined;
      },
      30_000,
      200,
    );
    expect(paths).toHaveLength(2);
    expect(new Set(paths.map((p) => p.id)).size).toBe(2);
    // ours (prepended once) and B's through us, both with the next hop we are configured to give gobgpd
    expect(paths.map((p) => p.asPath).sort()).toEqual(['65100', '65100 65101']);
    expect(paths.every((p) => p.nextHop === '10.255.28.1')).toBe(true);
  });

  it("receives gobgpd's two paths for one prefix, under different path identifiers", async () => {
    const paths = await waitFor(
      'two paths for 10.28.2.0/24 from gobgpd in our Adj-RIB-In',
      () => {
        const p = ourPathsFrom(GO, '10.28.2.0/24');
        return p.length >= 2 ? p : undefined;
      },
      30_000,
      100,
    );
    expect(paths).toHaveLength(2);
    expect(new Set(paths.map((p) => p.pathId)).size).toBe(2);
    expect(paths.every((p) => p.pathId !== 0)).toBe(true);
    expect(paths.map((p) => JSON.stringify(p.attrs.asPath)).sort()).toEqual([
      JSON.stringify([{ type: 'sequence', asns: [65001, 65101] }]),
      JSON.stringify([{ type: 'sequence', asns: [65001] }]),
    ]);
    // both are candidates in the Loc-RIB (plus B's own path to us)
    const cands = us
      .routes('ipv4-unicast')
      .filter((r) => r.nlri.type === 'prefix' && r.nlri.prefix === '10.28.2.0/24');
    expect(cands.filter((r) => r.peer === GO)).toHaveLength(2);
  });

  it('withdrawing one path on either side leaves the other path in place', async () => {
    // gobgpd loses B's path: it withdraws that path identifier only
    b.withdraw({ nlri: { type: 'prefix', prefix: '10.28.2.0/24' } });
    const left = await waitFor(
      'one gobgpd path left for 10.28.2.0/24',
      () => {
        const p = ourPathsFrom(GO, '10.28.2.0/24');
        return p.length === 1 ? p : undefined;
      },
      30_000,
      100,
    );
    expect(left[0]!.attrs.asPath).toEqual([{ type: 'sequence', asns: [65001] }]);
    // we lose our injected path: gobgpd keeps the one through B
    us.withdraw({ nlri: { type: 'prefix', prefix: '10.28.1.0/24' } });
    const rest = await waitFor(
      'one path from us left at gobgpd',
      () => {
        const p = adjInFromUs('10.28.1.0/24');
        return p.length === 1 ? p : undefined;
      },
      30_000,
      200,
    );
    expect(rest[0]!.asPath).toBe('65100 65101');
    expect(us.peers().find((p) => p.address === GO)?.state).toBe('Established');
  });
});
