import { restRoute } from '@/lib/http/rest';
import { createRecord, listRecords } from '@/lib/records/operations';
import { listQuery } from '@/lib/http/list-query';

export const GET = restRoute(async ({ caller, request, params }) =>
  listRecords(caller, { formId: params.formId, ...listQuery(new URL(request.url).searchParams) }),
);

export const POST = restRoute(
  async ({ caller, params, body: readBody }) => {
    const body = await readBody();
    return createRecord(caller, { formId: params.formId, values: body.values as Record<string, unknown> });
  },
  { status: 201 },
);
