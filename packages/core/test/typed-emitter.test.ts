import { describe, expect, it } from 'vitest';
import { TypedEmitter } from '../src/index.js';

type ClockEvents = { 'clock:ticked': { at: number }; error: { error: Error } };

describe('TypedEmitter', () => {
  it('delivers one payload to on listeners, once listeners only once, and none after off', () => {
    const clock = new TypedEmitter<ClockEvents>();
    const seen: number[] = [];
    const onceSeen: number[] = [];
    const listener = ({ at }: { at: number }) => seen.push(at);
    clock.on('clock:ticked', listener);
    clock.once('clock:ticked', ({ at }) => onceSeen.push(at));
    expect(clock.emit('clock:ticked', { at: 1 })).toBe(true);
    clock.emit('clock:ticked', { at: 2 });
    clock.off('clock:ticked', listener);
    expect(clock.emit('clock:ticked', { at: 3 })).toBe(false);
    expect(seen).toEqual([1, 2]);
    expect(onceSeen).toEqual([1]);
  });

  it('keeps Node semantics for error: emitting it without a listener throws', () => {
    const clock = new TypedEmitter<ClockEvents>();
    expect(() => clock.emit('error', { error: new Error('boom') })).toThrow();
  });
});
