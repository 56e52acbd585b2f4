// TAP workloads (contract E): a Linux TAP device per port, for workloads with the kernel's own IP stack.
export { TapHelperDiedError, TapNameError, TapOpenError, TapUnsupportedError } from './errors.js';
export { type TapSupport, tapPython, tapSupported } from './support.js';
export { openTap, type TapCounters, TapDevice, type TapOptions } from './tap-device.js';
