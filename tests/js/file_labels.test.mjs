// Words for files: the kind from the content type or the name, the size as people read it.
import assert from "node:assert/strict";
import { describe, test } from "node:test";

import {
  extensionOf,
  fileKind,
  fileLabel,
  fileProblem,
  fileSize,
  isPreviewable,
} from "../../parley/web/static/parley/js/file_labels.js";

describe("fileLabel", () => {
  test("the issue's examples", () => {
    assert.equal(fileLabel({ type: "application/pdf", name: "q3.pdf", size: 1258291 }), "PDF, 1.2 MB");
    assert.equal(fileLabel({ type: "image/png", name: "shot.png", size: 340 * 1024 }), "PNG image, 340 KB");
  });

  test("without a size, only the kind", () => {
    assert.equal(fileLabel({ type: "image/jpeg", name: "a.jpg" }), "JPEG image");
  });
});

describe("fileKind", () => {
  test("a telling content type wins over the name", () => {
    assert.equal(fileKind({ type: "application/pdf", name: "notes.txt" }), "PDF");
    assert.equal(fileKind({ type: "image/webp", name: "x" }), "WebP image");
    assert.equal(
      fileKind({
        type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        name: "plan.docx",
      }),
      "Word document",
    );
  });

  test("the server's sniffed text/plain or octet-stream: the extension tells which", () => {
    assert.equal(fileKind({ type: "text/plain", name: "data.CSV" }), "CSV");
    assert.equal(fileKind({ type: "text/plain", name: "README.md" }), "Markdown");
    assert.equal(fileKind({ type: "application/octet-stream", name: "slides.pptx" }), "PowerPoint presentation");
    assert.equal(fileKind({ type: "", name: "archive.zip" }), "ZIP archive");
    assert.equal(fileKind({ type: "text/plain", name: "notes" }), "Text");
  });

  test("families and unknown extensions", () => {
    assert.equal(fileKind({ type: "image/avif", name: "a.avif" }), "Image");
    assert.equal(fileKind({ type: "video/x-matroska", name: "talk.mkv" }), "Video");
    assert.equal(fileKind({ type: "video/mp4", name: "talk" }), "MP4 video");
    assert.equal(fileKind({ type: "audio/flac", name: "song.flac" }), "Audio");
    assert.equal(fileKind({ type: "application/octet-stream", name: "firmware.bin" }), "BIN file");
    assert.equal(fileKind({ type: "application/octet-stream", name: "blob" }), "File");
    assert.equal(fileKind({}), "File");
  });

  test("content types are read without case or parameters", () => {
    assert.equal(fileKind({ type: "Application/PDF; charset=binary", name: "x" }), "PDF");
  });
});

describe("extensionOf", () => {
  test("the last dot's part, not a leading dot's", () => {
    assert.equal(extensionOf("a.tar.gz"), "gz");
    assert.equal(extensionOf(".bashrc"), "");
    assert.equal(extensionOf("no-extension"), "");
    assert.equal(extensionOf("weird.ext with space"), "");
  });
});

describe("fileSize", () => {
  test("bytes, KB, MB, GB (1024 to the next), one decimal below 10", () => {
    assert.equal(fileSize(0), "0 bytes");
    assert.equal(fileSize(1), "1 byte");
    assert.equal(fileSize(1023), "1023 bytes");
    assert.equal(fileSize(1024), "1 KB");
    assert.equal(fileSize(1536), "1.5 KB");
    assert.equal(fileSize(1024 * 1024 - 1), "1 MB");
    assert.equal(fileSize(25 * 1024 * 1024), "25 MB");
    assert.equal(fileSize(3 * 1024 ** 3), "3 GB");
  });

  test("nonsense sizes say nothing", () => {
    assert.equal(fileSize(-1), "");
    assert.equal(fileSize(Number.NaN), "");
  });
});

describe("isPreviewable and fileProblem", () => {
  test("only images every browser draws get a thumbnail", () => {
    assert.equal(isPreviewable({ type: "image/png" }), true);
    assert.equal(isPreviewable({ type: "image/svg+xml" }), false);
    assert.equal(isPreviewable({ type: "application/pdf" }), false);
  });

  test("over the limit (inclusive) or empty: refused before sending", () => {
    const limit = 25 * 1024 * 1024;
    assert.equal(fileProblem({ size: limit }, limit), "");
    assert.equal(fileProblem({ size: limit + 1 }, limit), "over the 25 MB limit");
    assert.equal(fileProblem({ size: 0 }, limit), "empty: nothing to send");
    assert.equal(fileProblem({ size: 10 }, 0), "");
  });
});
