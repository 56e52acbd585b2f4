export { hasTool, describeWithTool, itWithTool, run, type RunResult } from './tools.js';
export { tsharkJson, tsharkFields, type TsharkPacket } from './tshark.js';
export { scapy, debianPython } from './scapy.js';
export { packAndRunReadme, readmeExamples, type ReadmeExample } from './pack.js';
export { runBench, type BenchTask } from './bench.js';
export { scratchDir } from './scratch.js';
