import type { Row, SqlConnection, SqlValue } from './driver.js';
import { StoreError } from './errors.js';

/** Signs a batch of messages; the store hands the worker pool in here when it has one. */
export type BatchSigner = (messages: Uint8Array[]) => Promise<Uint8Array[]>;

/**
 * A signature that does not exist yet. Writes put it among their SQL parameters; it is filled
 * in before the statement runs, so signing happens in bulk (on worker threads) while the
 * writer keeps building rows.
 */
export class SignatureSlot {
  value: Uint8Array | null = null;
  constructor(
    readonly message: Uint8Array,
    readonly chunk: SigningChunk,
  ) {}
}

interface SigningChunk {
  slots: SignatureSlot[];
  done: Promise<void> | null;
}

/** See `WriteTransaction.mark`. */
export interface QueueMark {
  steps: number;
  onceKeys: number;
  runs: number;
}

interface Step {
  sql: string;
  params: (SqlValue | SignatureSlot)[];
}

/** Where the current write request started, so a failed request can be undone alone. */
interface JobMark {
  stepIndex: number;
  savepoint: boolean;
}

/**
 * One transaction of the group-commit writer, with writes deferred: `queue` records a
 * statement instead of running it, and the queued statements run together (one driver call
 * per chunk) when the transaction ends or when something needs to read. Reads therefore
 * always see every earlier write. Nothing is read back from a queued write: ids, FTS rowids
 * and signatures are all decided in JS.
 *
 * Each request (job) can be undone alone. While its writes are only queued, undoing drops
 * them; once a read forced them into the database, the job runs inside a savepoint, which is
 * opened at that moment, after the earlier jobs' writes.
 */
export class WriteTransaction {
  private steps: Step[] = [];
  private chunk: SigningChunk = { slots: [], done: null };
  private job: JobMark | null = null;
  private nextFtsRowid: number | null = null;
  /** Keys of `once` writes done in this transaction, and those of the current job. */
  private readonly onceKeys = new Set<string>();
  private jobOnceKeys: string[] = [];
  /** How many times queued writes went to the database (see `mark`). */
  private runs = 0;
  /** Set when queued writes failed half-way: the transaction can then only roll back. */
  private failure: unknown = null;
  private flushing: Promise<void> = Promise.resolve();
  private dispatchedSinceYield = false;
  /** How many steps at the head of the queue are known to have their signatures. */
  private readySteps = 0;

  constructor(
    private readonly conn: SqlConnection,
    private readonly signer: BatchSigner,
    /** Signatures are dispatched in chunks of this many, so signing overlaps row building. */
    private readonly chunkSize = 512,
  ) {}

  /** A signature of `message`, computed later in bulk. */
  sign(message: Uint8Array): SignatureSlot {
    const slot = new SignatureSlot(message, this.chunk);
    this.chunk.slots.push(slot);
    if (this.chunk.slots.length >= this.chunkSize) this.dispatch();
    return slot;
  }

  /** Records a write; it runs before the next read and before commit. */
  queue(sql: string, params: (SqlValue | SignatureSlot)[]): void {
    this.steps.push({ sql, params });
  }

  /** Like `queue`, but only the first time `key` is seen in this transaction (idempotent writes). */
  queueOnce(key: string, sql: string, params: SqlValue[]): void {
    if (this.onceKeys.has(key)) return;
    this.onceKeys.add(key);
    this.jobOnceKeys.push(key);
    this.queue(sql, params);
  }

  /** Reads, after running every queued write. */
  async read(sql: string, params: readonly SqlValue[] = []): Promise<Row[]> {
    await this.flush();
    return this.conn.all(sql, params);
  }

  /** Runs a statement now (DDL, data model rows), after every queued write. */
  async execute(sql: string, params?: readonly SqlValue[]): Promise<void> {
    await this.flush();
    if (params) await this.conn.run(sql, params);
    else await this.conn.exec(sql);
  }

  /**
   * Reads the next free rowid of the full-text index, once per transaction: writes that may
   * index text await it first, so that `ftsRowid()` never reads in the middle of a write.
   */
  async loadFtsRowid(): Promise<void> {
    if (this.nextFtsRowid !== null) return;
    // Straight to the database: queued writes cannot change the answer (none took a rowid yet,
    // and forgetting text only lowers the maximum), and a flush here would cost a savepoint.
    const rows = await this.conn.all(
      'SELECT max(coalesce((SELECT max(rowid) FROM _fts), 0), coalesce((SELECT max(id) FROM _fts_pending), 0)) + 1 AS next',
    );
    this.nextFtsRowid = Number(rows[0]!.next);
  }

  /** The next free rowid of the full-text index; this transaction is the only writer. */
  ftsRowid(): number {
    if (this.nextFtsRowid === null) throw new Error('WriteTransaction.loadFtsRowid() was not awaited');
    return this.nextFtsRowid++;
  }

  /** A read-only view for hooks that must not write (authorisation). */
  get reader(): Pick<SqlConnection, 'all'> {
    return { all: (sql, params) => this.read(sql, params) };
  }

  beginJob(): void {
    this.job = { stepIndex: this.steps.length, savepoint: false };
    this.jobOnceKeys = [];
  }

  /**
   * A point in the current job to undo back to (a part of a job that failed alone), valid while
   * what came after it is only queued: nothing may run between `mark` and `undoTo`.
   */
  mark(): QueueMark {
    return { steps: this.steps.length, onceKeys: this.jobOnceKeys.length, runs: this.runs };
  }

  /** Drops what was queued since `mark`, as if it had never been asked. */
  undoTo(mark: QueueMark): void {
    if (mark.runs !== this.runs) throw new StoreError('INVALID_ARGUMENT', 'Queued writes ran since the mark: they cannot be undone alone');
    this.steps.length = Math.min(this.steps.length, mark.steps);
    for (const key of this.jobOnceKeys.splice(mark.onceKeys)) this.onceKeys.delete(key);
  }

  /** Ends the current job: keeps its writes, or undoes them all. */
  async endJob(ok: boolean): Promise<void> {
    const job = this.job;
    this.job = null;
    if (!job) return;
    if (!ok) {
      this.steps.length = Math.min(this.steps.length, job.stepIndex);
      for (const key of this.jobOnceKeys) this.onceKeys.delete(key);
    }
    if (job.savepoint) await this.conn.exec(ok ? 'RELEASE w' : 'ROLLBACK TO w; RELEASE w');
  }

  /** Runs every queued write: waits for their signatures chunk by chunk, one driver call each. */
  flush(): Promise<void> {
    // One flush at a time: concurrent reads must not run the same queued writes twice.
    const next = this.flushing.then(() => this.flushNow());
    this.flushing = next.catch(() => {});
    return next;
  }

  private async flushNow(): Promise<void> {
    if (this.failure !== null) throw this.failure;
    if (this.job && !this.job.savepoint) await this.openSavepoint(this.job);
    const steps = this.steps;
    this.steps = [];
    this.readySteps = 0;
    if (this.job) this.job.stepIndex = 0;
    await this.run(steps);
  }

  /**
   * Puts the current request under a savepoint before any of its own writes reach the
   * database. Earlier requests' queued writes run first, outside it, so that undoing this
   * request spares them. Returns how many queued steps that ran.
   */
  private async openSavepoint(job: JobMark): Promise<number> {
    const earlier = job.stepIndex;
    await this.run(this.steps.splice(0, earlier));
    job.stepIndex = 0;
    await this.conn.exec('SAVEPOINT w');
    job.savepoint = true;
    return earlier;
  }

  /**
   * Runs the queued writes whose signatures have arrived, so the database work of one chunk
   * overlaps the signing of the next. Between requests the writer calls it; a long request
   * (a bulk insert) may call it too, and its writes then run inside the request's savepoint,
   * so that undoing the request still undoes them. Returns whether the caller should yield to
   * the event loop (a chunk went to the workers since the last call; their answers arrive
   * only when this thread is idle).
   */
  async flushReady(): Promise<boolean> {
    if (this.failure !== null) return false;
    // Queued steps are only appended or cut from the end, and a filled slot stays filled, so
    // the scan resumes where the last one stopped instead of rereading the whole queue.
    let ready = Math.min(this.readySteps, this.steps.length);
    while (ready < this.steps.length && isSigned(this.steps[ready]!)) ready++;
    this.readySteps = ready;
    if (ready >= this.chunkSize) {
      const job = this.job;
      if (job && !job.savepoint && ready > job.stepIndex) ready -= await this.openSavepoint(job);
      const steps = this.steps.splice(0, ready);
      this.readySteps = 0;
      // The current request's first step moved up by as many steps as ran.
      if (job) job.stepIndex = job.savepoint ? 0 : job.stepIndex - ready;
      await this.run(steps);
    }
    const dispatched = this.dispatchedSinceYield;
    this.dispatchedSinceYield = false;
    return dispatched;
  }

  private dispatch(): void {
    this.dispatchedSinceYield = true;
    const chunk = this.chunk;
    this.chunk = { slots: [], done: null };
    chunk.done = this.signer(chunk.slots.map((s) => s.message)).then((signatures) => {
      chunk.slots.forEach((slot, i) => {
        slot.value = signatures[i]!;
      });
    });
    // Awaited in run(); this only keeps an unawaited failure from being reported twice.
    chunk.done.catch(() => {});
  }

  private async run(steps: Step[]): Promise<void> {
    this.runs++;
    try {
      await this.runSteps(steps);
    } catch (error) {
      // Some of the steps may have run: only a rollback of the whole transaction is safe.
      this.failure = error;
      throw error;
    }
  }

  private async runSteps(steps: Step[]): Promise<void> {
    if (!steps.length) return;
    let ready: Step[] = [];
    for (const step of steps) {
      const params = step.params;
      for (let i = 0; i < params.length; i++) {
        const param = params[i];
        if (!(param instanceof SignatureSlot)) continue;
        if (param.value === null) {
          // Its chunk may still be filling: send it now (only then, so that running steps
          // already signed does not cut the chunk being filled into small ones).
          if (param.chunk.done === null) this.dispatch();
          // Run what is ready, then wait for this chunk (the workers sign the later ones meanwhile).
          if (ready.length) await this.conn.batch(ready as { sql: string; params: SqlValue[] }[]);
          ready = [];
          await param.chunk.done;
        }
        // Filled in place: the step runs once, and a new array per step was measurable garbage.
        params[i] = param.value!;
      }
      ready.push(step);
    }
    await this.conn.batch(ready as { sql: string; params: SqlValue[] }[]);
  }
}

/** Whether every signature among a step's parameters has arrived. */
function isSigned(step: Step): boolean {
  for (const p of step.params) if (p instanceof SignatureSlot && p.value === null) return false;
  return true;
}
