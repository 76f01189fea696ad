'use client';
import { useCallback, useState } from 'react';

/**
 * A modal's open flag and the data it shows. The data outlives closing, so
 * the title and fields do not change while the modal animates away.
 */
export function useDialog<T>() {
  const [state, setState] = useState<{ open: boolean; data: T | null }>({ open: false, data: null });
  const show = useCallback((data: T) => setState({ open: true, data }), []);
  const hide = useCallback(() => setState((s) => ({ ...s, open: false })), []);
  return { open: state.open, data: state.data, show, hide };
}
