'use client';
/** Saves a text file the server produced (the access-review CSV) through the browser's download. */
export function saveTextFile(file: { filename: string; contentType: string; body: string }): void {
  // The body already starts with the BOM; a Blob of a string is UTF-8.
  const url = URL.createObjectURL(new Blob([file.body], { type: file.contentType }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
