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


FORCE_PAGES = ("--developer", "Westshire Police", "--privacy-url", "https://www.westshire.police.uk/shiftbrief/privacy",
               "--terms-url", "https://www.westshire.police.uk/shiftbrief/terms")


def test_the_package_holds_a_manifest_valid_against_teams_1_17_and_both_icons(tmp_path: Path) -> None:
    out = tmp_path / "shiftbrief-teams.zip"

    assert cli.main(["teams", "package", "--app-id", APP_ID, "--out", str(out), *FORCE_PAGES]) == 0

    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        color = read_png(archive.read("color.png"))
        outline = read_png(archive.read("outline.png"))
    schema = json.loads((SHARED / "schemas" / "MicrosoftTeams.schema.v1.17.json").read_text(encoding="utf-8"))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in jsonschema.Draft7Validator(schema).iter_errors(manifest)]
    assert not errors, errors
    assert manifest["manifestVersion"] == "1.17"
    assert manifest["developer"] == {"name": "Westshire Police", "websiteUrl": "https://www.westshire.police.uk/",
                                     "privacyUrl": FORCE_PAGES[3], "termsOfUseUrl": FORCE_PAGES[5]}
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
        cli.cmd_teams_package(argparse.Namespace(app_id=app_id, out=out, privacy_url=None, terms_url=None,
                                                 website_url=None, developer=None))
    assert not out.exists()


def test_a_bad_app_id_on_the_command_line_exits_non_zero_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["teams", "package", "--app-id", "my-bot", "--out", str(tmp_path / "p.zip"), *FORCE_PAGES]) == 1
    assert "is not a Microsoft App ID" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("leave_out", "message"),
    [("--privacy-url", "--privacy-url is required"), ("--terms-url", "--terms-url is required")],
)
def test_the_package_is_not_built_without_the_forces_own_privacy_notice_and_terms(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, leave_out: str, message: str
) -> None:
    monkeypatch.chdir(tmp_path)  # no shiftbrief.toml here: the built-in demo configuration, with no [teams_app]
    args = list(FORCE_PAGES)
    index = args.index(leave_out)
    del args[index:index + 2]
    out = tmp_path / "p.zip"
    assert cli.main(["teams", "package", "--app-id", APP_ID, "--out", str(out), *args]) == 1
    assert message in capsys.readouterr().err and not out.exists()


@pytest.mark.parametrize("page", [
    "https://www.college.police.uk/privacy", "https://college.police.uk/terms-and-conditions",
    "http://www.westshire.police.uk/privacy", "javascript:alert(1)", "https://www.westshire.police.uk/a b",
])
def test_the_colleges_pages_or_a_page_that_is_not_https_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], page: str
) -> None:
    out = tmp_path / "p.zip"
    assert cli.main(["teams", "package", "--app-id", APP_ID, "--out", str(out), "--privacy-url", page,
                     "--terms-url", FORCE_PAGES[5]]) == 1
    err = capsys.readouterr().err
    assert "--privacy-url" in err and ("College of Policing" in err or "https" in err) and not out.exists()


def test_the_forces_pages_can_come_from_the_configuration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.conftest import write_config

    write_config(tmp_path)
    config = tmp_path / "shiftbrief.toml"
    config.write_text(config.read_text(encoding="utf-8") + (
        '\n[teams_app]\ndeveloper = "Eastshire Constabulary"\n'
        'privacy_url = "https://www.eastshire.police.uk/shiftbrief/privacy"\n'
        'terms_url = "https://www.eastshire.police.uk/shiftbrief/terms"\n'), encoding="utf-8")
    monkeypatch.setenv("SHIFTBRIEF_CONFIG", str(config))
    out = tmp_path / "p.zip"
    assert cli.main(["teams", "package", "--app-id", APP_ID, "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as archive:
        developer = json.loads(archive.read("manifest.json"))["developer"]
    assert developer["name"] == "Eastshire Constabulary"
    assert developer["privacyUrl"] == "https://www.eastshire.police.uk/shiftbrief/privacy"
    config.write_text(config.read_text(encoding="utf-8").replace("www.eastshire.police.uk/shiftbrief/terms",
                                                                 "www.college.police.uk/terms"), encoding="utf-8")
    assert cli.main(["teams", "package", "--app-id", APP_ID, "--out", str(tmp_path / "q.zip")]) == 1
