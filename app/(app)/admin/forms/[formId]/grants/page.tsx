import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { callForPage } from '@/lib/next/page';
import { getFormGrants } from '@/lib/forms/operations';
import { GrantsEditor } from '@/components/forms-admin/grants-editor';
import { setFormGrantsAction } from '../../actions';
import { UUID_PATTERN } from '@/lib/forms/ajv';

type Params = Promise<{ formId: string }>;

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('grants');
  return { title: t('title') };
}

export default async function GrantsPage({ params }: { params: Params }) {
  const { formId } = await params;
  if (!UUID_PATTERN.test(formId)) notFound();
  const data = await callForPage(getFormGrants, { formId });
  return <GrantsEditor formId={formId} data={data} saveAction={setFormGrantsAction} />;
}
