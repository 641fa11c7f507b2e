import { requireOrg } from '../../orgs/org.service.js';
import { setOrgSettingsByName } from '../../orgs/org-settings.service.js';
import { changeEntityChecked } from '../../entities/entity.service.js';
import { revokeOauthClient } from '../../auth/oauth.service.js';
import { AuditQuery, listAuditEntries } from '../../audit/index.js';
import { checkInput } from '../../http/validation.js';
import { cliActor } from '../../core/actor.js';
import { changeReasonFromCli, getAdminReasons } from '../../reasons/index.js';
import { optStr, str, type Command } from '../command.js';

/** Org administration: the same actions as `/v2/admin/*`, recorded with actor -1. */
export const adminCommands: Record<string, Command> = {
  'org set': {
    usage:
      'leadline org set --org NAME [--auto-close-days N|off] [--country-code CC|none] [--rate-limit N|default] [--require-if-match on|off] [--event-retention-days N|default] [--time-zone ZONE|default]',
    options: {
      org: { type: 'string' },
      'auto-close-days': { type: 'string' },
      'country-code': { type: 'string' },
      'rate-limit': { type: 'string' },
      'require-if-match': { type: 'string' },
      'event-retention-days': { type: 'string' },
      'time-zone': { type: 'string' },
    },
    required: ['org'],
    run: (ctx, v) =>
      setOrgSettingsByName(ctx, {
        org: str(v.org),
        autoCloseDays: optStr(v['auto-close-days']),
        countryCode: optStr(v['country-code']),
        rateLimit: optStr(v['rate-limit']),
        requireIfMatch: optStr(v['require-if-match']),
        eventRetentionDays: optStr(v['event-retention-days']),
        timeZone: optStr(v['time-zone']),
      }),
  },
  'reason list': {
    usage: 'leadline reason list --org NAME',
    options: { org: { type: 'string' } },
    required: ['org'],
    run: async (ctx, v) => {
      const org = await requireOrg(ctx, str(v.org));
      return { data: await getAdminReasons(ctx, org.id) };
    },
  },
  'reason set': {
    usage: 'leadline reason set --org NAME --id N --not-available on|off',
    options: {
      org: { type: 'string' },
      id: { type: 'string' },
      'not-available': { type: 'string' },
    },
    required: ['org', 'id', 'not-available'],
    run: async (ctx, v) => {
      const org = await requireOrg(ctx, str(v.org));
      return changeReasonFromCli(ctx, cliActor(org.id), {
        id: str(v.id),
        notAvailable: str(v['not-available']),
      });
    },
  },
  'entity disable': {
    usage: 'leadline entity disable --org NAME --code CODE',
    options: { org: { type: 'string' }, code: { type: 'string' } },
    required: ['org', 'code'],
    run: async (ctx, v) => {
      const org = await requireOrg(ctx, str(v.org));
      return changeEntityChecked(ctx, cliActor(org.id), str(v.code), { disabled: true });
    },
  },
  'entity enable': {
    usage: 'leadline entity enable --org NAME --code CODE',
    options: { org: { type: 'string' }, code: { type: 'string' } },
    required: ['org', 'code'],
    run: async (ctx, v) => {
      const org = await requireOrg(ctx, str(v.org));
      return changeEntityChecked(ctx, cliActor(org.id), str(v.code), { disabled: false });
    },
  },
  'entity password': {
    usage: 'leadline entity password --org NAME --code CODE --password PASSWORD',
    options: { org: { type: 'string' }, code: { type: 'string' }, password: { type: 'string' } },
    required: ['org', 'code', 'password'],
    run: async (ctx, v) => {
      const org = await requireOrg(ctx, str(v.org));
      return changeEntityChecked(ctx, cliActor(org.id), str(v.code), { password: str(v.password) });
    },
  },
  'oauth-client revoke': {
    usage: 'leadline oauth-client revoke --org NAME --key KEY',
    options: { org: { type: 'string' }, key: { type: 'string' } },
    required: ['org', 'key'],
    run: async (ctx, v) => {
      const org = await requireOrg(ctx, str(v.org));
      return revokeOauthClient(ctx, cliActor(org.id), str(v.key));
    },
  },
  audit: {
    usage: 'leadline audit --org NAME [--limit N]',
    options: { org: { type: 'string' }, limit: { type: 'string' } },
    required: ['org'],
    run: async (ctx, v) => {
      const org = await requireOrg(ctx, str(v.org));
      const page = { limit: v.limit === undefined ? 100 : Number(v.limit), offset: 0 };
      checkInput(AuditQuery, page);
      return { data: await listAuditEntries(ctx, org.id, page) };
    },
  },
};
