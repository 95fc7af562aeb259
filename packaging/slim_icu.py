"""Rebuild Qt's ICU data library (``libicudata.so.NN``, 31 MB) with only the data Qt uses here (~4 MB).

PySide6's QtCore links ICU, whose data library holds every locale's number, date, unit and currency formats,
legacy text converters, transliterators and the CJK/Thai/Khmer word-break dictionaries. Qt brings its own
locale data (CLDR tables compiled into QtCore), line breaking and UTF codecs; it asks ICU for collation
(QCollator, file-dialog sorting), locale-aware upper/lower case, time-zone names and legacy codecs, and falls
back to its own code when an ICU lookup fails. Kept: the Unicode property and normalisation tables, all
collation data, the root/English resources and the tables every lookup goes through (pools, likely subtags,
supplemental data, time zones, metadata).

The data is ICU's "common data" package (``CmnD``: a header, a table of contents sorted by name, 16-byte
aligned items) exported as the symbol ``icudtNN_dat``. This script parses it, writes a smaller package with the
same header and builds a data-only shared object with binutils (``ld``, ``objcopy``; no C compiler)::

    python packaging/slim_icu.py SRC/libicudata.so.73 OUT/libicudata.so.73

Linux only; used by packaging/transcript-reader.spec, which keeps the original library if this fails or if
``verify()`` finds that Qt sorts, changes case or formats numbers differently with the slim data.
"""

from __future__ import annotations

import logging
import re
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

logger = logging.getLogger(__name__)

# Item names below the "icudtNNl/" prefix that are kept. Everything else (other locales' formats, units,
# currencies, languages, regions, converters, transliteration, break rules and dictionaries, spelled-out
# numbers) is dropped.
KEEP = re.compile(
    r"""^(
        [^/]+\.(icu|nrm|spp|cfu)              # Unicode properties, normalisation, StringPrep, confusables
      | coll/.*                                # all collation (QCollator in every language)
      | (root|en|en_US|en_GB|en_001|en_150|pool|res_index|supplementalData|likelySubtags|metadata|
         keyTypeData|timezoneTypes|metaZones|windowsZones|zoneinfo64|numberingSystems|grammaticalFeatures|
         icuver|icustd|dayPeriods|pluralRanges|plurals|genderList|currencyNumericCodes|langInfo)\.res
      | zone/(root|en|en_US|pool|res_index)\.res
      | cnvalias\.icu
    )$""",
    re.VERBOSE,
)
HEADER = struct.Struct("<HBB")


def read_symbol(library: Path) -> tuple[str, bytes]:
    """The ``icudtNN_dat`` symbol's name and bytes from the data library."""
    symbols = subprocess.run(
        ["readelf", "-sW", "--dyn-syms", str(library)], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(
        r"^\s*\d+:\s+([0-9a-f]+)\s+(0x[0-9a-f]+|\d+)\s+OBJECT\s+GLOBAL\s+\S+\s+\d+\s+(icudt\d+_dat)$",
        symbols,
        re.MULTILINE,
    )
    if match is None:
        raise ValueError(f"no icudtNN_dat symbol in {library}")
    address, size, name = int(match.group(1), 16), int(match.group(2), 0), match.group(3)
    sections = subprocess.run(
        ["readelf", "-SW", str(library)], capture_output=True, text=True, check=True
    ).stdout
    for line in sections.splitlines():
        fields = line.replace("[ ", "[").split()
        if len(fields) > 5 and fields[1] == ".rodata":
            section_address, section_offset = int(fields[3], 16), int(fields[4], 16)
            offset = section_offset + address - section_address
            return name, library.read_bytes()[offset : offset + size]
    raise ValueError(f"no .rodata section in {library}")


def parse(package: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """The package header and its (name, item bytes) entries, in table-of-contents order."""
    header_size, magic1, magic2 = HEADER.unpack_from(package, 0)
    if (magic1, magic2) != (0xDA, 0x27) or package[12:16] != b"CmnD":
        raise ValueError("not an ICU common data package")
    toc = package[header_size:]
    (count,) = struct.unpack_from("<I", toc, 0)
    offsets = [struct.unpack_from("<II", toc, 4 + 8 * i) for i in range(count)]
    entries = []
    for index, (name_offset, data_offset) in enumerate(offsets):
        name = toc[name_offset : toc.index(b"\0", name_offset)].decode("ascii")
        end = offsets[index + 1][1] if index + 1 < count else len(toc)
        entries.append((name, toc[data_offset:end]))
    return package[:header_size], entries


def build(header: bytes, entries: list[tuple[str, bytes]]) -> bytes:
    """A package holding ``entries`` (already sorted by name, as ICU's binary search needs)."""
    names = b"".join(name.encode("ascii") + b"\0" for name, _ in entries)
    names_start = 4 + 8 * len(entries)
    data_start = _align(names_start + len(names))
    table, blobs, name_at, data_at = [], [], names_start, data_start
    for name, data in entries:
        table.append(struct.pack("<II", name_at, data_at))
        name_at += len(name) + 1
        padded = data + b"\0" * (_align(len(data)) - len(data))
        blobs.append(padded)
        data_at += len(padded)
    toc = struct.pack("<I", len(entries)) + b"".join(table) + names
    toc += b"\0" * (data_start - len(toc))
    return header + toc + b"".join(blobs)


def _align(size: int, to: int = 16) -> int:
    return (size + to - 1) // to * to


def link(symbol: str, package: bytes, soname: str, output: Path) -> None:
    """A data-only shared object exporting ``package`` as ``symbol`` (read-only, 16-byte aligned)."""
    with tempfile.TemporaryDirectory() as tmp:
        blob, obj = Path(tmp) / "icudata.bin", Path(tmp) / "icudata.o"
        blob.write_bytes(package)
        subprocess.run(["ld", "-r", "-b", "binary", "-o", obj.name, blob.name], cwd=tmp, check=True)
        subprocess.run(
            [
                "objcopy",
                "--rename-section",
                ".data=.rodata,alloc,load,readonly,data,contents",
                "--set-section-alignment",
                ".rodata=16",
                "--redefine-sym",
                f"_binary_icudata_bin_start={symbol}",
                "--strip-symbol",
                "_binary_icudata_bin_end",
                "--strip-symbol",
                "_binary_icudata_bin_size",
                obj.name,
            ],
            cwd=tmp,
            check=True,
        )
        output.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["ld", "-shared", "-z", "noexecstack", "-soname", soname, "-o", str(output.resolve()), obj.name],
            cwd=tmp,
            check=True,
        )


# Run by verify() with the original and with the slim library: collation tailorings, locale-aware case mapping
# and number formatting must come out the same (only localised time-zone names are allowed to differ).
PROBE = r"""
from PySide6.QtCore import QCollator, QCoreApplication, QLocale
app = QCoreApplication([])
words = ["zebra", "Äpfel", "apple", "Ångström", "ch", "cz", "ñu", "nz", "file10", "file9", "Ölig", "oz", "ß", "ss"]
for name in ("en_US", "de_DE", "sv_SE", "es_ES", "cs_CZ", "da_DK", "pl_PL", "ja_JP", "zh_CN", "ru_RU"):
    collator = QCollator(QLocale(name))
    collator.setNumericMode(True)
    print(name, sorted(words, key=collator.sortKey))
print(QLocale("tr_TR").toUpper("istanbul"), QLocale("en_US").toUpper("straße"), QLocale("lt_LT").toLower("Į"))
print(QLocale("de_DE").toString(1234567.891, "f", 2), QLocale("ar_EG").toString(12345))
"""


def verify(slim_library: Path, python: str = sys.executable) -> None:
    """Raise ValueError unless Qt behaves the same with ``slim_library`` as with the original ICU data."""
    import os

    def run(env: dict[str, str]) -> str:
        return subprocess.run(
            [python, "-c", PROBE],
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **env},
        ).stdout

    original = run({})
    slimmed = run(
        {
            "LD_LIBRARY_PATH": os.pathsep.join(
                filter(None, [str(slim_library.parent), os.environ.get("LD_LIBRARY_PATH")])
            )
        }
    )
    if not original.strip() or slimmed != original:
        raise ValueError(f"Qt behaves differently with the slim ICU data:\n{original}\n---\n{slimmed}")


def slim(source: Path, output: Path) -> tuple[int, int]:
    """Write the slim library; returns (original, new) package sizes in bytes."""
    symbol, package = read_symbol(source)
    header, entries = parse(package)
    kept = [(name, data) for name, data in entries if KEEP.match(name.split("/", 1)[1])]
    if not any(name.endswith("/coll/ucadata.icu") for name, _ in kept):
        raise ValueError("the collation data was not found: unexpected ICU data layout")
    slim_package = build(header, kept)
    parse(slim_package)  # round-trip check
    link(symbol, slim_package, source.name, output)
    verify(output)
    logger.info(
        "ICU data: %d of %d items kept, %.1f MB -> %.1f MB",
        len(kept),
        len(entries),
        len(package) / 1e6,
        len(slim_package) / 1e6,
    )
    return len(package), len(slim_package)


def main(argv: list[str]) -> int:
    """Command line: ``SRC OUT``; prints the usage and returns 2 on other arguments."""
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    slim(Path(argv[0]), Path(argv[1]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
