// @filament/xmpp public API. Each line re-exports one concept.

export * from './client.js';
export * from './config.js';
export * from './constants.js';
export * from './enet.js';
export * from './errors.js';
export * from './families.js';
export * from './framer.js';
export * from './keepalive.js';
export * from './logger.js';
export * from './multicast.js';
export * from './mvpn.js';
export * from './pubsub.js';
export * from './server.js';
export * from './session.js';
export * from './stanza.js';
export * from './stream-decoder.js';
export * from './stream-header.js';
export * from './unicast.js';
export * from './xml-cursor.js';
export * from './xml-node.js';
export { escapeAttr, escapeText, ownString, unescapeXml } from './xml-text.js';
