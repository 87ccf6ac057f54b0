// The Modal SDK, loaded on first use. With its gRPC, protobuf and CBOR stack it is about 3.4 MB of
// code, three quarters of what the extension ships: importing it statically made every activation
// (opening a case file) parse and run all of it. The build ships it as its own file, dist/modal.js,
// which `import('modal')` resolves to (scripts/build.mjs); tests and tsx resolve the npm package.
import type * as Modal from 'modal';

export type ModalSdk = typeof Modal;

let sdk: Promise<ModalSdk> | undefined;

export function loadModalSdk(): Promise<ModalSdk> {
  sdk ??= import('modal').catch((err: unknown) => {
    sdk = undefined;
    throw err;
  });
  return sdk;
}
