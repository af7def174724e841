export type TPager = { page: number; pages: number; previous?: string; next?: string; from: number; to: number; total: number };

/** Links to the neighbouring pages of a list, keeping its filters. */
export function pager({
  path,
  params,
  page,
  pageSize,
  total,
}: {
  path: string;
  params: Record<string, string | undefined>;
  page: number;
  pageSize: number;
  total: number;
}): TPager {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const link = (target: number) => {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
    if (target > 1) search.set('page', String(target));
    const query = search.toString();
    return query ? `${path}?${query}` : path;
  };
  return {
    page,
    pages,
    previous: page > 1 ? link(Math.min(page - 1, pages)) : undefined,
    next: page < pages ? link(page + 1) : undefined,
    from: total === 0 ? 0 : (page - 1) * pageSize + 1,
    to: Math.min(total, page * pageSize),
    total,
  };
}
