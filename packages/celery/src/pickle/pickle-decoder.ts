import { CelersError } from '@celers/core';
import type { PickleValue } from './pickle-value.js';

const MAX_INPUT_BYTES = 64 * 1024 * 1024;
const MAX_DEPTH = 64;

/**
 * Decodes the pickle subset Python writes for JSON-like values (protocols 2 to 5: None, bool, int,
 * float, str, list, tuple, dict, with frames and memo). It is a data reader, not an unpickler: any opcode
 * that would look up a global, build an object or call something (`GLOBAL`, `REDUCE`, `BUILD`, ...) makes
 * it throw `CORRUPT_DATA`, so a stored pickle can never run code here.
 */
export function decodePickle(data: Uint8Array): PickleValue {
  if (data.length > MAX_INPUT_BYTES) throw corrupt(`${data.length} bytes is larger than allowed`);
  const buf = Buffer.from(data.buffer, data.byteOffset, data.length);
  const stack: unknown[] = [];
  const marks: number[] = [];
  const memo = new Map<number, unknown>();
  let pos = 0;
  const need = (n: number) => {
    if (pos + n > buf.length) throw corrupt('truncated');
    const at = pos;
    pos += n;
    return at;
  };
  const pop = () => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= (marks.at(-1) ?? 0)))
      throw corrupt('stack underflow');
    return stack.pop();
  };
  const popMark = () => {
    const mark = marks.pop();
    if (mark === undefined) throw corrupt('no MARK');
    return stack.splice(mark);
  };
  const top = () => {
    if (stack.length === 0) throw corrupt('stack underflow');
    return stack[stack.length - 1];
  };
  const text = (n: number) => {
    const at = need(n);
    return new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(at, at + n));
  };
  const setItems = (dict: unknown, items: unknown[]) => {
    if (!isDict(dict) || items.length % 2 !== 0) throw corrupt('SETITEMS on a non-dict');
    for (let i = 0; i < items.length; i += 2) {
      const key = items[i];
      if (typeof key !== 'string') throw corrupt('a dict key that is not a string');
      Object.defineProperty(dict, key, {
        value: items[i + 1],
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
  };
  const append = (list: unknown, items: unknown[]) => {
    if (!Array.isArray(list)) throw corrupt('APPEND on a non-list');
    list.push(...items);
  };

  for (;;) {
    const op = buf[need(1)];
    switch (op) {
      case 0x80: // PROTO
        need(1);
        break;
      case 0x95: // FRAME: an 8-byte length; the bytes follow inline
        need(8);
        break;
      case 0x2e: // STOP
        if (stack.length !== 1 || marks.length > 0) throw corrupt('unbalanced stack at STOP');
        checkDepth(stack[0], 0);
        return stack[0] as PickleValue;
      case 0x4e: // NONE
        stack.push(null);
        break;
      case 0x88:
        stack.push(true);
        break;
      case 0x89:
        stack.push(false);
        break;
      case 0x4a: // BININT
        stack.push(buf.readInt32LE(need(4)));
        break;
      case 0x4b: // BININT1
        stack.push(buf.readUInt8(need(1)));
        break;
      case 0x4d: // BININT2
        stack.push(buf.readUInt16LE(need(2)));
        break;
      case 0x8a: // LONG1
        {
          const n = buf.readUInt8(need(1));
          const at = need(n);
          stack.push(readLong(buf, at, at + n));
        }
        break;
      case 0x8b: {
        // LONG4
        const n = buf.readInt32LE(need(4));
        if (n < 0 || n > 1024) throw corrupt('LONG4 too long');
        const at = need(n);
        stack.push(readLong(buf, at, at + n));
        break;
      }
      case 0x47: // BINFLOAT
        stack.push(buf.readDoubleBE(need(8)));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(text(buf.readUInt8(need(1))));
        break;
      case 0x58: // BINUNICODE
        stack.push(text(buf.readUInt32LE(need(4))));
        break;
      case 0x8d: {
        // BINUNICODE8
        const n = buf.readBigUInt64LE(need(8));
        if (n > BigInt(buf.length)) throw corrupt('truncated');
        stack.push(text(Number(n)));
        break;
      }
      case 0x5d: // EMPTY_LIST
        stack.push([]);
        break;
      case 0x7d: // EMPTY_DICT
        stack.push({}); // keys are set with defineProperty, so `__proto__` stays a plain key
        break;
      case 0x29: // EMPTY_TUPLE
        stack.push([]);
        break;
      case 0x28: // MARK
        marks.push(stack.length);
        break;
      case 0x85: // TUPLE1
        stack.push([pop()]);
        break;
      case 0x86: {
        const b = pop();
        stack.push([pop(), b]);
        break;
      }
      case 0x87: {
        const c = pop();
        const b = pop();
        stack.push([pop(), b, c]);
        break;
      }
      case 0x74: // TUPLE
      case 0x6c: // LIST
        stack.push(popMark());
        break;
      case 0x61: // APPEND
        {
          const item = pop();
          append(top(), [item]);
        }
        break;
      case 0x65: {
        // APPENDS
        const items = popMark();
        append(top(), items);
        break;
      }
      case 0x73: {
        // SETITEM
        const value = pop();
        const key = pop();
        setItems(top(), [key, value]);
        break;
      }
      case 0x75: {
        // SETITEMS
        const items = popMark();
        setItems(top(), items);
        break;
      }
      case 0x94: // MEMOIZE
        memo.set(memo.size, top());
        break;
      case 0x71: // BINPUT
        memo.set(buf.readUInt8(need(1)), top());
        break;
      case 0x72: // LONG_BINPUT
        memo.set(buf.readUInt32LE(need(4)), top());
        break;
      case 0x68: // BINGET
      case 0x6a: {
        // LONG_BINGET
        const index = op === 0x68 ? buf.readUInt8(need(1)) : buf.readUInt32LE(need(4));
        if (!memo.has(index)) throw corrupt(`memo ${index} is not set`);
        stack.push(memo.get(index));
        break;
      }
      default:
        throw corrupt(`opcode 0x${(op ?? 0).toString(16)} is outside the JSON-like subset`);
    }
  }
}

function readLong(buf: Buffer, at: number, end: number): number | bigint {
  let n = 0n;
  for (let i = end - 1; i >= at; i--) n = (n << 8n) | BigInt(buf[i] ?? 0);
  const bits = BigInt((end - at) * 8);
  if (end > at && ((buf[end - 1] ?? 0) & 0x80) !== 0) n -= 1n << bits;
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

function isDict(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// Memo references can make a cycle (a list that contains itself); JSON-like values have none.
function checkDepth(value: unknown, depth: number): void {
  if (depth > MAX_DEPTH) throw corrupt(`nests deeper than ${MAX_DEPTH} levels (or is cyclic)`);
  if (Array.isArray(value)) for (const item of value) checkDepth(item, depth + 1);
  else if (isDict(value)) for (const item of Object.values(value)) checkDepth(item, depth + 1);
}

function corrupt(reason: string): CelersError {
  return new CelersError('CORRUPT_DATA', `Not a JSON-like pickle: ${reason}`);
}
