"""Regenerate the Modal stand-in's protocol (modal_proto/api.proto) from Modal's Python package.

Modal stopped shipping .proto sources in its wheel after 1.2.6; the wheel still ships protoc's
output, modal_proto/api_pb2.py, which embeds the compiled FileDescriptorProto of api.proto. This
script downloads the pinned wheel, takes that descriptor out of the Python source (read with `ast`,
never imported or run) and writes it back as proto3 text that @grpc/proto-loader loads as before.
The descriptor carries every message, field, enum, option and RPC, but no comments or formatting:
the text is equivalent to Modal's api.proto, not identical to it.

    training/.venv/bin/python test/modalServer/proto/regenerate.py            # the pinned version below
    training/.venv/bin/python test/modalServer/proto/regenerate.py 1.7.0 -    # another, no hash check

Needs pip and the `protobuf` package (Modal's own dependency, so the training venv has both). To move
the pin, set MODAL_VERSION and WHEEL_SHA256 (printed by a run with `-`) and run it again.
Tests never run this: they load the committed api.proto, with no network.
"""

from __future__ import annotations

import ast
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from google.protobuf import descriptor_pb2 as d

MODAL_VERSION = "1.6.4"  # the newest release on PyPI when this ran (2026-12)
WHEEL_SHA256 = "1bb631edeb7c4eae86be330430924784bf54b646cd16dc996a229c1ef81f6c9d"  # sha256 of modal-1.6.4-py3-none-any.whl from PyPI
HERE = Path(__file__).resolve().parent
FDP = d.FieldDescriptorProto

SCALARS = {
    FDP.TYPE_DOUBLE: "double", FDP.TYPE_FLOAT: "float", FDP.TYPE_INT64: "int64", FDP.TYPE_UINT64: "uint64",
    FDP.TYPE_INT32: "int32", FDP.TYPE_FIXED64: "fixed64", FDP.TYPE_FIXED32: "fixed32", FDP.TYPE_BOOL: "bool",
    FDP.TYPE_STRING: "string", FDP.TYPE_BYTES: "bytes", FDP.TYPE_UINT32: "uint32", FDP.TYPE_SFIXED32: "sfixed32",
    FDP.TYPE_SFIXED64: "sfixed64", FDP.TYPE_SINT32: "sint32", FDP.TYPE_SINT64: "sint64",
}


def download_wheel(version: str, expected_sha256: str | None, into: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
         f"modal=={version}", "-d", str(into)],
        check=True,
    )
    (wheel,) = into.glob(f"modal-{version}-*.whl")
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if expected_sha256 and digest != expected_sha256:
        sys.exit(f"{wheel.name}: sha256 {digest}, expected {expected_sha256}")
    print(f"{wheel.name} sha256 {digest}")
    return wheel


def serialized_descriptor(pb2_source: str) -> bytes:
    """The bytes literal passed to `AddSerializedFile(...)` in protoc's Python output."""
    found = [
        node.args[0].value
        for node in ast.walk(ast.parse(pb2_source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "AddSerializedFile"
        and isinstance(node.args[0], ast.Constant)
    ]
    if len(found) != 1:
        sys.exit(f"expected one AddSerializedFile(b'...') in api_pb2.py, found {len(found)}")
    return found[0]


def render_options(options, known: set[str]) -> list[str]:
    """`name = value` for each option set; anything we do not know how to write stops the script."""
    out = []
    for field, value in options.ListFields():
        if field.name not in known or field.is_extension:
            sys.exit(f"unsupported option {field.full_name} = {value!r}: extend regenerate.py")
        if field.enum_type is not None:
            out.append(f"{field.name} = {field.enum_type.values_by_number[value].name}")
        elif isinstance(value, bool):
            out.append(f"{field.name} = {'true' if value else 'false'}")
        elif isinstance(value, str):
            out.append(f'{field.name} = "{value}"')
        else:
            out.append(f"{field.name} = {value}")
    return out


def brackets(options, known: set[str]) -> str:
    rendered = render_options(options, known)
    return f" [{', '.join(rendered)}]" if rendered else ""


def render_reserved(ranges, names, end_inclusive: bool, pad: str) -> list[str]:
    lines = []
    for r in ranges:
        last = r.end if end_inclusive else r.end - 1  # message ranges are end-exclusive, enum ranges inclusive
        lines.append(f"{pad}reserved {r.start};" if last == r.start else f"{pad}reserved {r.start} to {last};")
    if names:
        lines.append(f"{pad}reserved {', '.join(f'{chr(34)}{n}{chr(34)}' for n in names)};")
    return lines


def render_enum(enum: d.EnumDescriptorProto, pad: str) -> list[str]:
    lines = [f"{pad}enum {enum.name} {{"]
    lines += [f"{pad}  option {o};" for o in render_options(enum.options, {"allow_alias", "deprecated"})]
    for value in enum.value:
        lines.append(f"{pad}  {value.name} = {value.number}{brackets(value.options, {'deprecated'})};")
    lines += render_reserved(enum.reserved_range, enum.reserved_name, True, pad + "  ")
    return lines + [f"{pad}}}"]


def render_message(msg: d.DescriptorProto, scope: str, pad: str) -> list[str]:
    if msg.extension_range or msg.extension:
        sys.exit(f"{msg.name}: extensions are not proto3: extend regenerate.py")
    full = f"{scope}.{msg.name}"
    map_entries = {f"{full}.{n.name}": n for n in msg.nested_type if n.options.map_entry}
    lines = [f"{pad}message {msg.name} {{"]
    lines += [f"{pad}  option {o};" for o in render_options(msg.options, {"deprecated"})]

    def field_line(field: d.FieldDescriptorProto, indent: str) -> str:
        if field.HasField("default_value") or field.HasField("extendee"):
            sys.exit(f"{full}.{field.name}: not proto3: extend regenerate.py")
        entry = map_entries.get(field.type_name)
        if entry is not None:
            key, value = entry.field
            kind = f"map<{type_of(key)}, {type_of(value)}>"
        else:
            label = "repeated " if field.label == FDP.LABEL_REPEATED else "optional " if field.proto3_optional else ""
            kind = label + type_of(field)
        opts = brackets(field.options, {"deprecated", "jstype", "packed", "lazy"})
        return f"{indent}{kind} {field.name} = {field.number}{opts};"

    oneofs_done: set[int] = set()
    for field in msg.field:
        # A real oneof is written once, where its first field stands; proto3 `optional` makes a synthetic
        # oneof that the `optional` keyword stands for.
        if field.HasField("oneof_index") and not field.proto3_optional:
            index = field.oneof_index
            if index in oneofs_done:
                continue
            oneofs_done.add(index)
            lines.append(f"{pad}  oneof {msg.oneof_decl[index].name} {{")
            members = [f for f in msg.field if f.HasField("oneof_index") and f.oneof_index == index]
            lines += [field_line(f, pad + "    ") for f in members]
            lines.append(f"{pad}  }}")
        else:
            lines.append(field_line(field, pad + "  "))
    lines += render_reserved(msg.reserved_range, msg.reserved_name, False, pad + "  ")
    for enum in msg.enum_type:
        lines += render_enum(enum, pad + "  ")
    for nested in msg.nested_type:
        if f"{full}.{nested.name}" not in map_entries:
            lines += render_message(nested, full, pad + "  ")
    return lines + [f"{pad}}}"]


def type_of(field: d.FieldDescriptorProto) -> str:
    # Fully qualified names (leading dot) resolve the same wherever they are written.
    return field.type_name if field.type_name else SCALARS[field.type]


def render_file(fdp: d.FileDescriptorProto, header: list[str]) -> str:
    if fdp.syntax != "proto3":
        sys.exit(f"{fdp.name}: syntax {fdp.syntax!r}, expected proto3")
    lines = [f"// {h}" if h else "//" for h in header]
    lines += ["", 'syntax = "proto3";', "", f"package {fdp.package};", ""]
    lines += [f'import "{dep}";' for dep in fdp.dependency]
    lines += [""] + [f"option {o};" for o in render_options(fdp.options, {"go_package"})]
    scope = f".{fdp.package}"
    for enum in fdp.enum_type:
        lines += [""] + render_enum(enum, "")
    for msg in fdp.message_type:
        lines += [""] + render_message(msg, scope, "")
    for service in fdp.service:
        lines += ["", f"service {service.name} {{"]
        for m in service.method:
            req = ("stream " if m.client_streaming else "") + m.input_type
            res = ("stream " if m.server_streaming else "") + m.output_type
            opts = render_options(m.options, {"deprecated", "idempotency_level"})
            body = " {\n" + "".join(f"    option {o};\n" for o in opts) + "  }" if opts else ";"
            lines.append(f"  rpc {m.name}({req}) returns ({res}){body}")
        lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> None:
    version = sys.argv[1] if len(sys.argv) > 1 else MODAL_VERSION
    expected = None if len(sys.argv) > 2 and sys.argv[2] == "-" else WHEEL_SHA256 if version == MODAL_VERSION else None
    with tempfile.TemporaryDirectory() as tmp:
        wheel = download_wheel(version, expected, Path(tmp))
        with zipfile.ZipFile(wheel) as zf:
            pb2 = zf.read("modal_proto/api_pb2.py").decode("utf-8")
            licence = next(n for n in zf.namelist() if n.endswith(".dist-info/licenses/LICENSE"))
            (HERE / "LICENSE").write_bytes(zf.read(licence))
    fdp = d.FileDescriptorProto.FromString(serialized_descriptor(pb2))
    header = [
        f"GENERATED by regenerate.py from the `modal` Python package {version} (PyPI wheel {wheel.name}),",
        "modal_proto/api_pb2.py: the FileDescriptorProto that protoc compiled from Modal's api.proto,",
        "written back as proto3 text. Do not edit; run regenerate.py. Same messages, fields, enums, options",
        "and RPCs as Modal's source; its comments and layout are not in the descriptor.",
        "Copyright Modal Labs, Apache-2.0 (see ../LICENSE).",
    ]
    out = HERE / "modal_proto" / "api.proto"
    out.write_text(render_file(fdp, header), encoding="utf-8")
    print(f"wrote {out}: "
          f"{len(fdp.message_type)} messages, {len(fdp.enum_type)} enums, "
          f"{sum(len(s.method) for s in fdp.service)} RPCs")


if __name__ == "__main__":
    main()
