/**
 * The Formwarden command line: `npm run fw -- <command>`. It uses the same
 * database configuration as the app (DATABASE_URL or the embedded folder).
 * Commands call operations as the system caller (configuration rights, no
 * grants on records); each one is audited with actor "cli".
 */
import { Command, CommanderError } from 'commander';
import { closeDb, configFromEnv, openDatabase, useDatabase, DataDirLockedError } from '@/lib/db';
import { isAppError } from '@/lib/errors';
import { migrateToLatest } from '@/lib/db/migrate';
import { unsafeCreateUser, unsafeCreateToken, unsafeSeedExampleFromCli } from './commands';

const program = new Command();
program
  .name('fw')
  .description('Formwarden command line (same database settings as the app: DATABASE_URL or ./.data)')
  .showHelpAfterError()
  .exitOverride();

async function withDatabase<T>(work: () => Promise<T>, options: { migrate?: boolean } = {}): Promise<T> {
  const db = await openDatabase(configFromEnv(), { migrate: options.migrate ?? true });
  useDatabase(db);
  try {
    return await work();
  } finally {
    await closeDb();
  }
}

program
  .command('migrate')
  .description('Apply pending database migrations')
  .action(async () => {
    await withDatabase(async () => {
      const { getDb } = await import('@/lib/db');
      const applied = await migrateToLatest(await getDb());
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
    }, { migrate: false });
  });

const user = program.command('user').description('Manage users');
user
  .command('create')
  .description('Create a user')
  .requiredOption('--email <email>', 'sign-in email')
  .requiredOption('--name <name>', 'display name')
  .requiredOption('--password <password>', 'initial password (≥ 8 characters, letters and digits)')
  .option('--admin', 'make the user an administrator (configuration rights, not data)', false)
  .option('--department <name>', 'department name')
  .option('--groups <names>', 'comma-separated group names')
  .action(async (opts: { email: string; name: string; password: string; admin: boolean; department?: string; groups?: string }) => {
    await withDatabase(async () => {
      const id = await unsafeCreateUser({
        email: opts.email,
        name: opts.name,
        password: opts.password,
        isAdmin: opts.admin,
        department: opts.department,
        groups: opts.groups ? opts.groups.split(',').map((s) => s.trim()).filter(Boolean) : [],
      });
      console.log(`Created user ${opts.email} (${id})`);
    });
  });

const token = program.command('token').description('Manage personal API tokens');
token
  .command('create')
  .description('Create an API token for a user and print only the token')
  .requiredOption('--user <email>', 'the user the token acts as')
  .option('--name <name>', 'a label for the token', 'cli')
  .action(async (opts: { user: string; name: string }) => {
    await withDatabase(async () => {
      process.stdout.write(`${await unsafeCreateToken(opts.user, opts.name)}\n`);
    });
  });

const seed = program.command('seed').description('Load example data');
seed
  .command('example')
  .description('Load the 客户管理 example: departments, groups with grants, users and generated customers')
  .option('--password <password>', 'one password for all example users (default: a random one each, printed once)')
  .option('--records <n>', 'number of generated customers', '300')
  .action(async (opts: { password?: string; records: string }) => {
    await withDatabase(async () => {
      const summary = await unsafeSeedExampleFromCli(opts.password, Number(opts.records));
      console.log(`Loaded 客户管理: ${summary.departments} departments, ${summary.groups} groups, ${summary.records} customers.`);
      // Printed once: only hashes are stored. Each user must change it at first sign-in.
      if (opts.password) console.log('Users (the password you gave; each must change it at first sign-in):');
      else console.log('Users and their initial passwords (shown only now; each must change it at first sign-in):');
      const width = Math.max(...summary.users.map((u) => u.email.length));
      for (const u of summary.users) console.log(`  ${u.email.padEnd(width)}  ${opts.password ? '' : `${u.password}  `}${u.name}`);
    });
  });

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode);
  if (e instanceof DataDirLockedError || isAppError(e)) {
    const fields = isAppError(e) ? e.details?.fields : undefined;
    const why = fields ? Object.entries(fields).map(([k, v]) => `\n  ${k}: ${v}`).join('') : '';
    console.error(`fw: ${(e as Error).message}${why}`);
    process.exit(2);
  }
  console.error(e);
  process.exit(1);
}
