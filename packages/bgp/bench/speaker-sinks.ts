// Ten BGP peers in their own process that only count (bench/speaker-ingest.ts, advertise figure): each
// connects from 127.0.X.(i+1) to HOST:PORT with AS ASN_BASE+i, answers OPEN with KEEPALIVE, and waits
// for the IPv4 End-of-RIB. Prints the seconds from the first KEEPALIVE received to the last End-of-RIB.
// Usage: tsx bench/speaker-sinks.ts HOST PORT LOCAL_PREFIX ASN_BASE
import { connect, type Socket } from 'node:net';
import { encodeMessage, makeOpen } from '../src/index.js';

const [host, port, prefix, asnBase] = process.argv.slice(2);

function sink(localAddress: string, asn: number): Promise<{ up: number; eor: number }> {
  return new Promise((resolve) => {
    const r = { up: 0, eor: 0 };
    const s: Socket = connect({ host: host!, port: Number(port), localAddress }, () => {
      // graceful restart capability: BIRD sends End-of-RIB only to peers that announce it
      s.write(
        encodeMessage(
          makeOpen({
            asn,
            bgpId: localAddress,
            holdTime: 240,
            capabilities: [
              { type: 'multiprotocol', afi: 1, safi: 1 },
              {
                type: 'graceful-restart',
                restartState: false,
                notification: false,
                restartTime: 0,
                families: [{ afi: 1, safi: 1, forwardingPreserved: false }],
              },
            ],
          }),
        ),
      );
    });
    let buf: Buffer = Buffer.alloc(0);
    let keep = false;
    s.on('data', (b: Buffer) => {
      buf = buf.length ? Buffer.concat([buf, b]) : b;
      let o = 0;
      while (buf.length - o >= 19) {
        const len = buf.readUInt16BE(o + 16);
        if (buf.length - o < len) break;
        const type = buf[o + 18];
        if (type === 1 && !keep) {
          keep = true;
          s.write(encodeMessage({ type: 'keepalive' }));
        } else if (type === 4 && !r.up) r.up = performance.now();
        else if (type === 2 && len === 23 && !r.eor) {
          r.eor = performance.now();
          s.destroy();
          resolve(r);
        }
        o += len;
      }
      buf = buf.subarray(o);
    });
    s.on('error', () => {});
  });
}

const t = await Promise.all(
  Array.from({ length: 10 }, (_, i) => sink(`${prefix}.${i + 1}`, Number(asnBase) + i)),
);
process.stdout.write(
  `${((Math.max(...t.map((x) => x.eor)) - Math.min(...t.map((x) => x.up))) / 1000).toFixed(3)}\n`,
);
process.exit(0);
