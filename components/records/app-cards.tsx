/**
 * The workbench: one card per form the user may use. A server component;
 * strings come in already translated.
 */
import Link from 'next/link';
import { Tag } from 'antd';
import styles from './records.module.css';
import { ArrowRightOutlined, EyeOutlined, PlusOutlined } from '../icons';

export interface AppCardItem {
  id: string;
  name: string;
  description: string;
  version: number;
  fieldCount: number;
  can: { view: boolean; create: boolean };
}

const COLORS = ['#1f5eff', '#13a8a8', '#7a5af8', '#e8890c', '#17a34a', '#d63384', '#2f54eb', '#0e7490'];

/** A stable colour per form, so the same app always looks the same. */
function colorOf(id: string): string {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return COLORS[h % COLORS.length];
}

export function AppCards({
  items,
  labels,
}: {
  items: AppCardItem[];
  labels: { fields: (n: number) => string; version: (v: number) => string; view: string; create: string; open: string; noDescription: string };
}) {
  return (
    <div className={styles.appGrid} data-testid="app-cards">
      {items.map((f) => (
        <Link key={f.id} href={f.can.view ? `/apps/${f.id}` : `/apps/${f.id}/new`} className={styles.appCard}>
          <div className={styles.appCardHead}>
            <span className={styles.appIcon} style={{ background: colorOf(f.id) }} aria-hidden="true">
              {f.name.slice(0, 1)}
            </span>
            <div>
              <div className={styles.appName}>{f.name}</div>
              <div className={styles.appMeta}>
                {labels.version(f.version)} · {labels.fields(f.fieldCount)}
              </div>
            </div>
          </div>
          <div className={styles.appDesc}>{f.description || labels.noDescription}</div>
          <div className={styles.appFoot}>
            <span style={{ display: 'inline-flex', gap: 6 }}>
              {f.can.view && (
                <Tag icon={<EyeOutlined />} variant="filled" color="blue">
                  {labels.view}
                </Tag>
              )}
              {f.can.create && (
                <Tag icon={<PlusOutlined />} variant="filled" color="green">
                  {labels.create}
                </Tag>
              )}
            </span>
            <span className={styles.appOpen}>
              {labels.open} <ArrowRightOutlined />
            </span>
          </div>
        </Link>
      ))}
    </div>
  );
}
