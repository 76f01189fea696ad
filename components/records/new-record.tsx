'use client';
import { useMemo } from 'react';
/** A new record of one form: the record form in create mode, saved by createRecord. */
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { App, Button, Card } from 'antd';
import { useTranslations } from 'next-intl';
import type { FormDefinition } from '@/lib/forms/definition';
import type { FormView } from '@/lib/records/dto';
import type { Action } from '../action-result';
import { PageHeader } from '../page-header';
import { RecordForm } from '../record-form/record-form';
import type { UserOption } from '../record-form/types';
import { PageCrumbs } from './page-crumbs';
import type { RecordItem } from './types';
import styles from './records.module.css';
import { ArrowLeftOutlined, LockOutlined } from '../icons';

export function NewRecord({
  formId,
  form,
  userOptions,
  currentUserId,
  createAction,
}: {
  formId: string;
  /** The form as the caller may fill it in: fields it may not write on create are left out. */
  form: { name: string; version: number; definition: FormDefinition; fields: FormView['fields']; canView: boolean };
  userOptions: UserOption[];
  currentUserId: string;
  createAction: Action<{ formId: string; values: Record<string, unknown> }, RecordItem>;
}) {
  const t = useTranslations('records.new');
  const router = useRouter();
  const { message } = App.useApp();
  const back = form.canView ? `/apps/${formId}` : '/apps';
  const definition = useMemo(() => {
    const writable = new Set(form.fields.filter((f) => f.onCreate === 'write' || f.onCreate === 'write-on-create' || f.kind === 'owner').map((f) => f.key));
    return {
      ...form.definition,
      properties: Object.fromEntries(Object.entries(form.definition.properties).filter(([k]) => writable.has(k))),
      'x-order': form.definition['x-order'].filter((k) => writable.has(k)),
      required: (form.definition.required ?? []).filter((k) => writable.has(k)),
    };
  }, [form.definition, form.fields]);
  const encrypted = Object.values(definition.properties ?? {}).filter((f) => f['x-encrypted']).length;

  return (
    <>
      <PageCrumbs items={[{ title: t('workbench'), href: '/apps' }, { title: form.name, href: back }, { title: t('title') }]} />
      <PageHeader
        title={t('heading', { form: form.name })}
        description={t('description')}
        extra={
          <Link href={back}>
            <Button icon={<ArrowLeftOutlined />}>{t('back')}</Button>
          </Link>
        }
      />
      <Card className={styles.formCard} variant="outlined">
        <RecordForm
          definition={definition}
          mode="create"
          userOptions={userOptions}
          defaultOwnerId={currentUserId}
          cacheKey={`${formId}:${form.version}:create`}
          onCancel={() => router.push(back)}
          footerExtra={
            encrypted > 0 ? (
              <span>
                <LockOutlined style={{ color: '#17a34a' }} /> {t('encryptedNote', { n: encrypted })}
              </span>
            ) : undefined
          }
          onSubmit={async (values) => {
            try {
              const result = await createAction({ formId, values });
              if (!result.ok) return { ok: false, error: result.error };
              message.success(t('created'));
              router.push(result.data.can.view ? `/apps/${formId}/${result.data.id}` : back);
              return { ok: true };
            } catch {
              return { ok: false, error: { message: t('networkError') } };
            }
          }}
        />
      </Card>
    </>
  );
}
