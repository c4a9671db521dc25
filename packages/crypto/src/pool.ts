import { CryptoError } from './errors.js';
import { type SigningKey, verify } from './signing.js';

export interface SignedMessage {
  publicKey: Uint8Array;
  message: Uint8Array;
  signature: Uint8Array;
}

/**
 * Bulk signing and verification. The store and the sync take one, built once by the entry
 * point: worker threads in Node, the calling thread where no worker is available.
 */
export interface CryptoPool {
  /** Workers used for large batches; 0 when everything runs on the calling thread. */
  readonly parallelism: number;
  /** Signs every message with `key`; the same bytes as `key.sign` one by one. */
  signAll(key: SigningKey, messages: readonly Uint8Array[]): Promise<Uint8Array[]>;
  /** For each item, whether its signature is valid (never throws for a bad signature). */
  verifyAll(items: readonly SignedMessage[]): Promise<boolean[]>;
  /** Stops the workers; later and pending batches fail with POOL_CLOSED. */
  close(): Promise<void>;
}

export interface CryptoPoolOptions {
  /** Worker threads; default: the machine's available parallelism. 0 signs on the calling thread. */
  parallelism?: number;
  /** Batches smaller than this stay on the calling thread (posting to a worker costs ~50 µs). Default 256. */
  minBatch?: number;
  /** Start the workers at once rather than at the first batch (a browser app's open warms them while its database opens). */
  warm?: boolean;
}

/** A pool without workers: every batch runs on the calling thread. Runs anywhere. */
export class InlineCryptoPool implements CryptoPool {
  readonly parallelism = 0;
  private closed = false;

  async signAll(key: SigningKey, messages: readonly Uint8Array[]): Promise<Uint8Array[]> {
    this.check();
    return messages.map((m) => key.sign(m));
  }

  async verifyAll(items: readonly SignedMessage[]): Promise<boolean[]> {
    this.check();
    return items.map((it) => verify(it.publicKey, it.message, it.signature));
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  protected check(): void {
    if (this.closed) throw new CryptoError('POOL_CLOSED', 'The crypto pool was closed');
  }
}
