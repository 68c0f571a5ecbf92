/** The pool lifecycle's input checked before any call to Graph: BAD_USER_INPUT naming the field, never quoting a value. */
import type { CreateEmbeddedSIMActivationCodePoolInput, UpdateEmbeddedSIMActivationCodePoolInput } from '../../generated/graphql';
import { badUserInput } from '../errors';

/** The most activation codes in one create: 500 of the longest fit within the default MAX_BODY_BYTES (docs/pools.md). */
export const MAX_ACTIVATION_CODES = 500;
/** Longest display name (characters, after trimming). Graph documents none; Intune's own names are far shorter. */
const MAX_DISPLAY_NAME_LENGTH = 256;
/** Longest matching id and SM-DP+ address accepted: generous for real codes, and what MAX_ACTIVATION_CODES assumes. */
export const MAX_MATCHING_ID_LENGTH = 128;
export const MAX_SMDP_ADDRESS_LENGTH = 128;

// The patterns Graph documents for microsoft.graph.embeddedSIMActivationCode (its CSDL LongDescription annotations).
const ICCID = /^[0-9]{19}[0-9]?$/;
const MATCHING_ID = /^[a-zA-Z0-9-]*$/;
const SMDP_ADDRESS = /^([a-zA-Z0-9]+(-[a-zA-Z0-9]+)*\.)+[a-zA-Z]{2,}$/;
// C0 and C1 control characters (tabs and newlines included): a pool name is one line of text in the admin center.
const CONTROL = /\p{Cc}/u;

/** A display name as sent to Graph: trimmed, 1 to MAX_DISPLAY_NAME_LENGTH characters, no control characters. */
function displayName(value: string, field: string): string {
  const name = value.trim();
  if (name.length === 0) throw badUserInput(`${field} must not be empty.`, field);
  if ([...name].length > MAX_DISPLAY_NAME_LENGTH) {
    throw badUserInput(`${field} may have at most ${MAX_DISPLAY_NAME_LENGTH} characters.`, field);
  }
  if (CONTROL.test(name)) throw badUserInput(`${field} must not contain control characters (tabs, line breaks, …).`, field);
  return name;
}

/** Checks one property of a code against Graph's pattern and our length bound; the message never holds the value. */
function codeField(value: string, field: string, pattern: RegExp, rule: string, maxLength?: number): void {
  if (maxLength !== undefined && value.length > maxLength) throw badUserInput(`${field} may have at most ${maxLength} characters.`, field);
  if (!pattern.test(value)) throw badUserInput(`${field} must be ${rule} (Graph's pattern ${pattern.source}).`, field);
}

/** Checks the create input; returns the trimmed display name. */
export function validateCreateInput(input: CreateEmbeddedSIMActivationCodePoolInput): { displayName: string } {
  const name = displayName(input.displayName, 'input.displayName');
  const codes = input.activationCodes;
  if (codes.length === 0) throw badUserInput('input.activationCodes must hold at least one activation code.', 'input.activationCodes');
  if (codes.length > MAX_ACTIVATION_CODES) {
    throw badUserInput(`input.activationCodes may hold at most ${MAX_ACTIVATION_CODES} activation codes (got ${codes.length}).`, 'input.activationCodes');
  }
  const iccids = new Map<string, number>();
  codes.forEach((code, index) => {
    const at = `input.activationCodes[${index}]`;
    const iccidField = `${at}.integratedCircuitCardIdentifier`;
    codeField(code.integratedCircuitCardIdentifier, iccidField, ICCID, '19 or 20 digits');
    codeField(code.matchingIdentifier, `${at}.matchingIdentifier`, MATCHING_ID, 'letters, digits and "-" only', MAX_MATCHING_ID_LENGTH);
    codeField(code.smdpPlusServerAddress, `${at}.smdpPlusServerAddress`, SMDP_ADDRESS, 'a DNS name such as smdp.example.com', MAX_SMDP_ADDRESS_LENGTH);
    const seen = iccids.get(code.integratedCircuitCardIdentifier);
    if (seen !== undefined) throw badUserInput(`${iccidField} repeats the ICCID of input.activationCodes[${seen}].`, iccidField);
    iccids.set(code.integratedCircuitCardIdentifier, index);
  });
  return { displayName: name };
}

/** Checks the update input; returns the properties to send (at least one). */
export function validateUpdateInput(input: UpdateEmbeddedSIMActivationCodePoolInput): { displayName: string } {
  if (input.displayName === undefined) throw badUserInput('input must name at least one property to change.', 'input');
  if (input.displayName === null) throw badUserInput("input.displayName cannot be null (a pool's name is required).", 'input.displayName');
  return { displayName: displayName(input.displayName, 'input.displayName') };
}
