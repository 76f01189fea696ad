import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { callForPage } from '@/lib/next/page';
import { listFormGrants } from '@/lib/forms/operations';
import { GrantsEditor } from '@/components/forms-admin/grants-editor';
import { setFormGrantAction } from '../../actions';

type Params = Promise<{ formId: string }>;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('grants');
  return { title: t('title') };
}

export default async function GrantsPage({ params }: { params: Params }) {
  const { formId } = await params;
  if (!UUID.test(formId)) notFound();
  const data = await callForPage(listFormGrants, { formId });
  return <GrantsEditor formId={formId} formName={data.formName} fields={data.fields} groups={data.groups} setGrantAction={setFormGrantAction} />;
}
