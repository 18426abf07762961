// Types of kube-helm 0.6.0's upload and import endpoints for the simulator (upload-routes.mjs).
import type { KaapanaPlatform } from './index.mjs';

export interface Uploads {
  session:
    { name: string; fpath: string; fsize: number; chunkSize: number; endIndex: number; curr: number } | undefined;
  received: Array<{ name: string; index: number; bytes: number }>;
  /** Images `ctr image import` brought into containerd: name → the tar it came from. */
  containerd: Map<string, { file: string; importedAt: string }>;
  /** The write of chunk `index` raises `times` times (a full disk). */
  failChunk(index: number, times?: number): void;
  /** The connection carrying chunk `index` is dropped after its first bytes arrived, unanswered, `times` times. */
  cutChunk(index: number, times?: number): void;
}

export function addUploadRoutes(platform: KaapanaPlatform): Uploads;
