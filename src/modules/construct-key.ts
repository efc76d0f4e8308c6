/**
 * A construct id made of a value such as a CIDR or a host name. Construct ids
 * become Terraform names, which allow only letters, digits, `_` and `-`:
 * `172.31.48.0/28` becomes `172-31-48-0-28`.
 */
export function constructKey(value: string): string {
  return value.replace(/[^A-Za-z0-9_-]/g, "-");
}
