// What the page checks a package from (a ZIP or a picked folder), and how it fails: shared
// by the readers (sources.ts) and the checks (check.ts), which import neither each other.

export interface PageFailure {
  code: string;
  file?: string;
  message: string;
}

export interface PackageSource {
  /** names present (ZIP entry names, or paths relative to the picked folder) */
  names: string[];
  /** ZIP-level problems already found (unsafe paths, duplicates, symlinks, damage) */
  problems: PageFailure[];
  /** the bytes of one file, read no further than `limit` */
  read(name: string, limit: number): Promise<Uint8Array<ArrayBuffer> | null>;
}

/** An entry whose ZIP header already says it is larger than the check reads: a size problem, not damage. */
export class LargerThanLimit extends Error {}
