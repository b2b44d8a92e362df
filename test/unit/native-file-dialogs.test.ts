// files.chooseSavePath / chooseOpenPath in Electron: the native dialog's answer, null
// when the user cancels (the screen then keeps its path field as it was), and the
// extensions offered as the dialog's filter.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nativeFileDialogs } from '../../src-main/electron/file-dialogs.js';

function fakeDialog(answer: { canceled: boolean; filePath?: string; filePaths?: string[] }) {
  const seen: unknown[] = [];
  return {
    seen,
    dialog: {
      async showSaveDialog(_win: unknown, opts: unknown) {
        seen.push(opts);
        return { canceled: answer.canceled, filePath: answer.filePath };
      },
      async showOpenDialog(_win: unknown, opts: unknown) {
        seen.push(opts);
        return { canceled: answer.canceled, filePaths: answer.filePaths ?? [] };
      },
    },
  };
}

test('the save dialog starts at the default path, offers .zip, and answers the chosen path', async () => {
  const f = fakeDialog({ canceled: false, filePath: '/home/a/acme.zip' });
  const path = await nativeFileDialogs(f.dialog, () => null).chooseSavePath({ title: 'Save', defaultPath: '/e/exports/x.zip', extensions: ['zip'] });
  assert.equal(path, '/home/a/acme.zip');
  assert.deepEqual(f.seen, [{ title: 'Save', defaultPath: '/e/exports/x.zip', filters: [{ name: 'ZIP', extensions: ['zip'] }] }]);
});

test('a cancelled dialog answers null, so nothing the user typed is replaced', async () => {
  const dialogs = nativeFileDialogs(fakeDialog({ canceled: true, filePath: '/ignored.zip', filePaths: ['/ignored.zip'] }).dialog, () => null);
  assert.equal(await dialogs.chooseSavePath({ title: 'Save', defaultPath: '/x.zip', extensions: [] }), null);
  assert.equal(await dialogs.chooseOpenPath({ title: 'Open', extensions: ['zip'] }), null);
});

test('the open dialog asked for a folder offers folders only', async () => {
  const f = fakeDialog({ canceled: false, filePaths: ['/home/a/received/acme-handover'] });
  const path = await nativeFileDialogs(f.dialog, () => null).chooseOpenPath({ title: 'Open an engagement folder', extensions: [], directory: true });
  assert.equal(path, '/home/a/received/acme-handover');
  assert.deepEqual(f.seen, [{ title: 'Open an engagement folder', properties: ['openDirectory'], filters: [] }]);
});
