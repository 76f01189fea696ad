'use client';
/** Frame of the sign-in and setup pages: the product's promise on the left, the form on the right. */
import type { ReactNode } from 'react';
import { useTranslations } from 'next-intl';
import { Brand } from '../brand';
import { LanguageSwitch } from '../language-switch';
import { EyeInvisibleOutlined, FileProtectOutlined, LockOutlined } from '../icons';

export function AuthLayout({ children, wide = false }: { children: ReactNode; wide?: boolean }) {
  const t = useTranslations('auth.aside');
  const tp = useTranslations('common.product');
  const features = [
    { key: 'encryption', icon: <LockOutlined /> },
    { key: 'permissions', icon: <EyeInvisibleOutlined /> },
    { key: 'audit', icon: <FileProtectOutlined /> },
  ] as const;
  return (
    <div className="fw-auth">
      <aside className="fw-auth__aside">
        <Brand name={tp('name')} subtitle={tp('subtitle')} tone="dark" size={36} />
        <div>
          <h2 className="fw-auth__headline">{tp('tagline')}</h2>
          <p className="fw-auth__lead">{t('lead')}</p>
          <ul className="fw-auth__features">
            {features.map((f) => (
              <li key={f.key} className="fw-auth__feature">
                <span className="fw-auth__feature-icon">{f.icon}</span>
                <span>
                  <div className="fw-auth__feature-title">{t(`features.${f.key}.title`)}</div>
                  <div className="fw-auth__feature-text">{t(`features.${f.key}.text`)}</div>
                </span>
              </li>
            ))}
          </ul>
        </div>
        <div className="fw-auth__foot">{t('foot')}</div>
      </aside>
      <main className="fw-auth__main">
        <div className="fw-auth__topbar">
          <LanguageSwitch />
        </div>
        <div className="fw-auth__center">
          <div className={`fw-auth__card${wide ? ' fw-auth__card--wide' : ''}`}>
            <div className="fw-auth__mobile-brand">
              <Brand name={tp('name')} subtitle={tp('tagline')} tone="light" />
            </div>
            {children}
          </div>
        </div>
      </main>
    </div>
  );
}
