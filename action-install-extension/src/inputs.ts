// The typed inputs of action-install-extension, read once. Every secret (client secret, password,
// SSH key, kubeconfig and the credentials inside it) is masked here, before anything could print it.
import { readFileSync } from 'node:fs';
import * as core from '@actions/core';
import { getBool, getChoice, getInt, getList, getMap, getSecret } from '@kaapana-ext/actions-kit';
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
function parseProject(): Record<string, unknown> | undefined {
  const raw = core.getInput('project').trim();
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

function readCa(): string | undefined {
  const raw = core.getInput('ca-certificate').trim();
  if (!raw) return undefined;
  if (raw.includes('-----BEGIN')) return raw;
  try {
    return readFileSync(raw, 'utf8');
  } catch (e) {
    throw new KxError(`input ca-certificate is neither PEM text nor a readable file: ${errorMessage(e)}`);
  }
}

export function getInputs(): Inputs {
  const clientSecret = getSecret('client-secret');
  const password = getSecret('oidc-password');
  const sshKey = getSecret('ssh-key');
  for (const line of sshKey.split(/\r?\n/)) if (line.trim().length >= 8) core.setSecret(line.trim());
  const { kubeconfig, context } = getKubeconfigInputs('kube-context');

  const generation = generationOf(core.getInput('platform-version') || '0.6.0');
  const platformUrl = core.getInput('platform-url').trim();
  if (platformUrl && !/^https?:\/\//.test(platformUrl))
    throw new KxError(`input platform-url "${platformUrl}" must start with https:// (or http://)`);
  const sshHost = core.getInput('ssh-host').trim();
  const project = parseProject();
  const params = getMap('extension-params');
  return {
    charts: getList('chart'),
    method: getChoice('method', ['upload', 'copy'] as const, 'upload'),
    extensionsDir: core.getInput('extensions-dir').trim() || '/home/kaapana/extensions',
    ssh: sshHost
      ? {
          host: sshHost,
          port: getInt('ssh-port', 22, 1),
          user: core.getInput('ssh-user').trim() || 'kaapana',
          key: sshKey,
          knownHosts: core.getInput('ssh-known-hosts'),
        }
      : undefined,
    images: parseImagesInput(core.getInput('images')),
    generation,
    platformUrl,
    tokenUrl: core.getInput('token-url').trim() || (platformUrl ? defaultTokenUrl(platformUrl) : ''),
    clientId: core.getInput('client-id').trim() || 'kaapana',
    clientSecret,
    username: core.getInput('oidc-username').trim(),
    password,
    ca: readCa(),
    kubeconfig,
    context,
    namespace: core.getInput('namespace').trim() || kubeHelmNamespace(generation),
    service: core.getInput('service').trim() || 'kube-helm-service:5000',
    install: getBool('install', false),
    uninstall: getBool('uninstall', false),
    releaseName: core.getInput('release-name').trim(),
    extensionParams: Object.keys(params).length ? params : undefined,
    project,
    blocking: getBool('blocking', false),
    chunkSize: getInt('chunk-size', 16 * 1024 * 1024, 1024),
    uploadThreshold: getInt('upload-threshold', 10 * 1024 * 1024, 0),
    uploadAttempts: getInt('upload-attempts', 3, 1),
    timeoutMs: parseDuration(core.getInput('timeout') || '5m'),
    dryRun: getBool('dry-run', false),
  };
}
