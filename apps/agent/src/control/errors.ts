// Typed errors of the agent's control side (port API, agent configuration, port store). They extend the
// package's AgentError, so they carry a stable `name`, a `code`, and the object and field at fault.

import { AgentError } from '../errors.js';

/** A port API request body that is not valid (HTTP 400). */
export class PortRequestError extends AgentError {
  override name = 'PortRequestError';
  constructor(field: string, why: string) {
    super('ERR_AGENT_PORT_REQUEST', 'port', field, `port.${field}: ${why}`);
  }
}

/** A port id the port API does not know (HTTP 404). */
export class UnknownPortError extends AgentError {
  override name = 'UnknownPortError';
  constructor(id: string) {
    super('ERR_AGENT_UNKNOWN_PORT', 'port', 'id', `port ${id} is not known`);
  }
}

/** A port that cannot do what was asked yet or at all: not attached, not an in-process workload (HTTP 409). */
export class PortStateError extends AgentError {
  override name = 'PortStateError';
  constructor(id: string, why: string) {
    super('ERR_AGENT_PORT_STATE', 'port', 'state', `port ${id}: ${why}`);
  }
}

/** A command-line flag or configuration file value that is not valid. */
export class AgentConfigError extends AgentError {
  override name = 'AgentConfigError';
  constructor(field: string, why: string) {
    super('ERR_AGENT_CONFIG', 'config', field, `${field}: ${why}`);
  }
}

/** The persisted port file exists but cannot be read as a port list. */
export class PortStoreError extends AgentError {
  override name = 'PortStoreError';
  readonly path: string;
  constructor(path: string, why: string) {
    super('ERR_AGENT_PORT_STORE', 'port-store', 'file', `${path}: ${why}`);
    this.path = path;
  }
}
