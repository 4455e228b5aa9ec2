import { CelersError } from '@celers/core';
import type { PickleValue } from './pickle-value.js';

// Protocol 2 opcodes: every Python 3 reads them, and they need no frames or memo.
const PROTO = 0x80;
const STOP = 0x2e; // .
const NONE = 0x4e; // N
const NEWTRUE = 0x88;
const NEWFALSE = 0x89;
const BININT = 0x4a; // J: signed 4-byte little-endian
const LONG1 = 0x8a;
const BINFLOAT = 0x47; // G: 8-byte big-endian double
const BINUNICODE = 0x58; // X: 4-byte length + UTF-8
const EMPTY_LIST = 0x5d; // ]
const EMPTY_DICT = 0x7d; // }
const MARK = 0x28; // (
const APPENDS = 0x65; // e
const SETITEMS = 0x75; // u

/**
 * Encodes a JSON-like value as a Python pickle (protocol 2) that `pickle.loads` turns into the same
 * None/bool/int/float/str/list/dict. Throws `INVALID_ARGUMENT` (naming `argument`) for anything else.
 */
export function encodePickle(value: PickleValue, argument = 'value'): Buffer {
  const out: Buffer[] = [Buffer.from([PROTO, 2])];
  write(value, out, argument, 0);
  out.push(Buffer.from([STOP]));
  return Buffer.concat(out);
}

function write(value: unknown, out: Buffer[], argument: string, depth: number): void {
  if (depth > 64) throw CelersError.invalidArgument(argument, 'nests deeper than 64 levels');
  if (value === null || value === undefined) out.push(Buffer.from([NONE]));
  else if (value === true) out.push(Buffer.from([NEWTRUE]));
  else if (value === false) out.push(Buffer.from([NEWFALSE]));
  else if (typeof value === 'bigint') writeInteger(value, out);
  else if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw CelersError.invalidArgument(argument, `${value} is not JSON`);
    if (Number.isSafeInteger(value)) writeInteger(BigInt(value), out);
    else {
      const b = Buffer.alloc(9);
      b[0] = BINFLOAT;
      b.writeDoubleBE(value, 1);
      out.push(b);
    }
  } else if (typeof value === 'string') {
    const text = Buffer.from(value, 'utf8');
    const head = Buffer.alloc(5);
    head[0] = BINUNICODE;
    head.writeUInt32LE(text.length, 1);
    out.push(head, text);
  } else if (Array.isArray(value)) {
    out.push(Buffer.from([EMPTY_LIST]));
    if (value.length === 0) return;
    out.push(Buffer.from([MARK]));
    for (const item of value) write(item, out, argument, depth + 1);
    out.push(Buffer.from([APPENDS]));
  } else if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    out.push(Buffer.from([EMPTY_DICT]));
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return;
    out.push(Buffer.from([MARK]));
    for (const [key, item] of entries) {
      write(key, out, argument, depth + 1);
      write(item, out, argument, depth + 1);
    }
    out.push(Buffer.from([SETITEMS]));
  } else {
    throw CelersError.invalidArgument(argument, `${typeof value} values cannot cross to Python`);
  }
}

function writeInteger(n: bigint, out: Buffer[]): void {
  if (n >= -0x80000000n && n <= 0x7fffffffn) {
    const b = Buffer.alloc(5);
    b[0] = BININT;
    b.writeInt32LE(Number(n), 1);
    out.push(b);
    return;
  }
  // LONG1: little-endian two's complement, as short as keeps the sign.
  const bytes: number[] = [];
  let rest = n;
  for (;;) {
    const byte = Number(rest & 0xffn);
    bytes.push(byte);
    rest >>= 8n;
    if ((rest === 0n && (byte & 0x80) === 0) || (rest === -1n && (byte & 0x80) !== 0)) break;
  }
  out.push(Buffer.from([LONG1, bytes.length, ...bytes]));
}
