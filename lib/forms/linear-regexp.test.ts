import { describe, it, expect } from 'vitest';
import { compileLinear, linearRegExpEngine, PatternError } from './linear-regexp';
import { createAjv } from './ajv';

describe('patterns run in linear time (RE2)', () => {
  it('validates a catastrophic-backtracking pattern against a hostile value, through the shared ajv', () => {
    // With JavaScript's RegExp this one test took ~15 s (exponential backtracking).
    const validate = createAjv().compile({ type: 'string', pattern: '^(a+)+$' });
    const hostile = 'a'.repeat(28) + '!';
    const started = performance.now();
    expect(validate(hostile)).toBe(false);
    expect(validate('a'.repeat(28))).toBe(true);
    const ms = performance.now() - started;
    console.info(`[linear-regexp] ^(a+)+$ on 28 a's + '!': ${ms.toFixed(2)} ms`);
  });

  it('is the engine of the one ajv configuration (server and browser)', () => {
    // No timing assertion: the proof is that ajv compiles `pattern` with RE2, not new RegExp.
    expect(createAjv().opts.code.regExp).toBe(linearRegExpEngine);
  });

  it('keeps JavaScript pattern syntax: \\d, \\u escapes, classes, \\p{Script=Han}', () => {
    expect(compileLinear('^1[3-9]\\d{9}$').test('13912345678')).toBe(true);
    expect(compileLinear('^[\\u4e00-\\u9fa5]+$').test('杭州')).toBe(true);
    expect(compileLinear('^[\\u4e00-\\u9fa5]+$').test('Hangzhou')).toBe(false);
    expect(compileLinear('^\\p{Script=Han}+$').test('杭州')).toBe(true);
    expect(compileLinear('^\\p{sc=Han}+$').test('abc')).toBe(false);
    expect(compileLinear('^[^<>]*$').test('a<b')).toBe(false);
    expect(compileLinear('^\\\\k$').test('\\k')).toBe(true); // an escaped backslash before k is no backreference
    expect(compileLinear('ab').test('xaby')).toBe(true); // `pattern` is a search, not a full match
  });

  it('refuses backreferences and lookaround as unsupported, and garbage as invalid', () => {
    const problem = (p: string) => {
      try {
        compileLinear(p);
        return 'compiled';
      } catch (e) {
        return e instanceof PatternError ? e.problem : 'other';
      }
    };
    expect(problem('^(a)\\1$')).toBe('unsupported');
    expect(problem('^(?<x>a)\\k<x>$')).toBe('unsupported');
    expect(problem('^(?=a)a$')).toBe('unsupported');
    expect(problem('^(?<!a)b$')).toBe('unsupported');
    expect(problem('([a-z]')).toBe('invalid');
    // ajv compiles through the same engine, so an unsupported pattern cannot be compiled at all.
    expect(() => createAjv().compile({ type: 'string', pattern: '(a)\\1' })).toThrow();
  });
});
