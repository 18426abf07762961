// What a failed kubectl run means, read from its stderr (and, for `-v=6` runs, the HTTP status it
// logged): API server unreachable, credentials rejected (401) or not allowed (403), not found, a
// wait that timed out, a transient server error worth retrying, or anything else. Each becomes a
// KubectlError whose message says what happened in words and quotes kubectl's stderr.
import { KxError } from '../errors/index.js';

export type KubectlFailure =
  'unreachable' | 'unauthorized' | 'forbidden' | 'not-found' | 'timeout' | 'transient' | 'failed';

export class KubectlError extends KxError {
  constructor(
    message: string,
    readonly failure: KubectlFailure,
    readonly command: string,
    readonly stderr: string,
    readonly exitCode: number | null,
  ) {
    super(message);
    this.name = 'KubectlError';
  }
}

const TRANSIENT = [
  /\(ServiceUnavailable\)|the server is currently unable to handle the request/i,
  /\(TooManyRequests\)|too many requests/i,
  /\(ServerTimeout\)|\(Timeout\)|the server was unable to return a response/i,
  /\(InternalError\)|an error on the server .* has prevented the request/i,
  /etcdserver: (request timed out|leader changed)/i,
  /i\/o timeout|TLS handshake timeout|connection reset by peer|http2: client connection lost|unexpected EOF|broken pipe/i,
];
const UNREACHABLE = [
  /Unable to connect to the server/i,
  /connect: connection refused|no such host|network is unreachable|no route to host/i,
  /x509: |tls: failed to verify|certificate signed by unknown authority/i,
  /The connection to the server .* was refused/i,
];

/** Classifies kubectl's stderr; network timeouts are transient (retried) before being reported as unreachable. */
export function classifyKubectlStderr(stderr: string): KubectlFailure {
  if (/You must be logged in to the server|\(Unauthorized\)|error: Unauthorized/i.test(stderr)) return 'unauthorized';
  if (/\(Forbidden\)|is forbidden: /i.test(stderr)) return 'forbidden';
  if (
    /timed out waiting for|context deadline exceeded \(Client\.Timeout/i.test(stderr) &&
    !/Unable to connect/i.test(stderr)
  ) {
    return 'timeout';
  }
  if (TRANSIENT.some((p) => p.test(stderr))) return 'transient';
  if (UNREACHABLE.some((p) => p.test(stderr))) return 'unreachable';
  if (/\(NotFound\)|NotFound|not found/i.test(stderr)) return 'not-found';
  return 'failed';
}

/** Last non-empty stderr lines, without `-v` log noise, for messages. */
export function stderrTail(stderr: string, lines = 6): string {
  const kept = stderr
    .split(/\r?\n/)
    .filter((l) => l.trim() && !/^[IW]\d{4} \d\d:\d\d:\d\d/.test(l))
    .slice(-lines);
  return kept.join('\n').trim();
}

export function kubectlError(
  command: string,
  stderr: string,
  exitCode: number | null,
  failure = classifyKubectlStderr(stderr),
): KubectlError {
  const tail = stderrTail(stderr) || '(no output on stderr)';
  const what: Record<KubectlFailure, string> = {
    unreachable:
      'kubectl could not reach the Kubernetes API server (check the server URL, network and CA in the kubeconfig)',
    unauthorized:
      'the Kubernetes API server rejected the credentials (401 Unauthorized): the token or client certificate in the kubeconfig is wrong or expired',
    forbidden:
      'the Kubernetes API server refused the request (403 Forbidden): the account lacks RBAC permission for it',
    'not-found': 'the Kubernetes resource was not found',
    timeout: 'timed out waiting',
    transient: 'the Kubernetes API server kept failing with a transient error',
    failed: 'kubectl failed',
  };
  return new KubectlError(
    `${what[failure]}\n  command: ${command}\n  kubectl: ${tail.replace(/\n/g, '\n           ')}`,
    failure,
    command,
    stderr,
    exitCode,
  );
}
