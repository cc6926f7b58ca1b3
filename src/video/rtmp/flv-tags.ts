// RTMP media messages as FLV (Adobe FLV spec 10.1, annex E): an RTMP audio, video or data message's
// payload is exactly the body of an FLV tag of the same type, so a tag is an 11-byte header, the
// payload as is, and the 4-byte PreviousTagSize. Two messages need more than that: the encoder's
// `@setDataFrame("onMetaData", …)` becomes the `onMetaData` script tag a file would have, and an
// aggregate message (type 22) is a run of FLV-tag-shaped sub-messages, split back into tags.
import { decodeAmf0Value } from './amf0.js';
import { MessageType, RtmpProtocolError, type RtmpMessage } from './chunk-stream.js';

export const FlvTagType = { Audio: 8, Video: 9, Script: 18 } as const;
export type FlvTagType = (typeof FlvTagType)[keyof typeof FlvTagType];

/** The FLV file header (version 1, audio and video flagged: the demuxer finds the streams from the tags) and PreviousTagSize0. */
export const FLV_HEADER: Buffer = Buffer.of(0x46, 0x4c, 0x56, 1, 0x05, 0, 0, 0, 9, 0, 0, 0, 0);

const TAG_HEADER_BYTES = 11;

/** One FLV tag and its PreviousTagSize, as one buffer. */
export function flvTag(type: FlvTagType, timestamp: number, body: Buffer): Buffer {
  if (body.length > 0xffffff) throw new RangeError(`an FLV tag body of ${body.length} bytes`);
  const tag = Buffer.allocUnsafe(TAG_HEADER_BYTES + body.length + 4);
  tag.writeUInt8(type, 0);
  tag.writeUIntBE(body.length, 1, 3);
  tag.writeUIntBE(timestamp & 0xffffff, 4, 3); // the low 24 bits, then the high 8 (TimestampExtended)
  tag.writeUInt8((timestamp >>> 24) & 0xff, 7);
  tag.writeUIntBE(0, 8, 3); // StreamID, always 0
  body.copy(tag, TAG_HEADER_BYTES);
  tag.writeUInt32BE(TAG_HEADER_BYTES + body.length, TAG_HEADER_BYTES + body.length);
  return tag;
}

/**
 * The FLV tags a message from the publisher becomes: one for audio and video (empty ones carry
 * nothing and are dropped), one for the stream's metadata, several for an aggregate, none for
 * anything else. Throws RtmpProtocolError for an aggregate that does not add up and
 * Amf0DecodeError for a data message whose name does not decode.
 */
export function flvTagsOf(message: RtmpMessage): Buffer[] {
  switch (message.typeId) {
    case MessageType.Audio:
      return message.payload.length > 0 ? [flvTag(FlvTagType.Audio, message.timestamp, message.payload)] : [];
    case MessageType.Video:
      return message.payload.length > 0 ? [flvTag(FlvTagType.Video, message.timestamp, message.payload)] : [];
    case MessageType.DataAmf0: {
      const body = metadataBody(message.payload);
      return body === null ? [] : [flvTag(FlvTagType.Script, message.timestamp, body)];
    }
    case MessageType.Aggregate:
      return splitAggregate(message).flatMap(flvTagsOf);
    default:
      return [];
  }
}

/**
 * The script tag body of a data message that sets the stream's metadata: `@setDataFrame` dropped
 * (it tells a server to keep the frame, which is what we do), so the body starts with the string
 * `onMetaData` as in a file. Other data messages answer null.
 */
function metadataBody(payload: Buffer): Buffer | null {
  const first = decodeAmf0Value(payload, 0);
  const body = first.value === '@setDataFrame' ? payload.subarray(first.end) : payload;
  return body.length > 0 && decodeAmf0Value(body, 0).value === 'onMetaData' ? body : null;
}

/**
 * The sub-messages of an aggregate message (spec §7.1.6): each is a tag header (type, size,
 * timestamp, stream id), its body and a back pointer. Their timestamps are moved so that the first
 * falls at the aggregate's own timestamp.
 */
function splitAggregate(aggregate: RtmpMessage): RtmpMessage[] {
  const payload = aggregate.payload;
  const messages: RtmpMessage[] = [];
  let firstTimestamp: number | null = null;
  let offset = 0;
  // Each sub-message takes at least 11 bytes, so the payload's length bounds this loop.
  while (offset < payload.length) {
    if (payload.length - offset < TAG_HEADER_BYTES) throw new RtmpProtocolError(`an aggregate sub-message header cut at byte ${offset}`);
    const typeId = payload.readUInt8(offset);
    const size = payload.readUIntBE(offset + 1, 3);
    const timestamp = (payload.readUIntBE(offset + 4, 3) | (payload.readUInt8(offset + 7) << 24)) >>> 0;
    const bodyStart = offset + TAG_HEADER_BYTES;
    if (payload.length - bodyStart < size) throw new RtmpProtocolError(`an aggregate sub-message of ${size} bytes past the end`);
    firstTimestamp ??= timestamp;
    if (typeId !== MessageType.Aggregate) {
      messages.push({
        chunkStreamId: aggregate.chunkStreamId,
        typeId,
        streamId: aggregate.streamId,
        timestamp: (aggregate.timestamp + timestamp - firstTimestamp + 2 ** 32) % 2 ** 32,
        payload: payload.subarray(bodyStart, bodyStart + size),
      });
    }
    // The back pointer after each body; tolerated missing after the last one.
    offset = Math.min(payload.length, bodyStart + size + 4);
  }
  return messages;
}
