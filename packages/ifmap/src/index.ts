// @filament/ifmap public API. Each line re-exports one concept.

export * from './errors.js';
export * from './graph.js';
export * from './names.js';
export * from './node.js';
export * from './shape.js';
export { isUuid, uuidFromHalves, uuidToHalves } from './uuid.js';
export * from './vocabulary.js';
