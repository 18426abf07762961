// Names of this machine's OS and CPU in the spelling used by Go release artefacts
// (linux/darwin/windows, amd64/arm64/...), which is how kubectl, helm and most CLI tools publish.
export interface GoPlatform {
  os: 'linux' | 'darwin' | 'windows';
  arch: string;
}

const ARCH: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ia32: '386',
  s390x: 's390x',
  ppc64: 'ppc64le',
};

export function goPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): GoPlatform {
  const os = platform === 'win32' ? 'windows' : platform === 'darwin' ? 'darwin' : 'linux';
  return { os, arch: ARCH[arch] ?? arch };
}

/** `name.exe` on Windows, `name` elsewhere. */
export function executableName(name: string, os: GoPlatform['os'] = goPlatform().os): string {
  return os === 'windows' ? `${name}.exe` : name;
}
