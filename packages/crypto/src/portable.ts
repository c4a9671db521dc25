// Everything of @discret/crypto that runs on any JS runtime. The entry points (index.ts for
// Node, browser.ts) add what their runtime has.
export { CryptoError, type CryptoErrorCode } from './errors.js';
export { base64url, bytesKey, compareBytes, equalBytes, fromBase64url, fromHex, hex, isBytes, utf8, utf8Length } from './encoding.js';
export { randomBytes } from './random.js';
export { hash, keyedHash } from './hash.js';
export { installPrimitives, type Argon2id, type Primitives } from './primitives.js';
export { noblePrimitives } from './noble-primitives.js';
export { SigningKey, verify, assertSignature } from './signing.js';
export { uid, zeroUid, uidTime, UID_LENGTH } from './uid.js';
export { derivePassPhrase, deriveAppKeys, PASS_PHRASE_PARAMS, type AppKeys } from './derive.js';
export {
  nodeSigningBytes, edgeSigningBytes, nodeDeletionSigningBytes, edgeDeletionSigningBytes,
  type NodeSignable, type EdgeSignable, type NodeDeletionSignable, type EdgeDeletionSignable,
} from './canonical.js';
export { MeetingSecret, deriveToken, encodeToken, decodeToken, MEETING_TOKEN_LENGTH } from './meeting.js';
export { InlineCryptoPool, type CryptoPool, type CryptoPoolOptions, type SignedMessage } from './pool.js';
export {
  BLOB_GROUP_BYTES, blobKey, groupCount, groupBytes, leafHash, blobRoot, rangeProof, verifyRange, blobId, parseBlobId, blobIdsIn, type BlobAddress, type SubtreeMemo,
} from './blob-tree.js';
