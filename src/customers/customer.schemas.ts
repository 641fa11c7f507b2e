import { Type, type Static } from '@sinclair/typebox';
import { DateTime, Id, named, StringEnum, Warnings } from '../http/schemas.js';

/** TypeBox schemas of the customer routes: validation, TypeScript types and OpenAPI. */

export const ID_TYPES = ['EMAIL', 'MOBILE'] as const;

export const CustomerIdParams = Type.Object({ id: Id });

export const CustomerLookupQuery = Type.Object({
  idType: StringEnum(ID_TYPES, { description: 'What `identifier` is.' }),
  identifier: Type.String({
    minLength: 1,
    maxLength: 254,
    description:
      'An email, or a mobile number (E.164, or national in the org’s country). Encode `+` as `%2B`.',
  }),
});
export type CustomerLookupQuery = Static<typeof CustomerLookupQuery>;

const customerFields = {
  id: Id,
  email: Type.Optional(Type.String({ description: 'Trimmed and lower-cased.' })),
  mobile: Type.Optional(Type.String({ description: 'E.164, e.g. +919845012345.' })),
  createdOn: DateTime,
  leadsCount: Type.Integer({
    minimum: 0,
    description: 'The customer’s leads in any status but DELETED.',
  }),
};

export const Customer = Type.Object(customerFields);
export type Customer = Static<typeof Customer>;

export const CustomerResponse = named(
  'CustomerResponse',
  Type.Object(
    { ...customerFields, warnings: Warnings },
    { description: 'One customer, with the warnings of the request.' },
  ),
);
