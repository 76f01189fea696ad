import { restRoute } from '@/lib/http/rest';
import { revealField } from '@/lib/records/operations';

export const POST = restRoute(async ({ caller, params, body: readBody }) => {
  const body = await readBody();
  return revealField(caller, {
    formId: params.formId,
    recordId: params.recordId,
    field: body.field as string,
    ...(body.reason !== undefined ? { reason: body.reason as string } : {}),
  });
});
