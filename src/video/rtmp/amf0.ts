// AMF0 (Adobe's Action Message Format, version 0), the encoding of RTMP command and data messages:
// the subset RTMP commands use — number, boolean, string, long string, object, null, undefined, ECMA
// array, strict array and date. The bytes come from the network, so decoding checks every length
// against the buffer before reading, bounds nesting (a few hundred nested objects would otherwise
// overflow the stack), and throws Amf0DecodeError for anything malformed, never a RangeError.
//
// Objects and ECMA arrays decode to a Map rather than a plain object: keys come from the peer, and a
// key named `__proto__` must stay a key.

/** A value that cannot be decoded: truncated, of an unsupported type, or nested too deep. */
export class Amf0DecodeError extends Error {
  override readonly name = 'Amf0DecodeError';
  /** Where in the buffer decoding stopped. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`${message} (at byte ${offset})`);
    this.offset = offset;
  }
}

export type Amf0Value = number | boolean | string | null | undefined | Date | Amf0Object | readonly Amf0Value[];

/**
 * An AMF0 object (marker 0x03) or ECMA array (0x08): named values, in the order they came. The kind
 * is kept so that a value encodes back as it came.
 */
export interface Amf0Object {
  readonly kind: 'object' | 'ecma-array';
  readonly properties: ReadonlyMap<string, Amf0Value>;
}

/** How deep objects and arrays may nest; RTMP commands use two or three levels. */
export const AMF0_MAX_DEPTH = 32;

/** The type markers this module reads and writes (AMF0 spec §2.1). */
const Marker = {
  Number: 0x00,
  Boolean: 0x01,
  String: 0x02,
  Object: 0x03,
  Null: 0x05,
  Undefined: 0x06,
  EcmaArray: 0x08,
  ObjectEnd: 0x09,
  StrictArray: 0x0a,
  Date: 0x0b,
  LongString: 0x0c,
} as const;
type Marker = (typeof Marker)[keyof typeof Marker];

/**
 * Builds an AMF0 object from a record, for the objects we send.
 *
 * @example
 * encodeAmf0(['onStatus', 0, null, amf0Object({ level: 'status', code: 'NetStream.Publish.Start' })]);
 */
export function amf0Object(properties: Readonly<Record<string, Amf0Value>>, kind: Amf0Object['kind'] = 'object'): Amf0Object {
  return { kind, properties: new Map(Object.entries(properties)) };
}

export function isAmf0Object(value: Amf0Value): value is Amf0Object {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** Reads the buffer front to back, checking each length before it reads. */
class Cursor {
  constructor(
    private readonly buffer: Buffer,
    public offset: number,
  ) {}

  private need(bytes: number, what: string): void {
    if (this.buffer.length - this.offset < bytes) throw new Amf0DecodeError(`truncated ${what}`, this.offset);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.buffer.readUInt8(this.offset++);
  }

  u16(what: string): number {
    this.need(2, what);
    const value = this.buffer.readUInt16BE(this.offset);
    this.offset += 2;
    return value;
  }

  u32(what: string): number {
    this.need(4, what);
    const value = this.buffer.readUInt32BE(this.offset);
    this.offset += 4;
    return value;
  }

  f64(what: string): number {
    this.need(8, what);
    const value = this.buffer.readDoubleBE(this.offset);
    this.offset += 8;
    return value;
  }

  utf8(length: number, what: string): string {
    this.need(length, what);
    const value = this.buffer.toString('utf8', this.offset, this.offset + length);
    this.offset += length;
    return value;
  }

  /** Whether the next three bytes are the object end marker (an empty name, then 0x09). */
  atObjectEnd(): boolean {
    return this.buffer.length - this.offset >= 3 && this.buffer.readUInt16BE(this.offset) === 0 && this.buffer.readUInt8(this.offset + 2) === 0x09;
  }

  remaining(): number {
    return this.buffer.length - this.offset;
  }
}

function readValue(cursor: Cursor, depth: number): Amf0Value {
  const at = cursor.offset;
  const marker = cursor.u8('type marker');
  switch (marker) {
    case Marker.Number:
      return cursor.f64('number');
    case Marker.Boolean:
      return cursor.u8('boolean') !== 0;
    case Marker.String:
      return cursor.utf8(cursor.u16('string length'), 'string');
    case Marker.LongString:
      return cursor.utf8(cursor.u32('long string length'), 'long string');
    case Marker.Null:
      return null;
    case Marker.Undefined:
      return undefined;
    case Marker.Object:
      return { kind: 'object', properties: readProperties(cursor, depth + 1, at) };
    case Marker.EcmaArray:
      cursor.u32('ECMA array count'); // a hint only: the properties run to the end marker
      return { kind: 'ecma-array', properties: readProperties(cursor, depth + 1, at) };
    case Marker.StrictArray:
      return readStrictArray(cursor, depth + 1, at);
    case Marker.Date: {
      const ms = cursor.f64('date');
      cursor.u16('date time zone'); // reserved, 0 by the spec: the time is UTC
      return new Date(ms);
    }
    case Marker.ObjectEnd:
      throw new Amf0DecodeError('object end marker outside an object', at);
    default:
      throw new Amf0DecodeError(`unsupported AMF0 type 0x${marker.toString(16)}`, at);
  }
}

function checkDepth(depth: number, at: number): void {
  if (depth > AMF0_MAX_DEPTH) throw new Amf0DecodeError(`nested deeper than ${AMF0_MAX_DEPTH}`, at);
}

function readProperties(cursor: Cursor, depth: number, at: number): Map<string, Amf0Value> {
  checkDepth(depth, at);
  const properties = new Map<string, Amf0Value>();
  // Each property takes at least three bytes, so the buffer's length bounds this loop.
  for (;;) {
    if (cursor.atObjectEnd()) {
      cursor.offset += 3;
      return properties;
    }
    const name = cursor.utf8(cursor.u16('property name length'), 'property name');
    properties.set(name, readValue(cursor, depth));
  }
}

function readStrictArray(cursor: Cursor, depth: number, at: number): Amf0Value[] {
  checkDepth(depth, at);
  const count = cursor.u32('strict array count');
  // Every element takes at least one byte: a count beyond what is left is a lie, refused before
  // anything is allocated for it.
  if (count > cursor.remaining()) throw new Amf0DecodeError(`strict array of ${count} elements in ${cursor.remaining()} bytes`, at);
  const values: Amf0Value[] = [];
  for (let i = 0; i < count; i++) values.push(readValue(cursor, depth));
  return values;
}

/** Decodes the one value at `offset`; answers it and where the next value starts. */
export function decodeAmf0Value(buffer: Buffer, offset = 0): { readonly value: Amf0Value; readonly end: number } {
  const cursor = new Cursor(buffer, offset);
  const value = readValue(cursor, 0);
  return { value, end: cursor.offset };
}

/** Decodes every value in the buffer, in order (a command message is a run of values). */
export function decodeAmf0(buffer: Buffer): Amf0Value[] {
  const cursor = new Cursor(buffer, 0);
  const values: Amf0Value[] = [];
  while (cursor.remaining() > 0) values.push(readValue(cursor, 0));
  return values;
}

/** Collects the encoded parts; they are concatenated once at the end. */
class Parts {
  readonly list: Buffer[] = [];

  marker(marker: Marker): void {
    this.list.push(Buffer.of(marker));
  }

  u16(value: number): void {
    const b = Buffer.allocUnsafe(2);
    b.writeUInt16BE(value);
    this.list.push(b);
  }

  u32(value: number): void {
    const b = Buffer.allocUnsafe(4);
    b.writeUInt32BE(value);
    this.list.push(b);
  }

  f64(value: number): void {
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleBE(value);
    this.list.push(b);
  }
}

function writeName(parts: Parts, name: string): void {
  const bytes = Buffer.from(name, 'utf8');
  if (bytes.length > 0xffff) throw new RangeError(`AMF0 property name of ${bytes.length} bytes (at most 65535)`);
  parts.u16(bytes.length);
  parts.list.push(bytes);
}

/** The depth of a container inside `depth` containers, refused past the limit the decoder keeps too. */
function innerDepth(depth: number): number {
  if (depth + 1 > AMF0_MAX_DEPTH) throw new RangeError(`AMF0 value nested deeper than ${AMF0_MAX_DEPTH}`);
  return depth + 1;
}

function writeValue(parts: Parts, value: Amf0Value, depth: number): void {
  if (typeof value === 'number') {
    parts.marker(Marker.Number);
    parts.f64(value);
  } else if (typeof value === 'boolean') {
    parts.marker(Marker.Boolean);
    parts.list.push(Buffer.of(value ? 1 : 0));
  } else if (typeof value === 'string') {
    const bytes = Buffer.from(value, 'utf8');
    if (bytes.length <= 0xffff) {
      parts.marker(Marker.String);
      parts.u16(bytes.length);
    } else {
      parts.marker(Marker.LongString);
      parts.u32(bytes.length);
    }
    parts.list.push(bytes);
  } else if (value === null) {
    parts.marker(Marker.Null);
  } else if (value === undefined) {
    parts.marker(Marker.Undefined);
  } else if (value instanceof Date) {
    parts.marker(Marker.Date);
    parts.f64(value.getTime());
    parts.u16(0);
  } else if (Array.isArray(value)) {
    const inner = innerDepth(depth);
    parts.marker(Marker.StrictArray);
    parts.u32(value.length);
    for (const element of value as readonly Amf0Value[]) writeValue(parts, element, inner);
  } else {
    const object = value as Amf0Object;
    const inner = innerDepth(depth);
    if (object.kind === 'ecma-array') {
      parts.marker(Marker.EcmaArray);
      parts.u32(object.properties.size);
    } else parts.marker(Marker.Object);
    for (const [name, property] of object.properties) {
      writeName(parts, name);
      writeValue(parts, property, inner);
    }
    parts.list.push(Buffer.of(0, 0, Marker.ObjectEnd));
  }
}

/** Encodes the values one after another, as a command or data message carries them. */
export function encodeAmf0(values: readonly Amf0Value[]): Buffer {
  const parts = new Parts();
  for (const value of values) writeValue(parts, value, 0);
  return Buffer.concat(parts.list);
}
