// The dial race (dial-race.ts) without sockets: fake dials that answer, fail or hang for set
// times, and the order, timing and closing the race must produce.
import { describe, expect, test } from '@jest/globals';
import { pathKind, raceDials } from '../src/dial-race.js';

const DIRECT = '/ip4/10.77.1.2/tcp/4000';
const RELAY = '/ip4/10.77.1.1/tcp/4001/p2p/QmBeacon/p2p-circuit/p2p/QmPeer';
const WEBRTC = '/ip4/10.77.1.1/tcp/4001/p2p/QmBeacon/p2p-circuit/webrtc/p2p/QmPeer';

/** How each fake dial behaves: answer after `ms`, fail after `ms`, or hang until aborted. */
type Plan = Record<string, { ms: number; outcome: 'ok' | 'fail' | 'hang' }>;

function fakeNetwork(plan: Plan) {
  const started = Date.now();
  const log: string[] = [];
  const closed: string[] = [];
  const at = () => Date.now() - started;
  const connect = (address: string, signal: AbortSignal) => new Promise<string | null>((resolve, reject) => {
    const kind = pathKind(address);
    log.push(`${kind} dialled`);
    const step = plan[address]!;
    const onAbort = () => {
      clearTimeout(timer);
      log.push(`${kind} aborted`);
      reject(new Error('aborted'));
    };
    const timer = step.outcome === 'hang' ? undefined : setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      if (step.outcome === 'ok') {
        log.push(`${kind} connected`);
        resolve(kind);
      } else {
        log.push(`${kind} failed`);
        reject(new Error('unreachable'));
      }
    }, step.ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  const close = async (connection: string) => {
    closed.push(connection);
  };
  return { connect, close, log, closed, at };
}

const timings = { relayAfterMs: 60 };
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('raceDials', () => {
  test('a direct path that answers is used alone: the relay is never dialled', async () => {
    const net = fakeNetwork({ [DIRECT]: { ms: 10, outcome: 'ok' }, [RELAY]: { ms: 10, outcome: 'ok' }, [WEBRTC]: { ms: 10, outcome: 'ok' } });
    expect(await raceDials([DIRECT, RELAY, WEBRTC], net, timings)).toBe('direct');
    await settle(120);
    expect(net.log).toEqual(['direct dialled', 'direct connected']);
  });

  test('behind NATs: the direct dial hangs, the relay is used after relayAfterMs, then WebRTC replaces it', async () => {
    const net = fakeNetwork({ [DIRECT]: { ms: 0, outcome: 'hang' }, [RELAY]: { ms: 20, outcome: 'ok' }, [WEBRTC]: { ms: 40, outcome: 'ok' } });
    const controller = new AbortController();
    const winner = await raceDials([WEBRTC, RELAY, DIRECT], net, timings, controller.signal);
    const usedAt = net.at();
    expect(winner).toBe('relay');
    expect(usedAt).toBeGreaterThanOrEqual(timings.relayAfterMs);
    expect(usedAt).toBeLessThan(timings.relayAfterMs + 200); // not held up by the hanging dial
    await settle(120);
    // WebRTC waits for the relay (its signalling rides on it), then the relayed connection goes.
    expect(net.log).toEqual(['direct dialled', 'relay dialled', 'relay connected', 'webrtc dialled', 'webrtc connected']);
    expect(net.closed).toEqual(['relay']);
    controller.abort(); // the hanging direct dial ends with the caller's signal
    await settle(10);
    expect(net.log.at(-1)).toBe('direct aborted');
  });

  test('address-dependent NATs: WebRTC fails, the relayed connection stays', async () => {
    const net = fakeNetwork({ [DIRECT]: { ms: 30, outcome: 'fail' }, [RELAY]: { ms: 20, outcome: 'ok' }, [WEBRTC]: { ms: 30, outcome: 'fail' } });
    expect(await raceDials([DIRECT, RELAY, WEBRTC], net, timings)).toBe('relay');
    await settle(150);
    expect(net.log).toEqual(['direct dialled', 'direct failed', 'relay dialled', 'relay connected', 'webrtc dialled', 'webrtc failed']);
    expect(net.closed).toEqual([]);
  });

  test('a direct dial that fails early starts the relay at once, without waiting for relayAfterMs', async () => {
    const net = fakeNetwork({ [DIRECT]: { ms: 5, outcome: 'fail' }, [RELAY]: { ms: 5, outcome: 'ok' } });
    expect(await raceDials([DIRECT, RELAY], { ...net }, { relayAfterMs: 5_000 })).toBe('relay');
    expect(net.at()).toBeLessThan(1_000);
  });

  test('a direct path that answers after the relay replaces it, and the WebRTC attempt is aborted', async () => {
    const net = fakeNetwork({ [DIRECT]: { ms: 100, outcome: 'ok' }, [RELAY]: { ms: 10, outcome: 'ok' }, [WEBRTC]: { ms: 0, outcome: 'hang' } });
    expect(await raceDials([DIRECT, RELAY, WEBRTC], net, timings)).toBe('relay');
    await settle(150);
    expect(net.log).toEqual(['direct dialled', 'relay dialled', 'relay connected', 'webrtc dialled', 'direct connected', 'webrtc aborted']);
    expect(net.closed).toEqual(['relay']);
  });

  test('without relayed addresses WebRTC does not wait; nothing reachable resolves null', async () => {
    const net = fakeNetwork({ [DIRECT]: { ms: 10, outcome: 'fail' }, [WEBRTC]: { ms: 10, outcome: 'fail' } });
    expect(await raceDials([DIRECT, WEBRTC], net, timings)).toBeNull();
    expect(net.log).toEqual(['direct dialled', 'webrtc dialled', 'direct failed', 'webrtc failed']);
    expect(await raceDials([], net, timings)).toBeNull();
  });

  test('an aborted race resolves at once with what it has, and its dials are aborted', async () => {
    const net = fakeNetwork({ [DIRECT]: { ms: 0, outcome: 'hang' } });
    const controller = new AbortController();
    const race = raceDials([DIRECT, DIRECT], net, timings, controller.signal);
    await settle(5);
    controller.abort();
    expect(await race).toBeNull();
    await settle(5);
    expect(net.log).toEqual(['direct dialled', 'direct aborted']); // the same address is dialled once
  });

  test('beforeUpgrade: WebRTC waits for the hook (a bulk sync settling on the relayed connection), then replaces the relay', async () => {
    const net = fakeNetwork({ [RELAY]: { ms: 10, outcome: 'ok' }, [WEBRTC]: { ms: 10, outcome: 'ok' } });
    let letGo: () => void = () => {};
    const asked: string[] = [];
    const hooks = { ...net, beforeUpgrade: (relayed: string) => {
      asked.push(relayed);
      return new Promise<void>((resolve) => {
        letGo = resolve;
      });
    } };
    expect(await raceDials([RELAY, WEBRTC], hooks, timings)).toBe('relay');
    await settle(80);
    expect(asked).toEqual(['relay']);
    expect(net.log).toEqual(['relay dialled', 'relay connected']); // WebRTC waits
    letGo();
    await settle(60);
    expect(net.log).toEqual(['relay dialled', 'relay connected', 'webrtc dialled', 'webrtc connected']);
    expect(net.closed).toEqual(['relay']);
  });
});
