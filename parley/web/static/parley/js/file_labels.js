// @ts-check
// Words for files, as people say them: "PDF, 1.2 MB", "PNG image, 340 KB", "Word document, 18 KB".
//
// No DOM: the composer's file chips and the timeline's attachments use the same words. The kind
// comes from the content type when it says something, else from the name's extension: the
// server sniffs content (parley/rooms/services/files.py), so a CSV or Markdown file arrives as
// text/plain and only its name tells which. Sizes count 1024 bytes to the KB as Django's
// filesizeformat does (the server-rendered rows use it), without its trailing ".0".

/** Content types whose kind is worth more than the extension's. */
const BY_TYPE = new Map([
  ["application/pdf", "PDF"],
  ["image/png", "PNG image"],
  ["image/jpeg", "JPEG image"],
  ["image/gif", "GIF image"],
  ["image/webp", "WebP image"],
  ["image/svg+xml", "SVG image"],
  ["image/heic", "HEIC image"],
  ["video/mp4", "MP4 video"],
  ["video/quicktime", "QuickTime video"],
  ["video/webm", "WebM video"],
  ["audio/mpeg", "MP3 audio"],
  ["audio/wav", "WAV audio"],
  ["audio/ogg", "Ogg audio"],
  ["application/zip", "ZIP archive"],
  ["application/gzip", "Gzip archive"],
  ["application/json", "JSON"],
  ["text/csv", "CSV"],
  ["text/markdown", "Markdown"],
  ["text/html", "HTML"],
  ["application/msword", "Word document"],
  ["application/vnd.openxmlformats-officedocument.wordprocessingml.document", "Word document"],
  ["application/vnd.ms-excel", "Excel spreadsheet"],
  ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "Excel spreadsheet"],
  ["application/vnd.ms-powerpoint", "PowerPoint presentation"],
  ["application/vnd.openxmlformats-officedocument.presentationml.presentation", "PowerPoint presentation"],
]);

/** Types that say no more than "some text" or "some bytes": the extension tells better. */
const VAGUE_TYPES = new Set(["", "text/plain", "application/octet-stream"]);

const BY_EXTENSION = new Map([
  ["pdf", "PDF"],
  ["png", "PNG image"],
  ["jpg", "JPEG image"],
  ["jpeg", "JPEG image"],
  ["gif", "GIF image"],
  ["webp", "WebP image"],
  ["svg", "SVG image"],
  ["heic", "HEIC image"],
  ["txt", "Text"],
  ["log", "Log file"],
  ["md", "Markdown"],
  ["csv", "CSV"],
  ["tsv", "TSV"],
  ["json", "JSON"],
  ["html", "HTML"],
  ["htm", "HTML"],
  ["xml", "XML"],
  ["yaml", "YAML"],
  ["yml", "YAML"],
  ["zip", "ZIP archive"],
  ["gz", "Gzip archive"],
  ["tgz", "Gzip archive"],
  ["tar", "Tar archive"],
  ["7z", "7-Zip archive"],
  ["doc", "Word document"],
  ["docx", "Word document"],
  ["odt", "OpenDocument text"],
  ["xls", "Excel spreadsheet"],
  ["xlsx", "Excel spreadsheet"],
  ["ods", "OpenDocument spreadsheet"],
  ["ppt", "PowerPoint presentation"],
  ["pptx", "PowerPoint presentation"],
  ["odp", "OpenDocument presentation"],
  ["mp4", "MP4 video"],
  ["mov", "QuickTime video"],
  ["webm", "WebM video"],
  ["mp3", "MP3 audio"],
  ["wav", "WAV audio"],
  ["ogg", "Ogg audio"],
]);

/** The images every browser shows: the ones a chip gets a thumbnail for. */
const PREVIEW_TYPES = new Set(["image/png", "image/jpeg", "image/gif", "image/webp"]);

/**
 * The name's extension, lower case, or "" (".bashrc" has none).
 * @param {string} name
 */
export function extensionOf(name) {
  const match = /\.([A-Za-z0-9]{1,8})$/.exec(String(name || ""));
  return match && match.index > 0 ? match[1].toLowerCase() : "";
}

/**
 * What kind of file this is, in words: "PDF", "PNG image", "Text", "ZIP archive", "MOV file".
 * @param {{type?: string, name?: string}} file
 */
export function fileKind({ type = "", name = "" }) {
  const mime = String(type || "").toLowerCase().split(";")[0].trim();
  const known = BY_TYPE.get(mime);
  if (known) return known;
  const extension = extensionOf(name);
  if (VAGUE_TYPES.has(mime) || !mime.includes("/")) {
    const byName = BY_EXTENSION.get(extension);
    if (byName) return byName;
  }
  const [family] = mime.split("/");
  if (family === "image") return "Image";
  if (family === "video") return "Video";
  if (family === "audio") return "Audio";
  if (mime === "text/plain") return "Text";
  if (extension) return `${extension.toUpperCase()} file`;
  return family === "text" ? "Text" : "File";
}

/**
 * A size as people read it: "1 byte", "512 bytes", "340 KB", "1.2 MB".
 * @param {number} bytes
 */
export function fileSize(bytes) {
  const n = Number(bytes);
  if (!Number.isFinite(n) || n < 0) return "";
  if (n < 1024) return `${n} byte${n === 1 ? "" : "s"}`;
  let size = n;
  let unit = "";
  for (unit of ["KB", "MB", "GB"]) {
    size /= 1024;
    if (size < 1024 - 0.05) break;
  }
  const text = size < 10 ? size.toFixed(1).replace(/\.0$/, "") : Math.round(size).toString();
  return `${text} ${unit}`;
}

/**
 * "PDF, 1.2 MB".
 * @param {{type?: string, name?: string, size?: number}} file
 */
export function fileLabel(file) {
  const size = file.size === undefined ? "" : fileSize(file.size);
  return [fileKind(file), size].filter(Boolean).join(", ");
}

/**
 * Whether the browser can show this file as a picture (a chip's thumbnail, the viewer).
 * @param {{type?: string}} file
 */
export function isPreviewable({ type = "" }) {
  return PREVIEW_TYPES.has(String(type).toLowerCase());
}

/**
 * Why a file cannot be sent, in words for its chip after its label ("PDF, 30 MB · over the
 * 25 MB limit"), or "" when it can: the server's limit
 * (`maxBytes`, inclusive; 0 for none) and its refusal of empty files, checked before any byte
 * goes.
 * @param {{size: number}} file
 * @param {number} maxBytes
 */
export function fileProblem({ size }, maxBytes) {
  if (maxBytes && size > maxBytes) return `over the ${fileSize(maxBytes)} limit`;
  if (size === 0) return "empty: nothing to send";
  return "";
}
