import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { callForPage } from '@/lib/next/page';
import { viewAsRecord } from '@/lib/access/operations';
import { listUserOptions } from '@/lib/directory/operations';
import { UUID_PATTERN } from '@/lib/forms/ajv';
import { RecordDetail } from '@/components/records/record-detail';
import { ViewAsBanner } from '@/components/access/view-as-banner';

type Params = Promise<{ userId: string; formId: string; recordId: string }>;

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('access');
  return { title: t('viewAs') };
}

/** One record exactly as another user sees it, for an admin: read-only, audited (access.viewAs). */
export default async function ViewAsRecordPage({ params }: { params: Params }) {
  const { userId, formId, recordId } = await params;
  if (![userId, formId, recordId].every((id) => UUID_PATTERN.test(id))) notFound();
  const [result, users] = await Promise.all([callForPage(viewAsRecord, { userId, formId, recordId }), callForPage(listUserOptions, {})]);
  const t = await getTranslations('access');
  const listHref = `/admin/access/view-as/${userId}/${formId}`;
  const { record } = result;
  // The owner may be disabled (not among the options) but is still shown by name.
  const userOptions = users.some((u) => u.id === record.owner.id) ? users : [...users, { id: record.owner.id, name: record.owner.name, departmentName: null }];
  return (
    <>
      <ViewAsBanner subject={result.subject} />
      <RecordDetail
        formId={formId}
        form={{ name: result.view.name, version: record.formVersion, definition: result.view.schema }}
        record={record}
        userOptions={userOptions}
        readOnly={{
          listHref,
          crumbs: [
            { title: t('title'), href: '/admin/access' },
            { title: result.subject.name, href: `/admin/access?tab=user&userId=${userId}` },
            { title: result.view.name, href: listHref },
          ],
        }}
      />
    </>
  );
}
