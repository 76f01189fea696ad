import { describe, expect, it } from 'vitest';
import { randomReadablePassword } from './random-password';
import { passwordProblem } from './passwords';

describe('randomReadablePassword', () => {
  it('is long, readable, follows the password rules and differs each time', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const p = randomReadablePassword();
      expect(p).toMatch(/^[a-zA-Z2-9]{4}-[a-zA-Z2-9]{4}-[a-zA-Z2-9]{4}$/);
      expect(p).not.toMatch(/[01lIO]/);
      expect(passwordProblem(p, 'en')).toBeUndefined();
      seen.add(p);
    }
    expect(seen.size).toBe(200);
  });
});
