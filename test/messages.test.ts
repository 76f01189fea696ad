import { describe, expect, it } from 'vitest';
import { namespaces } from '@/messages';

type Tree = { [key: string]: string | Tree };

function keysOf(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : keysOf(v, `${prefix}${k}.`)));
}

// A key missing in one language shows the raw key to that language's users.
describe('UI messages', () => {
  for (const [ns, [zh, en]] of Object.entries(namespaces)) {
    it(`${ns}: 简体中文 and English have the same keys`, () => {
      expect(keysOf(en as Tree).sort()).toEqual(keysOf(zh as Tree).sort());
    });
    it(`${ns}: no empty messages`, () => {
      for (const tree of [zh, en] as Tree[]) {
        const empty = keysOf(tree).filter((k) => k.split('.').reduce<string | Tree>((t, p) => (t as Tree)[p], tree) === '');
        expect(empty).toEqual([]);
      }
    });
  }
});
