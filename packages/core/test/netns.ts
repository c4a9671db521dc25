// Processes inside network namespaces that a test creates, for the LAN and NAT tests: start one,
// wait (bounded) for a line it prints, stop them all, and remove the namespaces afterwards.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';

export const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });

export interface NamespacedProcess {
  child: ChildProcess;
  /** The first stdout line matching `wanted`; fails after `ms` or when the process exits. */
  line(wanted: RegExp, ms?: number): Promise<string>;
  /** Every complete stdout line so far. */
  lines(): Promise<string[]>;
}

/** Runs `node <argv...>` in namespace `ns`. */
export function runInNamespace(ns: string, argv: string[], options: { stderr?: 'inherit' | 'ignore'; timeoutMs?: number } = {}): NamespacedProcess {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, ...argv], { stdio: ['pipe', 'pipe', options.stderr ?? 'inherit'] });
  const lines: string[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop()!;
    lines.push(...parts);
  });
  const line = (wanted: RegExp, ms = options.timeoutMs ?? 25_000) => new Promise<string>((ok, fail) => {
    const end = Date.now() + ms;
    const poll = setInterval(() => {
      const found = lines.find((l) => wanted.test(l));
      if (found || Date.now() > end || child.exitCode !== null) {
        clearInterval(poll);
        if (found) ok(found);
        else fail(new Error(`no line ${wanted} from ${ns} (got: ${lines.join(' | ')})`));
      }
    }, 20);
  });
  return { child, line, lines: async () => [...lines] };
}

/** Ends the processes: stdin closed and SIGTERM (they close and exit), SIGKILL 200 ms later if still running. */
export async function stopAll(processes: NamespacedProcess[]): Promise<void> {
  for (const p of processes) {
    p.child.stdin?.end();
    if (p.child.exitCode === null) p.child.kill('SIGTERM');
  }
  await new Promise((r) => setTimeout(r, 200));
  for (const p of processes) if (p.child.exitCode === null) p.child.kill('SIGKILL');
}

/** Deletes namespaces, ignoring those already gone (creation may have failed half way). */
export function removeNamespaces(names: readonly string[]): void {
  for (const name of names) {
    try {
      ip('netns', 'del', name);
    } catch {
      // already gone
    }
  }
}
