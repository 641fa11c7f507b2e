import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { createTestApp, type TestApp } from '../../helpers/app.js';
import { newOrg, send, unique, type TestOrg } from '../../helpers/factories.js';
import { addReason } from '../../helpers/fixtures.js';
import { resolveRef } from '../../helpers/openapi.js';
import { ErrorCatalogue } from '../../../src/core/errors.js';

/**
 * The published document against the server that publishes it: what it names, documents and
 * states, and whether real responses (bodies and headers) are what it says, as a validating
 * proxy would check them.
 */

type Doc = Record<string, any>;
type Operation = { method: string; path: string; op: Record<string, any> };

function operationsOf(doc: Doc): Operation[] {
  const found: Operation[] = [];
  for (const [path, item] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const [method, op] of Object.entries<Record<string, any>>(item)) {
      found.push({ method, path, op });
    }
  }
  return found;
}

function operation(doc: Doc, operationId: string): Operation {
  const found = operationsOf(doc).find((o) => o.op.operationId === operationId);
  assert.ok(found, `no operation ${operationId}`);
  return found;
}

function headerParameters(doc: Doc, operationId: string): string[] {
  const { op } = operation(doc, operationId);
  return (op.parameters ?? [])
    .filter((p: { in: string }) => p.in === 'header')
    .map((p: { name: string }) => p.name);
}

/** Headers the server may set that the document must then declare on that response. */
const DOCUMENTED_HEADERS = [
  'etag',
  'idempotent-replayed',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'retry-after',
  'www-authenticate',
  'allow',
];

describe('the OpenAPI document', () => {
  let t: TestApp;
  let doc: Doc;

  before(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_PER_MINUTE: '1000' } });
    doc = (await send(t.app, undefined, 'GET', '/openapi.json')).body;
  });
  after(() => t.close());

  it('names every operation once, declares its tags and describes every response', () => {
    const ids = operationsOf(doc).map((o) => o.op.operationId as string | undefined);
    assert.ok(ids.length >= 28, `only ${ids.length} operations`);
    assert.ok(
      ids.every((id) => typeof id === 'string' && /^[a-z][A-Za-z]+$/.test(id)),
      ids.join(),
    );
    assert.equal(new Set(ids).size, ids.length, 'duplicate operationId');
    const declared = new Set((doc.tags as Array<{ name: string }>).map((tag) => tag.name));
    for (const { method, path, op } of operationsOf(doc)) {
      for (const tag of op.tags ?? []) assert.ok(declared.has(tag), `${tag} not declared`);
      for (const [status, response] of Object.entries<Record<string, any>>(op.responses)) {
        const description = resolveRef(doc, response).description as string;
        assert.ok(
          description && description !== 'Default Response',
          `${method} ${path} ${status}: no description`,
        );
      }
    }
    assert.ok(Array.isArray(doc.servers) && doc.servers.length > 0, 'no servers');
  });

  it('publishes the shared shapes under their names, and the lead routes refer to them', () => {
    const schemas = doc.components.schemas as Record<string, any>;
    for (const name of [
      'Lead',
      'LeadResponse',
      'FollowUp',
      'StatusLogEntry',
      'Reason',
      'CustomerResponse',
      'ErrorEnvelope',
      'EnvelopeItem',
    ]) {
      assert.ok(schemas[name], `components.schemas.${name} missing`);
    }
    assert.ok(!Object.keys(schemas).some((name) => name.startsWith('def-')));
    const content = (op: string) =>
      operation(doc, op).op.responses['200'].content['application/json'].schema;
    assert.deepEqual(content('getLead'), { $ref: '#/components/schemas/LeadResponse' });
    assert.deepEqual(content('listLeads').properties.data.items, {
      $ref: '#/components/schemas/Lead',
    });
    assert.deepEqual(schemas.Lead.properties.followUpDetails.items, {
      $ref: '#/components/schemas/FollowUp',
    });
    assert.deepEqual(content('listStatusLog').properties.data.items, {
      $ref: '#/components/schemas/StatusLogEntry',
    });
    assert.deepEqual(content('listReasons').properties.data.items, {
      $ref: '#/components/schemas/Reason',
    });
  });

  it('marks paging parameters with a default as optional', () => {
    for (const op of ['listLeads', 'listFollowUps', 'listStatusLog', 'listEntities']) {
      for (const parameter of operation(doc, op).op.parameters) {
        if (parameter.in !== 'query') continue;
        if (parameter.schema.default !== undefined) {
          assert.equal(parameter.required, false, `${op}: ${parameter.name} is required`);
        }
      }
    }
    const limit = operation(doc, 'listLeads').op.parameters.find(
      (p: { name: string }) => p.name === 'limit',
    );
    assert.equal(limit.schema.default, 10);
  });

  it('describes the webhook deliveries as OpenAPI 3.1 webhooks, one per event type', () => {
    assert.deepEqual(Object.keys(doc.webhooks ?? {}).sort(), [
      'lead.created',
      'lead.follow_up_added',
      'lead.status_changed',
      'lead.updated',
    ]);
    for (const [type, item] of Object.entries<any>(doc.webhooks)) {
      const body = item.post.requestBody.content['application/json'].schema;
      assert.equal(body.allOf[0].$ref, '#/components/schemas/LeadEvent', type);
      assert.equal(body.allOf[1].properties.type.const, type);
      assert.deepEqual(
        item.post.parameters.map((p: { name: string }) => p.name),
        ['webhook-id', 'webhook-timestamp', 'webhook-signature'],
      );
    }
    assert.ok(doc.components.schemas.LeadEvent.properties.data);
  });

  it('documents the request headers each operation reads', () => {
    for (const { method, op } of operationsOf(doc)) {
      const headers = headerParameters(doc, op.operationId);
      const idempotent =
        (method === 'post' || method === 'put') &&
        !['generateToken', 'createOAuthClient', 'createWebhook', 'rotateWebhookSecret'].includes(
          op.operationId,
        );
      assert.equal(headers.includes('Idempotency-Key'), idempotent, op.operationId);
    }
    for (const op of ['updateLead', 'changeLeadStatus']) {
      assert.ok(headerParameters(doc, op).includes('If-Match'), op);
    }
    assert.ok(!headerParameters(doc, 'addLead').includes('If-Match'));
    for (const op of ['getLead', 'listLeads', 'addLead', 'listExtendedFields']) {
      assert.ok(headerParameters(doc, op).includes('language'), op);
    }
  });

  it('has one shared response per error status, with an example of each code it carries', () => {
    const responses = doc.components.responses as Record<string, any>;
    const byStatus = new Map<number, string[]>();
    for (const { op } of operationsOf(doc)) {
      for (const [status, response] of Object.entries<Record<string, any>>(op.responses)) {
        if (Number(status) < 400) continue;
        assert.match(String(response.$ref), /^#\/components\/responses\//, op.operationId);
      }
    }
    for (const response of Object.values<Record<string, any>>(responses)) {
      const examples = response.content['application/json'].examples as Record<string, any>;
      for (const [name, example] of Object.entries<Record<string, any>>(examples ?? {})) {
        const entry = ErrorCatalogue[name as keyof typeof ErrorCatalogue];
        assert.ok(entry, `${name} is not in the catalogue`);
        assert.equal(example.value.errors[0].code, entry.code);
        byStatus.set(entry.status, [...(byStatus.get(entry.status) ?? []), name]);
      }
    }
    // Every code a client can receive has its example under its status.
    for (const [name, entry] of Object.entries(ErrorCatalogue)) {
      if (entry.status < 400 || /^(CLI|Start-up)\b/.test(entry.when)) continue;
      // No operation's: a method the path lacks, and connection-level failures.
      if ([405, 408, 431].includes(entry.status)) continue;
      assert.ok(byStatus.get(entry.status)?.includes(name), `${name} has no example`);
    }
    assert.ok(responses.Unauthorized.headers['WWW-Authenticate']);
    assert.match(doc.info.description, /405 `METHOD_NOT_ALLOWED`.*`Allow`/s);
    assert.ok(responses.TooManyRequests.headers['Retry-After']);
    assert.ok(operation(doc, 'generateToken').op.responses['429']);
  });

  it('states the request rules OpenAPI can state, and the others in words', () => {
    const body = (op: string) =>
      operation(doc, op).op.requestBody.content['application/json'].schema;
    assert.deepEqual(body('addLead').anyOf, [
      { required: ['userId'] },
      { required: ['idType', 'identifier'] },
    ]);
    assert.deepEqual(body('addLead').dependentRequired, {
      idType: ['identifier'],
      identifier: ['idType'],
    });
    assert.equal(body('updateLead').anyOf.length, 2);
    assert.equal(body('updateSettings').anyOf.length, 6);
    assert.match(operation(doc, 'listLeads').op.description, /entityType.*entityCode/);
    assert.match(operation(doc, 'listLeads').op.description, /cursor.*offset/);
  });

  it('gives the lead schema an example that its own schema accepts', () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema(doc, 'doc');
    const validate = ajv.compile({ $ref: 'doc#/components/schemas/Lead' });
    const [example] = doc.components.schemas.Lead.examples as unknown[];
    assert.ok(validate(example), JSON.stringify(validate.errors));
    assert.ok(!validate({ ...(example as object), status: 'SOLD' }));
  });
});

describe('responses match the document', () => {
  let t: TestApp;
  let o: TestOrg;
  let doc: Doc;
  let ajv: Ajv2020;

  before(async () => {
    t = await createTestApp({ env: { RATE_LIMIT_PER_MINUTE: '1000' } });
    o = await newOrg(t.ctx);
    doc = (await send(t.app, undefined, 'GET', '/openapi.json')).body;
    ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
    ajv.addSchema(doc, 'doc');
  });
  after(() => t.close());

  /** Sends a request and checks its status, body and headers against the named operation. */
  async function check(
    operationId: string,
    who: { headers: Record<string, string> } | undefined,
    url: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
    expected = 200,
  ) {
    const { method, path, op } = operation(doc, operationId);
    const response = await t.app.inject({
      method: method.toUpperCase() as 'GET',
      url,
      headers: {
        ...(who?.headers ?? {}),
        ...extraHeaders,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
    });
    const status = String(response.statusCode);
    assert.equal(response.statusCode, expected, `${operationId}: ${response.body}`);
    const declared = op.responses[status];
    assert.ok(declared, `${operationId} answered ${status}, which it does not declare`);
    const documented = resolveRef(doc, declared);
    // Compiled by its place in the document, so its own `$ref`s resolve against the document.
    const escape = (part: string) => part.replaceAll('~', '~0').replaceAll('/', '~1');
    const at =
      typeof declared.$ref === 'string'
        ? declared.$ref
        : `#/paths/${escape(path)}/${method}/responses/${status}`;
    const validate = ajv.compile({ $ref: `doc${at}/content/application~1json/schema` });
    const parsed: unknown = response.json();
    assert.ok(
      validate(parsed),
      `${operationId} ${status}: ${JSON.stringify(validate.errors)}\n${response.body}`,
    );
    const declaredHeaders = new Set(
      Object.keys(documented.headers ?? {}).map((name) => name.toLowerCase()),
    );
    for (const name of DOCUMENTED_HEADERS) {
      if (response.headers[name] !== undefined) {
        assert.ok(declaredHeaders.has(name), `${operationId} ${status}: ${name} undocumented`);
      }
    }
    return { status: response.statusCode, body: parsed as any, headers: response.headers };
  }

  it('every operation’s 200, and the errors a client meets most', async () => {
    const reasonId = await addReason(t.app, o.admin, unique('reason'));
    const email = `${unique('doc')}@example.com`;

    await check(
      'generateToken',
      undefined,
      '/v3/oauth/token/generate',
      { key: 'nobody', secret: 'wrong' },
      {},
      401,
    );
    const client = await check('createOAuthClient', o.admin, '/v2/admin/oauthClients', {
      entity: o.till.code,
    });
    await check('generateToken', undefined, '/v3/oauth/token/generate', {
      key: client.body.key,
      secret: client.body.secret,
    });
    await check('revokeOAuthClient', o.admin, `/v2/admin/oauthClients/${client.body.key}`, {
      revoked: true,
    });

    await check('addReasons', o.admin, '/v2/leads/reasons', [{ reason: unique('r') }]);
    await check('listReasons', o.till, '/v2/leads/reasons');
    await check('addSubStatus', o.admin, '/v2/leads/substatus', {
      status: 'ON_HOLD',
      subStatus: 'Awaiting stock',
    });
    await check('listSubStatuses', o.till, '/v2/leads/substatuses');

    const created = await check(
      'addLead',
      o.till,
      '/v2/leads',
      { leadFor: 'JKT-0192-M', idType: 'EMAIL', identifier: email },
      { 'idempotency-key': unique('key') },
    );
    const id = created.body.id as number;
    const replayKey = unique('key');
    for (let i = 0; i < 2; i += 1) {
      await check(
        'addFollowUp',
        o.till,
        `/v2/leads/${id}/followup`,
        { followedUpOn: '2026-03-01T12:30:00Z', createdBy: o.till.id, notes: 'called' },
        { 'idempotency-key': replayKey },
      );
    }
    const read = await check('getLead', o.till, `/v2/leads/${id}`);
    const etag = String(read.headers.etag);
    await check(
      'changeLeadStatus',
      o.till,
      `/v2/leads/${id}/status`,
      { status: 'ON_HOLD', reasonId, subStatus: 'Awaiting stock' },
      { 'if-match': etag },
    );
    await check(
      'updateLead',
      o.till,
      `/v2/leads/${id}`,
      { owner: o.associate.code },
      { 'if-match': etag },
      412,
    );
    await check('updateLead', o.till, `/v2/leads/${id}`, { owner: o.associate.code });
    await check('listLeads', o.till, '/v2/leads');
    await check('listFollowUps', o.till, `/v2/leads/${id}/followups`);
    await check('listStatusLog', o.till, `/v2/leads/${id}/statusLog?limit=1`);
    await check('listExtendedFields', o.till, '/v2/extendedFields?entityType=LEAD');
    await check('findCustomer', o.till, `/v2/customers?idType=EMAIL&identifier=${email}`);
    await check('getCustomer', o.till, `/v2/customers/${created.body.userId}`);
    await check('listChannels', o.till, '/v2/channels');
    await check('getMe', o.till, '/v2/me');

    await check('listEntities', o.admin, '/v2/admin/entities');
    const code = unique('assoc');
    await check('createEntity', o.admin, '/v2/admin/entities', {
      type: 'ASSOCIATE',
      code,
      parent: o.store.code,
      password: 'a-long-password-1',
    });
    await check('updateEntity', o.admin, `/v2/admin/entities/${code}`, { disabled: true });
    await check('getSettings', o.admin, '/v2/admin/settings');
    await check('updateSettings', o.admin, '/v2/admin/settings', { autoCloseDays: 30 });
    await check('listAuditEvents', o.admin, '/v2/admin/audit');
    await check('defineExtendedField', o.admin, '/v2/admin/extendedFields', {
      entityType: 'LEAD',
      name: 'size',
      dataType: 'ENUM',
      values: ['S', 'M'],
    });
    await check(
      'translateExtendedField',
      o.admin,
      '/v2/admin/extendedFields/LEAD/size/translations/hi',
      { label: 'आकार' },
    );

    await check('listEvents', o.till, '/v2/events?limit=5');
    const hook = await check('createWebhook', o.admin, '/v2/admin/webhooks', {
      url: 'https://crm.example.com/leadline',
      events: ['lead.created'],
    });
    const hookPath = `/v2/admin/webhooks/${hook.body.id}`;
    await check('listWebhooks', o.admin, '/v2/admin/webhooks');
    await check('changeWebhook', o.admin, hookPath, { enabled: false });
    await check('rotateWebhookSecret', o.admin, `${hookPath}/rotateSecret`);
    const now = new Date().toISOString();
    await check('replayWebhookEvents', o.admin, `${hookPath}/replay`, { from: now, to: now });
    await check('listWebhookDeliveries', o.admin, '/v2/admin/webhooks/deliveries?limit=5');
    await check('getWebhookHealth', o.admin, `${hookPath}/health`);
    await check('deleteWebhook', o.admin, hookPath);
    await check('getWebhookHealth', o.admin, `${hookPath}/health`, undefined, {}, 404);

    // Errors: each a declared status with the envelope and its documented headers.
    await check('getLead', undefined, `/v2/leads/${id}`, undefined, {}, 401);
    await check('getLead', o.till, '/v2/leads/9007199254740991', undefined, {}, 404);
    await check('addLead', o.till, '/v2/leads', { leadFor: '' }, {}, 400);
    await check('listEntities', o.till, '/v2/admin/entities', undefined, {}, 403);
    await check('updateSettings', o.admin, '/v2/admin/settings', { requireIfMatch: true });
    await check('updateLead', o.till, `/v2/leads/${id}`, { owner: null }, {}, 428);
  });
});
