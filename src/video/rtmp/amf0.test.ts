// Proves the AMF0 codec: the values RTMP commands carry encode to the bytes the spec gives and back,
// any value decodes to itself after encoding, and bytes from the network — cut short, or random —
// only ever fail with Amf0DecodeError, including nesting deep enough to overflow the stack.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AMF0_MAX_DEPTH, Amf0DecodeError, amf0Object, decodeAmf0, decodeAmf0Value, encodeAmf0, isAmf0Object, type Amf0Value } from './amf0.js';

const scalar: fc.Arbitrary<Amf0Value> = fc.oneof(
  fc.double(),
  fc.boolean(),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constant(null),
  fc.constant(undefined),
  fc.date({ noInvalidDate: true }),
);

const { value: amf0Value } = fc.letrec<{ value: Amf0Value }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.array(tie('value'), { maxLength: 5 }),
    fc
      .tuple(fc.constantFrom('object' as const, 'ecma-array' as const), fc.array(fc.tuple(fc.string({ unit: 'binary', maxLength: 12 }), tie('value')), { maxLength: 5 }))
      .map(([kind, entries]) => ({ kind, properties: new Map(entries) })),
  ),
}));

describe('AMF0', () => {
  it('encodes a connect command as the spec lays it out', () => {
    const bytes = encodeAmf0(['connect', 1, amf0Object({ app: 'live' }), null]);
    expect(bytes.toString('hex')).toBe(
      [
        '02 0007', Buffer.from('connect').toString('hex'), // string
        '00', '3ff0000000000000', // number 1
        '03', '0003', Buffer.from('app').toString('hex'), '02 0004', Buffer.from('live').toString('hex'), '000009', // object
        '05', // null
      ].join('').replaceAll(' ', ''),
    );
    expect(decodeAmf0(bytes)).toEqual(['connect', 1, amf0Object({ app: 'live' }), null]);
  });

  it('decodes every supported type, and keeps a key named __proto__ a key', () => {
    const date = new Date(Date.UTC(2024, 0, 2, 3, 4, 5));
    const long = 'x'.repeat(70_000);
    const values: Amf0Value[] = [
      -1.5,
      true,
      false,
      'héllo',
      long,
      null,
      undefined,
      amf0Object({ duration: 0, encoder: 'Lavf58' }, 'ecma-array'),
      [1, 'two', [null]],
      date,
      amf0Object({ ['__proto__']: 'x', nested: amf0Object({ deep: true }) }),
    ];
    const bytes = encodeAmf0(values);
    expect(bytes.readUInt8(encodeAmf0([-1.5, true, false, 'héllo']).length)).toBe(0x0c); // the long string
    const decoded = decodeAmf0(bytes);
    expect(decoded).toEqual(values);
    const last = decoded.at(-1);
    expect(isAmf0Object(last) ? last.properties.get('__proto__') : null).toBe('x');
  });

  it('reads an ECMA array up to its end marker whatever its count says', () => {
    // Encoders write the count as a hint (ffmpeg writes the number of fields it meant to write).
    const bytes = Buffer.from('08' + '000000ff' + '0001' + '61' + '0101' + '000009', 'hex');
    expect(decodeAmf0Value(bytes)).toEqual({ value: amf0Object({ a: true }, 'ecma-array'), end: bytes.length });
  });

  it('refuses unsupported types, a stray end marker, a lying array count and deep nesting with Amf0DecodeError', () => {
    for (const hex of ['04', '07 0001', '0d', '10 0001 61 000009', '09', '0a ffffffff 05', '02 0005 6162']) {
      expect(() => decodeAmf0(Buffer.from(hex.replaceAll(' ', ''), 'hex')), hex).toThrow(Amf0DecodeError);
    }
    const deep = Buffer.concat([...Array.from({ length: 10_000 }, () => Buffer.from('0a00000001', 'hex')), Buffer.from('05', 'hex')]);
    expect(() => decodeAmf0(deep)).toThrow(/nested deeper than 32/);

    let nested: Amf0Value = null;
    for (let i = 0; i < AMF0_MAX_DEPTH; i++) nested = [nested];
    expect(decodeAmf0(encodeAmf0([nested]))).toEqual([nested]);
    expect(() => encodeAmf0([[nested]])).toThrow(RangeError);
  });

  it('decodes what it encodes (property)', () => {
    fc.assert(
      fc.property(fc.array(amf0Value, { maxLength: 4 }), (values) => {
        expect(decodeAmf0(encodeAmf0(values))).toEqual(values);
      }),
      { numRuns: 500 },
    );
  });

  it('throws Amf0DecodeError for every truncation of a valid value (property)', () => {
    fc.assert(
      fc.property(amf0Value, fc.nat(), (value, cut) => {
        const bytes = encodeAmf0([value]);
        const length = cut % bytes.length; // shorter than the value, possibly empty
        expect(() => decodeAmf0Value(bytes.subarray(0, length))).toThrow(Amf0DecodeError);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws anything but Amf0DecodeError on random bytes (property)', () => {
    const amf0ish = fc.array(fc.oneof(fc.constantFrom(0, 1, 2, 3, 5, 6, 8, 9, 10, 11, 12), fc.integer({ min: 0, max: 255 })), { maxLength: 200 });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }), amf0ish), (bytes) => {
        try {
          decodeAmf0(Buffer.from(bytes));
        } catch (error) {
          expect(error).toBeInstanceOf(Amf0DecodeError);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
