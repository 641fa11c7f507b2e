import { AppError } from './errors.js';

/**
 * Parsers for the CLI's option text, shared by every command so the same kind of option is
 * checked, and refused with the same words, everywhere.
 */

/** `--id`-style options: a positive integer that fits a row id, or INVALID_ARGUMENT naming it. */
export function positiveIdOption(text: string, option: string, what: string): number {
  if (!/^[1-9]\d{0,15}$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw AppError.of('INVALID_ARGUMENT', `--${option} must be ${what}, a positive integer`);
  }
  return Number(text);
}

/** Switch options: `on` or `off`, absent stays absent. */
export function onOffOption(text: string, option: string): boolean;
export function onOffOption(text: string | undefined, option: string): boolean | undefined;
export function onOffOption(text: string | undefined, option: string): boolean | undefined {
  if (text === undefined) return undefined;
  if (text !== 'on' && text !== 'off') {
    throw AppError.of('INVALID_ARGUMENT', `--${option} must be on or off`);
  }
  return text === 'on';
}
