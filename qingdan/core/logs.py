"""Logs carry no personal data: `MaskPersonalData`, installed on every handler in
settings.LOGGING, masks each record's message, traceback and stack with the detector of
`qingdan.core.pii` before any handler writes it (console, files, mail to admins)."""

import logging

from . import pii


class MaskPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the handler's to report
            return True
        record.msg, record.args = pii.mask_text(message), None
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text when it is set: the traceback is masked once here.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = pii.mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = pii.mask_text(record.stack_info)
        return True
