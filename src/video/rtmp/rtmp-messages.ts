// The messages the ingest sends, ready for the chunk stream writer: protocol control (spec §5.4),
// user control (§7.1.7) and AMF0 commands (§7.2). Chunk streams follow common practice: 2 for
// control (the spec requires it), 3 for commands on the connection, 5 for a stream's status.
import { amf0Object, encodeAmf0, type Amf0Value } from './amf0.js';
import { MessageType, type RtmpMessage } from './chunk-stream.js';

const CONTROL_CHUNK_STREAM = 2;
const COMMAND_CHUNK_STREAM = 3;
const STATUS_CHUNK_STREAM = 5;

function control(typeId: number, payload: Buffer): RtmpMessage {
  return { chunkStreamId: CONTROL_CHUNK_STREAM, typeId, streamId: 0, timestamp: 0, payload };
}

function u32(value: number): Buffer {
  const payload = Buffer.allocUnsafe(4);
  payload.writeUInt32BE(value);
  return payload;
}

/** Window Acknowledgement Size: the peer acknowledges every `size` bytes it reads from us. */
export function windowAckSize(size: number): RtmpMessage {
  return control(MessageType.WindowAckSize, u32(size));
}

/** Set Peer Bandwidth with limit type 2 (dynamic): the peer may send up to `size` bytes unacknowledged. */
export function setPeerBandwidth(size: number): RtmpMessage {
  return control(MessageType.SetPeerBandwidth, Buffer.concat([u32(size), Buffer.of(2)]));
}

/** Acknowledgement: the bytes we have read so far, modulo 2^32. */
export function acknowledgement(sequenceNumber: number): RtmpMessage {
  return control(MessageType.Acknowledgement, u32(sequenceNumber));
}

/** User Control event 0, Stream Begin: the stream is ready for use. */
export function streamBegin(streamId: number): RtmpMessage {
  const payload = Buffer.alloc(6);
  payload.writeUInt32BE(streamId, 2);
  return control(MessageType.UserControl, payload);
}

function command(streamId: number, values: readonly Amf0Value[]): RtmpMessage {
  return {
    chunkStreamId: streamId === 0 ? COMMAND_CHUNK_STREAM : STATUS_CHUNK_STREAM,
    typeId: MessageType.CommandAmf0,
    streamId,
    timestamp: 0,
    payload: encodeAmf0(values),
  };
}

/** `_result` answering the command of that transaction. */
export function commandResult(transactionId: number, properties: Amf0Value, information: Amf0Value): RtmpMessage {
  return command(0, ['_result', transactionId, properties, information]);
}

/** `_error` answering the command of that transaction (a command we do not serve). */
export function commandError(transactionId: number, description: string): RtmpMessage {
  return command(0, ['_error', transactionId, null, amf0Object({ level: 'error', code: 'NetConnection.Call.Failed', description })]);
}

export interface NetStatus {
  readonly level: 'status' | 'error';
  /** e.g. NetStream.Publish.Start, NetStream.Publish.BadName. */
  readonly code: string;
  readonly description: string;
}

/** `onStatus` on a stream: how a publish (or play) went. */
export function onStatus(streamId: number, status: NetStatus): RtmpMessage {
  return command(streamId, ['onStatus', 0, null, amf0Object({ level: status.level, code: status.code, description: status.description })]);
}
