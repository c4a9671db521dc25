// Starts the built discret-beacon as a real process for tests (this app's and core's), and
// waits, bounded, for the address it prints.
import { type ChildProcess, spawn } from 'node:child_process';
import { dirname, resolve } from 'node:path';

export const beaconMain = resolve(import.meta.dirname, '../dist/main.js');

export interface BeaconProcess {
  /** Its first multiaddr, ending in its peer id. */
  address: string;
  /** The `/metrics` URL when started with `--metrics`. */
  metricsUrl?: string;
  child: ChildProcess;
  /** SIGTERM, resolved once it exited. */
  stop(): Promise<void>;
}

/**
 * `executable`: run dist/main.js itself, as `discret-beacon` runs (its first line picks node
 * and the memory settings); otherwise `node dist/main.js`.
 */
export async function startBeacon(keyFile: string, flags: string[] = [], listen = '/ip4/127.0.0.1/tcp/0', { executable = false } = {}): Promise<BeaconProcess> {
  // STUN off unless asked: beacons of parallel tests would share UDP port 3478 on 127.0.0.1
  const stun = flags.includes('--stun-port') ? [] : ['--stun-port', '0'];
  const args = [beaconMain, '--listen', listen, '--key-file', keyFile, ...stun, ...flags];
  // The executable finds `node` on PATH: this test's node first.
  const env = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };
  const child = executable ? spawn(args[0]!, args.slice(1), { stdio: ['ignore', 'pipe', 'ignore'], env }) : spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  let printed = '';
  const metricsWanted = flags.includes('--metrics');
  const address = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`the beacon did not print its address (printed: ${printed})`)), 15_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`the beacon exited with ${code} (printed: ${printed})`));
    });
    child.stdout!.on('data', (chunk: Buffer) => {
      printed += chunk.toString();
      const line = printed.split('\n').find((l) => l.includes('/p2p/'));
      if (line && (!metricsWanted || /metrics http/.test(printed))) {
        clearTimeout(timer);
        ok(line.trim());
      }
    });
  });
  const metricsUrl = /metrics (http\S+)/.exec(printed)?.[1];
  const stop = () => new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
  return { address, metricsUrl, child, stop };
}
