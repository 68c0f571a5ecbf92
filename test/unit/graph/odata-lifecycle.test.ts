/** `@odata.count`, `$count` and the id of a pool created without a representation (OData-EntityId / Location). */
import { createHttpHeaders } from '@azure/core-rest-pipeline';
import { createdEntityKey, pageQuery, parsePage } from '../../../src/graph/odata';
import { isGraphError } from '../../../src/graph/errors';

const POOLS = '/deviceManagement/embeddedSIMActivationCodePools';
const ID = '5d3a2cfe-6a3c-4f4b-9a0e-0a8c7c2b9f11';
const collection = { origin: 'https://graph.microsoft.com', pathname: `/beta${POOLS}` };
const page = (body: unknown) => parsePage({ status: 200, text: JSON.stringify(body) }, (v) => ({ ok: true, value: v }), 'pool', collection);

describe('counts', () => {
  it('$count=true only when asked for, never carried by a page token', () => {
    expect(pageQuery({ top: 5 })).toBe('?$top=5');
    expect(pageQuery({ top: 5, count: true, next: { $skiptoken: 'abc' } })).toBe('?$top=5&$skiptoken=abc&$count=true');
  });

  it('@odata.count: a whole number, absent (or null) when Graph gave none, anything else invalid', () => {
    expect(page({ value: [], '@odata.count': 42 })).toEqual({ value: [], count: 42 });
    expect(page({ value: [] })).toEqual({ value: [] });
    expect(page({ value: [], '@odata.count': null })).toEqual({ value: [] });
    for (const bad of ['42', 2.5, -1, 2 ** 31]) {
      let error: unknown;
      try {
        page({ value: [], '@odata.count': bad });
      } catch (caught) {
        error = caught;
      }
      expect(isGraphError(error) && error.kind).toBe('invalid-response');
    }
  });
});

describe('createdEntityKey', () => {
  it.each([
    [{ 'odata-entityid': `https://graph.microsoft.com/beta${POOLS}/${ID}` }],
    [{ location: `https://graph.microsoft.com/beta${POOLS}/${ID}` }],
    [{ location: `https://graph.microsoft.com/beta${POOLS}('${ID}')` }],
    [{ location: `https://other.example/prefix/beta${POOLS}(${ID})` }],
    [{ location: `/beta${POOLS}/${ID}` }],
    [{ 'odata-entityid': 'not a url at all', location: `https://graph.microsoft.com/beta${POOLS}/${ID}` }],
  ])('reads the key of %j', (headers) => {
    expect(createdEntityKey(createHttpHeaders(headers), POOLS)).toBe(ID);
  });

  it.each([
    [{}],
    [{ location: `https://graph.microsoft.com/beta${POOLS}` }],
    [{ location: `https://graph.microsoft.com/beta${POOLS}/${ID}/assignments` }],
    [{ location: `https://graph.microsoft.com/beta/deviceManagement/other/${ID}` }],
    [{ location: `https://graph.microsoft.com/beta${POOLS}/%E0%A4%A` }],
  ])('finds none in %j', (headers) => {
    expect(createdEntityKey(createHttpHeaders(headers), POOLS)).toBeUndefined();
  });
});
