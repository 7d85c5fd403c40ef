/**
 * The server's cache answers (docs/protocol.md: `bytelens.cache`, `bytelens.cache.write`,
 * `bytelens.cache.compare`, `bytelens/cacheState`) and the URIs of the pages that show them.
 * The pages show the server's text as it is: nothing here re-derives a verdict. No `vscode` import.
 */

export const SERVER_CACHE_COMMAND = 'bytelens.cache';
export const SERVER_CACHE_WRITE_COMMAND = 'bytelens.cache.write';
export const SERVER_CACHE_COMPARE_COMMAND = 'bytelens.cache.compare';
export const CACHE_STATE_NOTIFICATION = 'bytelens/cacheState';

/** The scheme of the read-only cache pages (the explanation, and the two listings). */
export const CACHE_SCHEME = 'bytelens-cache';

/** What a cache page shows: the explanation, or one side of the comparison. */
export type PageKind = 'cache' | 'bytelens' | 'cpython';

const PAGE_SUFFIX: Record<PageKind, string> = {
    cache: '(cache)',
    bytelens: '(bytelens dis of the .blc)',
    cpython: '(CPython dis)',
};

/** The path of a page's URI: the tab reads `mod.py (cache)`. */
export function pagePath(sourceBaseName: string, kind: PageKind): string {
    return `/${sourceBaseName} ${PAGE_SUFFIX[kind]}`;
}

/** Which page a URI path names (undefined: none of ours). */
export function pageKind(path: string): PageKind | undefined {
    return (Object.keys(PAGE_SUFFIX) as PageKind[]).find((kind) => path.endsWith(` ${PAGE_SUFFIX[kind]}`));
}

export interface CacheResult {
    kind: 'source' | 'cache-file';
    summary: string;
    text: string;
    /** Only in `bytelens.cache.write`'s result. */
    written?: string | null;
    error?: string | null;
}

export interface Listing {
    title: string;
    origin?: string;
    text: string;
}

export interface CompareResult {
    bytelens: Listing;
    cpython: Listing;
}

export interface CacheState {
    uri: string;
    summary: string;
    cpython: string;
    bytelens: string;
}

function isObject(value: unknown): value is Record<string, unknown> {
    return typeof value === 'object' && value !== null;
}

export function isCacheResult(value: unknown): value is CacheResult {
    return isObject(value) && (value.kind === 'source' || value.kind === 'cache-file')
        && typeof value.summary === 'string' && typeof value.text === 'string';
}

function isListing(value: unknown): value is Listing {
    return isObject(value) && typeof value.title === 'string' && typeof value.text === 'string';
}

export function isCompareResult(value: unknown): value is CompareResult {
    return isObject(value) && isListing(value.bytelens) && isListing(value.cpython);
}

export function isCacheState(value: unknown): value is CacheState {
    return isObject(value) && typeof value.uri === 'string' && typeof value.summary === 'string'
        && typeof value.cpython === 'string' && typeof value.bytelens === 'string';
}

/** The status bar's text for a state: the server's summary, after an icon. */
export function statusText(state: CacheState): string {
    return `$(archive) ${state.summary}`;
}

/** The status item warns when Python or bytelens will not use a cache file that exists. */
export function needsAttention(state: CacheState): boolean {
    const unusable = new Set(['stale', 'foreign', 'corrupt', 'unreadable']);
    return unusable.has(state.cpython) || unusable.has(state.bytelens);
}
