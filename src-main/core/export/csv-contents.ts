// The contents check of one CSV file of a package, shared by verify-package (Node, rows
// streamed from the ZIP) and the verify page (browser, rows parsed from bytes it read):
// the manifest's column description, the header, the row count, the Merkle root over
// row digests and, for audit_events.csv, the hash chain recomputed by the core engine.
// It imports no Node module of its own; where rows come from is the caller's callback.
import { MerkleBuilder } from '../chain/merkle.js';
import { parseProfile } from '../chain/profile-file.js';
import { PackageIntegrity } from './integrity.js';
import { columnsProblem, type Manifest, type ManifestFile } from './manifest.js';
import { CONVERSATION_HEADER, PACKAGE_FILES } from './package-files.js';
import { makeRowDigester } from '../chain/row-digest.js';

export type CsvContentsCode = 'MANIFEST_INVALID' | 'CSV_INVALID' | 'CSV_HEADER_MISMATCH' | 'ROW_COUNT_MISMATCH' | 'MERKLE_MISMATCH';

/** How the caller's reader must restore neutralised cells (the manifest's csv.formulaNeutralisation). */
export interface CsvRestore {
  neutralised: boolean[] | null;
  neutralisedHeader: boolean;
  triggers: string[] | undefined;
}

/** Yields the file's records, header first, with neutralised cells restored as `restore` says. */
export type CsvRecordReader = (file: ManifestFile, restore: CsvRestore) => AsyncIterable<(string | null)[]> | Iterable<(string | null)[]>;

export interface CsvContents {
  rows: number;
  merkleRoot: string;
  /** audit_events.csv of a package that describes its chain: the engine that re-verified it */
  checker: PackageIntegrity | null;
}

/**
 * Checks one CSV the manifest names (its bytes already match the manifest's SHA-256).
 * Null when the file could not be read as the manifest describes it (the failure is reported).
 */
export async function checkCsvContents(
  f: ManifestFile & { columns: NonNullable<ManifestFile['columns']> },
  manifest: Manifest,
  read: CsvRecordReader,
  fail: (code: CsvContentsCode, message: string, file?: string) => void,
  onRow?: (values: (string | null)[]) => void,
): Promise<CsvContents | null> {
  const columnsWrong = columnsProblem(f);
  if (columnsWrong) {
    fail('MANIFEST_INVALID', columnsWrong, PACKAGE_FILES.manifest);
    return null;
  }
  const neutralisation = manifest.csv?.formulaNeutralisation;
  const neutralisedOn = neutralisation?.enabled === true;
  // The package's own triggers (TAB and CR since issue 11) and whether its header cells were neutralised.
  const triggers = Array.isArray(neutralisation?.triggers) ? neutralisation.triggers.filter((t): t is string => typeof t === 'string') : undefined;
  const restore: CsvRestore = { neutralised: neutralisedOn ? f.columns.map((c) => c.neutralised) : null, neutralisedHeader: neutralisedOn && neutralisation?.headers === true, triggers };
  const cols = f.columns.map((c) => ({ name: c.name, type: c.type }));
  let checker: PackageIntegrity | null = null;
  if (f.name === PACKAGE_FILES.events && manifest.chain?.table && cols.length) {
    try {
      checker = new PackageIntegrity({
        columns: f.columns.map((c) => ({ name: c.name, type: c.type, field: c.field ?? null })),
        profile: parseProfile(manifest.chain.profile),
        tenant: manifest.query.tenant,
        table: manifest.chain.table,
        wholeChain: manifest.chain.method === 'engine',
        startSeq: manifest.chain.startSeq,
        anchors: manifest.chain.checkpoints ?? [],
      });
    } catch (e) {
      fail('MANIFEST_INVALID', `the manifest's chain description is unusable: ${(e as Error).message}`, PACKAGE_FILES.manifest);
    }
  }
  const merkle = new MerkleBuilder();
  const rowDigest = makeRowDigester(cols);
  let rows = 0;
  let header: (string | null)[] | null = null;
  try {
    for await (const rec of read(f, restore)) {
      if (!header) {
        header = rec;
        continue;
      }
      if (rec.length !== header.length) throw new Error(`record ${rows + 2} has ${rec.length} fields; the header has ${header.length}`);
      rows++;
      merkle.push(rowDigest(rec));
      checker?.push(rec);
      onRow?.(rec);
    }
  } catch (e) {
    fail('CSV_INVALID', `${f.name} is not valid CSV: ${(e as Error).message}`, f.name);
    return null;
  }
  const expectedHeader = f.name === PACKAGE_FILES.conversations ? [...CONVERSATION_HEADER] : f.columns.map((c) => c.header);
  if (JSON.stringify(header) !== JSON.stringify(expectedHeader) || JSON.stringify(f.columns.map((c) => c.header)) !== JSON.stringify(expectedHeader)) {
    fail('CSV_HEADER_MISMATCH', `${f.name}'s header is not ${expectedHeader.join(',')}`, f.name);
  }
  if (rows !== f.rows) fail('ROW_COUNT_MISMATCH', `${f.name} holds ${rows} rows; the manifest says ${f.rows}`, f.name);
  const merkleRoot = merkle.root();
  if (f.merkleRoot && merkleRoot !== f.merkleRoot) fail('MERKLE_MISMATCH', `${f.name}'s rows do not give the Merkle root the manifest records`, f.name);
  return { rows, merkleRoot, checker };
}
