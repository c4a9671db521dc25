/**
 * @discret/rooms — rooms, authorisations and the rights decision. Pure logic, no I/O.
 */
export { SYSTEM_DATA_MODEL } from './system-model.js';
export { decideWrite, memberAt, rightAt } from './rights.js';
export type { Authorisation, Decision, EntityRight, RoomState, UserAuth, WriteRequest } from './rights.js';
