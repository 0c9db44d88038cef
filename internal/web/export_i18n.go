package web

// The e-archive export's texts.
var exportTexts = map[string]map[string]string{
	"sv": {
		"export.title":          "Export till e-arkivet",
		"export.link":           "Export till e-arkivet",
		"export.intro":          "Ett informationspaket enligt Riksarkivets FGS Paketstruktur 2.0 (E-ARK CSIP och SIP) med ärenden och handlingar enligt FGS Ärendehantering 2.0 (ERMS), bevarandemetadata (PREMIS), handlingarna som de togs emot och en läsbar återgivning i HTML och PDF. Välj en period, en kanal eller vissa handlingar.",
		"export.start":          "Starta export",
		"export.seqs":           "Vissa handlingar (nummer i arkivet)",
		"export.seqs_hint":      "Till exempel 12, 15, 40. Lämna tomt för hela perioden.",
		"export.list":           "Exporter",
		"export.reload":         "Uppdatera förloppet",
		"export.started":        "Startad",
		"export.selection":      "Urval",
		"export.progress":       "Förlopp",
		"export.result":         "Resultat",
		"export.count":          "%d av %d handlingar",
		"export.download":       "Ladda ned",
		"export.none":           "Inga exporter ännu.",
		"export.status.queued":  "väntar",
		"export.status.running": "pågår",
		"export.status.done":    "klar",
		"export.status.failed":  "misslyckades",
	},
	"en": {
		"export.title":          "Export to the e-archive",
		"export.link":           "Export to the e-archive",
		"export.intro":          "An information package following the Swedish National Archives' FGS Package Structure 2.0 (E-ARK CSIP and SIP), with case files and records as FGS Case Management 2.0 (ERMS), preservation metadata (PREMIS), the records as received and a readable rendition in HTML and PDF. Choose a period, a channel or certain records.",
		"export.start":          "Start export",
		"export.seqs":           "Certain records (archive numbers)",
		"export.seqs_hint":      "For example 12, 15, 40. Leave empty for the whole period.",
		"export.list":           "Exports",
		"export.reload":         "Refresh progress",
		"export.started":        "Started",
		"export.selection":      "Selection",
		"export.progress":       "Progress",
		"export.result":         "Result",
		"export.count":          "%d of %d records",
		"export.download":       "Download",
		"export.none":           "No exports yet.",
		"export.status.queued":  "queued",
		"export.status.running": "running",
		"export.status.done":    "done",
		"export.status.failed":  "failed",
	},
}

func init() {
	for lang, texts := range exportTexts {
		for k, v := range texts {
			translations[lang][k] = v
		}
	}
}
