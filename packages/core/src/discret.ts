import { existsSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { base64url, CryptoPool, deriveAppKeys, hash, SigningKey, utf8, type AppKeys } from '@discret/crypto';
import { DataModel, validateMutation, type DataModelJson, type Parameters } from '@discret/lang';
import { ROOM_ENTITY, SYSTEM_DATA_MODEL } from '@discret/rooms';
import { sqlcipherDriver, Store, type ChangedDays, type StoreDriver } from '@discret/store';
import { DEFAULT_CONFIGURATION, type Configuration } from './config.js';
import { DiscretError, wrap } from './errors.js';
import { RoomRegistry } from './rooms.js';
import { EventHub, type DiscretEvent, type DiscretEventType, type EventOf } from './events.js';

export interface DiscretOptions {
  /** The app's data model, in the data language. */
  dataModel: string;
  /** Unique per application, e.g. `github.com/me/my_app`: keys and files derive from it. */
  appKey: string;
  /** 32 bytes from `derivePassPhrase(login, password)` (or your own key management). */
  keyMaterial: Uint8Array;
  /** Folder of the database file; created if missing. */
  dataFolder: string;
  config?: Partial<Configuration>;
  /** Storage engine; SQLCipher (encrypted at rest) by default. */
  store?: StoreDriver;
  /** Network transport; reserved until sync lands (see @discret/sync). */
  transport?: unknown;
}

/** The data model as text and as its resolved JSON form. */
export interface DataModelInfo {
  text: string;
  model: DataModelJson;
}

const builtins = DataModel.parse(SYSTEM_DATA_MODEL, { builtin: true });

/** The database file of an app in a folder: named from the app key, so one folder holds many apps. */
function databasePath(dataFolder: string, appKey: string): string {
  return join(dataFolder, `${base64url(hash(utf8(`discret/database/v1:${appKey}`))).slice(0, 22)}.db`);
}

/** True when `dataFolder` holds a database for this app key. */
export function databaseExists(appKey: string, dataFolder: string): boolean {
  return existsSync(databasePath(dataFolder, appKey));
}

/** Writes many mutations without awaiting each; they share transactions and resolve in order. */
export interface MutationStream {
  write<T = Record<string, Record<string, unknown>>>(text: string, params?: Parameters): Promise<T>;
  /** Waits for every write issued so far; rejects with the first error among them. */
  flush(): Promise<void>;
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

  private constructor(
    private readonly store: Store,
    keys: AppKeys,
    private readonly hub: EventHub,
    private readonly pool: CryptoPool,
    private readonly rooms: RoomRegistry,
    device: SigningKey,
    config: Configuration,
  ) {
    this.deviceKey = device.verifyingKey;
    this.verifyingKey = keys.signingKey.verifyingKey;
    this.privateRoom = base64url(keys.privateRoomId);
    this.config = Object.freeze(config);
  }

  /** Opens (or creates) the user's database for this app and installs or updates the data model. */
  static async open(options: DiscretOptions): Promise<Discret> {
    return wrap(async () => {
      const config = { ...DEFAULT_CONFIGURATION, ...(options.config ?? {}) };
      const keys = deriveAppKeys(options.keyMaterial, options.appKey);
      if (typeof options.dataFolder !== 'string' || !options.dataFolder) {
        throw new DiscretError('INVALID_CONFIGURATION', 'dataFolder must be a path');
      }
      mkdirSync(options.dataFolder, { recursive: true });
      const hub = new EventHub();
      // Bulk signing on worker threads. One core is left to this thread, which runs SQLite:
      // on 2 cores one worker measured as fast as two (pnpm bench).
      const pool = new CryptoPool({ parallelism: Math.max(1, Math.min(config.parallelism, availableParallelism() - 1)) });
      const rooms = new RoomRegistry(base64url(keys.privateRoomId), keys.signingKey.verifyingKey);
      const store = await Store.open({
        path: databasePath(options.dataFolder, options.appKey),
        key: keys.databaseKey,
        signingKey: keys.signingKey,
        driver: options.store ?? sqlcipherDriver(),
        builtins,
        maxObjectSizeInKb: config.maxObjectSizeInKb,
        writeBufferLength: config.writeBufferLength,
        cryptoPool: pool,
        roomEntity: ROOM_ENTITY,
        authorize: (check) => rooms.authorize(check),
        onChange: (changes) => hub.emit({ type: 'DataChanged', rooms: toRecord(changes) }),
      });
      let device: SigningKey;
      try {
        await store.setDataModel(options.dataModel);
        await rooms.loadAll(store);
        device = await loadDeviceKey(store);
      } catch (err) {
        await store.close();
        await pool.close();
        throw err;
      }
      return new Discret(store, keys, hub, pool, rooms, device, config);
    });
  }

  /** Runs a mutation; returns the written tuples keyed by alias, each with its `id`. */
  mutate<T = Record<string, Record<string, unknown>>>(text: string, params?: Parameters): Promise<T> {
    return wrap(async () => {
      const store = this.open_();
      // Room definitions are judged as a whole before anything is written (see rooms.ts).
      const resolved = validateMutation(store.dataModel, text);
      const plan = this.rooms.planMutation(resolved, params, this.verifyingKey, Date.now());
      const result = await store.mutate(resolved, params, plan);
      if (plan) {
        for (const room of [...plan.rooms, ...plan.created]) {
          await this.rooms.reload(store, room);
          this.hub.emit({ type: 'RoomModified', room });
        }
      }
      return result as T;
    });
  }

  /** Runs a query; returns `{ alias: rows[] }`. */
  query<T = Record<string, unknown[]>>(text: string, params?: Parameters): Promise<T> {
    return wrap(() => this.open_().query(text, params) as Promise<T>);
  }

  /** Deletes entities, or only the named relation links. */
  delete(text: string, params?: Parameters): Promise<void> {
    return wrap(() => this.open_().delete(text, params));
  }

  /** A writer for bulk loads: issue many writes, await them together. */
  mutationStream(): MutationStream {
    const pending: Promise<unknown>[] = [];
    return {
      write: <T>(text: string, params?: Parameters) => {
        const p = this.mutate<T>(text, params);
        pending.push(p.catch(() => {}));
        return p;
      },
      flush: async () => {
        const all = pending.splice(0);
        await Promise.all(all);
      },
    };
  }

  /** Updates the data model (only safe changes: see the language reference). */
  updateDataModel(text: string): Promise<DataModelInfo> {
    return wrap(async () => info(await this.open_().setDataModel(text)));
  }

  /** The current data model, as text and resolved JSON. */
  dataModel(): Promise<DataModelInfo> {
    return wrap(async () => info(this.open_().dataModel));
  }

  /** All events from now on, until `close()`. */
  events(): AsyncIterableIterator<DiscretEvent> {
    return this.hub.iterate();
  }

  /** Listens to one event type; returns a function that stops listening. */
  on<T extends DiscretEventType>(type: T, listener: (event: EventOf<T>) => void): () => void {
    return this.hub.on(type, listener);
  }

  /** Creates an invite. Needs sync, which is not implemented yet. */
  async invite(_defaultRoom?: { room: string; authorisation: string }): Promise<string> {
    throw new DiscretError('NOT_IMPLEMENTED', 'invite() needs @discret/sync, which is not implemented yet');
  }

  /** Accepts an invite. Needs sync, which is not implemented yet. */
  async acceptInvite(_invite: string): Promise<void> {
    throw new DiscretError('NOT_IMPLEMENTED', 'acceptInvite() needs @discret/sync, which is not implemented yet');
  }

  /** Flushes pending writes and closes the store. Further calls fail with CLOSED. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.store.close();
    await this.pool.close();
    this.hub.close();
  }

  private open_(): Store {
    if (this.closed) throw new DiscretError('CLOSED', 'This Discret instance is closed');
    return this.store;
  }
}

/** This install's device key: created on first open, then read back from `_config`. */
async function loadDeviceKey(store: Store): Promise<SigningKey> {
  const seed = await store.getConfig('device_key');
  if (seed instanceof Uint8Array && seed.length === 32) return new SigningKey(seed);
  const key = SigningKey.generate();
  await store.setConfig('device_key', key.exportSeed());
  return key;
}

function info(model: DataModel): DataModelInfo {
  return { text: model.text, model: model.toJSON() };
}

function toRecord(changes: ChangedDays): Record<string, Record<string, number[]>> {
  const out: Record<string, Record<string, number[]>> = {};
  for (const [room, entities] of changes) {
    out[room] = {};
    for (const [entity, days] of entities) out[room][entity] = [...days].sort((a, b) => a - b);
  }
  return out;
}
