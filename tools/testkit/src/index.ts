export { type BenchTask, runBench } from './bench.js';
export { packAndRunReadme, type ReadmeExample, readmeExamples } from './pack.js';
export { canConnect, type Daemon, freePort, startDaemon, waitFor } from './process.js';
export { debianPython, scapy } from './scapy.js';
export { scratchDir } from './scratch.js';
export { describeWithTool, hasTool, itWithTool, type RunResult, run } from './tools.js';
export { type TsharkPacket, tsharkFields, tsharkJson } from './tshark.js';
