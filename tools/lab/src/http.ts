// JSON over HTTP with a deadline: the one way the lab talks to the controller API, the agents' port API
// and their introspect endpoints. Connection problems become UnreachableError; statuses are the caller's.
import { UnreachableError } from './errors.js';

export interface HttpAnswer {
  status: number;
  text: string;
  headers: Headers;
}

export async function httpRequest(
  method: string,
  url: string,
  opts: { body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      ...(body !== undefined ? { body } : {}),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    throw new UnreachableError(url, err.cause?.code ?? err.cause?.message ?? err.message);
  }
  let text: string;
  try {
    text = await res.text();
  } catch (e) {
    throw new UnreachableError(url, `body: ${(e as Error).message}`);
  }
  return { status: res.status, text, headers: res.headers };
}

/** Parses a JSON body; a body that is not JSON comes back as the string itself. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
