/**
 * A stand-in for a password in negative fixtures ("this literal must be refused"), built at run
 * time so that no password-looking literal sits in the repository, where the repository scan of
 * test/synth.test.ts would rightly flag it.
 */
export function fakeSecret(label: string): string {
  return [label, "fixture", String(label.length * 7919)].join("-");
}
