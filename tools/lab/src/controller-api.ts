// A client of the controller's Tungsten Fabric-shaped REST API: create/read/update/delete by type and
// uuid, fqname-to-id, ref-update, with the admin token. Every error status becomes an ApiRequestError that
// carries the API's own error body (which field, why).
import { ApiRequestError } from './errors.js';
import { httpRequest, parseJson } from './http.js';

export type TfObject = Record<string, unknown> & { uuid: string; fq_name: string[] };

export class ControllerApi {
  readonly baseUrl: string;
  private readonly token: string | undefined;

  constructor(baseUrl: string, token?: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.token = token;
  }

  async request(method: string, path: string, body?: unknown): Promise<unknown> {
    const url = `${this.baseUrl}${path}`;
    const a = await httpRequest(method, url, {
      ...(body !== undefined ? { body } : {}),
      headers: this.token ? { 'x-auth-token': this.token } : {},
    });
    const json = parseJson(a.text);
    if (a.status >= 400) throw new ApiRequestError(method, path, a.status, json);
    return json;
  }

  /** `GET /healthz`: resolves when the API answers. */
  async health(): Promise<{ status: string; store: string }> {
    return (await this.request('GET', '/healthz')) as { status: string; store: string };
  }

  async create(type: string, body: Record<string, unknown>): Promise<TfObject> {
    const r = (await this.request('POST', `/${type}s`, { [type]: body })) as Record<string, TfObject>;
    const created = r[type];
    if (!created?.uuid) throw new ApiRequestError('POST', `/${type}s`, 200, r);
    return created;
  }

  async get(type: string, uuid: string): Promise<TfObject> {
    const r = (await this.request('GET', `/${type}/${uuid}`)) as Record<string, TfObject>;
    return r[type]!;
  }

  async update(type: string, uuid: string, body: Record<string, unknown>): Promise<TfObject> {
    const r = (await this.request('PUT', `/${type}/${uuid}`, { [type]: body })) as Record<string, TfObject>;
    return r[type]!;
  }

  async delete(type: string, uuid: string): Promise<void> {
    await this.request('DELETE', `/${type}/${uuid}`);
  }

  async list(type: string, query = ''): Promise<TfObject[]> {
    const r = (await this.request('GET', `/${type}s?detail=true${query ? `&${query}` : ''}`)) as Record<
      string,
      { [t: string]: TfObject }[] | TfObject[]
    >;
    const items = r[`${type}s`] ?? [];
    return items.map((i) => ((i as Record<string, TfObject>)[type] ?? i) as TfObject);
  }

  /** The uuid of `type` `fqName`, or undefined when there is none. */
  async fqNameToId(type: string, fqName: string[]): Promise<string | undefined> {
    try {
      const r = (await this.request('POST', '/fqname-to-id', { type, fq_name: fqName })) as { uuid: string };
      return r.uuid;
    } catch (e) {
      if (e instanceof ApiRequestError && e.status === 404) return undefined;
      throw e;
    }
  }

  /** The object `type` `fq_name`, created with `body` if it does not exist yet (re-runs reuse the state). */
  async ensure(type: string, body: Record<string, unknown> & { fq_name: string[] }): Promise<TfObject> {
    const uuid = await this.fqNameToId(type, body.fq_name);
    if (uuid !== undefined) return this.get(type, uuid);
    const created = await this.create(type, body);
    return this.get(type, created.uuid);
  }

  async refUpdate(
    type: string,
    uuid: string,
    refType: string,
    refUuid: string,
    operation: 'ADD' | 'DELETE',
    attr?: unknown,
  ): Promise<void> {
    await this.request('POST', '/ref-update', {
      operation,
      type,
      uuid,
      'ref-type': refType,
      'ref-uuid': refUuid,
      ...(attr !== undefined ? { attr } : {}),
    });
  }
}
