import {
  isSupportedCountry,
  parsePhoneNumberFromString,
  type CountryCode,
} from 'libphonenumber-js/max';

/**
 * Normalising customer identifiers, so the same person given twice is one customer.
 *
 * Emails are trimmed and lower-cased (the domain is case-insensitive, and in practice no
 * mailbox provider distinguishes the local part's case either). Mobiles are written in E.164
 * (`+919845012345`): spaces, dots, dashes and brackets are formatting, and a number without an
 * international prefix is read in the org's country.
 *
 * libphonenumber-js is used with its `max` metadata: the default `min` metadata only checks a
 * number's length, so it accepts digits no country ever allocated (`+91 58450 12345`); `max`
 * carries each country's number patterns, and `isValid()` checks the digits themselves.
 */

export type IdType = 'EMAIL' | 'MOBILE';

const EMAIL =
  /^[^\s@"(),:;<>[\\\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/**
 * The normalised email, or undefined when `value` is not a well-formed address.
 *
 * @example normaliseEmail('  Ann@Example.COM ') // 'ann@example.com'
 */
export function normaliseEmail(value: string): string | undefined {
  const email = value.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) return undefined;
  const local = email.slice(0, email.lastIndexOf('@'));
  return local.length > 64 ? undefined : email;
}

/** Digits with optional formatting: a leading `+`, spaces, dots, dashes and brackets. */
const MOBILE_TEXT = /^\+?[0-9 ().-]+$/;

/**
 * The mobile in E.164, or undefined when `value` is not a valid number.
 *
 * - With an international prefix (`+` or `00`) the number carries its country code and is read
 *   as is, whatever the org's country.
 * - Otherwise it is a national number of `country` (ISO 3166-1 alpha-2, the org's setting),
 *   trunk prefix allowed (`098450 12345` in IN). A national number that starts with the
 *   country's calling code and is valid without it is read as that number (`919845012345`).
 * - Without a country, the digits are taken to include the country code, as Leadline did
 *   before orgs had a country (`919845012345` is `+919845012345`).
 *
 * The number must be valid for its country (libphonenumber `max` metadata): right length and
 * allocated digits. Fixed lines are accepted too: a shopper's only number may be one, and some
 * plans (US, CA) do not distinguish them from mobiles.
 *
 * @example normaliseMobile('098450 12345', 'IN') // '+919845012345'
 * @example normaliseMobile('0091 98450-12345', 'US') // '+919845012345'
 * @example normaliseMobile('919845012345', null) // '+919845012345'
 * @example normaliseMobile('98450 12345', null) // undefined: +98 45012345 is no Iranian number
 */
export function normaliseMobile(value: string, country: string | null): string | undefined {
  const trimmed = value.trim();
  if (!MOBILE_TEXT.test(trimmed)) return undefined;
  const digits = trimmed.replace(/\D/g, '');
  // E.164 numbers have at most 15 digits; anything much longer is not worth parsing.
  if (digits.length === 0 || digits.length > 17) return undefined;
  const region = country?.toUpperCase();
  let text: string;
  let defaultCountry: CountryCode | undefined;
  if (trimmed.startsWith('+')) {
    text = `+${digits}`;
  } else if (digits.startsWith('00')) {
    text = `+${digits.slice(2)}`;
  } else if (region !== undefined && isSupportedCountry(region)) {
    text = digits;
    defaultCountry = region;
  } else {
    text = `+${digits}`;
  }
  const number = parsePhoneNumberFromString(text, defaultCountry);
  return number?.isValid() ? number.number : undefined;
}
