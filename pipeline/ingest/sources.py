"""Pollution-source online-monitoring data in two forms.

(a) HJ 212-2017 platform logs (:mod:`pipeline.ingest.hj212`): hourly (CN 2061) and daily (CN 2031)
uploads; a message that fails its length or CRC check, has no valid DataTime, or carries another
command, is a rejected row with its reason (quarantined, never dropped). (b) CSV exports:
``enterprise,outlet,hour,pollutant,concentration,o2,flow,flag`` (``hour`` = start of the hour,
concentration in mg/m³ or mg/L, o2 in %, flow in m³/h; o2 and flow become readings of their own).

Canonical source records: ``source_file, source_row, record_key, mn, outlet_code, period_start,
interval (hour|day), item, value, flag, raw_record``. HJ 212 records carry the device id ``mn``;
the job maps it to ``outlet_code`` with the registry.
"""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd

from pipeline.ingest import IngestError, read_text
from pipeline.ingest.hj212 import (
    CODES,
    FLOW_TO_M3H,
    UPLOADS,
    HJ212Error,
    code_2017,
    crc16_many,
    mask_password,
    parse,
    segment_of,
    split_log,
)

RECORD_COLUMNS = ["source_file", "source_row", "record_key", "mn", "outlet_code", "period_start", "interval",
                  "item", "value", "flag", "min_value", "max_value", "cou_value", "raw_record", "problem"]  # fmt: skip
SENT_BESIDE_AVG = {"Min": "min_value", "Max": "max_value", "Cou": "cou_value"}
"""HJ 212-2017 fields of a pollutant's upload kept beside Avg (Table 6 / 7 field names)."""
MAX_MESSAGE_CHARS = 6 + 9999 + 4
"""The longest message HJ 212 can frame (``##``, a 4-digit length, at most 9999 data characters, the CRC):
a longer line is noise and is rejected without being parsed (its CRC would cost memory per character)."""
REJECT_COLUMNS = ["source_file", "source_row", "record_key", "reason", "raw_record"]
EXPORT_COLUMNS = ["enterprise", "outlet", "hour", "pollutant", "concentration", "o2", "flow", "flag"]


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=columns) if rows else pd.DataFrame({c: pd.Series(dtype=object) for c in columns})


def _number(text: str) -> float:
    """A reading's text as a float; NaN when it is not a number (the record is then quarantined)."""
    try:
        value = float(text)
    except ValueError:
        return float("nan")
    return value if value == value and abs(value) != float("inf") else float("nan")


def read_hj212_log(path: Path, text: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    records, rejects = [], []
    messages = []
    for line, message in split_log(text):
        if len(message) > MAX_MESSAGE_CHARS:
            rejects.append({"source_file": str(path), "source_row": line, "record_key": "message",
                            "reason": f"HJ 212: framing: {len(message):,} characters, longer than any HJ 212 message "
                                      f"({MAX_MESSAGE_CHARS:,} at most)", "raw_record": mask_password(message[:200]) + "..."})  # fmt: skip
        else:
            messages.append((line, message))
    crcs = crc16_many([segment_of(message) for _, message in messages])  # all at once: the slow part
    for (line, message), crc in zip(messages, crcs.tolist(), strict=True):
        stored = mask_password(message)  # the device password never reaches the warehouse
        try:
            parsed = parse(message, crc=crc)
        except HJ212Error as err:
            rejects.append(
                {
                    "source_file": str(path),
                    "source_row": line,
                    "record_key": "message",
                    "reason": f"HJ 212: {err}",
                    "raw_record": stored,
                }
            )
            continue
        for sent_code, fields in parsed.values.items():
            code = code_2017(sent_code)  # HJ/T 212-2005 codes of older loggers; the raw record keeps the sent one
            raw = fields.get("Avg", "")
            factor = FLOW_TO_M3H.get(code, 1.0)
            value = _number(raw) * factor
            sent = {column: fields[name] for name, column in SENT_BESIDE_AVG.items() if name in fields}
            beside = {
                column: _number(text) * (factor if column != "cou_value" else 1.0) for column, text in sent.items()
            }
            problem = "; ".join(
                f"{sent_code}-{name}={sent[column]!r} is not a number"
                for name, column in SENT_BESIDE_AVG.items()
                if column in sent and beside[column] != beside[column]
            )
            records.append(
                {
                    "source_file": str(path), "source_row": line, "record_key": code, "mn": parsed.mn, "outlet_code": None,
                    "period_start": parsed.data_time, "interval": UPLOADS[parsed.cn], "item": CODES.get(code, code),
                    "value": float(value), "flag": fields.get("Flag", ""), **beside, "problem": problem,
                    "raw_record": ";".join(f"{sent_code}-{k}={v}" for k, v in fields.items()) + f" in {stored}",
                }
            )  # fmt: skip
    return _frame(records, RECORD_COLUMNS), _frame(rejects, REJECT_COLUMNS)


def read_export(path: Path, text: str) -> pd.DataFrame:
    try:
        table = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.ParserError as err:
        raise IngestError(path, f"not a readable CSV ({str(err).strip().splitlines()[-1]})") from None
    missing = [c for c in EXPORT_COLUMNS if c not in table.columns]
    if missing:
        raise IngestError(path, f"missing column(s) {', '.join(missing)}; expected {','.join(EXPORT_COLUMNS)}")
    if table.empty:
        raise IngestError(path, "header only, no data rows")
    records, seen = [], {}
    for i, row in enumerate(table.to_dict("records")):
        hour = pd.to_datetime(row["hour"].strip(), errors="coerce")
        raw = ",".join(str(row[c]) for c in EXPORT_COLUMNS)
        pollutant = row["pollutant"].strip().lower()
        cells = [(CODES.get(pollutant, pollutant), row["concentration"])]
        for extra in ("o2", "flow"):
            if row[extra].strip() != "":
                key = (row["outlet"], row["hour"], extra)
                if seen.get(key) == row[extra].strip():
                    continue  # the same hour's O2/flow repeated on each pollutant's row
                seen[key] = row[extra].strip()
                cells.append((extra, row[extra]))
        for item, text_value in cells:
            records.append(
                {
                    "source_file": str(path), "source_row": i + 2, "record_key": item, "mn": None,
                    "outlet_code": row["outlet"].strip() or None, "period_start": hour, "interval": "hour", "item": item,
                    "value": _number(text_value.strip() or "nan"),
                    "flag": row["flag"].strip(), "raw_record": raw,
                }
            )  # fmt: skip
    return _frame(records, RECORD_COLUMNS)


def read(path: Path | str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(records, rejected rows with reasons) of one file of either form."""
    path = Path(path)
    text = read_text(path)
    if text.lstrip().startswith("##"):
        records, rejects = read_hj212_log(path, text)
    else:
        records, rejects = read_export(path, text), _frame([], REJECT_COLUMNS)
    records["period_start"] = pd.to_datetime(records["period_start"])
    return records, rejects


def single_parameter_export(path: Path | str, outlet_code: str, item: str) -> pd.DataFrame:
    """A one-parameter sensor export (``monitorTime,monitorAvgValue``, e.g. the Kahsolt sample) as the
    CSV-export form, for one outlet and item. Hourly values; an empty value stays empty (and is
    quarantined as missing, not dropped); every present value is flagged N (the export has no flags)."""
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    hour = pd.to_datetime(table["monitorTime"]).dt.strftime("%Y-%m-%d %H:%M")
    return pd.DataFrame(
        {
            "enterprise": "",
            "outlet": outlet_code,
            "hour": hour,
            "pollutant": item,
            "concentration": table["monitorAvgValue"],
            "o2": "",
            "flow": "",
            "flag": "N",
        }  # fmt: skip
    )
