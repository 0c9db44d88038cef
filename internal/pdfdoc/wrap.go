package pdfdoc

import "math"

// wrap breaks text into lines no wider than width at the current font,
// exactly as gopdf's SplitTextWithWordWrap does (break at the last space
// that fits, else mid-word), but measuring each rune once per font: gopdf
// measures the whole line again for every rune, which made long documents
// (an e-archive export's rendition of thousands of records) spend most of
// their time wrapping.
func (d *Doc) wrap(text string, width float64) ([]string, error) {
	runes := []rune(text)
	if len(runes) == 0 {
		return nil, nil
	}
	var lines []string
	var line []rune
	// Widths are summed in font units and scaled as gopdf does, so that
	// every comparison comes out exactly as gopdf's.
	scale := d.size / 1000.0
	lineUnits := 0
	for i := 0; i < len(runes); i++ {
		units, err := d.runeUnits(runes[i])
		if err != nil {
			return nil, err
		}
		if float64(lineUnits)*scale+float64(units)*scale > width && runes[i] != '\n' {
			if br := lastSpace(line); br > 0 {
				// Break at the space; the rest of the word starts over.
				i -= len(line) - br
				line = line[:br]
			} else {
				i--
			}
			lines = append(lines, string(line))
			line, lineUnits = line[:0], 0
			continue
		}
		if runes[i] == '\n' {
			lines = append(lines, string(line))
			line, lineUnits = line[:0], 0
			continue
		}
		line = append(line, runes[i])
		lineUnits += units
		if i == len(runes)-1 {
			lines = append(lines, string(line))
		}
	}
	return lines, nil
}

// lastSpace is gopdf's breakIndicatorIndex: the last space after the
// first rune, or -1.
func lastSpace(line []rune) int {
	for i := len(line) - 1; i > 0; i-- {
		if line[i] == ' ' {
			return i
		}
	}
	return -1
}

type widthKey struct {
	family string
	size   float64
	r      rune
}

// runeUnits is a rune's advance at the current font in gopdf's font units
// (thousandths of the font size), measured once.
func (d *Doc) runeUnits(r rune) (int, error) {
	k := widthKey{d.family, d.size, r}
	if u, ok := d.widths[k]; ok {
		return u, nil
	}
	w, err := d.pdf.MeasureTextWidth(string(r))
	if err != nil {
		return 0, err
	}
	u := int(math.Round(w * 1000 / d.size))
	if d.widths == nil {
		d.widths = map[widthKey]int{}
	}
	d.widths[k] = u
	return u, nil
}
