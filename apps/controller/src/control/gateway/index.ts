// The controller's BGP gateways (bgp-router objects -> @filament/bgp speaker peers, VPN/EVPN export/import).
export * from './config.js';
export * from './encapsulation.js';
export * from './export.js';
export * from './gateway-manager.js';
export * from './import.js';
export * from './metrics.js';
export * from './peers.js';
export * from './rt-membership.js';
export * from './sources.js';
