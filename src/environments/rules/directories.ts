/** Directories of one EFS file system, as the tasks mount them. */

/** One directory is the other or inside it: `/matrix` holds `/matrix/postgres/data`. */
export function nestedDirectories(a: string, b: string): boolean {
  const [x, y] = [a, b].map((dir) => (dir.endsWith("/") ? dir : `${dir}/`));
  return x.startsWith(y) || y.startsWith(x);
}
