import { describe, expect, it } from 'vitest';
import { lockSecondsAfter, POLICIES } from './throttle';

describe('back-off policy (item 4)', () => {
  it('locks at the threshold, doubles, and stops at the cap', () => {
    const minutes = (kind: keyof typeof POLICIES, failures: number) => lockSecondsAfter(POLICIES[kind], failures) / 60;
    expect([4, 5, 6, 7, 8, 9, 10, 1000].map((f) => minutes('pair', f))).toEqual([0, 1, 2, 4, 8, 15, 15, 15]);
    expect([19, 20, 21, 22, 23].map((f) => minutes('account', f))).toEqual([0, 5, 10, 20, 30]);
    expect([49, 50, 56, 57].map((f) => minutes('ip', f))).toEqual([0, 1, 60, 60]);
    // No IP is locked for more than an hour, and every counter is forgotten after one.
    for (const p of Object.values(POLICIES)) {
      expect(p.maxLockSeconds).toBeLessThanOrEqual(3600);
      expect(p.forgetAfterSeconds).toBeLessThanOrEqual(3600);
    }
  });
});
