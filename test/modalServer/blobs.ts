// Blob storage as the stand-in serves it. The SDK sends a function argument over 8 KiB (spawn) or 2 MiB (remote)
// as a blob: BlobCreate (md5, sha256, length) → an upload URL it PUTs the bytes to, and the input names the blob
// id; a large result comes back as a blob id that BlobGet turns into a download URL. Real Modal hands out S3
// presigned URLs; here one local HTTP server plays S3 and checks what S3 would check (Content-MD5, length).
import * as http from 'node:http';
import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';

interface Blob {
  md5: string;
  length: number;
  data?: Buffer;
}

export class FakeBlobStore {
  private readonly blobs = new Map<string, Blob>();
  private server: http.Server | undefined;
  private base = '';
  private next = 1;
  /** Uploads received (for tests). */
  uploads = 0;

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => void this.serve(req, res));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
  }

  /** BlobCreate: a blob id and the URL to PUT its bytes to. */
  create(md5: string, length: number): { blobId: string; uploadUrl: string } {
    const blobId = `bl-${this.next++}`;
    this.blobs.set(blobId, { md5, length });
    return { blobId, uploadUrl: `${this.base}/upload/${blobId}` };
  }

  /** A blob made on the server side (a large function result). */
  put(data: Buffer): string {
    const blobId = `bl-${this.next++}`;
    this.blobs.set(blobId, { md5: md5Of(data), length: data.length, data });
    return blobId;
  }

  /** The uploaded bytes; throws when the blob is unknown or never uploaded (the SDK would not have sent it). */
  get(blobId: string): Buffer {
    const data = this.blobs.get(blobId)?.data;
    if (!data) throw Object.assign(new Error(`blob ${blobId} not found or not uploaded`), { code: 5 /* NOT_FOUND */ });
    return data;
  }

  downloadUrl(blobId: string): string {
    this.get(blobId);
    return `${this.base}/download/${blobId}`;
  }

  private async serve(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const [, verb, blobId = ''] = (req.url ?? '').split('/');
    const blob = this.blobs.get(blobId);
    if (!blob) return void res.writeHead(404).end('NoSuchKey');
    if (req.method === 'PUT' && verb === 'upload') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const data = Buffer.concat(chunks);
      if (data.length !== blob.length || md5Of(data) !== blob.md5 || req.headers['content-md5'] !== blob.md5) {
        return void res.writeHead(400).end('BadDigest');
      }
      blob.data = data;
      this.uploads++;
      return void res.writeHead(200).end();
    }
    if (req.method === 'GET' && verb === 'download' && blob.data)
      return void res.writeHead(200, { 'Content-Type': 'application/octet-stream' }).end(blob.data);
    res.writeHead(405).end();
  }
}

function md5Of(data: Buffer): string {
  return createHash('md5').update(data).digest('base64');
}
