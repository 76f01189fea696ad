import type { Metadata } from 'next';
import { getTranslations } from 'next-intl/server';
import { callForPage } from '@/lib/next/page';
import { accessByForm, accessByUser, accessOptions } from '@/lib/access/operations';
import { UUID_PATTERN } from '@/lib/forms/ajv';
import { AccessOverview, type AccessTab } from '@/components/access/access-overview';
import { explainAccessAction, exportAccessOverviewAction } from './actions';

type Search = Promise<Record<string, string | string[] | undefined>>;

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
const id = (v: string | string[] | undefined) => {
  const s = one(v);
  return s && UUID_PATTERN.test(s) ? s : undefined;
};

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('access');
  return { title: t('title') };
}

export default async function AccessPage({ searchParams }: { searchParams: Search }) {
  const sp = await searchParams;
  const tabParam = one(sp.tab);
  const tab: AccessTab = tabParam === 'form' || tabParam === 'explain' ? tabParam : 'user';
  // Admin-only: a non-admin is sent to /forbidden.
  const options = await callForPage(accessOptions, {});
  const userId = id(sp.userId);
  const formId = id(sp.formId);
  // Only ids the pickers know: a hand-edited URL shows the empty prompt, not an error page.
  const known = { user: userId && options.users.some((u) => u.id === userId), form: formId && options.forms.some((f) => f.id === formId) };
  const byUser = tab === 'user' && userId && known.user ? await callForPage(accessByUser, { userId }) : null;
  const byForm = tab === 'form' && formId && known.form ? await callForPage(accessByForm, { formId }) : null;
  const field = one(sp.field);
  return (
    <AccessOverview
      tab={tab}
      users={options.users}
      forms={options.forms}
      byUser={byUser}
      byForm={byForm}
      explainQuery={tab === 'explain' ? { userId, formId, recordId: id(sp.recordId), field: field && /^[a-zA-Z][a-zA-Z0-9_]{0,62}$/.test(field) ? field : undefined } : { userId, formId }}
      actions={{ explain: explainAccessAction, exportOverview: exportAccessOverviewAction }}
    />
  );
}
