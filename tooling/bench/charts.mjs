// The curves of `pnpm bench` as SVG files, drawn by Vega-Lite and rendered by Vega in Node
// (no browser). Each chart is a line per series over a numeric x axis.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';

/**
 * @param {{ file: string, title: string, x: string, y: string, series?: string, points: object[], logX?: boolean, logY?: boolean }} chart
 *   `points` are objects with the fields named by x, y and series.
 */
export async function lineChart({ file, title, x, y, series, points, logX = false, logY = false }) {
  const spec = vegaLite.compile({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title,
    width: 520,
    height: 300,
    background: 'white',
    data: { values: points },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: x, type: 'quantitative', scale: logX ? { type: 'log' } : {}, title: x },
      y: { field: y, type: 'quantitative', scale: logY ? { type: 'log' } : { zero: true }, title: y },
      ...(series ? { color: { field: series, type: 'nominal', title: series } } : {}),
    },
  }).spec;
  const view = new vega.View(vega.parse(spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, svg);
}
