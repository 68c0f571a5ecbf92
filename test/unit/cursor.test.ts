/** Cursors are made under the rules they are read under: every cursor connectionFromPage makes decodes. */
import { connectionFromPage, decodeCursor, MAX_TOP, pageRequest, type PagePosition } from '../../src/graphql/cursor';
import { MAX_PAGE_TOKEN_BYTES } from '../../src/graph/odata';

const C = 'pools';
const items = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Every cursor of a connection, decoded back. */
function roundTrip(start: PagePosition, value: number[], first: number, next?: Record<string, string>): PagePosition[] {
  const connection = connectionFromPage(C, start, { value, next }, first);
  const cursors = [...connection.edges.map((e) => e.cursor), connection.pageInfo.endCursor].filter((c): c is string => c !== null);
  return cursors.map((cursor) => decodeCursor(cursor, C));
}

it('offsets deep into a page stay within what can be asked for again', () => {
  for (const offset of [0, 1, 898, 899, 900, 950, 998, 999]) {
    const start = { next: { $skiptoken: 'T' }, offset };
    const { top } = pageRequest(start, 100);
    expect(top).toBeLessThanOrEqual(MAX_TOP);
    // Graph answers a full page, and a next page.
    const positions = roundTrip(start, items(top), 100, { $skiptoken: 'U' });
    for (const p of positions) expect(p.offset).toBeLessThanOrEqual(MAX_TOP);
  }
});

it('a page longer than asked for is cut where it was asked to end, and goes on from there', () => {
  const start = { offset: 0 };
  const connection = connectionFromPage(C, start, { value: items(30) }, 10);
  expect(connection.edges).toHaveLength(10);
  expect(connection.pageInfo.hasNextPage).toBe(true);
  expect(decodeCursor(connection.pageInfo.endCursor, C)).toEqual({ offset: 10 });
  const deep = connectionFromPage(C, { offset: 999 }, { value: items(1500) }, 10);
  expect(deep.edges).toHaveLength(0);
  expect(deep.pageInfo).toMatchObject({ hasNextPage: false, endCursor: null });
});

it('the longest token Graph may send (2048 bytes of characters JSON escapes) makes a cursor that decodes', () => {
  const token = '"'.repeat(MAX_PAGE_TOKEN_BYTES);
  const [position] = roundTrip({ offset: 0 }, items(1), 1, { $skiptoken: token });
  expect(position).toEqual({ next: { $skiptoken: token }, offset: 0 });
  const text = `Offset eq 3 and Name eq 'R&D / 50% "O''Brien" ü 🚀'`;
  expect(roundTrip({ offset: 0 }, items(1), 1, { $skiptoken: text })[0].next).toEqual({ $skiptoken: text });
});
