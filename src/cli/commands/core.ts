import { AppError } from '../../core/errors.js';
import { createOrg } from '../../orgs/org.service.js';
import { createEntity } from '../../entities/entity.service.js';
import { createOauthClient } from '../../auth/oauth.service.js';
import { seedDemo } from '../../demo/seed-demo.js';
import { optStr, str, type Command } from '../command.js';

/** Migrations, orgs, entities, OAuth clients and the demo. */
export const coreCommands: Record<string, Command> = {
  migrate: {
    usage: 'leadline migrate',
    options: {},
    required: [],
    // Every command migrates first; this one only reports what that applied.
    run: async (_ctx, _values, applied) => ({ applied }),
  },
  'org create': {
    usage: 'leadline org create --name NAME',
    options: { name: { type: 'string' } },
    required: ['name'],
    run: (ctx, v) => createOrg(ctx, str(v.name)),
  },
  'entity create': {
    usage:
      'leadline entity create --org NAME --type TYPE --code CODE [--parent CODE] [--password PASSWORD]',
    options: {
      org: { type: 'string' },
      type: { type: 'string' },
      code: { type: 'string' },
      parent: { type: 'string' },
      password: { type: 'string' },
    },
    required: ['org', 'type', 'code'],
    run: (ctx, v) =>
      createEntity(ctx, {
        org: str(v.org),
        type: str(v.type),
        code: str(v.code),
        parent: optStr(v.parent),
        password: optStr(v.password),
      }),
  },
  'oauth-client create': {
    usage: 'leadline oauth-client create --org NAME --entity CODE',
    options: { org: { type: 'string' }, entity: { type: 'string' } },
    required: ['org', 'entity'],
    run: (ctx, v) => createOauthClient(ctx, { org: str(v.org), entity: str(v.entity) }),
  },
  'seed-demo': {
    usage: 'leadline seed-demo [--name NAME] [--leads N]',
    options: { name: { type: 'string' }, leads: { type: 'string' } },
    required: [],
    run: (ctx, v) => {
      const leads = v.leads === undefined ? 300 : Number(v.leads);
      if (!Number.isInteger(leads) || leads < 0 || leads > 100_000) {
        throw AppError.of('INVALID_ARGUMENT', '--leads must be an integer from 0 to 100000');
      }
      return seedDemo(ctx, { name: optStr(v.name) ?? 'Demo Retail', leads });
    },
  },
};
