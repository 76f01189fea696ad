import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { callForPage } from '@/lib/next/page';
import { listFormGrants } from '@/lib/forms/operations';
import { grantsHaveFieldModes, isValidGrant } from '@/lib/policy/grants';
import { GrantsEditor, type GrantValue } from '@/components/forms-admin/grants-editor';
import { setFormGrantAction } from '../../actions';
import { UUID_PATTERN } from '@/lib/forms/ajv';

type Params = Promise<{ formId: string }>;

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('grants');
  return { title: t('title') };
}

export default async function GrantsPage({ params }: { params: Params }) {
  const { formId } = await params;
  if (!UUID_PATTERN.test(formId)) notFound();
  const data = await callForPage(listFormGrants, { formId });
  // Field modes are offered only once the grant schema accepts them (policy enforces what it accepts).
  const fieldModes = grantsHaveFieldModes;
  const groups = data.groups.map((g) => ({
    groupId: g.groupId,
    groupName: g.groupName,
    grant: g.grant as GrantValue | null,
    valid: g.grant === null || isValidGrant(g.grant),
  }));
  return <GrantsEditor formId={formId} formName={data.formName} fields={data.fields} groups={groups} fieldModes={fieldModes} setGrantAction={setFormGrantAction} />;
}
