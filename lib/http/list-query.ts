/** Query-string parameters of a list endpoint, typed for the operation's input schema (which validates them). */
export function listQuery(params: URLSearchParams) {
  const num = (name: string) => {
    const v = params.get(name);
    return v === null || v === '' ? undefined : /^\d+$/.test(v) ? Number(v) : (v as unknown as number);
  };
  const str = (name: string) => params.get(name) ?? undefined;
  // filter[key]=value, repeated per field (OpenAPI deepObject); the operation validates keys and values.
  const filter: Record<string, string> = {};
  for (const [name, value] of params) {
    const m = /^filter\[([^\]]*)\]$/.exec(name);
    if (m) filter[m[1]] = value;
  }
  const out: { page?: number; pageSize?: number; sort?: string; order?: 'asc' | 'desc'; q?: string; filter?: Record<string, string> } = {
    page: num('page'),
    pageSize: num('pageSize'),
    sort: str('sort'),
    order: str('order') as 'asc' | 'desc' | undefined,
    q: str('q'),
    filter: Object.keys(filter).length ? filter : undefined,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as typeof out;
}
