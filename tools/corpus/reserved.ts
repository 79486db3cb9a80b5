/**
 * The sources reserved for independent judging (the developers' guide names them): the corpus
 * never draws on them. Held as SHA-256 digests of the lower-cased `owner/name`, so that the
 * repository does not spell the names out and a check can still recognise them.
 */
import { createHash } from 'node:crypto';

export const RESERVED_SOURCES: ReadonlySet<string> = new Set([
  'f5c1d48fdf7b696e837dd2ecf9f968192a6abf19a158f5122a9e7553bad2a979',
  '6286a2e96b2b9d3d20cb5ceb5cefb98b8c7292659c7a69cad7675f26c5f1623d',
  'e2060c764da8fd123be0e7e38b177db5d5e62a01640a55ab39217894ac2ece8b',
]);

export const sourceDigest = (ownerName: string): string =>
  createHash('sha256').update(ownerName.toLowerCase()).digest('hex');

/**
 * Every `owner/name` in a text (alone, or as two adjacent segments of a path or URL) whose
 * digest is one of `reserved`.
 */
export function reservedSourcesIn(text: string, reserved = RESERVED_SOURCES): string[] {
  const found = new Set<string>();
  for (const path of text.match(/[\w.-]+(?:\/[\w.-]+)+/g) ?? []) {
    const parts = path.split('/');
    for (let i = 0; i + 1 < parts.length; i++) {
      const pair = `${parts[i]}/${parts[i + 1]}`;
      if (reserved.has(sourceDigest(pair))) found.add(pair);
    }
  }
  return [...found];
}
