/**
 * Reaching a peer met through discovery or a beacon by every path at once, relay first and
 * upgraded later.
 *
 * A beacon introduces a peer by the address it saw (its NAT router's, often a black hole: the
 * router drops what it did not ask for, and a dial there hangs until libp2p gives up after 6 s),
 * and by its relayed addresses: the relay itself (always works) and WebRTC set up through the
 * relay (a direct path where both NATs allow it; ICE gives up after 5 s where they do not).
 * Tried one after another, two users behind NATs met after 7 to 25 s. Here direct dials start
 * at once, the relay a moment later, and WebRTC once the relay answered (its signalling goes
 * through a relayed connection, and libp2p would queue a second dial to the same peer behind
 * the first). The first connection is used at once; a better one that comes later replaces it:
 * the relayed connection is closed once a direct or WebRTC one is up.
 */

/** The kinds of path, best first. */
export type PathKind = 'direct' | 'webrtc' | 'relay';

export function pathKind(address: string): PathKind {
  if (!address.includes('/p2p-circuit')) return 'direct';
  return address.includes('/webrtc') ? 'webrtc' : 'relay';
}

const RANK: Record<PathKind, number> = { direct: 0, webrtc: 1, relay: 2 };

export interface DialRaceTimings {
  /**
   * When relayed dials start, unless every direct one failed sooner. A direct dial on a LAN or
   * to a public address answers well within it, so the relay is not used when it is not needed.
   */
  relayAfterMs: number;
}

export const DEFAULT_DIAL_RACE: DialRaceTimings = { relayAfterMs: 250 };

export interface DialRaceHooks<C> {
  /** Dials one address; resolves with the connection (null: refused), rejects when it cannot or is aborted. */
  connect(address: string, signal: AbortSignal): Promise<C | null>;
  /** Closes a connection that a better path replaced. */
  close(connection: C): Promise<void>;
  /** Two results of `connect` that are the same connection (libp2p hands back one it has). */
  same?(a: C, b: C): boolean;
  /**
   * Resolves when the WebRTC upgrade of a relayed connection may start (its signalling and
   * handshakes cost CPU: a bulk sync on the relayed connection is let settle first). Absent: at once.
   */
  beforeUpgrade?(relayed: C, signal: AbortSignal): Promise<void>;
}

/**
 * Dials `addresses` as described above and resolves with the first connection made (null when
 * none was). Attempts keep going after that only on better paths than the one in use, and the
 * worse connection is closed when one of them succeeds. Each attempt ends on the transport's
 * own timeout, or when `signal` aborts.
 */
export function raceDials<C>(addresses: readonly string[], hooks: DialRaceHooks<C>, timings: DialRaceTimings = DEFAULT_DIAL_RACE, signal?: AbortSignal): Promise<C | null> {
  const byKind: Record<PathKind, string[]> = { direct: [], webrtc: [], relay: [] };
  for (const address of new Set(addresses)) byKind[pathKind(address)].push(address);
  const same = hooks.same ?? ((a: C, b: C) => a === b);

  return new Promise<C | null>((resolve) => {
    let best: { kind: PathKind; connection: C } | null = null;
    let settled = false;
    let running = 0;
    const state: Record<PathKind, 'waiting' | 'running' | 'done'> = { direct: 'waiting', webrtc: 'waiting', relay: 'waiting' };
    const controllers: Partial<Record<PathKind, AbortController>> = {};
    let relayTimer: ReturnType<typeof setTimeout> | undefined;

    const settle = () => {
      if (settled) return;
      settled = true;
      resolve(best?.connection ?? null);
    };
    const maybeEnd = () => {
      if (running === 0 && Object.values(state).every((s) => s === 'done')) {
        clearTimeout(relayTimer);
        settle();
      }
    };

    const start = (kind: PathKind) => {
      if (state[kind] !== 'waiting') return;
      // Nothing is started that could not beat the path in use, nor after an abort.
      if (!byKind[kind].length || signal?.aborted || (best && RANK[kind] >= RANK[best.kind])) {
        state[kind] = 'done';
        return ended(kind);
      }
      state[kind] = 'running';
      const controller = new AbortController();
      controllers[kind] = controller;
      const attemptSignal = signal ? AbortSignal.any([signal, controller.signal]) : controller.signal;
      let left = byKind[kind].length;
      running += left;
      for (const address of byKind[kind]) {
        hooks.connect(address, attemptSignal).then((connection) => connected(kind, connection), () => undefined).finally(() => {
          running--;
          if (--left === 0) {
            state[kind] = 'done';
            ended(kind);
          }
          maybeEnd();
        });
      }
    };

    /** A kind has no attempt left: start what was waiting for it. */
    const ended = (kind: PathKind) => {
      if (kind === 'direct' && state.relay === 'waiting') {
        clearTimeout(relayTimer);
        start('relay');
      }
      // Relayed attempts are over: WebRTC now, unless a relayed connection waits to upgrade.
      if (kind === 'relay' && !(best?.kind === 'relay' && hooks.beforeUpgrade)) start('webrtc');
      maybeEnd();
    };

    /** The upgrade of a relayed connection: WebRTC, once the hook lets it start. */
    const upgrade = (relayed: C) => {
      if (!hooks.beforeUpgrade) return start('webrtc');
      const waited = hooks.beforeUpgrade(relayed, signal ?? new AbortController().signal);
      waited.then(() => start('webrtc'), () => start('webrtc'));
    };

    const connected = (kind: PathKind, connection: C | null) => {
      if (connection === null) return;
      if (best && same(best.connection, connection)) return;
      if (best && RANK[kind] >= RANK[best.kind]) {
        void hooks.close(connection).catch(() => {}); // a second connection on a path no better: not needed
        return;
      }
      const replaced = best;
      best = { kind, connection };
      for (const k of Object.keys(controllers) as PathKind[]) if (RANK[k] > RANK[kind]) controllers[k]!.abort();
      if (replaced) void hooks.close(replaced.connection).catch(() => {});
      if (kind === 'relay') upgrade(connection); // its signalling rides on the relayed connection
      settle();
    };

    signal?.addEventListener('abort', () => {
      clearTimeout(relayTimer);
      settle();
    }, { once: true });
    if (byKind.direct.length) {
      start('direct');
      relayTimer = setTimeout(() => start('relay'), timings.relayAfterMs);
    } else {
      state.direct = 'done';
      start('relay');
    }
    // Without relayed addresses to signal through, WebRTC has nothing to wait for.
    if (!byKind.relay.length) start('webrtc');
    maybeEnd();
  });
}
