/** Small file helpers the runner's files share. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export function writeJson(file: string, value: unknown): void {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

export function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false; // missing, a file on the way (ENOTDIR), or unreadable
  }
}

export function isExecutableFile(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** Sorted for a deterministic search; symlinks are followed (mirrors are often linked trees, and the search depth bounds loops); unreadable dirs are skipped. */
export function subdirectories(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() || (entry.isSymbolicLink() && isDirectory(path.join(dir, entry.name))))
      .map((entry) => entry.name)
      .sort();
  } catch {
    return [];
  }
}

/** A parsed JSON object, read loosely. */
export type Json = Record<string, any>;
