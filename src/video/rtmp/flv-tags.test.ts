// Proves the RTMP → FLV mapping: audio and video payloads become tags as they are with their
// timestamp split into the low 24 and high 8 bits, `@setDataFrame("onMetaData", …)` becomes an
// `onMetaData` script tag, other data messages are dropped, and an aggregate message splits into
// its sub-messages moved to the aggregate's time (a malformed one is a protocol error).
import { describe, expect, it } from 'vitest';
import { amf0Object, decodeAmf0, encodeAmf0 } from './amf0.js';
import { MessageType, RtmpProtocolError, type RtmpMessage } from './chunk-stream.js';
import { FLV_HEADER, flvTag, flvTagsOf } from './flv-tags.js';

function message(typeId: number, timestamp: number, payload: Buffer): RtmpMessage {
  return { chunkStreamId: 4, typeId, streamId: 1, timestamp, payload };
}

/** A sub-message of an aggregate: an FLV tag header, the body and the back pointer. */
function sub(typeId: number, timestamp: number, body: Buffer): Buffer {
  return flvTag(typeId as 8 | 9 | 18, timestamp, body);
}

describe('flvTagsOf', () => {
  it('starts the file with the FLV header and PreviousTagSize0', () => {
    expect(FLV_HEADER.toString('hex')).toBe('464c5601050000000900000000');
  });

  it('makes audio and video tags of the payload as it is, with a 32-bit timestamp', () => {
    const body = Buffer.from('af01cafe', 'hex');
    const [tag] = flvTagsOf(message(MessageType.Audio, 0x12345678, body));
    expect(tag?.toString('hex')).toBe(['08', '000004', '345678', '12', '000000', 'af01cafe', '0000000f'].join(''));
    expect(flvTagsOf(message(MessageType.Video, 0, Buffer.alloc(0)))).toEqual([]);
  });

  it('turns @setDataFrame(onMetaData) into an onMetaData script tag and drops other data messages', () => {
    const metadata = amf0Object({ width: 320, height: 180 }, 'ecma-array');
    const [tag] = flvTagsOf(message(MessageType.DataAmf0, 0, encodeAmf0(['@setDataFrame', 'onMetaData', metadata])));
    expect(tag?.readUInt8(0)).toBe(18);
    expect(decodeAmf0(tag?.subarray(11, -4) ?? Buffer.alloc(0))).toEqual(['onMetaData', metadata]);
    // Sent without @setDataFrame (older encoders), it is already a script tag body.
    expect(flvTagsOf(message(MessageType.DataAmf0, 0, encodeAmf0(['onMetaData', metadata])))).toEqual([tag]);
    expect(flvTagsOf(message(MessageType.DataAmf0, 0, encodeAmf0(['@setDataFrame', 'onTextData', 'hi'])))).toEqual([]);
    expect(flvTagsOf(message(MessageType.DataAmf0, 0, encodeAmf0(['|RtmpSampleAccess', false, false])))).toEqual([]);
  });

  it('splits an aggregate message into its sub-messages, moved so the first falls at the aggregate time', () => {
    const payload = Buffer.concat([sub(9, 500, Buffer.of(1)), sub(8, 520, Buffer.of(2, 2)), sub(22, 530, Buffer.of(3)), sub(9, 540, Buffer.of(4)).subarray(0, -4)]);
    const tags = flvTagsOf(message(MessageType.Aggregate, 10_000, payload));
    expect(tags).toEqual([flvTag(9, 10_000, Buffer.of(1)), flvTag(8, 10_020, Buffer.of(2, 2)), flvTag(9, 10_040, Buffer.of(4))]);
  });

  it('refuses an aggregate whose sub-messages do not add up', () => {
    const good = sub(9, 0, Buffer.of(1, 2, 3));
    expect(() => flvTagsOf(message(MessageType.Aggregate, 0, good.subarray(0, 12)))).toThrow(RtmpProtocolError);
    expect(() => flvTagsOf(message(MessageType.Aggregate, 0, Buffer.concat([good, Buffer.of(9, 0)])))).toThrow(RtmpProtocolError);
  });
});
