// Secrets live only in VS Code SecretStorage: never in settings, logs, run.json or a webview.
// Local jobs get them as environment variables; the Modal client gets the token pair directly.
import * as vscode from 'vscode';
import type { ModalCredentials } from '../backends/modal';

export const SECRET_KEYS = {
  modalTokenId: 'psychohistory.modal.tokenId',
  modalTokenSecret: 'psychohistory.modal.tokenSecret',
  huggingFace: 'psychohistory.huggingFace.token',
  openRouter: 'psychohistory.openRouter.key',
  /** Bearer token of the forecast service at psychohistory.service.url (src/forecast). */
  serviceToken: 'psychohistory.service.token',
  /** Modal Proxy Auth Token of a deployed service behind requires_proxy_auth (Modal-Key / Modal-Secret). */
  serviceProxyKey: 'psychohistory.service.proxyKey',
  serviceProxySecret: 'psychohistory.service.proxySecret',
} as const;

export class Secrets {
  constructor(private readonly storage: vscode.SecretStorage) {}

  async modalCredentials(): Promise<ModalCredentials | undefined> {
    const [tokenId, tokenSecret] = await Promise.all([
      this.storage.get(SECRET_KEYS.modalTokenId),
      this.storage.get(SECRET_KEYS.modalTokenSecret),
    ]);
    return tokenId && tokenSecret ? { tokenId, tokenSecret } : undefined;
  }

  async setModal(credentials: ModalCredentials): Promise<void> {
    await this.storage.store(SECRET_KEYS.modalTokenId, credentials.tokenId);
    await this.storage.store(SECRET_KEYS.modalTokenSecret, credentials.tokenSecret);
  }

  async set(
    key: 'huggingFace' | 'openRouter' | 'serviceToken' | 'serviceProxyKey' | 'serviceProxySecret',
    value: string,
  ): Promise<void> {
    await this.storage.store(SECRET_KEYS[key], value);
  }

  async serviceToken(): Promise<string | undefined> {
    return this.storage.get(SECRET_KEYS.serviceToken);
  }

  async serviceProxyAuth(): Promise<{ key: string; secret: string } | undefined> {
    const [key, secret] = await Promise.all([
      this.storage.get(SECRET_KEYS.serviceProxyKey),
      this.storage.get(SECRET_KEYS.serviceProxySecret),
    ]);
    return key && secret ? { key, secret } : undefined;
  }

  /** The OpenRouter key for the data agents, if one was set. */
  async openRouterKey(): Promise<string | undefined> {
    return (await this.storage.get(SECRET_KEYS.openRouter)) || undefined;
  }

  /** Environment for a local job: only the variables that are set. */
  async jobEnv(): Promise<Record<string, string>> {
    const [hf, openRouter] = await Promise.all([
      this.storage.get(SECRET_KEYS.huggingFace),
      this.storage.get(SECRET_KEYS.openRouter),
    ]);
    return { ...(hf ? { HF_TOKEN: hf } : {}), ...(openRouter ? { OPENROUTER_API_KEY: openRouter } : {}) };
  }

  /** Environment for `modal deploy` in a terminal. */
  async modalEnv(): Promise<Record<string, string>> {
    const credentials = await this.modalCredentials();
    return credentials ? { MODAL_TOKEN_ID: credentials.tokenId, MODAL_TOKEN_SECRET: credentials.tokenSecret } : {};
  }
}

/** What `askSecret` shows: a token's id is asked with `password: false`; `check` sees the trimmed answer. */
export interface SecretQuestion {
  title: string;
  prompt?: string;
  placeHolder?: string;
  password?: boolean;
  required?: boolean;
  check?: (value: string) => string | undefined;
}

/** Asks for one secret (or the id half of a token): the trimmed answer, or undefined when the user escapes or
 * answers nothing. */
export async function askSecret(q: SecretQuestion): Promise<string | undefined> {
  const answer = await vscode.window.showInputBox({
    title: q.title,
    prompt: q.prompt,
    placeHolder: q.placeHolder,
    password: q.password ?? true,
    ignoreFocusOut: true,
    validateInput: q.required ? (v) => (v.trim() ? q.check?.(v.trim()) : 'Required') : undefined,
  });
  return answer?.trim() || undefined;
}
