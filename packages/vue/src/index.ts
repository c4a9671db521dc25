/**
 * @discret/vue: a Discret app in Vue 3. `provideDiscret(app)` (or the `discretPlugin(app)`
 * plugin) makes the app available below; `useQuery` reads a live query into shallow refs that
 * follow it, re-subscribing when reactive parameters change and unsubscribing with the
 * component. Refs are shallow: rows that did not change keep their objects (and Vue does not
 * wrap them in proxies), so `v-for` with `:key="row.id"` patches only what changed.
 */
import type { Discret, LiveQuery, Parameters, TypedQuery } from '@discret/core';
import { type App, computed, type ComputedRef, inject, type InjectionKey, type MaybeRefOrGetter, provide, type ShallowRef, shallowRef, toValue, watchEffect } from 'vue';

const DiscretKey: InjectionKey<Discret> = Symbol('discret');

/** Makes `app` the Discret of this component's descendants (call in `setup`). */
export function provideDiscret(app: Discret): void {
  provide(DiscretKey, app);
}

/** A plugin that makes `app` the Discret of the whole Vue application: `createApp(Root).use(discretPlugin(app))`. */
export function discretPlugin(app: Discret): { install(vue: App): void } {
  return { install: (vue) => void vue.provide(DiscretKey, app) };
}

/** The Discret provided above; throws when there is none. */
export function useDiscret(): Discret {
  const app = inject(DiscretKey, null);
  if (!app) throw new Error('useDiscret: no Discret provided (provideDiscret or discretPlugin)');
  return app;
}

export interface QueryRefs<T> {
  /** The latest result; undefined until the first. */
  data: ShallowRef<T | undefined>;
  /** Why the latest run failed, if it did. */
  error: ShallowRef<unknown>;
  /** True until the first result or error. */
  loading: ComputedRef<boolean>;
}

/**
 * A live query as refs, kept current until the component (or effect scope) is disposed.
 * `params` may be a ref or a getter: a change subscribes to the query with the new values.
 * Language errors throw at the call (in `setup`), with their position.
 */
export function useQuery<T = Record<string, unknown[]>>(text: TypedQuery<T>, params?: MaybeRefOrGetter<Parameters | undefined>): QueryRefs<T> {
  const app = useDiscret();
  const data = shallowRef<T | undefined>(undefined);
  const error = shallowRef<unknown>(undefined);
  // Once at the call, so a language error throws here rather than in an effect; the effect's
  // own call (which tracks the parameters) gets the same shared evaluation.
  app.liveQuery<T>(text, toValue(params));
  watchEffect((onCleanup) => {
    const current: LiveQuery<T> = app.liveQuery<T>(text, toValue(params));
    const show = () => {
      data.value = current.current;
      error.value = current.error;
    };
    show();
    onCleanup(current.subscribe(show));
  });
  return { data, error, loading: computed(() => data.value === undefined && error.value === undefined) };
}
