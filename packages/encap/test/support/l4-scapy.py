# Builds UDP/TCP/GRE/MPLS/VXLAN/DHCP packets with scapy (Debian python3-scapy) and prints, one JSON list,
# each packet's bytes (from the IP header on), the offset of the layer under test, and scapy's own reading
# of its fields after re-dissecting the bytes (so lengths and checksums are the ones scapy computed).
import json
import warnings

warnings.filterwarnings("ignore")
from scapy.all import IP, TCP, UDP, GRE, BOOTP, DHCP, Ether, IPv6, raw, load_contrib  # noqa: E402
from scapy.layers.vxlan import VXLAN  # noqa: E402

load_contrib("mpls")
from scapy.contrib.mpls import MPLS  # noqa: E402

out = []


def enc(v):
    if isinstance(v, bytes):
        return {"hex": v.hex()}
    if isinstance(v, (list, tuple)):
        return [enc(x) for x in v]
    if isinstance(v, (int, str)) or v is None:
        return v
    return int(v) if hasattr(v, "__int__") else str(v)


def add(name, kind, pkt, layer, fields):
    b = raw(pkt)
    top = pkt.__class__(b)
    out.append({"name": name, "kind": kind, "hex": b.hex(), "offset": len(b) - len(raw(top[layer])), "src": top.src, "dst": top.dst, "fields": fields(top[layer])})


def udp_fields(u):
    return {"sport": u.sport, "dport": u.dport, "len": u.len, "chksum": u.chksum}


def tcp_fields(t):
    return {
        "sport": t.sport, "dport": t.dport, "seq": t.seq, "ack": t.ack, "dataofs": t.dataofs, "reserved": t.reserved,
        "flags": int(t.flags), "window": t.window, "chksum": t.chksum, "urgptr": t.urgptr,
        "options": [[o[0], enc(o[1])] for o in t.options],
    }


add("IPv4/UDP", "udp", IP(src="192.0.2.1", dst="192.0.2.2") / UDP(sport=1234, dport=5678) / b"scapy payload", UDP, udp_fields)
add("IPv6/UDP", "udp", IPv6(src="2001:db8::1", dst="2001:db8::2") / UDP(sport=4321, dport=8765) / b"odd", UDP, udp_fields)
add("IPv4/UDP wrong checksum", "udp", IP(src="192.0.2.1", dst="192.0.2.2") / UDP(sport=1, dport=2, chksum=0x1234) / b"x", UDP, udp_fields)
add("IPv4/UDP no checksum", "udp", IP(src="192.0.2.1", dst="192.0.2.2") / UDP(sport=1, dport=3, chksum=0) / b"y", UDP, udp_fields)
opts = [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (123456, 654321)), ("NOP", None), ("WScale", 14),
        ("SAck", (100, 200)), (99, b"\xab\xcd"), ("EOL", None)]
add("IPv4/TCP SYN with options", "tcp", IP(src="10.0.0.1", dst="10.0.0.2") / TCP(sport=40000, dport=22, flags="SEC", seq=0xfffffff0, options=opts) / b"data", TCP, tcp_fields)
add("IPv6/TCP ACK with timestamps", "tcp", IPv6(src="fd00::1", dst="fd00::2") / TCP(sport=22, dport=40000, flags="PA", seq=1, ack=2, window=1000, options=[("NOP", None), ("NOP", None), ("Timestamp", (1, 2))]) / b"hello", TCP, tcp_fields)
add("IPv4/TCP wrong checksum", "tcp", IP(src="10.0.0.1", dst="10.0.0.2") / TCP(sport=1, dport=2, flags="R", chksum=0xbad0, urgptr=9), TCP, tcp_fields)


def gre_fields(g):
    return {k: g.getfieldval(k) for k in ("chksum_present", "routing_present", "key_present", "seqnum_present", "version", "proto", "chksum", "key", "sequence_number", "offset", "flags", "recursion_control", "strict_route_source")}


inner = IP(src="10.1.1.1", dst="10.1.1.2") / UDP(sport=40010, dport=40011) / b"inner"
add("GRE checksum+key+seq", "gre", IP(src="192.0.2.1", dst="192.0.2.2") / GRE(chksum_present=1, key_present=1, seqnum_present=1, key=0xdeadbeef, sequence_number=42) / inner, GRE, gre_fields)
add("GRE key only", "gre", IP(src="192.0.2.1", dst="192.0.2.2") / GRE(key_present=1, key=7, proto=0x8847) / MPLS(label=100, ttl=5) / inner, GRE, gre_fields)
add("GRE wrong checksum", "gre", IP(src="192.0.2.1", dst="192.0.2.2") / GRE(chksum_present=1, chksum=0x1111) / inner, GRE, gre_fields)

for name, stack, payload in [
    ("MPLS 1 label over IPv4", [(16, 0, 255)], inner),
    ("MPLS 2 labels over IPv6", [(1048575, 7, 1), (3, 5, 0)], IPv6(src="fd00::1", dst="fd00::2") / UDP(sport=40010, dport=40011)),
    ("MPLS 3 labels over Ethernet", [(1000, 1, 64), (2000, 2, 63), (299776, 3, 62)], Ether(src="02:aa:00:00:00:01", dst="02:aa:00:00:00:02") / inner),
]:
    m = None
    for i, (label, cos, ttl) in enumerate(stack):
        e = MPLS(label=label, cos=cos, ttl=ttl, s=1 if i == len(stack) - 1 else 0)
        m = e if m is None else m / e
    pkt = IP(src="192.0.2.1", dst="192.0.2.2") / UDP(sport=49152, dport=6635) / m / payload
    b = raw(pkt)
    stack_bytes = b[28:]
    dissected = MPLS(stack_bytes)
    entries = []
    layer = dissected
    while isinstance(layer, MPLS):
        entries.append({"label": layer.label, "cos": layer.cos, "s": layer.s, "ttl": layer.ttl})
        if layer.s == 1:
            break
        layer = layer.payload
    out.append({"name": name, "kind": "mpls", "hex": b.hex(), "offset": 28, "src": "192.0.2.1", "dst": "192.0.2.2",
                "fields": {"entries": entries, "payload": payload.__class__.__name__}})


def vxlan_fields(v):
    r = raw(v)
    return {"flags": int(v.flags), "vni": v.vni, "reserved0": int.from_bytes(r[1:4], "big"), "reserved2": v.reserved2}


eth_inner = Ether(src="02:aa:00:00:00:01", dst="02:aa:00:00:00:02") / inner
add("VXLAN I flag", "vxlan", IP(src="192.0.2.1", dst="192.0.2.2") / UDP(sport=50000, dport=4789) / VXLAN(flags=0x08, vni=5000) / eth_inner, VXLAN, vxlan_fields)
add("VXLAN scapy defaults (GPE next protocol)", "vxlan", IP(src="192.0.2.1", dst="192.0.2.2") / UDP(sport=50001, dport=4789) / VXLAN(vni=0xffffff) / eth_inner, VXLAN, vxlan_fields)


def bootp_fields(b):
    d = b[DHCP]
    opts = []
    for o in d.options:
        if isinstance(o, str):
            opts.append([o])
        else:
            opts.append([o[0]] + [enc(x) for x in o[1:]])
    return {
        "op": b.op, "htype": b.htype, "hlen": b.hlen, "hops": b.hops, "xid": b.xid, "secs": b.secs, "flags": int(b.flags),
        "ciaddr": b.ciaddr, "yiaddr": b.yiaddr, "siaddr": b.siaddr, "giaddr": b.giaddr, "chaddr": b.chaddr.hex(),
        "sname": b.sname.hex(), "file": b.file.hex(), "options": opts,
    }


mac = bytes.fromhex("525400123456")
common = [("client_id", b"\x01" + mac), ("hostname", b"vm-scapy"), ("param_req_list", [1, 3, 6, 15, 26, 28, 51, 121])]
reply = [("server_id", "10.0.0.1"), ("lease_time", 3600), ("renewal_time", 1800), ("rebinding_time", 3150),
         ("subnet_mask", "255.255.255.0"), ("router", "10.0.0.1"), ("name_server", "10.0.0.2", "10.0.0.3"),
         ("domain", b"example.org"), ("broadcast_address", "10.0.0.255"), ("interface-mtu", 1450),
         ("classless_static_routes", ["0.0.0.0/0:10.0.0.1", "10.0.0.0/8:10.0.0.254", "192.168.7.0/24:10.0.0.253", "1.2.3.4/32:10.0.0.252"])]
for name, op, flags, mt, extra, yi in [
    ("DHCP discover", 1, 0x8000, "discover", common + [("requested_addr", "10.0.0.5")], "0.0.0.0"),
    ("DHCP offer", 2, 0, "offer", reply, "10.0.0.5"),
    ("DHCP request", 1, 0, "request", common + [("requested_addr", "10.0.0.5"), ("server_id", "10.0.0.1")], "0.0.0.0"),
    ("DHCP ack", 2, 0, "ack", reply, "10.0.0.5"),
]:
    pkt = (IP(src="0.0.0.0" if op == 1 else "10.0.0.1", dst="255.255.255.255") / UDP(sport=68 if op == 1 else 67, dport=67 if op == 1 else 68)
           / BOOTP(op=op, chaddr=mac, xid=0x12345678, flags=flags, secs=4, yiaddr=yi, siaddr="10.0.0.1" if op == 2 else "0.0.0.0", sname=b"filament" if op == 2 else b"")
           / DHCP(options=[("message-type", mt)] + extra + ["end"]))
    add(name, "dhcp", pkt, BOOTP, bootp_fields)

print(json.dumps(out))
