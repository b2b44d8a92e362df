// Contract for choosing files. In Electron these open the native dialogs; front doors
// without them answer null and the screen shows a path field instead, so the
// renderer never needs to know which door it is behind.
import { z } from 'zod';
import { method } from './define.js';

const extensions = z
  .array(z.string().regex(/^[a-z0-9]{1,10}$/))
  .max(10)
  .default([]);
const title = z.string().max(200);

export const filesContract = {
  /** The path the user chose to save to, or null (no dialog here, or cancelled). */
  'files.chooseSavePath': method<{ path: string | null }>()(z.object({ title, defaultPath: z.string().max(4096), extensions }).strict()),
  /** The file (or, with `directory`, the folder) the user chose to open, or null (no dialog here, or cancelled). */
  'files.chooseOpenPath': method<{ path: string | null }>()(z.object({ title, extensions, directory: z.boolean().default(false) }).strict()),
};
