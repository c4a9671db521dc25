// examples/chat on a terminal, for the tests that drive it as a person would: the process runs
// under `script`, which gives it a pty; the helper keeps what it printed, types lines and
// waits (bounded) for text.
import { type ChildProcess, spawn } from 'node:child_process';
import { join, resolve } from 'node:path';

const chat = resolve(import.meta.dirname, '../../examples/chat/chat.ts');
const quote = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/** A chat on a terminal in `root/name`, meeting its other devices through `beacon`. */
export function terminal(root: string, name: string, beacon: string) {
  const command = [process.execPath, chat, '--data', join(root, name), '--beacon', beacon, '--no-multicast', '--listen', '/ip4/127.0.0.1/tcp/0'].map(quote).join(' ');
  const child: ChildProcess = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, DISCRET_LOG: 'error' } });
  let screen = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
  });
  const shows = async (text: string, ms = 30_000) => {
    const end = Date.now() + ms;
    while (!screen.includes(text)) {
      if (Date.now() > end || child.exitCode !== null) throw new Error(`${name} never showed "${text}"; its screen:\n${screen}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const type = (line: string) => child.stdin!.write(`${line}\n`);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { child, shows, type, exited, screen: () => screen };
}
