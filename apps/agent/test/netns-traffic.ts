// Traffic between namespace workloads with real software: iputils ping, python3's http.server and curl.
// Everything runs through `ip netns exec` asynchronously, so an agent in this process keeps forwarding.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type NetnsLab, waitForOutput } from './netns.js';

export interface PingResult {
  transmitted: number;
  received: number;
  output: string;
}

/** `ping -c count` from `ns`; never rejects for lost packets (the caller asserts). */
export async function ping(lab: NetnsLab, ns: string, to: string, count = 3): Promise<PingResult> {
  const r = await lab.exec(ns, ['ping', '-n', '-c', String(count), '-i', '0.2', '-W', '3', to], {
    allowFail: true,
    timeoutMs: 30_000,
  });
  const m = /(\d+) packets transmitted, (\d+) received/.exec(r.stdout);
  return { transmitted: Number(m?.[1] ?? 0), received: Number(m?.[2] ?? 0), output: r.stdout + r.stderr };
}

/** A file of `bytes` random bytes in `dir`; returns its name and sha256. */
export function randomFile(dir: string, name: string, bytes: number): { name: string; sha256: string } {
  const data = randomBytes(bytes);
  writeFileSync(join(dir, name), data);
  return { name, sha256: createHash('sha256').update(data).digest('hex') };
}

// python3's http.server, minus the reverse DNS lookup of its own address in server_bind (getfqdn), which
// waits out the resolver's timeouts in a namespace whose default route leads into the fabric.
const HTTP_SERVER_PY = `
import functools, http.server, socketserver, sys
class Server(http.server.ThreadingHTTPServer):
    def server_bind(self):
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[3])
server = Server((sys.argv[1], int(sys.argv[2])), handler)
print('Serving HTTP', flush=True)
server.serve_forever()
`;

/** Serves `dir` over HTTP on address:port inside `ns` (python3's http.server); resolves when listening. */
export async function httpServe(
  lab: NetnsLab,
  ns: string,
  address: string,
  port: number,
  dir: string,
): Promise<void> {
  const p = lab.spawn(ns, ['python3', '-c', HTTP_SERVER_PY, address, String(port), dir]);
  await waitForOutput(p, /Serving HTTP/);
}

/** GETs `url` from `ns` with curl (a new TCP connection each call); returns the body's sha256 and size. */
export async function httpGet(
  lab: NetnsLab,
  ns: string,
  url: string,
  outFile: string,
): Promise<{ sha256: string; bytes: number }> {
  await lab.exec(ns, ['curl', '-sS', '--fail', '--max-time', '60', '-o', outFile, url], {
    timeoutMs: 70_000,
  });
  const body = readFileSync(outFile);
  return { sha256: createHash('sha256').update(body).digest('hex'), bytes: body.length };
}
