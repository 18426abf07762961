// A PlannedImage for tests that need one without running the planner: every field filled with a
// plain default (a pushed image `r/<name>:0.1.0` at level 0, built from the context), `over` wins.
import type { PlannedImage } from '../../src/images/index.js';

export function plannedImage(name: string, over: Partial<PlannedImage> = {}): PlannedImage {
  return {
    id: name,
    name,
    dockerfile: `${name}/Dockerfile`,
    dockerfilePath: `/ctx/${name}/Dockerfile`,
    contextDir: `/ctx/${name}`,
    localOnly: false,
    tag: '0.1.0',
    ref: `r/${name}:0.1.0`,
    tags: [`r/${name}:0.1.0`],
    dependsOn: [],
    externalBases: [],
    mappedBases: [],
    level: 0,
    implicit: false,
    origin: 'context',
    versionRule: 'LABEL VERSION',
    ...over,
  };
}
