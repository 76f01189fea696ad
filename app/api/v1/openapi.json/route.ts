import { restRoute } from '@/lib/http/rest';
import { getOpenApiDocument } from '@/lib/http/operations';

export const GET = restRoute(async ({ caller }) => getOpenApiDocument(caller, {}), { public: true });
