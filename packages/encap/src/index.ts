// @filament/encap public API. Each line re-exports one protocol layer or concept.
export * from './errors.js';
export * from './codec.js';
export * from './checksum.js';
