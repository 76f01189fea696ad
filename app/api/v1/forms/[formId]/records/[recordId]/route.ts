import { restRoute } from '@/lib/http/rest';
import { deleteRecord, getRecord, updateRecord } from '@/lib/records/operations';

export const GET = restRoute(async ({ caller, params }) => getRecord(caller, { formId: params.formId, recordId: params.recordId }));

export const PATCH = restRoute(async ({ caller, params, body: readBody }) => {
  const body = await readBody();
  return updateRecord(caller, {
    formId: params.formId,
    recordId: params.recordId,
    version: body.version as number,
    values: body.values as Record<string, unknown>,
  });
});

export const DELETE = restRoute(async ({ caller, request, params }) => {
  const version = new URL(request.url).searchParams.get('version');
  return deleteRecord(caller, {
    formId: params.formId,
    recordId: params.recordId,
    ...(version !== null ? { version: Number(version) } : {}),
  });
});
