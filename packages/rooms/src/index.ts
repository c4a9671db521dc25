/**
 * @discret/rooms — rooms, authorisations and the rights decision. Pure logic, no I/O.
 */
export { SYSTEM_DATA_MODEL } from './system-model.js';
export { decideWrite, memberAt, rightAt, ROOM_ENTITY, ROOM_STRUCTURE } from './rights.js';
export type { Authorisation, Decision, EntityRight, RoomState, UserAuth, WriteRequest } from './rights.js';
export { applyRoomChange } from './room-change.js';
export type { AuthorisationChange, EntityRightInput, RoomChange, RoomChangeDecision, UserAuthInput } from './room-change.js';
export { replayRoomHistory, structureRecordName } from './history.js';
export type { HistoryVerdict, StructureEdge, StructureKind, StructureLabel, StructureNode } from './history.js';
