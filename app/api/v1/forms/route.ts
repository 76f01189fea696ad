import { restRoute } from '@/lib/http/rest';
import { listUsableForms } from '@/lib/records/operations';

export const GET = restRoute(async ({ caller }) => {
  const forms = await listUsableForms(caller, {});
  return { items: forms.map((f) => ({ id: f.id, name: f.name, description: f.description, version: f.version, schema: f.schema, can: f.can })) };
});
