#!/usr/bin/env python3
"""Reference verifier for AuditDesk compliance packages (auditdesk-package/1).

A second, independent reading of docs/package-format.md and docs/verify-by-hand.md:
Python 3 standard library only, plus the `openssl` command (3.0 or later) for the
Ed25519 manifest signature, the certificates and the PDF's CMS signature.

    python3 verify_package.py PACKAGE.zip [--trust FINGERPRINT|CERT.pem] [--json]

Verdicts, the same as `auditdesk verify-package`:
    valid     everything checks and the signer is the pinned one (--trust)   exit 0
    unpinned  everything checks, but no --trust was given: the package is
              as signed, but the signer is not pinned; anyone can make such
              a package                                                      exit 3
    invalid   at least one failure, each named with its code               exit 1
    (usage or a file that cannot be read at all)                             exit 2

It checks: the ZIP's names (unsafe, duplicate, extra, missing), the manifest's
signature and signer, every file's size and SHA-256, the PDF's embedded signature
and signer, every CSV's header, row count and Merkle root, the hash chain of
audit_events.csv (payload profile as recorded in the manifest; encoding "jcs"),
changes.csv (count and digests), a QA cosignature (checkpoint.cosig over the signed
checkpoint.note, by cosigner.pem's key), and the reviewer journal (journal.jsonl: its hash
chain and every decision signature in it; journal-head.json and decisions.csv are
left to verify-package, and the notes say so). It does not classify chain breaks the way
the verification engine does; it checks that the chain is as intact, or as
broken, as the package says, with the same head, rows and Merkle root. Two checks of
verify-package are not repeated here: that the PDF's certificate issued signer.pem
(PDF_SIGNER_MISMATCH for a lifted PDF) and that verification.json's break list equals
the engine's; a package failing only those is still refused by every other check
that fails with it, and AuditDesk's tests require the same verdict.
"""
import argparse
import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
import zipfile
from datetime import datetime, timedelta, timezone
from decimal import Decimal

PACKAGE_FORMAT = "auditdesk-package/1"
# manifest.json.minisig carries the same signature in minisign's format (check it with minisign -V)
UNSIGNED_NAMES = ("manifest.json", "manifest.sig", "manifest.json.minisig")
# Added by `auditdesk cosign` after signing: a QA cosignature of checkpoint.note (C2SP tlog-cosignature/v1)
COSIGNATURE_NAMES = ("checkpoint.cosig", "cosigner.pem")
# Every package holds these (access_log.csv only when it has rows, changes.csv only with drift).
REQUIRED_FILES = ("signer.pem", "report.pdf", "verification.json", "audit_events.csv", "conversation_logs.csv",
                  "anomalies.csv", "reviews.csv")
CONVERSATION_HEADER = [
    "Log ID", "Timestamp", "Agent ID", "Session ID", "Channel", "Prompt", "Response", "Model Info",
    "Model Provider", "Model Name", "Model Version", "Deployment ID", "Temperature", "Safety Mode", "Model Config",
]
MAX_SAFE = 9007199254740991


# ---- canonical values and RFC 8785 (docs/hash-chain.md) -------------------------

ALIASES = {"bigint": "int8", "integer": "int4", "int": "int4", "smallint": "int2", "boolean": "bool",
           "timestamp with time zone": "timestamptz", "timestamp without time zone": "timestamp",
           "double precision": "float8", "real": "float4"}
CATEGORY = {"int2": "integer", "int4": "integer", "int8": "integer", "numeric": "decimal", "float4": "decimal",
            "float8": "decimal", "bool": "boolean", "json": "json", "jsonb": "json", "timestamptz": "timestamp",
            "timestamp": "timestamp", "date": "date", "uuid": "uuid"}
TIMESTAMP = re.compile(r"^(\d{4,})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?"
                       r"(?:([+-])(\d{2})(?::?(\d{2}))?(?::?(\d{2}))?|Z)?( BC)?$")


def category(pg_type):
    t = pg_type.strip().lower()
    return CATEGORY.get(ALIASES.get(t, t), "text")


def canonical_timestamp(text):
    """PostgreSQL's timestamp text as YYYY-MM-DDTHH:MM:SS.ffffffZ (UTC, 6 digits)."""
    if text in ("infinity", "-infinity"):
        return text
    m = TIMESTAMP.match(text)
    if not m:
        raise ValueError(f'unrecognised timestamp text "{text}"')
    y, mo, d, h, mi, s, frac, sign, oh, om, os_, bc = m.groups()
    micro = (frac or "").ljust(6, "0")
    offset = 0 if not sign else (-1 if sign == "-" else 1) * (int(oh) * 3600 + int(om or 0) * 60 + int(os_ or 0))
    if offset == 0 and not bc:
        return f"{y}-{mo}-{d}T{h}:{mi}:{s}.{micro}Z"
    if bc:
        raise ValueError("BC timestamps are not supported by this reference verifier")
    t = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s), tzinfo=timezone.utc) - timedelta(seconds=offset)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + f".{micro}Z"


def canonical_value(pg_type, text):
    if text is None:
        return None
    c = category(pg_type)
    if c == "integer":
        n = int(text)
        return n if -MAX_SAFE <= n <= MAX_SAFE else str(n)
    if c == "boolean":
        return text in ("t", "true")
    if c == "json":
        # JSON numbers are IEEE doubles in RFC 8785, as in JavaScript's JSON.parse.
        return json.loads(text, parse_int=float)
    if c == "timestamp":
        return canonical_timestamp(text)
    if c == "date":
        return text[:10] if len(text) >= 10 else text
    if c == "uuid":
        return text.lower()
    return text  # decimal and text: exactly as printed


def es_number(x):
    """ECMAScript Number.prototype.toString, which RFC 8785 prescribes for numbers."""
    if x != x or x in (float("inf"), float("-inf")):
        raise ValueError("NaN and Infinity are not JSON")
    if x == 0:
        return "0"
    sign, digits, exp = Decimal(repr(abs(x))).normalize().as_tuple()
    ds = "".join(map(str, digits))
    k, n = len(ds), exp + len(ds)
    neg = "-" if x < 0 else ""
    if k <= n <= 21:
        return neg + ds + "0" * (n - k)
    if 0 < n <= 21:
        return neg + ds[:n] + "." + ds[n:]
    if -6 < n <= 0:
        return neg + "0." + "0" * (-n) + ds
    e = n - 1
    mant = ds if k == 1 else ds[0] + "." + ds[1:]
    return f"{neg}{mant}e{'+' if e > 0 else '-'}{abs(e)}"


def jcs(v):
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return es_number(v)
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ",".join(jcs(x) for x in v) + "]"
    keys = sorted(v, key=lambda k: k.encode("utf-16-be"))  # RFC 8785: UTF-16 code units
    return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + jcs(v[k]) for k in keys) + "}"


def row_digest(columns, values):
    """sha256 of the JCS of {column: canonical value} over every column."""
    obj = {}
    for c, v in zip(columns, values):
        # A manifest edited after signing may lack a name; it must still give a (wrong) digest.
        obj[str(c.get("name"))] = canonical_value(str(c.get("type", "text")), v)
    return hashlib.sha256(jcs(obj).encode("utf-8")).hexdigest()


class Merkle:
    """RFC 6962 Merkle tree hash over row digests (hex), streamed."""

    def __init__(self):
        self.stack = []  # (height, node), heights strictly decreasing
        self.count = 0

    def push(self, digest_hex):
        node, height = hashlib.sha256(b"\x00" + bytes.fromhex(digest_hex)).digest(), 0
        self.count += 1
        while self.stack and self.stack[-1][0] == height:
            node = hashlib.sha256(b"\x01" + self.stack.pop()[1] + node).digest()
            height += 1
        self.stack.append((height, node))

    def root(self):
        if not self.stack:
            return hashlib.sha256(b"").hexdigest()
        acc = self.stack[-1][1]
        for _, node in reversed(self.stack[:-1]):
            acc = hashlib.sha256(b"\x01" + node + acc).digest()
        return acc.hex()


# ---- CSV (docs/package-format.md#csv-dialect): NULL is an empty unquoted cell --------

FORMULA_TRIGGERS = "=+-@"


def parse_csv(text):
    rows, row, cell, quoted, was_quoted, i = [], [], [], False, False, 0
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == '"' and text[i + 1:i + 2] == '"':
                cell.append('"')
                i += 1
            elif ch == '"':
                quoted = False
            else:
                cell.append(ch)
        elif ch == '"' and not cell:
            quoted = was_quoted = True
        elif ch in ",\r":
            if ch == "\r" and text[i + 1:i + 2] != "\n":
                raise ValueError(f"a bare CR in record {len(rows) + 1}")
            row.append("".join(cell) if (cell or was_quoted) else None)
            cell, was_quoted = [], False
            if ch == "\r":
                rows.append(row)
                row = []
                i += 1
        elif ch == "\n":
            raise ValueError(f"a bare LF in record {len(rows) + 1}")
        else:
            cell.append(ch)
        i += 1
    if quoted:
        raise ValueError("an unterminated quoted cell")
    if cell or row or was_quoted:
        raise ValueError("the last record does not end with CRLF")
    width = len(rows[0]) if rows else 0
    for n, r in enumerate(rows):
        if len(r) != width:
            raise ValueError(f"record {n + 1} has {len(r)} fields; the header has {width}")
    return rows


def restore(cell, triggers=FORMULA_TRIGGERS):
    """Undo formula neutralisation: one ' less when the rest is ' * and then a trigger."""
    if cell is None or not cell.startswith("'"):
        return cell
    rest = cell[1:].lstrip("'")
    return cell[1:] if rest[:1] != "" and rest[0] in triggers else cell


# ---- the hash chain (docs/hash-chain.md) -------------------------------------------

def chain_result(rows, columns, chain, tenant):
    """The chain of audit_events.csv: intact or not, rows, first/last seq, head hash."""
    p = chain["profile"]
    names = [c["name"] for c in columns]
    i_seq, i_hash, i_prev = names.index(p["orderColumn"]), names.index(p["hashColumn"]), names.index(p["prevHashColumn"])
    include = set(p["payloadColumns"]) if p.get("payloadColumns") else None
    genesis = p["genesis"] if p.get("genesis") is not None else "0" * (128 if p["algorithm"] == "sha512" else 64)
    whole = chain["method"] == "engine"
    start = int(chain["startSeq"]) if chain.get("startSeq") is not None else None
    anchors = {int(a["lastSeq"]): a["headHash"] for a in chain.get("checkpoints") or []}
    # An anchor from outside the cache (an earlier package) must be reached: rows it
    # records that this package lacks were removed (truncated). A cache's own
    # checkpoints beyond the end only mean the cache is newer than the export.
    must_reach = [int(a["lastSeq"]) for a in chain.get("checkpoints") or [] if a.get("origin") == "external"]
    breaks, prev, first, hashes = 0, None, None, {}
    for values in rows:
        try:
            seq = int(values[i_seq])
        except (TypeError, ValueError):
            breaks += 1
            continue
        first = seq if first is None else first
        stored, prev_hash = values[i_hash], values[i_prev]
        payload = {}
        for c, v in zip(columns, values):
            if c["name"] in (p["hashColumn"], p["prevHashColumn"]) or (include and c["name"] not in include):
                continue
            payload[c["name"]] = canonical_value(c["type"], v)
        computed = None if prev_hash is None else hashlib.new(p["algorithm"], (prev_hash + p["separator"] + jcs(payload)).encode("utf-8")).hexdigest()
        if computed != stored:
            breaks += 1
        expected_start = start if start is not None else first
        if prev is None:
            if whole and seq != expected_start:
                breaks += 1  # rows missing before the first one
            if seq == 1 and prev_hash != genesis:
                breaks += 1
        elif seq == prev[0] + 1:
            if prev_hash != prev[1]:
                breaks += 1
        elif seq <= prev[0] or whole:
            breaks += 1  # a repeat, a step back, or (whole chain) a gap
        prev = (seq, stored)
        if seq in anchors:
            hashes[seq] = stored
    for seq, head in anchors.items():
        if seq in hashes and hashes[seq] != head:
            breaks += 1  # history up to a signed checkpoint was rewritten
        elif whole and prev is not None and seq not in hashes and (start or 1) <= seq <= prev[0]:
            breaks += 1  # the checkpoint's row is missing
    if whole and any(prev is None or seq > prev[0] for seq in must_reach):
        breaks += 1  # truncated: the chain ends before an earlier package's head
    return {"tenant": tenant, "rows": len(rows), "intact": breaks == 0, "firstSeq": first,
            "lastSeq": prev[0] if prev else None, "headHash": prev[1] if prev else None}


# ---- openssl ------------------------------------------------------------------------

def openssl(*args, data=None):
    r = subprocess.run(["openssl", *args], input=data, capture_output=True)
    return r.returncode == 0, r.stdout


def cert_der(pem_bytes, work):
    path = os.path.join(work, "cert.pem")
    with open(path, "wb") as f:
        f.write(pem_bytes)
    ok, der = openssl("x509", "-in", path, "-outform", "DER")
    return der if ok and der else None


def pdf_signature(pdf, work):
    """(problem or None, SHA-256 of the CMS signer certificate or None)."""
    text = pdf.decode("latin-1")
    at = text.rfind("/ByteRange")
    m = re.match(r"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", text[at:at + 200]) if at >= 0 else None
    if not m:
        return "the PDF has no usable /ByteRange", None
    a, b, c, d = map(int, m.groups())
    if a != 0 or b <= 0 or c <= b or c + d != len(pdf):
        return "the signature does not cover the whole file", None
    hole = text[b:c]
    if not re.fullmatch(r"<[0-9a-fA-F]*>", hole):
        return "the signature /Contents is not a hex string", None
    paths = {n: os.path.join(work, n) for n in ("sig.der", "signed.bin", "signer.pem")}
    cms = bytes.fromhex(hole[1:-1])
    if len(cms) < 2 or cms[0] != 0x30:
        return "the signature /Contents is not a CMS structure", None
    # The hole is zero-padded: keep the DER SEQUENCE its own length says.
    n = cms[1] & 0x7F if cms[1] & 0x80 else 0
    length = int.from_bytes(cms[2:2 + n], "big") if n else cms[1]
    with open(paths["sig.der"], "wb") as f:
        f.write(cms[:2 + n + length])
    with open(paths["signed.bin"], "wb") as f:
        f.write(pdf[a:a + b] + pdf[c:c + d])
    ok, _ = openssl("cms", "-verify", "-binary", "-inform", "DER", "-in", paths["sig.der"], "-content", paths["signed.bin"],
                    "-noverify", "-signer", paths["signer.pem"], "-out", os.devnull)
    if not ok:
        return "the CMS signature does not verify over the PDF's bytes", None
    with open(paths["signer.pem"], "rb") as f:
        der = cert_der(f.read(), work)
    return None, hashlib.sha256(der).hexdigest() if der else None


# ---- the checks, in the order of verify-package --------------------------------------

def unsafe(name):
    return (name == "" or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) is not None or "\\" in name
            or "\0" in name or ".." in name.split("/"))


def verify(path, trust, work):
    failures, notes = [], []
    fail = lambda code, message, file=None: failures.append({"code": code, "file": file, "message": message})
    result = {"failures": failures, "notes": notes, "signer": None, "chain": None}
    try:
        z = zipfile.ZipFile(path)
        infos = z.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as e:
        fail("ZIP_UNREADABLE", f"the ZIP cannot be read: {e}")
        return result
    entries = {}
    for info in infos:
        name = info.orig_filename
        if unsafe(name):
            fail("UNSAFE_PATH", f'unsafe entry name "{name}"', name)
        elif (info.external_attr >> 16) & 0o170000 == 0o120000:
            fail("UNSAFE_PATH", f'"{name}" is a symbolic link', name)
        elif name in entries:
            fail("DUPLICATE_ENTRY", f'"{name}" is in the ZIP more than once', name)
        else:
            entries[name] = info

    def read(name):
        if name not in entries:
            return None
        try:
            return z.read(entries[name])
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
            fail("ENTRY_CORRUPT", f"{name} cannot be read: {e}", name)
            return None

    manifest_bytes = read("manifest.json")
    if manifest_bytes is None:
        fail("MANIFEST_MISSING", "manifest.json is missing", "manifest.json")
        return result
    try:
        manifest = json.loads(manifest_bytes.decode("utf-8"))
        if manifest.get("format") != PACKAGE_FORMAT or not isinstance(manifest.get("files"), list) or not manifest.get("signer", {}).get("fingerprint"):
            raise ValueError(f"not a {PACKAGE_FORMAT} manifest")
    except ValueError as e:
        fail("MANIFEST_INVALID", f"manifest.json is not a package manifest: {e}", "manifest.json")
        return result

    # The manifest's signature, its signer and the pin.
    sig, pem = read("manifest.sig"), read("signer.pem")
    der = None
    if pem is None:
        fail("CERT_MISSING", "signer.pem is missing", "signer.pem")
    else:
        der = cert_der(pem, work)
        ok, text = openssl("x509", "-in", os.path.join(work, "cert.pem"), "-noout", "-text") if der else (False, b"")
        if not der or b"ED25519" not in text.upper():
            fail("CERT_INVALID", "signer.pem is not an Ed25519 certificate", "signer.pem")
            der = None
    if sig is None:
        fail("SIGNATURE_MISSING", "manifest.sig is missing", "manifest.sig")
    elif der:
        ok, pub = openssl("x509", "-in", os.path.join(work, "cert.pem"), "-pubkey", "-noout")
        for n, data in (("pub.pem", pub), ("manifest.json", manifest_bytes), ("manifest.sig", sig)):
            with open(os.path.join(work, n), "wb") as f:
                f.write(data)
        good = len(sig) == 64 and openssl("pkeyutl", "-verify", "-pubin", "-inkey", os.path.join(work, "pub.pem"), "-rawin",
                                          "-in", os.path.join(work, "manifest.json"), "-sigfile", os.path.join(work, "manifest.sig"))[0]
        if not good:
            fail("SIGNATURE_INVALID", "manifest.sig is not a signature of manifest.json by signer.pem's key", "manifest.sig")
    if der:
        fp = hashlib.sha256(der).hexdigest()
        if fp != manifest["signer"]["fingerprint"]:
            fail("SIGNER_MISMATCH", f"signer.pem ({fp}) is not the certificate the manifest names", "signer.pem")
        trusted = None
        if trust is not None:
            pinned = trust.strip().replace(":", "").lower()
            if re.fullmatch(r"[0-9a-f]{64}", pinned):
                trusted = pinned == fp
            else:
                with open(os.path.join(work, "trust.pem"), "w") as f:
                    f.write(trust)
                tder = cert_der(trust.encode(), work)
                if tder is None:
                    raise SystemExit(usage("--trust is neither a certificate PEM nor a SHA-256 fingerprint"))
                cert_der(pem, work)  # cert.pem is the signer again
                trusted = hashlib.sha256(tder).hexdigest() == fp or openssl(
                    "verify", "-partial_chain", "-no_check_time", "-trusted", os.path.join(work, "trust.pem"), os.path.join(work, "cert.pem"))[0]
            if not trusted:
                fail("UNTRUSTED_SIGNER", f"the package is signed by {fp}, which is neither the trusted certificate nor issued by it", "signer.pem")
        s = manifest["signer"]
        result["signer"] = {"name": s.get("name"), "org": s.get("org"), "email": s.get("email"), "fingerprint": fp, "trusted": trusted}

    # Every named file, and nothing else.
    named = {}
    for f in manifest["files"]:
        if not isinstance(f, dict) or not isinstance(f.get("name"), str) or unsafe(f["name"]):
            fail("MANIFEST_INVALID", f"the manifest names an unsafe file {f!r}", "manifest.json")
        else:
            named[f["name"]] = f
    for name in entries:
        if name not in UNSIGNED_NAMES and name not in COSIGNATURE_NAMES and name not in named:
            fail("UNEXPECTED_FILE", f"{name} is not in the signed manifest", name)
    for name in REQUIRED_FILES:
        if name not in named:
            fail("MISSING_FILE", f"{name}, which every package holds, is not named in the signed manifest", name)
    drift = manifest.get("drift") or {}
    if drift.get("findings", 0) > 0 and "changes.csv" not in named:
        fail("CHANGES_MISMATCH", "the manifest counts drift findings but names no changes.csv", "changes.csv")
    contents, intact = {}, set()
    for name, f in named.items():
        if name not in entries:
            fail("MISSING_FILE", f"{name} is named in the manifest but missing from the ZIP", name)
            continue
        size = f.get("size")
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            fail("MANIFEST_INVALID", f"the manifest records no usable size for {name}", "manifest.json")
            continue
        if entries[name].file_size != size:
            # Refused unread: a file is never read past the size the signed manifest gives it.
            fail("SIZE_MISMATCH", f"{name} has {entries[name].file_size} bytes by its ZIP header; the manifest says {size}", name)
            continue
        data = read(name)
        if data is None:
            continue
        contents[name] = data
        if len(data) != size:
            fail("SIZE_MISMATCH", f"{name} has {len(data)} bytes; the manifest says {size}", name)
        if hashlib.sha256(data).hexdigest() != f.get("sha256"):
            fail("HASH_MISMATCH", f"{name}'s SHA-256 differs from the manifest", name)
        elif len(data) == size:
            intact.add(name)  # only files with exactly the signed bytes are parsed

    # The PDF's embedded signature and its signer.
    if "report.pdf" in contents and len(contents["report.pdf"]) == named["report.pdf"].get("size"):
        problem, pdf_fp = pdf_signature(contents["report.pdf"], work)
        if problem:
            fail("PDF_SIGNATURE_INVALID", f"report.pdf: {problem}", "report.pdf")
        if pdf_fp and pdf_fp != manifest["signer"].get("pdfCertificateFingerprint"):
            fail("PDF_SIGNER_MISMATCH", "report.pdf is signed by another certificate than the manifest names", "report.pdf")

    # Every CSV: header, rows, Merkle root; the chain; changes.csv.
    neutralisation = manifest.get("csv", {}).get("formulaNeutralisation") or {}
    neutralised_on = neutralisation.get("enabled") is True
    triggers = "".join(t for t in neutralisation.get("triggers") or FORMULA_TRIGGERS if isinstance(t, str))
    for name, f in named.items():
        if not name.endswith(".csv") or not f.get("columns") or name not in intact:
            continue
        cols = f["columns"]
        # A manifest is read whatever its signature says; unusable columns are its failure.
        if not isinstance(cols, list) or not all(isinstance(c, dict) and isinstance(c.get("name"), str) and isinstance(c.get("type"), str)
                                                 and isinstance(c.get("header"), str) and isinstance(c.get("neutralised"), bool) for c in cols):
            fail("MANIFEST_INVALID", f"the manifest's columns of {name} lack a name, type, header or neutralised flag", "manifest.json")
            continue
        try:
            rows = parse_csv(contents[name].decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            fail("CSV_INVALID", f"{name} is not valid CSV: {e}", name)
            continue
        header, body = (rows[0] if rows else None), rows[1:]
        if neutralised_on:
            body = [[restore(v, triggers) if c.get("neutralised") else v for v, c in zip(r, cols)] for r in body]
        expected = CONVERSATION_HEADER if name == "conversation_logs.csv" else [c.get("header") for c in cols]
        if header != expected or [c.get("header") for c in cols] != expected:
            fail("CSV_HEADER_MISMATCH", f"{name}'s header is not {','.join(map(str, expected))}", name)
        if len(body) != f.get("rows"):
            fail("ROW_COUNT_MISMATCH", f"{name} holds {len(body)} rows; the manifest says {f.get('rows')}", name)
        merkle = Merkle()
        try:
            for r in body:
                merkle.push(row_digest(cols, r))
        except ValueError as e:
            fail("CSV_INVALID", f"{name}: a value cannot be canonicalised: {e}", name)
            continue
        if f.get("merkleRoot") and merkle.root() != f["merkleRoot"]:
            fail("MERKLE_MISMATCH", f"{name}'s rows do not give the recorded Merkle root", name)
        if name == "audit_events.csv" and (manifest.get("chain") or {}).get("table"):
            check_chain(body, cols, manifest, merkle.root(), contents, result, fail)
        if name == "changes.csv":
            check_changes(body, drift, fail)
    check_journal(contents, named, work, notes, fail)
    result["cosignature"] = check_cosignature(read, contents.get("checkpoint.note") if "checkpoint.note" in intact else None,
                                              result["signer"]["fingerprint"] if result["signer"] else None, work, notes, fail)
    return result


def check_cosignature(read, note, signer_fp, work, notes, fail):
    """checkpoint.cosig = checkpoint.note + one cosignature/v1 line by cosigner.pem's key (docs/tlog-evidence.md#cosignatures)."""
    cosig, pem = read("checkpoint.cosig"), read("cosigner.pem")
    if cosig is None and pem is None:
        return None
    refuse = lambda message, file="checkpoint.cosig": fail("COSIGNATURE_INVALID", message, file)
    if cosig is None:
        return refuse("cosigner.pem comes without checkpoint.cosig", "cosigner.pem")
    if pem is None:
        return refuse("checkpoint.cosig comes without cosigner.pem")
    path = os.path.join(work, "cosigner.pem")
    with open(path, "wb") as f:
        f.write(pem)
    ok, der = openssl("x509", "-in", path, "-outform", "DER")
    ok_pub, pub_pem = openssl("x509", "-in", path, "-pubkey", "-noout") if ok else (False, b"")
    ok_raw, spki = openssl("pkey", "-pubin", "-outform", "DER", data=pub_pem) if ok_pub else (False, b"")
    if not ok or not der:
        return refuse("cosigner.pem is not a usable certificate", "cosigner.pem")
    # An Ed25519 SubjectPublicKeyInfo is 44 bytes: a fixed 12-byte prefix, then the 32-byte key.
    if not ok_raw or len(spki) != 44 or spki[:12] != bytes.fromhex("302a300506032b6570032100"):
        return refuse("cosigner.pem does not hold an Ed25519 key", "cosigner.pem")
    if note is None:
        return refuse("checkpoint.cosig cosigns no signed checkpoint.note of this package (absent, or not as signed)")
    fp = hashlib.sha256(der).hexdigest()
    if fp == signer_fp:
        return refuse("the cosigner is the package signer: a cosignature is a second person's check", "cosigner.pem")
    if not cosig.startswith(note):
        return refuse("checkpoint.cosig does not begin with this package's checkpoint.note: it cosigns another checkpoint")
    m = re.fullmatch(rb"\xe2\x80\x94 (\S+) ([A-Za-z0-9+/]+={0,2})\n", cosig[len(note):])
    if not m:
        return refuse("checkpoint.cosig must add exactly one signature line to checkpoint.note")
    key_name = ("auditdesk.local/cosigner/" + fp[:16]).encode()
    if m.group(1) != key_name:
        return refuse("the cosignature is not by the key of cosigner.pem")
    raw = base64.b64decode(m.group(2))
    pub = spki[12:]
    if len(raw) != 4 + 8 + 64:
        return refuse("the cosignature is not a timestamped Ed25519 signature (cosignature/v1)")
    if raw[:4] != hashlib.sha256(key_name + b"\n\x04" + pub).digest()[:4]:
        return refuse("the cosignature's key ID is not that of cosigner.pem's key")
    ts = int.from_bytes(raw[4:12], "big")
    if ts > 2**63 - 1:
        return refuse("the cosignature time is out of range")
    text = note[:note.rindex(b"\n\n") + 1]
    for n, b in (("cosigned.msg", b"cosignature/v1\ntime %d\n" % ts + text), ("cosigned.sig", raw[12:]), ("cosigner-pub.pem", pub_pem)):
        with open(os.path.join(work, n), "wb") as f:
            f.write(b)
    if not openssl("pkeyutl", "-verify", "-pubin", "-inkey", os.path.join(work, "cosigner-pub.pem"), "-rawin",
                   "-in", os.path.join(work, "cosigned.msg"), "-sigfile", os.path.join(work, "cosigned.sig"))[0]:
        return refuse("the cosignature does not verify: the checkpoint, the time or the signature was altered")
    ok, subject = openssl("x509", "-in", path, "-noout", "-subject", "-nameopt", "multiline,utf8,-esc_msb")
    fields = dict(re.findall(r"^\s+(\w+)\s*=\s*(.*)$", subject.decode("utf-8", "replace"), re.M))
    who = {"name": fields.get("commonName", ""), "org": fields.get("organizationName", ""), "email": fields.get("emailAddress", ""),
           "fingerprint": fp, "time": datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    notes.append(f"checkpoint cosigned by {who['name']}, {who['org']} <{who['email']}> at {who['time']} "
                 f"(cosigner fingerprint {fp}, from cosigner.pem; not pinned: compare it with the one the cosigner gave you)")
    return who


def check_journal(contents, named, work, notes, fail):
    """journal.jsonl (docs/review.md): the hash chain of every entry, and the Ed25519
    signature of each decision and completion inside it over its signedJson, by the
    certificate it carries. journal-head.json and decisions.csv are checked by
    verify-package only; this says so in the notes."""
    data = contents.get("journal.jsonl")
    if data is None:
        notes.append("journal.jsonl was not read (its failure is listed): the review was not checked" if "journal.jsonl" in named
                     else "no reviewer journal in this package: nothing of the review checked")
        return
    prev, seq, signatures = "0" * 64, 0, 0
    broken = False
    for i, line in enumerate(data.decode("utf-8").split("\n")):
        if not line:
            continue
        try:
            e = json.loads(line)
        except ValueError:
            fail("JOURNAL_BROKEN", f"journal.jsonl line {i + 1} is not JSON", "journal.jsonl")
            return
        seq += 1
        if not broken:
            payload = jcs({"seq": e.get("seq"), "at": e.get("at"), "action": e.get("action"), "details": e.get("details")})
            if e.get("seq") != seq:
                problem = f"has seq {e.get('seq')}, expected {seq}"
            elif e.get("prev_hash") != prev:
                problem = "its prev_hash is not the hash of the entry before"
            elif hashlib.sha256((prev + "\n" + payload).encode("utf-8")).hexdigest() != e.get("hash"):
                problem = "its content does not give its hash"
            else:
                problem = None
            if problem:
                fail("JOURNAL_BROKEN", f"journal.jsonl entry {e.get('seq')}: {problem}", "journal.jsonl")
                broken = True
        prev = e.get("hash")
        d = e.get("details") or {}
        if e.get("action") in ("decision", "review_completed") and isinstance(d.get("signedJson"), str):
            signatures += 1
            if not signed_ok(d, work):
                fail("DECISION_SIGNATURE_INVALID", f"journal.jsonl entry {e.get('seq')}: the signature does not verify", "journal.jsonl")
    notes.append(f"reviewer journal: {seq} entries, {signatures} signatures checked here; journal-head.json and decisions.csv are checked by verify-package only")


def signed_ok(d, work):
    try:
        signed = json.loads(d["signedJson"])
        der = base64.b64decode(d.get("certificate") or "", validate=True)
        sig = base64.b64decode(d.get("signature") or "", validate=True)
    except (ValueError, TypeError):
        return False
    if jcs(signed) != d["signedJson"] or hashlib.sha256(der).hexdigest() != signed.get("signerFingerprint") or len(sig) != 64:
        return False
    for n, b in (("signer.der", der), ("signed.json", d["signedJson"].encode("utf-8")), ("signed.sig", sig)):
        with open(os.path.join(work, n), "wb") as f:
            f.write(b)
    ok, pub = openssl("x509", "-inform", "DER", "-in", os.path.join(work, "signer.der"), "-pubkey", "-noout")
    if not ok:
        return False
    with open(os.path.join(work, "signer-pub.pem"), "wb") as f:
        f.write(pub)
    return openssl("pkeyutl", "-verify", "-pubin", "-inkey", os.path.join(work, "signer-pub.pem"), "-rawin",
                   "-in", os.path.join(work, "signed.json"), "-sigfile", os.path.join(work, "signed.sig"))[0]


def check_chain(body, cols, manifest, root, contents, result, fail):
    m = manifest["chain"]
    try:
        got = chain_result(body, cols, m, manifest["query"]["tenant"])
    except (ValueError, KeyError, TypeError, AttributeError) as e:
        fail("CHAIN_MISMATCH", f"the chain cannot be recomputed: {e}", "audit_events.csv")
        return
    got["merkleRoot"] = root
    result["chain"] = got
    if (str(m.get("lastSeq")), m.get("headHash"), m.get("rows")) != (str(got["lastSeq"]), got["headHash"], got["rows"]):
        fail("CHAIN_MISMATCH", "audit_events.csv does not end where the manifest's chain ends", "audit_events.csv")
    if m.get("intact") != got["intact"] or (m.get("breaks") == 0) != got["intact"]:
        fail("CHAIN_MISMATCH", f"the chain recomputed from audit_events.csv is {'intact' if got['intact'] else 'broken'}; the manifest says otherwise", "audit_events.csv")
    if "verification.json" not in contents:
        if not any(f.get("name") == "verification.json" for f in manifest["files"]):
            fail("VERIFICATION_MISSING", "verification.json is missing", "verification.json")
        return
    try:
        v = json.loads(contents["verification.json"].decode("utf-8"))
        entry = next((t for t in v["tenants"] if t["tenant"] == got["tenant"]), None)
        same = entry is not None and entry["intact"] == got["intact"] and entry["rows"] == got["rows"] and \
            entry["headHash"] == got["headHash"] and str(entry["lastSeq"]) == str(got["lastSeq"]) and \
            entry.get("merkleRoot") in (None, root)
        if not same:
            fail("CHAIN_MISMATCH", "verification.json does not describe the chain found in audit_events.csv", "verification.json")
    except (ValueError, KeyError, TypeError) as e:
        fail("CHAIN_MISMATCH", f"verification.json cannot be read: {e}", "verification.json")


def check_changes(body, drift, fail):
    if not drift:
        fail("CHANGES_MISMATCH", "changes.csv is in the package but the manifest records no drift", "changes.csv")
        return
    if len(body) != drift.get("findings"):
        fail("CHANGES_MISMATCH", f"changes.csv holds {len(body)} findings; the manifest's drift count is {drift.get('findings')}", "changes.csv")
    for r in body:
        cols = (drift.get("columns") or {}).get(r[1])
        for values, digest, which in ((r[10], r[6], "earlier"), (r[11], r[7], "later")):
            if values is None and digest is None:
                continue
            try:
                by_name = json.loads(values or "null")
                ok = cols is not None and isinstance(by_name, dict) and row_digest(cols, [by_name.get(c["name"]) for c in cols]) == digest
            except ValueError:
                ok = False
            if not ok:
                fail("CHANGES_MISMATCH", f"finding {r[0]} ({r[1]} {r[2]}): the {which} digest is not that of the {which} values", "changes.csv")


def usage(message):
    sys.stderr.write(f"verify_package.py: {message}\n")
    return 2


def main(argv):
    ap = argparse.ArgumentParser(description="Check an AuditDesk compliance package offline.")
    ap.add_argument("package")
    ap.add_argument("--trust", help="the signer's SHA-256 fingerprint, or a certificate PEM file (the signer's or its issuer's)")
    ap.add_argument("--json", action="store_true", help="print the result as JSON")
    args = ap.parse_args(argv)
    if not os.path.isfile(args.package):
        return usage(f"package {args.package} does not exist")
    trust = args.trust
    if trust is not None and not re.fullmatch(r"[0-9a-fA-F:]{64,95}", trust.strip()):
        if not os.path.isfile(trust):
            return usage(f"--trust {trust} is neither a SHA-256 fingerprint nor an existing certificate file")
        with open(trust) as f:
            trust = f.read()
    with tempfile.TemporaryDirectory(prefix="verify-package-") as work:
        result = verify(args.package, trust, work)
    signer = result["signer"]
    if result["failures"]:
        verdict, code = "invalid", 1
    elif signer and signer["trusted"]:
        verdict, code = "valid", 0
    else:
        verdict, code = "unpinned", 3
    result["verdict"] = verdict
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print({"valid": "VALID", "unpinned": "UNPINNED", "invalid": "INVALID"}[verdict] + f"  {args.package}")
        if verdict == "unpinned":
            print("  every file is as signed, but the signer is not pinned; anyone can make such a package")
        if signer:
            print(f"  signed by {signer['name']}, {signer['org']} <{signer['email']}>, certificate fingerprint {signer['fingerprint']}")
        if result["chain"]:
            c = result["chain"]
            print(f"  hash chain in audit_events.csv: {c['rows']} rows, {'intact' if c['intact'] else 'broken'}")
        for f in result["failures"]:
            print(f"  {f['code']}{' [' + f['file'] + ']' if f['file'] else ''}: {f['message']}")
        for n in result["notes"]:
            print(f"  note: {n}")
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
