/** Guards of untrusted input: Graph's ids and JSON. A reply is untrusted text until these say otherwise. */

/** Graph's object ids (pools, assignments, groups) and the `client-request-id` it expects are GUIDs. */
export const GUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isGuid(value: string): boolean {
  return GUID_PATTERN.test(value);
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The parsed JSON, or undefined when the text is empty or not JSON (a gateway's HTML page, a cut-off body). */
export function tryParseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed;
  } catch {
    return undefined;
  }
}
