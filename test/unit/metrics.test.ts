/** Operation names are chosen by callers: the metrics keep a bounded number of label series whatever they send. */
import { Metrics } from '../../src/observability/metrics';

it('distinct operation names beyond the first 200 share the label "other"; malformed ones are "invalid"', async () => {
  const metrics = new Metrics();
  for (let i = 0; i < 5000; i++) metrics.recordOperation(`Distinct${i}`, 'query', 'ok', 0.001);
  metrics.recordOperation('not a name!', 'query', 'ok', 0.001);
  metrics.recordOperation(null, 'query', 'ok', 0.001);
  const { values } = await metrics.operations.get();
  const labels = new Set(values.map((value) => String(value.labels.operation)));
  expect(labels.size).toBe(203);
  expect([...labels]).toEqual(expect.arrayContaining(['Distinct0', 'Distinct199', 'other', 'invalid', 'anonymous']));
  expect(labels.has('Distinct200')).toBe(false);
  expect(values.find((value) => value.labels.operation === 'other')?.value).toBe(4800);
});
