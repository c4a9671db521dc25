// Live queries: results that stay current. Each shared evaluation knows the entities and rooms
// its query reads (live-deps.ts); a commit, local or received by sync, re-runs only the
// evaluations it could change, commits that land during a run cost one more run, and a result equal
// to the last one is not announced (parts that did not change keep their objects: share.ts).
import { checkParameters, type DataModel, type Parameters, type ResolvedQuery, validateQuery } from '@discret/lang';
import type { ChangedRow, TouchedEntities } from '@discret/store';
import { CommitChanges, type Dependency, queryDependencies, wakes } from './live-deps.js';
import { share } from './share.js';

/** A query result that stays current: the shape React's `useSyncExternalStore` takes. */
export interface LiveQuery<T> {
  /** The latest result; undefined until the first evaluation ends. */
  readonly current: T | undefined;
  /** Why the latest evaluation failed, if it did (cleared by the next success). */
  readonly error: unknown;
  /** The first result (what a Suspense boundary waits for). */
  readonly ready: Promise<T>;
  /** How many times the query ran (diagnostics: what the write tracking saved). */
  readonly runs: number;
  /** Calls `listener` after each change of `current` (or of `error`); returns the unsubscribe. */
  subscribe(listener: () => void): () => void;
}

/** What the hub needs from the app: its data model now, and a way to run a resolved query. */
export interface LiveQuerySource {
  dataModel(): DataModel;
  run(query: ResolvedQuery, params: Parameters | undefined): Promise<Record<string, unknown[]>>;
}

/** Longest a room's changes wait after sync's last import into it (a pull that fails never releases it). */
const HOLD_MS = 2_000;
/** Longest they wait in all: a long pull (a new device getting a large room) still shows its progress. */
const MAX_HOLD_MS = 5_000;
/** Most rows kept listed for a held room; past it, only the entities it touched. */
const MAX_HELD_ROWS = 10_000;

/** How long an evaluation nobody subscribes to stays shareable (React StrictMode unsubscribes and subscribes again at once). */
const RELEASE_AFTER_MS = 1_000;

/** An evaluation as the hub holds it, whatever its result type. */
interface Held {
  readonly key: string;
  changed(changes: CommitChanges): void;
}

class Evaluation<T> implements LiveQuery<T>, Held {
  current: T | undefined = undefined;
  error: unknown = undefined;
  readonly ready: Promise<T>;
  /** Runs so far (tests and the bench count re-runs). */
  runs = 0;
  private readonly listeners = new Set<() => void>();
  private model: DataModel;
  private query: ResolvedQuery;
  private dependencies: Dependency[];
  private running = false;
  private again = false;
  /** A commit that could change the result landed while nobody listened. */
  private missed = false;
  private settleReady!: { resolve: (value: T) => void; reject: (error: unknown) => void };
  private released: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly hub: LiveQueryHub,
    readonly key: string,
    private readonly text: string,
    private readonly params: Parameters | undefined,
  ) {
    this.model = hub.source.dataModel();
    // Language and parameter errors are thrown here, at the call, with their position.
    this.query = validateQuery(this.model, text);
    checkParameters(this.query.parameters, params);
    this.dependencies = queryDependencies(this.query, params);
    this.ready = new Promise<T>((resolve, reject) => {
      this.settleReady = { resolve, reject };
    });
    // Shareable until a second after its first result (or error), not after its start: a
    // Suspense boundary that waits longer than that for a slow first run must get the same
    // evaluation back when it renders again, not a new one that suspends it once more.
    const afterFirst = () => {
      if (!this.active) this.releaseLater();
    };
    this.ready.then(afterFirst, afterFirst);
    this.schedule();
  }

  get active(): boolean {
    return this.listeners.size > 0;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    if (this.released) clearTimeout(this.released);
    this.released = null;
    // Back from idle: writes it did not re-run for may have changed the result.
    if (!this.hub.holds(this) || this.missed) {
      this.missed = false;
      this.hub.adopt(this);
      this.schedule();
    }
    return () => {
      if (this.listeners.delete(listener) && this.listeners.size === 0) this.releaseLater();
    };
  }

  /** Re-runs if the commit could change the result. */
  changed(changes: CommitChanges): void {
    if (!wakes(this.dependencies, changes)) return;
    if (this.active) this.schedule();
    else this.missed = true;
  }

  /** Runs now, or once more after the run in progress (coalesced). */
  schedule(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    // Writes that commit together are one notification already (the writer groups them), and
    // commits that land while this runs make one more run: a microtask is enough, and a timer
    // would add its clamping (1 ms on Node, 4 ms in nested browser timers) to every update.
    queueMicrotask(() => void this.run());
  }

  private async run(): Promise<void> {
    try {
      do {
        this.again = false;
        if (this.hub.closed) return;
        const model = this.hub.source.dataModel();
        if (model !== this.model) {
          // The data model was updated: resolve the text again (it may name what changed).
          this.model = model;
          this.query = validateQuery(model, this.text);
          this.dependencies = queryDependencies(this.query, this.params);
        }
        this.runs++;
        try {
          const next = share(this.current, (await this.hub.source.run(this.query, this.params)) as T);
          const first = this.runs === 1;
          if (next !== this.current || this.error !== undefined || first) {
            this.current = next;
            this.error = undefined;
            if (first) this.settleReady.resolve(next);
            this.notify();
          }
        } catch (error) {
          if (this.hub.closed) return;
          this.error = error;
          if (this.runs === 1) this.settleReady.reject(error);
          this.notify();
          break; // a failed run is not retried until the next write
        }
      } while (this.again);
    } finally {
      this.running = false;
    }
  }

  private notify(): void {
    for (const listener of [...this.listeners]) {
      try {
        listener();
      } catch {
        // A failing listener must not keep the others from hearing.
      }
    }
  }

  private releaseLater(): void {
    if (this.released) clearTimeout(this.released);
    this.released = setTimeout(() => {
      this.released = null;
      if (!this.active) this.hub.release(this);
    }, RELEASE_AFTER_MS);
    (this.released as { unref?: () => void }).unref?.();
  }
}

/** The live queries of one app. */
export class LiveQueryHub {
  closed = false;
  private readonly evaluations = new Map<string, Held>();
  private readonly closeListeners = new Set<() => void>();
  /** Rooms sync is importing, and what their commits touched meanwhile. */
  private readonly held = new Map<string, { entities: Set<string>; rows: ChangedRow[] | null; timer: ReturnType<typeof setTimeout> | undefined; since: number }>();

  constructor(readonly source: LiveQuerySource) {}

  /** The shared evaluation of `text` with `params` (made at the first call). */
  liveQuery<T>(text: string, params?: Parameters): LiveQuery<T> {
    const key = `${text}\u0000${paramsKey(params)}`;
    const existing = this.evaluations.get(key);
    if (existing) return existing as unknown as Evaluation<T>;
    const made = new Evaluation<T>(this, key, text, params);
    this.evaluations.set(key, made);
    return made;
  }

  /** A commit touched these entities and wrote these rows (null: too many to list): wake the evaluations it could change. */
  changed(touched: TouchedEntities, rows: readonly ChangedRow[] | null = null, sources?: ReadonlyMap<string, ReadonlySet<string | null>>): void {
    if (!this.evaluations.size && !this.held.size) return;
    const now: TouchedEntities = new Map();
    for (const [room, entities] of touched) {
      const held = room === null ? undefined : this.held.get(room);
      if (!held) {
        now.set(room, entities);
        continue;
      }
      if (sources?.get(room!)?.has(null)) {
        // A local write in the room is shown at once, with what sync brought so far.
        this.releaseRoom(room!);
        now.set(room, entities);
        continue;
      }
      // Sync is importing this room: its changes wait for the end of the pull (one re-run).
      for (const e of entities) held.entities.add(e);
      if (held.rows !== null) {
        const mine = rows === null ? null : rows.filter((r) => r.room === room);
        if (mine === null || held.rows.length + mine.length > MAX_HELD_ROWS) held.rows = null;
        else for (const r of mine) held.rows.push(r);
      }
    }
    if (now.size) this.wake(now, rows);
  }

  /**
   * Sync imports `room` (a pull is in progress): what sync writes there waits until
   * `releaseRoom`, so a pull of many batches gives each query one new result. At most HOLD_MS
   * after the last import and MAX_HOLD_MS in all; a local write there releases it at once.
   */
  holdRoom(room: string): void {
    let held = this.held.get(room);
    if (held && Date.now() - held.since > MAX_HOLD_MS) {
      this.releaseRoom(room);
      held = undefined;
    }
    if (!held) {
      held = { entities: new Set(), rows: [], timer: undefined, since: Date.now() };
      this.held.set(room, held);
    }
    clearTimeout(held.timer);
    held.timer = setTimeout(() => this.releaseRoom(room), HOLD_MS);
    (held.timer as { unref?: () => void }).unref?.();
  }

  /** The pull of `room` ended: its held changes wake the queries now. */
  releaseRoom(room: string): void {
    const held = this.held.get(room);
    if (!held) return;
    this.held.delete(room);
    clearTimeout(held.timer);
    if (held.entities.size) this.wake(new Map([[room, held.entities]]), held.rows);
  }

  private wake(touched: TouchedEntities, rows: readonly ChangedRow[] | null): void {
    if (!this.evaluations.size) return;
    const changes = new CommitChanges(touched, rows);
    for (const evaluation of this.evaluations.values()) evaluation.changed(changes);
  }

  /** How many evaluations are shared now (tests). */
  get size(): number {
    return this.evaluations.size;
  }

  holds(evaluation: Held): boolean {
    return this.evaluations.get(evaluation.key) === evaluation;
  }

  adopt(evaluation: Held): void {
    if (!this.evaluations.has(evaluation.key)) this.evaluations.set(evaluation.key, evaluation);
  }

  release(evaluation: Held): void {
    if (this.holds(evaluation)) this.evaluations.delete(evaluation.key);
  }

  /** Called when the hub closes (watch() iterators end then). */
  onClose(listener: () => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    for (const held of this.held.values()) clearTimeout(held.timer);
    this.held.clear();
    this.evaluations.clear();
    for (const listener of [...this.closeListeners]) listener();
    this.closeListeners.clear();
  }
}

/** Parameters as a key: equal values give equal keys (bytes as hex). */
function paramsKey(params: Parameters | undefined): string {
  if (!params) return '';
  return JSON.stringify(params, (_, value) => (value instanceof Uint8Array ? `bytes:${Array.from(value, (b) => b.toString(16).padStart(2, '0')).join('')}` : value));
}
