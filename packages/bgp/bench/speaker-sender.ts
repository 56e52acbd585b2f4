// A Filament speaker in its own process that advertises a generated table to one peer (the sender for
// bench/speaker-ingest.ts when no other daemon can send the family fast enough). Prints "ready" once
// the table is in its Loc-RIB, "up <epoch ms>" when the session is Established, "sent" once its Adj-RIB-Out
// is empty.
// Usage: tsx bench/speaker-sender.ts LISTEN_HOST PORT PEER_HOST PEER_AS FAMILY COUNT
import { BgpSpeaker, evpnLabelFromVni, parseExtendedCommunity, parseRd } from '../src/index.js';

const [host, port, peer, peerAs, family, count] = process.argv.slice(2);
const n = Number(count);
const fam = family ?? 'ipv4-unicast';
const s = new BgpSpeaker({
  asn: 65201,
  routerId: '10.0.9.1',
  listen: [{ host: host!, port: Number(port) }],
  peers: [{ address: peer!, asn: Number(peerAs), families: [fam], passive: true, holdTime: 240 }],
});
const ext = {
  type: 'EXTENDED_COMMUNITIES' as const,
  communities: [parseExtendedCommunity('target:65201:1'), parseExtendedCommunity('encap:vxlan')],
};
const rd = parseRd('10.0.9.1:1');
const esi = '00:00:00:00:00:00:00:00:00:00';
for (let i = 0; i < n; i++) {
  if (fam === 'l2vpn-evpn') {
    const mac = `02:00:${((i >>> 24) & 255).toString(16).padStart(2, '0')}:${((i >>> 16) & 255).toString(16).padStart(2, '0')}:${((i >>> 8) & 255).toString(16).padStart(2, '0')}:${(i & 255).toString(16).padStart(2, '0')}`;
    s.announce({
      family: fam,
      nlri: {
        type: 'evpn-mac-ip',
        routeType: 2,
        rd,
        esi,
        ethernetTag: 0,
        mac,
        label1: evpnLabelFromVni(5000 + (i % 100)),
      },
      nextHop: '10.255.0.9',
      attributes: [ext],
    });
  } else {
    const a = 0x10000000 + i * 256;
    s.announce({
      nlri: { type: 'prefix', prefix: `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.0/24` },
      nextHop: '10.255.0.9',
    });
  }
}
s.on('peer-up', () => {
  // with the moment as epoch milliseconds (sub-millisecond), which the parent compares with its own clock
  process.stdout.write(`up ${performance.timeOrigin + performance.now()}\n`);
  const t = setInterval(() => {
    const st = s.peers()[0];
    if (st && st.backlog === 0 && st.routesAdvertised >= n) {
      process.stdout.write('sent\n');
      clearInterval(t);
    }
  }, 50);
});
await s.start();
process.stdout.write('ready\n');
process.on('SIGTERM', () => {
  void s.stop().then(() => process.exit(0));
});
