import { isBytes } from '@discret/crypto';
import { SyncError, type WireMessage } from '@discret/sync';

/**
 * The beacon protocol's messages, typed end to end: what a client sends, what the beacon
 * answers, and what federated beacons tell each other. Each reader checks a body's shape and
 * bounds before anything uses it; a body that does not decode is the sender's fault (PROTOCOL)
 * and its connection is let go.
 */

/** Client → beacon, first and on each renewal. */
export interface Register {
  tokens: Uint8Array[];
  /** Ports the client listens on (the beacon pairs them with the IP it sees). */
  ports: unknown[];
  /** Relayed (circuit) addresses: the way in behind a NAT. */
  relayed: string[];
}

/** Beacon → client. */
export type ToClient =
  | { type: 'registered'; observed: string }
  | { type: 'refused'; code: string; message: string }
  | { type: 'introduce'; device: Uint8Array; addresses: string[] };

/** Between federated beacons: the first message of a link, then registrations and departures. */
export type LinkMessage =
  | { type: 'federate' }
  | { type: 'mirror'; device: Uint8Array; tokens: Uint8Array[]; addresses: string[] }
  | { type: 'forget'; device: Uint8Array };

const MAX_PORTS = 8;
const MAX_RELAYED = 8;
const MAX_ADDRESSES = 16;
const MAX_ADDRESS_LENGTH = 400;
/** A bound for decoding only; the registry's own limit (maxTokensPerPeer) refuses with LIMIT. */
const MAX_TOKENS_ON_WIRE = 4096;

const malformed = (what: string) => new SyncError('PROTOCOL', what);
const bodyOf = (message: WireMessage, what: string): Record<string, unknown> => {
  const body = message.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw malformed(`${what} has a map body`);
  return body as Record<string, unknown>;
};
const strings = (value: unknown, most: number): string[] =>
  Array.isArray(value) ? value.filter((a): a is string => typeof a === 'string' && a.length < MAX_ADDRESS_LENGTH).slice(0, most) : [];
const tokensOf = (value: unknown, what: string): Uint8Array[] => {
  if (!Array.isArray(value) || value.length > MAX_TOKENS_ON_WIRE || !value.every(isBytes)) throw malformed(`${what} {tokens} is a list of byte strings`);
  return value;
};
const deviceOf = (value: unknown, what: string): Uint8Array => {
  if (!isBytes(value) || value.length !== 32) throw malformed(`${what} {device} is a 32-byte key`);
  return value;
};

export function registerToWire(register: Register): WireMessage {
  return { type: 'register', body: register };
}

export function registerFromWire(message: WireMessage): Register {
  if (message.type !== 'register') throw malformed(`Unexpected ${message.type}`);
  const body = bodyOf(message, 'register');
  const tokens = tokensOf(body.tokens, 'register');
  if (!Array.isArray(body.ports) || body.ports.length > MAX_PORTS) throw malformed('register {ports} is a list of at most 8');
  const relayed = strings(body.relayed, MAX_RELAYED).filter((a) => a.includes('/p2p-circuit'));
  return { tokens, ports: body.ports, relayed };
}

/** A beacon → client or link message as sent: its tag, and the rest as the body. */
export function toWire(message: ToClient | LinkMessage): WireMessage {
  const { type, ...body } = message;
  return { type, body };
}

export function toClientFromWire(message: WireMessage): ToClient {
  const body = bodyOf(message, message.type);
  switch (message.type) {
    case 'registered':
      return { type: 'registered', observed: typeof body.observed === 'string' ? body.observed : '' };
    case 'refused':
      return { type: 'refused', code: String(body.code ?? ''), message: String(body.message ?? '') };
    case 'introduce':
      return { type: 'introduce', device: deviceOf(body.device, 'introduce'), addresses: strings(body.addresses, MAX_ADDRESSES) };
    default:
      throw malformed(`Unexpected ${message.type}`);
  }
}

export function linkFromWire(message: WireMessage): LinkMessage {
  const body = bodyOf(message, message.type);
  switch (message.type) {
    case 'federate':
      return { type: 'federate' };
    case 'mirror':
      return { type: 'mirror', device: deviceOf(body.device, 'mirror'), tokens: tokensOf(body.tokens, 'mirror'), addresses: strings(body.addresses, MAX_ADDRESSES) };
    case 'forget':
      return { type: 'forget', device: deviceOf(body.device, 'forget') };
    default:
      throw malformed(`Unexpected ${message.type}`);
  }
}
