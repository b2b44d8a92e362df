// The native save and open dialogs behind files.chooseSavePath / files.chooseOpenPath.
// Takes Electron's dialog object and the window to attach the sheet to, so the
// mapping (cancel → null, extensions → filters) is testable without the binary.
import type { FileDialogs } from '../core/app/context.js';

interface DialogLike {
  showSaveDialog(win: unknown, opts: { title: string; defaultPath: string; filters: { name: string; extensions: string[] }[] }): Promise<{ canceled: boolean; filePath?: string }>;
  showOpenDialog(
    win: unknown,
    opts: { title: string; properties: ('openFile' | 'openDirectory')[]; filters: { name: string; extensions: string[] }[] },
  ): Promise<{ canceled: boolean; filePaths: string[] }>;
}

const filtersFor = (extensions: string[]) => (extensions.length ? [{ name: extensions.map((e) => e.toUpperCase()).join(', '), extensions }] : []);

export function nativeFileDialogs(dialog: DialogLike, window: () => unknown): FileDialogs {
  return {
    async chooseSavePath({ title, defaultPath, extensions }) {
      const r = await dialog.showSaveDialog(window(), { title, defaultPath, filters: filtersFor(extensions) });
      return r.canceled || !r.filePath ? null : r.filePath;
    },
    async chooseOpenPath({ title, extensions, directory }) {
      const r = await dialog.showOpenDialog(window(), { title, properties: [directory ? 'openDirectory' : 'openFile'], filters: filtersFor(extensions) });
      return r.canceled ? null : (r.filePaths[0] ?? null);
    },
  };
}
