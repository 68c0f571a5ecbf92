/**
 * The page: the pools on the left, the selected pool's assignments on the right (with Remove buttons and an
 * "Add a group" form) and, under them, its history (with a restore per entry). The selected pool is in the URL
 * (`?pool=<id>`), so a pool can be linked to, and the back button works.
 */
import { useEffect, useState, type FormEvent } from 'react';
import { BulkAdd } from './BulkAdd';
import { PoolEditor } from './PoolEditor';
import { PoolHistory } from './PoolHistory';
import { PoolList } from './PoolList';

function poolFromUrl(): string | undefined {
  return new URLSearchParams(window.location.search).get('pool') ?? undefined;
}

export function App() {
  const [poolId, setPoolId] = useState(poolFromUrl);
  const [typed, setTyped] = useState('');

  useEffect(() => {
    const onPop = (): void => setPoolId(poolFromUrl());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const open = (id: string): void => {
    const url = new URL(window.location.href);
    url.searchParams.set('pool', id);
    window.history.pushState(null, '', url);
    setPoolId(id);
  };
  const submit = (event: FormEvent): void => {
    event.preventDefault();
    if (typed.trim()) open(typed.trim());
  };

  return (
    <main>
      <header>
        <h1>eSIM activation code pools</h1>
        <form onSubmit={submit} className="open-by-id">
          <label>
            Pool id <input value={typed} onChange={(e) => setTyped(e.target.value)} placeholder="a GUID" name="pool" />
          </label>
          <button type="submit">Open</button>
        </form>
      </header>
      <div className="columns">
        <PoolList selected={poolId} onSelect={open} />
        {/* Keyed by the pool: what an edit said about one pool is not shown under the next. */}
        {poolId ? (
          <div className="pool" key={poolId}>
            <PoolEditor poolId={poolId} />
            <PoolHistory poolId={poolId} />
          </div>
        ) : (
          <section className="details empty">Choose a pool to see its assignments.</section>
        )}
      </div>
      <BulkAdd />
    </main>
  );
}
