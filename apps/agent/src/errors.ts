// Typed errors of the agent's control API (route/port/VRF installation). The data plane never throws on a
// packet: bad packets are dropped and counted by reason (drop-reason.ts).

/** Base class: every agent error has a stable `name` and `code` and names the object and field. */
export class AgentError extends Error {
  override name = 'AgentError';
  readonly code: string;
  readonly object: string;
  readonly field: string;
  constructor(code: string, object: string, field: string, message: string) {
    super(message);
    this.code = code;
    this.object = object;
    this.field = field;
  }
}

/** A prefix, address or MAC that does not parse, or a prefix length out of range. */
export class InvalidPrefixError extends AgentError {
  override name = 'InvalidPrefixError';
  constructor(object: string, field: string, value: string, why: string) {
    super('ERR_AGENT_INVALID_PREFIX', object, field, `${object}.${field}: ${JSON.stringify(value)}: ${why}`);
  }
}

/** A reference to a VRF, port, next hop or label that does not exist. */
export class UnknownObjectError extends AgentError {
  override name = 'UnknownObjectError';
  constructor(object: string, field: string, value: string | number) {
    super('ERR_AGENT_UNKNOWN_OBJECT', object, field, `${object}.${field}: unknown ${String(value)}`);
  }
}

/** An object that already exists (port name, VRF name, label in use). */
export class DuplicateObjectError extends AgentError {
  override name = 'DuplicateObjectError';
  constructor(object: string, field: string, value: string | number) {
    super('ERR_AGENT_DUPLICATE', object, field, `${object}.${field}: ${String(value)} already exists`);
  }
}

/** A numeric field out of its range (label 20 bits, VNI 24 bits, table capacity...). */
export class FieldRangeError extends AgentError {
  override name = 'FieldRangeError';
  readonly value: number;
  readonly min: number;
  readonly max: number;
  constructor(object: string, field: string, value: number, min: number, max: number) {
    super('ERR_AGENT_RANGE', object, field, `${object}.${field}: ${value} not in ${min}..${max}`);
    this.value = value;
    this.min = min;
    this.max = max;
  }
}

/** A table that has no room left (LPM node pool limit, label space). */
export class TableFullError extends AgentError {
  override name = 'TableFullError';
  constructor(object: string, field: string, limit: number) {
    super('ERR_AGENT_TABLE_FULL', object, field, `${object}.${field}: limit ${limit} reached`);
  }
}

/** An in-process workload's client call (ARP, ping, UDP or TCP exchange, DHCP) got no answer in time. */
export class WorkloadTimeoutError extends AgentError {
  override name = 'WorkloadTimeoutError';
  readonly waitedMs: number;
  constructor(workload: string, what: string, waitedMs: number) {
    super('ERR_AGENT_WORKLOAD_TIMEOUT', 'workload', what, `${workload}: no ${what} in ${waitedMs} ms`);
    this.waitedMs = waitedMs;
  }
}

/** The peer of an in-process workload's TCP connection answered with a reset (refused or aborted). */
export class WorkloadResetError extends AgentError {
  override name = 'WorkloadResetError';
  constructor(workload: string, peer: string) {
    super('ERR_AGENT_WORKLOAD_RESET', 'workload', 'tcp', `${workload}: connection to ${peer} reset`);
  }
}

/** An in-process workload asked to send before it was attached to a port. */
export class WorkloadDetachedError extends AgentError {
  override name = 'WorkloadDetachedError';
  constructor(workload: string) {
    super('ERR_AGENT_WORKLOAD_DETACHED', 'workload', 'port', `${workload}: not attached to a port`);
  }
}

/** An object still in use that was asked to go (a VRF that still has ports or a floating IP in it). */
export class ObjectInUseError extends AgentError {
  override name = 'ObjectInUseError';
  constructor(object: string, field: string, value: string, by: string) {
    super('ERR_AGENT_IN_USE', object, field, `${object}.${field}: ${value} is still used by ${by}`);
  }
}
