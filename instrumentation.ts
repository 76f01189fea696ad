/**
 * Next's start-up hook: on the Node.js server, before the first request, check the master key
 * and start the background job runner (lib/jobs/background.ts; it ends the process when the
 * check fails: better no app than one that serves garbage).
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { startBackground } = await import('./lib/jobs/background');
  await startBackground();
}
