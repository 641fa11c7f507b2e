/**
 * Normalising customer identifiers, so the same person given twice is one customer.
 *
 * Emails are trimmed and lower-cased (the domain is case-insensitive, and in practice no
 * mailbox provider distinguishes the local part's case either). Mobiles keep their digits only:
 * spaces, dots, dashes, brackets and a leading `+` are formatting.
 */

const EMAIL =
  /^[^\s@"(),:;<>[\\\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** The normalised email, or undefined when `value` is not a well-formed address. */
export function normaliseEmail(value: string): string | undefined {
  const email = value.trim().toLowerCase();
  if (email.length > 254 || !EMAIL.test(email)) return undefined;
  const local = email.slice(0, email.lastIndexOf('@'));
  return local.length > 64 ? undefined : email;
}

/** The normalised mobile (8 to 15 digits), or undefined when `value` is not a mobile number. */
export function normaliseMobile(value: string): string | undefined {
  const trimmed = value.trim();
  if (!/^\+?[0-9 ().-]+$/.test(trimmed)) return undefined;
  const digits = trimmed.replace(/\D/g, '');
  return digits.length >= 8 && digits.length <= 15 ? digits : undefined;
}
