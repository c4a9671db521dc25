// `discret demo` (what `pnpm demo` runs): a beacon and two peers on 127.0.0.1, each peer in its
// own process with its own data folder and keys, multicast off. Alice makes a room and invites
// Bob; Bob accepts; they meet through the beacon; both write; each must receive the other's
// message through real sync. Exits 0 only when both hold the same data, else 1 naming the step
// that did not converge in time. Processes and folders are removed on every way out.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { BeaconServer } from '@discret/beacon';
import { libp2pTransport, silentLogger } from '@discret/core';
import { EXIT } from '../exit.js';

/** Longest wait for one step (peers meeting, a message arriving). */
const STEP_MS = 20_000;

class StepFailed extends Error {}

/** A peer process and the request/answer channel to it. */
class DemoPeer {
  private next = 1;
  private readonly waiting = new Map<number, (answer: Record<string, unknown>) => void>();
  readonly ready: Promise<Record<string, unknown>>;

  constructor(readonly name: string, readonly child: ChildProcess) {
    const lines = createInterface({ input: child.stdout! });
    let markReady!: (answer: Record<string, unknown>) => void;
    this.ready = new Promise((resolve) => (markReady = resolve));
    lines.on('line', (text) => {
      let message: Record<string, unknown>;
      try {
        message = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return; // not ours (a library printing)
      }
      if (message.ready) markReady(message);
      const answer = this.waiting.get(message.id as number);
      if (answer) {
        this.waiting.delete(message.id as number);
        answer(message);
      }
    });
  }

  async ask(request: Record<string, unknown>, step: string, timeoutMs = STEP_MS): Promise<Record<string, unknown>> {
    const id = this.next++;
    const answer = await new Promise<Record<string, unknown> | null>((resolve) => {
      const timer = setTimeout(() => resolve(null), timeoutMs + 2000);
      this.waiting.set(id, (message) => {
        clearTimeout(timer);
        resolve(message);
      });
      this.child.stdin!.write(`${JSON.stringify({ id, ...request })}\n`);
    });
    if (!answer) throw new StepFailed(`${step}: ${this.name} did not answer within ${Math.round(timeoutMs / 1000)} s`);
    if (answer.error) throw new StepFailed(`${step}: ${this.name} failed: ${answer.error}`);
    return answer;
  }
}

export function demoCommand(program: Command, cliMain: string): void {
  program.command('demo')
    .description('a beacon and two peers (Alice and Bob) on 127.0.0.1, each peer in its own process, syncing a room through an invite')
    .option('--keep', 'keep the data folders (their path is printed)')
    .action(async (options: { keep?: boolean }) => {
      const folder = mkdtempSync(join(tmpdir(), 'discret-demo-'));
      const children: ChildProcess[] = [];
      const beaconTransport = libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'], relayServer: {} });
      let beacon: BeaconServer | null = null;
      let cleaned = false;
      const cleanUp = async () => {
        if (cleaned) return;
        cleaned = true;
        for (const child of children) {
          child.stdin?.end();
          if (child.exitCode === null) child.kill('SIGTERM');
        }
        await Promise.all(children.map((child) => new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          const timer = setTimeout(() => {
            child.kill('SIGKILL');
            done();
          }, 3000);
          child.once('exit', () => {
            clearTimeout(timer);
            done();
          });
        })));
        beacon?.stop();
        await beaconTransport.stop().catch(() => {});
        if (options.keep) console.log(`data folders kept in ${folder}`);
        else rmSync(folder, { recursive: true, force: true });
      };
      const interrupted = () => {
        console.log('\ninterrupted: stopping the peers and removing their folders');
        void cleanUp().then(() => process.exit(130));
      };
      process.once('SIGINT', interrupted);
      process.once('SIGTERM', interrupted);

      const started = performance.now();
      let n = 0;
      const step = async <T>(text: string, body: () => Promise<T>): Promise<T> => {
        n++;
        const t = performance.now();
        const value = await body();
        console.log(`${String(n).padStart(2)}. ${text} (${Math.round(performance.now() - t)} ms)`);
        return value;
      };
      try {
        console.log('discret demo: a beacon and two peers on 127.0.0.1, each peer in its own process');
        const address = await step('beacon listening', async () => {
          await beaconTransport.start({ deviceSeed: new Uint8Array(randomBytes(32)), logger: silentLogger });
          beacon = new BeaconServer({ transport: beaconTransport, logger: silentLogger });
          beacon.start();
          return beaconTransport.addresses()[0]!;
        });
        console.log(`    ${address}`);
        const [alice, bob] = await step('Alice and Bob started: own processes, data folders and keys; multicast off', async () => {
          const peers = ['Alice', 'Bob'].map((name) => {
            const child = spawn(process.execPath, [cliMain, 'demo-peer', '--name', name, '--data', join(folder, name.toLowerCase()), '--beacon', address], {
              stdio: ['pipe', 'pipe', 'inherit'],
              env: { ...process.env, DISCRET_DEMO_PASSWORD: randomBytes(16).toString('hex'), DISCRET_LOG: process.env.DISCRET_LOG ?? 'error' },
            });
            children.push(child);
            return new DemoPeer(name, child);
          });
          const timeout = new Promise<never>((_, fail) => setTimeout(() => fail(new StepFailed('starting the peers: not ready within 20 s')), STEP_MS).unref());
          await Promise.race([Promise.all(peers.map((p) => p.ready)), timeout]);
          return peers as [DemoPeer, DemoPeer];
        });
        const { room, authorisation } = await step('Alice created a room', () => alice.ask({ do: 'createRoom' }, 'creating the room')) as { room: string; authorisation: string };
        const { invite } = await step('Alice made an invite for Bob', () => alice.ask({ do: 'invite', room, authorisation }, 'making the invite')) as { invite: string };
        console.log(`    ${invite.slice(0, 32)}...`);
        await step('Bob accepted it, met Alice through the beacon and got the room', async () => {
          const joined = bob.ask({ do: 'waitRoom', room, timeoutMs: STEP_MS }, 'Bob joining the room');
          await bob.ask({ do: 'accept', invite }, 'accepting the invite');
          if (!(await joined).arrived) throw new StepFailed(`Bob joining the room: the room did not reach Bob within ${STEP_MS / 1000} s`);
        });
        for (const [writer, reader, text] of [[alice, bob, 'Hello Bob, this is Alice'], [bob, alice, 'Hi Alice! Bob here']] as const) {
          await step(`${writer.name} wrote "${text}"; ${reader.name} received it`, async () => {
            const arrived = reader.ask({ do: 'waitMessage', room, text, timeoutMs: STEP_MS }, `${reader.name} receiving ${writer.name}'s message`);
            await writer.ask({ do: 'write', room, text }, `${writer.name} writing`);
            if (!(await arrived).arrived) throw new StepFailed(`${reader.name} receiving ${writer.name}'s message: it did not arrive within ${STEP_MS / 1000} s`);
          });
        }
        const [a, b] = await step('both read the room', () => Promise.all([alice.ask({ do: 'messages', room }, 'reading'), bob.ask({ do: 'messages', room }, 'reading')]));
        const { connections } = await bob.ask({ do: 'connections' }, 'reading connections') as { connections: { address: string; path: string }[] };
        for (const c of connections) console.log(`    Bob reaches Alice at ${c.address} (${c.path})`);
        for (const m of a.messages as { from: string; text: string }[]) console.log(`    ${m.from}: ${m.text}`);
        if (JSON.stringify(a.messages) !== JSON.stringify(b.messages)) {
          throw new StepFailed(`comparing: Alice holds ${JSON.stringify(a.messages)} but Bob holds ${JSON.stringify(b.messages)}`);
        }
        console.log(`ok: Alice and Bob hold the same ${(a.messages as unknown[]).length} messages (${Math.round(performance.now() - started)} ms in all)`);
        process.exitCode = EXIT.ok;
      } catch (error) {
        console.error(`FAILED at step ${n + 1}: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = EXIT.failed;
      } finally {
        process.off('SIGINT', interrupted);
        process.off('SIGTERM', interrupted);
        await cleanUp();
      }
    });
}
