/** Running one terraform command, and the error that says what failed. */
import { spawn } from 'node:child_process';
import { findTerraform } from './discovery';

/** A failed terraform command, with everything needed to read the failure in a test report. */
export class TerraformError extends Error {
  constructor(
    readonly command: string,
    readonly cwd: string,
    readonly exitCode: number | null,
    readonly stdout: string,
    readonly stderr: string,
    signal: NodeJS.Signals | null,
  ) {
    const status = exitCode === null ? `was killed by ${signal}` : `exited with code ${exitCode}`;
    super(`\`${command}\` in ${cwd} ${status}\n--- stderr ---\n${tail(stderr)}\n--- stdout ---\n${tail(stdout)}`);
    this.name = 'TerraformError';
  }
}

/** Plan output can run to megabytes; the error is at the end. */
function tail(text: string, max = 8000): string {
  return text.length <= max ? text : `[... ${text.length - max} characters cut ...]\n${text.slice(-max)}`;
}

interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
}

export function runTerraform(args: string[], options: RunOptions): Promise<string> {
  const terraform = findTerraform();
  if (!terraform) return Promise.reject(new Error('terraform binary not found on PATH or in TERRAFORM_BIN'));
  const command = ['terraform', ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn(terraform, args, { cwd: options.cwd, env: options.env, timeout: options.timeoutMs, stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const out = Buffer.concat(stdout).toString();
      if (code === 0) resolve(out);
      else reject(new TerraformError(command, options.cwd, code, out, Buffer.concat(stderr).toString(), signal));
    });
  });
}
