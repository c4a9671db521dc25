// BeaconClient and BeaconServer on the in-memory network: a client keeps its registration
// alive by renewing it, and one that stops renewing is dropped when its registration expires.
import { afterEach, describe, expect, test } from '@jest/globals';
import { BeaconClient, BeaconServer } from '@discret/beacon';
import { base64url, SigningKey } from '@discret/crypto';
import { silentLogger } from '@discret/log';
import { MemoryNetwork } from '@discret/sync';

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

describe('BeaconClient renewal', () => {
  test('a renewing client stays registered past the time-to-live; one that does not renew is dropped', async () => {
    const net = new MemoryNetwork({ latencyMs: 0 });
    const beaconTransport = net.transport('beacon');
    await beaconTransport.start({ deviceSeed: SigningKey.generate().exportSeed(), logger: silentLogger });
    stops.push(() => beaconTransport.stop());
    const server = new BeaconServer({ transport: beaconTransport, logger: silentLogger, limits: { ttlMs: 400 } });
    server.start();
    stops.push(() => server.stop());
    const client = async (name: string, renewMs: number) => {
      const transport = net.transport(name);
      const key = SigningKey.generate();
      await transport.start({ deviceSeed: key.exportSeed(), logger: silentLogger });
      const c = new BeaconClient({ transport, address: 'memory:beacon', logger: silentLogger, renewMs }, { tokens: async () => [new Uint8Array(8).fill(name.length)], found: () => {} });
      c.start();
      stops.push(async () => {
        await c.stop();
        await transport.stop();
      });
      await c.registered;
      return base64url(key.publicKey);
    };
    const renews = await client('renews', 100);
    const silent = await client('silent', 60_000);
    expect(server.registry.size.peers).toBe(2);
    // Past the time-to-live the silent one expires while the renewals keep the other. (The
    // dropped client reconnects after its jittered backoff, 0.5 s at the soonest, and registers
    // again: so this watches for the moment between, bounded.)
    const end = Date.now() + 3000;
    while (server.registry.has(silent) && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(server.registry.has(silent)).toBe(false);
    expect(server.registry.has(renews)).toBe(true);
    // The renewing one is still there well past its time-to-live.
    await new Promise((r) => setTimeout(r, 1200));
    expect(server.registry.has(renews)).toBe(true);
  });
});
