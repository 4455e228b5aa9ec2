import { request } from 'node:http';

/** An HTTP answer as the server sent it. */
export interface RawHttpAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** What {@link rawHttpRequest} sends. */
export interface RawHttpRequestInit {
  method?: string;
  /** Sent as given, `host` included (fetch would replace it with the URL's: no DNS-rebinding tests then). */
  headers?: Record<string, string>;
  body?: string;
}

/**
 * One HTTP/1.1 request over a fresh connection with exactly the headers given, `Host` included: how tests
 * play a browser whose page was served under another name (DNS rebinding) against a real server.
 */
export function rawHttpRequest(url: string, init: RawHttpRequestInit = {}): Promise<RawHttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? 'GET', headers: init.headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(init.body);
  });
}
