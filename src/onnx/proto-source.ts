/**
 * Turns .proto source into the protobufjs JSON descriptor the runtime loads. Used only at build time (by
 * scripts/gen-onnx-descriptor.ts) and by the test that checks the committed descriptor is current: it
 * pulls in protobufjs' full build with its .proto parser, which the runtime never needs.
 */
import protobuf from 'protobufjs';

/**
 * Parses .proto texts into one root (field names become camelCase, as protobufjs does by default).
 * Imports between them are not followed: pass every file.
 */
export function descriptorFromProto(...sources: string[]): protobuf.INamespace {
  const root = new protobuf.Root();
  for (const source of sources) protobuf.parse(source, root, { keepCase: false, alternateCommentMode: false });
  return root.toJSON({ keepComments: false }) as protobuf.INamespace;
}
