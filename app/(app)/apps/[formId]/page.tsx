import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { callForPage } from '@/lib/next/page';
import { recordsListPage } from '@/lib/records/operations';
import { RecordsList } from '@/components/records/records-list';
import { UUID_PATTERN } from '@/lib/forms/ajv';

type Params = Promise<{ formId: string }>;
type Search = Promise<Record<string, string | string[] | undefined>>;

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const int = (v: string | undefined, fallback: number, max: number) => {
  const n = Number(v);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : fallback;
};

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('records.list');
  return { title: t('title') };
}

/** One operation for the whole page: the form as the caller sees it and one page of records. */
export default async function RecordsPage({ params, searchParams }: { params: Params; searchParams: Search }) {
  const [{ formId }, sp] = await Promise.all([params, searchParams]);
  if (!UUID_PATTERN.test(formId)) notFound();
  const sortParam = (one(sp.sort) ?? 'updatedAt').slice(0, 64);
  const order = one(sp.order) === 'asc' ? 'asc' : 'desc';
  const q = (one(sp.q) ?? '').trim().slice(0, 100);
  const page = int(one(sp.page), 1, 100000);
  const pageSize = [10, 20, 50, 100].includes(Number(one(sp.pageSize))) ? Number(one(sp.pageSize)) : 20;
  const data = await callForPage(recordsListPage, { formId, page, pageSize, order, sort: sortParam, ...(q ? { q } : {}) });
  const sort = data.sort;
  const t = await getTranslations('records.list');
  return (
    <RecordsList
      formId={formId}
      form={{ name: data.form.name, description: data.form.description, definition: data.form.schema, fields: data.form.fields, can: data.form.can }}
      page={data.page}
      query={{ sort, order, q }}
      notice={data.page ? undefined : t('createOnly')}
    />
  );
}
