/**
 * Runs of single-row INSERTs turned into multi-row ones. A bulk write queues two or three
 * INSERTs per row (the row, its text for the index, ...); SQLite runs `INSERT ... VALUES
 * (...), (...), ...` of 16 rows in less time than 16 statements, and each statement also
 * costs a call from JavaScript (measured: 13.4 → 11.5 µs a row for a raw insert of rows of
 * our shape). Pure: it decides, the driver runs.
 *
 * Within a run of consecutive INSERTs, the rows of one table keep their order: a second
 * INSERT text on a table ends the run, so that every row of a table goes in the order it was
 * queued whatever its conflict clause. Statements of different tables may trade places: the
 * store's tables have no triggers and its foreign keys are off, so an insert into one table
 * never sees another's. A multi-row statement fails as a whole where single ones would stop
 * half-way; the writer rolls back a failed batch entirely either way.
 */

export interface InsertShape {
  table: string;
  /** `INSERT ... INTO t (a, b)`, without its VALUES. */
  head: string;
  /** `(?, ?)`, one row's placeholders. */
  tuple: string;
  /** The statement inserting ROWS_PER_INSERT rows. */
  groupSql: string;
}

/** Rows per multi-row statement; a run's remainder goes row by row. */
export const ROWS_PER_INSERT = 16;

const INSERT = /^(INSERT(?: OR (?:REPLACE|IGNORE|ABORT|FAIL|ROLLBACK))? INTO ([A-Za-z_][A-Za-z0-9_]*)(?: \([A-Za-z0-9_, ]+\))?) VALUES (\((?:\?, )*\?\))$/;
const shapes = new Map<string, InsertShape | null>();

/** The shape of a single-row INSERT with only placeholders as values; null for anything else. */
export function insertShape(sql: string): InsertShape | null {
  let shape = shapes.get(sql);
  if (shape === undefined) {
    const match = INSERT.exec(sql);
    shape = match ? { head: match[1]!, table: match[2]!, tuple: match[3]!, groupSql: `${match[1]!} VALUES ${Array(ROWS_PER_INSERT).fill(match[3]!).join(', ')}` } : null;
    // Texts come from the store's code, a bounded set; guard the map anyway.
    if (shapes.size < 1000) shapes.set(sql, shape);
  }
  return shape;
}

export interface Step<P> {
  sql: string;
  params: P;
}

/** What to run: one step as it is, or rows of one INSERT text to insert together. */
export type Planned<P> = { step: Step<P> } | { sql: string; rows: P[] };

/**
 * The steps, in an order and grouping that has the same effect: each run of INSERTs becomes,
 * per INSERT text, its rows in order (in groups of up to ROWS_PER_INSERT); every other step
 * stays where it is.
 */
export function planSteps<P>(steps: readonly Step<P>[]): Planned<P>[] {
  const planned: Planned<P>[] = [];
  let i = 0;
  while (i < steps.length) {
    const first = insertShape(steps[i]!.sql);
    if (!first) {
      planned.push({ step: steps[i]! });
      i++;
      continue;
    }
    // A run: consecutive INSERTs, at most one text per table.
    const byText = new Map<string, { shape: InsertShape; rows: P[] }>();
    const textOfTable = new Map<string, string>();
    while (i < steps.length) {
      const step = steps[i]!;
      const shape = insertShape(step.sql);
      if (!shape) break;
      const text = textOfTable.get(shape.table);
      if (text !== undefined && text !== step.sql) break;
      textOfTable.set(shape.table, step.sql);
      const group = byText.get(step.sql);
      if (group) group.rows.push(step.params);
      else byText.set(step.sql, { shape, rows: [step.params] });
      i++;
    }
    for (const [sql, { shape, rows }] of byText) {
      let r = 0;
      for (; r + ROWS_PER_INSERT <= rows.length; r += ROWS_PER_INSERT) planned.push({ sql: shape.groupSql, rows: rows.slice(r, r + ROWS_PER_INSERT) });
      for (; r < rows.length; r++) planned.push({ step: { sql, params: rows[r]! } });
    }
  }
  return planned;
}
