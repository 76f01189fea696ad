import { cache } from 'react';
import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { callForPage } from '@/lib/next/page';
import { listRecords, listUsableForms } from '@/lib/records/operations';
import { fieldsOf, isSortableField, type FormDefinition } from '@/lib/forms/definition';
import { RecordsList } from '@/components/records/records-list';
import { UUID_PATTERN } from '@/lib/forms/ajv';

type Params = Promise<{ formId: string }>;
type Search = Promise<Record<string, string | string[] | undefined>>;

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const int = (v: string | undefined, fallback: number, max: number) => {
  const n = Number(v);
  return Number.isInteger(n) && n >= 1 ? Math.min(n, max) : fallback;
};

// One listUsableForms (and one audit event) per request, shared by the title and the page.
const usableForms = cache(() => callForPage(listUsableForms, {}));

async function usableForm(formId: string) {
  if (!UUID_PATTERN.test(formId)) notFound();
  const forms = await usableForms();
  const form = forms.find((f) => f.id === formId);
  if (!form) notFound();
  return form;
}

export async function generateMetadata({ params }: { params: Params }): Promise<Metadata> {
  const { formId } = await params;
  const forms = await usableForms();
  return { title: forms.find((f) => f.id === formId)?.name };
}

export default async function RecordsPage({ params, searchParams }: { params: Params; searchParams: Search }) {
  const [{ formId }, sp] = await Promise.all([params, searchParams]);
  const form = await usableForm(formId);
  const definition = form.schema as FormDefinition;
  if (!form.can.view) {
    const t = await getTranslations('records.list');
    return <RecordsList formId={formId} form={{ name: form.name, description: form.description, definition, can: form.can }} page={null} query={{ sort: 'updatedAt', order: 'desc', q: '' }} notice={t('createOnly')} />;
  }

  // Only sorts the server accepts: a hand-edited URL falls back to the default instead of an error page.
  const sortable = new Set(['createdAt', 'updatedAt', ...fieldsOf(definition).filter(isSortableField).map((f) => f.key)]);
  const sortParam = one(sp.sort);
  const sort = sortParam && sortable.has(sortParam) ? sortParam : 'updatedAt';
  const order = one(sp.order) === 'asc' ? 'asc' : 'desc';
  const q = (one(sp.q) ?? '').trim().slice(0, 100);
  const page = int(one(sp.page), 1, 100000);
  const pageSize = [10, 20, 50, 100].includes(Number(one(sp.pageSize))) ? Number(one(sp.pageSize)) : 20;

  const result = await callForPage(listRecords, { formId, page, pageSize, sort, order, ...(q ? { q } : {}) });
  return (
    <RecordsList
      formId={formId}
      form={{ name: form.name, description: form.description, definition, can: form.can }}
      page={result}
      query={{ sort, order, q }}
    />
  );
}
