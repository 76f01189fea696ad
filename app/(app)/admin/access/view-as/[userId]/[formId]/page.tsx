import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { callForPage } from '@/lib/next/page';
import { viewAsList } from '@/lib/access/operations';
import { UUID_PATTERN } from '@/lib/forms/ajv';
import { RecordsList } from '@/components/records/records-list';
import { ViewAsBanner } from '@/components/access/view-as-banner';

type Params = Promise<{ userId: string; formId: string }>;
type Search = Promise<Record<string, string | string[] | undefined>>;

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const int = (v: string | undefined, fallback: number, max: number) => {
  const n = Number(v);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : fallback;
};

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('access');
  return { title: t('viewAs') };
}

/** The records list exactly as another user sees it, for an admin: read-only, audited (access.viewAs). */
export default async function ViewAsListPage({ params, searchParams }: { params: Params; searchParams: Search }) {
  const [{ userId, formId }, sp] = await Promise.all([params, searchParams]);
  if (!UUID_PATTERN.test(userId) || !UUID_PATTERN.test(formId)) notFound();
  const sortParam = one(sp.sort);
  // The list's own rules decide which sorts the user may use; only the shape is checked here.
  const sort = sortParam && /^[a-zA-Z][a-zA-Z0-9_]{0,62}$/.test(sortParam) ? sortParam : 'updatedAt';
  const order = one(sp.order) === 'asc' ? 'asc' : 'desc';
  const q = (one(sp.q) ?? '').trim().slice(0, 100);
  const page = int(one(sp.page), 1, 100000);
  const pageSize = [10, 20, 50, 100].includes(Number(one(sp.pageSize))) ? Number(one(sp.pageSize)) : 20;

  const result = await callForPage(viewAsList, { userId, formId, page, pageSize, sort, order, ...(q ? { q } : {}) });
  const t = await getTranslations('access');
  const basePath = `/admin/access/view-as/${userId}/${formId}`;
  return (
    <>
      <ViewAsBanner subject={result.subject} />
      <RecordsList
        formId={formId}
        form={{ name: result.view.name, description: '', definition: result.view.schema, fields: result.view.fields, can: { view: true, create: false } }}
        page={result.page}
        query={{ sort, order, q }}
        readOnly={{
          basePath,
          crumbs: [
            { title: t('title'), href: '/admin/access' },
            { title: result.subject.name, href: `/admin/access?tab=user&userId=${userId}` },
            { title: result.view.name },
          ],
        }}
      />
    </>
  );
}
