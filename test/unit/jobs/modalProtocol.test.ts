// The Modal stand-in's protocol and the real `modal` JS SDK agree. api.proto is regenerated from Modal's
// Python package (test/modalServer/proto/regenerate.py) while the SDK is pinned and ships its own compiled
// codec, so a regeneration or an SDK upgrade could drift apart unseen: a field the SDK sends under a number
// the proto gives another name or wire type would be silently misread by the stand-in. This reads the SDK's
// codec (ts-proto output bundled in node_modules/modal/dist) for every message the stand-in
// exchanges, and fails loudly if it cannot read it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import * as protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { FakeModalServer } from '../../modalServer/server';

const PROTO_DIR = path.join(__dirname, '../../modalServer/proto');

/** api.proto as @grpc/proto-loader parses it (the same protobufjs, the same well-known imports). */
function loadProto(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) =>
    target.startsWith('google/protobuf/') ? target : path.join(PROTO_DIR, target);
  root.loadSync('modal_proto/api.proto').resolveAll();
  return root;
}

interface SdkField {
  name: string;
  wireTypes: Set<number>;
}

/** Each message's decoder in the SDK's bundle: field number -> the property it fills and the wire types it takes. */
function sdkCodec(): Map<string, Map<number, SdkField>> {
  const bundle = fs.readFileSync(createRequire(__filename).resolve('modal'), 'utf8');
  const codec = new Map<string, Map<number, SdkField>>();
  for (const m of bundle.matchAll(
    /\nvar (\w+) = \{\n {2}encode\((?:message|_), writer = new BinaryWriter\(\)\) \{[\s\S]*?\n {2}decode\(input, length\) \{([\s\S]*?)\n {2}fromJSON/g,
  )) {
    const fields = new Map<number, SdkField>();
    for (const c of (m[2] ?? '').matchAll(/case (\d+): \{\s*if \(tag [!=]== (\d+)\) \{[\s\S]*?message\.(\w+)/g)) {
      const field = fields.get(Number(c[1])) ?? { name: c[3] ?? '', wireTypes: new Set<number>() };
      field.wireTypes.add(Number(c[2]) & 7);
      fields.set(Number(c[1]), field);
    }
    codec.set(m[1] ?? '', fields);
  }
  return codec;
}

const WIRE: Record<string, number> = {
  double: 1,
  fixed64: 1,
  sfixed64: 1,
  float: 5,
  fixed32: 5,
  sfixed32: 5,
  string: 2,
  bytes: 2,
};

function wireTypes(field: protobuf.Field): number[] {
  if (field.map || field.resolvedType instanceof protobuf.Type) return [2];
  const scalar = WIRE[field.type] ?? 0;
  // A repeated number may come packed (2) or one by one.
  return field.repeated && scalar !== 2 ? [2, scalar] : [scalar];
}

/** ts-proto's name for a message: nested types joined by `_`, names that shadow globals suffixed. */
function sdkNames(type: protobuf.Type): string[] {
  const name = type.fullName.replace(/^\.modal\.client\./, '').replace(/\./g, '_');
  return [name, `${name}_`, `${name}Message`];
}

const normalise = (name: string) => name.replace(/_/g, '').toLowerCase();

describe('Modal stand-in protocol', () => {
  const root = loadProto();
  const service = root.lookupService('modal.client.ModalClient');

  it('is the api.proto of the pinned modal version', () => {
    const pinned = /^MODAL_VERSION = "([\d.]+)"/m.exec(
      fs.readFileSync(path.join(PROTO_DIR, 'regenerate.py'), 'utf8'),
    )?.[1];
    const header = fs.readFileSync(path.join(PROTO_DIR, 'modal_proto/api.proto'), 'utf8').split('\n', 1)[0];
    expect(pinned).toBeDefined();
    expect(header).toContain(`\`modal\` Python package ${pinned} `);
  });

  it('declares every RPC the stand-in serves, FunctionCallGetInfo included (no supplement)', () => {
    const served = new FakeModalServer().servedRpcs();
    expect(served).toContain('FunctionCallGetInfo');
    expect(served.filter((rpc) => !service.methods[rpc])).toEqual([]);
  });

  it("agrees with the SDK's codec on every field of every message the stand-in exchanges", () => {
    const codec = sdkCodec();
    expect(codec.size).toBeGreaterThan(100); // the bundle's layout changed if this fails: fix sdkCodec
    const problems: string[] = [];
    const seen = new Set<string>();
    const visit = (type: protobuf.Type) => {
      if (seen.has(type.fullName) || type.fullName.startsWith('.google.')) return;
      seen.add(type.fullName);
      const sdk = sdkNames(type)
        .map((n) => codec.get(n))
        .find(Boolean);
      if (!sdk) return void problems.push(`${type.fullName}: not in the SDK's codec`);
      for (const [number, field] of sdk) {
        const ours = type.fieldsById[number];
        if (!ours) problems.push(`${type.fullName} #${number} (${field.name}): the SDK has it, api.proto does not`);
        else if (normalise(ours.name) !== normalise(field.name))
          problems.push(`${type.fullName} #${number}: SDK ${field.name}, api.proto ${ours.name}`);
        else if (!wireTypes(ours).some((w) => field.wireTypes.has(w)))
          problems.push(`${type.fullName}.${ours.name}: wire types differ`);
        // Only through fields both know: what the SDK cannot decode it never sees.
        if (ours?.resolvedType instanceof protobuf.Type) visit(ours.resolvedType);
      }
    };
    for (const rpc of new FakeModalServer().servedRpcs()) {
      const method = service.methods[rpc];
      if (!method?.resolvedRequestType || !method.resolvedResponseType) throw new Error(`${rpc}: not resolved`);
      visit(method.resolvedRequestType);
      visit(method.resolvedResponseType);
    }
    expect(seen.size).toBeGreaterThan(30);
    expect(problems).toEqual([]);
  });
});
