// Kaapana's image naming and tagging conventions, and Docker's rules for names and tags.
// Two tag styles exist: `platform` (Kaapana >= 0.2: every image gets the platform version, e.g.
// `0.6.0`) and `kp` (Kaapana 0.1.x: `<abbr>_<platform-version>__<version>`, e.g. `kp_0.1.3__0.1.0`).
// This module is the single implementation of both; images and the collection use it.
import semver from 'semver';
import { KxError } from '../errors/index.js';

export type TagStyle = 'platform' | 'kp';

export interface ImageTagOptions {
  style: TagStyle;
  /** The image's (or collection's) own version; the whole tag for `platform`. */
  version: string;
  /** Kaapana platform version; required for `kp`. */
  platformVersion?: string;
  /** Platform abbreviation of the `kp` style; default `kp`. */
  abbr?: string;
  /**
   * The version is a Dockerfile's LABEL VERSION, used as written (Kaapana 0.1.3
   * container_helper.py takes the label verbatim: `v0.24.0`, `2021-02-18`, `9.5-alpine`): only the
   * resulting tag must be legal, not semver.
   */
  verbatim?: boolean;
}

// Docker reference grammar (distribution/reference): tag and path components.
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*$/;
const HOST_RE =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::[0-9]+)?$/;

/** A version as Kaapana writes it must be strict semver (a leading `v` is not allowed in tags). */
export function validateVersion(version: string, what = 'version'): string {
  const v = version.trim();
  if (!semver.valid(v) || v.startsWith('v')) {
    throw new KxError(`${what} "${version}" is not a semantic version (expected e.g. 0.1.0)`);
  }
  return v;
}

export function validateTag(tag: string): string {
  if (!TAG_RE.test(tag)) {
    throw new KxError(
      `"${tag}" is not a legal Docker tag: use at most 128 characters of [A-Za-z0-9_.-], not starting with "." or "-"`,
    );
  }
  return tag;
}

/** Validate a repository path (`name` or `group/name`); upper case is lowered with a clear rule. */
export function validateImageName(name: string, where: { file?: string; line?: number } = {}): string {
  const lowered = name.trim().toLowerCase();
  if (lowered.length === 0) throw new KxError('image name is empty', where);
  for (const component of lowered.split('/')) {
    if (!COMPONENT_RE.test(component)) {
      throw new KxError(
        `"${name}" is not a legal image name: each path component must be lowercase letters and digits separated by ".", "_", "__" or "-"`,
        where,
      );
    }
  }
  return lowered;
}

/** Validate a registry prefix such as `ghcr.io/org`, `127.0.0.1:5000/kaapana` or `registry:5000`. */
export function validateRegistry(registry: string): string {
  const r = registry.trim().replace(/\/+$/, '');
  if (r.length === 0) throw new KxError('registry is empty');
  const [host, ...path] = r.split('/');
  if (!host || !HOST_RE.test(host))
    throw new KxError(`"${registry}" does not start with a registry host (e.g. ghcr.io or 127.0.0.1:5000)`);
  if (path.length > 0) validateImageName(path.join('/'));
  return `${host}${path.length ? '/' + path.join('/').toLowerCase() : ''}`;
}

/** The tag of an image or collection under the given convention. */
export function imageTag(opts: ImageTagOptions): string {
  const version = opts.verbatim ? opts.version.trim() : validateVersion(opts.version);
  if (opts.style === 'platform') return validateTag(version);
  if (opts.style !== 'kp') throw new KxError(`tag-style "${String(opts.style)}" is unknown: use "platform" or "kp"`);
  if (!opts.platformVersion) throw new KxError('tag-style "kp" needs the platform version (e.g. 0.1.3)');
  const platform = validateVersion(opts.platformVersion, 'platform version');
  const abbr = opts.abbr ?? 'kp';
  if (!/^[a-z0-9]+$/i.test(abbr)) throw new KxError(`platform abbreviation "${abbr}" must be letters and digits`);
  return validateTag(`${abbr}_${platform}__${version}`);
}

export function parseTagStyle(value: string): TagStyle {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'platform') return 'platform';
  if (v === 'kp') return 'kp';
  throw new KxError(`tag-style "${value}" is unknown: use "platform" (Kaapana >= 0.2) or "kp" (Kaapana 0.1.x)`);
}

/** `<registry>/<name>:<tag>` */
export function imageRef(registry: string, name: string, tag: string): string {
  return `${registry.replace(/\/+$/, '')}/${name}:${tag}`;
}
