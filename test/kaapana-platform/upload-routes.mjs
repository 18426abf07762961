// kube-helm 0.6.0's upload and import endpoints for the platform simulator: `POST /file`,
// `POST /file_chunks_init`, `POST /file_chunks`, `GET /import-container`. Written from
// ../shared/reference/kaapana/v0.6.0/services/kaapana-admin/kube-helm/docker/files/backend/app/:
//  - routes.py upload_file: `add_file(file, content, platforms)` — the third positional parameter
//    of file_handler.add_file is `overwrite`, so `platforms` (False unless the name starts with
//    "/platform/") turns overwriting off: an existing name answers 500 "File upload failed File
//    <path> already exists, returning without overwriting. ".
//  - file_handler.add_file: content type must be application/x-compressed, application/x-compressed-tar
//    or application/gzip (else 500 "File upload failed Wrong content type '<t>'  allowed types are
//    [...]"); the bytes are written in place, then `helm show chart` (failure: file deleted, 500
//    "File upload failed Failed to write chart file <name>"); a name not ending in .tgz: 500 (the
//    file stays); success: the extension state is updated (the list refreshes) and 200
//    "Successfully added chart file fname='<name>'".
//  - routes.py file_chunks_init + file_handler.init_file_chunks: keys name, fileSize, chunkSize,
//    index, endIndex required (else 500 {"detail": "File upload init failed All following keys are
//    required: ..."}); endIndex must equal ceil(fileSize/chunkSize); overwrite defaults to True: the
//    file <extensions>/<name> is truncated in place; one global session (md5 "placeholder").
//  - routes.py upload_file_chunks + file_handler.add_file_chunks: appends the multipart `file` part
//    to the session's file, advances the index unless it is at endIndex, answers the index as text;
//    any exception → 500 {"detail": "File upload failed"} (no session, index past the end, a failed
//    write). No check of total size, no rename, no extension-state update.
//  - routes.py import_container + file_handler.run_containerd_import: filename required (FastAPI
//    422 when absent, 400 when empty), <extensions>/<filename> must exist (500 "Container import
//    failed file <f> can not be found"), then `ctr -n k8s.io image import --digests <path>`; its
//    failure → 500 "Container import failed Failed to import container <f>: <output>", success →
//    200 "Successfully imported container <f>". The simulated ctr reads the `docker save` archive
//    (manifest.json with Config/Layers/RepoTags, or an OCI index.json) and records the images in
//    `platform.containerd` (also `uploads.containerd`); its error texts are approximations of ctr's.
// Fault injection for tests: `uploads.failChunk(index, times)` makes the write of that chunk index
// raise (as a full disk would) `times` times; `uploads.cutChunk(index, times)` drops the connection
// of the request carrying that chunk index after its first bytes arrived (a proxy or network cut:
// no answer at all, nothing appended) `times` times.
import { readFile, writeFile, appendFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import tarStream from 'tar-stream';
import { loadArchiveBuffer } from './chart-check.mjs';

const ALLOWED_TYPES = ['application/x-compressed', 'application/x-compressed-tar', 'application/gzip'];
const text = (status, body) => ({ status, body: String(body) });
const detail = (status, message) => ({ status, body: { detail: message } });
const pyList = (items) => `[${items.map((s) => `'${s}'`).join(', ')}]`;
const missingField = (where, name) => ({
  status: 422,
  body: { detail: [{ loc: [where, name], msg: 'field required', type: 'value_error.missing' }] },
});

/** FastAPI's UploadFile: the multipart body parsed by the platform's own Request.formData(). */
async function uploadFile(req) {
  const type = String(req.headers['content-type'] ?? '');
  if (!type.startsWith('multipart/form-data')) return undefined;
  const form = await new Request('http://kube-helm/', {
    method: 'POST',
    headers: { 'content-type': type },
    body: req.body,
  }).formData();
  const file = form.get('file');
  if (!file || typeof file === 'string') return undefined;
  return { filename: file.name, contentType: file.type, content: Buffer.from(await file.arrayBuffer()) };
}

/** make_fpath: helm_extensions_cache + "/" + name (Kaapana joins unchecked; the simulator refuses to leave the dir). */
function makePath(platform, name) {
  if (name.includes('/') || name === '..' || name === '.')
    throw new Error(`[Errno 2] No such file or directory: '${platform.extensionsDir}/${name}'`);
  return join(platform.extensionsDir, name);
}

const exists = (p) =>
  stat(p).then(
    () => true,
    () => false,
  );

/** A `docker save` / OCI image archive as `ctr image import` reads it: the image names it holds, or an error text. */
async function ctrImport(buf) {
  const files = new Map();
  try {
    const ex = tarStream.extract();
    await new Promise((resolve, reject) => {
      ex.on('entry', (h, s, next) => {
        const chunks = [];
        s.on('data', (c) => chunks.push(c));
        s.on('end', () => {
          if (h.type === 'file') files.set(h.name.replace(/^\.\//, ''), Buffer.concat(chunks));
          next();
        });
        s.on('error', reject);
      });
      ex.on('finish', resolve);
      ex.on('error', reject);
      Readable.from([buf]).pipe(ex);
    });
  } catch (e) {
    return { error: `ctr: archive/tar: ${e.message}` };
  }
  if (files.has('manifest.json')) {
    let manifest;
    try {
      manifest = JSON.parse(files.get('manifest.json').toString('utf8'));
    } catch (e) {
      return { error: `ctr: failed to parse manifest.json: ${e.message}` };
    }
    const names = [];
    for (const m of manifest) {
      for (const f of [m.Config, ...(m.Layers ?? [])])
        if (!files.has(f)) return { error: `ctr: failed to import: ${f}: not found in archive (truncated upload?)` };
      names.push(...(m.RepoTags ?? []).map((t) => (t.includes('/') ? t : `docker.io/library/${t}`)));
    }
    return { names };
  }
  if (files.has('index.json')) return { names: [] };
  return { error: 'ctr: unrecognized image format' };
}

export function addUploadRoutes(platform) {
  platform.containerd ??= new Map();
  const uploads = { session: undefined, chunkFaults: new Map(), received: [], containerd: platform.containerd };
  platform.uploads = uploads;
  uploads.failChunk = (index, times = 1) => uploads.chunkFaults.set(index, times);
  const cuts = new Map();
  uploads.cutChunk = (index, times = 1) => cuts.set(index, times);
  platform.cutRequest = (method, path) => {
    const left =
      uploads.session && method === 'POST' && path === '/file_chunks' ? (cuts.get(uploads.session.curr) ?? 0) : 0;
    if (left > 0) cuts.set(uploads.session.curr, left - 1);
    return left > 0;
  };

  platform.addRoute('POST', '/file', async (req, p) => {
    const file = await uploadFile(req);
    if (!file) return missingField('body', 'file');
    p.log(`chart file ${file.filename}`);
    // routes.py: platforms = filename.startswith("/platform/"); add_file(file, content, platforms) → overwrite=platforms.
    const overwrite = file.filename.startsWith('/platform/');
    if (!ALLOWED_TYPES.includes(file.contentType)) {
      const err = `Wrong content type '${file.contentType}'  allowed types are ${pyList(ALLOWED_TYPES)}`;
      p.log(`/file upload failed ${err}`);
      return text(500, `File upload failed ${err}`);
    }
    let fpath;
    try {
      fpath = makePath(p, file.filename);
    } catch (e) {
      return text(500, `File upload failed ${e.message}`);
    }
    let msg = '';
    if (await exists(fpath)) {
      msg = `File ${fpath} already exists`;
      if (!overwrite) return text(500, `File upload failed ${msg}, returning without overwriting. `);
      msg += ', overwrite enabled';
    }
    await writeFile(fpath, file.content);
    try {
      await loadArchiveBuffer(file.content, fpath); // helm show chart <fpath>
    } catch (e) {
      p.log(e.message);
      await rm(fpath, { force: true });
      return text(500, `File upload failed Failed to write chart file ${file.filename}`);
    }
    if (!file.filename.endsWith('.tgz'))
      return text(500, `File upload failed File extension must be '.tgz', can not parse ${file.filename}`);
    const base = file.filename.split('.tgz')[0];
    const fname = base.slice(0, base.lastIndexOf('-'));
    p.extensions.markPending();
    return text(200, msg || `Successfully added chart file fname='${fname}'`);
  });

  platform.addRoute('POST', '/file_chunks_init', async (req, p) => {
    try {
      const payload = JSON.parse(req.body.toString('utf8'));
      const keys = ['name', 'fileSize', 'chunkSize', 'index', 'endIndex'];
      if (!keys.every((k) => k in payload))
        throw new Error(`All following keys are required: (${keys.map((k) => `'${k}'`).join(', ')})`);
      const maxIter = Math.ceil(payload.fileSize / payload.chunkSize);
      if (payload.endIndex !== maxIter)
        throw new Error(`chunk size calculated differently: ${payload.endIndex} != ${maxIter}`);
      if (payload.index > maxIter) throw new Error(`max iterations already reached: ${payload.index} > ${maxIter}`);
      const fpath = makePath(p, payload.name); // check_file_exists with overwrite=True: never refuses
      await writeFile(fpath, Buffer.alloc(0));
      uploads.session = {
        name: payload.name,
        fpath,
        fsize: payload.fileSize,
        chunkSize: payload.chunkSize,
        endIndex: payload.endIndex,
        curr: 0,
      };
      return text(200, 'Successfully initialized file');
    } catch (e) {
      p.log(`/file_chunks_init failed ${e.message}`);
      return detail(500, `File upload init failed ${e.message}`);
    }
  });

  platform.addRoute('POST', '/file_chunks', async (req, p) => {
    const file = await uploadFile(req);
    if (!file) return missingField('body', 'file');
    try {
      const s = uploads.session;
      if (!s) throw new Error('list index out of range');
      if (s.curr > s.endIndex) throw new Error(`max iterations already reached: ${s.curr} > ${s.endIndex}`);
      const faults = uploads.chunkFaults.get(s.curr) ?? 0;
      if (faults > 0) {
        uploads.chunkFaults.set(s.curr, faults - 1);
        throw new Error(`[Errno 28] No space left on device: '${s.fpath}'`);
      }
      await appendFile(s.fpath, file.content);
      uploads.received.push({ name: s.name, index: s.curr, bytes: file.content.length });
      if (s.curr !== s.endIndex) s.curr += 1;
      return text(200, String(s.curr));
    } catch (e) {
      p.log(`/file_chunks failed: ${e.message}`);
      return detail(500, 'File upload failed');
    }
  });

  platform.addRoute('GET', '/import-container', async (req, p) => {
    const filename = req.query.get('filename');
    if (filename === null) return missingField('query', 'filename');
    p.log(`/import-container called with filename='${filename}', platforms=False`);
    if (filename === '')
      return detail(400, "Container import failed, bad request Required key 'filename' can not be empty");
    let fpath;
    try {
      fpath = makePath(p, filename);
    } catch {
      return text(500, `Container import failed file ${filename} can not be found`);
    }
    if (!(await exists(fpath))) return text(500, `Container import failed file ${filename} can not be found`);
    const r = await ctrImport(await readFile(fpath));
    if (r.error) return text(500, `Container import failed Failed to import container ${filename}: ${r.error}`);
    for (const n of r.names) p.containerd.set(n, { file: filename, importedAt: new Date().toISOString() });
    p.log(`Successfully imported container ${filename}`);
    return text(200, `Successfully imported container ${filename}`);
  });
  return uploads;
}
