import { restRoute } from '@/lib/http/rest';
import { listUsableForms } from '@/lib/records/operations';

/** Per form, the caller's fields with their modes and the schema as the caller may see it (hidden fields left out). */
export const GET = restRoute(async ({ caller }) => {
  const forms = await listUsableForms(caller, {});
  return {
    items: forms.map((f) => ({
      id: f.id,
      name: f.name,
      description: f.description,
      version: f.version,
      fields: f.fields.map(({ key, title, kind, mode }) => ({ key, title, kind, mode })),
      schema: f.schema,
      can: f.can,
    })),
  };
});
