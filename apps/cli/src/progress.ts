// Progress of a long command on stderr: a bar with rate and ETA on a terminal (cli-progress),
// one plain line per second otherwise (logs and pipes get no control characters).
import { Bar, Presets } from 'cli-progress';

export interface Progress {
  update(done: number): void;
  stop(summary: string): void;
}

export function progress(label: string, total: number): Progress {
  const started = performance.now();
  const rate = (done: number) => Math.round(done / Math.max(0.001, (performance.now() - started) / 1000));
  if (process.stderr.isTTY) {
    const bar = new Bar({ format: `${label} [{bar}] {value}/{total} {rate}/s ETA {eta_formatted}`, stream: process.stderr, hideCursor: true }, Presets.shades_classic);
    bar.start(Math.max(total, 1), 0, { rate: 0 });
    return {
      update: (done) => bar.update(done, { rate: rate(done) }),
      stop: (summary) => {
        bar.stop();
        process.stderr.write(`${summary}\n`);
      },
    };
  }
  let last = 0;
  return {
    update: (done) => {
      const now = performance.now();
      if (now - last < 1000) return;
      last = now;
      const seconds = Math.round((total - done) / Math.max(1, rate(done)));
      process.stderr.write(`${label}: ${done}/${total} (${rate(done)}/s, about ${seconds} s left)\n`);
    },
    stop: (summary) => process.stderr.write(`${summary}\n`),
  };
}
