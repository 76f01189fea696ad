'use client';
/**
 * The form builder: palette of field kinds on the left, the fields on the
 * canvas (drag to reorder), the selected field's settings on the right, and a
 * live preview rendered by the very RecordForm staff will use. The definition
 * is checked on every change by the same validateDefinition the server runs
 * on save and publish, so what the admin sees here is what the server says.
 */
import { useCallback, useDeferredValue, useEffect, useMemo, useRef, useState } from 'react';
import { useRouter } from 'next/navigation';
import {
  DndContext,
  DragOverlay,
  KeyboardSensor,
  PointerSensor,
  closestCenter,
  pointerWithin,
  useSensor,
  useSensors,
  type CollisionDetection,
  type DragEndEvent,
} from '@dnd-kit/core';
import { sortableKeyboardCoordinates } from '@dnd-kit/sortable';
import { Alert, App, Badge, Button, Popover, Space, Tabs, Tag, Tooltip, Typography } from 'antd';
import { useLocale, useTranslations } from 'next-intl';
import { fieldsOf, validateDefinition, type FieldSchema, type FormDefinition } from '@/lib/forms/definition';
import { fieldKindLabel, isFieldKind, newField, newFieldKey, type FieldKind } from '@/lib/forms/field-kinds';
import { toLocale } from '@/lib/i18n';
import { PageHeader } from '../page-header';
import { useUnsavedChangesGuard } from '../use-unsaved-changes-guard';
import { PageCrumbs } from '../records/page-crumbs';
import type { Action } from '../action-result';
import { RecordForm } from '../record-form/record-form';
import type { UserOption } from '../record-form/types';
import { FormAdminTabs } from '../forms-admin/form-admin-tabs';
import { FieldJobsProgress, type FieldJobsProps } from './field-jobs-progress';
import { Palette } from './palette';
import { Canvas, CANVAS_ID } from './canvas';
import { FieldProperties } from './field-properties';
import { FormSettings } from './form-settings';
import { RemovedFields, type RemovedFieldItem } from './removed-fields';
import { KindIcon } from './kind-icon';
import { addField, normalizeDraft, patchField, removeField, renameField, setRequired, moveField } from './draft-ops';
import styles from './form-builder.module.css';
import type { SaveFormDraftInput } from '@/lib/forms/operations';
import {
  CheckCircleFilled,
  CodeOutlined,
  CopyOutlined,
  EditOutlined,
  EyeOutlined,
  SaveOutlined,
  SendOutlined,
  SettingOutlined,
  WarningOutlined,
} from '../icons';

export interface FormBuilderProps {
  formId: string;
  initial: {
    name: string;
    description: string;
    draft: FormDefinition;
    publishedVersion: number;
    hasUnpublishedChanges: boolean;
    removedFields: { key: string; schema: FieldSchema; lastVersion: number }[];
    /** Keys any published version has: records may store values under them. */
    publishedKeys: string[];
    /** Keys the published version encrypts. */
    encryptedKeys: string[];
  };
  /** Jobs encrypting or decrypting existing values after a publish. */
  fieldJobs: FieldJobsProps;
  userOptions: UserOption[];
  currentUserId?: string;
  saveDraftAction: Action<SaveFormDraftInput, { ok: true }>;
  publishAction: Action<{ formId: string; confirmDecrypt?: string[] }, { version: number; sealJobId?: string; unsealJobId?: string }>;
}

interface Snapshot {
  name: string;
  description: string;
  draft: FormDefinition;
}
const fingerprint = (s: Snapshot) => JSON.stringify([s.name, s.description, s.draft]);

export function FormBuilder({ formId, initial, fieldJobs, userOptions, currentUserId, saveDraftAction, publishAction }: FormBuilderProps) {
  const t = useTranslations('builder');
  const locale = toLocale(useLocale());
  const router = useRouter();
  const { message, modal } = App.useApp();

  const [draft, setDraft] = useState<FormDefinition>(() => normalizeDraft(initial.draft, initial.name));
  const [name, setName] = useState(initial.name);
  const [description, setDescription] = useState(initial.description);
  const [savedPrint, setSavedPrint] = useState(() =>
    fingerprint({ name: initial.name, description: initial.description, draft: normalizeDraft(initial.draft, initial.name) }),
  );
  const [selectedKey, setSelectedKey] = useState<string | null>(null);
  const [removed, setRemoved] = useState<RemovedFieldItem[]>(() => initial.removedFields.map((f) => ({ ...f })));
  // Keys a published version has: their key is fixed, because records store values under it.
  const [publishedKeys, setPublishedKeys] = useState<Set<string>>(() => new Set(initial.publishedKeys));
  const [encryptedKeys, setEncryptedKeys] = useState<string[]>(initial.encryptedKeys);
  const [publishedVersion, setPublishedVersion] = useState(initial.publishedVersion);
  const [unpublished, setUnpublished] = useState(initial.hasUnpublishedChanges || initial.publishedVersion === 0);
  const [tab, setTab] = useState('design');
  const [saving, setSaving] = useState(false);
  const [publishing, setPublishing] = useState(false);
  const [activeId, setActiveId] = useState<string | null>(null);
  const [overId, setOverId] = useState<string | null>(null);

  const fields = useMemo(() => fieldsOf(draft), [draft]);
  const dirty = fingerprint({ name, description, draft }) !== savedPrint;
  const deferred = useDeferredValue(draft);
  const verdict = useMemo(() => validateDefinition(deferred, locale), [deferred, locale]);
  const problems = verdict.ok ? [] : verdict.errors;
  const errorsByField = useMemo(() => {
    const m = new Map<string, string[]>();
    for (const p of problems) if (p.field) m.set(p.field, [...(m.get(p.field) ?? []), p.message]);
    return m;
  }, [problems]);
  const formProblems = problems.filter((p) => !p.field || !(p.field in draft.properties));
  const selected = fields.find((f) => f.key === selectedKey) ?? null;
  const hasOwner = fields.some((f) => f.kind === 'owner');

  const allKeys = useMemo(
    () => new Set([...Object.keys(draft.properties), ...removed.map((r) => r.key), ...publishedKeys]),
    [draft.properties, removed, publishedKeys],
  );

  // Leaving with unsaved changes asks first: closing the tab and in-app links alike.
  useUnsavedChangesGuard(dirty);

  const focusField = useCallback((key: string) => {
    setSelectedKey(key);
    setTab('design');
    requestAnimationFrame(() =>
      document.querySelector(`[data-testid="canvas-field-${CSS.escape(key)}"]`)?.scrollIntoView({ block: 'nearest', behavior: 'smooth' }),
    );
  }, []);

  const addKind = (kind: FieldKind, index?: number) => {
    if (kind === 'owner' && hasOwner) return;
    const key = newFieldKey(kind, allKeys);
    const titles = new Set(fields.map((f) => f.schema.title));
    const base = fieldKindLabel(kind, locale);
    let title = base;
    for (let n = 2; titles.has(title); n++) title = `${base} ${n}`;
    const schema = newField(kind, title);
    if (kind === 'select' || kind === 'multiselect') {
      const options = [t('options.newOption', { n: 1 }), t('options.newOption', { n: 2 })];
      if (kind === 'select') schema.enum = options;
      else schema.items = { type: 'string', enum: options };
    }
    setDraft((d) => addField(d, key, schema, index));
    focusField(key);
  };

  const duplicate = (key: string) => {
    const f = fields.find((x) => x.key === key);
    if (!f || f.kind === 'owner') return;
    const newKey = newFieldKey(f.kind, allKeys);
    const schema = structuredClone(f.schema);
    schema.title = `${f.schema.title}${t('canvas.copySuffix')}`.slice(0, 100);
    setDraft((d) => addField(d, newKey, schema, d['x-order'].indexOf(key) + 1, f.required));
    focusField(newKey);
  };

  const remove = (key: string) => {
    const schema = draft.properties[key];
    if (!schema) return;
    setDraft((d) => removeField(d, key));
    setRemoved((r) => [...r.filter((x) => x.key !== key), { key, schema, lastVersion: publishedKeys.has(key) ? publishedVersion : null }]);
    if (selectedKey === key) setSelectedKey(null);
    message.info(t('canvas.deleted', { title: schema.title || key }));
  };

  const restore = (item: RemovedFieldItem) => {
    if (item.key in draft.properties) return;
    setDraft((d) => addField(d, item.key, item.schema));
    setRemoved((r) => r.filter((x) => x.key !== item.key));
    focusField(item.key);
    message.success(t('removed.restored', { title: item.schema.title || item.key }));
  };

  // --- Drag and drop -------------------------------------------------------
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 6 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
  const draggingNew = activeId?.startsWith('new:') ?? false;
  const collision: CollisionDetection = useCallback((args) => {
    if (String(args.active.id).startsWith('new:')) {
      const hits = pointerWithin(args);
      const card = hits.find((h) => h.id !== CANVAS_ID);
      return card ? [card] : hits;
    }
    return closestCenter({ ...args, droppableContainers: args.droppableContainers.filter((c) => c.id !== CANVAS_ID) });
  }, []);
  const onDragEnd = (e: DragEndEvent) => {
    setActiveId(null);
    setOverId(null);
    const active = String(e.active.id);
    const over = e.over ? String(e.over.id) : null;
    if (!over) return;
    if (active.startsWith('new:')) {
      const kind = active.slice(4);
      if (!isFieldKind(kind)) return;
      const index = over === CANVAS_ID ? undefined : draft['x-order'].indexOf(over);
      addKind(kind, index);
      return;
    }
    if (active !== over && over !== CANVAS_ID) {
      setDraft((d) => moveField(d, d['x-order'].indexOf(active), d['x-order'].indexOf(over)));
    }
  };

  // --- Save and publish ----------------------------------------------------
  const save = async (quiet = false): Promise<boolean> => {
    if (!name.trim()) {
      message.error(t('settings.nameRequired'));
      setSelectedKey(null);
      return false;
    }
    const check = validateDefinition(draft, locale);
    if (!check.ok) {
      message.error(t('toolbar.fixFirst', { n: check.errors.length }));
      return false;
    }
    setSaving(true);
    try {
      const snapshot = { name: name.trim(), description: description.trim(), draft };
      const result = await saveDraftAction({ formId, ...snapshot });
      if (!result.ok) {
        message.error(result.error.message);
        return false;
      }
      setSavedPrint(fingerprint({ name, description, draft }));
      setUnpublished(true);
      if (!quiet) message.success(t('toolbar.saved'));
      return true;
    } catch {
      message.error(t('toolbar.networkError'));
      return false;
    } finally {
      setSaving(false);
    }
  };

  const publish = () => {
    const next = publishedVersion + 1;
    // Fields the published version encrypts and this draft no longer does: publishing decrypts
    // their stored values, so the dialog names the risk and the publish carries the consent.
    const decrypted = encryptedKeys.filter((k) => draft.properties[k] && !draft.properties[k]['x-encrypted']);
    modal.confirm({
      title: t('toolbar.publishTitle', { version: next }),
      content: (
        <div>
          <p>{t('toolbar.publishConfirm', { version: next })}</p>
          {decrypted.length > 0 && (
            <Alert
              type="error"
              showIcon
              data-testid="decrypt-warning"
              message={t('toolbar.decryptTitle', { fields: decrypted.map((k) => t('fieldJobs.field', { title: draft.properties[k].title })).join(t('fieldJobs.separator')) })}
              description={t('toolbar.decryptRisk')}
              style={{ marginBottom: 12 }}
            />
          )}
          {dirty && <p className={styles.muted}>{t('toolbar.publishSavesFirst')}</p>}
        </div>
      ),
      okText: decrypted.length ? t('toolbar.decryptAndPublish') : t('toolbar.publish'),
      okButtonProps: decrypted.length ? { danger: true } : undefined,
      cancelText: t('toolbar.cancel'),
      icon: <SendOutlined style={{ color: decrypted.length ? '#cf1322' : '#1f5eff' }} />,
      onOk: async () => {
        setPublishing(true);
        try {
          if (dirty && !(await save(true))) return;
          const result = await publishAction({ formId, ...(decrypted.length ? { confirmDecrypt: decrypted } : {}) });
          if (!result.ok) {
            message.error(result.error.message);
            return;
          }
          setPublishedVersion(result.data.version);
          setPublishedKeys((k) => new Set([...k, ...draft['x-order']]));
          setEncryptedKeys(draft['x-order'].filter((k) => draft.properties[k]?.['x-encrypted']));
          setUnpublished(false);
          message.success(t('toolbar.published', { version: result.data.version }));
          // Values to encrypt or decrypt: a background job does it; its progress shows under the tabs.
          if (result.data.sealJobId || result.data.unsealJobId) message.info(t('toolbar.fieldJobStarted'), 8);
          router.refresh();
        } catch {
          message.error(t('toolbar.networkError'));
        } finally {
          setPublishing(false);
        }
      },
    });
  };

  // Ctrl/⌘+S saves the draft.
  const saveRef = useRef<() => void>(() => undefined);
  useEffect(() => {
    saveRef.current = () => void save();
  });
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 's') {
        e.preventDefault();
        saveRef.current();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [saveRef]);

  const status =
    publishedVersion === 0 ? (
      <Tag variant="filled">{t('status.neverPublished')}</Tag>
    ) : (
      <>
        <Tag color="success" variant="filled">
          {t('status.published', { version: publishedVersion })}
        </Tag>
        {(unpublished || dirty) && (
          <Tag color="warning" variant="filled">
            {t('status.unpublished')}
          </Tag>
        )}
      </>
    );

  const problemsBadge = verdict.ok ? (
    <Tag color="success" variant="outlined" icon={<CheckCircleFilled />} className={styles.verdict} data-testid="builder-valid">
      {t('toolbar.valid')}
    </Tag>
  ) : (
    <Popover
      placement="bottomRight"
      title={t('toolbar.problemsTitle', { n: problems.length })}
      content={
        <ul className={styles.problemPopover}>
          {problems.map((p) => (
            <li key={`${p.path}|${p.message}`}>
              {p.field && p.field in draft.properties ? <a onClick={() => focusField(p.field!)}>{p.message}</a> : p.message}
            </li>
          ))}
        </ul>
      }
    >
      <Tag color="error" variant="outlined" icon={<WarningOutlined />} className={styles.verdict} data-testid="builder-problems">
        {t('toolbar.problems', { n: problems.length })}
      </Tag>
    </Popover>
  );

  const activeKind = draggingNew && activeId && isFieldKind(activeId.slice(4)) ? (activeId.slice(4) as FieldKind) : null;

  return (
    <div className={styles.page}>
      <PageCrumbs items={[{ title: t('crumbs.forms'), href: '/admin/forms' }, { title: name || t('crumbs.untitled') }, { title: t('crumbs.builder') }]} />
      <PageHeader
        title={
          <span className={styles.headerTitle}>
            {name || t('crumbs.untitled')}
            {status}
            {dirty && (
              <Badge status="processing" text={<span className={styles.unsaved}>{t('status.unsaved')}</span>} />
            )}
          </span>
        }
        description={description || t('headerHint')}
        extra={
          <Space size={8}>
            {problemsBadge}
            <Tooltip title={t('toolbar.saveHint')}>
              <Button icon={<SaveOutlined />} onClick={() => void save()} loading={saving} disabled={!dirty && !saving} data-testid="save-draft">
                {t('toolbar.save')}
              </Button>
            </Tooltip>
            <Button
              type="primary"
              icon={<SendOutlined />}
              onClick={publish}
              loading={publishing}
              disabled={!verdict.ok || fields.length === 0 || (!dirty && !unpublished)}
              data-testid="publish"
            >
              {t('toolbar.publish')}
            </Button>
          </Space>
        }
      />
      <FormAdminTabs formId={formId} active="builder" />
      <FieldJobsProgress formId={formId} {...fieldJobs} />

      <DndContext
        id="form-builder"
        sensors={sensors}
        collisionDetection={collision}
        onDragStart={(e) => setActiveId(String(e.active.id))}
        onDragOver={(e) => setOverId(e.over ? String(e.over.id) : null)}
        onDragEnd={onDragEnd}
        onDragCancel={() => {
          setActiveId(null);
          setOverId(null);
        }}
      >
        <div className={styles.workspace}>
          <aside className={styles.left}>
            <Palette onAdd={(k) => addKind(k)} hasOwner={hasOwner} />
          </aside>

          <section className={styles.center}>
            {/* Tabs as a header only: the panes below own their scrolling. */}
            <Tabs
              activeKey={tab}
              onChange={setTab}
              className={styles.centerTabs}
              tabBarExtraContent={
                <Button type="text" size="small" icon={<SettingOutlined />} onClick={() => setSelectedKey(null)} data-testid="open-form-settings">
                  {t('canvas.formSettings')}
                </Button>
              }
              items={[
                { key: 'design', label: <span><EditOutlined /> {t('tabs.design')}</span> },
                { key: 'preview', label: <span data-testid="tab-preview"><EyeOutlined /> {t('tabs.preview')}</span> },
                { key: 'json', label: <span><CodeOutlined /> {t('tabs.json')}</span> },
              ]}
            />
            {tab === 'design' && (
              <div className={styles.centerScroll} onClick={(e) => e.target === e.currentTarget && setSelectedKey(null)}>
                {formProblems.length > 0 && (
                  <Alert
                    type="error"
                    showIcon
                    className={styles.formProblems}
                    title={t('canvas.formProblems')}
                    description={
                      <ul className={styles.problemList}>
                        {formProblems.map((p) => (
                          <li key={`${p.path}|${p.message}`}>{p.message}</li>
                        ))}
                      </ul>
                    }
                  />
                )}
                <div className={styles.canvasHead}>
                  <div>
                    <div className={styles.canvasTitle}>{name || t('crumbs.untitled')}</div>
                    <div className={styles.canvasSub}>{t('canvas.count', { n: fields.length })}</div>
                  </div>
                </div>
                <Canvas
                  fields={fields}
                  selectedKey={selectedKey}
                  errorsByField={errorsByField}
                  overKey={overId}
                  draggingNew={draggingNew}
                  userOptions={userOptions}
                  onSelect={setSelectedKey}
                  onDelete={remove}
                  onDuplicate={duplicate}
                />
                <RemovedFields items={removed} onRestore={restore} />
              </div>
            )}
            {tab === 'preview' && (
              <div className={styles.centerScroll}>
                {!verdict.ok && <Alert type="warning" showIcon className={styles.formProblems} title={t('preview.invalid', { n: problems.length })} />}
                <div className={styles.previewFrame}>
                  <div className={styles.previewHead}>
                    <div className={styles.previewTitle}>{name || t('crumbs.untitled')}</div>
                    {description && <div className={styles.previewDesc}>{description}</div>}
                  </div>
                  <RecordForm
                    key={JSON.stringify(deferred)}
                    definition={deferred}
                    mode="preview"
                    columns={1}
                    userOptions={userOptions}
                    defaultOwnerId={currentUserId}
                    footerExtra={t('preview.note')}
                  />
                </div>
              </div>
            )}
            {tab === 'json' && (
              <div className={styles.centerScroll}>
                <div className={styles.jsonBar}>
                  <Typography.Text type="secondary">{t('json.hint')}</Typography.Text>
                  <Button
                    size="small"
                    icon={<CopyOutlined />}
                    onClick={() =>
                      void navigator.clipboard
                        .writeText(JSON.stringify(draft, null, 2))
                        .then(() => message.success(t('json.copied')))
                        .catch(() => undefined)
                    }
                  >
                    {t('json.copy')}
                  </Button>
                </div>
                <pre className={styles.json}>{JSON.stringify(draft, null, 2)}</pre>
              </div>
            )}
          </section>

          <aside className={styles.right}>
            {selected ? (
              <FieldProperties
                key={selected.key}
                field={selected}
                keyEditable={!publishedKeys.has(selected.key)}
                takenKeys={new Set([...allKeys].filter((k) => k !== selected.key))}
                errors={errorsByField.get(selected.key) ?? []}
                userOptions={userOptions}
                onPatch={(patch) => setDraft((d) => patchField(d, selected.key, patch))}
                onRequired={(r) => setDraft((d) => setRequired(d, selected.key, r))}
                onRename={(to) => {
                  setDraft((d) => renameField(d, selected.key, to));
                  setSelectedKey(to);
                }}
              />
            ) : (
              <FormSettings
                name={name}
                description={description}
                fields={fields}
                onChange={(p) => {
                  if (p.name !== undefined) {
                    setName(p.name);
                    setDraft((d) => ({ ...d, title: p.name!.trim() || d.title }));
                  }
                  if (p.description !== undefined) setDescription(p.description);
                }}
              />
            )}
          </aside>
        </div>
        <DragOverlay dropAnimation={null}>
          {activeKind ? (
            <div className={styles.dragGhost}>
              <KindIcon kind={activeKind} /> {fieldKindLabel(activeKind, locale)}
            </div>
          ) : null}
        </DragOverlay>
      </DndContext>
    </div>
  );
}
