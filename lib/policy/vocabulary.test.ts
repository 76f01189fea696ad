/**
 * The grant type and the grant schema say the same thing: every value a typed arbitrary of
 * `Grant` produces passes the schema (so the editor, which builds grants through the type,
 * never saves one that policy would treat as no grant), and schemas/grant.schema.json is the
 * schema itself, regenerated from vocabulary.ts, never edited by hand.
 *
 * The type cannot carry what JSON Schema says about strings and sizes (key patterns, at most
 * 200 characters, 1–20 items, 1–100 values, a depth of at most MAX_CONDITION_DEPTH): the
 * arbitrary keeps to those, and the comments below name each one.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { grantSchemaErrors, isValidGrant } from './decide';
import { dynamicValues, grantSchema, MAX_CONDITION_DEPTH, type FieldCondition, type Grant, type GrantCondition } from './vocabulary';
import { validGrantArb, type GrantContext } from '../../test/policy/generators';
import { refIsValidGrant } from '../../test/policy/reference';

/** A field key as the schema's pattern allows it. */
const key = fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9_]{0,62}$/);
/** A literal: a string of at most 200 code points (long ones too), a finite number, a boolean, or a dynamic value. */
const literal = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'binary', minLength: 190, maxLength: 200 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.boolean(),
  fc.constantFrom(...dynamicValues),
);
const number = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
const field = fc.oneof(fc.constantFrom('$owner', '$department'), key);

/** Exactly one operator per comparison: the type would allow none or several (see the report of issue 6). */
const comparison: fc.Arbitrary<FieldCondition> = fc.oneof(
  fc.record({ field, eq: literal }),
  fc.record({ field, ne: literal }),
  fc.record({ field, in: fc.oneof(fc.array(literal, { minLength: 1, maxLength: 5 }), fc.array(literal, { minLength: 95, maxLength: 100 })) }),
  fc.record({ field, gt: number }),
  fc.record({ field, gte: number }),
  fc.record({ field, lt: number }),
  fc.record({ field, lte: number }),
);

/** all/any at their limit of 20 items, and nesting at the depth limit. */
const wide = fc.array(comparison, { minLength: 18, maxLength: 20 });
const atLimits: fc.Arbitrary<GrantCondition> = fc.oneof(
  wide.map((all): GrantCondition => ({ all })),
  wide.map((any): GrantCondition => ({ any })),
  comparison.map((c): GrantCondition => ({ not: { all: [{ any: [{ not: c }] }] } })),
);
const anyForm: GrantContext = { modeKey: key, comparison, moreConditions: atLimits };
const grants: fc.Arbitrary<Grant> = validGrantArb(anyForm);

describe('the Grant type and grantSchema', () => {
  it(`every typed Grant (conditions up to depth ${MAX_CONDITION_DEPTH}) passes the schema`, () => {
    fc.assert(
      fc.property(grants, (g) => {
        expect(grantSchemaErrors(g)).toEqual([]);
        expect(isValidGrant(g)).toBe(true);
        // The tests' reference validator (written from the documented shape) agrees.
        expect(refIsValidGrant(g)).toBe(true);
      }),
      { seed: 20261202, numRuns: 1000 },
    );
  });

  it('schemas/grant.schema.json is grantSchema', () => {
    const path = join(__dirname, '../../schemas/grant.schema.json');
    const regenerate =
      "schemas/grant.schema.json differs from grantSchema (lib/policy/vocabulary.ts). Regenerate it: npx tsx -e \"import { writeFileSync } from 'node:fs'; import { grantSchema } from './lib/policy/vocabulary'; writeFileSync('schemas/grant.schema.json', JSON.stringify(grantSchema, null, 2) + '\\n');\"";
    const file: unknown = JSON.parse(readFileSync(path, 'utf8'));
    expect(JSON.stringify(file), regenerate).toBe(JSON.stringify(grantSchema));
  });
});
