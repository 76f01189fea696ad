/**
 * First run and example data. While no user exists, anyone reaching the app
 * may create the first admin; the CLI (the system caller) loads the example.
 * Setup seeds data, so this module may call the seed (lib/examples).
 */
import 'server-only';
import { sql } from 'kysely';
import { defineOperation, type OperationInput } from '@/lib/operation';
import { AppError } from '@/lib/errors';
import { msg } from '@/lib/i18n';
import { unsafeSeedExample, type SeedSummary } from '@/lib/examples/seed';
import { insertUser } from '@/lib/directory/operations';

export const getSetupStatus = defineOperation({
  name: 'setup.status',
  permission: 'public',
  readOnly: true,
  audit: false,
  input: { type: 'object', additionalProperties: false },
  async run(ctx): Promise<{ needsSetup: boolean }> {
    const any = await ctx.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
    return { needsSetup: !any };
  },
});

export const createFirstAdmin = defineOperation({
  name: 'setup.createFirstAdmin',
  permission: 'public',
  input: {
    type: 'object',
    additionalProperties: false,
    required: ['email', 'name', 'password', 'loadExample'],
    properties: {
      email: { type: 'string', format: 'email', maxLength: 254 },
      name: { type: 'string', minLength: 1, maxLength: 100 },
      password: { type: 'string', maxLength: 200 },
      loadExample: { type: 'boolean' },
    },
  },
  async run(ctx, input): Promise<{ userId: string; exampleUsers: { email: string; name: string; password: string }[] }> {
    // Serialise concurrent first visits: exactly one becomes the admin.
    await sql`select pg_advisory_xact_lock(7301)`.execute(ctx.db);
    const any = await ctx.db.selectFrom('users').select('id').limit(1).executeTakeFirst();
    if (any) throw new AppError('setup_required', msg(ctx.locale, 'errors.setup.alreadyDone'));
    const userId = await insertUser(ctx, { ...input, isAdmin: true });
    const example = input.loadExample
      ? // Each example user gets its own random password, shown once in this answer; never the admin's.
        await unsafeSeedExample(ctx.db, { createdBy: userId })
      : undefined;
    ctx.audit({
      action: 'setup.createFirstAdmin',
      actorId: userId,
      actorLabel: input.email.trim().toLowerCase(),
      resourceType: 'user',
      resourceId: userId,
      details: { loadExample: input.loadExample, exampleRecords: example?.records ?? 0 },
    });
    return { userId, exampleUsers: example?.users ?? [] };
  },
});
export type CreateFirstAdminInput = OperationInput<typeof createFirstAdmin>;

/**
 * `fw seed example`: loads the 客户管理 example. The system caller only: an
 * admin in the browser loads it at setup, never over existing data.
 */
export const loadExample = defineOperation({
  name: 'setup.loadExample',
  permission: 'admin',
  input: {
    type: 'object',
    additionalProperties: false,
    properties: {
      password: { type: 'string', maxLength: 200 },
      records: { type: 'integer', minimum: 0, maximum: 1_000_000 },
    },
  },
  async run(ctx, input): Promise<SeedSummary> {
    if (!ctx.principal.systemLabel) {
      throw new AppError('forbidden', msg(ctx.locale, 'errors.setup.exampleOnlyAtSetup'));
    }
    const summary = await unsafeSeedExample(ctx.db, { password: input.password, recordCount: input.records ?? 300 });
    ctx.audit({ action: 'seed.example', resourceType: 'form', resourceId: summary.formId, details: { records: summary.records } });
    return summary;
  },
});
