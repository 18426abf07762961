// The typed inputs of action-install-extension, read once; every default comes from action.yml (read
// by actions-kit's actionInputs). Every secret (client secret, password,
// SSH key, kubeconfig and the credentials inside it) is masked here, before anything could print it.
import { readFileSync } from 'node:fs';
import * as core from '@actions/core';
import { actionInputs, type ActionInputs } from '@kaapana-ext/actions-kit';
import { getKubeconfigInputs } from '@kaapana-ext/actions-kit/kube';
import { KxError, errorMessage } from '@kaapana-ext/core';
import { parseDuration, type ParsedKubeconfig } from '@kaapana-ext/core/kube';
import {
  defaultTokenUrl,
  generationOf,
  kubeHelmNamespace,
  parseImagesInput,
  type DeliveryMethod,
  type Generation,
  type SshTarget,
} from '@kaapana-ext/core/platform';

export interface Inputs {
  charts: string[];
  method: DeliveryMethod;
  extensionsDir: string;
  ssh: Omit<SshTarget, 'tempParent'> | undefined;
  images: string[];
  generation: Generation;
  platformUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  ca: string | undefined;
  kubeconfig: ParsedKubeconfig | undefined;
  context: string;
  namespace: string;
  service: string;
  install: boolean;
  uninstall: boolean;
  releaseName: string;
  extensionParams: Record<string, unknown> | undefined;
  project: Record<string, unknown> | undefined;
  blocking: boolean;
  chunkSize: number;
  uploadThreshold: number;
  uploadAttempts: number;
  timeoutMs: number;
  dryRun: boolean;
}

/** The project as Kaapana's CI sends it in the Project header: a JSON object (ids keep their type). */
function parseProject(input: ActionInputs): Record<string, unknown> | undefined {
  const raw = input.string('project');
  if (!raw) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (e) {
    throw new KxError(`input project is not JSON: ${errorMessage(e)}`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v) || !('id' in v) || !('name' in v))
    throw new KxError('input project must be a JSON object with at least id and name');
  return v as Record<string, unknown>;
}

function readCa(input: ActionInputs): string | undefined {
  const raw = input.string('ca-certificate');
  if (!raw) return undefined;
  if (raw.includes('-----BEGIN')) return raw;
  try {
    return readFileSync(raw, 'utf8');
  } catch (e) {
    throw new KxError(`input ca-certificate is neither PEM text nor a readable file: ${errorMessage(e)}`);
  }
}

export function getInputs(): Inputs {
  const input = actionInputs(import.meta.url);
  const clientSecret = input.secret('client-secret');
  const password = input.secret('oidc-password');
  const sshKey = input.secret('ssh-key');
  for (const line of sshKey.split(/\r?\n/)) if (line.trim().length >= 8) core.setSecret(line.trim());
  const { kubeconfig, context } = getKubeconfigInputs('kube-context');

  const generation = generationOf(input.string('platform-version'));
  const platformUrl = input.string('platform-url');
  if (platformUrl && !/^https?:\/\//.test(platformUrl))
    throw new KxError(`input platform-url "${platformUrl}" must start with https:// (or http://)`);
  const sshHost = input.string('ssh-host');
  const project = parseProject(input);
  const params = input.map('extension-params');
  return {
    charts: input.list('chart'),
    method: input.choice('method', ['upload', 'copy'] as const),
    extensionsDir: input.string('extensions-dir'),
    ssh: sshHost
      ? {
          host: sshHost,
          port: input.int('ssh-port', 1),
          user: input.string('ssh-user'),
          key: sshKey,
          knownHosts: input.string('ssh-known-hosts'),
        }
      : undefined,
    images: parseImagesInput(input.string('images')),
    generation,
    platformUrl,
    tokenUrl: input.string('token-url') || (platformUrl ? defaultTokenUrl(platformUrl) : ''),
    clientId: input.string('client-id'),
    clientSecret,
    username: input.string('oidc-username'),
    password,
    ca: readCa(input),
    kubeconfig,
    context,
    namespace: input.string('namespace') || kubeHelmNamespace(generation),
    service: input.string('service'),
    install: input.bool('install'),
    uninstall: input.bool('uninstall'),
    releaseName: input.string('release-name'),
    extensionParams: Object.keys(params).length ? params : undefined,
    project,
    blocking: input.bool('blocking'),
    chunkSize: input.int('chunk-size', 1024),
    uploadThreshold: input.int('upload-threshold', 0),
    uploadAttempts: input.int('upload-attempts', 1),
    timeoutMs: parseDuration(input.string('timeout')),
    dryRun: input.bool('dry-run'),
  };
}
