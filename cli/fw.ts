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
import { reportBeforeExit, runDueJobs } from '@/lib/jobs/runner';
import { env } from '@/lib/env';
import { jobsTable, unsafeCreateUser, unsafeCreateToken, unsafeKeyStatusText, unsafeListJobs, unsafeRewrapKeys, unsafeRotateKey, unsafeRotateLookupKey, unsafeSeedExampleFromCli, unsafeVerifyAudit, unsafeCheckpointAudit } from './commands';

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
    const result = await work();
    await reportBeforeExit();
    return result;
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

/** Runs the due jobs here, printing their progress every second. */
async function runJobsHere(): Promise<void> {
  const timer = setInterval(() => {
    void unsafeListJobs(5).then((jobs) => {
      const running = jobs.filter((j) => j.state === 'running');
      if (running.length) console.log(jobsTable(running));
    });
  }, 1000);
  try {
    await runDueJobs();
  } finally {
    clearInterval(timer);
  }
  console.log(jobsTable(await unsafeListJobs(5)));
}

const keys = program.command('keys').description('Field-encryption keys: status, rotation, master key');
keys
  .command('status')
  .description('Key versions, values sealed under each, encryptions against the AES-GCM limit, re-encryption progress')
  .action(async () => {
    await withDatabase(async () => console.log(await unsafeKeyStatusText()));
  });
const rotation = (command: string, description: string, rotate: (o: { graceSeconds: number; batchSize: number }) => Promise<{ version: number; jobId: string }>, done: (r: { version: number; jobId: string }) => string) =>
  keys
    .command(command)
    .description(description)
    .option('--grace <seconds>', 'wait this long after the rotation before retiring old versions', '600')
    .option('--batch <n>', 'records per batch', '500')
    .option('--wait', 'run the job here and wait for it (always so on the embedded database, which the app cannot share)')
    .action(async (opts: { grace: string; batch: string; wait?: boolean }) => {
      await withDatabase(async () => {
        const r = await rotate({ graceSeconds: Number(opts.grace), batchSize: Number(opts.batch) });
        console.log(done(r));
        if (opts.wait || !env().databaseUrl) await runJobsHere();
        else console.log('The app instances run it; follow it with: npm run fw -- jobs');
      });
    });
rotation(
  'rotate',
  'Make a new data key version current now, and re-encrypt the stored values onto it in a background job',
  unsafeRotateKey,
  (r) => `Data key version ${r.version} is current; re-encryption job ${r.jobId}.`,
);
rotation(
  'rotate-lookup',
  'Make a new blind-index key version current now (exact search on encrypted fields), and rebuild the stored digests under it in a background job',
  unsafeRotateLookupKey,
  (r) => `Blind-index key version ${r.version} is current; rebuild job ${r.jobId}. Exact search keeps working throughout.`,
);
keys
  .command('rotate-master')
  .description('Re-wrap every data key and blind-index key under a new master key read from a file; then restart every instance with that key')
  .requiredOption('--new-key-file <path>', 'file holding the new master key (base64 of 32 bytes: openssl rand -base64 32)')
  .action(async (opts: { newKeyFile: string }) => {
    await withDatabase(async () => {
      const n = await unsafeRewrapKeys(opts.newKeyFile);
      console.log(`Re-wrapped ${n.versions} data key version(s) and ${n.lookupVersions} blind-index key version(s). Restart every instance with FW_MASTER_KEY_FILE=${opts.newKeyFile} (or its content in FW_MASTER_KEY); the old master key opens nothing now.`);
    });
  });

const audit = program.command('audit').description('The audit log: tamper evidence');
audit
  .command('verify')
  .description('Recompute the hash chain over every sealed event and check the signed checkpoints; names the first changed, removed or reordered event (exit code 3 when tampered)')
  .action(async () => {
    await withDatabase(async () => {
      const { verdict, text } = await unsafeVerifyAudit();
      console.log(text);
      if (!verdict.ok) process.exitCode = 3;
    });
  });
audit
  .command('checkpoint')
  .description('Seal the committed events and sign a checkpoint of the chain head now (the app does both by itself)')
  .action(async () => {
    await withDatabase(async () => console.log(await unsafeCheckpointAudit()));
  });

const jobs = program.command('jobs').description('Background jobs');
jobs
  .command('list', { isDefault: true })
  .description('Recent jobs with their progress')
  .action(async () => {
    await withDatabase(async () => console.log(jobsTable(await unsafeListJobs())));
  });
jobs
  .command('run')
  .description('Run the due jobs here until none is left (the embedded database: while the app is stopped)')
  .action(async () => {
    await withDatabase(runJobsHere);
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
