// One complete union of error codes: every code a lower package can throw is a DiscretErrorCode
// (checked by the type checker, which `pnpm test` runs over the tests), and reaches the caller
// as it is.
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BeaconErrorCode } from '@discret/beacon';
import type { CryptoErrorCode } from '@discret/crypto';
import type { LanguageErrorCode } from '@discret/lang';
import type { StoreErrorCode } from '@discret/store';
import { SyncError, type SyncErrorCode } from '@discret/sync';
import { Discret, DiscretError, type DiscretErrorCode, libp2pTransport } from '@discret/core';

type Covers<Part, Whole> = [Part] extends [Whole] ? true : false;
const covered: {
  language: Covers<LanguageErrorCode, DiscretErrorCode>;
  store: Covers<StoreErrorCode, DiscretErrorCode>;
  crypto: Covers<CryptoErrorCode, DiscretErrorCode>;
  sync: Covers<SyncErrorCode, DiscretErrorCode>;
  beacon: Covers<BeaconErrorCode, DiscretErrorCode>;
} = { language: true, store: true, crypto: true, sync: true, beacon: true };

describe('error codes', () => {
  test('every package\'s codes are DiscretErrorCodes (a type check), and keep their code through the API', () => {
    expect(Object.values(covered).every(Boolean)).toBe(true);
    expect(DiscretError.from(new SyncError('DIAL_FAILED', 'x')).code).toBe('DIAL_FAILED');
  });

  test('connect() to an address nobody listens on rejects with DIAL_FAILED', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'discret-codes-'));
    const app = await Discret.open({
      dataModel: 'n { Note { t: String } }', appKey: 'test.codes', keyMaterial: new Uint8Array(32).fill(3), dataFolder: folder,
      transport: libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] }), config: { enableMulticast: false },
    });
    try {
      // A port of ours that was just closed: nothing listens there.
      const probe = libp2pTransport({ listen: ['/ip4/127.0.0.1/tcp/0'] });
      await probe.start({ deviceSeed: new Uint8Array(32).fill(9), logger: (await import('@discret/log')).silentLogger });
      const address = probe.addresses()[0]!;
      await probe.stop();
      await expect(app.connect(address)).rejects.toMatchObject({ code: 'DIAL_FAILED' });
    } finally {
      await app.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
