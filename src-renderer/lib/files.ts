/** Reads a dropped or chosen File as text, refusing large or binary files before reading them. */
export async function readTextFile(file: File, maxBytes: number): Promise<string> {
  if (file.size > maxBytes) throw new Error(`${file.name} is ${Math.ceil(file.size / 1024)} KiB; a CSR is at most ${Math.floor(maxBytes / 1024)} KiB`);
  const text = await new Promise<string>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result ?? ''));
    reader.onerror = () => reject(new Error(`cannot read ${file.name}`));
    reader.readAsText(file);
  });
  if (text.includes('\0')) throw new Error(`${file.name} is not a text (PEM) file`);
  return text;
}
