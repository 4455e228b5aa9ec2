import { assertLimit, assertOffset, assertOptionalObject } from '@celers/core';

/** Paging for the list methods. */
export interface PageOptions {
  /** Rows to return (1–10,000). @defaultValue {@link DEFAULT_PAGE_LIMIT} */
  limit?: number;
  /** Rows to skip. @defaultValue 0 */
  offset?: number;
}

/** {@link PageOptions} with defaults applied. */
export interface ResolvedPage {
  readonly limit: number;
  readonly offset: number;
}

/** Page size of list methods when none is given. */
export const DEFAULT_PAGE_LIMIT = 100;

/** Validates paging options (`INVALID_ARGUMENT` naming `options.limit` / `options.offset`) and applies defaults. */
export function resolvePage(options: PageOptions | undefined, argument = 'options'): ResolvedPage {
  const o = (assertOptionalObject(options, argument) ?? {}) as PageOptions;
  return {
    limit: o.limit === undefined ? DEFAULT_PAGE_LIMIT : assertLimit(o.limit, `${argument}.limit`),
    offset: o.offset === undefined ? 0 : assertOffset(o.offset, `${argument}.offset`),
  };
}
