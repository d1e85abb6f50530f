"""ACORD 25 certificates: recognise the form and extract its fields.

    >>> info = identify(pages)
    >>> certificate = extract_certificate(pages, form_fields)

The certificate is a dict in the shape of the public contract
(``contract/certificate.md``) plus an ``evidence`` key mapping the JSON
pointer of each non-null value to the page, box and confidence it came from.
"""

from pipeline.acord25.extract import empty_certificate, extract_certificate
from pipeline.acord25.identify import KNOWN_EDITIONS, FormInfo, identify

__all__ = ["FormInfo", "KNOWN_EDITIONS", "empty_certificate", "extract_certificate", "identify"]
