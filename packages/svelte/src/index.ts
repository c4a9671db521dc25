/**
 * @discret/svelte: a Discret live query as a Svelte store. In a component, `$messages` is the
 * query's state, kept current while the component lives (Svelte subscribes on first use and
 * unsubscribes when the component goes). Stores are a contract, not an import: this works with
 * Svelte 5 (runes mode included) and earlier, and outside components (`subscribe` by hand).
 */
import type { Discret, LiveQuery, Parameters, TypedQuery } from '@discret/core';

/** What the store holds: the latest result (undefined until the first), or why the latest run failed. */
export interface QueryState<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
}

/** Svelte's store contract (a readable store). */
export interface Readable<T> {
  subscribe(run: (value: T) => void): () => void;
}

/**
 * The live result of a query as a readable store: `{ data, error, loading }`, a new state only
 * when the result (or the error) changed; rows that did not change keep their objects, so a
 * keyed `{#each}` patches only what changed. Language errors throw at the call, with their
 * position. The same text and parameters share one evaluation.
 */
export function queryStore<T = Record<string, unknown[]>>(app: Discret, text: TypedQuery<T>, params?: Parameters): Readable<QueryState<T>> {
  const live: LiveQuery<T> = app.liveQuery<T>(text, params);
  const state = (): QueryState<T> => ({ data: live.current, error: live.error, loading: live.current === undefined && live.error === undefined });
  return {
    subscribe(run) {
      run(state());
      return live.subscribe(() => run(state()));
    },
  };
}
