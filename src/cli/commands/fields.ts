import { AppError } from '../../core/errors.js';
import { cliActor } from '../../core/actor.js';
import { requireOrg } from '../../orgs/org.service.js';
import { createField } from '../../extended-fields/extended-field.service.js';
import { translateField } from '../../extended-fields/extended-field.translations.js';
import { list, optStr, str, type Command } from '../command.js';

/**
 * Extended-field definitions and translations: the same service calls as
 * `/v2/admin/extendedFields`, recorded in the audit log with actor -1.
 */

/**
 * Re-throws a service's bad-field error as INVALID_ARGUMENT naming the options: services name
 * API fields (`dataType`, `values[1]`, `values.RED`), the command line has options.
 */
async function asArguments<T>(
  work: () => Promise<T>,
  option: (field: string, rest: string) => string,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof AppError) || error.statusCode !== 400) throw error;
    throw new AppError(
      error.items.map((item) => {
        const [, field = '', rest = ''] = /^([A-Za-z]+)(.*)$/s.exec(item.message) ?? [];
        return {
          name: 'INVALID_ARGUMENT' as const,
          message: field === '' ? item.message : option(field, rest),
        };
      }),
    );
  }
}

/** `--values A,B` items are counted from 1 on the command line. */
function createOption(field: string, rest: string): string {
  const item = /^\[(\d+)\](.*)$/s.exec(rest);
  if (field === 'values' && item) return `--values item ${Number(item[1]) + 1}${item[2]}`;
  const names: Record<string, string> = { entityType: '--entity', dataType: '--type' };
  return `${names[field] ?? `--${field}`}${rest}`;
}

function translateOption(field: string, rest: string): string {
  const value = /^\.(\S+)(.*)$/s.exec(rest);
  if (field === 'values' && value) return `--value ${value[1]}=…${value[2]}`;
  if (field === 'values') return `--value${rest}`;
  return `${field === 'entityType' ? '--entity' : `--${field}`}${rest}`;
}

/** `--value STORED=SHOWN` options as a record; the stored value ends at the first `=`. */
function valueLabels(options: string[]): Record<string, string> | undefined {
  if (options.length === 0) return undefined;
  const labels = new Map<string, string>();
  for (const option of options) {
    const at = option.indexOf('=');
    if (at <= 0) {
      throw AppError.of('INVALID_ARGUMENT', `--value ${option} must be STORED=SHOWN`);
    }
    const stored = option.slice(0, at);
    if (labels.has(stored)) {
      throw AppError.of('INVALID_ARGUMENT', `--value ${stored} is given more than once`);
    }
    labels.set(stored, option.slice(at + 1));
  }
  return Object.fromEntries(labels);
}

export const fieldCommands: Record<string, Command> = {
  'field create': {
    usage:
      'leadline field create --org NAME --entity LEAD --name NAME --type TYPE [--label TEXT] [--values V1,V2,…] [--required]',
    options: {
      org: { type: 'string' },
      entity: { type: 'string' },
      name: { type: 'string' },
      type: { type: 'string' },
      label: { type: 'string' },
      values: { type: 'string' },
      required: { type: 'boolean' },
    },
    required: ['org', 'entity', 'name', 'type'],
    run: async (ctx, v) => {
      const org = await requireOrg(ctx, str(v.org));
      const values = optStr(v.values);
      return asArguments(
        () =>
          createField(ctx, cliActor(org.id), {
            entityType: str(v.entity).toUpperCase(),
            name: str(v.name),
            label: optStr(v.label),
            dataType: str(v.type).toUpperCase(),
            required: v.required === true,
            values: values === undefined ? undefined : values.split(',').map((s) => s.trim()),
          }),
        createOption,
      );
    },
  },
  'field translate': {
    usage:
      'leadline field translate --org NAME --entity LEAD --name NAME --language CODE [--label TEXT] [--value STORED=SHOWN …]',
    options: {
      org: { type: 'string' },
      entity: { type: 'string' },
      name: { type: 'string' },
      language: { type: 'string' },
      label: { type: 'string' },
      value: { type: 'string', multiple: true },
    },
    required: ['org', 'entity', 'name', 'language'],
    run: async (ctx, v) => {
      const org = await requireOrg(ctx, str(v.org));
      const label = optStr(v.label);
      const values = valueLabels(list(v.value));
      if (label === undefined && values === undefined) {
        throw AppError.of('INVALID_ARGUMENT', '--label or --value is required');
      }
      return asArguments(
        () =>
          translateField(ctx, cliActor(org.id), {
            entityType: str(v.entity).toUpperCase(),
            name: str(v.name),
            language: str(v.language),
            label,
            values,
          }),
        translateOption,
      );
    },
  },
};
