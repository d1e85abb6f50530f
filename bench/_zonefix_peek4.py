import sys
from bench.accuracy import _cached_read, official
from pipeline.stages import read
from pipeline.acord25.cells import value_cells, page_registration, AMOUNT
from pipeline.acord25.reader import FieldWords, prepared
for kind, name, data, truth in official("tuning", (0, 8, 8), 0):
    if not name.startswith(sys.argv[1]):
        continue
    r = _cached_read(data, read, f"tuning/{kind}/{name}")
    p = r.pages[0]
    reg = page_registration(p)
    print(reg.template.edition)
    cells = value_cells(p, None, reg, confirm=True)
    print([ (c.alphabet, c.seen, c.confirm) for c in cells if c.alphabet == AMOUNT])
    fw = FieldWords(prepared(p), reg)
    for f in fw.fields:
        if f.kind == "amount":
            print(f.key, [(w.text, w.confidence) for w in fw.words.get(f, [])])
