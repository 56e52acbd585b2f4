// Typed errors of the lab: one class per condition, told apart by `name`, each with a stable `code` and the
// fields a user needs to act on it (which process, which URL, what the server said).

export class LabError extends Error {
  override name = 'LabError';
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** A command-line mistake (unknown flag, bad value): the caller prints the help and exits 2. */
export class LabUsageError extends LabError {
  override name = 'LabUsageError';
  constructor(message: string) {
    super('ERR_LAB_USAGE', message);
  }
}

/** A workspace package's bin is missing: the workspace was not built. */
export class BinaryNotBuiltError extends LabError {
  override name = 'BinaryNotBuiltError';
  readonly packageName: string;
  readonly path: string;
  constructor(packageName: string, path: string, why: string) {
    super(
      'ERR_LAB_NOT_BUILT',
      `${packageName}: ${why} (${path}); build the workspace first: pnpm build (or pnpm start, which builds)`,
    );
    this.packageName = packageName;
    this.path = path;
  }
}

/** A child process exited while the lab needed it (during start-up or a check). */
export class ProcessExitedError extends LabError {
  override name = 'ProcessExitedError';
  readonly process: string;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly logTail: string;
  constructor(process: string, exitCode: number | null, signal: string | null, logTail: string) {
    super(
      'ERR_LAB_PROCESS_EXITED',
      `${process} exited (${signal ? `signal ${signal}` : `code ${exitCode}`}); last output:\n${logTail}`,
    );
    this.process = process;
    this.exitCode = exitCode;
    this.signal = signal;
    this.logTail = logTail;
  }
}

/** A process did not become ready (its readiness check kept failing) within the time allowed. */
export class ReadinessTimeoutError extends LabError {
  override name = 'ReadinessTimeoutError';
  readonly process: string;
  readonly waitedMs: number;
  readonly lastProblem: string;
  constructor(process: string, waitedMs: number, lastProblem: string, logTail: string) {
    super(
      'ERR_LAB_NOT_READY',
      `${process} not ready after ${waitedMs} ms (${lastProblem}); last output:\n${logTail}`,
    );
    this.process = process;
    this.waitedMs = waitedMs;
    this.lastProblem = lastProblem;
  }
}

/** The controller's REST API answered a request with an error status. */
export class ApiRequestError extends LabError {
  override name = 'ApiRequestError';
  readonly method: string;
  readonly url: string;
  readonly status: number;
  /** The API's error body (`{"error": {name, code, message, field, reason}}`) or the raw text. */
  readonly body: unknown;
  constructor(method: string, url: string, status: number, body: unknown) {
    const err = (body as { error?: { message?: string; field?: string } } | undefined)?.error;
    const detail = err?.message ?? (typeof body === 'string' ? body.slice(0, 300) : JSON.stringify(body));
    super('ERR_LAB_API', `${method} ${url} -> ${status}: ${detail}`);
    this.method = method;
    this.url = url;
    this.status = status;
    this.body = body;
  }
}

/** An agent's port API (or introspect endpoint) answered with an error status or an unreadable body. */
export class AgentRequestError extends LabError {
  override name = 'AgentRequestError';
  readonly agent: string;
  readonly method: string;
  readonly url: string;
  readonly status: number;
  readonly body: string;
  constructor(agent: string, method: string, url: string, status: number, body: string) {
    super('ERR_LAB_AGENT_API', `${agent}: ${method} ${url} -> ${status}: ${body.slice(0, 300)}`);
    this.agent = agent;
    this.method = method;
    this.url = url;
    this.status = status;
    this.body = body;
  }
}

/** A server could not be reached at all (connection refused, reset, timed out). */
export class UnreachableError extends LabError {
  override name = 'UnreachableError';
  readonly url: string;
  constructor(url: string, why: string) {
    super('ERR_LAB_UNREACHABLE', `${url}: ${why}`);
    this.url = url;
  }
}

/** Something the lab waited for (routes converging, a namespace command) did not happen in time. */
export class WaitTimeoutError extends LabError {
  override name = 'WaitTimeoutError';
  readonly what: string;
  readonly waitedMs: number;
  constructor(what: string, waitedMs: number, lastProblem: string) {
    super(
      'ERR_LAB_WAIT_TIMEOUT',
      `timed out after ${waitedMs} ms waiting for ${what}${lastProblem ? ` (${lastProblem})` : ''}`,
    );
    this.what = what;
    this.waitedMs = waitedMs;
  }
}

/** A host command the namespace (root) mode runs failed (ip, a workload in a namespace). */
export class HostCommandError extends LabError {
  override name = 'HostCommandError';
  readonly command: string;
  readonly exitCode: number | null;
  readonly stderr: string;
  constructor(command: string, exitCode: number | null, stderr: string) {
    super('ERR_LAB_HOST_COMMAND', `${command} -> exit ${exitCode}: ${stderr.trim().slice(0, 300)}`);
    this.command = command;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}
