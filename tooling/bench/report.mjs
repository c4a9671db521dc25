// The one report of `pnpm bench`: each figure beside the reference measured in the same run,
// their ratio and the target of the issue that set it. Printed as a table, written to
// bench-results.json and into a section of BENCHMARKS.md with the machine it ran on.
// Figures are reported, never judged: nothing here passes or fails.
import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';

/**
 * @typedef {object} Figure
 * @property {string} group
 * @property {string} operation
 * @property {number} value
 * @property {string} unit           e.g. 'rows/s', 'ms', 'MiB'
 * @property {{ value: number, what: string }} [reference]  measured in the same run
 * @property {string} [target]
 * @property {string} [note]
 */
export class Report {
  /** @type {Figure[]} */
  figures = [];
  started = new Date();

  /** @param {Figure} figure */
  add(figure) {
    this.figures.push(figure);
    return figure.value;
  }

  machine() {
    return {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: availableParallelism(),
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      node: process.version,
      platform: `${process.platform} ${process.arch}`,
    };
  }

  rows() {
    return this.figures.map((f) => ({
      group: f.group,
      operation: f.operation,
      ours: `${format(f.value)} ${f.unit}`,
      reference: f.reference ? `${format(f.reference.value)} ${f.unit} (${f.reference.what})` : '',
      ratio: f.reference ? `${(f.value / f.reference.value).toFixed(2)}x` : '',
      target: f.target ?? '',
      note: f.note ?? '',
    }));
  }

  print() {
    console.table(this.rows());
  }

  /** Writes bench-results.json and replaces the generated section of BENCHMARKS.md. */
  write({ json, markdown, quick, charts = [] }) {
    const machine = this.machine();
    writeFileSync(json, `${JSON.stringify({ date: this.started.toISOString(), quick, machine, figures: this.figures }, null, 1)}\n`);
    const begin = '<!-- bench:begin (written by pnpm bench) -->';
    const end = '<!-- bench:end -->';
    const lines = [
      begin,
      `Run of ${this.started.toISOString().slice(0, 16).replace('T', ' ')} UTC${quick ? ' (`--quick`: smaller sizes)' : ''} on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform}.`,
      '',
      '| group | operation | ours | reference (same run) | ratio | target |',
      '|---|---|---|---|---|---|',
      ...this.rows().map((r) => `| ${r.group} | ${cell(r.operation)}${r.note ? ` (${cell(r.note)})` : ''} | ${r.ours} | ${cell(r.reference)} | ${r.ratio} | ${cell(r.target)} |`),
      '',
      ...(charts.length ? ['Curves:', '', ...charts.map((c) => `- [${c.title}](${c.path})`), ''] : []),
      end,
    ];
    let text;
    try {
      text = readFileSync(markdown, 'utf8');
    } catch {
      text = '# Benchmarks\n\n';
    }
    const from = text.indexOf(begin);
    const to = text.indexOf(end);
    text = from >= 0 && to > from ? `${text.slice(0, from)}${lines.join('\n')}${text.slice(to + end.length)}` : `${text.trimEnd()}\n\n${lines.join('\n')}\n`;
    writeFileSync(markdown, text);
  }
}

function format(n) {
  if (!Number.isFinite(n)) return String(n);
  if (Number.isInteger(n)) return n.toLocaleString('en');
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en');
  if (Math.abs(n) >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

function cell(text) {
  return String(text).replace(/\|/g, '\\|');
}
