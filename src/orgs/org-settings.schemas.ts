import { Type, type Static } from '@sinclair/typebox';
import { named, Nullable, Warnings } from '../http/schemas.js';

export const AUTO_CLOSE_DAYS_MAX = 3650;
export const RATE_LIMIT_PER_MINUTE_MAX = 1_000_000;
export const EVENT_RETENTION_DAYS_MAX = 365;

/** A change of settings: absent ones stay, `null` clears one. */
export const SettingsBody = Type.Object({
  requireIfMatch: Type.Optional(Type.Boolean()),
  autoCloseDays: Type.Optional(
    Nullable(Type.Integer({ minimum: 1, maximum: AUTO_CLOSE_DAYS_MAX })),
  ),
  countryCode: Type.Optional(Nullable(Type.String({ pattern: '^[A-Za-z]{2}$' }))),
  rateLimitPerMinute: Type.Optional(
    Nullable(
      Type.Integer({
        minimum: 1,
        maximum: RATE_LIMIT_PER_MINUTE_MAX,
        description: 'Requests per minute per credential; null: the deployment default.',
      }),
    ),
  ),
  eventRetentionDays: Type.Optional(
    Nullable(
      Type.Integer({
        minimum: 1,
        maximum: EVENT_RETENTION_DAYS_MAX,
        description: 'Days lead events stay in the feed; null: the default (7).',
      }),
    ),
  ),
  timeZone: Type.Optional(
    Nullable(
      Type.String({
        minLength: 1,
        maxLength: 64,
        description:
          'IANA time zone (e.g. Asia/Kolkata) that analytics weeks, months and "today" follow; null: UTC.',
      }),
    ),
  ),
});
/** The settings a change may name; it names at least one. */
export const SETTINGS_NAMES = Object.keys(SettingsBody.properties) as Array<keyof SettingsBody>;
export type SettingsBody = Static<typeof SettingsBody>;

const settingsFields = {
  autoCloseDays: Nullable(
    Type.Integer({
      description:
        'OPEN and ON_HOLD leads unchanged this many days are closed as LOST; null: never.',
    }),
  ),
  countryCode: Nullable(
    Type.String({
      description: 'ISO 3166-1 alpha-2 country of mobile numbers given without a prefix.',
    }),
  ),
  rateLimitPerMinute: Nullable(
    Type.Integer({ description: 'Requests per minute per credential; null: the deployment’s.' }),
  ),
  requireIfMatch: Type.Boolean({
    description: 'Lead updates and status changes must carry If-Match (428 without).',
  }),
  eventRetentionDays: Nullable(
    Type.Integer({ description: 'Days lead events stay in the feed; null: the default (7).' }),
  ),
  timeZone: Nullable(
    Type.String({
      description: 'IANA time zone analytics weeks, months and "today" follow; null: UTC.',
    }),
  ),
};
/** What an org's administrators configure. `null` means "not set". */
export const Settings = Type.Object(settingsFields);
export type OrgSettings = Static<typeof Settings>;
export const SettingsResponse = named(
  'SettingsResponse',
  Type.Object({ ...settingsFields, warnings: Warnings }),
);
