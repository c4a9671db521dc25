/**
 * @discret/crypto — every secret and every signature of Discret goes through here.
 * libsodium (sodium-native) when it loads, @noble otherwise: same bytes either way.
 */
export { CryptoError, type CryptoErrorCode } from './errors.js';
export { base64url, compareBytes, equalBytes, fromBase64url, utf8 } from './encoding.js';
export { hash, keyedHash } from './hash.js';
export { backend } from './native.js';
export { SigningKey, verify, assertSignature } from './signing.js';
export { uid, zeroUid, uidTime, UID_LENGTH } from './uid.js';
export { derivePassPhrase, deriveAppKeys, PASS_PHRASE_PARAMS, type AppKeys } from './derive.js';
export {
  nodeSigningBytes, edgeSigningBytes, nodeDeletionSigningBytes, edgeDeletionSigningBytes,
  type NodeSignable, type EdgeSignable, type NodeDeletionSignable, type EdgeDeletionSignable,
} from './canonical.js';
export { MeetingSecret, deriveToken, encodeToken, decodeToken, MEETING_TOKEN_LENGTH } from './meeting.js';
export { CryptoPool, type CryptoPoolOptions, type SignedMessage } from './pool.js';
export { startWorker } from './worker.js';
