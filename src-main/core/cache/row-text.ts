// A cached row written as one text: each value as `len:text` (its UTF-8 byte length, a
// colon, the text as the cache stores it) or `-` for NULL, comma-joined. The recheck hashes
// it beside the server's twin (source/session.ts rowHashSql), and a chain's content digest
// (verify/hashed-rows.ts) is taken over it: built once per row for both.
export function rowText(values: readonly (string | null)[]): string {
  return values.map((v) => (v === null ? '-' : `${Buffer.byteLength(v, 'utf8')}:${v}`)).join(',');
}
