// File names made from the source's text (tenant ids, table names). Pure: the unit tests run it under Node.

/** A file name from free text (tenant ids, table names): letters, digits, dot, dash. */
export function safeFileName(...parts: string[]): string {
  return parts.map((p) => p.replace(/[^A-Za-z0-9.-]+/g, '_').slice(0, 80)).join('-');
}

/**
 * Where a package goes when no engagement is open: exports/ beside the cache, named after
 * the tenant. The tenant id is the source's text: "../x" or a right-to-left override in it
 * would put the file elsewhere or make its name read backwards ("piz.exe").
 */
export function fallbackPackagePath(cachePath: string | undefined, tenant: string, now = new Date()): string {
  const dir = cachePath ? cachePath.replace(/[/\\][^/\\]*$/, '') : '.';
  const stamp = now.toISOString().slice(0, 19).replace(/[-:T]/g, '');
  return `${dir}/exports/${tenant ? safeFileName(tenant) : 'tenant'}-${stamp}.zip`;
}
