/**
 * Activation codes for tests: valid by Graph's patterns, unique per (series, index), and distinctive enough that
 * finding one in a log, a response or a span can only mean it leaked (20-digit ICCIDs, `SECRET` matching ids).
 */
export interface TestCode {
  integratedCircuitCardIdentifier: string;
  matchingIdentifier: string;
  smdpPlusServerAddress: string;
}

export function testCodes(count: number, series = 1): TestCode[] {
  return Array.from({ length: count }, (_, i) => ({
    integratedCircuitCardIdentifier: `89${String(series).padStart(3, '0')}${String(i + 7).padStart(15, '0')}`,
    matchingIdentifier: `QR${series}-SECRET-${String(i).padStart(4, '0')}-Z9`,
    smdpPlusServerAddress: 'smdp.example.com',
  }));
}

/** Every ICCID and matching id of these codes: the values that must never be found outside Graph. */
export function secretsOf(codes: readonly TestCode[]): string[] {
  return codes.flatMap((c) => [c.integratedCircuitCardIdentifier, c.matchingIdentifier]);
}
