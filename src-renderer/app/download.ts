// Saves a JSON document the user asked for (an anchor file) as a download: the same
// code in the browser and in Electron, which turns it into a Save dialog.
export function downloadJson(fileName: string, value: unknown): void {
  const blob = new Blob([`${JSON.stringify(value, null, 2)}\n`], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  document.body.append(a);
  a.click();
  a.remove();
  // The download has taken the bytes by the next task; the URL is not needed after it.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
