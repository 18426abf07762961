// The phases of action-build-images, each a core call with its log lines and annotations, run by
// main.ts in its groups: what Docker is there, the plan (core's planExtensionBuild, printed as a
// tree), the reference lint (warnings annotated), the registry logins (the post step logs out), the
// local-only bases loaded from a tar, and the builds and pushes (each image's output in its own group).
import * as core from '@actions/core';
import { loginAllForPost, warnFindings } from '@kaapana-ext/actions-kit';
import { errorMessage, KxError } from '@kaapana-ext/core';
import { buildLintSettings, planExtensionBuild, type ExtensionBuildPlan } from '@kaapana-ext/core/build';
import { buildImages, type DockerCli, type ImageResult, type RegistryAuth } from '@kaapana-ext/core/images';
import { lintReferences, referenceLintOutcome, registryLookup } from '@kaapana-ext/core/references';
import type { ReferenceFinding } from '@kaapana-ext/core/references';
import { parseImageRef } from '@kaapana-ext/core/registry';
import type { Inputs } from './context.js';

/** Logs the Docker client, engine, buildx and the builder this run uses. */
export async function describeDocker(docker: DockerCli, inputs: Inputs): Promise<void> {
  const v = await docker.version();
  const bx = await docker.buildxInfo();
  const buildx = bx.available ? `buildx ${bx.version ?? '(version unknown)'}` : 'buildx not installed';
  core.info(
    `docker client ${v.client}, engine ${v.server}, ${buildx}, builder ${await docker.resolveBuilder(inputs.builder)}${process.env.DOCKER_BUILDKIT === '0' ? ' (DOCKER_BUILDKIT=0)' : ''}`,
  );
}

/** The build plan, logged as a tree in build order with the bases used and the Dockerfiles skipped. */
export async function makePlan(inputs: Inputs): Promise<ExtensionBuildPlan> {
  const p = await planExtensionBuild(inputs.plan, (m) => core.info(m));
  for (const img of p.plan.images) {
    core.info(
      `${'  '.repeat(img.level)}${img.localOnly ? 'local-only/' + img.name : `${img.tags.join(' ')} [${img.versionRule}]`}  (${img.dockerfile}${img.dependsOn.length ? `, FROM ${img.dependsOn.join(', ')}` : ''})`,
    );
  }
  for (const m of p.plan.baseImages) core.info(`base ${m.localRef} ← ${m.source}`);
  for (const s of p.plan.skipped) core.info(`skipped ${s.dockerfile}: ${s.reason}`);
  return p;
}

/** The reference lint (see @kaapana-ext/core/references); annotations for every finding. */
export async function lint(inputs: Inputs, planned: ExtensionBuildPlan): Promise<ReferenceFinding[]> {
  if (inputs.referenceLint === 'off') return [];
  const { context, registry } = inputs.plan;
  const findings = await lintReferences({
    context,
    plan: planned.plan,
    ...buildLintSettings(inputs.plan, planned),
    registry,
    exists: registryLookup(registry, { username: inputs.username, password: inputs.password }),
  });
  const { warnings, error } = referenceLintOutcome(findings, inputs.referenceLint);
  warnFindings(warnings, 'reference lint');
  if (error) throw error;
  return findings;
}

/**
 * Logs in: registry-auth first (private bases are pulled by the builds), then username/password to
 * the push registry, which wins when registry-auth names the same host. Returns the push auth.
 */
export async function logIn(docker: DockerCli, inputs: Inputs): Promise<RegistryAuth | undefined> {
  const registryHost = parseImageRef(`${inputs.plan.registry}/x:1`).registry;
  const pushLogin = !!(inputs.username && inputs.password && inputs.push);
  const logins = inputs.registryAuth.filter((c) => !(pushLogin && c.registry === registryHost));
  if (pushLogin) logins.push({ registry: registryHost, username: inputs.username, password: inputs.password });
  await loginAllForPost(docker, logins);
  return inputs.username && inputs.password
    ? { registry: registryHost, username: inputs.username, password: inputs.password }
    : undefined;
}

/** `docker load` of local-images; the references it loaded. */
export async function loadLocalImages(docker: DockerCli, tar: string): Promise<string[]> {
  const refs = await docker.load(tar).catch((e: unknown) => {
    throw new KxError(`local-images: cannot load ${tar}: ${errorMessage(e)}`);
  });
  for (const r of refs) core.info(`loaded ${r}`);
  return refs;
}

/** Builds (and pushes) the plan; a failure carries the results so far (`results` on the error). */
export async function build(
  inputs: Inputs,
  planned: ExtensionBuildPlan,
  docker: DockerCli,
  loaded: string[],
  auth: RegistryAuth | undefined,
): Promise<ImageResult[]> {
  const out = await buildImages({
    plan: planned.plan,
    docker,
    builder: inputs.builder,
    parallel: inputs.parallel,
    push: inputs.push,
    pushPartial: inputs.pushPartial,
    skipExisting: inputs.skipExisting,
    buildArgs: inputs.buildArgs,
    features: inputs.features,
    loaded,
    ...(inputs.saveLocalImages ? { saveLocalImages: inputs.saveLocalImages } : {}),
    retry: { attempts: inputs.retries },
    ...(auth ? { auth } : {}),
    auths: inputs.registryAuth,
    onProgress: (m) => core.info(m),
    onNotice: (m) => core.notice(m),
    onImageDone: (r, output) => {
      if (output.length === 0) return;
      core.startGroup(
        `${r.status === 'failed' ? '✗' : '✓'} ${r.localOnly ? 'local-only/' + r.name : r.ref} (${r.status})`,
      );
      for (const line of output) core.info(line);
      core.endGroup();
    },
  });
  return out.results;
}

/** The `digests` output: each pushed or skipped image's reference → its manifest digest. */
export const digestsOf = (results: ImageResult[]): Record<string, string> =>
  Object.fromEntries(results.filter((r) => r.digest).map((r) => [r.ref, r.digest ?? '']));
