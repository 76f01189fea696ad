'use client';
/**
 * A form's records as a table. The URL holds page, size, sort and search, so
 * the server renders the page (listRecords applies the row scope) and a link
 * or the back button gives the same view.
 */
import { useMemo, useTransition } from 'react';
import Link from 'next/link';
import { usePathname, useRouter, useSearchParams } from 'next/navigation';
import { Alert, Avatar, Button, Card, Empty, Input, Table, Tooltip, type TableProps } from 'antd';
import type { SortOrder } from 'antd/es/table/interface';
import { useTranslations } from 'next-intl';
import { fieldsOf, type FormDefinition } from '@/lib/forms/definition';
import { listColumns, type FormView } from '@/lib/records/dto';
import { PageHeader } from '../page-header';
import { DateTime, useFormatDateTime } from '../date-time';
import { FieldValue } from '../record-form/field-value';
import { PageCrumbs, type Crumb } from './page-crumbs';
import type { ListQuery, RecordItem, RecordPageData } from './types';
import styles from './records.module.css';
import { LockOutlined, PlusOutlined, ReloadOutlined } from '../icons';

const COLUMN_WIDTHS: Partial<Record<string, number>> = {
  phone: 124,
  'id-card': 176,
  'bank-card': 186,
  date: 120,
  datetime: 160,
  select: 110,
  checkbox: 80,
  number: 110,
};

export function RecordsList({
  formId,
  form,
  page,
  query,
  notice,
  readOnly,
}: {
  formId: string;
  /** The form as the caller may see it: hidden fields are not in it; each field says whether it sorts and searches. */
  form: { name: string; description: string; definition: FormDefinition; fields: FormView['fields']; can: { view: boolean; create: boolean } };
  page: RecordPageData | null;
  query: ListQuery;
  notice?: string;
  /** View-as: no create button; records open under `basePath`, and the crumbs are the admin's. */
  readOnly?: { basePath: string; crumbs: Crumb[] };
}) {
  const t = useTranslations('records.list');
  const formatTime = useFormatDateTime();
  const router = useRouter();
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const [pending, startTransition] = useTransition();

  const views = useMemo(() => new Map(form.fields.map((f) => [f.key, f])), [form.fields]);
  const fields = useMemo(() => fieldsOf(form.definition).filter((f) => views.get(f.key)?.mode !== 'hidden'), [form.definition, views]);
  const ownerField = fields.find((f) => f.kind === 'owner');
  // The same columns the server sent the rows for (nothing else is in them).
  const shown = useMemo(() => listColumns({ schema: form.definition, fields: form.fields }), [form.definition, form.fields]);
  const searchable = fields.filter((f) => views.get(f.key)?.searchable);
  // Encrypted fields found by their whole value only (blind index): named apart, so nobody types half a number.
  const findable = fields.filter((f) => views.get(f.key)?.lookup);
  const recordHref = (id: string) => `${readOnly?.basePath ?? `/apps/${formId}`}/${id}`;

  const go = (patch: Record<string, string | number | undefined>) => {
    const next = new URLSearchParams(searchParams.toString());
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined || v === '') next.delete(k);
      else next.set(k, String(v));
    }
    startTransition(() => router.push(`${pathname}?${next.toString()}`));
  };

  const sortOrderOf = (key: string): SortOrder => (query.sort === key ? (query.order === 'asc' ? 'ascend' : 'descend') : null);

  const columns: TableProps<RecordItem>['columns'] = [
    ...shown.map((f, i) => ({
      key: f.key,
      dataIndex: ['values', f.key],
      title: (
        <span>
          {f.schema.title}
          {f.schema['x-encrypted'] && (
            <Tooltip title={t('encryptedColumn')}>
              <LockOutlined style={{ marginLeft: 6, color: '#17a34a', fontSize: 12 }} />
            </Tooltip>
          )}
        </span>
      ),
      sorter: views.get(f.key)?.sortable === true,
      sortOrder: sortOrderOf(f.key),
      width: COLUMN_WIDTHS[f.kind],
      fixed: i === 0 ? ('left' as const) : undefined,
      render: (_: unknown, r: RecordItem) => {
        const value = r.unreadable?.includes(f.key) ? (
          <Tooltip title={t('unreadableHelp')}>
            <span className={styles.unreadable} data-testid="unreadable-value">
              {t('unreadable')}
            </span>
          </Tooltip>
        ) : r.modes[f.key] === 'masked' ? (
          // Masked on the server: the plain value never reached this page.
          <span className={styles.masked} data-testid={`masked-${f.key}`}>
            {String(r.values[f.key] ?? '')}
          </span>
        ) : (
          <FieldValue field={f} value={r.values[f.key]} compact />
        );
        return i === 0 ? (
          <Link href={recordHref(r.id)} className={styles.rowLink} onClick={(e) => e.stopPropagation()}>
            {value}
          </Link>
        ) : (
          value
        );
      },
    })),
    {
      key: 'owner',
      title: ownerField?.schema.title ?? t('owner'),
      width: 112,
      render: (_: unknown, r: RecordItem) => (
        <span className={styles.owner}>
          <Avatar size={22} style={{ background: '#e8eefc', color: '#1f5eff', fontSize: 12 }}>
            {r.owner.name.slice(0, 1)}
          </Avatar>
          {r.owner.name}
        </span>
      ),
    },
    {
      key: 'updatedAt',
      title: t('updatedAt'),
      width: 150,
      sorter: true,
      sortDirections: ['descend', 'ascend'],
      sortOrder: sortOrderOf('updatedAt'),
      render: (_: unknown, r: RecordItem) => (
        <Tooltip title={formatTime(r.updatedAt, 'second')}>
          <span className={styles.time}>
            <DateTime value={r.updatedAt} />
          </span>
        </Tooltip>
      ),
    },
  ];

  const onChange: TableProps<RecordItem>['onChange'] = (pagination, _filters, sorter) => {
    const s = Array.isArray(sorter) ? sorter[0] : sorter;
    const sort = s?.order ? String(s.columnKey) : undefined;
    const order = s?.order === 'ascend' ? 'asc' : 'desc';
    const sortChanged = (sort ?? 'updatedAt') !== query.sort || (sort ? order : 'desc') !== query.order;
    go({
      sort: sort && !(sort === 'updatedAt' && order === 'desc') ? sort : undefined,
      order: sort && !(sort === 'updatedAt' && order === 'desc') ? order : undefined,
      // A new order starts again from the first page.
      page: sortChanged || pagination.current === 1 ? undefined : pagination.current,
      pageSize: pagination.pageSize === 20 ? undefined : pagination.pageSize,
    });
  };

  const createButton = !readOnly && form.can.create && (
    <Link href={`/apps/${formId}/new`}>
      <Button type="primary" icon={<PlusOutlined />} data-testid="new-record">
        {t('create')}
      </Button>
    </Link>
  );

  return (
    <>
      <PageCrumbs items={readOnly?.crumbs ?? [{ title: t('workbench'), href: '/apps' }, { title: form.name }]} />
      <PageHeader title={form.name} description={form.description || undefined} extra={createButton} />
      {notice && <Alert type="info" showIcon title={notice} style={{ marginBottom: 16 }} />}
      {page && (
        <Card variant="outlined" styles={{ body: { padding: 0 } }}>
          <div className={styles.toolbar}>
            <div className={styles.toolbarLeft}>
              <Input.Search
                allowClear
                defaultValue={query.q}
                placeholder={searchPlaceholder(t, searchable, findable)}
                disabled={searchable.length === 0 && findable.length === 0}
                onSearch={(q) => go({ q: q.trim() || undefined, page: undefined })}
                style={{ width: 340, maxWidth: '100%' }}
                data-testid="records-search"
              />
              <span className={styles.total}>{t('total', { n: page.total })}</span>
            </div>
            <Tooltip title={t('refresh')}>
              <Button icon={<ReloadOutlined />} onClick={() => startTransition(() => router.refresh())} aria-label={t('refresh')} />
            </Tooltip>
          </div>
          <Table<RecordItem>
            className={styles.table}
            rowKey="id"
            size="middle"
            loading={pending}
            columns={columns}
            dataSource={page.items}
            onChange={onChange}
            showSorterTooltip={{ target: 'sorter-icon' }}
            scroll={{ x: 'max-content' }}
            onRow={(r) => ({ onClick: () => router.push(recordHref(r.id)) })}
            locale={{
              emptyText: (
                <Empty
                  image={Empty.PRESENTED_IMAGE_SIMPLE}
                  description={query.q ? t('noMatch', { q: query.q }) : t('empty')}
                >
                  {!query.q && createButton}
                </Empty>
              ),
            }}
            pagination={{
              current: page.page,
              pageSize: page.pageSize,
              total: page.total,
              showSizeChanger: true,
              pageSizeOptions: [10, 20, 50, 100],
              showTotal: (n) => t('total', { n }),
            }}
          />
        </Card>
      )}
    </>
  );
}

type Titled = { schema: { title?: string } };
/** What the search box finds: substrings of plain fields, and whole values of encrypted ones. */
function searchPlaceholder(t: (key: 'searchPlaceholder' | 'searchPlaceholderLookup' | 'searchLookupOnly' | 'searchNone', values?: Record<string, string>) => string, searchable: Titled[], findable: Titled[]): string {
  const names = (list: Titled[]) => list.slice(0, 3).map((f) => f.schema.title ?? '').join('、');
  if (searchable.length && findable.length) return t('searchPlaceholderLookup', { fields: names(searchable), lookups: names(findable) });
  if (searchable.length) return t('searchPlaceholder', { fields: names(searchable) });
  if (findable.length) return t('searchLookupOnly', { lookups: names(findable) });
  return t('searchNone');
}
