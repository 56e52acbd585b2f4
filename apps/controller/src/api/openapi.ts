// The OpenAPI 3.1 document, generated from the same resource table and specs that validate requests.
import {
  BACK_REF_SOURCES,
  backRefField,
  CHILDREN,
  COMMON_PROPS,
  childField,
  RESOURCES,
  type ResourceDef,
  refField,
  refSpec,
} from '../schema/resources.js';
import { type JsonSchema, toJsonSchema } from '../schema/spec.js';

const linkSchema: JsonSchema = {
  type: 'object',
  properties: {
    to: { type: 'array', items: { type: 'string' } },
    uuid: { type: 'string', format: 'uuid' },
    href: { type: 'string' },
    attr: {},
  },
};

function resourceSchema(def: ResourceDef, defs: Record<string, JsonSchema>): JsonSchema {
  const props: Record<string, JsonSchema> = {
    uuid: { type: 'string', format: 'uuid' },
    fq_name: { type: 'array', items: { type: 'string' }, description: 'Parent fq_name + name.' },
    name: { type: 'string' },
    parent_type: { type: 'string', enum: [...def.parents] },
    parent_uuid: { type: 'string', format: 'uuid' },
    href: { type: 'string', readOnly: true },
    parent_href: { type: 'string', readOnly: true },
  };
  for (const [k, s] of Object.entries({ ...COMMON_PROPS, ...def.props })) props[k] = toJsonSchema(s, defs);
  for (const [t, r] of Object.entries(def.refs))
    props[refField(t)] = { type: 'array', items: toJsonSchema(refSpec(r, t), defs) };
  for (const c of CHILDREN.get(def.type) ?? [])
    props[childField(c)] = { type: 'array', items: linkSchema, readOnly: true };
  for (const s of BACK_REF_SOURCES.get(def.type) ?? [])
    props[backRefField(s)] = { type: 'array', items: linkSchema, readOnly: true };
  const s: JsonSchema = {
    type: 'object',
    description: def.desc,
    properties: props,
    additionalProperties: false,
  };
  const req = [...(def.required ?? []), ...(def.requiredRefs ?? []).map(refField)];
  if (req.length) s.required = req;
  return s;
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

export function openApiDocument(version: string): JsonSchema {
  const defs: Record<string, JsonSchema> = {
    Error: {
      type: 'object',
      properties: {
        error: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            code: { type: 'string' },
            message: { type: 'string' },
            field: { type: 'string' },
            reason: { type: 'string' },
          },
          required: ['name', 'code', 'message'],
        },
      },
    },
  };
  const paths: Record<string, JsonSchema> = {};
  const common = {
    '400': errorResponse('Invalid request: the error names the field and why.'),
    '401': errorResponse('No or unknown token.'),
    '403': errorResponse('The role does not allow it.'),
  };
  for (const def of RESOURCES.values()) {
    const name = def.type.replace(/(^|-)([a-z])/g, (_m, _d, c: string) => c.toUpperCase());
    defs[name] = resourceSchema(def, defs);
    const wrapped = {
      type: 'object',
      properties: { [def.type]: { $ref: `#/components/schemas/${name}` } },
      required: [def.type],
    };
    const body = { required: true, content: { 'application/json': { schema: wrapped } } };
    paths[`/${def.plural}`] = {
      get: {
        tags: [def.type],
        summary: `List ${def.type} objects`,
        parameters: [
          ['parent_id', 'Comma-separated parent uuids.'],
          ['parent_fq_name_str', "Parent fq_name joined by ':'."],
          ['parent_type', 'Type of parent_fq_name_str.'],
          ['obj_uuids', 'Comma-separated uuids.'],
          ['back_ref_id', 'Only objects referring to these uuids.'],
          ['detail', 'true: whole objects.'],
          ['count', 'true: only the count.'],
          ['fields', 'Comma-separated fields to return.'],
          ['filters', 'field==value[,field==value] on properties.'],
          ['page_limit', 'Page size (1..10000).'],
          ['page_marker', 'The marker of the previous page.'],
          ['exclude_hrefs', 'true: no href fields.'],
          ['exclude_children', 'With detail.'],
          ['exclude_back_refs', 'With detail.'],
        ].map(([n, d]) => ({
          name: n,
          in: 'query',
          required: false,
          description: d,
          schema: { type: 'string' },
        })),
        responses: { '200': { description: `{"${def.plural}": [...], "marker"?: uuid}` }, ...common },
      },
      post: {
        tags: [def.type],
        summary: `Create a ${def.type}`,
        requestBody: body,
        responses: {
          '200': { description: 'The created object.', content: { 'application/json': { schema: wrapped } } },
          ...common,
          '404': errorResponse('Parent or referred object not found.'),
          '409': errorResponse('Duplicate fq_name, address taken or pool exhausted.'),
        },
      },
    };
    const uuidParam = {
      name: 'uuid',
      in: 'path',
      required: true,
      schema: { type: 'string', format: 'uuid' },
    };
    const ifMatch = {
      name: 'If-Match',
      in: 'header',
      required: false,
      description: 'Version (the ETag of a GET); 412 if the object changed since.',
      schema: { type: 'string' },
    };
    paths[`/${def.type}/{uuid}`] = {
      parameters: [uuidParam],
      get: {
        tags: [def.type],
        summary: `Read a ${def.type}`,
        responses: {
          '200': {
            description: 'The object; ETag is its version.',
            content: { 'application/json': { schema: wrapped } },
          },
          ...common,
          '404': errorResponse('Not found.'),
        },
      },
      put: {
        tags: [def.type],
        summary: `Update a ${def.type} (the fields given)`,
        parameters: [ifMatch],
        requestBody: body,
        responses: {
          '200': { description: 'uuid and href.' },
          ...common,
          '404': errorResponse('Not found.'),
          '409': errorResponse('Conflict.'),
          '412': errorResponse('Version mismatch.'),
        },
      },
      delete: {
        tags: [def.type],
        summary: `Delete a ${def.type}`,
        parameters: [ifMatch],
        responses: {
          '200': { description: 'Deleted.' },
          ...common,
          '404': errorResponse('Not found.'),
          '409': errorResponse('Children or back-references remain.'),
          '412': errorResponse('Version mismatch.'),
        },
      },
    };
  }
  const jsonBody = (schema: JsonSchema) => ({ required: true, content: { 'application/json': { schema } } });
  paths['/fqname-to-id'] = {
    post: {
      summary: 'uuid of an object by type and fq_name',
      requestBody: jsonBody({
        type: 'object',
        properties: {
          type: { type: 'string', enum: [...RESOURCES.keys()] },
          fq_name: { type: 'array', items: { type: 'string' } },
        },
        required: ['type', 'fq_name'],
      }),
      responses: { '200': { description: '{"uuid": ...}' }, ...common, '404': errorResponse('Not found.') },
    },
  };
  paths['/id-to-fqname'] = {
    post: {
      summary: 'type and fq_name of an object by uuid',
      requestBody: jsonBody({
        type: 'object',
        properties: { uuid: { type: 'string', format: 'uuid' } },
        required: ['uuid'],
      }),
      responses: {
        '200': { description: '{"type": ..., "fq_name": [...]}' },
        ...common,
        '404': errorResponse('Not found.'),
      },
    },
  };
  paths['/ref-update'] = {
    post: {
      summary: 'Add or delete one reference',
      requestBody: jsonBody({
        type: 'object',
        properties: {
          operation: { type: 'string', enum: ['ADD', 'DELETE'] },
          type: { type: 'string' },
          uuid: { type: 'string', format: 'uuid' },
          'ref-type': { type: 'string' },
          'ref-uuid': { type: 'string', format: 'uuid' },
          'ref-fq-name': { type: 'array', items: { type: 'string' } },
          attr: {},
        },
        required: ['operation', 'type', 'uuid', 'ref-type'],
      }),
      responses: { '200': { description: '{"uuid": ...}' }, ...common, '404': errorResponse('Not found.') },
    },
  };
  paths['/metrics'] = {
    get: {
      summary: 'Prometheus metrics',
      security: [],
      responses: { '200': { description: 'text/plain; version=0.0.4' } },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Filament config API',
      version,
      description: 'Tungsten Fabric-shaped configuration API of the Filament controller.',
    },
    security: [{ token: [] }, { bearer: [] }],
    paths,
    components: {
      schemas: defs,
      securitySchemes: {
        token: { type: 'apiKey', in: 'header', name: 'X-Auth-Token' },
        bearer: { type: 'http', scheme: 'bearer' },
      },
    },
  };
}
