// discret import FILE.jsonl / discret export: rows in and out as JSON Lines, streamed (memory
// stays bounded whatever the file's size), with progress on stderr.
import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { DataModelInfo, Discret, Parameters } from '@discret/core';
import { openFolder, type FolderOptions, withFolder } from '../app.js';
import { EXIT, UsageError } from '../exit.js';
import { progress } from '../progress.js';
import { withFolderOptions } from './folder-options.js';
import { run } from './run.js';

/** Writes in flight at once: enough for the writer to batch them, and a bound on memory. */
const WINDOW = 256;
const PAGE = 1000;

type EntityJson = DataModelInfo['model']['namespaces'][number]['entities'][number];

function findEntity(model: DataModelInfo['model'], fullName: string): EntityJson {
  const [namespace, name] = fullName.includes('.') ? fullName.split('.') as [string, string] : ['', fullName];
  const entity = model.namespaces.find((n) => n.name === namespace)?.entities.find((e) => e.name === name);
  if (!entity) throw new UsageError(`no entity ${fullName} in the data model`);
  return entity;
}

/** The user fields an import can set and an export writes: the scalar ones. */
const scalarFields = (entity: EntityJson) => entity.fields.filter((f) => !f.type.startsWith('[') && /^(String|Integer|Float|Boolean|Base64|Json)$/.test(f.type.replace(/ nullable$/, '')));

async function countLines(file: string): Promise<number> {
  let lines = 0;
  for await (const chunk of createReadStream(file)) for (const byte of chunk as Buffer) if (byte === 10) lines++;
  return lines;
}

/** Checks a parsed line: an object whose keys are scalar fields of the entity (or `_entity`). */
function checkRow(row: unknown, fields: Set<string>): asserts row is Record<string, unknown> {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) throw new Error('not a JSON object');
  for (const key of Object.keys(row)) if (key !== '_entity' && !fields.has(key)) throw new Error(`no field '${key}' to import into`);
}

async function importFile(app: Discret, file: string, entityName: string | undefined, options: { room?: string; strict?: boolean }): Promise<number> {
  const model = (await app.dataModel()).model;
  const fieldsOf = new Map<string, Set<string>>();
  /** The entity a row goes into (--entity, else its "_entity") and that entity's scalar fields. */
  const target = (row: unknown): [string, Set<string>] => {
    const name = entityName ?? (row as { _entity?: unknown } | null)?._entity;
    if (typeof name !== 'string') throw new Error('no entity: give --entity, or an "_entity" in each line');
    let fields = fieldsOf.get(name);
    if (!fields) {
      fields = new Set(scalarFields(findEntity(model, name)).map((f) => f.name));
      fieldsOf.set(name, fields);
    }
    return [name, fields];
  };
  if (entityName) target({});
  const total = await countLines(file);
  const lines = () => createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  if (options.strict) {
    // a malformed file imports nothing: every line is checked before the first write
    let n = 0;
    for await (const text of lines()) {
      n++;
      if (!text.trim()) continue;
      try {
        const row: unknown = JSON.parse(text);
        checkRow(row, target(row)[1]);
      } catch (error) {
        throw new UsageError(`${file} line ${n}: ${(error as Error).message} (--strict: nothing imported)`);
      }
    }
  }
  const shown = progress('importing', total);
  const stream = app.mutationStream();
  const inFlight = new Set<Promise<unknown>>();
  let n = 0;
  let imported = 0;
  let refused = 0;
  let stop: Error | null = null;
  const refuse = (line: number, error: unknown) => {
    refused++;
    // the position of an error is in the mutation made from the line, not in the file: left out
    const { code, message } = error as { code?: string; message?: string };
    process.stderr.write(`${file} line ${line}: ${code ? `${code}: ` : ''}${(message ?? String(error)).replace(/\s*\(line \d+, column \d+\)$/, '')}\n`);
    if (options.strict) stop ??= new Error(`stopped at line ${line} (--strict); the ${imported} rows before it are imported`);
  };
  for await (const text of lines()) {
    n++;
    if (stop) break;
    if (!text.trim()) continue;
    const line = n;
    let row: Record<string, unknown>;
    let name: string;
    try {
      const parsed: unknown = JSON.parse(text);
      const [entity, fields] = target(parsed);
      checkRow(parsed, fields);
      row = parsed;
      name = entity;
    } catch (error) {
      refuse(line, error);
      continue;
    }
    const keys = Object.keys(row).filter((k) => k !== '_entity');
    const params: Parameters = {};
    for (const [i, key] of keys.entries()) {
      const value = row[key];
      params[`v${i}`] = value as Parameters[string];
    }
    if (options.room) params.room = options.room;
    const body = [...(options.room ? ['room_id: $room'] : []), ...keys.map((k, i) => `${k}: $v${i}`)].join(' ');
    const write = stream.write(`mutate { ${name} { ${body} } }`, params).then(() => {
      imported++;
    }, (error: unknown) => refuse(line, error));
    inFlight.add(write);
    void write.finally(() => inFlight.delete(write));
    if (inFlight.size >= WINDOW) await Promise.race(inFlight);
    shown.update(n);
  }
  await Promise.all(inFlight);
  await stream.flush().catch(() => {});
  shown.stop(`imported ${imported} rows${entityName ? ` into ${entityName}` : ''}${refused ? `, ${refused} lines refused` : ''}`);
  if (stop) throw stop;
  return refused;
}

async function exportRows(app: Discret, entityName: string, options: { room?: string; withSystem?: boolean; tag?: boolean }, write: (line: string) => Promise<void>): Promise<number> {
  const entity = findEntity((await app.dataModel()).model, entityName);
  const fields = scalarFields(entity).map((f) => f.name);
  const system = ['id', 'room_id', 'cdate', 'mdate', 'verifying_key'];
  const where = options.room ? ', room_id = $room' : '';
  const room = options.room ? { room: options.room } : {};
  const counted = await app.query<{ c: { n: number }[] }>(`query { c: ${entityName}${options.room ? '(room_id = $room)' : ''} { n: count() } }`, room);
  const total = counted.c[0]?.n ?? 0;
  const shown = progress(`exporting ${entityName}`, total);
  let after: [number, string] | null = null;
  let done = 0;
  for (;;) {
    const page: { r: Record<string, unknown>[] } = await app.query(`query { r: ${entityName}(order_by(mdate asc, id asc), first ${PAGE}${after ? ', after($mdate, $id)' : ''}${where}) { ${[...new Set([...system, ...fields])].join(' ')} } }`,
      { ...room, ...(after ? { mdate: after[0], id: after[1] } : {}) });
    for (const row of page.r) {
      const out: Record<string, unknown> = options.tag ? { _entity: entityName } : {};
      for (const key of options.withSystem ? [...system, ...fields] : fields) out[key] = row[key];
      await write(JSON.stringify(out));
    }
    done += page.r.length;
    shown.update(done);
    if (page.r.length < PAGE) break;
    const last = page.r.at(-1)!;
    after = [last.mdate as number, last.id as string];
  }
  shown.stop(`exported ${done} rows of ${entityName}`);
  return done;
}

export function transferCommands(program: Command): void {
  withFolderOptions(program.command('import <file>').description('import a JSON Lines file: one object of field values per line, into one entity'))
    .option('--entity <name>', 'the entity the rows go into, e.g. shop.Person (else each line\'s "_entity", as `export --room` writes)')
    .option('--room <id>', 'the room the rows go into')
    .option('--strict', 'check every line first (a malformed file imports nothing) and stop at the first refused row')
    .action((file: string, options: FolderOptions & { entity?: string; room?: string; strict?: boolean }) => run(async (context) => {
      await withFolder(options, async (app) => {
        const refused = await importFile(app, file, options.entity, options);
        if (refused) process.exitCode = EXIT.failed;
      }, context);
    }));

  withFolderOptions(program.command('export').description('export rows as JSON Lines: an entity, or every entity of a room'))
    .option('--entity <name>', 'the entity to export')
    .option('--room <id>', 'only the rows of this room; without --entity, every entity of the model (each line tagged "_entity")')
    .option('--with-system', 'include id, room_id, cdate, mdate and verifying_key')
    .option('--out <file>', 'write here instead of standard output')
    .action((options: FolderOptions & { entity?: string; room?: string; withSystem?: boolean; out?: string }) => run(async (context) => {
      if (!options.entity && !options.room) throw new UsageError('give --entity, --room, or both');
      const app = await openFolder(options, undefined, context);
      const out = options.out ? createWriteStream(options.out) : process.stdout;
      const write = (line: string) => new Promise<void>((done, fail) => {
        if (out.write(`${line}\n`)) done();
        else out.once('drain', done).once('error', fail);
      });
      try {
        const model = (await app.dataModel()).model;
        const entities = options.entity ? [options.entity] : model.namespaces.filter((n) => n.name !== 'sys').flatMap((n) => n.entities.map((e) => (n.name ? `${n.name}.${e.name}` : e.name)));
        for (const entity of entities) await exportRows(app, entity, { room: options.room, withSystem: options.withSystem, tag: !options.entity }, write);
      } finally {
        if (options.out) await new Promise((done) => (out as ReturnType<typeof createWriteStream>).end(done));
        await app.close();
      }
    }));
}
