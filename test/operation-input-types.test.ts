/** The types json-schema-to-ts derives from operation input schemas (checked by tsc, which runs in `npm test`). */
import { describe, expectTypeOf, it } from 'vitest';
import type { ListRecordsInput, UpdateRecordInput } from '@/lib/records/operations';
import type { CreateFirstAdminInput } from '@/lib/setup/operations';

describe('operation input types', () => {
  it('follow the schema: required, optional, defaulted (stays optional: ajv applies no defaults), enums', () => {
    expectTypeOf<ListRecordsInput>().toEqualTypeOf<{
      formId: string;
      page?: number;
      pageSize?: number;
      sort?: string;
      order?: 'asc' | 'desc';
      q?: string;
      filter?: { [x: string]: string };
    }>();
    expectTypeOf<UpdateRecordInput>().toEqualTypeOf<{ formId: string; recordId: string; version: number; values: { [x: string]: unknown } }>();
    expectTypeOf<CreateFirstAdminInput>().toEqualTypeOf<{ email: string; name: string; password: string; loadExample: boolean }>();
  });
});
