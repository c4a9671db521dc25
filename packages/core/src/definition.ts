import { base64url } from '@discret/crypto';
import type { DataModel } from '@discret/lang';
import {
  replayRoomHistory, ROOM_STRUCTURE, structureRecordName, type RoomState, type StructureEdge, type StructureKind, type StructureLabel, type StructureNode,
} from '@discret/rooms';
import type { EdgeRecord, NodeRecord, RecordBatch } from '@discret/store';

/**
 * A room definition received from a peer, judged before any of it is stored: the room's
 * structure rows we already have plus the received ones are decoded into @discret/rooms'
 * neutral form and replayed as a history (`replayRoomHistory`). Only received records that the
 * replay accepts are imported.
 */

const KINDS: Record<string, StructureKind> = {
  'sys.Room': 'room', 'sys.Authorisation': 'authorisation', 'sys.UserAuth': 'userAuth', 'sys.EntityRight': 'entityRight',
};
const LABELS = new Set<StructureLabel>(['admin', 'authorisations', 'rights', 'users', 'user_admin']);

/** Short ids of the structure entities (`sys.Room`, ...), to tell a room's definition from its data. */
export function structureEntityIds(model: DataModel): Set<string> {
  return new Set([...ROOM_STRUCTURE].map((name) => model.entities.get(name)!.shortId));
}

export interface DefinitionVerdict {
  room: RoomState | undefined;
  /** The received records the history accepts (a subset of what was received). */
  accepted: Required<RecordBatch>;
  /** Why the others were refused, by record name (node id, or `src:label:dest`). */
  rejected: Map<string, string>;
}

export function judgeDefinition(model: DataModel, roomId: string, stored: Required<RecordBatch>, received: Required<RecordBatch>): DefinitionVerdict {
  const nodes = new Map<string, StructureNode>();
  const edges = new Map<string, StructureEdge>();
  const rejected = new Map<string, string>();
  const decodeNode = (r: NodeRecord): StructureNode | string => {
    const entity = model.entitiesByShortId.get(r.entity);
    const kind = entity ? KINDS[entity.fullName] : undefined;
    if (!entity || !kind) return 'not a room structure entity';
    if (r.roomId === null || base64url(r.roomId) !== roomId) return 'a structure row of another room';
    let json: Record<string, unknown> = {};
    try {
      json = r.json ? (JSON.parse(r.json) as Record<string, unknown>) : {};
    } catch {
      return 'json is not an object';
    }
    const field = (name: string) => {
      const f = entity.fieldsByName.get(name);
      return f ? json[f.shortId] : undefined;
    };
    const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
    return {
      id: base64url(r.id), kind, cdate: r.cdate, mdate: r.mdate, author: base64url(r.verifyingKey),
      name: text(field('name')), verifyingKey: text(field('verif_key')), enabled: field('enabled') !== false,
      entity: text(field('entity')), mutateSelf: field('mutate_self') === true, mutateAll: field('mutate_all') === true,
    };
  };
  const decodeEdge = (r: EdgeRecord): StructureEdge | string => {
    const entity = model.entitiesByShortId.get(r.srcEntity);
    const label = entity?.fieldsByShortId.get(r.label)?.name as StructureLabel | undefined;
    if (!entity || !KINDS[entity.fullName] || !label || !LABELS.has(label)) return 'not a room structure relation';
    return { src: base64url(r.src), label, dest: base64url(r.dest), date: r.cdate, author: base64url(r.verifyingKey) };
  };
  // Received versions replace stored ones of the same row when newer (as the import would).
  for (const batch of [stored, received]) {
    for (const r of batch.nodes) {
      const node = decodeNode(r);
      if (typeof node === 'string') rejected.set(base64url(r.id), node);
      else if ((nodes.get(node.id)?.mdate ?? -1) <= node.mdate) nodes.set(node.id, node);
    }
    for (const r of batch.edges) {
      const edge = decodeEdge(r);
      if (typeof edge === 'string') rejected.set(`${base64url(r.src)}:${r.label}:${base64url(r.dest)}`, edge);
      else edges.set(structureRecordName(edge), edge);
    }
  }
  const verdict = replayRoomHistory(roomId, [...nodes.values()], [...edges.values()]);
  for (const [name, why] of verdict.rejected) rejected.set(name, why);
  const ok = (name: string) => !rejected.has(name);
  return {
    room: verdict.room,
    rejected,
    accepted: {
      nodes: received.nodes.filter((r) => ok(base64url(r.id))),
      edges: received.edges.filter((r) => {
        const edge = decodeEdge(r);
        return typeof edge !== 'string' && ok(structureRecordName(edge));
      }),
      // Room definitions are never deleted.
      nodeDeletions: [],
      edgeDeletions: [],
    },
  };
}
