/**
 * Tests that need a real part of the machine (redis-server, Chromium) run against the real thing. On a developer's
 * machine without it they are skipped with one loud line saying how to install it; in CI (`CI=true`, or
 * `REQUIRE_REAL_PARTS=1`, which `.ci/run` sets) a missing part fails the suite instead.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

export function realPartsRequired(): boolean {
  return process.env.CI === 'true' || process.env.REQUIRE_REAL_PARTS === '1';
}

/** The absolute path of an executable on PATH (or given as a path), or undefined. */
export function findExecutable(name: string): string | undefined {
  const candidates = name.includes('/') ? [name] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Decides whether a suite that needs `part` runs: true when it is there; false (after one loud warning) when it is
 * missing on a developer's machine; throws when it is missing and real parts are required.
 */
export function requirePart(part: string, available: boolean, howToInstall: string): boolean {
  if (available) return true;
  const message = `${part} is not installed: these tests need it (${howToInstall}).`;
  if (realPartsRequired()) throw new Error(`${message} Real parts are required here (CI=true or REQUIRE_REAL_PARTS=1).`);
  process.stderr.write(`\n!!! SKIPPED: ${message}\n\n`);
  return false;
}

/** `describe` when the part is there, `describe.skip` (after the loud line) when it is not. */
export function describeWithPart(part: string, available: boolean, howToInstall: string): jest.Describe {
  return requirePart(part, available, howToInstall) ? describe : describe.skip;
}
