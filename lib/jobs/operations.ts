/** Background jobs as administrators see them: kind, state, progress, rate and time left. */
import 'server-only';
import { defineOperation } from '@/lib/operation';
import { listJobProgress, type JobProgress } from './queue';

export type { JobProgress } from './queue';

export const listJobs = defineOperation({
  name: 'jobs.list',
  permission: 'admin',
  readOnly: true,
  // Progress only (ids, counts, states): nothing of a record; not worth an event per poll.
  audit: false,
  input: {
    type: 'object',
    additionalProperties: false,
    properties: { kind: { type: 'string', maxLength: 100 }, limit: { type: 'integer', minimum: 1, maximum: 100 } },
  },
  async run(ctx, input): Promise<JobProgress[]> {
    return listJobProgress(ctx.db, input);
  },
});
