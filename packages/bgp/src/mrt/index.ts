export { decodeRibAttributes } from './attributes.js';
export { BgpdumpFormatter, bgpdumpLines } from './bgpdump.js';
export { type DecodedRecord, decodeMrtRecord, encodeMrtRecord, MRT_HEADER_LENGTH } from './record.js';
export { decompress, type MrtStreamOptions, readMrt, readMrtFile } from './stream.js';
export * from './types.js';
