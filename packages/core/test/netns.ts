// Processes inside network namespaces that a test creates, for the LAN and NAT tests: start one,
// wait (bounded) for a line it prints, stop them all, and remove the namespaces afterwards.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';

export const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' });
const sh = (...args: string[]) => execFileSync(args[0]!, args.slice(1), { stdio: 'pipe' });

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

/** inet (the beacon), two routers doing NAT, two homes behind them. */
export function natTopology(randomFully: boolean) {
  const tag = `${process.pid % 1000}${Math.floor(Math.random() * 10)}`;
  const ns = { inet: `dn-i${tag}`, ra: `dn-ra${tag}`, rb: `dn-rb${tag}`, ha: `dn-ha${tag}`, hb: `dn-hb${tag}` };
  const made: string[] = [];
  const remove = () => removeNamespaces(made);
  const inNs = (name: string, ...args: string[]) => sh('ip', 'netns', 'exec', name, ...args);
  try {
    for (const name of Object.values(ns)) {
      sh('ip', 'netns', 'add', name);
      made.push(name);
      inNs(name, 'ip', 'link', 'set', 'lo', 'up');
      inNs(name, 'sysctl', '-qw', 'net.ipv4.conf.all.rp_filter=0');
    }
    const link = (a: string, devA: string, ipA: string, b: string, devB: string, ipB: string) => {
      sh('ip', 'link', 'add', devA, 'netns', a, 'type', 'veth', 'peer', 'name', devB, 'netns', b);
      inNs(a, 'ip', 'addr', 'add', ipA, 'dev', devA);
      inNs(b, 'ip', 'addr', 'add', ipB, 'dev', devB);
      inNs(a, 'ip', 'link', 'set', devA, 'up');
      inNs(b, 'ip', 'link', 'set', devB, 'up');
    };
    link(ns.inet, `ia${tag}`, '10.77.1.1/24', ns.ra, `pa${tag}`, '10.77.1.2/24');
    link(ns.inet, `ib${tag}`, '10.77.2.1/24', ns.rb, `pb${tag}`, '10.77.2.2/24');
    link(ns.ra, `la${tag}`, '192.168.10.1/24', ns.ha, `ha${tag}`, '192.168.10.2/24');
    link(ns.rb, `lb${tag}`, '192.168.20.1/24', ns.hb, `hb${tag}`, '192.168.20.2/24');
    for (const [router, out, gateway] of [[ns.ra, `pa${tag}`, '10.77.1.1'], [ns.rb, `pb${tag}`, '10.77.2.1']] as const) {
      inNs(router, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
      inNs(router, 'ip', 'route', 'add', 'default', 'via', gateway);
      inNs(router, 'iptables', '-t', 'nat', '-A', 'POSTROUTING', '-o', out, '-j', 'MASQUERADE', ...(randomFully ? ['--random-fully'] : []));
      // A home router's firewall: nothing unsolicited from the internet reaches the router
      // itself. Without it, a hole-punching packet that arrives first leaves a conntrack entry
      // that makes the router pick another port for the answer (no direct path ever).
      inNs(router, 'iptables', '-A', 'INPUT', '-i', out, '-m', 'conntrack', '--ctstate', 'NEW', '-j', 'DROP');
    }
    // the "internet" routes between the routers' public addresses, as the real one does
    inNs(ns.inet, 'sysctl', '-qw', 'net.ipv4.ip_forward=1');
    inNs(ns.ha, 'ip', 'route', 'add', 'default', 'via', '192.168.10.1');
    inNs(ns.hb, 'ip', 'route', 'add', 'default', 'via', '192.168.20.1');
  } catch (error) {
    remove();
    throw error;
  }
  return { ns, remove };
}

/**
 * A LAN: a hub namespace with a bridge, and `count` host namespaces linked to it, host i at
 * `${subnet}.${i + 1}/24`, with multicast routed on its link (discovery stays on this LAN).
 */
export function lanTopology(count: number, prefix: string, subnet: string) {
  const tag = `${process.pid % 10000}${Math.floor(Math.random() * 100)}`;
  const hub = `${prefix}-h-${tag}`;
  const hosts = Array.from({ length: count }, (_, i) => `${prefix}-${i}-${tag}`);
  const address = (i: number) => `${subnet}.${i + 1}`;
  const made: string[] = [];
  try {
    for (const ns of [hub, ...hosts]) {
      ip('netns', 'add', ns);
      made.push(ns);
      ip('-n', ns, 'link', 'set', 'lo', 'up');
    }
    ip('-n', hub, 'link', 'add', 'br0', 'type', 'bridge');
    ip('-n', hub, 'link', 'set', 'br0', 'up');
    hosts.forEach((ns, i) => {
      const [inHost, inHub] = [`${prefix}${i}${tag}`, `hb${i}${tag}`];
      ip('link', 'add', inHost, 'netns', ns, 'type', 'veth', 'peer', 'name', inHub, 'netns', hub);
      ip('-n', hub, 'link', 'set', inHub, 'master', 'br0');
      ip('-n', hub, 'link', 'set', inHub, 'up');
      ip('-n', ns, 'addr', 'add', `${address(i)}/24`, 'dev', inHost);
      ip('-n', ns, 'link', 'set', inHost, 'up');
      ip('-n', ns, 'route', 'add', '224.0.0.0/4', 'dev', inHost);
    });
  } catch (error) {
    removeNamespaces(made);
    throw error;
  }
  return { hosts, address, remove: () => removeNamespaces(made) };
}
