import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  describeIfTerraform,
  findPluginMirror,
  mirrorProviders,
  PlanJson,
  PlanResourceChange,
  PROVIDER_VERSIONS,
  resourceChanges,
  summarize,
  TerraformError,
  terraformAvailable,
  terraformPlatform,
  TerraformWorkdir,
  writeCliConfig,
  writeOutputsState,
} from './terraform';

const TERRAFORM_TIMEOUT_MS = 60_000;

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'terraform-harness-test-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** A fresh dir under this file's temp dir. */
function scratch(name: string): string {
  return fs.mkdtempSync(path.join(tmp, `${name}-`));
}

/** Writes `<root>/stacks/<name>/cdk.tf.json` the way cdktf synthesizes it. */
function writeStack(root: string, name: string, config: object): string {
  const dir = path.join(root, 'stacks', name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'cdk.tf.json'), JSON.stringify(config, null, 2));
  return dir;
}

const S3_BACKEND = { s3: { bucket: 'terraform-state-bucket', key: 'app.tfstate', region: 'eu-west-1', encrypt: true, dynamodb_table: 'locks' } };

/** A consumer stack like jitsi-matrix-staging: two aws providers, remote state from networking. */
function appStack(): object {
  return {
    '//': { metadata: { backend: 's3', stackName: 'app-test', version: '0.21.0' } },
    terraform: {
      required_providers: { aws: { source: 'aws', version: '~> 5.0' } },
      backend: S3_BACKEND,
    },
    provider: {
      aws: [
        { region: 'eu-west-1', default_tags: [{ tags: { Project: 'jitsi-matrix' } }] },
        { alias: 'us_east_1', region: 'us-east-1', profile: 'deployer', assume_role: [{ role_arn: 'arn:aws:iam::123456789012:role/deploy' }] },
      ],
    },
    data: {
      terraform_remote_state: {
        networking: {
          backend: 's3',
          config: { bucket: 'terraform-state-bucket', key: 'networking-staging.tfstate', region: 'eu-west-1' },
          workspace: '${terraform.workspace}',
        },
      },
    },
    resource: {
      aws_security_group: {
        literal: { name: 'literal', vpc_id: 'vpc-0123456789abcdef0' },
        from_remote: { name: 'from-remote', vpc_id: '${data.terraform_remote_state.networking.outputs.vpc_id}' },
      },
      aws_ssm_parameter: {
        edge: { provider: 'aws.us_east_1', name: '/jitsi/edge', type: 'String', value: 'x' },
      },
    },
  };
}

function readJson(file: string): any {
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/** A mirror tree with an (empty) unpacked provider build for this machine. */
function fakeMirror(root: string, provider = 'hashicorp/aws'): string {
  fs.mkdirSync(path.join(root, 'registry.terraform.io', provider, '5.100.0', terraformPlatform()), { recursive: true });
  return root;
}

function withEnv(name: string, value: string | undefined, fn: () => void): void {
  const saved = process.env[name];
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  try {
    fn();
  } finally {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  }
}

describe('plugin mirror and CLI config', () => {
  test('TF_PLUGIN_MIRROR wins over discovery', () => {
    const fromEnv = fakeMirror(scratch('env-mirror'));
    const discoverable = scratch('roots');
    fakeMirror(path.join(discoverable, 'tf'));
    withEnv('TF_PLUGIN_MIRROR', fromEnv, () => {
      const mirror = findPluginMirror([discoverable]);
      expect(mirror).toBe(fromEnv);
      const config = fs.readFileSync(writeCliConfig(scratch('cfg'), mirror), 'utf8');
      expect(config).toContain(`path    = ${JSON.stringify(fromEnv)}`);
    });
  });

  test('TF_PLUGIN_MIRROR that does not exist is an error, not a silent fallback', () => {
    withEnv('TF_PLUGIN_MIRROR', path.join(tmp, 'nope'), () => {
      expect(() => findPluginMirror([])).toThrow(/TF_PLUGIN_MIRROR=.*nope is not a directory/);
    });
  });

  test('discovery finds the shallowest mirror root within three levels', () => {
    const roots = scratch('roots');
    fakeMirror(path.join(roots, 'a', 'b', 'c', 'd'));
    const found = fakeMirror(path.join(roots, 'vendor', 'terraform', 'plugins'));
    withEnv('TF_PLUGIN_MIRROR', undefined, () => {
      expect(findPluginMirror([path.join(roots, 'missing'), roots])).toBe(found);
      fs.rmSync(found, { recursive: true });
      expect(findPluginMirror([roots])).toBeUndefined(); // the one left is four levels down
    });
  });

  test('discovered mirror gets filesystem_mirror for its providers and direct for the rest', () => {
    const roots = scratch('roots');
    const mirror = fakeMirror(path.join(roots, 'opt-like'));
    fakeMirror(mirror, 'hashicorp/random');
    withEnv('TF_PLUGIN_MIRROR', undefined, () => {
      expect(findPluginMirror([roots])).toBe(mirror);
    });
    expect(mirrorProviders(mirror)).toEqual(new Set(['hashicorp/aws', 'hashicorp/random']));
    const config = fs.readFileSync(writeCliConfig(scratch('cfg'), mirror), 'utf8');
    expect(config).toMatch(/plugin_cache_dir = ".+"/);
    expect(config).toContain(`filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["hashicorp/aws", "hashicorp/random"]`);
    expect(config).toContain('direct {\n    exclude = ["hashicorp/aws", "hashicorp/random"]');
    const cacheDir = JSON.parse(/plugin_cache_dir = (".+")/.exec(config)![1]);
    expect(fs.statSync(cacheDir).isDirectory()).toBe(true);
  });

  test('no mirror means registry only', () => {
    const empty = scratch('empty-roots');
    withEnv('TF_PLUGIN_MIRROR', undefined, () => {
      const mirror = findPluginMirror([empty]);
      expect(mirror).toBeUndefined();
      const config = fs.readFileSync(writeCliConfig(scratch('cfg'), mirror), 'utf8');
      expect(config).not.toContain('filesystem_mirror');
      expect(config).toMatch(/provider_installation {\n {2}direct {}\n}/);
    });
  });

  test('dev overrides name the directory of the pinned unpacked build, and nothing for a packed one or when off', () => {
    const mirror = fakeMirror(scratch('mirror'));
    const build = path.join(mirror, 'registry.terraform.io', 'hashicorp', 'aws', '5.100.0', terraformPlatform());
    fs.writeFileSync(path.join(build, 'terraform-provider-aws_v5.100.0_x5'), '');
    // Another version beside it: an override binds every version, so only the pinned one may be named.
    fs.mkdirSync(path.join(mirror, 'registry.terraform.io', 'hashicorp', 'aws', '5.99.0', terraformPlatform()), { recursive: true });
    const random = path.join(mirror, 'registry.terraform.io', 'hashicorp', 'random');
    fs.mkdirSync(random, { recursive: true });
    fs.writeFileSync(path.join(random, `terraform-provider-random_3.7.2_${terraformPlatform()}.zip`), '');
    const on = fs.readFileSync(writeCliConfig(scratch('cfg'), mirror, { devOverrides: true }), 'utf8');
    expect(on).toContain(`provider_installation {\n  dev_overrides {\n    "hashicorp/aws" = ${JSON.stringify(build)}\n  }\n  filesystem_mirror {`);
    expect(on).not.toContain('"hashicorp/random" =');
    expect(fs.readFileSync(writeCliConfig(scratch('cfg'), mirror, { devOverrides: false }), 'utf8')).not.toContain('dev_overrides');
    withEnv('TERRAFORM_DEV_OVERRIDES', undefined, () => {
      expect(fs.readFileSync(writeCliConfig(scratch('cfg'), mirror), 'utf8')).not.toContain('dev_overrides');
    });
  });

  test('mirrorProviders ignores builds for other platforms and reads packed zips', () => {
    const mirror = scratch('mirror');
    fs.mkdirSync(path.join(mirror, 'registry.terraform.io', 'hashicorp', 'aws', '5.100.0', 'plan9_mips'), { recursive: true });
    const random = path.join(mirror, 'registry.terraform.io', 'hashicorp', 'random');
    fs.mkdirSync(random, { recursive: true });
    fs.writeFileSync(path.join(random, `terraform-provider-random_3.6.0_${terraformPlatform()}.zip`), '');
    expect(mirrorProviders(mirror)).toEqual(new Set(['hashicorp/random']));
  });
});

describe('terraformAvailable', () => {
  /** A stand-in terraform that logs each call and answers `init` as the registry would: `mode` ok, or unreachable. */
  function fakeTerraform(mode: 'ok' | 'unreachable'): { bin: string; calls: () => string[] } {
    const dir = scratch(`fake-terraform-${mode}`);
    const log = path.join(dir, 'calls.log');
    const bin = path.join(dir, 'terraform');
    const failure =
      'printf "\\nError: Failed to query available provider packages\\n\\nCould not retrieve the list of available versions: could not connect to registry.terraform.io\\n" >&2; exit 1';
    fs.writeFileSync(
      bin,
      `#!/bin/sh\necho "$* | $(tr -d \' \\n\' < main.tf.json) | $(grep -c filesystem_mirror "$TF_CLI_CONFIG_FILE")" >> ${JSON.stringify(log)}\n${mode === 'ok' ? 'exit 0' : failure}\n`,
      { mode: 0o755 },
    );
    return { bin, calls: () => (fs.existsSync(log) ? fs.readFileSync(log, 'utf8').trim().split('\n') : []) };
  }
  const withEnvs = (vars: Record<string, string | undefined>, fn: () => void) =>
    Object.entries(vars).reduceRight<() => void>((inner, [name, value]) => () => withEnv(name, value, inner), fn)();

  test('a provider the mirror holds is available without asking the registry', () => {
    const terraform = fakeTerraform('unreachable');
    withEnvs({ TERRAFORM_BIN: terraform.bin, TF_PLUGIN_MIRROR: fakeMirror(scratch('mirror'), 'example/inmirror') }, () => {
      expect(terraformAvailable(['example/inmirror'])).toEqual({ ok: true });
    });
    expect(terraform.calls()).toEqual([]);
  });

  test('a provider the mirror lacks is tried once against the registry; the failed init is the reason', () => {
    const terraform = fakeTerraform('unreachable');
    const mirror = fakeMirror(scratch('mirror'));
    withEnvs({ TERRAFORM_BIN: terraform.bin, TF_PLUGIN_MIRROR: mirror }, () => {
      const first = terraformAvailable(['hashicorp/aws', 'example/unreachable']);
      expect(first).toEqual({
        ok: false,
        reason: expect.stringMatching(
          /^the plugin mirror .+ has no example\/unreachable for .+, and installing example\/unreachable from the registry failed: Error: Failed to query available provider packages Could not retrieve .*registry\.terraform\.io$/,
        ),
      });
      expect(terraformAvailable(['example/unreachable'])).toEqual(first);
    });
    // One probe per process: the second question was answered from the cache.
    expect(terraform.calls()).toEqual([expect.stringMatching(/^init .*-backend=false \| .*"source":"example\/unreachable".* \| 1$/)]);
  });

  test('without a mirror the registry is used and a working init makes the providers available', () => {
    const terraform = fakeTerraform('ok');
    withEnvs({ TERRAFORM_BIN: terraform.bin, TF_PLUGIN_MIRROR: undefined }, () => {
      expect(terraformAvailable(['example/fromregistry'], [scratch('no-mirror-here')])).toEqual({ ok: true });
    });
    // The probe's CLI config had no filesystem_mirror: the registry only.
    expect(terraform.calls()).toEqual([expect.stringMatching(/^init .* \| .*"fromregistry":\{"source":"example\/fromregistry"\}.* \| 0$/)]);
  });

  test('pins the probe to the provider versions the stacks require', () => {
    const terraform = fakeTerraform('unreachable');
    withEnvs({ TERRAFORM_BIN: terraform.bin, TF_PLUGIN_MIRROR: fakeMirror(scratch('mirror'), 'example/other') }, () => {
      expect(terraformAvailable(['random']).ok).toBe(false);
    });
    expect(terraform.calls()[0]).toContain(`"random":{"source":"hashicorp/random","version":"${PROVIDER_VERSIONS['hashicorp/random']}"}`);
    const stack = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'cdktf.out', 'stacks', 'secrets-staging', 'cdk.tf.json'), 'utf8'));
    const pinned = Object.entries(stack.terraform.required_providers as Record<string, { source: string; version: string }>).map(
      ([name, { source, version }]) => [source.includes('/') ? source : `hashicorp/${source}`, version, name],
    );
    expect(pinned).toEqual([
      ['hashicorp/aws', PROVIDER_VERSIONS['hashicorp/aws'], 'aws'],
      ['hashicorp/random', PROVIDER_VERSIONS['hashicorp/random'], 'random'],
    ]);
  });

  test('a TF_PLUGIN_MIRROR that does not exist is a reason to skip, not an exception', () => {
    // A terraform of its own, so the mirror is the question even where no terraform is installed.
    withEnvs({ TERRAFORM_BIN: fakeTerraform('unreachable').bin, TF_PLUGIN_MIRROR: path.join(tmp, 'typo') }, () => {
      expect(terraformAvailable()).toEqual({ ok: false, reason: expect.stringMatching(/^TF_PLUGIN_MIRROR=.*typo is not a directory\.$/) });
    });
  });

  test('a missing terraform binary is the reason, before any provider question', () => {
    withEnv('TERRAFORM_BIN', path.join(tmp, 'no-terraform'), () => {
      expect(terraformAvailable(['hashicorp/random'])).toEqual({ ok: false, reason: expect.stringMatching(/^TERRAFORM_BIN=.*no-terraform is not an executable file\.$/) });
    });
  });
});

describe('TerraformWorkdir override files', () => {
  let wd: TerraformWorkdir;
  const producerState = () => path.join(tmp, 'producer.tfstate');
  beforeAll(() => {
    wd = new TerraformWorkdir(writeStack(scratch('out'), 'app-test', appStack()), { remoteState: { networking: producerState() } });
  });
  afterAll(() => wd.dispose());

  test('copies the stack and switches the backend to a local state in the workdir', () => {
    expect(readJson(path.join(wd.dir, 'cdk.tf.json'))).toEqual(appStack());
    expect(wd.statePath).toBe(path.join(wd.dir, 'terraform.tfstate'));
    expect(readJson(path.join(wd.dir, 'zz_backend_override.tf.json'))).toEqual({ terraform: { backend: { local: { path: wd.statePath } } } });
  });

  test('gives every aws provider block offline settings, keyed by alias, and unsets its credential sources', () => {
    const [main, edge] = readJson(path.join(wd.dir, 'zz_provider_override.tf.json')).provider.aws;
    expect(main).toEqual({
      access_key: expect.any(String),
      secret_key: expect.any(String),
      skip_credentials_validation: true,
      skip_requesting_account_id: true,
      skip_metadata_api_check: true,
    });
    expect(edge).toEqual({ ...main, alias: 'us_east_1', profile: null, assume_role: [{ role_arn: '' }] });
  });

  test('points remote state at the given producer state', () => {
    expect(readJson(path.join(wd.dir, 'zz_remote_state_override.tf.json'))).toEqual({
      data: { terraform_remote_state: { networking: { backend: 'local', config: { path: producerState() } } } },
    });
  });

  test('refuses remote-state names the stack does not read', () => {
    const stack = writeStack(scratch('out'), 'app-test', appStack());
    expect(() => new TerraformWorkdir(stack, { remoteState: { netwrking: 'x' } })).toThrow(/no terraform_remote_state netwrking \(it has: networking\)/);
  });

  test('refuses to plan while a remote state would still be read from S3', async () => {
    const other = new TerraformWorkdir(writeStack(scratch('out'), 'app-test', appStack()));
    try {
      await expect(other.plan()).rejects.toThrow(/reads remote state networking from S3/);
    } finally {
      other.dispose();
    }
  });

  test('state() reads the state file it was given', () => {
    const statePath = path.join(scratch('state'), 'existing.tfstate');
    writeOutputsState(statePath, { vpc_id: 'vpc-1' });
    const other = new TerraformWorkdir(writeStack(scratch('out'), 'app-test', appStack()), { statePath, remoteState: statePath });
    try {
      expect(other.state()?.outputs.vpc_id).toEqual({ value: 'vpc-1', type: 'string' });
      expect(wd.state()).toBeUndefined();
    } finally {
      other.dispose();
    }
  });
});

describe('writeOutputsState', () => {
  test('writes a version 4 state with root outputs and their inferred types', () => {
    const file = path.join(scratch('state'), 'nested', 'networking.tfstate');
    writeOutputsState(file, {
      vpc_id: 'vpc-1',
      private_subnet_ids: ['subnet-a', 'subnet-b'],
      az_count: 2,
      nat: true,
      tags: { Name: 'x', Size: 1 },
      mixed: ['a', 1],
      none: [],
    });
    const state = readJson(file);
    expect(state).toMatchObject({ version: 4, serial: 1, lineage: expect.any(String), resources: [] });
    expect(Object.fromEntries(Object.entries(state.outputs).map(([k, v]: [string, any]) => [k, v.type]))).toEqual({
      vpc_id: 'string',
      private_subnet_ids: ['list', 'string'],
      az_count: 'number',
      nat: 'bool',
      tags: ['object', { Name: 'string', Size: 'number' }],
      mixed: ['tuple', ['string', 'number']],
      none: ['list', 'string'],
    });
    expect(state.outputs.private_subnet_ids.value).toEqual(['subnet-a', 'subnet-b']);
  });

  test('rejects null outputs, which Terraform never stores', () => {
    expect(() => writeOutputsState(path.join(tmp, 'x.tfstate'), { a: { b: null } })).toThrow(/output a.b is null/);
  });

  test("copies sensitive and the tuple type of a list literal from the producer's output blocks", () => {
    const file = path.join(scratch('producer-outputs'), 'networking.tfstate');
    const producer = {
      'cross-stack-output-aws_subnet-a-id': { sensitive: true, value: '${aws_subnet.a.id}' },
      subnet_ids: { description: 'IDs', value: ['${aws_subnet.a.id}', '${aws_subnet.b.id}'] },
    };
    writeOutputsState(file, { 'cross-stack-output-aws_subnet-a-id': 'subnet-a', subnet_ids: ['subnet-a', 'subnet-b'] }, producer);
    expect(readJson(file).outputs).toEqual({
      'cross-stack-output-aws_subnet-a-id': { value: 'subnet-a', type: 'string', sensitive: true },
      subnet_ids: { value: ['subnet-a', 'subnet-b'], type: ['tuple', ['string', 'string']] },
    });
    expect(() => writeOutputsState(file, { vpc_id: 'vpc-1' }, producer)).toThrow(
      /output vpc_id is not declared by the producer stack \(it declares: cross-stack-output-aws_subnet-a-id, subnet_ids\)/,
    );
  });
});

describe('plan JSON helpers', () => {
  const change = (address: string, actions: string[], previous?: string): PlanResourceChange => ({
    address,
    previous_address: previous,
    mode: 'managed',
    type: address.split('.')[0],
    name: address.split('.')[1],
    provider_name: 'registry.terraform.io/hashicorp/aws',
    change: { actions: actions as PlanResourceChange['change']['actions'], before: null, after: { id: address } },
  });
  const plan = (...changes: PlanResourceChange[]): PlanJson => ({ format_version: '1.2', terraform_version: '1.11.4', resource_changes: changes });

  test('summarize counts each action, replace in both orders, and moves on top', () => {
    const summary = summarize(
      plan(
        change('aws_vpc.a', ['create']),
        change('aws_vpc.b', ['update']),
        change('aws_vpc.c', ['delete']),
        change('aws_vpc.d', ['delete', 'create']),
        change('aws_vpc.e', ['create', 'delete']),
        change('aws_vpc.f', ['no-op'], 'aws_vpc.old_f'),
        change('aws_vpc.g', ['update'], 'aws_vpc.old_g'),
      ),
    );
    expect(summary).toEqual({ create: 1, update: 2, delete: 1, replace: 2, noop: 1, read: 0, forget: 0, move: 2 });
  });

  test('summarize of a plan without changes is all zero; unknown actions are an error', () => {
    expect(Object.values(summarize({ format_version: '1.2', terraform_version: '1.11.4' })).every((n) => n === 0)).toBe(true);
    expect(() => summarize(plan(change('aws_vpc.a', ['create', 'update'])))).toThrow(/unknown plan actions \[create,update\]/);
  });

  test('resourceChanges flattens the change', () => {
    expect(resourceChanges(plan(change('aws_vpc.f', ['no-op'], 'aws_vpc.old_f')))).toEqual([
      {
        address: 'aws_vpc.f',
        previousAddress: 'aws_vpc.old_f',
        mode: 'managed',
        type: 'aws_vpc',
        name: 'f',
        actions: ['no-op'],
        before: null,
        after: { id: 'aws_vpc.f' },
        afterUnknown: undefined,
      },
    ]);
  });
});

describeIfTerraform('TerraformWorkdir against real Terraform', () => {
  const networking = () => path.join(tmp, 'networking-staging.tfstate');
  let app: TerraformWorkdir;
  let twin: TerraformWorkdir;
  let plan: PlanJson;

  beforeAll(async () => {
    writeOutputsState(networking(), { vpc_id: 'vpc-from-networking', private_subnet_ids: ['subnet-a', 'subnet-b'] });
    const stack = writeStack(scratch('out'), 'app-test', appStack());
    app = new TerraformWorkdir(stack, { remoteState: { networking: networking() } });
    // The tests' ordinary workdir runs the provider through an override; the twin through Terraform's own installation.
    twin = new TerraformWorkdir(stack, { remoteState: networking(), devOverrides: false });
    // Concurrent inits over the shared plugin cache, as parallel jest workers do.
    await Promise.all([app.init(), twin.init()]);
    plan = await app.plan();
  }, 2 * TERRAFORM_TIMEOUT_MS);
  afterAll(() => {
    app?.dispose();
    twin?.dispose();
  });

  test('init installs the aws provider offline from the mirror', () => {
    for (const wd of [app, twin]) {
      expect(fs.existsSync(path.join(wd.dir, '.terraform', 'providers', 'registry.terraform.io', 'hashicorp', 'aws'))).toBe(true);
      expect(fs.readFileSync(path.join(wd.dir, '.terraform.lock.hcl'), 'utf8')).toContain('provider "registry.terraform.io/hashicorp/aws"');
    }
  });

  test("the tests run the mirror's pinned build through a development override; init still proves its checksums", () => {
    const override = new RegExp(`dev_overrides \\{\\n {4}"hashicorp/aws" = ${JSON.stringify(path.join(findPluginMirror()!, 'registry.terraform.io', 'hashicorp', 'aws', PROVIDER_VERSIONS['hashicorp/aws'], terraformPlatform())).replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}\\n {2}\\}`);
    expect(fs.readFileSync(path.join(app.dir, 'terraform.tfrc'), 'utf8')).toMatch(override);
    expect(fs.readFileSync(path.join(twin.dir, 'terraform.tfrc'), 'utf8')).not.toContain('dev_overrides');
    for (const wd of [app, twin]) {
      const lock = fs.readFileSync(path.join(wd.dir, '.terraform.lock.hcl'), 'utf8');
      expect(lock).toMatch(new RegExp(`provider "registry.terraform.io/hashicorp/aws" \\{\\n\\s+version\\s+= "${PROVIDER_VERSIONS['hashicorp/aws']}"`));
      expect(lock).toMatch(/"h1:[A-Za-z0-9+/=]+"/);
    }
  });

  test('the backend override replaces the S3 backend', () => {
    const backend = readJson(path.join(app.dir, '.terraform', 'terraform.tfstate')).backend;
    expect(backend).toMatchObject({ type: 'local', config: { path: app.statePath } });
  });

  test(
    'validate passes',
    async () => {
      await expect(twin.validate()).resolves.toBeUndefined();
    },
    TERRAFORM_TIMEOUT_MS,
  );

  test('plan from an empty state creates every resource', () => {
    expect(summarize(plan)).toMatchObject({ create: 3, update: 0, delete: 0, replace: 0, noop: 0 });
    const literal = resourceChanges(plan).find((rc) => rc.address === 'aws_security_group.literal');
    expect(literal).toMatchObject({ type: 'aws_security_group', actions: ['create'], after: { vpc_id: 'vpc-0123456789abcdef0' } });
    expect(app.state()).toBeUndefined();
  });

  test('the remote state override reads the producer state', () => {
    const fromRemote = resourceChanges(plan).find((rc) => rc.address === 'aws_security_group.from_remote');
    expect(fromRemote?.after).toMatchObject({ vpc_id: 'vpc-from-networking' });
  });

  test('overrides merge argument by argument: region, tags, alias and workspace survive', () => {
    const providers = plan.configuration?.provider_config ?? {};
    expect(providers.aws.expressions).toMatchObject({
      region: { constant_value: 'eu-west-1' },
      default_tags: [{ tags: { constant_value: { Project: 'jitsi-matrix' } } }],
      access_key: { constant_value: expect.any(String) },
      skip_credentials_validation: { constant_value: true },
    });
    expect(providers['aws.us_east_1'].expressions).toMatchObject({ region: { constant_value: 'us-east-1' }, assume_role: [{ role_arn: { constant_value: '' } }] });
    const remote = plan.configuration?.root_module?.resources?.find((r) => r.address === 'data.terraform_remote_state.networking');
    expect(remote?.expressions).toMatchObject({
      backend: { constant_value: 'local' },
      config: { constant_value: { path: networking() } },
      workspace: { references: ['terraform.workspace'] },
    });
  });
});

describeIfTerraform(
  'writeOutputsState with real Terraform',
  () => {
    test(
      'a local terraform_remote_state reads the outputs',
      async () => {
        const state = path.join(scratch('state'), 'networking.tfstate');
        writeOutputsState(state, { vpc_id: 'vpc-1', private_subnet_ids: ['subnet-a', 'subnet-b'], tags: { Env: 'staging' } });
        const outputs = '${data.terraform_remote_state.x.outputs';
        const stack = writeStack(scratch('out'), 'reader', {
          terraform: { backend: S3_BACKEND },
          data: { terraform_remote_state: { x: { backend: 'local', config: { path: state } } } },
          output: {
            vpc_id: { value: `${outputs}.vpc_id}` },
            second_subnet: { value: `${outputs}.private_subnet_ids[1]}` },
            subnet_count: { value: `\${length(data.terraform_remote_state.x.outputs.private_subnet_ids)}` },
            env: { value: `${outputs}.tags.Env}` },
          },
        });
        const wd = new TerraformWorkdir(stack);
        try {
          await wd.init();
          const plan = await wd.plan();
          const after = Object.fromEntries(Object.entries(plan.output_changes ?? {}).map(([name, c]) => [name, c.after]));
          expect(after).toEqual({ vpc_id: 'vpc-1', second_subnet: 'subnet-b', subnet_count: 2, env: 'staging' });
        } finally {
          wd.dispose();
        }
      },
      TERRAFORM_TIMEOUT_MS,
    );

    test(
      'a failing command reports command, exit code and stderr',
      async () => {
        const stack = writeStack(scratch('out'), 'broken', { terraform: { backend: S3_BACKEND }, output: { x: { value: '${var.missing}' } } });
        const wd = new TerraformWorkdir(stack);
        try {
          await wd.init();
          const error = await wd.validate().then(
            () => undefined,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(TerraformError);
          expect((error as TerraformError).exitCode).toBe(1);
          expect((error as Error).message).toMatch(/`terraform validate -no-color` in .+ exited with code 1\n--- stderr ---\n[\s\S]*Reference to undeclared input variable/);
          // plan fails on it too, before planning: validatedPlan relies on that instead of a validate of its own.
          await expect(wd.plan()).rejects.toThrow(/`terraform plan [^`]*` in .+ exited with code 1\n--- stderr ---\n[\s\S]*Reference to undeclared input variable/);
        } finally {
          wd.dispose();
        }
      },
      TERRAFORM_TIMEOUT_MS,
    );
  },
  [],
);
