import type { Metadata } from 'next';
import Link from 'next/link';
import { getTranslations } from 'next-intl/server';
import { Button, Empty, Space } from 'antd';
import { callForPage } from '@/lib/next/page';
import { listUsableForms } from '@/lib/records/operations';
import { getMe } from '@/lib/auth/operations';
import { fieldsOf, type FormDefinition } from '@/lib/forms/definition';
import { PageHeader } from '@/components/page-header';
import { AppCards } from '@/components/records/app-cards';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('records.apps');
  return { title: t('title') };
}

export default async function AppsPage() {
  const [forms, me, t] = await Promise.all([callForPage(listUsableForms, {}), callForPage(getMe, {}), getTranslations('records.apps')]);
  return (
    <>
      <PageHeader title={t('title')} description={t('description')} />
      {forms.length === 0 ? (
        <div style={{ background: '#fff', borderRadius: 12, border: '1px solid #e8ebf2', padding: '64px 24px' }}>
          <Empty description={<span>{me.isAdmin ? t('adminEmpty') : t('empty')}</span>}>
            {me.isAdmin && (
              <Space>
                <Link href="/admin/forms">
                  <Button type="primary">{t('toForms')}</Button>
                </Link>
                <Link href="/admin/groups">
                  <Button>{t('toGroups')}</Button>
                </Link>
              </Space>
            )}
          </Empty>
        </div>
      ) : (
        <AppCards
          items={forms.map((f) => ({
            id: f.id,
            name: f.name,
            description: f.description,
            version: f.version,
            fieldCount: fieldsOf(f.schema as FormDefinition).length,
            can: f.can,
          }))}
          labels={{
            fields: (n) => t('fields', { n }),
            version: (v) => t('version', { v }),
            view: t('canView'),
            create: t('canCreate'),
            open: t('open'),
            noDescription: t('noDescription'),
          }}
        />
      )}
    </>
  );
}
