/** Query-string parameters of a list endpoint, typed for the operation's input schema (which validates them). */
export function listQuery(params: URLSearchParams) {
  const num = (name: string) => {
    const v = params.get(name);
    return v === null || v === '' ? undefined : /^\d+$/.test(v) ? Number(v) : (v as unknown as number);
  };
  const str = (name: string) => params.get(name) ?? undefined;
  const out: { page?: number; pageSize?: number; sort?: string; order?: 'asc' | 'desc'; q?: string } = {
    page: num('page'),
    pageSize: num('pageSize'),
    sort: str('sort'),
    order: str('order') as 'asc' | 'desc' | undefined,
    q: str('q'),
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as typeof out;
}
