// The BGP speaker: FSM, sessions, negotiation, RIBs, decision process, route reflection, RT constraint,
// graceful restart, policy hooks, events and declarative configuration.
export * from './as4.js';
export * from './collision.js';
export * from './config.js';
export * from './errors.js';
export * from './events.js';
export * from './fsm.js';
export * from './graceful-restart.js';
export * from './negotiate.js';
export { Peer, type PeerHost } from './peer.js';
export * from './policy.js';
export * from './rib/adj-rib-in.js';
export * from './rib/adj-rib-out.js';
export * from './rib/decision.js';
export * from './rib/loc-rib.js';
export * from './rib/path.js';
export * from './rib/prefix-map.js';
export * from './route-reflection.js';
export * from './rtc.js';
export * from './speaker.js';
export * from './timers.js';
export * from './transport.js';
