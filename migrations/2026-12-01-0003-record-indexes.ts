/**
 * The records list's default order is "last updated first" (the UI sends
 * sort=updatedAt&order=desc), which had no index: at 100k records a page
 * read and sorted the whole scope. One partial index per row scope over live
 * records, in the list's exact order including the id tiebreak, makes the
 * default page an index range scan, as the created_at ones do for the API's
 * default.
 */
import { sql, type Kysely } from 'kysely';

const indexes = {
  records_owner_updated_idx: sql`(form_id, owner_id, updated_at desc, id desc)`,
  records_department_updated_idx: sql`(form_id, department_id, updated_at desc, id desc)`,
  records_all_updated_idx: sql`(form_id, updated_at desc, id desc)`,
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  for (const [name, columns] of Object.entries(indexes)) {
    await sql`create index ${sql.id(name)} on records ${columns} where deleted_at is null`.execute(db);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const name of Object.keys(indexes)) await sql`drop index if exists ${sql.id(name)}`.execute(db);
}
