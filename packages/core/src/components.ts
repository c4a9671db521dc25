import type { AppKeys, CryptoPool, SigningKey } from '@discret/crypto';
import type { Logger } from '@discret/log';
import type { Store } from '@discret/store';
import type { BlobService } from './blob-service.js';
import type { Configuration } from './config.js';
import type { EventHub } from './events.js';
import type { LiveQueryHub } from './live-queries.js';
import type { RoomGrant, RoomRegistry } from './rooms.js';

/**
 * The shared parts of a Discret instance, built once by `Discret.open` and handed to what it
 * composes (the sync host, the network, the invite book), as js-libp2p hands `components` to
 * its services. Internal: not part of the public API.
 */
export interface DiscretComponents {
  readonly config: Readonly<Configuration>;
  readonly logger: Logger;
  readonly cryptoPool: CryptoPool;
  readonly events: EventHub;
  /** The live queries, told of every commit. */
  readonly live: LiveQueryHub;
  readonly store: Store<RoomGrant>;
  readonly rooms: RoomRegistry;
  readonly keys: AppKeys;
  readonly deviceKey: SigningKey;
  /** The app key the instance was opened with (invites carry a tag of it). */
  readonly appKey: string;
  /** Blobs: put, read, fetched from peers, served to them, collected. */
  readonly blobs: BlobService;
}
