import { describe, it, expect } from 'vitest';
import { compileDetached, createAjv, FORM_KEYWORDS } from './ajv';

describe('createAjv', () => {
  it('knows our x- keywords as annotations and stays strict about anything else', () => {
    const ajv = createAjv();
    const schema: Record<string, unknown> = { type: 'string', title: 'T' };
    for (const kw of FORM_KEYWORDS) schema[kw] = kw === 'x-encrypted' ? true : 'v';
    const validate = ajv.compile(schema);
    expect(validate('anything')).toBe(true); // annotations never reject
    expect(validate(1)).toBe(false);
    expect(() => createAjv().compile({ type: 'string', 'x-typo': true })).toThrow(/unknown keyword/);
  });

  it('validates standard and mainland formats', () => {
    const ajv = createAjv();
    const check = (format: string, value: string) => ajv.validate({ type: 'string', format }, value);
    expect(check('email', 'li.na@example.com')).toBe(true);
    expect(check('email', 'li.na@')).toBe(false);
    expect(check('date', '2024-02-29')).toBe(true);
    expect(check('date', '2023-02-29')).toBe(false);
    expect(check('date-time', '2024-01-31T09:30:00+08:00')).toBe(true);
    expect(check('date-time', '2024-01-31 09:30')).toBe(false);
    expect(check('cn-mobile', '13912345678')).toBe(true);
    expect(check('cn-mobile', '12912345678')).toBe(false);
    expect(check('cn-id-card', '110105199003071239')).toBe(true);
    expect(check('cn-id-card', '11010519900307123X')).toBe(false); // the check digit is 9
    expect(check('bank-card', '4111111111111111')).toBe(true);
    expect(check('bank-card', '4111111111111112')).toBe(false);
    expect(check('uuid', '6f1c2a0e-3b7d-4c59-9a1e-2d4b8c7f0a13')).toBe(true);
    // ajv-formats accepts the urn form, which PostgreSQL's uuid type refuses (a 500 before).
    expect(check('uuid', 'urn:uuid:6f1c2a0e-3b7d-4c59-9a1e-2d4b8c7f0a13')).toBe(false);
    expect(check('uuid', '6f1c2a0e3b7d4c599a1e2d4b8c7f0a13')).toBe(false);
  });

  it('reports every error, not just the first', () => {
    const validate = createAjv().compile({
      type: 'object',
      properties: { a: { type: 'string', maxLength: 1 }, b: { type: 'number' } },
    });
    expect(validate({ a: 'long', b: 'x' })).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath).sort()).toEqual(['/a', '/b']);
  });

  it('checks decimal steps without binary rounding surprises', () => {
    const validate = createAjv().compile({ type: 'number', multipleOf: 0.01 });
    expect(validate(19.99)).toBe(true);
    expect(validate(0.3)).toBe(true);
    expect(validate(0.305)).toBe(false);
  });
});

describe('compileDetached', () => {
  it('compiles the same schema object repeatedly and keeps working after eviction', () => {
    const schema = { type: 'integer', minimum: 3 };
    const a = compileDetached(schema);
    const b = compileDetached(schema);
    // ajv would return its cached function for the same object; detached compiles are fresh.
    expect(a).not.toBe(b);
    expect(a(4)).toBe(true);
    expect(a(2)).toBe(false);
    expect(b(2)).toBe(false);
  });

  it('throws for schemas ajv refuses', () => {
    expect(() => compileDetached({ type: 'string', pattern: '(' })).toThrow();
  });
});
