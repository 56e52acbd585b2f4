// @filament/bgp public API.
export * from './errors.js';
export * from './afi-safi.js';
export * from './ip.js';
export * from './mrt/index.js';
