/** JSON helpers of the Graph layer: a reply is untrusted text until these say otherwise. */

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
