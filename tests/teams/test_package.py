"""`shiftbrief teams package`: a zip Teams accepts: manifest 1.17 valid against the published schema, two icons."""

from __future__ import annotations

import argparse
import json
import struct
import zipfile
import zlib
from pathlib import Path

import jsonschema
import pytest

from bot import cli
from bot.cli import UsageError
from tests.conftest import SHARED

APP_ID = "6f1c2d3e-4a5b-4c6d-8e7f-9a0b1c2d3e4f"


def read_png(data: bytes) -> tuple[int, int, list[list[tuple[int, int, int, int]]]]:
    """Width, height and RGBA rows of the 8-bit RGBA, filter-0 PNGs the package writes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, idat, width, height = 8, b"", 0, 0
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        (crc,) = struct.unpack(">I", data[position + 8 + length : position + 12 + length])
        assert crc == zlib.crc32(kind + body) & 0xFFFFFFFF
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert (depth, colour) == (8, 6)
        elif kind == b"IDAT":
            idat += body
        position += 12 + length
    raw = zlib.decompress(idat)
    stride = 1 + 4 * width
    rows = []
    for y in range(height):
        line = raw[y * stride : (y + 1) * stride]
        assert line[0] == 0
        rows.append([tuple(line[1 + 4 * x : 5 + 4 * x]) for x in range(width)])
    return width, height, rows  # type: ignore[return-value]


def test_the_package_holds_a_manifest_valid_against_teams_1_17_and_both_icons(tmp_path: Path) -> None:
    out = tmp_path / "shiftbrief-teams.zip"

    assert cli.main(["teams", "package", "--app-id", APP_ID, "--out", str(out)]) == 0

    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        color = read_png(archive.read("color.png"))
        outline = read_png(archive.read("outline.png"))
    schema = json.loads((SHARED / "schemas" / "MicrosoftTeams.schema.v1.17.json").read_text(encoding="utf-8"))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in jsonschema.Draft7Validator(schema).iter_errors(manifest)]
    assert not errors, errors
    assert manifest["manifestVersion"] == "1.17"
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID and set(bot["scopes"]) == {"team", "personal"}
    titles = {c["title"] for c in bot["commandLists"][0]["commands"]}
    assert {"brief now", "status", "nudge", "stats", "me", "help"} <= titles
    assert color[:2] == (192, 192) and outline[:2] == (32, 32)
    outline_pixels = {p for row in outline[2] for p in row}
    assert outline_pixels == {(255, 255, 255, 255), (0, 0, 0, 0)}  # white on transparent, as Teams requires
    assert all(p[3] == 255 for row in color[2] for p in row) and len({p for row in color[2] for p in row}) > 1


@pytest.mark.parametrize("app_id", ["not-a-guid", "6f1c2d3e4a5b4c6d8e7f9a0b1c2d3e4f", APP_ID + "0", ""])
def test_an_app_id_that_is_not_a_guid_is_a_usage_error(tmp_path: Path, app_id: str) -> None:
    out = tmp_path / "package.zip"
    with pytest.raises(UsageError, match="--app-id"):
        cli.cmd_teams_package(argparse.Namespace(app_id=app_id, out=out))
    assert not out.exists()


def test_a_bad_app_id_on_the_command_line_exits_non_zero_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["teams", "package", "--app-id", "my-bot", "--out", str(tmp_path / "p.zip")]) == 1
    assert "is not a Microsoft App ID" in capsys.readouterr().err
