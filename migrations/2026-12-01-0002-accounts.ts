/**
 * Accounts: a forced password change, API tokens that expire, can be
 * read-only and record their last use.
 */
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  // Set when someone other than the user chose the password (an admin's
  // reset, a created account, the example): the user must choose their own
  // at the next sign-in, so the person who typed it cannot keep using it.
  await db.schema.alterTable('users').addColumn('must_change_password', 'boolean', (c) => c.notNull().defaultTo(false)).execute();

  // Every token expires: a forgotten token in an old script stops working.
  // Tokens that existed before get 90 days from now rather than expiring at once.
  await db.schema
    .alterTable('api_tokens')
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now() + interval '90 days'`))
    .execute();
  await db.schema.alterTable('api_tokens').addColumn('read_only', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
  await db.schema.createIndex('api_tokens_user_idx').on('api_tokens').column('user_id').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('api_tokens_user_idx').ifExists().execute();
  await db.schema.alterTable('api_tokens').dropColumn('read_only').execute();
  await db.schema.alterTable('api_tokens').dropColumn('expires_at').execute();
  await db.schema.alterTable('users').dropColumn('must_change_password').execute();
}
