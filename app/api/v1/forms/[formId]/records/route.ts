import { jsonBody, restRoute } from '@/lib/http/rest';
import { createRecord, listRecords } from '@/lib/records/operations';
import { listQuery } from '@/lib/http/list-query';

export const GET = restRoute(async ({ caller, request, params }) =>
  listRecords(caller, { formId: params.formId, ...listQuery(new URL(request.url).searchParams) }),
);

export const POST = restRoute(
  async ({ caller, request, params }) => {
    const body = await jsonBody(request, caller.locale);
    return createRecord(caller, { formId: params.formId, values: body.values as Record<string, unknown> });
  },
  { status: 201 },
);
