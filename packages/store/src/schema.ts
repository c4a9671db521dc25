/**
 * Tables of a Discret database. Entities are signed nodes, relations are signed edges
 * (one row per link), and per-room per-day logs record what changed, which is what sync
 * compares. User fields live in `_json`, keyed by their stable short ids.
 */
export const SCHEMA = `
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA foreign_keys = OFF;
CREATE TABLE IF NOT EXISTS _node (
  id BLOB NOT NULL PRIMARY KEY,
  room_id BLOB,
  _entity TEXT NOT NULL,
  cdate INTEGER NOT NULL,
  mdate INTEGER NOT NULL,
  _json TEXT,
  _binary BLOB,
  verifying_key BLOB NOT NULL,
  _signature BLOB NOT NULL,
  _fts INTEGER
) WITHOUT ROWID, STRICT;
CREATE INDEX IF NOT EXISTS _node_entity_mdate ON _node(_entity, mdate);
CREATE INDEX IF NOT EXISTS _node_room ON _node(room_id, mdate) WHERE room_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS _edge (
  src BLOB NOT NULL,
  src_entity TEXT NOT NULL,
  label TEXT NOT NULL,
  dest BLOB NOT NULL,
  cdate INTEGER NOT NULL,
  verifying_key BLOB NOT NULL,
  _signature BLOB NOT NULL,
  PRIMARY KEY (src, label, dest)
) WITHOUT ROWID, STRICT;
CREATE INDEX IF NOT EXISTS _edge_dest ON _edge(dest);
CREATE TABLE IF NOT EXISTS _daily_log (
  room_id BLOB NOT NULL,
  entity TEXT NOT NULL,
  day INTEGER NOT NULL,
  PRIMARY KEY (room_id, entity, day)
) WITHOUT ROWID, STRICT;
CREATE TABLE IF NOT EXISTS _node_deletion_log (
  room_id BLOB NOT NULL,
  id BLOB NOT NULL,
  entity TEXT NOT NULL,
  deletion_date INTEGER NOT NULL,
  verifying_key BLOB NOT NULL,
  _signature BLOB NOT NULL,
  PRIMARY KEY (room_id, deletion_date, id)
) WITHOUT ROWID, STRICT;
CREATE TABLE IF NOT EXISTS _edge_deletion_log (
  room_id BLOB NOT NULL,
  src BLOB NOT NULL,
  label TEXT NOT NULL,
  dest BLOB NOT NULL,
  deletion_date INTEGER NOT NULL,
  verifying_key BLOB NOT NULL,
  _signature BLOB NOT NULL,
  PRIMARY KEY (room_id, deletion_date, src, label, dest)
) WITHOUT ROWID, STRICT;
CREATE VIRTUAL TABLE IF NOT EXISTS _fts USING fts5(text, tokenize = 'trigram');
-- Text waiting to enter _fts. An FTS5 insert rewrites ~8 pages at commit, more than the row
-- itself, so writes queue their text here and the store moves it into _fts in bulk: shortly
-- after writing, and always before a search() runs. Rowids are shared with _fts.
CREATE TABLE IF NOT EXISTS _fts_pending (id INTEGER PRIMARY KEY, text TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS _data_model (
  version INTEGER PRIMARY KEY,
  text TEXT NOT NULL,
  date INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS _config (
  key TEXT NOT NULL PRIMARY KEY,
  value ANY
) STRICT;
`;

/** `'$."33"'`: the JSON path of a user field inside `_json`, plus an optional sub-path. */
export function fieldPath(shortId: string, subPath = '$'): string {
  return `'$."${shortId}"${subPath.slice(1).replace(/'/g, "''")}'`;
}
