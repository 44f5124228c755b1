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

/** Reads a dropped File's bytes as base64 for main to classify, refusing large files before reading. */
export async function readFileBase64(file: File, maxBytes: number): Promise<string> {
  if (file.size > maxBytes) throw new Error(`${file.name} is ${Math.ceil(file.size / 1024)} KiB; a dropped certificate, CSR or PKCS#12 file is at most ${Math.floor(maxBytes / 1024)} KiB`);
  if (file.size === 0) throw new Error(`${file.name} is empty`);
  const buffer = await new Promise<ArrayBuffer>((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as ArrayBuffer);
    reader.onerror = () => reject(new Error(`cannot read ${file.name}`));
    reader.readAsArrayBuffer(file);
  });
  let binary = '';
  const bytes = new Uint8Array(buffer);
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}
