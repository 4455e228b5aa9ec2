import { execFile } from 'node:child_process';
import { pythonInterpreter } from '@celers/testing';
import { describe, expect, it } from 'vitest';
import { decodePickle, encodePickle, type PickleValue, parseBigJson } from '../src/index.js';

const python = (code: string, input: Buffer | string = '') =>
  new Promise<Buffer>((resolve, reject) => {
    const child = execFile(pythonInterpreter(), ['-c', code], { encoding: 'buffer' }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
    child.stdin?.on('error', () => undefined); // scripts that read no stdin close it early
    child.stdin?.end(input);
  });

const SAMPLE: PickleValue = {
  none: null,
  t: true,
  f: false,
  small: 7,
  negative: -123456,
  int32: 2 ** 31 - 1,
  int53: 2 ** 53 - 1,
  big: 2n ** 70n,
  negBig: -(2n ** 64n) - 1n,
  float: -1.25e-7,
  text: 'ü☃ 𝄞 "quoted"',
  list: [1, [2, [3, []]], {}],
  '': 'empty key',
};

describe('pickle subset', () => {
  it('writes pickles Python loads as the same values', async () => {
    const out = await python(
      'import pickle,sys,json; v=pickle.loads(sys.stdin.buffer.read()); print(json.dumps(v, sort_keys=True))',
      encodePickle(SAMPLE),
    );
    expect(parseBigJson(out.toString('utf8'))).toEqual(SAMPLE);
  });

  it('reads what Python pickles with every protocol from 2 to 5, tuples as arrays', async () => {
    for (const protocol of [2, 3, 4, 5]) {
      const out = await python(
        `import pickle,sys; v={'exc_message': ('a', 1), 'same': None}; l=[1.5, 'x', v, v, 2**70, -2**64-1, True]; sys.stdout.buffer.write(pickle.dumps(l, protocol=${protocol}))`,
      );
      const exc = { exc_message: ['a', 1], same: null };
      expect(decodePickle(out), `protocol ${protocol}`).toEqual([
        1.5,
        'x',
        exc,
        exc,
        2n ** 70n,
        -(2n ** 64n) - 1n,
        true,
      ]);
    }
  });

  it('refuses pickles that would run code, build objects or are truncated (CORRUPT_DATA)', async () => {
    const evil = await python(
      "import pickle,sys,os; sys.stdout.buffer.write(pickle.dumps(os.system, protocol=2) + b'')",
    );
    const reduce = await python(
      'import pickle,sys,datetime; sys.stdout.buffer.write(pickle.dumps(datetime.datetime(2020,1,1), protocol=4))',
    );
    for (const bad of [
      evil,
      reduce,
      Buffer.from('cos\nsystem\n(S"id"\ntR.'),
      encodePickle([1, 2]).subarray(0, 5),
    ])
      expect(() => decodePickle(bad)).toThrow(expect.objectContaining({ code: 'CORRUPT_DATA' }));
  });

  it('rejects values Python cannot read back as JSON-like (INVALID_ARGUMENT)', () => {
    expect(() => encodePickle(Number.POSITIVE_INFINITY, 'result')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'result' }),
    );
    expect(() => encodePickle(new Date() as never, 'result')).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', argument: 'result' }),
    );
  });
});
