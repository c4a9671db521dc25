// A STUN server (RFC 5389) that answers Binding requests only: it tells a peer the address and
// port its packets came from, which WebRTC's ICE needs to punch through a NAT. Written here, not
// taken from npm: the only STUN server package (`stun` 2.1.0, unmaintained since 2020) pulls in
// 91 packages, among them `ip` and `parse-url` with published advisories; a Binding answer is
// one header and one attribute.
import { createSocket, type Socket } from 'node:dgram';
import { isIPv4 } from 'node:net';

const MAGIC_COOKIE = 0x2112a442;
const BINDING_REQUEST = 0x0001;
const BINDING_SUCCESS = 0x0101;
const XOR_MAPPED_ADDRESS = 0x0020;
const HEADER_BYTES = 20;

/** The Binding success answer to `request` (or null when it is not a Binding request) for a sender at `address`:`port`. */
export function bindingResponse(request: Uint8Array, address: string, port: number): Uint8Array | null {
  if (request.length < HEADER_BYTES) return null;
  const view = new DataView(request.buffer, request.byteOffset, request.byteLength);
  // the top two bits of a STUN message are zero; the cookie tells STUN from other UDP traffic
  if (view.getUint16(0) !== BINDING_REQUEST || view.getUint32(4) !== MAGIC_COOKIE) return null;
  if (view.getUint16(2) !== request.length - HEADER_BYTES) return null;
  const transaction = request.subarray(8, 20);
  const v4 = isIPv4(address);
  const addressBytes = v4 ? Uint8Array.from(address.split('.').map(Number)) : ipv6Bytes(address);
  // XOR-MAPPED-ADDRESS: the port XOR the cookie's top half; the address XOR the cookie (and, for
  // IPv6, the transaction id), so NATs that rewrite addresses in payloads leave it alone
  const mask = new Uint8Array(16);
  new DataView(mask.buffer).setUint32(0, MAGIC_COOKIE);
  mask.set(transaction, 4);
  const value = new Uint8Array(4 + addressBytes.length);
  const values = new DataView(value.buffer);
  values.setUint8(1, v4 ? 0x01 : 0x02);
  values.setUint16(2, port ^ (MAGIC_COOKIE >>> 16));
  for (let i = 0; i < addressBytes.length; i++) value[4 + i] = addressBytes[i]! ^ mask[i]!;
  const response = new Uint8Array(HEADER_BYTES + 4 + value.length);
  const out = new DataView(response.buffer);
  out.setUint16(0, BINDING_SUCCESS);
  out.setUint16(2, 4 + value.length);
  out.setUint32(4, MAGIC_COOKIE);
  response.set(transaction, 8);
  out.setUint16(HEADER_BYTES, XOR_MAPPED_ADDRESS);
  out.setUint16(HEADER_BYTES + 2, value.length);
  response.set(value, HEADER_BYTES + 4);
  return response;
}

function ipv6Bytes(address: string): Uint8Array {
  const [head, tail = ''] = address.split('::') as [string, string?];
  const groups = (text: string) => (text ? text.split(':') : []);
  const left = groups(head);
  const right = groups(tail);
  const all = address.includes('::') ? [...left, ...Array(8 - left.length - right.length).fill('0'), ...right] : left;
  const bytes = new Uint8Array(16);
  const view = new DataView(bytes.buffer);
  for (const [i, group] of all.entries()) view.setUint16(i * 2, Number.parseInt(group, 16));
  return bytes;
}

/** Serves STUN Binding on `host`:`port` (UDP); resolves once bound. */
export async function serveStun(host: string, port: number): Promise<Socket> {
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');
  socket.on('message', (message, sender) => {
    const response = bindingResponse(message, sender.address, sender.port);
    if (response) socket.send(response, sender.port, sender.address);
  });
  await new Promise<void>((bound, fail) => {
    socket.once('error', fail);
    socket.bind(port, host, () => {
      socket.off('error', fail);
      bound();
    });
  });
  socket.on('error', () => {}); // a bad packet never stops the beacon
  return socket;
}
