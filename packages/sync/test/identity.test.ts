import { describe, expect, test } from '@jest/globals';
import { SigningKey } from '@discret/crypto';
import { checkIdentity, newChallenge, proveIdentity } from '@discret/sync';

const user = new SigningKey(new Uint8Array(32).fill(21));
const stranger = new SigningKey(new Uint8Array(32).fill(22));
const deviceA = new SigningKey(new Uint8Array(32).fill(23)).publicKey;
const deviceB = new SigningKey(new Uint8Array(32).fill(24)).publicKey;
const deviceC = new SigningKey(new Uint8Array(32).fill(25)).publicKey;

describe('identity proof', () => {
  test('a proof checks for its user, challenge and pair of devices only', () => {
    const challenge = newChallenge();
    const proof = proveIdentity(user, challenge, deviceA, deviceB);
    expect(checkIdentity(user.publicKey, proof, challenge, deviceA, deviceB)).toBe(true);
    // another user's key, another challenge
    expect(checkIdentity(stranger.publicKey, proof, challenge, deviceA, deviceB)).toBe(false);
    expect(checkIdentity(user.publicKey, proof, newChallenge(), deviceA, deviceB)).toBe(false);
    // replayed by B to a third device C, or with the roles swapped
    expect(checkIdentity(user.publicKey, proof, challenge, deviceB, deviceC)).toBe(false);
    expect(checkIdentity(user.publicKey, proof, challenge, deviceA, deviceC)).toBe(false);
    expect(checkIdentity(user.publicKey, proof, challenge, deviceB, deviceA)).toBe(false);
    // malformed input is a failed proof, not an exception
    expect(checkIdentity(user.publicKey, proof.subarray(0, 10), challenge, deviceA, deviceB)).toBe(false);
    expect(checkIdentity(user.publicKey, proof, challenge.subarray(0, 5), deviceA, deviceB)).toBe(false);
  });

  test('challenges are fresh', () => {
    expect(Buffer.from(newChallenge())).not.toEqual(Buffer.from(newChallenge()));
  });
});
