/**
 * The error table (docs/errors.md) lists every `extensions.code` the service can answer: the project's (ErrorCode, and
 * the code literals of the HTTP layer, the GraphQL layer and the auth gate, read from the source) and Apollo
 * Server's own that this configuration can produce.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApolloServerErrorCode, ApolloServerValidationErrorCode } from '@apollo/server/errors';
import { ErrorCode } from '../../src/graphql/errors';
import { TOO_MANY_ENTITIES } from '../../src/graphql/limits';

const ROOT = join(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Upper-case literals on a line that speaks of a `code` (`code: 'X'`, `code: 'X' | 'Y'`, `sendGraphQLError(…, 'X', …)`). */
function codeLiterals(files: readonly string[]): Set<string> {
  const codes = new Set<string>();
  for (const file of files) {
    for (const line of readFileSync(join(ROOT, file), 'utf8').split('\n')) {
      if (!/\bcode\b|sendGraphQLError\(|new BodyError\(/.test(line)) continue;
      // A `reason` beside a code (`reason: 'IDEMPOTENCY_KEY_REUSED'`) refines it; it is not a code of its own.
      for (const match of line.matchAll(/(?<!reason: )'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)'/g)) codes.add(match[1]);
    }
  }
  return codes;
}

/** The codes in the first column of the table in docs/errors.md. */
function readmeCodes(): Set<string> {
  const section = readFileSync(join(ROOT, 'docs', 'errors.md'), 'utf8');
  const table = section.slice(0, section.indexOf('\n\n', section.indexOf('| code |')));
  const codes = new Set<string>();
  for (const row of table.split('\n').slice(2)) {
    const first = row.split('|')[1] ?? '';
    for (const match of first.matchAll(/`([A-Z_]+)`/g)) codes.add(match[1]);
  }
  return codes;
}

it('the code literals are found in the source (the scan works)', () => {
  const literals = codeLiterals([...sourceFiles('src/http'), ...sourceFiles('src/graphql'), ...sourceFiles('src/auth')]);
  expect([...literals]).toEqual(expect.arrayContaining(['BAD_REQUEST', 'PAYLOAD_TOO_LARGE', 'GRAPHQL_VALIDATION_FAILED']));
});

it('the error table (docs/errors.md) lists exactly the codes the service can answer', () => {
  const literals = codeLiterals([...sourceFiles('src/http'), ...sourceFiles('src/graphql'), ...sourceFiles('src/auth')]);
  const apollo = new Set<string>([...Object.values(ApolloServerErrorCode), ApolloServerValidationErrorCode.INTROSPECTION_DISABLED]);
  // Answered only when automatic persisted queries are off; this server keeps them on (a bounded cache, caches.ts).
  apollo.delete(ApolloServerErrorCode.PERSISTED_QUERY_NOT_SUPPORTED);
  const service = new Set<string>([...Object.values(ErrorCode), TOO_MANY_ENTITIES, ...literals, ...apollo]);
  expect([...readmeCodes()].sort()).toEqual([...service].sort());
});
