// @filament/lpm public API: one line per concept.
export * from './errors.js';
export { LinearLpm4, type LpmEntry, type LpmOptions, LpmTrie } from './lpm.js';
export { parseAddress, parsePrefix } from './parse.js';
