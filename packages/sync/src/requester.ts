import { SyncError } from './errors.js';
import { PROTOCOL, type Reply, type RequestBody, type RequestType } from './protocol.js';
import { decodeLimits, type SessionLimits } from './session-context.js';
import type { MessageChannel } from './wire.js';

/**
 * This side's requests on the stream it opened: one in flight at a time (the answer before the
 * next request), each answered within the request timeout, its answer decoded by the protocol
 * (protocol.ts) so callers get typed replies.
 */
export class Requester {
  private turn: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly channel: MessageChannel,
    private readonly limits: SessionLimits,
    private readonly signal: AbortSignal,
    /** Told when a request goes out and when its answer comes back. */
    private readonly active: () => void = () => {},
  ) {}

  /** A one-way message (see ONE_WAY), after the requests before it: resolves once the stream took it. */
  tell<K extends RequestType>(type: K, body: RequestBody<K>): Promise<void> {
    const spec = PROTOCOL[type];
    const turn = this.turn.then(async () => {
      if (this.signal.aborted) throw new SyncError('CLOSED', 'The session is closed');
      this.active();
      await this.channel.send({ type, body: spec.request.encode(body) }, { signal: this.signal });
    });
    this.turn = turn.catch(() => {});
    return turn;
  }

  /** One request and its answer, after the requests before it. BUSY, REFUSED or PROTOCOL when the remote did not answer as asked. */
  request<K extends RequestType>(type: K, body: RequestBody<K>): Promise<Reply<K>> {
    const spec = PROTOCOL[type];
    const turn = this.turn.then(async () => {
      if (this.signal.aborted) throw new SyncError('CLOSED', 'The session is closed');
      this.active();
      await this.channel.send({ type, body: spec.request.encode(body) }, { signal: this.signal });
      const answer = await this.channel.receive({ timeoutMs: this.limits.requestTimeoutMs, signal: this.signal });
      this.active();
      if (answer === null) throw new SyncError('CLOSED', `The remote closed before answering ${type}`);
      if (answer.type === 'busy') throw new SyncError('BUSY', `The remote is busy with ${type}`);
      if (answer.type === 'error') throw new SyncError('REFUSED', `The remote refused ${type}: ${String((answer.body as { message?: unknown } | null)?.message)}`);
      if (answer.type !== spec.answer) throw new SyncError('PROTOCOL', `Expected ${spec.answer} to answer ${type}, got ${answer.type}`);
      return spec.reply.decode(answer.body, decodeLimits(this.limits));
    });
    this.turn = turn.catch(() => {});
    return turn;
  }
}
