/**
 * `forms.records_version`: a new random id whenever a statement writes the form's records, in
 * the writing transaction. A reader that sees version V sees exactly the records state that V
 * names (the new id and the rows commit together, and writers of one form are serialised by
 * its row lock), so anything computed from that state, such as a list's total, can be kept
 * per version and reused until the form's records change (lib/records/list-totals.ts). Random,
 * not a counter: a restored or copied database that then takes other writes can never arrive
 * at a version it had before with other records behind it.
 *
 * Statement triggers with transition tables: one bump per statement, not per row, so an
 * import of 10,000 records changes the version once. They fire for every writer, the
 * application's role, the owner, the privileged purge function and a hand-run SQL statement
 * alike, so no write path can forget it. (TRUNCATE is nobody's: the role may not.)
 */
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table forms add column records_version uuid not null default gen_random_uuid()`.execute(db);
  await sql`
    create function records_bump_form_version() returns trigger language plpgsql as $$
    begin
      -- An update can in principle move a record to another form: both forms change then.
      if tg_op = 'INSERT' then
        update public.forms f set records_version = gen_random_uuid() where f.id in (select form_id from new_rows);
      elsif tg_op = 'DELETE' then
        update public.forms f set records_version = gen_random_uuid() where f.id in (select form_id from old_rows);
      else
        update public.forms f set records_version = gen_random_uuid()
        where f.id in (select form_id from new_rows union select form_id from old_rows);
      end if;
      return null;
    end $$`.execute(db);
  await sql`create trigger records_version_insert after insert on records referencing new table as new_rows
    for each statement execute function records_bump_form_version()`.execute(db);
  await sql`create trigger records_version_update after update on records referencing old table as old_rows new table as new_rows
    for each statement execute function records_bump_form_version()`.execute(db);
  await sql`create trigger records_version_delete after delete on records referencing old table as old_rows
    for each statement execute function records_bump_form_version()`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['records_version_insert', 'records_version_update', 'records_version_delete']) {
    await sql`drop trigger if exists ${sql.id(t)} on records`.execute(db);
  }
  await sql`drop function if exists records_bump_form_version()`.execute(db);
  await sql`alter table forms drop column if exists records_version`.execute(db);
}
