/**
 * @discret/react: a Discret app in React. `DiscretProvider` hands the app to the tree;
 * `useQuery` reads a live query through `useSyncExternalStore` (a render sees one consistent
 * result, concurrent rendering and StrictMode included); `useSuspenseQuery` suspends until the
 * first result. Results keep the objects of the rows that did not change, so `memo` components
 * skip them. Writes are `app.mutate(...)` (`useDiscret()` gives the app): the queries that read
 * what they change update themselves.
 */
import type { Discret, LiveQuery, Parameters, TypedQuery } from '@discret/core';
import { createContext, createElement, type ReactNode, use, useCallback, useContext, useSyncExternalStore } from 'react';

const DiscretContext = createContext<Discret | null>(null);

/** Makes `app` the Discret of the components below. */
export function DiscretProvider({ app, children }: { app: Discret; children?: ReactNode }): ReactNode {
  return createElement(DiscretContext.Provider, { value: app }, children);
}

/** The Discret of the nearest `DiscretProvider`; throws outside of one. */
export function useDiscret(): Discret {
  const app = useContext(DiscretContext);
  if (!app) throw new Error('useDiscret: no DiscretProvider above this component');
  return app;
}

/** What `useQuery` returns: the latest result (undefined until the first), or why the latest run failed. */
export interface QueryState<T> {
  data: T | undefined;
  error: unknown;
  /** True until the first result or error. */
  loading: boolean;
}

/**
 * The live query of `text` with `params`, subscribed: this component re-renders when its result
 * or its error changes. Asked of the app at each render: the app shares one evaluation per text
 * and parameters (compared by value), so the same object comes back, StrictMode's second
 * render included, and a new parameters object with the same values subscribes nothing new.
 */
function useLive<T>(text: TypedQuery<T>, params: Parameters | undefined): LiveQuery<T> {
  const live = useDiscret().liveQuery<T>(text, params);
  const subscribe = useCallback((listener: () => void) => live.subscribe(listener), [live]);
  // The snapshot changes with the result and with the error: either re-renders.
  const snapshot = () => (live.error !== undefined ? live.error : live.current);
  useSyncExternalStore(subscribe, snapshot, snapshot);
  return live;
}

/**
 * The live result of a query: `{ data, error, loading }`, re-rendered when (and only when) the
 * result changes. Language errors throw during render (an error boundary shows them).
 */
export function useQuery<T = Record<string, unknown[]>>(text: TypedQuery<T>, params?: Parameters): QueryState<T> {
  const live = useLive(text, params);
  return { data: live.current, error: live.error, loading: live.current === undefined && live.error === undefined };
}

/** Like `useQuery`, but suspends until the first result (and throws a failed run's error). */
export function useSuspenseQuery<T = Record<string, unknown[]>>(text: TypedQuery<T>, params?: Parameters): T {
  const live = useLive(text, params);
  if (live.error !== undefined) throw live.error;
  return live.current ?? use(live.ready);
}
