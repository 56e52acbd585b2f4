// Memory layout. Each entry has one 64-byte "hot" slot (16 x int32, one cache line) with the key and
// everything the forwarder reads per packet; statistics live in separate arrays so that a lookup costs
// one cache miss. Entry index = slot index, stable for the entry's life.
//
//  word  bits
//   0    last seen (low 32 bits of the caller's clock; hit() writes it, and the line is in cache after a lookup)
//   1    vrf:16 | protocol:8 | family:8 (4 or 6; the whole word is 0 in a free slot)
//   2    source port:16 | destination port:16   (ICMP echo: identifier in both)
//   3-6  source address (IPv4 in word 3, words 4-6 zero)
//   7-10 destination address (IPv4 in word 7, words 8-10 zero)
//  11    action:3 | tcp state:5 | flags:8 | ecmp member:8 (255 none) | retiring:1 | stats:1 | spare:6
//  12    reverse entry index
//  13    next hop id
//  14    ingress interface:16 | mirror target:16
//  15    tunnel source port:16 | hold record + 1:16 (0 = none)
//
// The hash is not stored: the bucket tags filter candidates (7 hash bits), a main-area entry's bucket is its
// index / 4, and the few paths that need the hash of a stored key (freeing an overflow entry, ECMP choice)
// recompute it from the key words in the slot.
//
// Cold statistics, 24 bytes per entry in one array (packets and bytes share a 16-byte-aligned half):
//  float64 0 packets | float64 1 bytes | uint32 4 first seen | uint32 5 rule
// The record is written only once the entry's stats bit is set: by the first `hit`, by a decision that
// sets a rule, by retiring, or at insert when the rule is not 0. Until then it holds a previous entry's
// figures and reads as packets 0, bytes 0, rule 0, first seen = last seen (the creation time, as nothing
// else has written word 0 yet). So an insert writes one cache line per entry, not two.

export const SLOT_WORDS = 16;
export const SLOT_SHIFT = 4;
export const KEY_WORDS = 10;
/** Entries per hash bucket, as in the vrouter (VR_FLOW_ENTRIES_PER_BUCKET). */
export const BUCKET_SIZE = 4;

export const W_LAST = 0;
export const W_META = 1;
export const W_PORTS = 2;
export const W_SRC = 3;
export const W_DST = 7;
export const W_STATE = 11;
export const W_REVERSE = 12;
export const W_NEXTHOP = 13;
export const W_VIF_MIRROR = 14;
export const W_AUX = 15;

/** Bucket tag of a retiring entry; live tags are 1..128 (7 hash bits + 1), 0 is a free slot. */
export const TAG_RETIRING = 0xff;
/** Bit of the state word set while an entry is retiring (two-step removal). */
export const RETIRING_BIT = 1 << 24;
/** Bit of the state word set once the entry's cold statistics record is initialised (see above). */
export const STATS_BIT = 1 << 25;

export const ACTION_MASK = 0x7;
export const TCP_SHIFT = 3;
export const TCP_MASK = 0x1f;
export const FLAGS_SHIFT = 8;
export const FLAGS_MASK = 0xff;
export const ECMP_SHIFT = 16;
export const ECMP_MASK = 0xff;
/** Stored member value meaning "no ECMP member chosen". */
export const ECMP_NONE = 255;

/** Cold bytes per entry: packets 8, bytes 8, first seen 4, rule 4. */
export const COLD_BYTES = 24;
export const COLD_F64 = 3;
/** Float64 indices within an entry's cold record (record at float64 index * 3). */
export const C_PACKETS = 0;
export const C_BYTES = 1;
/** Uint32 indices within an entry's cold record (record at uint32 index * 6). */
export const C_FIRST = 4;
export const C_RULE = 5;

/** Counters and bookkeeping, one float64 each, in a header array (shared with workers when backed by SAB). */
export const H_LIVE = 0;
export const H_RETIRING = 1;
export const H_CREATED = 2;
export const H_DELETED = 3;
export const H_DROP_FULL = 4;
export const H_DROP_BUCKET = 5;
export const H_DROP_VIF = 6;
export const H_DROP_HOLD = 7;
export const H_HOLD_PKT_DROPPED = 8;
export const H_AGED = 9;
export const H_TCP_CLOSED = 10;
export const H_EXISTS = 11;
export const H_FREE_HEAD = 12;
export const H_SWEEP_CURSOR = 13;
export const H_OVERFLOW_USED = 14;
export const H_EMBRYONIC = 15;
export const H_VERSION = 16;
export const HEADER_WORDS = 24;
/** Layout version written into the header so `attach` rejects foreign memory. */
export const LAYOUT_VERSION = 0x464c0004;
