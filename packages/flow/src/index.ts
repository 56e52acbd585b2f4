// @filament/flow public API: one line per concept.

export { type AgingOptions, AgingPolicy, DEFAULT_IDLE_MS } from './aging.js';
export { FlowBatch } from './batch.js';
export * from './constants.js';
export { ECMP_MAX_MEMBERS, EcmpGroup } from './ecmp.js';
export * from './errors.js';
export { hashV4, hashWords, makeSeed, reduce, SEED_WORDS } from './hash.js';
export { type HoldOptions, HoldQueue } from './hold.js';
export { type Address, FlowKey, isIcmp, type PacketTuple } from './key.js';
export { BUCKET_SIZE, COLD_BYTES, SLOT_WORDS } from './layout.js';
export { type ChecksumUpdate16, rewriteIpv4 } from './nat.js';
export {
  type FlowDecision,
  type FlowRecord,
  type FlowSpec,
  FlowTable,
  type FlowTableMemory,
  type FlowTableOptions,
  type FlowTableStats,
} from './table.js';
