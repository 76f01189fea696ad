'use client';
/**
 * The providers of every page, in the order that works with Next 16:
 * AntdRegistry (collects antd's CSS-in-JS during server rendering) >
 * NextIntlClientProvider (our strings) > ConfigProvider (antd's own
 * zh_CN / en_US texts and the theme) > App (message/modal context).
 */
import { useState, type ReactNode } from 'react';
import { useServerInsertedHTML } from 'next/navigation';
import { createCache, extractStyle, StyleProvider } from '@ant-design/cssinjs';
import { App, ConfigProvider, type ThemeConfig } from 'antd';
import zhCN from 'antd/locale/zh_CN';
import enUS from 'antd/locale/en_US';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { NextIntlClientProvider, type AbstractIntlMessages } from 'next-intl';
import type { Locale } from '@/lib/i18n';
import { TimeZoneSync } from './time-zone-sync';

export const FONT_FAMILY =
  '-apple-system, BlinkMacSystemFont, "Segoe UI", "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Noto Sans SC", "Helvetica Neue", Helvetica, Arial, sans-serif';

const NAVY = '#0f1b3d';
const NAVY_DARK = '#0a1430';

const theme: ThemeConfig = {
  token: {
    colorPrimary: '#1f5eff',
    colorInfo: '#1f5eff',
    colorLink: '#1f5eff',
    colorSuccess: '#17a34a',
    colorWarning: '#e8890c',
    colorError: '#e5484d',
    colorBgLayout: '#f4f6fb',
    colorTextBase: '#1b2333',
    borderRadius: 6,
    fontFamily: FONT_FAMILY,
    fontSize: 14,
    controlHeight: 34,
  },
  components: {
    Layout: {
      siderBg: NAVY,
      triggerBg: NAVY_DARK,
      headerBg: '#ffffff',
      headerHeight: 56,
      headerPadding: '0 24px',
      bodyBg: '#f4f6fb',
    },
    Menu: {
      darkItemBg: NAVY,
      darkSubMenuItemBg: NAVY,
      darkPopupBg: NAVY,
      darkItemSelectedBg: '#1f5eff',
      darkItemColor: 'rgba(255,255,255,0.72)',
      darkGroupTitleColor: 'rgba(255,255,255,0.42)',
      itemHeight: 40,
      itemMarginInline: 10,
      itemBorderRadius: 6,
    },
    Table: { headerBg: '#f7f8fb', headerColor: '#5b6476', rowHoverBg: '#f5f8ff' },
    Card: { headerFontSize: 15 },
  },
};

/**
 * @ant-design/nextjs-registry's AntdRegistry, with the CSP nonce on the style
 * tag it writes into the server's HTML (without it the Content-Security-Policy
 * of proxy.ts blocks every antd style).
 */
function AntdRegistry({ nonce, children }: { nonce?: string; children: ReactNode }) {
  const [cache] = useState(() => createCache());
  useServerInsertedHTML(() => {
    const styleText = extractStyle(cache, { plain: true, once: true });
    if (styleText.includes('.data-ant-cssinjs-cache-path{content:"";}')) return null;
    return (
      <style
        id="antd-cssinjs"
        nonce={nonce}
        // Before the styles antd adds in the browser, as the original registry does.
        data-rc-order="prepend"
        data-rc-priority="-1000"
        dangerouslySetInnerHTML={{ __html: styleText }}
      />
    );
  });
  return <StyleProvider cache={cache}>{children}</StyleProvider>;
}

/**
 * Gives the document's nonce to every <style> element scripts create. Some of
 * antd's helpers (rc-util's scrollbar measurement under Table) add a style tag
 * without passing the nonce through, which the CSP would refuse. Only code
 * that already runs (script-src is nonce-only) reaches createElement, so this
 * opens nothing to injected HTML: a <style> in markup still needs the nonce.
 */
function lendNonceToScriptStyles(nonce: string | undefined) {
  if (typeof document === 'undefined' || !nonce) return;
  const doc = document as Document & { fwStyleNonce?: boolean };
  if (doc.fwStyleNonce) return;
  doc.fwStyleNonce = true;
  const create = doc.createElement;
  doc.createElement = function (this: Document, tagName: string, options?: ElementCreationOptions) {
    const element = create.call(this, tagName, options);
    if (element instanceof HTMLStyleElement && !element.nonce) element.nonce = nonce;
    return element;
  } as typeof doc.createElement;
}

export function Providers({
  locale,
  messages,
  timeZone,
  nonce,
  children,
}: {
  locale: Locale;
  messages: AbstractIntlMessages;
  timeZone: string;
  /** The Content-Security-Policy nonce of this response (proxy.ts). */
  nonce?: string;
  children: ReactNode;
}) {
  // The document's policy is the one of the response that loaded it: after a soft navigation or
  // router.refresh() the server renders this layout again with a new nonce, which the browser would
  // refuse for styles added from then on. Keep the first one for the life of the document.
  const [documentNonce] = useState(nonce);
  lendNonceToScriptStyles(documentNonce);
  // dayjs formats the date pickers' week days and months; it is global, so
  // only the browser (one user, one language) sets it.
  if (typeof window !== 'undefined') dayjs.locale(locale === 'en' ? 'en' : 'zh-cn');
  return (
    <AntdRegistry nonce={documentNonce}>
      <NextIntlClientProvider locale={locale} messages={messages} timeZone={timeZone}>
        <ConfigProvider locale={locale === 'en' ? enUS : zhCN} theme={theme} csp={{ nonce: documentNonce }}>
          <App>
            <TimeZoneSync />
            {children}
          </App>
        </ConfigProvider>
      </NextIntlClientProvider>
    </AntdRegistry>
  );
}
