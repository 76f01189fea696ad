'use client';
/**
 * Asks before unsaved work is thrown away: on closing or reloading the tab
 * (the browser's own beforeunload prompt) and on in-app navigation, which
 * never fires beforeunload. Next's App Router has no navigation events, so
 * clicks on same-origin links are caught in the capture phase on document,
 * before React (and next/link) see them, and replayed with router.push once
 * the user agrees. `confirmLeave` does the same for buttons that discard
 * (取消) or navigate in code.
 */
import { useCallback, useEffect, useRef } from 'react';
import { useRouter } from 'next/navigation';
import { App } from 'antd';
import { useTranslations } from 'next-intl';

/** Set while the user has agreed to leave, so a guard on the next page does not ask again for this navigation. */
let leaving = false;

export function useUnsavedChangesGuard(dirty: boolean): { confirmLeave: (proceed: () => void) => void } {
  const router = useRouter();
  const { modal } = App.useApp();
  const t = useTranslations('common.unsaved');
  const asking = useRef(false);
  const dirtyRef = useRef(dirty);
  dirtyRef.current = dirty;

  const confirmLeave = useCallback(
    (proceed: () => void) => {
      if (!dirtyRef.current || leaving) {
        proceed();
        return;
      }
      if (asking.current) return;
      asking.current = true;
      modal.confirm({
        title: t('title'),
        content: t('content'),
        okText: t('leave'),
        cancelText: t('stay'),
        okButtonProps: { danger: true, 'data-testid': 'unsaved-leave' } as never,
        cancelButtonProps: { 'data-testid': 'unsaved-stay' } as never,
        onOk: () => {
          asking.current = false;
          leaving = true;
          // Reset after this navigation has started; other guards on the page stay armed afterwards.
          setTimeout(() => (leaving = false), 0);
          proceed();
        },
        onCancel: () => {
          asking.current = false;
        },
      });
    },
    [modal, t],
  );

  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (e: BeforeUnloadEvent) => {
      if (leaving) return;
      e.preventDefault();
      // Older browsers show the prompt only when returnValue is set.
      e.returnValue = '';
    };
    const onClick = (e: MouseEvent) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const anchor = e.target instanceof Element ? e.target.closest('a[href]') : null;
      if (!(anchor instanceof HTMLAnchorElement)) return;
      if ((anchor.target && anchor.target !== '_self') || anchor.hasAttribute('download')) return;
      const url = new URL(anchor.href, window.location.href);
      // Another site is a full page load: beforeunload asks there.
      if (url.origin !== window.location.origin) return;
      if (url.pathname === window.location.pathname && url.search === window.location.search) return;
      e.preventDefault();
      // Immediate: several guards (one per grant card) listen on document; one question is enough.
      e.stopImmediatePropagation();
      confirmLeave(() => router.push(`${url.pathname}${url.search}${url.hash}`));
    };
    window.addEventListener('beforeunload', onBeforeUnload);
    document.addEventListener('click', onClick, true);
    return () => {
      window.removeEventListener('beforeunload', onBeforeUnload);
      document.removeEventListener('click', onClick, true);
    };
  }, [dirty, confirmLeave, router]);

  return { confirmLeave };
}
