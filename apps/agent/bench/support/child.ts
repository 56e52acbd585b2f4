// A child process of the underlay benchmark (bench/underlay.ts): one role per process, driven over the
// IPC channel (protocol.ts). Roles: an agent with one port on a UDP wire, a UDP blaster, a sink, an echo,
// a bare forwarder, and a ping-pong client.
import type { Socket } from 'node:dgram';
import { Agent, EncapCode } from '../../src/index.js';
import type { ChildMessage, ParentMessage, RemotePort, RoleConfig, Snapshot } from './protocol.js';
import { bindUdp, closeUdp, socketDrops, type UdpPeer } from './udp.js';
import { UdpWire } from './udp-wire.js';

const VRF = 'blue';
const VNI = 100;
const GATEWAY = '10.88.1.1';

const t0 = process.hrtime.bigint();
const cpu0 = process.cpuUsage();
let packets = 0;
let other = 0;
let drops = () => 0;
let detail: () => Record<string, number> = () => ({});
/** The role's receiving sockets, for the kernel's drop counters. */
const receivers: UdpPeer[] = [];
let onRemote: (r: RemotePort) => void = () => {};
let onGo: (to: UdpPeer) => void = () => {};
let onStop: () => Promise<void> = async () => {};
let snapHook: () => void = () => {};

function tell(m: ChildMessage): void {
  process.send?.(m);
}

function snapshot(): Snapshot {
  const c = process.cpuUsage(cpu0);
  return {
    packets,
    other,
    drops: drops(),
    socketDrops: socketDrops(receivers),
    detail: detail(),
    cpuUs: c.user + c.system,
    wallUs: Number((process.hrtime.bigint() - t0) / 1000n),
  };
}

function peerOf(sock: Socket): UdpPeer {
  const a = sock.address();
  return { address: a.address, port: a.port };
}

/** Swaps MACs, IPv4 addresses and UDP ports in place, so a frame goes back where it came from. */
function swapFrame(b: Uint8Array): void {
  if (b.length < 42) return;
  const swap = (a: number, c: number, n: number) => {
    for (let i = 0; i < n; i++) {
      const x = b[a + i]!;
      b[a + i] = b[c + i]!;
      b[c + i] = x;
    }
  };
  swap(0, 6, 6);
  swap(26, 30, 4);
  swap(34, 36, 2);
}

async function start(cfg: RoleConfig): Promise<void> {
  switch (cfg.role) {
    case 'sink': {
      const s = await bindUdp(cfg.bind);
      receivers.push(peerOf(s));
      // The expected frames by UDP source port (one per flow).
      const expect = new Map((cfg.expect ?? []).map((f) => [(f[34]! << 8) | f[35]!, Buffer.from(f)]));
      let bad = 0;
      detail = () => ({ bad });
      s.on('message', (msg) => {
        packets++;
        if (expect.size === 0) return;
        const want = msg.length >= 36 ? expect.get((msg[34]! << 8) | msg[35]!) : undefined;
        if (want === undefined || !want.equals(msg)) bad++;
      });
      onStop = () => closeUdp(s);
      tell({ op: 'ready', address: peerOf(s) });
      return;
    }
    case 'echo': {
      const s = await bindUdp(cfg.bind);
      s.on('message', (msg, rinfo) => {
        packets++;
        swapFrame(msg);
        s.send(msg, rinfo.port, rinfo.address);
      });
      onStop = () => closeUdp(s);
      tell({ op: 'ready', address: peerOf(s) });
      return;
    }
    case 'forward': {
      const rx = await bindUdp(cfg.bind);
      receivers.push(peerOf(rx));
      const tx = await bindUdp(cfg.bind);
      const { port, address } = cfg.to;
      rx.on('message', (msg) => {
        other++;
        tx.send(msg, port, address);
        packets++;
      });
      onStop = async () => {
        rx.close();
        tx.close();
      };
      tell({ op: 'ready', address: peerOf(rx) });
      return;
    }
    case 'relay': {
      const side = await bindUdp(cfg.bind);
      const net = await bindUdp(cfg.bind);
      receivers.push(peerOf(side), peerOf(net));
      let workload = cfg.workload;
      let network = cfg.network;
      side.on('message', (msg, rinfo) => {
        if (cfg.workload === undefined) workload = { address: rinfo.address, port: rinfo.port };
        if (network === undefined) return;
        net.send(msg, network.port, network.address);
        packets++;
      });
      net.on('message', (msg, rinfo) => {
        if (cfg.network === undefined) network = { address: rinfo.address, port: rinfo.port };
        if (workload === undefined) return;
        side.send(msg, workload.port, workload.address);
        packets++;
      });
      onStop = async () => {
        await closeUdp(side);
        await closeUdp(net);
      };
      tell({ op: 'ready', address: peerOf(side), network: peerOf(net) });
      return;
    }
    case 'blast': {
      const s = await bindUdp(cfg.bind);
      const frames = cfg.frames.map((f) => Buffer.from(f));
      let running = false;
      let port = 0;
      let address = '';
      // Sends in bursts and yields between them (for IPC); backs off while the socket has a send queue.
      const burst = (): void => {
        if (!running) return;
        if (s.getSendQueueCount() < 64) {
          for (let i = 0; i < 256; i++) s.send(frames[(packets + i) % frames.length]!, port, address);
          packets += 256;
        }
        setImmediate(burst);
      };
      onGo = (to) => {
        ({ port, address } = to);
        running = true;
        burst();
      };
      onStop = async () => {
        running = false;
        s.close();
      };
      tell({ op: 'ready', address: peerOf(s) });
      return;
    }
    case 'ping': {
      const s = await bindUdp(cfg.bind);
      const frame = Buffer.from(cfg.frame);
      let waiting: ((ok: boolean) => void) | null = null;
      s.on('message', () => {
        packets++;
        waiting?.(true);
      });
      let to: UdpPeer = { address: '', port: 0 };
      const once = (): Promise<boolean> =>
        new Promise((resolve) => {
          const timer = setTimeout(() => resolve(false), 1000);
          waiting = (ok) => {
            clearTimeout(timer);
            waiting = null;
            resolve(ok);
          };
          s.send(frame, to.port, to.address);
        });
      onGo = (dst) => {
        to = dst;
        void (async () => {
          const rttNs: number[] = [];
          let lost = 0;
          for (let i = 0; i < cfg.warmup + cfg.count; i++) {
            const t = process.hrtime.bigint();
            const ok = await once();
            if (!ok) lost++;
            else if (i >= cfg.warmup) rttNs.push(Number(process.hrtime.bigint() - t));
          }
          other = lost;
          s.close();
          tell({ op: 'done', rttNs });
        })();
      };
      tell({ op: 'ready', address: peerOf(s) });
      return;
    }
    case 'agent': {
      const agent = new Agent({ name: cfg.name, underlay: cfg.underlay, flow: { capacity: 1 << 16 } });
      await agent.start({
        vxlanPort: cfg.vxlanPort,
        mplsPort: cfg.mplsPort,
        ...(cfg.receiveBufferBytes !== undefined ? { receiveBufferBytes: cfg.receiveBufferBytes } : {}),
      });
      agent.addVrf({ name: VRF, vni: VNI, gateways: [GATEWAY] });
      const wire = await UdpWire.open('127.0.0.1', cfg.workload);
      const port = agent.addPort({
        name: `${cfg.name}-w`,
        vrf: VRF,
        mac: cfg.mac,
        ipam: { address: cfg.ip, prefixLen: 24, gateway: GATEWAY },
        deliver: wire.deliver,
      });
      wire.attach(agent, port);
      receivers.push(
        wire.address,
        { address: cfg.underlay, port: cfg.vxlanPort },
        { address: cfg.underlay, port: cfg.mplsPort },
      );
      const u = agent.underlay!;
      const c = agent.fw.counters;
      drops = () => c.drops.reduce((a, b) => a + b, 0);
      detail = () => ({
        vxlanTx: c.tunnelTx[EncapCode.vxlan]!,
        mplsTx: c.tunnelTx[EncapCode.mplsUdp]!,
        vxlanRx: c.tunnelRx[EncapCode.vxlan]!,
        mplsRx: c.tunnelRx[EncapCode.mplsUdp]!,
        flowHit: c.flowHit,
        flowMiss: c.flowMiss,
      });
      // Forwarded: tunnel packets sent plus frames delivered to the port; received: the other way.
      const refresh = () => {
        packets = u.txPackets + port.txPackets;
        other = u.rxPackets + port.rxPackets;
      };
      snapHook = refresh;
      onRemote = (r) => {
        // What a controller would install: the remote workload's MAC (bridged: VXLAN with the VNI) and its
        // host route (routed: MPLS over UDP with the remote's label).
        const tunnel = { dst: r.underlay, vni: VNI, label: r.label, encaps: ['vxlan', 'mpls-udp'] as const };
        agent.addMac(VRF, r.mac, { tunnel: { ...tunnel, encaps: [...tunnel.encaps] } }, r.ip);
        agent.addRoute(VRF, `${r.ip}/32`, { tunnel: { ...tunnel, encaps: [...tunnel.encaps] } });
      };
      onStop = async () => {
        await wire.close();
        await agent.stop();
      };
      tell({ op: 'ready', address: wire.address, label: port.label });
      return;
    }
  }
}

process.on('message', (m: ParentMessage) => {
  switch (m.op) {
    case 'start':
      start(m.config).catch((e: unknown) => {
        tell({ op: 'error', message: e instanceof Error ? e.message : String(e) });
      });
      return;
    case 'remote':
      onRemote(m.remote);
      tell({ op: 'ready', address: { address: '', port: 0 } });
      return;
    case 'go':
      onGo(m.to);
      return;
    case 'snap':
      snapHook();
      tell({ op: 'snap', id: m.id, snap: snapshot() });
      return;
    case 'stop':
      void onStop().finally(() => process.disconnect());
      return;
  }
});
process.on('disconnect', () => process.exit(0));
