// @filament/encap public API. Each line re-exports one protocol layer or concept.

export * from './address.js';
export * from './arp.js';
export * from './checksum.js';
export * from './codec.js';
export {
  type DhcpClasslessRoute,
  type DhcpClientId,
  DhcpMessageType,
  type DhcpOption,
  DhcpOptionCode,
  type DhcpOptionValues,
  decodeDhcpOptions,
  encodeDhcpOptions,
} from './dhcp-options.js';
export * from './dhcpv4.js';
export * from './dissect.js';
export * from './entropy.js';
export * from './errors.js';
export * from './ethernet.js';
export * from './ethertype.js';
export * from './fastpath.js';
export * from './gre.js';
export * from './icmpv4.js';
export * from './icmpv6.js';
export * from './ip-protocol.js';
export * from './ipv4.js';
export * from './ipv6.js';
export * from './mpls.js';
export * from './pcap.js';
export * from './pcapng.js';
export * from './tcp.js';
export * from './tunnel.js';
export * from './udp.js';
export * from './view.js';
export * from './vlan.js';
export * from './vxlan.js';
