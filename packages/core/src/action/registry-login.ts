// Registry login for actions: `docker login` in the main step (password on stdin, already masked
// by the caller) remembered in the action state, and the matching logout in the post step.
import * as core from '@actions/core';
import { DockerCli } from '../images/docker.js';

const STATE = 'logged-in-registry';

export async function loginForPost(docker: DockerCli, registry: string, username: string, password: string): Promise<void> {
  await core.group(`Login to ${registry}`, () => docker.login(registry, username, password));
  core.saveState(STATE, registry);
}

/** The post step: log out of the registry the main step logged in to, if any. */
export async function logoutFromState(docker: DockerCli = new DockerCli()): Promise<void> {
  const registry = core.getState(STATE);
  if (!registry) return;
  await docker.logout(registry);
  core.info(`logged out of ${registry}`);
}
