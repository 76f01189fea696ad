import { describe, expect, it } from 'vitest';
import { AppError } from '@/lib/errors';
import { ARGON2_CONCURRENCY, ARGON2_QUEUE, withArgon2Slot } from './passwords';

describe('argon2 work is capped (item 4)', () => {
  it(`runs at most ${ARGON2_CONCURRENCY} at once and refuses sign-ins beyond a queue of ${ARGON2_QUEUE} at once`, async () => {
    let running = 0;
    let peak = 0;
    const release: (() => void)[] = [];
    const work = () =>
      new Promise<string>((resolve) => {
        running++;
        peak = Math.max(peak, running);
        release.push(() => {
          running--;
          resolve('done');
        });
      });
    const total = ARGON2_CONCURRENCY + ARGON2_QUEUE + 5;
    const results = Array.from({ length: total }, () => withArgon2Slot(work, 'en').then(
      (v) => v,
      (e) => (e instanceof AppError ? e.code : 'other'),
    ));
    await new Promise((r) => setTimeout(r, 10));
    expect(running).toBe(ARGON2_CONCURRENCY);
    // Drain: each release lets the next waiter in.
    while (release.length) {
      release.shift()!();
      await new Promise((r) => setTimeout(r, 1));
    }
    const codes = await Promise.all(results);
    expect(peak).toBe(ARGON2_CONCURRENCY);
    expect(codes.filter((c) => c === 'rate_limited')).toHaveLength(5);
    expect(codes.filter((c) => c === 'done')).toHaveLength(ARGON2_CONCURRENCY + ARGON2_QUEUE);
  });

  it('setting a password (no locale) waits instead of being refused', async () => {
    const jobs = Array.from({ length: ARGON2_CONCURRENCY + ARGON2_QUEUE + 3 }, (_, i) => withArgon2Slot(async () => i));
    expect((await Promise.all(jobs)).length).toBe(ARGON2_CONCURRENCY + ARGON2_QUEUE + 3);
  });
});
