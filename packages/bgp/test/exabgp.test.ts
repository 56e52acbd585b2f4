// UPDATEs this codec encodes, decoded by ExaBGP's offline decoder (`exabgp --decode`, software none of us
// wrote): every attribute ExaBGP knows must read back as the value we encoded. ExaBGP 4.2 prints OTC
// (RFC 9234) as an unknown attribute (it shows the Partial bit it would re-advertise it with) and does not
// print AIGP without an AIGP-enabled neighbor.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeWithTool, run, scratchDir } from '@filament/testkit';
import { afterAll, expect, it } from 'vitest';
import { encodeMessage, type UpdateMessage } from '../src/index.js';

const CONFIG = `neighbor 127.0.0.1 {
    router-id 4.4.4.4;
    local-address 127.0.0.4;
    local-as 65004;
    peer-as 65001;
    family {
        ipv4 unicast;
        ipv6 unicast;
    }
}
`;

interface ExaUpdate {
  attribute: Record<string, unknown>;
  announce?: Record<string, Record<string, { nlri: string }[]>>;
  withdraw?: Record<string, { nlri: string }[]>;
}

describeWithTool('exabgp', 'ExaBGP decodes what the codec encodes', () => {
  const dir = scratchDir('filament-bgp-exabgp-');
  afterAll(() => dir.cleanup());
  const conf = join(dir.path, 'exabgp.conf');
  writeFileSync(conf, CONFIG);

  function exaDecode(m: UpdateMessage): ExaUpdate {
    const hex = Buffer.from(encodeMessage(m)).toString('hex');
    const r = run('exabgp', ['--decode', hex, conf], {
      cwd: dir.path,
      timeoutMs: 60_000,
      env: { ...process.env, 'exabgp.daemon.user': 'root', 'exabgp.log.destination': 'stdout' },
    });
    const line = `${r.stdout}\n${r.stderr}`.split('\n').find((l) => l.includes('update json'));
    if (!line) throw new Error(`exabgp printed no update:\n${r.stdout}\n${r.stderr}`);
    const json = JSON.parse(line.slice(line.indexOf('{'))) as {
      neighbor: { message: { update: ExaUpdate } };
    };
    return json.neighbor.message.update;
  }

  it('IPv4 UPDATE with every attribute ExaBGP knows', () => {
    const u = exaDecode({
      type: 'update',
      withdrawn: [{ type: 'prefix', prefix: '10.9.0.0/16' }],
      attributes: [
        { type: 'ORIGIN', origin: 'egp' },
        {
          type: 'AS_PATH',
          segments: [
            { type: 'sequence', asns: [65001, 4200000001] },
            { type: 'set', asns: [65010, 65011] },
          ],
        },
        { type: 'NEXT_HOP', nextHop: '10.255.0.1' },
        { type: 'MULTI_EXIT_DISC', med: 10 },
        { type: 'LOCAL_PREF', localPref: 200 },
        { type: 'ATOMIC_AGGREGATE' },
        { type: 'AGGREGATOR', asn: 65001, address: '10.0.0.9' },
        { type: 'COMMUNITIES', communities: [0xfde90064, 0xffffff01] },
        { type: 'ORIGINATOR_ID', originatorId: '1.1.1.1' },
        { type: 'CLUSTER_LIST', clusterIds: ['2.2.2.2', '3.3.3.3'] },
        { type: 'LARGE_COMMUNITY', communities: [{ global: 65001, local1: 1, local2: 2 }] },
        { type: 'OTC', asn: 65001 },
      ],
      nlri: [
        { type: 'prefix', prefix: '10.1.0.0/16' },
        { type: 'prefix', prefix: '192.0.2.0/24' },
      ],
    });
    expect(u.attribute).toEqual({
      origin: 'egp',
      'as-path': [65001, 4200000001],
      'as-set': [65010, 65011],
      'confederation-path': [],
      med: 10,
      'local-preference': 200,
      'atomic-aggregate': true,
      aggregator: '65001:10.0.0.9',
      community: [
        [65001, 100],
        [65535, 65281],
      ],
      'originator-id': '1.1.1.1',
      'cluster-list': ['2.2.2.2', '3.3.3.3'],
      'large-community': [[65001, 1, 2]],
      'attribute-0x23-0xE0': '0x0000fde9',
    });
    expect(u.announce).toEqual({
      'ipv4 unicast': { '10.255.0.1': [{ nlri: '10.1.0.0/16' }, { nlri: '192.0.2.0/24' }] },
    });
    expect(u.withdraw).toEqual({ 'ipv4 unicast': [{ nlri: '10.9.0.0/16' }] });
  }, 120_000);

  it('MP_REACH_NLRI / MP_UNREACH_NLRI for IPv6 unicast', () => {
    const u = exaDecode({
      type: 'update',
      withdrawn: [],
      attributes: [
        {
          type: 'MP_REACH_NLRI',
          afi: 2,
          safi: 1,
          nextHop: { kind: 'ip', address: '2001:db8::1' },
          nlri: [
            { type: 'prefix', prefix: '2001:db8:1::/48' },
            { type: 'prefix', prefix: '2001:db8:2::/64' },
          ],
        },
        { type: 'ORIGIN', origin: 'igp' },
        { type: 'AS_PATH', segments: [{ type: 'sequence', asns: [65001] }] },
        {
          type: 'MP_UNREACH_NLRI',
          afi: 2,
          safi: 1,
          withdrawn: [{ type: 'prefix', prefix: '2001:db8:9::/48' }],
        },
      ],
      nlri: [],
    });
    expect(u.attribute).toMatchObject({ origin: 'igp', 'as-path': [65001] });
    expect(u.announce).toEqual({
      'ipv6 unicast': { '2001:db8::1': [{ nlri: '2001:db8:1::/48' }, { nlri: '2001:db8:2::/64' }] },
    });
    expect(u.withdraw).toEqual({ 'ipv6 unicast': [{ nlri: '2001:db8:9::/48' }] });
  }, 120_000);
});
