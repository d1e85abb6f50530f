"""The grey level that tells print from paper on a cleaned page image (rules painted out, lighting evened), one
number for every reader of the page's zones: the value boxes' cut-outs (:mod:`pipeline.ocr.zones`), the cheap
path's crossed rules (:mod:`pipeline.ocr.zoned`) and the form's labels found under a value's print
(:mod:`pipeline.ocr.labelink`). It imports nothing of the house, so any of them may import it."""

DARK = 128  # grey level (0-255): a pixel darker than this is print (ink), halfway from black to white
