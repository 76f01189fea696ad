/** The 客户管理 example as an admin sees it: is it loaded, and removing it in one audited step. */
import 'server-only';
import { defineOperation } from '@/lib/operation';
import { exampleStatus, removeExample, type ExampleRemoval, type ExampleStatus } from './remove';

export type { ExampleRemoval, ExampleStatus } from './remove';

export const getExampleStatus = defineOperation({
  name: 'examples.status',
  permission: 'admin',
  readOnly: true,
  // Read on every render of the forms admin page: configuration state, not
  // evidence of access to anyone's data (like getMe), so auditing it is noise.
  // Failures (a non-admin asking) are still audited.
  audit: false,
  input: { type: 'object', additionalProperties: false },
  async run(ctx): Promise<ExampleStatus> {
    return exampleStatus(ctx.db, ctx.principal);
  },
});

export const removeExampleData = defineOperation({
  name: 'examples.remove',
  permission: 'admin',
  input: { type: 'object', additionalProperties: false },
  async run(ctx): Promise<ExampleRemoval> {
    const removed = await removeExample(ctx.db, ctx.locale, ctx.principal.userId);
    // Counts and ids only: the audit log keeps that the example went, and who removed it.
    ctx.audit({ action: 'examples.remove', resourceType: 'form', resourceId: removed.formId, formId: removed.formId, details: { ...removed } });
    return removed;
  },
});
