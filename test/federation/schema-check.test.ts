/**
 * scripts/schema-check.js (`npm run schema:check`): breaking changes of schema/ against main are reported and fail
 * the check; additive ones pass. The comparison is tested directly, the CLI in throwaway git repositories.
 */
import { expect } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compareSchemas, main } from '../../scripts/schema-check';
import { loadTypeDefs } from '../../src/graphql/schema';

const SCHEMA = loadTypeDefs();
const SCRIPT = join(__dirname, '..', '..', 'scripts', 'schema-check.js');

/** The schema with `search` replaced once; fails the test when `search` is not there (the edit must apply). */
function edit(search: string, replacement: string, sdl = SCHEMA): string {
  expect(sdl).toContain(search);
  return sdl.replace(search, replacement);
}

const DISPLAY_NAME = '  "The admin-defined name of the pool."\n  displayName: String!\n';

describe('compareSchemas', () => {
  it('reports nothing for the same schema', () => {
    expect(compareSchemas(SCHEMA, SCHEMA)).toEqual({ breaking: [], dangerous: [] });
  });

  it('reports a removed field as breaking', () => {
    const { breaking } = compareSchemas(SCHEMA, edit(DISPLAY_NAME, ''));
    expect(breaking).toEqual([{ type: 'FIELD_REMOVED', description: 'EmbeddedSIMActivationCodePool.displayName was removed.' }]);
  });

  it('reports a new required argument, a new required input field and a removed enum value as breaking', () => {
    let changed = edit('    after: String\n  ): EmbeddedSIMActivationCodePoolConnection!', '    after: String\n    tenant: ID!\n  ): EmbeddedSIMActivationCodePoolConnection!');
    changed = edit('  "The user removed the profile (Graph `removedByUser`)."\n  REMOVED_BY_USER\n', '', changed);
    changed = edit('  kind: AssignmentTargetKind!', '  kind: AssignmentTargetKind!\n  tenantId: ID!', changed);
    const types = compareSchemas(SCHEMA, changed).breaking.map((c) => c.type).sort();
    expect(types).toEqual(['REQUIRED_ARG_ADDED', 'REQUIRED_INPUT_FIELD_ADDED', 'VALUE_REMOVED_FROM_ENUM']);
  });

  it('passes additive changes: a new nullable field, a new type, a new optional argument', () => {
    let changed = edit(DISPLAY_NAME, `${DISPLAY_NAME}  "A note."\n  note: String\n`);
    changed = `${changed}\n"New."\ntype Carrier {\n  id: ID!\n}\n`;
    changed = edit('    first: Int\n    "The `endCursor` of the previous page. Cursors', '    first: Int\n    orderBy: String\n    "The `endCursor` of the previous page. Cursors', changed);
    const result = compareSchemas(SCHEMA, changed);
    expect(result.breaking).toEqual([]);
    expect(result.dangerous.map((c) => c.type)).toEqual(['OPTIONAL_ARG_ADDED']);
  });

  it('lists a new enum value as dangerous, not breaking', () => {
    const result = compareSchemas(SCHEMA, edit('  REMOVED_BY_USER\n', '  REMOVED_BY_USER\n  "New."\n  SUSPENDED\n'));
    expect(result.breaking).toEqual([]);
    expect(result.dangerous).toEqual([{ type: 'VALUE_ADDED_TO_ENUM', description: 'SUSPENDED was added to enum type EmbeddedSIMDeviceStateValue.' }]);
  });

  it('reports an entity key removed, changed or made unresolvable as breaking (federation)', () => {
    // @cacheTag needs a resolvable key with `id`: it goes wherever that key does.
    const keyed = '\n  @key(fields: "id")\n  @cacheTag(format: "pool-{$key.id}")\n';
    expect(compareSchemas(SCHEMA, edit(keyed, '\n')).breaking.map((c) => c.type)).toEqual(
      expect.arrayContaining(['ENTITY_KEY_REMOVED', 'TYPE_REMOVED_FROM_UNION']),
    );
    expect(
      compareSchemas(SCHEMA, edit(keyed, '\n  @key(fields: "displayName")\n')).breaking,
    ).toEqual([expect.objectContaining({ type: 'ENTITY_KEY_REMOVED', description: expect.stringContaining('@key(fields: "id")') })]);
    expect(
      compareSchemas(SCHEMA, edit(keyed, '\n  @key(fields: "id", resolvable: false)\n')).breaking.map((c) => c.type),
    ).toEqual(['ENTITY_KEY_REMOVED']);
    // Spelling out the default is no change.
    expect(compareSchemas(SCHEMA, edit(keyed, '\n  @key(fields: "id", resolvable: true)\n  @cacheTag(format: "pool-{$key.id}")\n')).breaking).toEqual([]);
  });

  it('throws, naming the side, when a schema is not a valid subgraph', () => {
    expect(() => compareSchemas(SCHEMA, 'type Query {')).toThrow(/^schema: /);
    expect(() => compareSchemas('type Query { a: Nope }', SCHEMA)).toThrow(/^base schema is not a valid subgraph schema/);
  });
});

describe('the CLI in a git repository', () => {
  let dir: string;
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], {
      cwd: dir,
      stdio: 'pipe',
    });
  const writeSchema = (sdl: string) => writeFileSync(join(dir, 'schema', 'schema.graphql'), sdl);
  const run = (...argv: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = main(argv, { cwd: dir, out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'schema-check-'));
    mkdirSync(join(dir, 'schema'));
    git('init', '-q', '-b', 'main');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const commitBase = () => {
    writeSchema(SCHEMA);
    git('add', '.');
    git('commit', '-q', '-m', 'base');
  };

  it('fails with exit 1 and names the change when a field is removed on a branch', () => {
    commitBase();
    git('checkout', '-q', '-b', 'feature');
    writeSchema(edit(DISPLAY_NAME, ''));
    const result = run();
    expect(result.code).toBe(1);
    expect(result.err).toContain('BREAKING   FIELD_REMOVED: EmbeddedSIMActivationCodePool.displayName was removed.');
    expect(result.err).toMatch(/1 breaking, 0 dangerous change\(s\) in schema\/schema\.graphql against main/);
  });

  it('passes with exit 0 for an additive change, listing dangerous ones as warnings', () => {
    commitBase();
    writeSchema(edit('  REMOVED_BY_USER\n', '  REMOVED_BY_USER\n  SUSPENDED\n'));
    const result = run();
    expect(result.code).toBe(0);
    expect(result.out).toContain('DANGEROUS  VALUE_ADDED_TO_ENUM');
    expect(result.out).toMatch(/schema:check: ok \(0 breaking, 1 dangerous/);
  });

  it('compares with the merge base: a field main gained after the branch point is not "removed" by the branch', () => {
    commitBase();
    git('checkout', '-q', '-b', 'feature');
    git('checkout', '-q', 'main');
    writeSchema(edit(DISPLAY_NAME, `${DISPLAY_NAME}  note: String\n`));
    git('commit', '-q', '-am', 'main adds note');
    git('checkout', '-q', 'feature');
    expect(readFileSync(join(dir, 'schema', 'schema.graphql'), 'utf8')).not.toContain('note: String');
    expect(run().code).toBe(0);
    // Against main's tip itself (not what the branch changed), the field would look removed.
    const tip = execFileSync('git', ['rev-parse', 'main'], { cwd: dir, encoding: 'utf8' }).trim();
    git('checkout', '-q', '--detach', tip);
    writeSchema(SCHEMA);
    expect(run('--base', 'main').code).toBe(1);
  });

  it('honours --base, including origin/main-style refs', () => {
    commitBase();
    git('update-ref', 'refs/remotes/origin/main', 'HEAD');
    git('branch', '-q', '-m', 'main', 'trunk');
    writeSchema(edit(DISPLAY_NAME, ''));
    expect(run().code).toBe(1); // main is gone: falls back to origin/main
    expect(run('--base', 'trunk').code).toBe(1);
  });

  it('says so and exits 0 when there is no base (a fresh repository)', () => {
    writeSchema(SCHEMA);
    const result = run();
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/no base to compare with .*skipped/);
  });

  it('says so and exits 0 when the schema is new on this branch', () => {
    writeFileSync(join(dir, 'README'), 'x');
    git('add', 'README');
    git('commit', '-q', '-m', 'first');
    writeSchema(SCHEMA);
    const result = run();
    expect(result.code).toBe(0);
    expect(result.out).toMatch(/does not exist at main .*skipped/);
  });

  it('exit 2 for an unknown argument or a schema that does not parse', () => {
    commitBase();
    expect(run('--frobnicate').code).toBe(2);
    writeSchema('type Query {');
    expect(run().code).toBe(2);
  });

  it('runs as `node scripts/schema-check.js` (exit code and output)', () => {
    commitBase();
    writeSchema(edit(DISPLAY_NAME, ''));
    let status = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, [SCRIPT], { cwd: dir, stdio: 'pipe' });
    } catch (error) {
      const failure = error as { status: number; stderr: Buffer };
      status = failure.status;
      stderr = failure.stderr.toString('utf8');
    }
    expect(status).toBe(1);
    expect(stderr).toContain('EmbeddedSIMActivationCodePool.displayName was removed.');
  });
});
