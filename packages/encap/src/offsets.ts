// Field offsets within each header, stated once for the hand-written fast paths (fastpath.ts, tunnel.ts):
// IEEE 802.3 / 802.1Q, IPv4 RFC 791 section 3.1, IPv6 RFC 8200 section 3 and 4, UDP RFC 768, VXLAN RFC 7348
// section 5, GRE RFC 2784 section 2 / RFC 2890 section 2, MPLS RFC 3032 section 2.1, ICMP RFC 792 / RFC 4443.
// Also the type numbers those paths compare (values of the EtherType and IpProtocol registries, as plain
// constants). Internal: not re-exported from the package index.

export const ETH_DST = 0;
export const ETH_SRC = 6;
export const ETH_TYPE = 12;
export const ETH_LEN = 14;
export const VLAN_TCI = 0;
export const VLAN_TYPE = 2;
export const VLAN_LEN = 4;
export const IP4_TOS = 1;
export const IP4_TOTAL_LENGTH = 2;
export const IP4_ID = 4;
export const IP4_FLAGS_FRAG = 6;
export const IP4_TTL = 8;
export const IP4_PROTOCOL = 9;
export const IP4_CHECKSUM = 10;
export const IP4_SRC = 12;
export const IP4_DST = 16;
export const IP4_MIN_LEN = 20;
export const IP6_PAYLOAD_LENGTH = 4;
export const IP6_NEXT_HEADER = 6;
export const IP6_HOP_LIMIT = 7;
export const IP6_SRC = 8;
export const IP6_DST = 24;
export const IP6_LEN = 40;
export const EXT_NEXT = 0;
export const EXT_LEN = 1;
export const EXT_FRAG_OFFSET = 2;
export const EXT_MIN_LEN = 8;
export const UDP_SRC_PORT = 0;
export const UDP_DST_PORT = 2;
export const UDP_LENGTH = 4;
export const UDP_CHECKSUM = 6;
export const UDP_LEN = 8;
export const VXLAN_FLAGS = 0;
export const VXLAN_VNI = 4;
export const VXLAN_LEN = 8;
export const VXLAN_FLAG_I = 0x08;
export const GRE_FLAGS = 0;
export const GRE_PROTOCOL = 2;
export const GRE_MIN_LEN = 4;
export const GRE_C = 0x8000;
export const GRE_R = 0x4000;
export const GRE_K = 0x2000;
export const GRE_S = 0x1000;
export const GRE_VERSION = 0x0007;
export const MPLS_ENTRY_LEN = 4;
export const MPLS_S = 0x100;
export const L4_SRC_PORT = 0;
export const L4_DST_PORT = 2;
export const ICMP_TYPE = 0;
export const ICMP_CODE = 1;
export const ICMP_ECHO_ID = 4;
export const ICMP_ECHO_LEN = 8;

// EtherTypes (ethertype.ts) and IP protocols (ip-protocol.ts) the fast paths test.
export const ETH_IPV4 = 0x0800;
export const ETH_IPV6 = 0x86dd;
export const ETH_VLAN = 0x8100;
export const ETH_QINQ = 0x88a8;
export const ETH_MPLS = 0x8847;
export const ETH_MPLS_MC = 0x8848;
export const ETH_TEB = 0x6558;
export const IP_UDP = 17;
export const IP_GRE = 47;
