import type { Libp2p } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import type { Logger } from '@discret/log';

/** First and longest wait before dialling a relay again. */
const FIRST_RETRY_MS = 1000;
const LONGEST_RETRY_MS = 60_000;

/**
 * Keeps a connection open to each relay, dialling again with jittered exponential backoff when
 * one is down or goes away, until `signal` aborts. libp2p's relay transport then makes (and
 * makes again, after a relay restarts) a reservation on every connected relay, since we listen
 * on `/p2p-circuit` once per relay instead of on each relay's address: a relay that is down at
 * start, or restarts later, is picked up when it comes back, instead of failing the start or
 * being forgotten.
 */
export function keepRelaysConnected(node: Libp2p, relays: readonly string[], log: Logger, signal: AbortSignal): void {
  const byId = new Map(relays.map((r) => [r.split('/p2p/').pop()!, r]));
  const failures = new Map<string, number>();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  const dial = async (id: string) => {
    timers.delete(id);
    if (signal.aborted) return;
    try {
      await node.dial(multiaddr(byId.get(id)!), { signal: AbortSignal.any([signal, AbortSignal.timeout(10_000)]) });
      failures.set(id, 0);
    } catch (error) {
      if (signal.aborted) return;
      const failed = (failures.get(id) ?? 0) + 1;
      failures.set(id, failed);
      log.debug({ relay: byId.get(id), failed, error: (error as Error).message }, 'relay unreachable, will retry');
      later(id);
    }
  };
  const later = (id: string) => {
    if (signal.aborted || timers.has(id)) return;
    const base = Math.min(LONGEST_RETRY_MS, FIRST_RETRY_MS * 2 ** Math.min(6, failures.get(id) ?? 0));
    const timer = setTimeout(() => void dial(id), base / 2 + Math.random() * (base / 2));
    timer.unref?.();
    timers.set(id, timer);
  };

  const onDisconnect = (event: CustomEvent<{ toString(): string }>) => {
    const id = event.detail.toString();
    if (byId.has(id)) later(id);
  };
  node.addEventListener('peer:disconnect', onDisconnect);
  signal.addEventListener('abort', () => {
    node.removeEventListener('peer:disconnect', onDisconnect);
    for (const timer of timers.values()) clearTimeout(timer);
    timers.clear();
  }, { once: true });
  for (const id of byId.keys()) void dial(id);
}
