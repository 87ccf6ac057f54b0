// A minimal pickle (protocol 4) writer for the fake server: Modal Queue items are pickled by the
// Python SDK that puts them, and the JS SDK's Queue.iterate unpickles them. Covers the JSON-like
// values our events are made of (dict, list, str, int, float, bool, None), using the same opcodes
// CPython emits for them.
const OP = {
  PROTO: 0x80,
  STOP: 0x2e,
  NONE: 0x4e,
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  BININT: 0x4a,
  BININT1: 0x4b,
  BININT2: 0x4d,
  BINFLOAT: 0x47,
  SHORT_BINUNICODE: 0x8c,
  BINUNICODE: 0x58,
  EMPTY_LIST: 0x5d,
  APPEND: 0x61,
  EMPTY_DICT: 0x7d,
  SETITEM: 0x73,
  MEMOIZE: 0x94,
} as const;

export type Picklable = null | boolean | number | string | Picklable[] | { [key: string]: Picklable };

export function pickle(value: Picklable): Buffer {
  const out: number[] = [OP.PROTO, 4];
  write(value, out);
  out.push(OP.STOP);
  return Buffer.from(out);
}

function write(value: Picklable, out: number[]): void {
  if (value === null) {
    out.push(OP.NONE);
  } else if (typeof value === 'boolean') {
    out.push(value ? OP.NEWTRUE : OP.NEWFALSE);
  } else if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= -(2 ** 31) && value < 2 ** 31) {
      if (value >= 0 && value < 256) out.push(OP.BININT1, value);
      else if (value >= 0 && value < 65536) out.push(OP.BININT2, value & 0xff, value >> 8);
      else {
        const b = Buffer.alloc(4);
        b.writeInt32LE(value);
        out.push(OP.BININT, ...b);
      }
    } else {
      const b = Buffer.alloc(8);
      b.writeDoubleBE(value);
      out.push(OP.BINFLOAT, ...b);
    }
  } else if (typeof value === 'string') {
    const utf8 = Buffer.from(value, 'utf8');
    if (utf8.length < 256) out.push(OP.SHORT_BINUNICODE, utf8.length, ...utf8);
    else {
      const len = Buffer.alloc(4);
      len.writeUInt32LE(utf8.length);
      out.push(OP.BINUNICODE, ...len, ...utf8);
    }
    out.push(OP.MEMOIZE);
  } else if (Array.isArray(value)) {
    out.push(OP.EMPTY_LIST, OP.MEMOIZE);
    for (const item of value) {
      write(item, out);
      out.push(OP.APPEND);
    }
  } else {
    out.push(OP.EMPTY_DICT, OP.MEMOIZE);
    for (const [k, v] of Object.entries(value)) {
      write(k, out);
      write(v, out);
      out.push(OP.SETITEM);
    }
  }
}
