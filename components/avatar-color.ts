/** A stable colour per person, so the same user looks the same in every list. */
const AVATAR_COLORS = ['#1f5eff', '#0f9d8a', '#7b4dff', '#e8890c', '#d9467a', '#2b8fd6', '#5b6b8c'];

export function avatarColor(id: string): string {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return AVATAR_COLORS[h % AVATAR_COLORS.length];
}
