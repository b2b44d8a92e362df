// File choosers: the front door's native dialogs when it has them (Electron), else null
// so the screen shows a path field.
import type { filesContract } from '../../contract/files.js';
import type { HandlersFor } from './types.js';

export const filesHandlers: HandlersFor<typeof filesContract> = {
  'files.chooseSavePath': async ({ title, defaultPath, extensions }, ctx) => ({
    path: ctx.fileDialogs ? await ctx.fileDialogs.chooseSavePath({ title, defaultPath, extensions }) : null,
  }),
  'files.chooseOpenPath': async ({ title, extensions, directory }, ctx) => ({
    path: ctx.fileDialogs ? await ctx.fileDialogs.chooseOpenPath({ title, extensions, directory }) : null,
  }),
};
