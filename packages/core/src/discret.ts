import { base64url, type CryptoPool, deriveAppKeys, hash, utf8 } from '@discret/crypto';
import { DataModel, validateMutation, type DataModelJson, type Parameters } from '@discret/lang';
import { componentLogger, createLogger, type Logger } from '@discret/log';
import { SYSTEM_DATA_MODEL } from '@discret/rooms';
import { Store, type StoreDriver } from '@discret/store';
import type { Transport } from '@discret/sync';
import type { DiscretComponents } from './components.js';
import { resolveConfiguration, type Configuration } from './config.js';
import { DiscretError, wrap } from './errors.js';
import { changedDays, EVENT_TYPES, EventHub, type DiscretEvent, type DiscretEventType, type EventOf } from './events.js';
import { InviteBook } from './invite-book.js';
import { type LiveQuery, LiveQueryHub } from './live-queries.js';
import { createMutationStream, type MutationStream } from './mutation-stream.js';
import { Network } from './network.js';
import { checkOpenOptions, makeDataFolder } from './open-options.js';
import { ensureOwnRows, loadDeviceKey } from './own-rows.js';
import { platform } from './platform.js';
import { newRoomIds, type RoomGrant, RoomRegistry } from './rooms.js';
import { watchLive } from './watch.js';
import { type BlobInput, BlobService, type BlobStatus } from './blob-service.js';

export interface DiscretOptions {
  /**
   * The app's data model, in the data language: installed on first open, and a (safe) update
   * when it differs from the stored one. Absent: the model stored in the database is used
   * (tools that open any app's folder); a new database then fails with INVALID_CONFIGURATION.
   */
  dataModel?: string;
  /** Unique per application, e.g. `github.com/me/my_app`: keys and files derive from it. */
  appKey: string;
  /** 32 bytes from `derivePassPhrase(login, password)` (or your own key management). */
  keyMaterial: Uint8Array;
  /** Folder of the database file; created if missing. */
  dataFolder: string;
  config?: Partial<Configuration>;
  /** Storage driver; SQLCipher (encrypted at rest) by default. `nodeSqliteDriver()` is unencrypted. */
  driver?: StoreDriver;
  /** Where Discret logs (pino-compatible); by default pino to stderr at `warn` (`DISCRET_LOG` changes it). */
  logger?: Logger;
  /**
   * Worker threads for bulk signing and verification, shared with other instances if you like;
   * one is made (and closed with the instance) when absent.
   */
  cryptoPool?: CryptoPool;
  /**
   * The network. By default, as upstream, `libp2pTransport()`: QUIC and TCP on all interfaces,
   * peers found on the LAN by multicast (`config.enableMulticast`) and through `config.beacons`.
   * Give `libp2pTransport({ listen: [...] })` or `memoryTransport(...)` to choose, or `'none'`
   * for a local database that never touches the network (invites can still be made).
   */
  transport?: Transport | 'none';
}

declare const resultType: unique symbol;

/**
 * A query text that carries the type of its result, as `discret codegen` writes them:
 * `app.query(PeopleQuery)` is then typed `Promise<PeopleQueryResult>`. Any string is one.
 */
export type TypedQuery<R> = string & { readonly [resultType]?: R };

/** Options of one request. */
export interface RequestOptions {
  /** Aborted before the request runs: it has no effect and rejects with ABORTED. */
  signal?: AbortSignal;
}

/** The data model as text and as its resolved JSON form. */
export interface DataModelInfo {
  text: string;
  model: DataModelJson;
}

const builtins = DataModel.parse(SYSTEM_DATA_MODEL, { builtin: true });

/** The database file of an app in a folder: named from the app key, so one folder holds many apps. */
export function databaseFile(dataFolder: string, appKey: string): string {
  return platform().databasePath(dataFolder, `${base64url(hash(utf8(`discret/database/v1:${appKey}`))).slice(0, 22)}.db`);
}

/** True when `dataFolder` holds a database for this app key. */
export function databaseExists(appKey: string, dataFolder: string): boolean {
  return platform().databaseExists(databaseFile(dataFolder, appKey));
}

/**
 * A local-first, encrypted, signed data store for one user of one app.
 *
 * @example
 * const app = await Discret.open({ dataModel: 'chat { Message { content: String } }',
 *   appKey: 'github.com/me/chat', keyMaterial: await derivePassPhrase('me', 'pw'), dataFolder: './data' });
 * await app.mutate('mutate { m: chat.Message { content: "hi" } }');
 * const { m } = await app.query<{ m: { content: string }[] }>('query { m: chat.Message { content } }');
 */
export class Discret {
  /** base64url of the user's ed25519 public key: the user's identity. */
  readonly verifyingKey: string;
  /** Id of the room only this user's own devices share. */
  readonly privateRoom: string;
  /**
   * base64url public key of this install's device key: the transport identity peers see. Random
   * per install (not derived from the password), kept in the encrypted database.
   */
  readonly deviceKey: string;
  /** The settings in force (defaults filled in). */
  readonly config: Readonly<Configuration>;

  private closed = false;

  private readonly invites: InviteBook;

  private constructor(
    private readonly parts: DiscretComponents,
    private readonly ownsPool: boolean,
    private readonly net: Network | undefined,
  ) {
    this.invites = new InviteBook(parts);
    this.deviceKey = parts.deviceKey.verifyingKey;
    this.verifyingKey = parts.keys.signingKey.verifyingKey;
    this.privateRoom = base64url(parts.keys.privateRoomId);
    this.config = parts.config;
  }

  /** Opens (or creates) the user's database for this app and installs or updates the data model. */
  static async open(options: DiscretOptions): Promise<Discret> {
    return wrap(async () => {
      checkOpenOptions(options);
      const config = Object.freeze(resolveConfiguration(options.config));
      const keys = deriveAppKeys(options.keyMaterial, options.appKey);
      makeDataFolder(options.dataFolder);
      const logger = options.logger ?? createLogger();
      const events = new EventHub(componentLogger(logger, 'events'), config.eventQueueLength);
      let store: Store<RoomGrant> | undefined;
      let blobs: BlobService | undefined;
      const live = new LiveQueryHub({ dataModel: () => store!.dataModel, run: (query, params) => store!.query(query, params) });
      // Bulk signing on worker threads. One core is left to this thread, which runs SQLite:
      // on 2 cores one worker measured as fast as two (pnpm bench).
      const cryptoPool = options.cryptoPool ?? platform().createCryptoPool(Math.max(0, Math.min(config.parallelism, platform().availableParallelism() - 1)));
      const rooms = new RoomRegistry(base64url(keys.privateRoomId), keys.signingKey.verifyingKey);
      let network: Network | undefined;
      try {
        store = await Store.open<RoomGrant>({
          path: databaseFile(options.dataFolder, options.appKey),
          key: keys.databaseKey,
          signingKey: keys.signingKey,
          // Absent: the store's default for this runtime (SQLCipher on Node, OPFS in a browser).
          driver: options.driver,
          builtins,
          maxObjectSizeInKb: config.maxObjectSizeInKb,
          writeBufferLength: config.writeBufferLength,
          readCacheSizeInKb: config.readCacheSizeInKb,
          writeCacheSizeInKb: config.writeCacheSizeInKb,
          cryptoPool,
          policy: rooms,
          logger,
          onChange: (changes, sources, items, touched, rows) => {
            live.changed(touched, rows, sources);
            blobs?.rowsChanged(rows, [...sources.values()].some((from) => [...from].some((s) => s !== null)));
            if (!changes.size) return; // local data only
            events.emit({ type: 'DataChanged', rooms: changedDays(changes) });
            network?.roomsChanged([...changes.keys()], sources, items);
          },
        });
        if (options.dataModel !== undefined) await store.setDataModel(options.dataModel);
        else if (store.dataModel.text === '') throw new DiscretError('INVALID_CONFIGURATION', 'This database holds no data model yet: give dataModel');
        await rooms.loadAll(store);
        const deviceKey = await loadDeviceKey(store);
        await ensureOwnRows(store, keys);
        const owner = keys.signingKey.verifyingKey;
        blobs = new BlobService({
          store, events, config, logger: componentLogger(logger, 'blobs'), readFile: platform().readFile,
          isMember: (room) => room === base64url(keys.privateRoomId) || rooms.roomsOf(owner).includes(room),
          peers: async (room) => network?.blobPeers(room) ?? [],
        });
        const parts: DiscretComponents = { config, logger, cryptoPool, events, live, store, rooms, keys, deviceKey, appKey: options.appKey, blobs };
        // As upstream, networked unless told otherwise.
        const transport = options.transport === 'none' ? undefined : (options.transport ?? platform().defaultTransport(config));
        if (transport) network = await Network.start(parts, transport);
        return new Discret(parts, !options.cryptoPool, network);
      } catch (err) {
        blobs?.close();
        await network?.stop();
        await store?.close();
        if (!options.cryptoPool) await cryptoPool.close();
        throw err;
      }
    });
  }

  /** Runs a mutation; returns the written tuples keyed by alias, each with its `id`. */
  mutate<T = Record<string, Record<string, unknown>>>(text: string, params?: Parameters, options: RequestOptions = {}): Promise<T> {
    return wrap(async () => {
      const { store, rooms, events } = this.open_();
      // Room definitions are judged as a whole before anything is written (see rooms.ts).
      const resolved = validateMutation(store.dataModel, text);
      const grant = rooms.planMutation(resolved, params, this.verifyingKey, Date.now());
      const result = await store.mutate(resolved, params, { grant, signal: options?.signal });
      if (grant) {
        const changed = [...grant.rooms, ...newRoomIds(resolved.entities, result)];
        for (const room of changed) {
          await rooms.reload(store, room);
          events.emit({ type: 'RoomModified', room });
        }
        // Told again now that the rooms are reloaded: a peer just added to a room may read it.
        this.net?.roomsChanged(changed);
      }
      return result as T;
    }, options?.signal);
  }

  /** Runs a query; returns `{ alias: rows[] }`. */
  query<T = Record<string, unknown[]>>(text: TypedQuery<T>, params?: Parameters, options: RequestOptions = {}): Promise<T> {
    return wrap(() => this.open_().store.query(text, params) as Promise<T>, options?.signal);
  }

  /**
   * A query result that stays current, shared by every call with the same text and parameters:
   * `current` (undefined until the first run ends), `ready`, and `subscribe(listener)`, the shape
   * React's `useSyncExternalStore` takes. It re-runs only after commits (local, or received by
   * sync) that touch an entity it reads, in the rooms it reads; a result equal to the last is not
   * announced, and rows that did not change keep their objects. Language errors throw here.
   */
  liveQuery<T = Record<string, unknown[]>>(text: TypedQuery<T>, params?: Parameters): LiveQuery<T> {
    return this.open_().live.liveQuery<T>(text, params);
  }

  /**
   * The results of a query as they change: the current one first, then one per change (see
   * `liveQuery`). Ends when `signal` aborts or the app closes. Language errors throw at the call.
   */
  watch<T = Record<string, unknown[]>>(text: TypedQuery<T>, params?: Parameters, options: RequestOptions = {}): AsyncIterable<T> {
    const { live } = this.open_();
    return watchLive(live, live.liveQuery<T>(text, params), options.signal);
  }

  /**
   * Stores a file as a blob of `room`, streamed in (never held whole), encrypted in the
   * database; resolves `{ id, size }` once every byte is committed. Store the id in any String
   * field of a row of that room: members who read the row fetch the bytes with `getBlob`.
   */
  putBlob(data: BlobInput, options: { room: string; signal?: AbortSignal }): Promise<{ id: string; size: number }> {
    return wrap(() => this.open_().blobs.put(data, options), options?.signal);
  }

  /**
   * A blob's bytes (or `range`, `end` excluded) as a stream: from this device, or fetched from
   * connected members of its room as it is read, each 64 KiB verified before it is returned.
   * The stream errors with NOT_FOUND when no connected peer can send a part not held here.
   */
  getBlob(id: string, options: { signal?: AbortSignal; range?: { start: number; end?: number } } = {}): ReadableStream<Uint8Array> {
    return this.open_().blobs.get(id, options);
  }

  /** What this device holds of a blob: `local`, `partial` or `missing`, and the bytes held. */
  blobStatus(id: string): Promise<BlobStatus> {
    return wrap(() => this.open_().blobs.status(id));
  }

  /**
   * Frees the blobs no row references, except those put or fetched within `graceMs` (default
   * `config.blobGraceInMs`) and those being written; runs by itself every
   * `config.blobCollectionIntervalInMs`. Resolves what was freed.
   */
  collectBlobs(options: { graceMs?: number } = {}): Promise<{ blobs: number; bytes: number }> {
    return wrap(() => this.open_().blobs.collect(options));
  }

  /** Deletes entities, or only the named relation links. */
  delete(text: string, params?: Parameters, options: RequestOptions = {}): Promise<void> {
    return wrap(() => this.open_().store.delete(text, params, { signal: options?.signal }), options?.signal);
  }

  /**
   * Runs one mutation once per parameter set, in one transaction: all are written, or none
   * (the first failure rejects the call). The fast way to load data: the text is validated
   * once, every parameter set is checked before anything is written, and rows are built while
   * the crypto pool signs the ones before. Resolves to the written tuples, in order. A call is
   * one transaction: load a large data set in calls of some thousands of rows.
   */
  mutateMany<T = Record<string, Record<string, unknown>>>(text: string, paramSets: readonly Parameters[], options: RequestOptions = {}): Promise<T[]> {
    return wrap(async () => {
      const { store, rooms } = this.open_();
      const resolved = validateMutation(store.dataModel, text);
      if (!Array.isArray(paramSets)) throw new DiscretError('INVALID_ARGUMENT', `mutateMany takes an array of parameter objects, not ${paramSets === null ? 'null' : typeof paramSets}`);
      // Room definitions are judged one request at a time, with the rooms reloaded in between.
      const now = Date.now();
      if (paramSets.some((params) => rooms.planMutation(resolved, params, this.verifyingKey, now))) {
        const results: T[] = [];
        for (const params of paramSets) results.push(await this.mutate<T>(text, params, options));
        return results;
      }
      return (await store.mutateMany(resolved, paramSets, { signal: options?.signal })) as T[];
    }, options?.signal);
  }

  /**
   * A bulk writer: `write()` many mutations without awaiting each. Writes issued together
   * are handed to the store in bulk (consecutive writes of the same text as one `mutateMany`);
   * each still succeeds or fails on its own: when a bulk fails, its writes are retried one
   * by one, so only the bad ones are rejected.
   */
  mutationStream(): MutationStream {
    return createMutationStream({ mutate: (text, params) => this.mutate(text, params), mutateMany: (text, sets) => this.mutateMany(text, sets) });
  }

  /** Updates the data model (only safe changes: see the language reference). */
  updateDataModel(text: string, options: RequestOptions = {}): Promise<DataModelInfo> {
    return wrap(async () => info(await this.open_().store.setDataModel(text)), options?.signal);
  }

  /**
   * Checks the whole database: the file's structure (SQLite's quick check, `file`) and the
   * signature of every row, edge and deletion (their ids when they fail). All empty means
   * sound. A damaged file stops writes (`CORRUPT_DATABASE`) until it is restored.
   */
  checkIntegrity(options: RequestOptions = {}): Promise<{ file: string[]; nodes: string[]; edges: string[]; deletions: string[] }> {
    return wrap(async () => {
      const store = this.open_().store;
      const file = await store.checkFile();
      if (file.length) return { file, nodes: [], edges: [], deletions: [] };
      return { file, ...(await store.checkIntegrity()) };
    }, options?.signal);
  }

  /** The current data model, as text and resolved JSON. */
  dataModel(): Promise<DataModelInfo> {
    return wrap(async () => info(this.open_().store.dataModel));
  }

  /**
   * All events from now on, until `close()`. Each iterator holds at most
   * `config.eventQueueLength` unread events; past that the oldest are dropped and the next
   * event read is `{ type: 'EventsDropped', count }`.
   */
  events(): AsyncIterableIterator<DiscretEvent> {
    return this.parts.events.iterate();
  }

  /** Listens to one event type; returns a function that stops listening. A listener that throws is logged, never fatal. */
  on<T extends DiscretEventType>(type: T, listener: (event: EventOf<T>) => void): () => void {
    if (!EVENT_TYPES.has(type)) throw new DiscretError('INVALID_ARGUMENT', `Unknown event type "${String(type)}": one of ${[...EVENT_TYPES].join(', ')}`);
    if (typeof listener !== 'function') throw new DiscretError('INVALID_ARGUMENT', `The listener of "${type}" must be a function, not ${typeof listener}`);
    return this.parts.events.on(type, listener);
  }

  /**
   * Creates a single-use invite, as text safe to paste: it carries no key and no address (see
   * invites.ts). Whoever accepts it and then meets this install becomes an allowed peer, and
   * with `defaultRoom` a user of that authorisation (you must be allowed to add users to it).
   */
  invite(defaultRoom?: { room: string; authorisation: string }, options: RequestOptions = {}): Promise<string> {
    return wrap(async () => {
      this.open_();
      const text = await this.invites.create(defaultRoom, options?.signal);
      this.net?.announce();
      return text;
    }, options?.signal);
  }

  /**
   * Accepts an invite from another user: the two become allowed peers when they next meet
   * (discovery, or `connect(address)`), and the invite is consumed on both sides.
   * INVALID_INVITE for text that is not an invite of this app, or an invite already used.
   */
  acceptInvite(invite: string, options: RequestOptions = {}): Promise<void> {
    return wrap(async () => {
      this.open_();
      await this.invites.accept(invite, options?.signal);
      this.net?.announce();
    }, options?.signal);
  }

  /**
   * Connects to another device (an address from its `addresses()`), proves identities both
   * ways and, when both sides admit each other, synchronises the rooms they share. Resolves with
   * the remote user's verifying key, or null when either side refused.
   */
  connect(address: string, options: RequestOptions = {}): Promise<string | null> {
    return wrap(async () => {
      this.open_();
      if (typeof address !== 'string') throw new DiscretError('INVALID_ARGUMENT', `connect() takes a multiaddr string, not ${address === null ? 'null' : typeof address}`);
      return this.network().connect(address, options?.signal);
    }, options?.signal);
  }

  /** Addresses other devices can `connect` to (empty without a transport). */
  addresses(): string[] {
    return this.net?.addresses() ?? [];
  }

  /**
   * The users connected now, the address each connection reached them at, and its path:
   * `relayed` through a beacon's relay, or `direct` (including WebRTC, whose address names the
   * relay that carried its signalling).
   */
  peerConnections(): { verifyingKey: string; address: string; path: 'direct' | 'relayed' }[] {
    return this.net?.peerConnections() ?? [];
  }

  /** Verifying keys of the users connected now (one entry per connection). */
  connectedPeers(): string[] {
    return this.net?.connectedPeers() ?? [];
  }

  private network(): Network {
    if (!this.net) throw new DiscretError('INVALID_CONFIGURATION', platform().noNetworkReason);
    return this.net;
  }

  /**
   * Flushes pending writes and closes the store (and the crypto pool, unless it was handed in).
   * Further calls fail with CLOSED. Aborted before it starts, it has no effect.
   */
  async close(options: RequestOptions = {}): Promise<void> {
    if (this.closed) return;
    if (options?.signal?.aborted) throw new DiscretError('ABORTED', 'close() was aborted before it ran', { cause: options?.signal.reason });
    this.closed = true;
    this.parts.live.close();
    this.parts.blobs.close();
    await this.net?.stop();
    await this.parts.store.close();
    if (this.ownsPool) await this.parts.cryptoPool.close();
    this.parts.events.close();
  }

  private open_(): DiscretComponents {
    if (this.closed) throw new DiscretError('CLOSED', 'This Discret instance is closed');
    return this.parts;
  }
}

function info(model: DataModel): DataModelInfo {
  return { text: model.text, model: model.toJSON() };
}
