import { restRoute } from '@/lib/http/rest';
import { getOpenApiDocument } from '@/lib/http/openapi';

export const GET = restRoute(async ({ caller }) => getOpenApiDocument(caller, {}), { public: true });
