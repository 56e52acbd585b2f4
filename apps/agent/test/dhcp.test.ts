// DHCP per port from IPAM data: the in-process workload runs DISCOVER/OFFER/REQUEST/ACK against the agent,
// decoding with @filament/encap; the replies are also written to a pcap and dissected by tshark.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DhcpMessageType, dhcpv4, ipv4, LinkType, PcapWriter, udp } from '@filament/encap';
import { itWithTool, scapy, scratchDir, tsharkFields } from '@filament/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { Agent, dhcpReply, Workload } from '../src/index.js';

function setup() {
  const agent = new Agent({ name: 'a', underlay: '192.0.2.1' });
  agent.addVrf({ name: 'blue', vni: 100, gateways: ['10.1.1.1'] });
  const w = new Workload({ name: 'vm', mac: '02:00:00:00:09:09', timeoutMs: 2000 });
  w.keepReceived = true;
  const port = agent.addPort({
    name: 'vm',
    vrf: 'blue',
    mac: '02:00:00:00:09:09',
    ipam: {
      address: '10.1.1.42',
      prefixLen: 24,
      gateway: '10.1.1.1',
      dns: ['10.1.1.2', '9.9.9.9'],
      mtu: 1450,
      leaseSeconds: 3600,
      domainName: 'lab.example',
    },
    deliver: w.deliver,
  });
  w.attach((frame) => agent.fw.fromPort(port.index, frame));
  return { agent, w, port };
}

describe('DHCP server', () => {
  const scratch = scratchDir('filament-agent-dhcp-');
  afterAll(() => scratch.cleanup());

  it('hands out address, gateway, DNS and MTU from IPAM; the workload then pings its gateway', async () => {
    const { agent, w } = setup();
    const lease = await w.dhcp();
    expect(lease).toMatchObject({
      address: '10.1.1.42',
      prefixLen: 24,
      gateway: '10.1.1.1',
      dns: ['10.1.1.2', '9.9.9.9'],
      mtu: 1450,
      leaseSeconds: 3600,
      serverId: '10.1.1.1',
    });
    expect(agent.fw.counters.dhcpReplies).toBe(2);
    // Every reply frame: valid IPv4 header checksum and UDP checksum (checked by @filament/encap).
    const replies = w.received.filter((f) => f[23] === 17);
    expect(replies).toHaveLength(2);
    for (const f of replies) {
      const ip = ipv4.decode(f, 14).value;
      expect(ip.checksumValid).toBe(true);
      expect(ip.src).toBe('10.1.1.1');
      const u = udp.decode(f, 34, { pseudo: { src: ip.src, dst: ip.dst } }).value;
      expect([u.srcPort, u.dstPort, u.checksumValid]).toEqual([67, 68, true]);
    }
    const r = await w.ping('10.1.1.1');
    expect(r.sequence).toBe(1);
  });

  it('NAKs a request for another address and ignores RELEASE', () => {
    const { port } = setup();
    const base = {
      op: 1,
      htype: 1,
      hlen: 6,
      hops: 0,
      xid: 7,
      secs: 0,
      broadcast: false,
      ciaddr: '0.0.0.0',
      yiaddr: '0.0.0.0',
      siaddr: '0.0.0.0',
      giaddr: '0.0.0.0',
      chaddr: '02:00:00:00:09:09',
      sname: '',
      file: '',
    };
    const nak = dhcpReply(port, {
      ...base,
      options: [
        { kind: 'messageType', value: DhcpMessageType.request },
        { kind: 'requestedIp', value: '10.1.1.99' },
        { kind: 'end' },
      ],
    });
    expect(nak?.options[0]).toEqual({ kind: 'messageType', value: DhcpMessageType.nak });
    expect(nak?.yiaddr).toBe('0.0.0.0');
    expect(
      dhcpReply(port, {
        ...base,
        options: [{ kind: 'messageType', value: DhcpMessageType.release }, { kind: 'end' }],
      }),
    ).toBeNull();
    // Encodes and decodes back (the codec contract holds for what the server builds).
    const bytes = dhcpv4.encode(nak!);
    expect(dhcpv4.decode(bytes).value.options[0]).toEqual({
      kind: 'messageType',
      value: DhcpMessageType.nak,
    });
  });

  it('drops malformed DHCP and counts it', () => {
    const { agent, port } = setup();
    const f = new Uint8Array(14 + 20 + 8 + 10);
    f.fill(0xff, 0, 6);
    f[12] = 0x08;
    f[14] = 0x45;
    f[17] = 38;
    f[22] = 64;
    f[23] = 17;
    f[34 + 1] = 68;
    f[34 + 3] = 67;
    f[34 + 5] = 18;
    agent.fw.fromPort(port.index, f);
    expect(agent.fw.counters.dropsByName()).toEqual({ bad_dhcp: 1 });
  });

  itWithTool(
    'tshark',
    'tshark dissects the OFFER and ACK with the IPAM options and good checksums',
    async () => {
      const { w } = setup();
      await w.dhcp();
      const pw = new PcapWriter({ linktype: LinkType.ethernet });
      const frames = w.received.filter((f) => f[23] === 17);
      const file = join(scratch.path, 'dhcp.pcap');
      writeFileSync(file, Buffer.concat([pw.header(), ...frames.map((f) => pw.packet(f))]));
      const rows = tsharkFields(
        file,
        [
          'dhcp.option.dhcp',
          'dhcp.ip.your',
          'dhcp.option.subnet_mask',
          'dhcp.option.router',
          'dhcp.option.domain_name_server',
          'dhcp.option.interface_mtu',
          'dhcp.option.ip_address_lease_time',
          'dhcp.option.dhcp_server_id',
          'ip.checksum.status',
          'udp.checksum.status',
        ],
        ['-o', 'ip.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'],
      );
      // checksum.status 1 is tshark's "Good".
      expect(rows).toEqual([
        [
          '2',
          '10.1.1.42',
          '255.255.255.0',
          '10.1.1.1',
          '10.1.1.2,9.9.9.9',
          '1450',
          '3600',
          '10.1.1.1',
          '1',
          '1',
        ],
        [
          '5',
          '10.1.1.42',
          '255.255.255.0',
          '10.1.1.1',
          '10.1.1.2,9.9.9.9',
          '1450',
          '3600',
          '10.1.1.1',
          '1',
          '1',
        ],
      ]);
    },
  );

  itWithTool('scapy', 'answers a DISCOVER built by scapy with an OFFER that scapy decodes', () => {
    const { agent, port } = setup();
    const discover = scapy(`
p = Ether(src='02:00:00:00:09:09', dst='ff:ff:ff:ff:ff:ff') / IP(src='0.0.0.0', dst='255.255.255.255') / \\
    UDP(sport=68, dport=67) / BOOTP(chaddr=bytes.fromhex('020000000909'), xid=0x1234, flags=0x8000) / \\
    DHCP(options=[('message-type', 'discover'), ('param_req_list', [1, 3, 6, 26]), 'end'])
print(bytes(p).hex())
`).trim();
    const replies: Uint8Array[] = [];
    port.deliver = (b, o, l) => replies.push(b.slice(o, o + l));
    agent.fw.fromPort(port.index, Uint8Array.from(Buffer.from(discover, 'hex')));
    expect(replies).toHaveLength(1);
    const out = scapy(`
p = Ether(bytes.fromhex('${Buffer.from(replies[0]!).toString('hex')}'))
opts = {o[0]: o[1] for o in p[DHCP].options if isinstance(o, tuple)}
q = p.copy(); del q[IP].chksum; del q[UDP].chksum
q = Ether(bytes(q))
print(p[BOOTP].xid, p[BOOTP].yiaddr, p[IP].src, p[IP].dst, p[UDP].sport, p[UDP].dport)
print(opts['message-type'], opts['subnet_mask'], opts['router'], opts['name_server'], opts['interface-mtu'], opts['lease_time'], opts['server_id'])
print(q[IP].chksum == p[IP].chksum, q[UDP].chksum == p[UDP].chksum)
`).trim();
    expect(out.split('\n')).toEqual([
      '4660 10.1.1.42 10.1.1.1 255.255.255.255 67 68',
      '2 255.255.255.0 10.1.1.1 10.1.1.2 1450 3600 10.1.1.1',
      'True True',
    ]);
  });
});
