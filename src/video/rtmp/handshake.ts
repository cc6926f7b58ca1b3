// The RTMP handshake, server side (spec §5.2): the client sends C0 (version 3) and C1 (1536 bytes);
// we answer S0, S1 and S2 at once; the client sends C2, and the chunk stream begins.
//
// We answer the simple way even to a client that opened with the "complex" (digest) handshake of
// Flash Player 9 (a non-zero version in C1's bytes 4–7): S1 carries zeros there, which tells the
// client that the server does not do digests, and both ffmpeg (rtmpproto.c checks the digest only
// when it plays from a server announcing a version) and OBS's librtmp (it falls back when S1's
// version byte is 0) go on. S2 echoes C1, as the simple handshake asks. C2 is read and not checked:
// clients fill it differently, and it proves nothing a publisher's key does not.
import { randomBytes } from 'node:crypto';
import { RtmpProtocolError } from './chunk-stream.js';

export const RTMP_VERSION = 3;
export const HANDSHAKE_PACKET_BYTES = 1536;
/** What the client sends in the handshake (C0, C1, C2): the chunk stream's acknowledgements count these bytes too. */
export const CLIENT_HANDSHAKE_BYTES = 1 + 2 * HANDSHAKE_PACKET_BYTES;

export type HandshakeStep =
  /** More bytes are needed. */
  | { readonly kind: 'wait' }
  /** C0 and C1 are in: send these bytes (S0, S1, S2). */
  | { readonly kind: 'reply'; readonly bytes: Buffer }
  /** C2 is in: the handshake is over, and `rest` (perhaps empty) is the start of the chunk stream. */
  | { readonly kind: 'done'; readonly rest: Buffer };

export class ServerHandshake {
  private buffered: Buffer = Buffer.alloc(0);
  private stage: 'c0c1' | 'c2' | 'done' = 'c0c1';

  /**
   * Takes bytes from the socket. Answers the steps they complete, in order: a client may send C2
   * (and its first chunks) right behind C1, so one push can give both the reply and the end.
   * Throws RtmpProtocolError for a version other than 3.
   */
  push(data: Buffer): HandshakeStep[] {
    if (this.stage === 'done') throw new Error('the handshake is over');
    this.buffered = this.buffered.length > 0 ? Buffer.concat([this.buffered, data]) : data;
    const steps: HandshakeStep[] = [];
    if (this.stage === 'c0c1') {
      if (this.buffered.length > 0 && this.buffered.readUInt8(0) !== RTMP_VERSION) {
        throw new RtmpProtocolError(`RTMP version ${this.buffered.readUInt8(0)} (only ${RTMP_VERSION})`);
      }
      if (this.buffered.length < 1 + HANDSHAKE_PACKET_BYTES) return [{ kind: 'wait' }];
      steps.push({ kind: 'reply', bytes: reply(this.buffered.subarray(1, 1 + HANDSHAKE_PACKET_BYTES)) });
      this.buffered = this.buffered.subarray(1 + HANDSHAKE_PACKET_BYTES);
      this.stage = 'c2';
    }
    if (this.buffered.length < HANDSHAKE_PACKET_BYTES) {
      // Copied, so that the kept bytes do not hold on to the socket's whole buffer.
      this.buffered = Buffer.from(this.buffered);
      return steps.length > 0 ? steps : [{ kind: 'wait' }];
    }
    steps.push({ kind: 'done', rest: this.buffered.subarray(HANDSHAKE_PACKET_BYTES) });
    this.buffered = Buffer.alloc(0);
    this.stage = 'done';
    return steps;
  }
}

/** S0 (the version), S1 (time 0, zeros: no digest, random bytes), S2 (C1 echoed). */
function reply(c1: Buffer): Buffer {
  const s1 = Buffer.alloc(HANDSHAKE_PACKET_BYTES);
  randomBytes(HANDSHAKE_PACKET_BYTES - 8).copy(s1, 8);
  return Buffer.concat([Buffer.of(RTMP_VERSION), s1, c1]);
}
