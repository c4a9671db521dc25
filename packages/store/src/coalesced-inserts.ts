import type { Parameters, ResolvedMutation } from '@discret/lang';
import { throwIfAborted } from './errors.js';
import type { StoreOptions, WriteOutcome } from './types.js';
import { WriteContext } from './write-context.js';
import { BULK_STEP } from './write-effects.js';
import type { GroupCommitWriter } from './writer.js';
import { yieldToEventLoop } from './yield.js';

/** One `mutate()` call waiting in a group. */
export interface CoalescedCall {
  params: Parameters;
  signal: AbortSignal | undefined;
  resolve(result: Written): void;
  reject(error: unknown): void;
}

/** A group of calls of one mutation, handed to the writer as one job. */
export interface CallGroup {
  resolved: ResolvedMutation;
  grant: unknown;
  calls: CoalescedCall[];
}

/** Calls per group at most: a group is one job of the writer, never split between transactions. */
export const MAX_GROUP_CALLS = 32768;

/**
 * Concurrent `mutate()` calls of the same insert-only mutation (the same validated request and
 * grant) written as one job, as a bulk write is, each call still succeeding or failing alone:
 * the first call queues the job in the writer, and later calls join it until it starts (or it
 * holds MAX_GROUP_CALLS). Calls issued together then cost about what `mutateMany` does: one
 * context, signing in chunks, one transaction (measured before: 30k concurrent calls at
 * 0.45-0.5x the rate of one mutateMany of the same rows, most of the difference spent per call
 * and waiting for the last signatures of each 1,024-call transaction; 0.6-0.78x after).
 */
export class InsertCoalescer {
  private readonly open = new Map<ResolvedMutation, Map<unknown, CallGroup>>();

  constructor(
    private readonly writer: GroupCommitWriter,
    private readonly options: StoreOptions,
  ) {}

  add(resolved: ResolvedMutation, grant: unknown, params: Parameters, signal: AbortSignal | undefined): Promise<Written> {
    let byGrant = this.open.get(resolved);
    if (!byGrant) {
      byGrant = new Map();
      this.open.set(resolved, byGrant);
    }
    let group = byGrant.get(grant);
    if (!group) {
      const created: CallGroup = { resolved, grant, calls: [] };
      group = created;
      byGrant.set(grant, created);
      writeCallGroup(this.writer, this.options, created, () => this.close(created));
    }
    const joined = group;
    return new Promise((resolve, reject) => {
      joined.calls.push({ params, signal, resolve, reject });
      if (joined.calls.length >= MAX_GROUP_CALLS) this.close(joined);
    });
  }

  /** Takes no more calls into a group (its job started, or it is full). */
  private close(group: CallGroup): void {
    const byGrant = this.open.get(group.resolved);
    if (byGrant?.get(group.grant) !== group) return;
    byGrant.delete(group.grant);
    if (!byGrant.size) this.open.delete(group.resolved);
  }
}

/** A call of a group that failed alone. */
class Failed {
  constructor(readonly error: unknown) {}
}

type Written = Record<string, Record<string, unknown>>;

/**
 * Writes a group as one job of the writer, as `mutateMany` writes its rows, except that a call
 * that fails (refused by the policy, too large, aborted) has its queued writes dropped and
 * fails alone while the others are written. Its effects stay noted: a live query may run once
 * for nothing, and a peer may ask for a record that is not there. `started` closes the group.
 */
function writeCallGroup(writer: GroupCommitWriter, options: StoreOptions, group: CallGroup, started: () => void): void {
  const { resolved, grant, calls } = group;
  writer.write(async (tx): Promise<WriteOutcome<(Written | Failed)[]>> => {
    started();
    await tx.loadFtsRowid();
    const ctx = new WriteContext(tx, options, calls[0]!.params, grant);
    const results: (Written | Failed)[] = [];
    for (let i = 0; i < calls.length; i++) {
      const call = calls[i]!;
      const mark = tx.mark();
      try {
        throwIfAborted(call.signal);
        ctx.params = call.params;
        const result: Written = {};
        for (const entity of resolved.entities) result[entity.alias] = ctx.insertEntity(entity, null);
        results.push(result);
      } catch (error) {
        tx.undoTo(mark);
        results.push(new Failed(error));
      }
      if (i % BULK_STEP === BULK_STEP - 1 && (await tx.flushReady())) await yieldToEventLoop();
    }
    return ctx.effects.outcome(results);
  }, () => calls.length).then(
    (outcome) => {
      outcome.result.forEach((r, i) => {
        if (r instanceof Failed) calls[i]!.reject(r.error);
        else calls[i]!.resolve(r);
      });
    },
    (error) => {
      for (const call of calls) call.reject(error);
    },
  );
}
